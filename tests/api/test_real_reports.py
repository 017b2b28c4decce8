"""What real reports need (issue 12), built through the models and read back through the API.

Each test is one gap that fifteen real municipal and NGO reports ran into: dates known only to the month or
year (or not at all) and the filters over them, speakers without a person or with several parts, where a
role comes from, the kind of event, projects and series, bylines, provenance, sessions with their own place
and recording, related events, free-of-charge events and discussion panels. The last test checks the date
filters against an oracle written from the documented rules.
"""

import datetime
import os

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Locale, PageViewRestriction

from api import cache as api_cache
from cms import dates
from cms.dates import DatePrecision
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory, ProjectFactory
from cms.factories.streams import ReportBodyFactory
from cms.models import EventReportPage

pytestmark = pytest.mark.django_db

REPORTS = "/api/v2/pages/?type=cms.EventReportPage&fields=title&limit=100"
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "25"))
day = datetime.date


@pytest.fixture
def index():
    return EventReportIndexPageFactory()


def detail(api, page):
    response = api.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def titles(api, query=""):
    response = api.get(f"{REPORTS}&{query}")
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["items"])


def body_blocks(data, block_type):
    return [block["value"] for block in data["body"] if block["type"] == block_type]


def first_of_month(today):
    return today.replace(day=1)


def previous_month(today):
    return (first_of_month(today) - datetime.timedelta(days=1)).replace(day=1)


# --- dates with honest precision ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("precision", "start", "end", "text", "iso_start", "iso_end"),
    [
        ("day", day(2021, 5, 17), day(2021, 5, 18), "", "2021-05-17", "2021-05-18"),
        ("month", day(2021, 5, 1), None, "2021. gada maijā", "2021-05", None),
        ("month", day(2021, 5, 1), day(2021, 6, 1), "maijā un jūnijā", "2021-05", "2021-06"),
        ("year", day(2019, 1, 1), None, "2019. gadā", "2019", None),
        ("unknown", None, None, "pagājušajā nedēļā", None, None),
    ],
)
def test_event_dates_come_at_their_precision(api, index, precision, start, end, text, iso_start, iso_end):
    page = EventReportPageFactory(
        parent=index, title="Ziņojums", date_precision=precision, start_date=start, end_date=end, date_text=text
    )
    page.full_clean()  # the model accepts each real-world form
    data = detail(api, page)
    assert (data["start_date"], data["end_date"]) == (iso_start, iso_end)
    assert (data["date_precision"], data["date_text"]) == (precision, text)
    card = api.get("/api/v2/pages/?type=cms.EventReportPage").json()["items"][0]
    assert {key: card[key] for key in ("start_date", "end_date", "date_precision", "date_text")} == {
        "start_date": iso_start,
        "end_date": iso_end,
        "date_precision": precision,
        "date_text": text,
    }


def test_publication_date_is_the_printed_one_at_its_precision(api, index):
    month = EventReportPageFactory(
        parent=index,
        publication_date=day(2021, 5, 1),
        publication_date_precision="month",
        publication_date_text="2021. gada maijs",
    )
    unprinted = EventReportPageFactory(parent=index)
    data = detail(api, month)
    assert (data["publication_date"], data["publication_date_precision"], data["publication_date_text"]) == (
        "2021-05",
        "month",
        "2021. gada maijs",
    )
    # Not printed: null, not the day it was imported (that is JSON-LD's datePublished, from published_on).
    assert detail(api, unprinted)["publication_date"] is None


def test_imprecise_dates_and_upcoming_or_past(api, index):
    today = timezone.localdate()
    last_month = previous_month(today)
    EventReportPageFactory(parent=index, title="Pagājušajā mēnesī", date_precision="month", start_date=last_month)
    EventReportPageFactory(parent=index, title="Šajā mēnesī", date_precision="month", start_date=first_of_month(today))
    EventReportPageFactory(parent=index, title="Nezināms", date_precision="unknown", start_date=None)
    EventReportPageFactory(
        parent=index, title="Pagājušajā gadā", date_precision="year", start_date=day(today.year - 1, 1, 1)
    )
    # A past month-precision event is never upcoming (its guessed first day must not count); an event of this
    # month, known only to the month, may still be ahead; an unknown date is neither upcoming nor past.
    assert titles(api, "when=upcoming") == ["Šajā mēnesī"]
    assert titles(api, "when=past") == ["Pagājušajā gadā", "Pagājušajā mēnesī"]


