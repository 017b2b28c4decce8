"""The change feed: ordered committed events, opaque cursors, tombstones that leak nothing private."""

import datetime

import pytest
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.changes import decode_cursor, encode_cursor
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import PersonFactory
from cms.models import ChangeEvent
from tests.api.test_openapi import assert_valid, component

pytestmark = pytest.mark.django_db
FEED = "/api/v2/changes/"


def read_all(api, **params):
    items, cursor = [], None
    while True:
        query = dict(params, **({"after": cursor} if cursor else {}))
        data = api.get(FEED, query).json()
        assert_valid(data, component("ChangeFeed"))
        items += data["items"]
        cursor = data["meta"]["next"]
        if not data["meta"]["has_more"]:
            return items, cursor


def test_the_feed_pages_through_every_event_in_order(api, publish):
    index = EventReportIndexPageFactory()
    person = PersonFactory(name="Runātāja")
    report = EventReportPageFactory(parent=index, body__0__speaker__person=person, slug="forums")
    publish(person)
    publish(report)
    everything, cursor = read_all(api)
    paged, same_cursor = read_all(api, limit=1)
    assert paged == everything and same_cursor == cursor
    assert [item["cursor"] for item in everything] == [
        encode_cursor(pk) for pk in ChangeEvent.objects.values_list("pk", flat=True)
    ]
    person_event = next(item for item in everything if item["object"]["type"] == "cms.Person")
    assert person_event["kind"] == "snippet.published" and not person_event["tombstone"]
    assert person_event["object"]["detail_url"].endswith(f"/api/v2/people/{person.pk}/")
    assert any(url.endswith(f"/api/v2/pages/{report.pk}/") for url in person_event["affected"]["detail_urls"])
    assert any(url.endswith("/forums/") for url in person_event["affected"]["html_urls"])
    assert f"person-{person.pk}" in person_event["affected"]["tags"]

    # Nothing new: the same cursor comes back, with no items.
    data = api.get(FEED, {"after": cursor}).json()
    assert data == {"meta": {"next": cursor, "has_more": False}, "items": []}
    # Filters.
    assert {item["object"]["type"] for item in api.get(FEED, {"type": "cms.Person"}).json()["items"]} == {"cms.Person"}
    assert api.get(FEED, {"locale": "en"}).json()["items"] == []


def test_a_page_made_private_is_a_tombstone_that_shows_nothing_of_it(api):
    index = EventReportIndexPageFactory()
    report = EventReportPageFactory(parent=index, title="Slepenais nosaukums", slug="slepens")
    _, cursor = read_all(api)
    PageViewRestriction.objects.create(page=report, restriction_type=PageViewRestriction.LOGIN)
    items, _ = read_all(api, after=cursor)
    (item,) = items
    assert item["kind"] == "page.privacy" and item["tombstone"]
    assert item["object"]["detail_url"] is None and item["object"]["html_url"] is None
    assert any(url.endswith("/slepens/") for url in item["affected"]["html_urls"])  # the address to purge
    assert "Slepenais" not in str(item)
    # Later edits of the private page are not news at all.
    report.title = "Cits slepens nosaukums"
    report.save_revision().publish()
    assert read_all(api, after=item["cursor"])[0] == []


def test_drafts_never_reach_the_feed(api):
    EventReportIndexPageFactory()
    _, cursor = read_all(api)
    PersonFactory(name="Melnraksts", live=False).save_revision()
    assert read_all(api, after=cursor)[0] == []


@pytest.mark.parametrize(
    "query",
    [
        {"after": "nonsense"},
        {"after": encode_cursor(1) + "x"},
        {"limit": "0"},
        {"limit": "abc"},
        {"limit": "1000"},
        {"locale": "xx"},
        {"unknown": "1"},
    ],
)
def test_bad_parameters_are_json_400s(api, query):
    response = api.get(FEED, query)
    assert response.status_code == 400 and "message" in response.json()


def test_cursors_are_opaque_and_round_trip():
    assert decode_cursor(encode_cursor(12345)) == 12345
    assert decode_cursor("MTIz") is None  # base64 of "123": not a cursor of this feed


def test_events_are_held_back_until_they_settle(api, settings):
    EventReportIndexPageFactory()
    assert ChangeEvent.objects.exists()
    settings.CMS_CHANGE_FEED_SETTLE_SECONDS = 60
    ChangeEvent.objects.update(created_at=timezone.now())
    assert api.get(FEED).json()["items"] == []
    ChangeEvent.objects.update(created_at=timezone.now() - datetime.timedelta(seconds=61))
    assert len(api.get(FEED).json()["items"]) == ChangeEvent.objects.count()
