"""The translators' day: the editor sends a published Latvian report for translation; the English translator, in a
Latvian admin, translates it in wagtail-localize's editor (one string by hand, the rest by the development
machine translator), publishes it, and the API serves it in English; the Latgalian translator works in a
Latgalian admin.

The report is the seed's (seed.py), published in Latvian only, so this journey does not depend on the editor's.
"""

import datetime
import json
import re

from playwright.sync_api import expect

from . import admin

ENGLISH_TITLE = "Social entrepreneurship webinar for entrepreneurs of Rēzekne municipality"
LATGALIAN_TITLE = "Socialuos uzjiemiejdarbeibys vebinars Rēzeknis nūvoda uzjiemiejim"


def send_for_translation(journey, demo, language_name):
    """The editor's part: "Translate this page" from the report's header menu, into one language."""
    editor = journey.page
    report = demo.objects["translation_report"]
    editor.goto(f"/admin/pages/{report['id']}/edit/")
    editor.locator("header [data-w-dropdown-target=toggle]").first.click()
    editor.locator(f"a[href$='/localize/submit/page/{report['id']}/']").filter(visible=True).click()
    editor.get_by_role("checkbox", name=language_name, exact=True).check()
    with editor.expect_navigation():
        editor.locator("main form [type=submit]").first.click()
    assert any(report["title"] in message for message in admin.expect_success(editor))


def open_from_dashboard(translator, demo, language_name):
    """The translator's way in: her dashboard's translations panel, her language, the report."""
    title = demo.objects["translation_report"]["title"]
    translator.goto("/admin/")
    translator.locator("main").get_by_role("link", name=language_name, exact=True).click()
    translator.locator("main").get_by_role("link", name=title, exact=True).first.click()
    expect(translator).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"))
    editor = translator.locator(".js-translation-editor")
    expect(editor).to_be_attached()
    return json.loads(editor.get_attribute("data-props"))


def segment(translator, source):
    """The translation editor's item for one source string (the list item that shows it)."""
    return translator.locator("li", has=translator.locator("p", has_text=source)).last


def translate_by_hand(translator, source, text):
    item = segment(translator, source)
    item.locator("button").first.click()  # "Translate"
    item.locator("textarea").fill(text)
    item.locator("button").last.click()  # "Save" (after "Cancel")
    # Saved when the server has answered: the text shown, and "Edit" the one button again.
    expect(item.locator("textarea")).to_have_count(0)
    expect(item.locator("button")).to_have_count(1)
    expect(item).to_have_class(re.compile(r"\bcomplete\b"))
    expect(item).to_contain_text(text)


def reversed_words(text):
    """What the development machine translator makes of a text."""
    return " ".join(reversed(text.split(" ")))


