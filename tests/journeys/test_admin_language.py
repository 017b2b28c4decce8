"""The editor's screens in the browser are Latvian, including what the admin's scripts draw.

tests/config/test_admin_language.py reads the HTML the server renders; much of the editor is drawn by script
afterwards (StreamField blocks and their menus, the block picker, side panels, dropdowns, chooser modals). Here
the same matcher (every English source string of Wagtail's and wagtail-localize's catalogues) reads what the
screen shows: the visible text and the labels a screen reader announces.
"""

import itertools

import pytest
from playwright.sync_api import expect

from tests.config.test_admin_language import Matcher, upstream_entries

from . import admin

# What the screen shows: visible text, line by line, and the labels of visible elements.
VISIBLE_TEXT = """() => {
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  const texts = document.body.innerText.split('\\n');
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!shown(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder']) {
      const value = el.getAttribute(name);
      if (value) texts.push(value);
    }
  }
  return texts;
}"""


# Source strings whose Latvian translation reads the same: the abbreviation of minutes (“2 min”).
SAME_IN_LATVIAN = {"%(num)s min"}


@pytest.fixture(scope="module")
def matcher():
    entries = itertools.chain(upstream_entries("django"), upstream_entries("djangojs"))
    return Matcher.for_msgids(msgid for _context, msgid in entries)


def english_shown(page, matcher):
    found = {}
    for text in page.evaluate(VISIBLE_TEXT):
        msgid = matcher.english(text)
        if msgid is not None and msgid not in SAME_IN_LATVIAN:
            found.setdefault(msgid, text.strip())
    return sorted(found.values())


def test_the_editor_reads_latvian_wherever_she_clicks(journey, demo, matcher):
    journey = journey("editor-language")
    page = journey.page

    def no_english(where):
        english = english_shown(page, matcher)
        assert not english, f"{where} shows English: {english}"

    with journey.step("Log in and open the demo report's form"):
        admin.log_in(page, demo.accounts["editor"])
        page.goto(f"/admin/pages/{demo.objects['demo_report']['id']}/edit/")
        expect(page.locator("form[data-edit-form]")).to_be_visible()
        no_english("the report's form")

    with journey.step("Open every block of the report"):
        for toggle in page.locator("#tab-content [data-panel-toggle][aria-expanded=false]").all():
            if toggle.is_visible():
                toggle.click()
        no_english("the report's blocks, opened")

    with journey.step("Open the block picker"):
        admin.reveal(page, "input[name='body-count']")
        page.locator(
            "input[name='body-count'] + [data-streamfield-stream-container] > div > button.c-sf-add-button"
        ).last.click()
        expect(page.locator("[role=listbox] [role=option]").first).to_be_visible()
        no_english("the block picker")
        page.keyboard.press("Escape")

    with journey.step("Open the action menu"):
        page.locator("footer [data-w-dropdown-target=toggle]").first.click()
        no_english("the action menu")
        page.keyboard.press("Escape")

    side_panels = page.locator("[data-side-panel-toggle]")
    for number in range(side_panels.count()):
        toggle = side_panels.nth(number)
        label = toggle.get_attribute("aria-label") or toggle.inner_text()
        with journey.step(f"Open the side panel “{label}”"):
            toggle.click()
            page.wait_for_timeout(300)
            no_english(f"the side panel {label!r}")

    with journey.step("Open the person chooser of a speaker"):
        page.goto(f"/admin/pages/{demo.objects['demo_report']['id']}/edit/")
        prefix = admin.add_block(page, "body", admin.block_label("body", "speaker"))
        admin.open_chooser(page, f"{prefix}-value-person")
        no_english("the person chooser")

    with journey.step("Open the chooser's “Create” tab"):
        page.locator(admin.MODAL).locator("[role=tab]").last.click()
        no_english("the person chooser's creation form")

    with journey.step("Open the page explorer"):
        page.goto("/admin/pages/")
        no_english("the page explorer")

    with journey.step("The check sees English where there is some"):
        # The same reading of the screen, on the explorer with one of Wagtail's strings left untranslated: proof
        # that the steps above passed because the screens are Latvian, not because nothing was read.
        page.evaluate("document.querySelector('main').insertAdjacentHTML('afterbegin', '<p>Collapse all</p>')")
        assert english_shown(page, matcher) == ["Collapse all"]
