"""The editor's day: a communications officer writes an event report in the Latvian admin, previews it, publishes
it, and the front-end's API shows it (and not her later draft). Beside it, three shorter journeys: every way of
typing a date by hand, a speaker created from the chooser, and a publication stopped because a chosen person is
not published yet.
"""

import datetime

from playwright.sync_api import expect

from cms.demo import seed_report

from . import admin

REPORT = {
    "title": "Sociālās uzņēmējdarbības darbnīca Rēzeknē",
    "lead": "Darbnīcā uzņēmēji un pašvaldības speciālisti sprieda, kā novadā atbalstīt sociālos uzņēmumus.",
    "paragraph": "Darbnīca notika Rēzeknes novada pašvaldības ēkā.",
    "speakers": [("Madara Ūlande", "LSUA direktore"), ("Anita Ludborža", "Rēzeknes novada domes deputāte")],
    "talk": ("Sociālā uzņēmuma statuss", "Regita Zeiļa"),
    "discussion": (
        "Darbs grupās",
        [
            ("Kas kavē sociālo uzņēmumu izaugsmi?", ["Trūkst sākumkapitāla.", "Maz zināšanu par statusu."]),
            ("Kā pašvaldība var palīdzēt?", ["Konsultācijas uzņēmējiem."]),
        ],
    ),
    "follow_up": ("Konsultācijas sociālajiem uzņēmējiem", "2026. gada pavasarī"),
    "contact": ("Maija Hartmane, Komercdarbības speciāliste", "Maija Hartmane"),
    "topic": "Sociālā uzņēmējdarbība",
    "hero_alt": "Zils laukums ar dzeltenām svītrām apakšā",
    "start_date": datetime.date(2026, 3, 15),
    "later_title": "Sociālās uzņēmējdarbības darbnīca Rēzeknē (labots melnraksts)",
}


# The demo's topics in Latvian; the demo also has their English translations, which a Latvian report must not
# be filed under (issue 14, finding 4).
LATVIAN_TOPICS = [topic["name"] for topic in seed_report.TOPICS]


