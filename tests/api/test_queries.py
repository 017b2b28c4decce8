"""Query-count bounds: the cost of a response does not grow with the number of blocks or cards."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from api import cache as api_cache
from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory, blocks_of_every_kind
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, TopicFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db

# 12 before issue 12; +2 for the inline rows it added to a report (projects, related events: one query each).
DETAIL_BOUND = 14
LINK_RESOLUTION_ALLOWANCE = 2
# 20 cards: the count, the ids of the page, its rows (api.endpoints.pages), the hero images and their renditions.
LISTING_BOUND = 6
# Every field and a date filter: each inline relation once, and one query choosing how the dates are matched
# (api.filters._filter_reports).
FULL_LISTING_BOUND = 16


def report_with_blocks(index, count, link_target=None):
    page = EventReportPageFactory(
        parent=index,
        hero_image=ImageFactory(),
        body=ReportBodyFactory.stream(blocks_of_every_kind(count, link_target=link_target)),
        contacts__0__contact=ContactCardFactory(),
        follow_ups__0__follow_up__kind="webinar",
        follow_ups__0__follow_up__title="Next",
        follow_ups__0__follow_up__period="autumn",
    )
    page.topics.add(TopicFactory())
    page.organisers.create(organisation=OrganisationFactory(), part="organiser", locale=page.locale)
    page.sessions.create(date=page.start_date, part_of_day="afternoon", locale=page.locale)
    page.audience_groups.create(name="Entrepreneurs", locale=page.locale)
    page.save_revision().publish()
    return page


def forget_responses():
    """Empty the response cache only: restrictions, site roots and renditions stay warm, as in production."""
    api_cache.bump(api_cache.LISTINGS, *(f"page:{pk}" for pk in Page.objects.values_list("pk", flat=True)))


def count_queries(api, url):
    # Renditions are made once per image and size, on first use; what is bounded is every request after.
    api.get(url)
    forget_responses()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200, response.content
    return len(queries), response.json()


@pytest.mark.parametrize("links", [False, True], ids=["no-links", "with-links"])
def test_detail_queries_do_not_grow_with_blocks(api, links):
    index = EventReportIndexPageFactory()
    target = EventReportPageFactory(parent=index, title="Linked report") if links else None
    small = report_with_blocks(index, 10, link_target=target)
    large = report_with_blocks(index, 200, link_target=target)

    small_count, small_json = count_queries(api, f"/api/v2/pages/{small.pk}/")
    large_count, large_json = count_queries(api, f"/api/v2/pages/{large.pk}/")

    assert len(large_json["body"]) == 200
    speaker = next(b for b in large_json["body"] if b["type"] == "speaker")["value"]
    assert speaker["person"]["photo"]["srcset"]
    assert speaker["person"]["organisation"]["logo"]["renditions"]["small"]["url"]
    bound = DETAIL_BOUND + (LINK_RESOLUTION_ALLOWANCE if links else 0)
    assert small_count == large_count <= bound, (small_count, large_count)
    if links:
        assert f'data-page-id="{target.pk}"' in large_json["body"][0]["value"]


def test_listing_of_twenty_cards_is_bounded(api):
    index = EventReportIndexPageFactory()
    for i in range(20):
        report_with_blocks(index, 1 + i % 7)
    api.get("/api/v2/pages/?type=cms.EventReportPage&fields=_,lead,start_date,hero_image&limit=20")
    forget_responses()
    with CaptureQueriesContext(connection) as queries:
        response = api.get("/api/v2/pages/?type=cms.EventReportPage&fields=_,lead,start_date,hero_image&limit=20")
    cards = response.json()["items"]
    assert len(cards) == 20 and all(card["hero_image"]["srcset"] for card in cards)
    assert len(queries) <= LISTING_BOUND, len(queries)

    # Everything, body included, and a filter: still a constant number of queries.
    url = "/api/v2/pages/?type=cms.EventReportPage&fields=*&limit=20&date_from=" + datetime.date(2000, 1, 1).isoformat()
    api.get(url)
    forget_responses()
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200 and len(response.json()["items"]) == 20
    assert len(queries) <= FULL_LISTING_BOUND, len(queries)


def test_a_warm_response_costs_no_query(api):
    index = EventReportIndexPageFactory()
    page = report_with_blocks(index, 20)
    api.get(f"/api/v2/pages/{page.pk}/")
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200
    assert len(queries) == 0


def test_people_listing_is_bounded(api):
    for _ in range(15):
        PersonFactory(photo=ImageFactory(), organisation=OrganisationFactory(logo=ImageFactory()))
    count, data = count_queries(api, "/api/v2/people/?limit=15")
    assert len(data["items"]) == 15
    assert count <= 6, count