def test_date_ranges_match_only_overlapping_periods(api, index):
    EventReportPageFactory(parent=index, title="Maijs", date_precision="month", start_date=day(2021, 5, 1))
    EventReportPageFactory(parent=index, title="2019", date_precision="year", start_date=day(2019, 1, 1))
    EventReportPageFactory(parent=index, title="Nezināms", date_precision="unknown", start_date=None)
    EventReportPageFactory(parent=index, title="Diena", start_date=day(2021, 5, 17))
    assert titles(api, "date_from=2021-05-31&date_to=2021-05-31") == ["Maijs"]
    assert titles(api, "date_from=2021-05-17&date_to=2021-05-17") == ["Diena", "Maijs"]
    assert titles(api, "date_from=2021-06-01") == []
    assert titles(api, "date_to=2021-04-30") == ["2019"]
    assert titles(api, "date_from=2019-12-31&date_to=2019-12-31") == ["2019"]
    assert titles(api, "date_from=2020-01-01&date_to=2020-12-31") == []


def test_ordering_puts_unknown_dates_last_both_ways(api, index):
    EventReportPageFactory(parent=index, title="A", start_date=day(2020, 1, 1))
    EventReportPageFactory(parent=index, title="B", date_precision="month", start_date=day(2021, 5, 1))
    EventReportPageFactory(parent=index, title="C", date_precision="unknown", start_date=None)

    def ordered(order):
        return [item["title"] for item in api.get(f"{REPORTS}&order={order}").json()["items"]]

    assert ordered("start_date") == ["A", "B", "C"]
    assert ordered("-start_date") == ["B", "A", "C"]


def test_sessions_have_precision_place_and_recording(api, index):
    page = EventReportPageFactory(parent=index, date_precision="month", start_date=day(2021, 5, 1))
    page.sessions.create(
        locale=page.locale,
        date_precision="day",
        date=day(2021, 5, 12),
        start_time=datetime.time(10),
        place="Kultūras nams",
        recording_url="https://example.org/ieraksts/",
    )
    page.sessions.create(locale=page.locale, date_precision="unknown", date=None, date_text="vēlāk", title="Otrā")
    page.save_revision().publish()
    first, second = detail(api, page)["sessions"]
    assert first["date"] == "2021-05-12" and first["date_precision"] == "day" and first["start_time"] == "10:00"
    assert (first["place"], first["recording_url"]) == ("Kultūras nams", "https://example.org/ieraksts/")
    assert (second["date"], second["date_precision"], second["date_text"]) == (None, "unknown", "vēlāk")
    assert (second["place"], second["recording_url"]) == ("", "")


def test_an_empty_date_is_never_called_exact(api, index):
    # The editor's default "Exact day" stays stored until the date is typed; readers are told it is not known.
    page = EventReportPageFactory(
        parent=index, date_precision="day", start_date=None, publication_date=None, publication_date_precision="day"
    )
    page.sessions.create(locale=page.locale, date_precision="day", date=None, title="Vēlāk")
    page.related_events.create(locale=page.locale, relation="previous", name="Pirmais forums", date_precision="day")
    page.save_revision().publish()
    data = detail(api, page)
    assert (data["start_date"], data["date_precision"]) == (None, "unknown")
    assert (data["publication_date"], data["publication_date_precision"]) == (None, "unknown")
    assert [(s["date"], s["date_precision"]) for s in data["sessions"]] == [(None, "unknown")]
    assert [(r["date"], r["date_precision"]) for r in data["related_events"]] == [(None, "unknown")]
    listed = api.get("/api/v2/pages/?type=cms.EventReportPage&fields=date_precision").json()["items"]
    assert [item["date_precision"] for item in listed if item["id"] == page.pk] == ["unknown"]


