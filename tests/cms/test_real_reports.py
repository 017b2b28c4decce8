"""Issue 12: the forms real reports take are accepted by the models' own validation, the nonsensical ones are not.

Everything here goes through ``full_clean()`` / a block's ``clean()``, never the admin form, so the rules hold for
every writer (the admin, the demo loader, an importer). Errors are asserted by field or code: the messages are
gettext strings that the Latvian admin shows translated.
"""

import datetime
import importlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, migrations
from wagtail.blocks import StructBlockValidationError
from wagtail.fields import StreamField
from wagtail_localize.fields import SynchronizedField, TranslatableField
from wagtail_localize.models import (
    OverridableSegment,
    RelatedObjectSegment,
    StringSegment,
    Translation,
    TranslationSource,
)
from wagtail_localize.operations import translate_object

from cms import dates
from cms.factories.blocks import DiscussionBlockFactory, FollowUpBlockFactory, SpeakerBlockFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, ProjectFactory
from cms.factories.streams import ReportBodyFactory
from cms.models import (
    ContactCard,
    EventProject,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    Person,
    Project,
    RelatedEvent,
)

pytestmark = pytest.mark.django_db

D = datetime.date
DOC = Path(__file__).resolve().parents[2] / "docs" / "content-model.md"


# --- helpers --------------------------------------------------------------------------------------------------------
def report(**fields):
    """An unsaved report under a (saved) index: what an importer builds before calling full_clean()."""
    values = {
        "title": "Seminārs",
        "slug": "seminars",
        "lead": "Ievads.",
        "event_format": "on_site",
        "start_date": D(2021, 5, 17),
        **fields,
    }
    index = EventReportIndexPage.objects.first() or EventReportIndexPageFactory()
    page = EventReportPage(**values)
    page.locale = index.locale
    return page


def full_clean(page):
    # Tree fields are set when the page is added under its parent.
    page.full_clean(exclude=["path", "depth", "numchild"])


def errors_of(clean):
    with pytest.raises(ValidationError) as excinfo:
        clean()
    return excinfo.value


def page_errors(page):
    return errors_of(lambda: full_clean(page)).error_dict


def child_clean(obj):
    """A session, project or related event validated on its own (its page and language come from the page)."""
    obj.full_clean(exclude=["page", "locale"])


def block_errors(value):
    with pytest.raises(StructBlockValidationError) as excinfo:
        value.block.clean(value)
    return excinfo.value.block_errors


def block_clean(value):
    return value.block.clean(value)