def test_translator_translates_a_report_into_english(journey, demo):
    journey = journey("translator")
    editor = journey.page
    report = demo.objects["translation_report"]

    with journey.step("The editor logs in"):
        admin.log_in(editor, demo.accounts["editor"])

    with journey.step("The editor sends the report for translation into English"):
        send_for_translation(journey, demo, "English")

    translator = journey.window()
    with journey.step("The English translator logs in to the Latvian admin", page=translator):
        admin.log_in(translator, demo.accounts["translator_en"])
        assert admin.html_language(translator) == "lv"

    with journey.step("She opens the report from her dashboard's translations", page=translator):
        props = open_from_dashboard(translator, demo, "English")
        assert props["locale"]["code"] == "en", props["locale"]

    with journey.step("She translates the title by hand", page=translator):
        translate_by_hand(translator, report["title"], ENGLISH_TITLE)

    with journey.step("The editor's heading and notes are Latvian, dates written day first", page=translator):
        # wagtail-localize writes these in English in its script and with English month names on the server;
        # cms/static/cms/localize/editor-language.js gives them in the admin's language.
        heading = admin.translated("lv", "%(source)s to %(target)s translation") % {
            "source": props["sourceLocale"]["displayName"],
            "target": props["locale"]["displayName"],
        }
        expect(translator.locator(".js-translation-editor h3", has_text=heading).filter(visible=True)).to_have_count(1)
        expect(translator.locator(".js-translation-editor")).not_to_contain_text(" translation")
        # The server writes the day of its UTC clock.
        today = datetime.datetime.now(datetime.UTC).date()
        note = admin.translated("lv", "Translated manually on {date}").format(date=today.strftime("%d.%m.%Y"))
        expect(segment(translator, report["title"])).to_contain_text(note)

    with journey.step("She machine-translates the rest", page=translator):
        machine = props["machineTranslator"]
        assert machine, "no machine translator is offered for English"
        with translator.expect_navigation():
            translator.locator("button", has_text=machine["name"]).filter(visible=True).click()
        admin.expect_success(translator)

    with journey.step("She publishes the English translation", page=translator):
        publish_label = admin.translated("lv", "Publish in ", "djangojs")
        with translator.expect_navigation():
            translator.locator("button", has_text=publish_label.strip()).filter(visible=True).first.click()
        assert any(ENGLISH_TITLE in message for message in admin.expect_success(translator))

    reader = journey.window()
    with journey.step("The API serves the report in English", page=reader):
        listing = admin.api_in_window(reader, "/api/v2/pages/?type=cms.EventReportPage&locale=en")
        (english,) = [item for item in listing["items"] if item["title"] == ENGLISH_TITLE]
        assert english["meta"]["locale"] == "en"
        assert english["lead"] == reversed_words(report["lead"])
        detail = admin.api_in_window(reader, f"/api/v2/pages/{english['id']}/")
        assert {(t["locale"], t["title"]) for t in detail["meta"]["translations"]} == {
            ("lv", report["title"]),
            ("en", ENGLISH_TITLE),
        }


def test_latgalian_translator_works_in_a_latgalian_admin(journey, demo):
    journey = journey("translator-latgalian")
    editor = journey.page
    report = demo.objects["translation_report"]

    with journey.step("The editor logs in"):
        admin.log_in(editor, demo.accounts["editor"])

    with journey.step("The editor sends the report for translation into Latgalian"):
        send_for_translation(journey, demo, "Latgalīšu")

    translator = journey.window()
    with journey.step("The Latgalian translator logs in to a Latgalian admin", page=translator):
        admin.log_in(translator, demo.accounts["translator_ltg"])
        assert admin.html_language(translator) == "ltg"
        panel_title = admin.translated("ltg", "Your translations")
        # Latgalian, not the Latvian fallback (Django falls back to the source language's catalogue).
        assert panel_title != admin.translated("lv", "Your translations")
        expect(translator.locator("main")).to_contain_text(panel_title)

    with journey.step("She opens the report in the translation editor, in Latgalian", page=translator):
        props = open_from_dashboard(translator, demo, "Latgalīšu")
        assert admin.html_language(translator) == "ltg"
        assert props["locale"]["code"] == "ltg", props["locale"]
        expected_title = admin.translated("ltg", "Translation of %(instance)s into %(locale)s") % {
            "instance": report["title"],
            "locale": "Latgalīšu",
        }
        assert expected_title in translator.title(), translator.title()
        # The editor's own (JavaScript) strings, from the Latgalian catalogue.
        item = segment(translator, report["title"])
        expect(item.locator("button").first).to_have_text(admin.translated("ltg", "Translate", "djangojs"))
        expect(
            translator.locator("button", has_text=admin.translated("ltg", "Publish in ", "djangojs").strip()).first
        ).to_be_visible()
        heading = admin.translated("ltg", "%(source)s to %(target)s translation") % {
            "source": "Latviešu",
            "target": "Latgalīšu",
        }
        expect(translator.locator(".js-translation-editor h3", has_text=heading).filter(visible=True)).to_have_count(1)
        # Machine translation is never offered for Latgalian (no service translates it).
        assert props["machineTranslator"] is None, props["machineTranslator"]

    with journey.step("She translates the title, and it is kept", page=translator):
        translate_by_hand(translator, report["title"], LATGALIAN_TITLE)
        translator.reload()
        expect(segment(translator, report["title"])).to_contain_text(LATGALIAN_TITLE)