# --- speakers ------------------------------------------------------------------------------------------------
def test_unnamed_speaker_is_kept_with_its_description(api, index):
    bank = OrganisationFactory(name="Banka")
    page = EventReportPageFactory(
        parent=index,
        body=ReportBodyFactory.stream(
            [("speaker", {"person": None, "description": "bankas speciāliste", "organisation": bank})]
        ),
    )
    (speaker,) = body_blocks(detail(api, page), "speaker")
    assert speaker["person"] is None and speaker["description"] == "bankas speciāliste"
    assert speaker["organisation"]["name"] == "Banka" and speaker["organisation_source"] == "event"
    assert (speaker["role"], speaker["role_source"]) == ("", None)


def test_a_speaker_with_several_parts(api, index):
    page = EventReportPageFactory(
        parent=index,
        body=ReportBodyFactory.stream([("speaker", {"person": PersonFactory(), "parts": ("welcome", "moderator")})]),
    )
    (speaker,) = body_blocks(detail(api, page), "speaker")
    assert speaker["parts"] == ["welcome", "moderator"]
    assert speaker["part"] == "welcome"  # deprecated: the first part, for older clients


def test_role_source_says_where_the_role_comes_from(api, index):
    employer = OrganisationFactory(name="Pašvaldība")
    person = PersonFactory(job_title="Direktore", organisation=employer)
    without_title = PersonFactory(job_title="", organisation=None)
    page = EventReportPageFactory(
        parent=index,
        body=ReportBodyFactory.stream(
            [
                ("speaker", {"person": person, "role": "Projekta vadītāja"}),
                ("speaker", {"person": person}),
                ("speaker", {"person": without_title}),
            ]
        ),
    )
    stated, profile, nothing = body_blocks(detail(api, page), "speaker")
    assert (stated["role"], stated["role_source"]) == ("Projekta vadītāja", "event")
    # Not stated at the event: today's title, flagged as such rather than passed off as the role at the time.
    assert (profile["role"], profile["role_source"]) == ("Direktore", "profile")
    assert (profile["organisation"]["name"], profile["organisation_source"]) == ("Pašvaldība", "profile")
    assert (nothing["role"], nothing["role_source"]) == ("", None)
    assert (nothing["organisation"], nothing["organisation_source"]) == (None, None)


def test_discussion_panellists_and_group_count_for_a_panel(api, index):
    panellist = PersonFactory(name="Paneliste")
    page = EventReportPageFactory(
        parent=index,
        body=ReportBodyFactory.stream(
            [
                (
                    "discussion",
                    {
                        "method": "panel",
                        "group_count": 3,
                        "panellists": [
                            {"person": panellist, "parts": ("panellist",)},
                            {"person": None, "description": "uzņēmēju pārstāvis", "parts": ("panellist",)},
                        ],
                    },
                )
            ]
        ),
    )
    (discussion,) = body_blocks(detail(api, page), "discussion")
    assert (discussion["method"], discussion["group_count"]) == ("panel", 3)
    assert [(p["person"] and p["person"]["name"], p["description"]) for p in discussion["panellists"]] == [
        ("Paneliste", ""),
        (None, "uzņēmēju pārstāvis"),
    ]


# --- kind, projects, byline, provenance, place ---------------------------------------------------------------
def test_event_kind_and_its_filter(api, index):
    page = EventReportPageFactory(parent=index, title="Forums", event_kind="forum", event_kind_text="izbraukuma forums")
    EventReportPageFactory(parent=index, title="Seminārs", event_kind="seminar")
    data = detail(api, page)
    assert (data["event_kind"], data["event_kind_text"]) == ("forum", "izbraukuma forums")
    assert titles(api, "event_kind=forum") == ["Forums"]
    assert titles(api, "event_kind=congress") == []