# --- accepted: dates --------------------------------------------------------------------------------------------
class TestRealWorldDatesAreAccepted:
    @pytest.mark.parametrize(
        ("precision", "start", "end", "text", "period"),
        [
            ("month", D(2021, 5, 1), None, "2021. gada maijā", (D(2021, 5, 1), D(2021, 5, 31))),
            ("month", D(2021, 5, 1), D(2021, 6, 1), "maija beigās, jūnija sākumā", (D(2021, 5, 1), D(2021, 6, 30))),
            ("month", D(2021, 5, 1), D(2021, 5, 1), "", (D(2021, 5, 1), D(2021, 5, 31))),
            ("year", D(2021, 1, 1), None, "2021. gadā", (D(2021, 1, 1), D(2021, 12, 31))),
            ("unknown", None, None, "pagājušajā nedēļā", (None, None)),
            ("unknown", None, None, "", (None, None)),
            ("day", D(2021, 5, 17), D(2021, 5, 18), "", (D(2021, 5, 17), D(2021, 5, 18))),
        ],
    )
    def test_event_dates_known_as_exactly_as_the_report_states(self, precision, start, end, text, period):
        page = report(date_precision=precision, start_date=start, end_date=end, date_text=text)
        full_clean(page)
        assert page.event_period() == period

    def test_a_report_with_no_date_at_all_is_published(self, publish):
        page = EventReportPageFactory(date_precision="unknown", start_date=None, date_text="")
        full_clean(page)
        publish(page)
        page.refresh_from_db()
        assert page.live and (page.start_date, page.starts_on, page.ends_on) == (None, None, None)

    def test_an_empty_date_at_the_default_precision_is_kept_and_read_as_not_known(self):
        # The editor's choice is not rewritten (a draft saved before the date is typed keeps "Exact day", so
        # typing the date later is accepted as it is); readers are told the date is not known.
        page = report(start_date=None, date_text="nesen")
        full_clean(page)
        assert (page.date_precision, page.event_period()) == ("day", (None, None))
        assert dates.known(page.start_date, page.date_precision) == "unknown"
        page.start_date = D(2021, 5, 17)
        full_clean(page)
        assert page.event_period() == (D(2021, 5, 17), D(2021, 5, 17))

    @pytest.mark.parametrize(
        ("precision", "day", "text"),
        [("month", D(2021, 5, 1), "2021. gada maijā"), ("year", D(2021, 1, 1), ""), ("unknown", None, "")],
    )
    def test_publication_date_of_any_precision(self, precision, day, text):
        full_clean(report(publication_date_precision=precision, publication_date=day, publication_date_text=text))

    @pytest.mark.parametrize(
        "session",
        [
            {"date": D(2021, 5, 17), "start_time": datetime.time(14), "end_time": datetime.time(16)},
            # A session without a date: "the second day", or nothing at all.
            {"date": None, "date_text": "otrajā dienā"},
            {"date_precision": "unknown", "date": None, "part_of_day": "afternoon"},
            {"date_precision": "month", "date": D(2021, 5, 1), "part_of_day": "morning"},
            {"date": D(2021, 5, 17), "place": "Lūznavas muiža", "recording_url": "https://example.org/ieraksts"},
        ],
    )
    def test_sessions_as_reports_give_them(self, session):
        obj = EventSession(**session)
        child_clean(obj)
        page = report(end_date=D(2021, 5, 18))
        page.sessions = [obj]
        full_clean(page)

    def test_a_month_session_within_a_year_event_and_a_day_session_within_a_month_event(self):
        page = report(date_precision="year", start_date=D(2021, 1, 1))
        page.sessions = [EventSession(date_precision="month", date=D(2021, 5, 1))]
        full_clean(page)
        page = report(date_precision="month", start_date=D(2021, 5, 1))
        page.sessions = [EventSession(date=D(2021, 5, 31)), EventSession(date=None)]
        full_clean(page)

    def test_sessions_of_a_report_with_no_known_date_are_not_checked_against_it(self):
        page = report(date_precision="unknown", start_date=None)
        page.sessions = [EventSession(date=D(2021, 5, 17))]
        full_clean(page)


