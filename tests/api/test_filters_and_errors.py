import datetime

import pytest

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory, TopicFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db

REPORTS = "/api/v2/pages/?type=cms.EventReportPage&fields=title"


def titles(api, query):
    response = api.get(f"{REPORTS}&{query}")
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


@pytest.fixture
def reports():
    index = EventReportIndexPageFactory()
    day = datetime.date

    def report(title, start, end=None, **kwargs):
        return EventReportPageFactory(parent=index, title=title, start_date=start, end_date=end, **kwargs)

    return {
        "forum": report("Forums", day(2020, 10, 28), event_format="online"),
        "seminar": report("Seminārs", day(2021, 3, 1), day(2021, 3, 3), event_format="on_site"),
        "future": report("Nākotnes diskusija", day.today() + datetime.timedelta(days=30), event_format="hybrid"),
    }


def test_date_range_matches_events_overlapping_it(api, reports):
    assert titles(api, "date_from=2021-03-02&date_to=2021-03-02") == ["Seminārs"]
    assert titles(api, "date_from=2020-01-01&date_to=2020-12-31") == ["Forums"]
    assert titles(api, "date_to=2020-10-28") == ["Forums"]
    assert titles(api, "date_from=2021-03-04&date_to=2021-12-31") == []


def test_upcoming_and_past(api, reports):
    assert titles(api, "when=upcoming") == ["Nākotnes diskusija"]
    assert titles(api, "when=past&order=start_date") == ["Forums", "Seminārs"]


def test_event_format(api, reports):
    assert titles(api, "event_format=on_site") == ["Seminārs"]


def test_ordering_by_event_date(api, reports):
    assert titles(api, "order=-start_date") == ["Nākotnes diskusija", "Seminārs", "Forums"]


def test_organisation_matches_organisers_and_speakers_organisations(api, reports):
    lsua = OrganisationFactory(acronym="LSUA")
    forum = reports["forum"]
    forum.organisers.create(organisation=lsua, part="organiser", locale=forum.locale)
    forum.save_revision().publish()  # inline rows are saved with the page
    seminar = reports["seminar"]
    seminar.body = ReportBodyFactory.stream([("speaker", {"person": PersonFactory(), "organisation": lsua})])
    seminar.save_revision().publish()
    assert titles(api, f"organisation={lsua.pk}&order=start_date") == ["Forums", "Seminārs"]


def test_person_matches_reports_they_spoke_at_in_any_block(api, reports):
    person = PersonFactory(name="Dana Bārbale")
    forum = reports["forum"]
    forum.body = ReportBodyFactory.stream([("talk", {"speakers": [{"person": person}], "title": "Pieredze"})])
    forum.save_revision().publish()
    assert titles(api, f"person={person.pk}") == ["Forums"]
    assert titles(api, f"person={PersonFactory().pk}") == []


def test_topic(api, reports):
    topic = TopicFactory(slug="sociala-uznemejdarbiba")
    seminar = reports["seminar"]
    seminar.topics.add(topic)
    seminar.save_revision().publish()
    assert titles(api, "topic=sociala-uznemejdarbiba") == ["Seminārs"]


def test_cards_come_in_one_request(api, reports):
    item_ = api.get("/api/v2/pages/?type=cms.EventReportPage&order=start_date").json()["items"][0]
    card = {"title", "lead", "start_date", "end_date", "date_precision", "date_text", "event_format", "hero_image"}
    assert card <= set(item_)
    assert item_["meta"]["html_url"].endswith("/pasakumi/" + reports["forum"].slug + "/")