def test_editor_writes_previews_and_publishes_a_report(journey, demo, hero_image):
    journey = journey("editor")
    page = journey.page

    with journey.step("Log in to the admin in Latvian"):
        page.goto("/admin/login/")
        assert admin.html_language(page) == "lv"
        admin.log_in(page, demo.accounts["editor"])
        assert admin.html_language(page) == "lv"

    with journey.step("Open a new event report from the page explorer"):
        admin.open_new_report(page, demo)

    with journey.step("Write the title and the lead"):
        admin.fill(page, "title", REPORT["title"])
        admin.fill(page, "lead", REPORT["lead"])

    with journey.step("Upload the hero image and describe it"):
        admin.upload_image(page, "hero_image", hero_image, "Darbnīcas ilustrācija")
        admin.fill(page, "hero_image_alt", REPORT["hero_alt"])

    with journey.step("Write a paragraph"):
        prefix = admin.add_block(page, "body", admin.block_label("body", "paragraph"))
        admin.type_rich_text(page, f"{prefix}-value", REPORT["paragraph"])

    with journey.step("Add two speakers chosen from the people"):
        speaker_blocks = []
        for name, role in REPORT["speakers"]:
            prefix = admin.add_block(page, "body", admin.block_label("body", "speaker"))
            admin.choose_snippet(page, f"{prefix}-value-person", name)
            admin.fill(page, f"{prefix}-value-role", role)
            speaker_blocks.append(prefix)
        # A collapsed speaker reads who it is and the role held at the event (issue 14, finding 10).
        summaries = [admin.block_summary(page, prefix) for prefix in speaker_blocks]
        assert summaries == [f"{name} — {role}" for name, role in REPORT["speakers"]], summaries

    with journey.step("Add a talk and its speaker"):
        title, speaker = REPORT["talk"]
        prefix = admin.add_block(page, "body", admin.block_label("body", "talk"))
        admin.fill(page, f"{prefix}-value-title", title)
        # A talk starts with one speaker (it needs at least one).
        admin.choose_snippet(page, f"{prefix}-value-speakers-0-value-person", speaker)

    with journey.step("Add a discussion with two questions and their outcomes"):
        title, questions = REPORT["discussion"]
        prefix = admin.add_block(page, "body", admin.block_label("body", "discussion"))
        admin.fill(page, f"{prefix}-value-title", title)
        for question, outcomes in questions:
            item = admin.add_list_item(page, f"{prefix}-value-questions")
            admin.fill(page, f"{item}-value-question", question)
            for outcome in outcomes:
                admin.fill(page, f"{admin.add_list_item(page, f'{item}-value-outcomes')}-value", outcome)

    with journey.step("Type the event's date the Latvian way"):
        typed = REPORT["start_date"].strftime("%d.%m.%Y")
        field = admin.type_date(page, "start_date", typed)
        # Not replaced by today's date when the field is left (issue 14, finding 1).
        assert field.input_value() == typed, f"typed {typed}, the field shows {field.input_value()!r}"

    with journey.step("Add a follow-up activity with a period"):
        title, period = REPORT["follow_up"]
        prefix = admin.add_block(page, "follow_ups", admin.block_label("follow_ups", "follow_up"))
        admin.fill(page, f"{prefix}-value-title", title)
        admin.fill(page, f"{prefix}-value-period", period)

    with journey.step("Add a contact card"):
        card, _name = REPORT["contact"]
        prefix = admin.add_block(page, "contacts", admin.block_label("contacts", "contact"))
        admin.choose_snippet(page, f"{prefix}-value", card)

    with journey.step("File it under a topic: only Latvian topics are offered"):
        offered = admin.choices(page, "topics")
        assert sorted(offered) == sorted(LATVIAN_TOPICS), f"the topics offered: {offered}"
        admin.choose(page, "topics", REPORT["topic"])

    with journey.step("Save the draft"):
        saved = admin.save_draft(page)
        assert any(REPORT["title"] in message for message in saved), saved
        report_id = admin.edit_url_page_id(page)

    with journey.step("Preview the draft"):
        page.locator("[data-side-panel-toggle=preview]").click()
        frame = admin.frame_showing(page, "h1", REPORT["title"])
        shown = frame.locator("body").inner_text()
        for name, _role in REPORT["speakers"]:
            assert name in shown, f"the preview does not show {name}: {shown[:500]}"

    # A reader's browser, without the admin session (the API must show the public the same as a front-end).
    reader = journey.window()
    with journey.step("The draft is not in the API", page=reader):
        assert admin.api_in_window(reader, f"/api/v2/pages/?type=cms.EventReportPage&id={report_id}")["items"] == []

    with journey.step("Publish"):
        published = admin.publish(page)
        assert any(REPORT["title"] in message for message in published), published

    with journey.step("The API shows the published report with all it holds", page=reader):
        report = admin.api_in_window(reader, f"/api/v2/pages/{report_id}/")
        assert report["title"] == REPORT["title"]
        assert report["lead"] == REPORT["lead"]
        assert report["start_date"] == REPORT["start_date"].isoformat()
        assert report["hero_image"]["alt"] == REPORT["hero_alt"]
        blocks = [block["type"] for block in report["body"]]
        assert blocks == ["paragraph", "speaker", "speaker", "talk", "discussion"], blocks
        speakers = [block["value"] for block in report["body"] if block["type"] == "speaker"]
        assert [(s["person"]["name"], s["role"]) for s in speakers] == REPORT["speakers"]
        talk = next(block["value"] for block in report["body"] if block["type"] == "talk")
        assert (talk["title"], talk["speakers"][0]["person"]["name"]) == REPORT["talk"]
        discussion = next(block["value"] for block in report["body"] if block["type"] == "discussion")
        assert [(q["question"], q["outcomes"]) for q in discussion["questions"]] == [
            (question, outcomes) for question, outcomes in REPORT["discussion"][1]
        ]
        (follow_up,) = report["follow_ups"]
        assert (follow_up["value"]["title"], follow_up["value"]["period"]) == REPORT["follow_up"]
        (contact,) = report["contacts"]
        assert contact["value"]["name"] == REPORT["contact"][1]
        assert [topic["name"] for topic in report["topics"]] == [REPORT["topic"]]
        listing = admin.api(demo.url, "/api/v2/pages/?type=cms.EventReportPage&locale=lv")
        assert report_id in [item["id"] for item in listing["items"]]

    with journey.step("Find it among the event reports in the menu"):
        menu = page.locator("#wagtail-sidebar")
        menu.get_by_role("link", name=admin.translated("lv", "Event reports"), exact=True).click()
        expect(page.locator("main")).to_contain_text(REPORT["title"])

    with journey.step("Change the title and save it as a draft"):
        page.goto(f"/admin/pages/{report_id}/edit/")
        admin.fill(page, "title", REPORT["later_title"])
        admin.save_draft(page)

    with journey.step("The API still shows the published version", page=reader):
        assert admin.api_in_window(reader, f"/api/v2/pages/{report_id}/")["title"] == REPORT["title"]
        listing = admin.api(demo.url, f"/api/v2/pages/?type=cms.EventReportPage&id={report_id}")
        assert [item["title"] for item in listing["items"]] == [REPORT["title"]]