# --- accepted: people, programme, contacts ---------------------------------------------------------------------
class TestRealWorldPeopleAndProgrammeAreAccepted:
    def test_an_unnamed_speaker_with_a_description(self):
        organisation = OrganisationFactory(name="Swedbank")
        value = block_clean(
            SpeakerBlockFactory(person=None, description="bankas speciāliste", organisation=organisation)
        )
        assert value["person"] is None and value["description"] == "bankas speciāliste"

    @pytest.mark.parametrize(
        "parts",
        [("opening", "moderator"), ("welcome",), ("lecturer",), ("technical_host",), ("quoted",), ("present",)],
    )
    def test_several_parts_and_each_new_part(self, parts):
        assert list(block_clean(SpeakerBlockFactory(parts=parts))["parts"]) == list(parts)

    @pytest.mark.parametrize("method", ["workshop", "networking", "rotation", "other", "panel"])
    def test_discussion_methods_with_counts_and_panellists(self, method):
        value = block_clean(
            DiscussionBlockFactory(
                method=method,
                group_count=5,
                question_count=3,
                panellists__0__person=PersonFactory(),
                panellists__0__parts=("panellist",),
                panellists__1__person=None,
                panellists__1__description="uzņēmēju biedrības pārstāvis",
                panellists__1__parts=("panellist",),
            )
        )
        assert (value["method"], value["group_count"]) == (method, 5)
        assert [p["description"] for p in value["panellists"]] == ["", "uzņēmēju biedrības pārstāvis"]

    def test_a_follow_up_over_several_days(self):
        value = block_clean(FollowUpBlockFactory(kind="consultation", date=D(2021, 6, 1), end_date=D(2021, 6, 30)))
        assert (value["date"], value["end_date"]) == (D(2021, 6, 1), D(2021, 6, 30))

    def test_person_aliases(self):
        person = PersonFactory(name="Maija Hartmane", aliases="M. Hartmane\n\n  Maija Hartmane-Ozola \n")
        person.full_clean()
        assert person.alternate_names == ["M. Hartmane", "Maija Hartmane-Ozola"]

    def test_a_contact_with_only_a_name_and_position(self):
        card = ContactCardFactory.build(
            name="Maija Hartmane", position="Komercdarbības speciāliste", unit="", web_page=""
        )
        card.full_clean()
        assert str(card) == "Maija Hartmane, Komercdarbības speciāliste"

    def test_a_contact_that_is_only_an_organisation(self):
        organisation = OrganisationFactory(name="Rēzeknes novada pašvaldība")
        card = ContactCardFactory.build(name="", position="", unit="", web_page="", organisation=organisation)
        card.full_clean()
        assert str(card) == "Rēzeknes novada pašvaldība"

    def test_a_phone_as_written_is_kept_and_its_e164_stored(self):
        card = ContactCardFactory.build(phone="(+371) 640-00000")
        card.full_clean()
        assert card.phone_e164 == "+37164000000"
        card = ContactCardFactory(phone="(+371) 640-00000")  # save() without full_clean() as well
        card.refresh_from_db()
        assert (card.phone, card.phone_e164) == ("(+371) 640-00000", "+37164000000")
        card.phone = "64607181"
        card.save(update_fields=["phone"])
        card.refresh_from_db()
        assert card.phone_e164 == "+37164607181"

    @pytest.mark.parametrize("phone", ["tālr. 64607181", "++37164607181", "+371 6460718", "+371 64607181 +1"])
    def test_numbers_that_cannot_be_dialled_are_still_refused(self, phone):
        error = errors_of(ContactCardFactory.build(phone=phone).full_clean)
        assert [e.code for e in error.error_dict["phone"]] == ["invalid_phone"]

    def test_a_byline_and_provenance(self):
        page = report(
            author_name="Ilze Kalniņa",
            author_position="sabiedrisko attiecību speciāliste",
            author_organisation=OrganisationFactory(),
            source_url="https://example.org/news/forum",
            source_language="en",
            machine_translated=True,
            online_url="https://example.org/stream",
            event_format="hybrid",
            free_of_charge=True,
            event_kind="forum",
            event_kind_text="reģionālais forums",
        )
        full_clean(page)

    def test_related_events_with_a_report_or_a_name(self):
        earlier = EventReportPageFactory()
        child_clean(RelatedEvent(relation="previous", report=earlier))
        child_clean(
            RelatedEvent(
                relation="previous",
                name="Pirmā tikšanās",
                date_precision="month",
                date=D(2021, 3, 1),
                date_text="martā",
                url="https://example.org/pirma",
            )
        )
        child_clean(RelatedEvent(relation="part_of", name="Uzņēmēju nedēļa"))

    def test_projects_with_a_position_in_a_series(self, publish):
        series = ProjectFactory(name="Reģionālie forumi", kind="series", code="")
        programme = ProjectFactory(kind="programme", funding_programme="LEADER")
        for project, position in ((series, 3), (programme, None)):
            child_clean(EventProject(project=project, position=position))
        page = EventReportPageFactory()
        page.projects = [EventProject(project=series, position=3), EventProject(project=programme)]
        page.related_events = [RelatedEvent(relation="previous", name="Otrais forums", date_precision="unknown")]
        publish(page)
        page = EventReportPage.objects.get(pk=page.pk)
        assert [(p.project, p.position) for p in page.projects.all()] == [(series, 3), (programme, None)]
        assert [r.name for r in page.related_events.all()] == ["Otrais forums"]
        assert str(series) == "Reģionālie forumi" and Project.objects.filter(kind="series").count() == 1


