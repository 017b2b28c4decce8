"""The editor on her phone (390×844, touch): the demo's long report, every tab of its form, and the save button.

On a phone the save button stays at the bottom of the screen while the form is in view (cms/static/cms/editor/
phone.css), as it does on a desktop.
"""

from playwright.sync_api import expect

from . import admin

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def form_tabs(page):
    return page.locator("[role=tab][aria-controls^='tab-']")


def in_viewport(page, locator):
    """Whether the element is wholly on the screen (to the pixel: layout boxes have fractions)."""
    box = locator.bounding_box()
    viewport = page.viewport_size
    return (
        box is not None
        and box["x"] >= -1
        and box["y"] >= -1
        and box["x"] + box["width"] <= viewport["width"] + 1
        and box["y"] + box["height"] <= viewport["height"] + 1
    )


def open_demo_report(journey, demo):
    page = journey.page
    admin.log_in(page, demo.accounts["editor"])
    page.goto(f"/admin/pages/{demo.objects['demo_report']['id']}/edit/")
    expect(form_tabs(page).first).to_be_visible()


def test_editor_on_a_phone_reaches_every_tab_and_saves(journey, demo):
    journey = journey("mobile", **PHONE)
    page = journey.page

    with journey.step("Log in on a phone and open the demo report"):
        open_demo_report(journey, demo)
        tabs = [tab.get_attribute("aria-controls") for tab in form_tabs(page).all()]
        assert len(tabs) > 1, f"the form has the tabs {tabs}"

    with journey.step("The page does not scroll sideways"):
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.viewport_size["width"], f"the page is {width} px wide"

    for panel in tabs:
        tab = page.locator(f"[role=tab][aria-controls='{panel}']")
        with journey.step(f"Reach the tab “{tab.inner_text().strip()}”"):
            # A tap, as on a phone; the tab row scrolls sideways to show it.
            tab.tap()
            expect(tab).to_have_attribute("aria-selected", "true")
            expect(page.locator(f"#{panel}")).to_be_visible()
            assert in_viewport(page, tab), f"the tab is at {tab.bounding_box()}, outside the screen"

    with journey.step("Scroll to the save button and save"):
        save = page.locator(admin.SAVE_DRAFT)
        save.scroll_into_view_if_needed()
        assert in_viewport(page, save), f"the save button is at {save.bounding_box()}"
        with page.expect_navigation():
            save.tap()
        admin.expect_success(page)


def test_the_save_button_stays_in_view_on_a_phone(journey, demo):
    journey = journey("mobile-save-in-view", **PHONE)
    page = journey.page

    with journey.step("Log in on a phone and open the demo report"):
        open_demo_report(journey, demo)
        tabs = [tab.get_attribute("aria-controls") for tab in form_tabs(page).all()]

    for panel in tabs:
        tab = page.locator(f"[role=tab][aria-controls='{panel}']")
        title = tab.inner_text().strip()
        with journey.step(f"On the tab “{title}”, the save button is on the screen"):
            # The top of the tab, where the editor lands after tapping it.
            tab.tap()
            save = page.locator(admin.SAVE_DRAFT)
            assert in_viewport(page, save), (
                f"the save button is at {save.bounding_box()} on a {page.viewport_size['height']} px high screen"
            )