def test_editor_types_dates_the_latvian_way(journey, demo):
    journey = journey("editor-latvian-dates")
    page = journey.page
    start, end, published = datetime.date(2026, 3, 15), datetime.date(2026, 3, 16), datetime.date(2026, 3, 14)
    follow_up = datetime.date(2026, 4, 2)

    with journey.step("Log in"):
        admin.log_in(page, demo.accounts["editor"])

    with journey.step("Open a new event report"):
        admin.open_new_report(page, demo)
        admin.fill(page, "title", "Seminārs par sociālo uzņēmējdarbību")
        admin.fill(page, "lead", "Seminārā runāja par sociālā uzņēmuma statusu.")

    # Each way a Latvian writes a date by hand: with and without the final dot, and with slashes.
    typed = {"start_date": "15.03.2026", "end_date": "16.03.2026.", "publication_date": "14/03/2026"}
    with journey.step("Type the dates the Latvian way"):
        for name, text in typed.items():
            admin.type_date(page, name, text)
        shown = {name: page.locator(f"[name='{name}']").input_value() for name in typed}
        assert shown == {"start_date": "15.03.2026", "end_date": "16.03.2026", "publication_date": "14.03.2026"}, (
            f"typed {typed}, the fields show {shown} (today is {datetime.date.today():%d.%m.%Y})"
        )

    with journey.step("Type a follow-up's date the Latvian way"):
        prefix = admin.add_block(page, "follow_ups", admin.block_label("follow_ups", "follow_up"))
        admin.fill(page, f"{prefix}-value-title", "Konsultācija")
        field = admin.type_date(page, f"{prefix}-value-date", "2.4.2026")
        assert field.input_value() == "02.04.2026", f"the follow-up's date shows {field.input_value()!r}"

    with journey.step("Save the draft"):
        admin.save_draft(page)
        report_id = admin.edit_url_page_id(page)

    with journey.step("The saved dates are the typed days"):
        page.goto(f"/admin/pages/{report_id}/edit/")
        for name, day in (("start_date", start), ("end_date", end), ("publication_date", published)):
            assert page.locator(f"[name='{name}']").input_value() == day.strftime("%d.%m.%Y"), name
        assert page.locator(f"[name='{prefix}-value-date']").input_value() == follow_up.strftime("%d.%m.%Y")

    reader = journey.window()
    with journey.step("Published, the API gives the same days (ISO 8601)", page=reader):
        admin.publish(page)
        report = admin.api_in_window(reader, f"/api/v2/pages/{report_id}/")
        stored = {name: report[name] for name in ("start_date", "end_date", "publication_date")}
        assert stored == {"start_date": "2026-03-15", "end_date": "2026-03-16", "publication_date": "2026-03-14"}
        assert report["follow_ups"][0]["value"]["date"] == follow_up.isoformat()

    with journey.step("A date that is no date is refused, not replaced"):
        page.goto(f"/admin/pages/{report_id}/edit/")
        field = admin.type_date(page, "end_date", "32.13.2026")
        assert field.input_value() == "32.13.2026", f"the field shows {field.input_value()!r}"
        admin.submit_save(page)
        errors = dict(admin.field_errors(page))
        assert any(key.endswith("end_date") for key in errors), f"no error on the end date: {errors}"