# --- rejected ---------------------------------------------------------------------------------------------------
class TestNonsenseIsRejected:
    @pytest.mark.parametrize(
        ("precision", "start", "end"),
        [
            ("day", D(2021, 5, 17), D(2021, 5, 16)),
            ("month", D(2021, 5, 1), D(2021, 4, 1)),
            ("year", D(2021, 1, 1), D(2020, 1, 1)),
        ],
    )
    def test_end_before_start_at_the_same_precision(self, precision, start, end):
        errors = page_errors(report(date_precision=precision, start_date=start, end_date=end))
        assert {field: [e.code for e in found] for field, found in errors.items()} == {"end_date": ["end_before_start"]}

    @pytest.mark.parametrize(
        ("fields", "field", "code"),
        [
            ({"date_precision": "month", "start_date": D(2021, 5, 17)}, "start_date", "not_first_day"),
            ({"date_precision": "year", "start_date": D(2021, 12, 1)}, "start_date", "not_first_day"),
            ({"date_precision": "unknown", "start_date": D(2021, 5, 1)}, "start_date", "date_not_known"),
            ({"date_precision": "year", "start_date": None}, "start_date", "date_required"),
            ({"start_date": None, "end_date": D(2021, 5, 1)}, "end_date", "end_without_start"),
        ],
    )
    def test_date_errors_have_codes(self, fields, field, code):
        assert [e.code for e in page_errors(report(**fields))[field]] == [code]

    def test_a_date_message_is_rendered_in_the_language_of_its_reader(self):
        from django.utils import translation

        with translation.override("en"):
            errors = page_errors(report(date_precision="month", start_date=D(2021, 5, 17)))
        (error,) = errors["start_date"]
        assert error.params == {"first": "01.05.2021"}
        with translation.override("en"):
            english = error.messages[0]
        with translation.override("lv"):
            latvian = error.messages[0]
        assert "01.05.2021" in english and "01.05.2021" in latvian

    @pytest.mark.parametrize(
        ("fields", "field"),
        [
            ({"date_precision": "month", "start_date": D(2021, 5, 17)}, "start_date"),
            ({"date_precision": "month", "start_date": D(2021, 5, 1), "end_date": D(2021, 6, 15)}, "end_date"),
            ({"date_precision": "year", "start_date": D(2021, 5, 1)}, "start_date"),
            ({"date_precision": "unknown", "start_date": D(2021, 5, 17)}, "start_date"),
            ({"date_precision": "month", "start_date": None}, "start_date"),
            ({"start_date": None, "end_date": D(2021, 5, 17)}, "end_date"),
            ({"publication_date_precision": "month", "publication_date": D(2021, 5, 2)}, "publication_date"),
            ({"publication_date_precision": "unknown", "publication_date": D(2021, 5, 2)}, "publication_date"),
            ({"machine_translated": True, "source_language": ""}, "source_language"),
            ({"source_language": "latviešu"}, "source_language"),
            ({"author_position": "sabiedrisko attiecību speciāliste"}, "author_name"),
            ({"participant_count": -1, "participant_count_qualifier": "exact"}, "participant_count"),
        ],
    )
    def test_report_rules(self, fields, field):
        assert list(page_errors(report(**fields))) == [field]

    def test_a_session_outside_the_event_is_refused_by_the_page_itself(self):
        page = report(date_precision="day", start_date=D(2021, 5, 17), end_date=D(2021, 5, 18))
        page.sessions = [EventSession(date=D(2021, 5, 17)), EventSession(date=D(2021, 5, 20))]
        errors = page_errors(page)
        assert list(errors) == [NON_FIELD_ERRORS]
        assert [e.code for e in errors[NON_FIELD_ERRORS]] == ["session_outside_event"]
        assert "2021-05-20" in errors[NON_FIELD_ERRORS][0].messages[0]

    def test_a_month_session_outside_a_month_event(self):
        page = report(date_precision="month", start_date=D(2021, 5, 1))
        page.sessions = [EventSession(date_precision="month", date=D(2021, 6, 1))]
        assert [e.code for e in page_errors(page)[NON_FIELD_ERRORS]] == ["session_outside_event"]

    def test_a_saved_session_outside_the_event_is_refused_when_the_dates_change(self):
        page = EventReportPageFactory(start_date=D(2021, 5, 17))
        page.sessions = [EventSession(date=D(2021, 5, 17))]
        page.save()
        page = EventReportPage.objects.get(pk=page.pk)
        page.start_date = D(2021, 5, 18)
        assert [e.code for e in page_errors(page)[NON_FIELD_ERRORS]] == ["session_outside_event"]

    @pytest.mark.parametrize(
        ("session", "field"),
        [
            ({"date_precision": "month", "date": D(2021, 5, 1), "start_time": datetime.time(10)}, "start_time"),
            ({"date_precision": "unknown", "date": None, "end_time": datetime.time(10)}, "start_time"),
            ({"date_precision": "month", "date": D(2021, 5, 17)}, "date"),
            ({"date_precision": "unknown", "date": D(2021, 5, 17)}, "date"),
            ({"date": D(2021, 5, 17), "start_time": datetime.time(12), "end_time": datetime.time(10)}, "end_time"),
        ],
    )
    def test_session_rules(self, session, field):
        assert list(errors_of(lambda: child_clean(EventSession(**session))).error_dict) == [field]

    def test_negative_counts(self):
        assert "group_count" in block_errors(DiscussionBlockFactory(group_count=-1))
        assert "question_count" in block_errors(DiscussionBlockFactory(question_count=-1))
        project = ProjectFactory()
        error = errors_of(lambda: child_clean(EventProject(project=project, position=0)))
        assert list(error.error_dict) == ["position"]

    def test_a_speaker_who_is_neither_a_person_nor_described(self):
        assert list(block_errors(SpeakerBlockFactory(person=None, description="  "))) == ["person"]
        assert list(block_errors(SpeakerBlockFactory(parts=()))) == ["parts"]

    @pytest.mark.parametrize(
        ("dates", "field"),
        [
            ({"date": D(2021, 6, 30), "end_date": D(2021, 6, 1)}, "end_date"),
            ({"date": None, "end_date": D(2021, 6, 1)}, "end_date"),
            ({"date": D(2021, 6, 1), "period": "jūnijā"}, "period"),
        ],
    )
    def test_follow_up_dates(self, dates, field):
        assert list(block_errors(FollowUpBlockFactory(kind="webinar", **dates))) == [field]

    def test_a_related_event_with_neither_report_nor_name(self):
        error = errors_of(lambda: child_clean(RelatedEvent(relation="previous", name=" ")))
        assert list(error.error_dict) == ["name"]
        page = EventReportPageFactory()
        error = errors_of(lambda: child_clean(RelatedEvent(page=page, report=page)))
        assert list(error.error_dict) == ["report"]
        error = errors_of(
            lambda: child_clean(RelatedEvent(name="Forums", date_precision="unknown", date=D(2021, 1, 1)))
        )
        assert list(error.error_dict) == ["date"]

    def test_a_contact_card_that_names_nobody(self):
        error = errors_of(ContactCardFactory.build(name="", unit="", organisation=None).full_clean)
        assert list(error.error_dict) == ["name"]


