"""What the admin does for the editor while she writes, seen in the browser (where it happens: in the page's
scripts): the form points to every error, a new report is not autosaved behind her back, and the accessibility
checker runs on the preview.
"""

import re

from playwright.sync_api import expect

from . import admin


def errors_by_tab(page):
    """How many field errors each tab's panel shows, by the panel's id."""
    return page.evaluate(
        """() => {
            const counts = {};
            for (const errors of document.querySelectorAll('[id$=-errors]')) {
                const panel = errors.closest('[role=tabpanel]');
                if (panel && errors.innerText.trim()) counts[panel.id] = (counts[panel.id] || 0) + 1;
            }
            return counts;
        }"""
    )


def badges(page):
    """The number each tab's error badge shows (0 for none), by the id of the tab's panel."""
    shown = {}
    for tab in page.locator("[role=tab][aria-controls^='tab-']").all():
        text = tab.locator("[data-w-count-target=total]").inner_text().strip()
        shown[tab.get_attribute("aria-controls")] = int(text or 0)
    return shown


def test_the_form_points_to_every_error(journey, demo, hero_image):
    journey = journey("editor-form-errors")
    page = journey.page

    with journey.step("Log in and open a new event report"):
        admin.log_in(page, demo.accounts["editor"])
        admin.open_new_report(page, demo)
        admin.fill(page, "title", "Pieredzes apmaiņas brauciens uz Ogri")
        admin.fill(page, "lead", "Rēzeknes novada uzņēmēji iepazinās ar Ogres novada sociālajiem uzņēmumiem.")
        admin.type_date(page, "start_date", "10.04.2026")

    with journey.step("Upload a hero image and leave its alt text empty"):
        admin.upload_image(page, "hero_image", hero_image, "Brauciena ilustrācija")

    with journey.step("Add a speaker without saying who"):
        speaker = admin.add_block(page, "body", admin.block_label("body", "speaker"))

    with journey.step("Add a follow-up that ends before it starts"):
        follow_up = admin.add_block(page, "follow_ups", admin.block_label("follow_ups", "follow_up"))
        admin.fill(page, f"{follow_up}-value-title", "Konsultācija")
        admin.type_date(page, f"{follow_up}-value-date", "20.04.2026")
        admin.type_date(page, f"{follow_up}-value-end_date", "18.04.2026")

    with journey.step("Saving is refused"):
        admin.submit_save(page)
        assert admin.messages(page, "success") == []
        assert admin.messages(page, "error"), "no message says why"
        errors = dict(admin.field_errors(page))

    with journey.step("The hero image asks for its alt text"):
        assert any(key.endswith("hero_image_alt") for key in errors), errors

    with journey.step("The blocks' errors are shown where they are"):
        assert f"{speaker}-value-person" in errors, errors
        assert f"{follow_up}-value-end_date" in errors, errors

    with journey.step("Each tab's badge counts its errors, those inside blocks too"):
        expected = errors_by_tab(page)
        # The content tab has the hero image's and the speaker's, the follow-ups' tab only a block's.
        assert sorted(expected.values()) == [1, 2], expected
        assert {panel: count for panel, count in badges(page).items() if count} == expected, badges(page)

    with journey.step("Mark the image decorative, correct the blocks, and it saves"):
        admin.reveal(page, "[name='hero_image_decorative']").check()
        admin.fill(page, f"{speaker}-value-description", "Ogres novada pašvaldības pārstāve")
        admin.type_date(page, f"{follow_up}-value-end_date", "22.04.2026")
        admin.save_draft(page)


def test_a_new_report_is_not_autosaved_before_it_is_saved(journey, demo):
    journey = journey("editor-autosave")
    page = journey.page
    title = "Sociālo uzņēmumu gadatirgus"
    posted = []

    with journey.step("Log in and open a new event report"):
        admin.log_in(page, demo.accounts["editor"])
        admin.open_new_report(page, demo)
        add_url = page.url
        page.on("request", lambda request: posted.append(request.url) if request.method == "POST" else None)

    with journey.step("Write the first tab, leaving each field as an editor does"):
        admin.fill(page, "title", title).press("Tab")
        admin.fill(page, "lead", "Gadatirgū sociālie uzņēmumi piedāvāja savus ražojumus.").press("Tab")
        prefix = admin.add_block(page, "body", admin.block_label("body", "paragraph"))
        admin.type_rich_text(page, f"{prefix}-value", "Gadatirgus notika Rēzeknē.")
        # Several autosave intervals (Wagtail's default: half a second).
        page.wait_for_timeout(3000)

    with journey.step("Nothing was sent: no autosave fights the unfinished form"):
        assert [url for url in posted if url.startswith(add_url)] == [], posted

    with journey.step("Give the date too, so that the form could be saved, and pause again"):
        admin.type_date(page, "start_date", "18.04.2026")
        page.wait_for_timeout(3000)
        assert [url for url in posted if url.startswith(add_url)] == [], posted

    with journey.step("Leave the form without saving"):
        # The admin asks whether to leave unsaved changes behind: yes.
        page.on("dialog", lambda dialog: dialog.accept())
        page.goto(f"/admin/pages/{admin.report_index_id(demo)}/")

    with journey.step("No draft was left behind"):
        expect(page.locator("main")).not_to_contain_text(title)


def test_the_demo_report_passes_the_accessibility_checks(journey, demo):
    journey = journey("editor-accessibility")
    page = journey.page

    with journey.step("Log in and open the demo report"):
        admin.log_in(page, demo.accounts["editor"])
        page.goto(f"/admin/pages/{demo.objects['demo_report']['id']}/edit/")

    with journey.step("The checks run on the preview"):
        page.locator("[data-side-panel-toggle=checks]").click()
        # The content metrics come from the previewed page, as the accessibility results do: once they are
        # there, the checker has run in the preview.
        expect(page.locator("[data-content-word-count]")).to_have_text(re.compile(r"^\s*[1-9]\d*\s*$"))

    with journey.step("They find no problem"):
        found = page.locator("[data-content-checker-count]").inner_text().strip()
        problems = page.locator("[data-side-panel=checks] [data-content-checker-name]").all_inner_texts()
        assert found == "0", f"{found} problems: {problems}"