@pytest.mark.parametrize(
    "url, message",
    [
        ("/api/v2/pages/?bogus=1", "query parameter is not an operation or a recognised field: bogus"),
        ("/api/v2/pages/?offset=99999999999999999999999", "offset cannot be higher than 10000"),
        ("/api/v2/pages/?offset=-1", "offset must be a non-negative integer"),
        ("/api/v2/pages/?limit=abc", "limit must be a non-negative integer"),
        ("/api/v2/pages/?limit=1000", "limit cannot be higher than 100"),
        ("/api/v2/pages/?search=a&search_operator=xor", "search_operator must be 'and' or 'or'"),
        ("/api/v2/pages/?search=" + "vārds+" * 500, "search is limited to 200 characters and 25 words"),
        ("/api/v2/pages/?type=cms.Nothing", "type doesn't exist"),
        ("/api/v2/pages/?type=cms.EventReportPage&order=bogus", None),
        ("/api/v2/pages/?date_from=2020-01-01", "filter date_from needs type=cms.EventReportPage"),
        (REPORTS + "&date_from=28.10.2020", "date_from must be a date in the form YYYY-MM-DD"),
        (REPORTS + "&when=soon", "when must be 'upcoming' or 'past'"),
        (REPORTS + "&event_format=radio", "event_format must be one of: online, on_site, hybrid, not_stated"),
        (
            REPORTS + "&event_kind=party",
            "event_kind must be one of: forum, seminar, workshop, meeting, public_discussion, debate, conference, "
            "congress, other, not_stated",
        ),
        ("/api/v2/pages/?event_kind=forum", "filter event_kind needs type=cms.EventReportPage"),
        (REPORTS + "&project=erasmus", "project must be a numeric id"),
        (REPORTS + "&project=-1", "project must be a numeric id"),
        (REPORTS + "&date_to=2021-05", "date_to must be a date in the form YYYY-MM-DD"),
        (REPORTS + "&free_of_charge=maybe", None),
        (REPORTS + "&organisation=LSUA", "organisation must be a numeric id"),
        (REPORTS + "&person=1e9", "person must be a numeric id"),
        (REPORTS + "&start_date=garbage", "invalid query parameter value"),
        ("/api/v2/pages/1/?bogus=1", "query parameter is not allowed on a detail view: bogus"),
        ("/api/v2/people/?bogus=1", "query parameter is not an operation or a recognised field: bogus"),
        ("/api/v2/people/?order=age", "order must be one of: id, -id, name, -name"),
        ("/api/v2/people/?locale=xx", "unknown locale: xx (available: lv, en, ltg)"),
        ("/api/v2/pages/?locale=xx", "unknown locale: xx (available: lv, en, ltg)"),
        ("/api/v2/people/1/?fields=name", "query parameter is not allowed on a detail view: fields"),
        ("/api/v2/images/?offset=99999999999999999999999", "offset cannot be higher than 10000"),
        ("/api/v2/documents/1/?bogus=1", "query parameter is not allowed on a detail view: bogus"),
        ("/api/v2/pages/?title=%00", "null characters are not allowed in query parameters"),
    ],
)
def test_bad_input_is_a_json_400(api, url, message):
    response = api.get(url)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "request_id"}
    assert body["request_id"] == response["X-Request-ID"]
    if message:
        assert body["message"] == message


@pytest.mark.parametrize(
    "url",
    [
        "/api/v2/pages/999999/",
        "/api/v2/people/999999/",
        "/api/v2/contacts/999999/",
        "/api/v2/organisations/999999/",
        "/api/v2/images/999999/",
        "/api/v2/documents/999999/",
        "/api/v2/pages/find/?html_path=/nav/tadas/lapas/",
        "/api/v2/pages/99999999999999999999999/",
        "/api/v2/images/99999999999999999999999/",
        "/api/v2/people/99999999999999999999999/",
        "/api/v2/pages/abc/",
        "/api/v2/nothing-here/",
    ],
)
def test_unknown_objects_are_a_json_404(api, url):
    response = api.get(url)
    assert response.status_code == 404, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"message": "not found", "request_id": response["X-Request-ID"]}


def test_no_browsable_html_api(api):
    response = api.get("/api/v2/pages/?format=api")
    assert response.status_code in (400, 404)
    assert response["Content-Type"] == "application/json"


def test_block_dates_are_serialised(api):
    page = EventReportPageFactory(
        follow_ups__0__follow_up__kind="webinar", follow_ups__0__follow_up__date=datetime.date(2020, 11, 10)
    )
    response = api.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200
    assert response.json()["follow_ups"][0]["value"]["date"] == "2020-11-10"


def test_the_tree_root_is_not_content(api, reports):
    items = api.get("/api/v2/pages/?limit=100").json()["items"]
    assert all(item["meta"]["html_url"] for item in items)


def test_random_order_is_not_cached(api, reports):
    response = api.get("/api/v2/pages/?type=cms.EventReportPage&order=random")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