# --- starts_on / ends_on ------------------------------------------------------------------------------------------
class TestTheDaysAnEventCovers:
    def stored(self, page):
        return tuple(EventReportPage.objects.filter(pk=page.pk).values_list("starts_on", "ends_on").get())

    def test_kept_by_save(self):
        page = EventReportPageFactory(date_precision="month", start_date=D(2021, 5, 1), end_date=D(2021, 6, 1))
        assert self.stored(page) == (D(2021, 5, 1), D(2021, 6, 30))

    @pytest.mark.parametrize(
        "fields",
        [["end_date"], ["date_precision"], ["start_date", "title"], ["start_date", "end_date", "date_precision"]],
    )
    def test_kept_by_save_with_update_fields(self, fields):
        """Whatever part of the dates is written, the days covered are those of the dates the row holds."""
        page = EventReportPageFactory(start_date=D(2021, 5, 1))
        page.end_date, page.date_precision, page.start_date = D(2021, 7, 1), "month", D(2021, 6, 1)
        page.save(update_fields=fields)
        page = EventReportPage.objects.get(pk=page.pk)
        assert self.stored(page) == page.event_period()

    def test_an_end_before_the_start_saved_without_validation_covers_the_start(self):
        page = EventReportPageFactory(start_date=D(2021, 5, 17))
        page.end_date = D(2021, 5, 1)
        page.save(clean=False)  # Page.save() validates unless told not to
        assert self.stored(page) == (D(2021, 5, 17), D(2021, 5, 17))

    def test_kept_by_publishing_a_revision_and_not_by_a_draft(self, publish):
        page = EventReportPageFactory(start_date=D(2021, 5, 17))
        page.date_precision, page.start_date = "year", D(2021, 1, 1)
        page.save_revision()
        assert self.stored(page) == (D(2021, 5, 17), D(2021, 5, 17))  # the draft is not live
        EventReportPage.objects.get(pk=page.pk).latest_revision.publish()
        assert self.stored(page) == (D(2021, 1, 1), D(2021, 12, 31))
        page = EventReportPage.objects.get(pk=page.pk)
        page.date_precision, page.start_date = "unknown", None
        publish(page)
        assert self.stored(page) == (None, None)


