"""What an editor does in Wagtail's admin, as Playwright actions.

Fields are found by their form names (``start_date``, ``body-3-value-person``), never by their labels or their tab:
labels are the translators' and tabs the form designers', and the journeys must keep working when either changes.
A field on another tab is reached by clicking the tab that holds it, as an editor would.

Block prefixes follow Wagtail's form: a StreamField child added to ``body`` when ``body-count`` is 3 is
``body-3``, its fields ``body-3-value-<name>``; an item added to a ListBlock ``<prefix>`` when
``<prefix>-count`` is 1 is ``<prefix>-1``, its value ``<prefix>-1-value`` (or ``<prefix>-1-value-<name>`` for a
StructBlock).
"""

import gettext
import json
import re
import time
import urllib.request

from playwright.sync_api import Error, Page, expect

from .server import ROOT

# The admin's own widgets and the timings of a loaded CI machine.
MODAL = ".modal.fade.in, .modal[style*='display: block']"
# The footer's main button; a snippet's footer gives its "publish" button the same class.
SAVE_DRAFT = "footer button.action-save:not([name])"
ACTION_TIMEOUT = 20_000


def log_in(page: Page, account):
    page.goto("/admin/login/")
    page.locator("#id_username").fill(account.username)
    page.locator("#id_password").fill(account.password)
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def html_language(page: Page):
    return page.locator("html").get_attribute("lang")


def reveal(page: Page, selector):
    """The element, with the tab that holds it selected and the panels and blocks around it open."""
    element = page.locator(selector).first
    element.wait_for(state="attached")
    panel = element.evaluate("e => e.closest('[role=tabpanel]')?.id || ''")
    if panel:
        tab = page.locator(f"[role=tab][aria-controls='{panel}']")
        if tab.get_attribute("aria-selected") != "true":
            tab.click()
    expand_collapsed_ancestors(page, element)
    return element


def expand_collapsed_ancestors(page: Page, element):
    """Opens the collapsed panels and blocks around ``element`` (blocks may start collapsed), outermost first."""
    toggles = element.evaluate(
        """e => {
            const ids = [];
            for (let node = e.parentElement; node; node = node.parentElement) {
                const content = node.id && node.id.endsWith('-content') ? node : null;
                if (content) {
                    const toggle = document.querySelector(`[aria-controls='${content.id}'][aria-expanded='false']`);
                    if (toggle) ids.unshift(content.id);
                }
            }
            return ids;
        }"""
    )
    for content_id in toggles:
        page.locator(f"[aria-controls='{content_id}'][aria-expanded='false']").click()


def fill(page: Page, name, value):
    field = reveal(page, f"[name='{name}']")
    field.fill(value)
    return field


def report_index_id(demo):
    """The Latvian index page of reports (the demo's “Pasākumi”), as the API lists it."""
    (index,) = api(demo.url, "/api/v2/pages/?type=cms.EventReportIndexPage&locale=lv")["items"]
    return index["id"]


def open_new_report(page: Page, demo):
    """From the page explorer: the index page of reports, "add child page" (a report is the only kind)."""
    index = report_index_id(demo)
    page.goto(f"/admin/pages/{index}/")
    page.locator(f"a[href$='/admin/pages/{index}/add_subpage/']").first.click()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/cms/eventreportpage/\d+/$"))


def block_label(field_name, block_type):
    """The label the block menu shows a Latvian editor for a block type of a report's StreamField: the block's own
    label, through the project's catalogue (labels are reworded and translated; block types are the API's)."""
    from django.utils import translation

    from cms.models import EventReportPage

    with translation.override("lv"):
        return str(EventReportPage._meta.get_field(field_name).stream_block.child_blocks[block_type].label)


# Wagtail's date picker (jQuery DateTimePicker): one calendar per date field, appended to the page's body.
DATE_PICKER = ".xdsoft_datetimepicker"


def type_date(page: Page, name, text):
    """Types a date into a date field by hand and leaves it with Tab, as an editor does; returns the field.

    The picker opens its calendar a tenth of a second after the field gets the focus and closes it when the field
    loses it. Typed at machine speed, Tab would come first and the calendar open afterwards, over the form, which
    no editor can do: so the calendar is waited for, and then must close."""
    field = fill(page, name, text)
    calendars = page.locator(f"{DATE_PICKER}:visible")
    expect(calendars).to_have_count(1)
    field.press("Tab")
    expect(calendars).to_have_count(0)
    return field


def choices(page: Page, name):
    """The labels of the choices a multiple-choice field offers (a select list or checkboxes)."""
    field = reveal(page, f"[name='{name}']")
    if field.evaluate("e => e.tagName") == "SELECT":
        return [text.strip() for text in field.locator("option").all_inner_texts()]
    return [text.strip() for text in page.locator(f"label:has(input[name='{name}'])").all_inner_texts()]