def test_projects_and_the_project_filter(api, index):
    series = ProjectFactory(name="Reģionālie forumi", kind="series")
    hidden = ProjectFactory(name="Melnraksta projekts", live=False)
    third = EventReportPageFactory(parent=index, title="Trešais forums")
    third.projects.create(project=series, position=3, locale=third.locale)
    third.projects.create(project=hidden, locale=third.locale)
    third.save_revision().publish()
    other = EventReportPageFactory(parent=index, title="Cits")
    other.projects.create(project=hidden, locale=other.locale)
    other.save_revision().publish()

    projects = detail(api, third)["projects"]
    assert [(row["project"]["name"], row["project"]["kind"], row["position"]) for row in projects] == [
        ("Reģionālie forumi", "series", 3)
    ]
    assert titles(api, f"project={series.pk}") == ["Trešais forums"]
    # An unpublished project matches nothing: the filter does not tell which reports link it.
    assert titles(api, f"project={hidden.pk}") == []


def test_byline(api, index, publish):
    organisation = OrganisationFactory(name="Novada pašvaldība")
    page = EventReportPageFactory(
        parent=index,
        author_name="Anna Ozola",
        author_position="sabiedrisko attiecību speciāliste",
        author_organisation=organisation,
    )
    assert detail(api, page)["byline"] == {
        "name": "Anna Ozola",
        "position": "sabiedrisko attiecību speciāliste",
        "organisation": {
            "id": organisation.pk,
            "locale": "lv",
            "fallback": False,
            "name": "Novada pašvaldība",
            "acronym": "",
            "website": "",
            "logo": None,
        },
    }
    assert detail(api, EventReportPageFactory(parent=index))["byline"] is None
    organisation.live = False
    organisation.save()
    api_cache.bump(api_cache.LISTINGS, f"page:{page.pk}")
    assert detail(api, page)["byline"]["organisation"] is None


def test_provenance(api, index):
    taken_over = EventReportPageFactory(
        parent=index, source_url="https://example.org/news/1", source_language="en", machine_translated=True
    )
    assert detail(api, taken_over)["provenance"] == {
        "source_url": "https://example.org/news/1",
        "source_language": "en",
        "machine_translated": True,
    }
    assert detail(api, EventReportPageFactory(parent=index))["provenance"] is None


@pytest.mark.parametrize("value", [True, False, None])
def test_free_of_charge_and_online_url(api, index, value):
    page = EventReportPageFactory(parent=index, free_of_charge=value, online_url="https://example.org/stream/")
    data = detail(api, page)
    assert data["free_of_charge"] is value
    assert data["online_url"] == "https://example.org/stream/"


# --- related events ------------------------------------------------------------------------------------------
def test_related_events_never_leak_what_is_not_public(api, index):
    earlier = EventReportPageFactory(parent=index, title="Pirmā tikšanās")
    private = EventReportPageFactory(parent=index, title="Slēgtā sanāksme")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    draft = EventReportPageFactory(parent=index, title="Melnraksts", live=False)
    page = EventReportPageFactory(parent=index, title="Otrā tikšanās")
    rows = [
        {"relation": "previous", "report": earlier, "date_precision": "month", "date": day(2020, 3, 1)},
        {"relation": "related", "report": private},
        {"relation": "related", "report": draft},
        {"relation": "next", "report": draft, "name": "Trešā tikšanās", "url": "https://example.org/3/"},
        {"relation": "part_of", "name": "Forumu cikls", "date_precision": "year", "date": day(2020, 1, 1)},
    ]
    for row in rows:
        page.related_events.create(locale=page.locale, **row)
    page.save_revision().publish()

    related = detail(api, page)["related_events"]
    shown = [(r["relation"], r["report"] and r["report"]["title"], r["name"], r["date"]) for r in related]
    assert shown == [
        ("previous", "Pirmā tikšanās", "", "2020-03"),
        ("next", None, "Trešā tikšanās", None),
        ("part_of", None, "Forumu cikls", "2020"),
    ]
    assert related[0]["report"]["id"] == earlier.pk and related[0]["date_precision"] == "month"
    listing = api.get("/api/v2/pages/?type=cms.EventReportPage&fields=related_events&limit=100").content.decode()
    assert "Slēgtā sanāksme" not in listing and "Melnraksts" not in listing


