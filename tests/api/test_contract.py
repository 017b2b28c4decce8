"""The demo report's JSON, as the front-end sees it, compared with reviewed snapshots."""

import pytest

from tests.api.snapshot import assert_matches_snapshot

pytestmark = pytest.mark.django_db


def test_report_detail(api, demo):
    response = api.get(f"/api/v2/pages/{demo.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_matches_snapshot("report_detail", response.json())


def test_report_listing_cards(api, demo):
    response = api.get("/api/v2/pages/?type=cms.EventReportPage")
    assert_matches_snapshot("report_listing", response.json())


def test_people(api, demo):
    assert_matches_snapshot("people", api.get("/api/v2/people/").json())


def test_contacts(api, demo):
    assert_matches_snapshot("contacts", api.get("/api/v2/contacts/").json())


def test_organisations(api, demo):
    assert_matches_snapshot("organisations", api.get("/api/v2/organisations/").json())


def test_find_by_front_end_path(api, demo):
    response = api.get("/api/v2/pages/find/?html_path=/pasakumi/miniforums-sociala-uznemejdarbiba-rezeknes-novada/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/api/v2/pages/{demo.pk}/?")


def test_stock_conventions_keep_working(api, demo):
    url = f"/api/v2/pages/?child_of={demo.get_parent().pk}&type=cms.EventReportPage&fields=title&order=-start_date"
    listing = api.get(url).json()
    assert listing["meta"]["total_count"] == 1
    item = listing["items"][0]
    assert item["id"] == demo.pk and item["title"] == demo.title
    assert set(item["meta"]) >= {"type", "detail_url", "html_url", "locale"}
    english = api.get(f"/api/v2/pages/?translation_of={demo.pk}").json()
    assert [item["meta"]["locale"] for item in english["items"]] == ["en"]
    assert api.get("/api/v2/pages/?locale=lv&type=cms.EventReportPage").json()["meta"]["total_count"] == 1
    assert api.get("/api/v2/pages/?search=miniforums").status_code == 200
    detail = api.get(f"/api/v2/pages/{demo.pk}/?fields=-body,-contacts").json()
    assert "body" not in detail and "lead" in detail