def choose(page: Page, name, label):
    """Chooses one more choice of a multiple-choice field, by its label."""
    field = reveal(page, f"[name='{name}']")
    if field.evaluate("e => e.tagName") == "SELECT":
        chosen = field.evaluate("e => [...e.selectedOptions].map(o => o.label)")
        field.select_option(label=[*chosen, label])
    else:
        page.locator(f"label:has(input[name='{name}'])", has_text=label).locator("input").check()


def count(page: Page, prefix):
    return int(page.locator(f"input[name='{prefix}-count']").input_value())


def add_block(page: Page, field_name, label):
    """Appends the block the block menu calls ``label`` to a StreamField; returns the new block's prefix."""
    prefix = f"{field_name}-{count(page, field_name)}"
    buttons = page.locator(
        f"input[name='{field_name}-count'] + [data-streamfield-stream-container] > div > button.c-sf-add-button"
    )
    reveal(page, f"input[name='{field_name}-count']")
    buttons.last.click()
    # A StreamField of one block type adds it at once; otherwise the block menu opens.
    added = page.locator(f"input[name='{prefix}-type']")
    option = page.get_by_role("option", name=label, exact=True)
    added.or_(option).first.wait_for(state="attached")
    if not added.count():
        option.click()
        added.wait_for(state="attached")
    return prefix


def add_list_item(page: Page, list_prefix):
    """Appends an item to a ListBlock; returns its prefix."""
    prefix = f"{list_prefix}-{count(page, list_prefix)}"
    reveal(page, f"input[name='{list_prefix}-count']")
    page.locator(
        f"input[name='{list_prefix}-count'] + [data-streamfield-list-container] > button[data-streamfield-list-add]"
    ).last.click()
    page.locator(f"[name^='{prefix}-value']").first.wait_for(state="attached")
    return prefix


def type_rich_text(page: Page, name, text):
    """Types into the Draftail editor of the rich text field ``name`` (its hidden input)."""
    hidden = page.locator(f"input[name='{name}']")
    editor = hidden.locator("xpath=..").locator("[role=textbox][contenteditable=true]")
    reveal(page, f"input[name='{name}']")
    editor.click()
    editor.press_sequentially(text)


def open_chooser(page: Page, name):
    chooser = reveal(page, f"#{css_id(name)}-chooser")
    chooser.locator("[data-chooser-action-choose]").click()
    modal = page.locator(MODAL)
    expect(modal).to_be_visible(timeout=ACTION_TIMEOUT)
    return modal


def expect_chosen(page: Page, name, title):
    expect(page.locator(f"#{css_id(name)}-chooser [data-chooser-title]")).to_have_text(title, timeout=ACTION_TIMEOUT)
    expect(page.locator(MODAL)).to_have_count(0, timeout=ACTION_TIMEOUT)


def choose_snippet(page: Page, name, title):
    """Chooses ``title`` in the snippet chooser of the field ``name``, searching for it as an editor would."""
    modal = open_chooser(page, name)
    modal.locator("input[name=q]").fill(title)
    modal.locator("a[data-chooser-modal-choice]", has_text=title).first.click()
    expect_chosen(page, name, title)


def create_in_chooser(page: Page, name, fields, title):
    """Creates a snippet from the chooser of ``name`` (Wagtail's chooser creation form, its "create" tab), filling
    ``fields`` (creation form field name → value); the new snippet ``title`` is then the chosen one."""
    modal = open_chooser(page, name)
    modal.locator("[role=tab][aria-controls=tab-create]").click()
    form = modal.locator("form[data-chooser-modal-creation-form]")
    for field_name, value in fields.items():
        form.locator(f"[name='{field_name}']").fill(value)
    form.locator("button[type=submit]").click()
    expect_chosen(page, name, title)


def block_summary(page: Page, prefix):
    """Collapses the stream block ``prefix`` and returns the summary in its header: what an editor reads of it."""
    child = page.locator(f"[data-streamfield-child]:has(> input[name='{prefix}-type'])")
    toggle = child.locator("[data-panel-toggle]").first
    if toggle.get_attribute("aria-expanded") == "true":
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "false")
    return child.locator("[data-panel-heading] [data-panel-heading-text]").first.inner_text().strip()


def chosen(page: Page, name):
    """The labels of the ticked choices of a checkbox list."""
    return [text.strip() for text in page.locator(f"label:has(input[name='{name}']:checked)").all_inner_texts()]


def create_topic(page: Page, name, fields, title):
    """Creates a topic from the chooser under the topics list ``name`` (its "create" tab); the new topic is then
    in the list, ticked."""
    button = reveal(page, f"[data-cms-topics-name='{name}'] [data-cms-topics-choose]")
    button.click()
    modal = page.locator(MODAL)
    expect(modal).to_be_visible(timeout=ACTION_TIMEOUT)
    modal.locator("[role=tab][aria-controls=tab-create]").click()
    form = modal.locator("form[data-chooser-modal-creation-form]")
    for field_name, value in fields.items():
        form.locator(f"[name='{field_name}']").fill(value)
    form.locator("button[type=submit]").click()
    expect(modal).to_have_count(0, timeout=ACTION_TIMEOUT)
    expect(page.locator(f"label:has(input[name='{name}']:checked)", has_text=title)).to_have_count(1)