# --- data migration 0008 ------------------------------------------------------------------------------------------
def carry_over():
    """0008's forwards function, run on the rows as they are now (a migration test without rolling back)."""
    module = importlib.import_module("cms.migrations.0008_carry_over_real_report_fields")
    module.forwards(django_apps, None)


def write_raw_body(page, raw):
    # Through SQL: assigning to the StreamField would convert the legacy form on the way in.
    table = EventReportPage._meta.db_table
    pk = EventReportPage._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET body = %s WHERE {pk} = %s", [json.dumps(raw), page.pk])


def read_raw_body(page):
    table = EventReportPage._meta.db_table
    pk = EventReportPage._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT body FROM {table} WHERE {pk} = %s", [page.pk])
        return json.loads(cursor.fetchone()[0])


class TestCarryOver:
    def test_speakers_with_one_part_read_as_parts_and_are_rewritten(self):
        person = PersonFactory()
        page = EventReportPageFactory()
        old_speaker = {"person": person.pk, "part": "moderator", "role": "", "organisation": None, "contribution": ""}
        raw = [
            {"type": "speaker", "value": dict(old_speaker, part="opening"), "id": "a"},
            {
                "type": "discussion",
                "value": {
                    "title": "Diskusija",
                    "method": "panel",
                    "group_count": 2,
                    "question_count": None,
                    "moderators": [{"type": "item", "value": old_speaker, "id": "b"}],
                    "description": "",
                    "questions": [],
                    "conclusions": "",
                    "summary_document": None,
                },
                "id": "c",
            },
        ]
        write_raw_body(page, raw)
        before = EventReportPage.objects.get(pk=page.pk)
        assert list(before.body[0].value["parts"]) == ["opening"]  # read in either form
        assert list(before.body[1].value["moderators"][0]["parts"]) == ["moderator"]

        carry_over()

        stored = read_raw_body(page)
        speaker, discussion = stored[0]["value"], stored[1]["value"]
        assert "part" not in speaker and speaker["parts"] == ["opening"]
        moderator = discussion["moderators"][0]
        assert moderator["id"] == "b" and moderator["value"]["parts"] == ["moderator"]
        assert "part" not in moderator["value"]
        assert [stored[0]["id"], stored[1]["id"]] == ["a", "c"]  # block ids never change
        assert discussion["panellists"] == [] or "panellists" not in discussion

    def test_days_covered_and_phone_numbers_are_filled_and_unparsable_phones_left_as_written(self):
        page = EventReportPageFactory(start_date=D(2020, 10, 28), end_date=D(2020, 10, 30))
        one_day = EventReportPageFactory(start_date=D(2020, 11, 5), parent=page.get_parent())
        EventReportPage.objects.filter(pk__in=[page.pk, one_day.pk]).update(starts_on=None, ends_on=None)
        good = ContactCardFactory(phone="+371 646 07181")
        # The check before issue 12 took 7–15 digits: such a number does not parse as a Latvian one.
        old = ContactCardFactory(phone="")
        ContactCard.objects.filter(pk=good.pk).update(phone_e164="")
        ContactCard.objects.filter(pk=old.pk).update(phone="+371 6460718", phone_e164="")

        carry_over()

        stored = dict(EventReportPage.objects.values_list("pk", "starts_on"))
        assert stored[page.pk] == D(2020, 10, 28)
        assert EventReportPage.objects.get(pk=page.pk).ends_on == D(2020, 10, 30)
        assert EventReportPage.objects.get(pk=one_day.pk).ends_on == D(2020, 11, 5)
        assert ContactCard.objects.get(pk=good.pk).phone_e164 == "+37164607181"
        old = ContactCard.objects.get(pk=old.pk)
        assert (old.phone, old.phone_e164) == ("+371 6460718", "")

    def test_the_migration_is_a_data_migration_only(self):
        module = importlib.import_module("cms.migrations.0008_carry_over_real_report_fields")
        assert all(isinstance(op, migrations.RunPython) for op in module.Migration.operations)


