import pytest
from django.core.management import call_command
from wagtail.models import Locale, Revision

from cms.models import ContactCard, EventReportIndexPage, EventReportPage, Organisation, Person, Topic

pytestmark = pytest.mark.django_db

MODELS = (ContactCard, EventReportIndexPage, EventReportPage, Organisation, Person, Topic, Revision)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def load_demo(django_capture_on_commit_callbacks):
    """Run the loader as the command does; wagtail-localize publishes translations after commit, and tests
    run inside one transaction, so the commit callbacks are run here."""

    def load():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("load_demo_content")

    return load


def test_loading_twice_creates_nothing_twice(capsys, load_demo):
    load_demo()
    first = counts()
    # 15 Latvian objects and their 15 English translations (topics included).
    assert "30 created, 0 already present" in capsys.readouterr().out
    load_demo()
    assert counts() == first
    assert "0 created, 16 already present" in capsys.readouterr().out


def test_the_seed_report_is_published_with_what_the_article_states(load_demo):
    load_demo()
    page = EventReportPage.objects.get(locale__language_code="lv")
    assert page.live and not page.has_unpublished_changes
    assert page.locale.language_code == "lv"
    assert (page.date_precision, str(page.start_date), page.end_date, page.date_text) == ("day", "2020-10-28", None, "")
    assert (str(page.starts_on), str(page.ends_on)) == ("2020-10-28", "2020-10-28")
    assert (page.publication_date_precision, str(page.publication_date)) == ("day", "2020-11-02")
    assert page.published_on == (page.publication_date, "day")
    # “tiešsaistes miniforums”
    assert (page.event_kind, page.event_kind_text) == ("forum", "miniforums")
    # The signature under the article: “IUK komercdarbības speciāliste Maija Hartmane”.
    assert (page.author_name, page.author_position) == ("Maija Hartmane", "IUK komercdarbības speciāliste")
    assert page.author_organisation.name == "Rēzeknes novada pašvaldība"
    # What the article does not state stays unstated: nothing is made up.
    assert page.free_of_charge is None
    assert (page.online_platform, page.online_url, page.source_url, page.source_language) == ("", "", "", "")
    assert not page.machine_translated
    assert not page.projects.exists() and not page.related_events.exists()
    assert page.first_published_at.date().isoformat() == "2020-11-02"
    assert page.event_format == "online"
    assert (page.participant_count_qualifier, page.participant_count) == ("more_than", 20)
    assert [(s.date_precision, str(s.date), s.part_of_day) for s in page.sessions.all()] == [
        ("day", "2020-10-28", "afternoon")
    ]
    assert len(page.audience_groups.all()) == 4

    speakers = [b.value for b in page.body if b.block_type == "speaker"]
    # Everyone the article mentions is named.
    assert all(s["person"] is not None and not s["description"] for s in speakers)
    assert [list(s["parts"]) for s in speakers] == [["opening"], ["opening"], ["opening"], ["closing"]]
    opening = [s for s in speakers if "opening" in s["parts"]]
    assert [(s["person"].name, s["role"]) for s in opening] == [
        ("Anita Ludborža", "Rēzeknes novada domes deputāte"),
        ("Madara Ūlande", "LSUA direktore"),
        ("Regita Zeiļa", "LSUA projektu vadītāja"),
    ]
    talks = [b.value for b in page.body if b.block_type == "talk"]
    assert [(t["kind"], t["speakers"][0]["person"].name) for t in talks] == [
        ("talk", "Dana Bārbale"),
        ("presentation", "Iveta Balčūne"),
    ]
    assert [list(t["speakers"][0]["parts"]) for t in talks] == [["speaker"], ["speaker"]]
    (discussion,) = [b.value for b in page.body if b.block_type == "discussion"]
    assert (discussion["method"], discussion["group_count"], discussion["question_count"]) == ("breakout_groups", 4, 3)
    # The article names neither the questions nor the moderators: nothing is made up.
    assert list(discussion["questions"]) == [] and list(discussion["moderators"]) == []
    assert list(discussion["panellists"]) == []
    assert [
        (f.value["kind"], f.value["free_of_charge"], f.value["date"], f.value["end_date"]) for f in page.follow_ups
    ] == [
        ("webinar", False, None, None),
        ("consultation", True, None, None),
    ]
    contacts = [b.value for b in page.contacts]
    assert [c.name for c in contacts] == ["Maija Hartmane", "Sanita Vjakse"]
    assert all(c.unit == "IUK" and not c.phone and not c.phone_e164 and not c.email for c in contacts)
    assert contacts[0].web_page == "http://horse.rezeknesnovads.lv/novada-pasvaldiba/kontakti-2/"
    lsua = Organisation.objects.get(acronym="LSUA", locale__language_code="lv")
    assert lsua.live and lsua.name == "Latvijas Sociālās uzņēmējdarbības asociācija"


def test_demo_content_passes_the_editors_validation(load_demo):
    load_demo()
    page = EventReportPage.objects.get(locale__language_code="lv")
    page.full_clean()
    for field in ("body", "contacts", "follow_ups"):
        block = page._meta.get_field(field).stream_block
        block.clean(getattr(page, field))
    for card in ContactCard.objects.all():
        card.full_clean()


def test_preview_template_renders_the_report(client, load_demo):
    load_demo()
    page = EventReportPage.objects.get(locale__language_code="lv")
    response = client.get(page.url)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Dana Bārbale", "Maija Hartmane", "Diskusijas grupās", "Bezmaksas konsultācijas"):
        assert text in html


def test_the_english_translation_is_made_and_published_through_wagtail_localize(client, load_demo):
    from wagtail_localize.models import Translation

    load_demo()
    source = EventReportPage.objects.get(locale__language_code="lv")
    english = source.get_translation(Locale.objects.get(language_code="en")).specific
    assert english.live and english.title.startswith("Online mini-forum")
    assert english.start_date == source.start_date and english.participant_count == 20
    assert (english.date_precision, english.starts_on, english.event_kind) == ("day", source.starts_on, "forum")
    assert (english.event_kind_text, english.author_name) == ("mini-forum", "Maija Hartmane")
    assert english.author_position == "Business Specialist, IUK"
    assert english.author_organisation.locale == english.locale
    assert Translation.objects.filter(source__object_id=source.translation_key, target_locale=english.locale).exists()
    speaker = next(b.value for b in english.body if b.block_type == "speaker")
    assert speaker["person"].locale == english.locale and speaker["role"] == "Member of Rēzekne Municipality Council"
    assert english.contacts[0].value.position == "Business Specialist"
    response = client.get(english.url)
    assert response.status_code == 200 and "Group discussions" in response.content.decode()