def test_editor_creates_a_speaker_from_the_chooser(journey, demo):
    journey = journey("editor-create-in-chooser")
    page = journey.page
    speaker = "Sanita Vjakse"
    topic = "Sociālie uzņēmēji"

    with journey.step("Log in"):
        admin.log_in(page, demo.accounts["editor"])

    with journey.step("Open a new event report"):
        admin.open_new_report(page, demo)
        admin.fill(page, "title", "Konsultāciju diena sociālajiem uzņēmējiem")
        admin.fill(page, "lead", "Pašvaldības speciālisti konsultēja sociālos uzņēmējus.")
        admin.type_date(page, "start_date", "20.03.2026")

    with journey.step("Add a speaker block"):
        prefix = admin.add_block(page, "body", admin.block_label("body", "speaker"))

    with journey.step("Create the person from the chooser, without leaving the report"):
        admin.create_in_chooser(page, f"{prefix}-value-person", {"name": speaker}, speaker)
        admin.fill(page, f"{prefix}-value-role", "Komercdarbības speciāliste")

    with journey.step("Create a topic from the topics list, without leaving the report"):
        admin.create_topic(page, "topics", {"name": topic}, topic)
        assert admin.chosen(page, "topics") == [topic]

    with journey.step("Save the draft"):
        admin.save_draft(page)
        report_id = admin.edit_url_page_id(page)
        assert admin.chosen(page, "topics") == [topic], "the new topic is kept as the report's"

    # Created in the chooser, the person is a draft until the report that introduces her is published.
    with journey.step("Publish the report with the person it introduces"):
        admin.publish(page, admin.PUBLISH_WITH_CHOSEN_DRAFTS)

    reader = journey.window()
    with journey.step("The API shows the new speaker", page=reader):
        report = admin.api_in_window(reader, f"/api/v2/pages/{report_id}/")
        speakers = [block["value"] for block in report["body"] if block["type"] == "speaker"]
        assert [(s["person"]["name"], s["role"]) for s in speakers] == [(speaker, "Komercdarbības speciāliste")]
        people = admin.api(demo.url, f"/api/v2/people/{speakers[0]['person']['id']}/")
        assert people["name"] == speaker
        assert [t["name"] for t in report["topics"]] == [topic], report["topics"]


def test_publishing_with_an_unpublished_person_is_refused(journey, demo):
    journey = journey("editor-unpublished-person")
    page = journey.page
    title = "Tikšanās ar sociālajiem uzņēmējiem"
    person = "Maija Hartmane"

    with journey.step("Log in"):
        admin.log_in(page, demo.accounts["editor"])

    with journey.step("Add a person and save her with the default button (a draft)"):
        page.goto("/admin/snippets/cms/person/add/")
        admin.fill(page, "name", person)
        admin.save_draft(page)

    with journey.step("Choose her as a speaker in a new report and save it"):
        admin.open_new_report(page, demo)
        admin.fill(page, "title", title)
        admin.fill(page, "lead", "Pašvaldība tikās ar sociālajiem uzņēmējiem.")
        admin.type_date(page, "start_date", "25.03.2026")
        prefix = admin.add_block(page, "body", admin.block_label("body", "speaker"))
        admin.choose_snippet(page, f"{prefix}-value-person", person)
        admin.save_draft(page)
        report_id = admin.edit_url_page_id(page)

    with journey.step("Publishing is refused, naming the unpublished person"):
        admin.submit_publish(page)
        errors = admin.messages(page, "error")
        assert any(person in message for message in errors), f"errors shown: {errors}"
        assert admin.messages(page, "success") == []
        # Nothing the editor wrote is lost.
        expect(page.locator(f"#{prefix}-value-person-chooser [data-chooser-title]")).to_have_text(person)

    reader = journey.window()
    with journey.step("The report is not in the API", page=reader):
        assert admin.api_in_window(reader, f"/api/v2/pages/?type=cms.EventReportPage&id={report_id}")["items"] == []

    with journey.step("Publish it with the chosen drafts"):
        admin.publish(page, admin.PUBLISH_WITH_CHOSEN_DRAFTS)

    with journey.step("The API shows the report and its speaker", page=reader):
        report = admin.api_in_window(reader, f"/api/v2/pages/{report_id}/")
        names = [block["value"]["person"]["name"] for block in report["body"] if block["type"] == "speaker"]
        assert names == [person], names