def test_a_related_report_is_shown_in_the_response_language(api, index):
    english = Locale.objects.get(language_code="en")
    earlier = EventReportPageFactory(parent=index, title="Pirmā tikšanās")
    earlier_en = earlier.copy_for_translation(english, copy_parents=True)
    earlier_en.title = "First meeting"
    earlier_en.save_revision().publish()
    page = EventReportPageFactory(parent=index, title="Otrā tikšanās")
    page.related_events.create(locale=page.locale, relation="previous", report=earlier)
    page.save_revision().publish()
    # From the database: the in-memory page still holds its inline rows as they were created.
    page_en = EventReportPage.objects.get(pk=page.pk).copy_for_translation(english)
    page_en.save_revision().publish()

    (related,) = detail(api, page_en)["related_events"]
    assert (related["report"]["id"], related["report"]["locale"], related["report"]["fallback"]) == (
        earlier_en.pk,
        "en",
        False,
    )


# --- the date filters against their documented rules ---------------------------------------------------------
class Rollback(Exception):
    pass


def _first_of_period(value, precision):
    return dates.period(value, precision)[0]


@st.composite
def events(draw, today):
    """A valid event: a precision, a start (the first day of its period) and an optional later end."""
    precision = draw(st.sampled_from(list(DatePrecision.values)))
    if precision == DatePrecision.UNKNOWN:
        return precision, None, None
    start = _first_of_period(today + datetime.timedelta(days=draw(st.integers(-800, 800))), precision)
    offset = draw(st.one_of(st.none(), st.integers(0, 400)))
    end = None if offset is None else _first_of_period(start + datetime.timedelta(days=offset), precision)
    return precision, start, end


@st.composite
def queries(draw, today):
    near = st.integers(-900, 900).map(lambda n: today + datetime.timedelta(days=n))
    return {
        "date_from": draw(st.one_of(st.none(), near)),
        "date_to": draw(st.one_of(st.none(), near)),
        "when": draw(st.sampled_from([None, "upcoming", "past"])),
    }


def oracle(event, query, today):
    """Whether ``event`` matches, from the rules in docs/api.md: an event covers every day it may have taken
    place on (the whole month or year of an imprecise date, no day at all for an unknown one); a range matches
    the events whose period overlaps it; upcoming is "its last possible day is today or later", past the rest
    of the events with a known date."""
    precision, start, end = event
    first = dates.period(start, precision)[0]
    last = dates.period(end or start, precision)[1]
    wants_a_day = query["date_from"] or query["date_to"] or query["when"]
    if first is None:
        return not wants_a_day
    if query["date_from"] and last < query["date_from"]:
        return False
    if query["date_to"] and first > query["date_to"]:
        return False
    if query["when"] == "upcoming":
        return last >= today
    if query["when"] == "past":
        return last < today
    return True


TODAY = timezone.localdate()


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    reports=st.lists(events(TODAY), min_size=1, max_size=6),
    query_list=st.lists(queries(TODAY), min_size=1, max_size=3),
)
def test_date_filters_follow_the_documented_rules(api, index, reports, query_list):
    today = timezone.localdate()
    try:
        with transaction.atomic():
            for n, (precision, start, end) in enumerate(reports):
                page = EventReportPageFactory(
                    parent=index, title=f"E{n}", date_precision=precision, start_date=start, end_date=end
                )
                page.full_clean()
            for query in query_list:
                api_cache.bump(api_cache.LISTINGS)
                params = "&".join(f"{name}={value}" for name, value in query.items() if value is not None)
                expected = sorted(f"E{n}" for n, event in enumerate(reports) if oracle(event, query, today))
                assert titles(api, params) == expected, (query, reports)
            raise Rollback
    except Rollback:
        pass