# --- translation segments ------------------------------------------------------------------------------------------
SEGMENT_KINDS = {"translated", "synchronised", "overridable"}
DOCUMENTED_MODELS = {
    "EventReportPage": EventReportPage,
    "EventSession": EventSession,
    "EventProject": EventProject,
    "RelatedEvent": RelatedEvent,
    "Project": Project,
    "Person": Person,
    "ContactCard": ContactCard,
}


def documented_segments():
    text = DOC.read_text()
    section = text.split("## Translation segments of the new fields", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\w+) \| (\w+) \| ([\w ,]+?) \|$", section, flags=re.MULTILINE)
    table = {(model, field): kind for model, field, kind in rows if model != "Model"}
    assert len(table) == len(rows) - 1, "a field is listed twice"
    return table


def kind_of(declaration):
    if isinstance(declaration, TranslatableField):
        return "translated"
    assert isinstance(declaration, SynchronizedField)
    return "overridable" if declaration.overridable else "synchronised"


def fields_of_issue_12():
    """(model name, field) added or changed by migration 0007: the new fields the table must cover."""
    module = importlib.import_module("cms.migrations.0007_content_model_real_reports")
    changed = set()
    for op in module.Migration.operations:
        if isinstance(op, migrations.CreateModel):
            changed |= {(op.name.lower(), name) for name, _field in op.fields}
        elif isinstance(op, (migrations.AddField, migrations.AlterField)) and not isinstance(op.field, StreamField):
            changed.add((op.model_name, op.name))
    return changed


def test_the_documented_translation_segments_are_the_models():
    table = documented_segments()
    assert set(table.values()) <= SEGMENT_KINDS
    new = fields_of_issue_12()
    expected = {
        (name, declaration.field_name): kind_of(declaration)
        for name, model in DOCUMENTED_MODELS.items()
        for declaration in model.translatable_fields
        if (name.lower(), declaration.field_name) in new
    }
    assert table == expected
    # Every documented model gained something in issue 12.
    assert {model for model, _field in table} == set(DOCUMENTED_MODELS)