def upload_image(page: Page, name, path, title):
    """Uploads ``path`` from the image chooser of ``name`` (its upload tab) and chooses it."""
    modal = open_chooser(page, name)
    modal.locator("[role=tab][aria-controls=tab-upload]").click()
    form = modal.locator("form[data-chooser-modal-creation-form]")
    form.locator("input[type=file]").set_input_files(path)
    form.locator("input[name='image-chooser-upload-title']").fill(title)
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#{css_id(name)}-chooser")).not_to_have_class(re.compile(r"\bblank\b"), timeout=ACTION_TIMEOUT)
    expect(page.locator(MODAL)).to_have_count(0, timeout=ACTION_TIMEOUT)


def css_id(name):
    """The id Wagtail gives a field's widget: page fields are ``id_<name>``, block fields their prefix."""
    return name if "-" in name else f"id_{name}"


def save_draft(page: Page):
    """Saves with the footer's main button; returns the success messages (an error names the form's errors)."""
    submit_save(page)
    return expect_success(page)


def submit_save(page: Page):
    """Clicks the footer's main button ("save draft") and waits for the answer, whatever it is."""
    with page.expect_navigation(timeout=ACTION_TIMEOUT):
        page.locator(SAVE_DRAFT).click()


# The footer's publishing buttons, by the value they post: Wagtail's "publish", and the project's "publish with the
# chosen drafts" (cms.publishing.PUBLISH_WITH), which publishes the unpublished snippets the page shows with it.
PUBLISH = "action-publish"
PUBLISH_WITH_CHOSEN_DRAFTS = "publish-with-chosen"


def publish(page: Page, action=PUBLISH):
    """Publishes with a button of the footer menu; returns the success messages."""
    submit_publish(page, action)
    return expect_success(page)


def submit_publish(page: Page, action=PUBLISH):
    """Clicks a publishing button of the footer menu and waits for the answer, whatever it is."""
    footer = page.locator("footer")
    footer.locator("[data-w-dropdown-target=toggle]").first.click()
    with page.expect_navigation(timeout=ACTION_TIMEOUT):
        footer.locator(f"button[name=action-publish][value='{action}']").click()


def expect_success(page: Page):
    success = messages(page, "success")
    if not success:
        raise AssertionError(
            f"no success message on {page.url}; errors: {messages(page, 'error')}, field errors: {field_errors(page)}"
        )
    return success


def messages(page: Page, kind):
    """The texts of the admin's messages of a kind (success, error, warning) on the current page."""
    return [text.strip() for text in page.locator(f".messages li.{kind}").all_inner_texts()]


def edit_url_page_id(page: Page):
    match = re.search(r"/admin/pages/(\d+)/edit/", page.url)
    assert match, f"not on a page's edit view: {page.url}"
    return int(match.group(1))


def api(base_url, path):
    """GET a delivery API URL as the front-end's server does (no session, JSON)."""
    request = urllib.request.Request(base_url + path, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def api_in_window(window: Page, path):
    """GET a delivery API URL in a reader's browser window (one with no admin session), so that the step's
    screenshot shows the answer; returns its JSON."""
    response = window.goto(path)
    assert response.ok, f"{path} answered {response.status}"
    return response.json()


def field_errors(page: Page):
    """The form's field errors, as (field id, message) pairs, for an assertion's message."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[id$=-errors]')]
            .map(e => [e.id.replace(/-errors$/, ''), e.innerText.trim()])
            .filter(([, text]) => text)"""
    )


def frame_showing(page: Page, selector, text, timeout=ACTION_TIMEOUT):
    """The frame (at any depth: the preview panel frames a hand-off page that frames the front-end) in which
    ``selector`` shows ``text``."""
    deadline = time.monotonic() + timeout / 1000
    while True:
        for frame in page.frames:
            try:
                if text in frame.locator(selector).all_inner_texts():
                    return frame
            except Error:  # a frame navigating or detached while asked: ask again
                continue
        if time.monotonic() > deadline:
            shown = {frame.url: _texts(frame, selector) for frame in page.frames}
            raise AssertionError(f"no frame shows {text!r} in {selector}; they show {shown}")
        page.wait_for_timeout(250)


def _texts(frame, selector):
    try:
        return frame.locator(selector).all_inner_texts()
    except Error:
        return None


def translated(language, message, domain="django"):
    """``message`` as the server shows it in ``language``: the ``django`` domain through Django (the project's
    catalogue first, then Wagtail's), wagtail-localize's translation editor strings (``djangojs``) from
    cms/locale/djangojs (LOCALE_PATHS). The journeys look for what the catalogue says, so a reworded translation
    does not break them, and an English string where a translation should be does."""
    if domain == "djangojs":
        return gettext.translation("djangojs", ROOT / "cms" / "locale" / "djangojs", languages=[language]).gettext(
            message
        )
    from django.utils import translation

    with translation.override(language):
        return translation.gettext(message)