def test_a_report_using_the_new_fields_is_submitted_for_translation_with_its_new_text(en, publish):
    organisation = OrganisationFactory(name="Rēzeknes novada pašvaldība")
    series = ProjectFactory(name="Reģionālie uzņēmēju forumi", kind="series", funding_programme="LEADER")
    series.save_revision().publish()
    body = ReportBodyFactory.stream(
        [
            ("speaker", {"person": None, "description": "bankas speciāliste", "parts": ("lecturer", "quoted")}),
            (
                "discussion",
                {
                    "method": "rotation",
                    "group_count": 5,
                    "panellists": [{"person": None, "description": "biedrības pārstāvis", "parts": ("panellist",)}],
                },
            ),
        ]
    )
    page = EventReportPageFactory(
        body=body,
        event_kind="forum",
        event_kind_text="izbraukuma forums",
        date_precision="month",
        start_date=D(2021, 5, 1),
        date_text="maija beigās",
        publication_date_precision="month",
        publication_date=D(2021, 6, 1),
        publication_date_text="2021. gada jūnijā",
        author_name="Ilze Kalniņa",
        author_position="sabiedrisko attiecību speciāliste",
        author_organisation=organisation,
        event_format="hybrid",
        online_url="https://example.org/tiesraide",
    )
    page.sessions = [
        EventSession(
            date_precision="month",
            date=D(2021, 5, 1),
            date_text="otrajā dienā",
            place="Lūznavas muiža",
            recording_url="https://example.org/ieraksts",
        )
    ]
    page.projects = [EventProject(project=series, position=3)]
    page.related_events = [RelatedEvent(relation="previous", name="Otrais forums", date_text="pērn rudenī")]
    full_clean(page)
    publish(page)

    source, _created = TranslationSource.get_or_create_from_instance(page)
    strings = dict(StringSegment.objects.filter(source=source).values_list("string__data", "context__path"))
    for text, path in {
        "izbraukuma forums": "event_kind_text",
        "maija beigās": "date_text",
        "2021. gada jūnijā": "publication_date_text",
        "sabiedrisko attiecību speciāliste": "author_position",
        "bankas speciāliste": "body.",
        "biedrības pārstāvis": "body.",
        "otrajā dienā": "sessions.",
        "Lūznavas muiža": "sessions.",
        "Otrais forums": "related_events.",
        "pērn rudenī": "related_events.",
    }.items():
        assert text in strings, f"“{text}” is not offered for translation"
        assert strings[text].startswith(path), (text, strings[text])
    overridable = set(OverridableSegment.objects.filter(source=source).values_list("context__path", flat=True))
    assert {"online_url", "author_name"} <= overridable
    assert any(path.startswith("sessions.") and path.endswith(".recording_url") for path in overridable)
    related = set(RelatedObjectSegment.objects.filter(source=source).values_list("context__path", flat=True))
    assert "author_organisation" in related
    assert any(path.startswith("projects.") and path.endswith(".project") for path in related)
    # Nothing synchronised is offered as text: the precision and the dates are copied.
    assert not {"month", "2021-05-01", "forum"} & set(strings)

    translate_object(page, [en])
    assert Translation.objects.filter(source__object_id=page.translation_key, target_locale=en).exists()
    # The project the report belongs to goes along, as the people and organisations do.
    assert series.get_translation_or_none(en) is not None
    assert organisation.get_translation_or_none(en) is not None


# --- the preview shows dates as exactly as they are known ---------------------------------------------------------
@pytest.mark.parametrize(
    ("precision", "day", "text", "shown", "not_shown"),
    [
        ("month", D(2021, 5, 1), "maija beigās", "May 2021 (maija beigās)", "May 1"),
        ("year", D(2021, 1, 1), "", "2021", "January"),
        ("unknown", None, "pagājušajā nedēļā", "pagājušajā nedēļā", "None"),
        ("unknown", None, "", "date not known", "None"),
        ("day", D(2021, 5, 17), "", "May 17, 2021", "(None)"),
    ],
)
def test_the_preview_template_shows_a_date_as_exactly_as_it_is_known(precision, day, text, shown, not_shown):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("en"):
        html = render_to_string(
            "cms/includes/date.html", {"day": day, "precision": precision, "text": text, "format": "DATE_FORMAT"}
        ).strip()
    assert html == shown and not_shown not in html


def test_the_preview_shows_the_new_facts(client, publish):
    page = EventReportPageFactory(
        date_precision="month",
        start_date=D(2021, 5, 1),
        date_text="maija beigās",
        event_kind="seminar",
        event_kind_text="izbraukuma seminārs",
        author_name="Ilze Kalniņa",
        author_position="sabiedrisko attiecību speciāliste",
        free_of_charge=True,
    )
    page.sessions = [EventSession(date=None, date_text="otrajā dienā", place="Lūznavas muiža")]
    page.projects = [EventProject(project=ProjectFactory(name="Reģionālie forumi"), position=3)]
    publish(page)
    html = client.get(page.url).content.decode()
    for text in (
        "maija beigās",
        "izbraukuma seminārs",
        "Ilze Kalniņa, sabiedrisko attiecību speciāliste",
        "otrajā dienā",
        "Lūznavas muiža",
        "Reģionālie forumi (#3)",
    ):
        assert text in html, text
    assert "01.05.2021" not in html and "1. maij" not in html
