"""With Redis down, the API answers (uncached, correct) and editors can publish; ``/readyz`` says degraded.

Redis here is an address where nothing listens: every connection is refused at once, as while Redis restarts.
"""

import socket

import pytest
from django.core.cache import caches
from django.test import Client

from api import cache as api_cache
from api import generations
from api.cache import local_responses
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from config.settings import base as base_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down(settings):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]

    # The site's own Redis configuration (config.settings.base), pointed where nothing listens.
    production = base_settings.redis_caches(f"redis://127.0.0.1:{port}/0")

    def go_down():
        settings.CACHES = {**settings.CACHES, **production}
        local_responses.clear()

    yield go_down
    api_cache.outage.owed.clear()
    local_responses.clear()
    # A mirror made while the cache pointed here keeps its connection: later tests must get their own.
    generations.close_mirrors()


def test_the_site_caches_ignore_an_unreachable_redis_but_the_api_cache_does_not():
    # The API's cache must notice a missed invalidation (api.cache pays it); the others only lose speed.
    options = {alias: config["OPTIONS"] for alias, config in base_settings.redis_caches("redis://x").items()}
    assert {alias: option["IGNORE_EXCEPTIONS"] for alias, option in options.items()} == {
        "default": True,
        "api": False,
        "renditions": True,
    }


def test_with_redis_down_the_api_answers_and_a_publish_commits(
    redis_down, settings, django_capture_on_commit_callbacks
):
    settings.CMS_API_BUMP_RETRY_SECONDS = 3600  # paid by the next lookup here, not by the background retry
    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    client = Client(HTTP_HOST="localhost")
    url = f"/api/v2/pages/{report.pk}/"
    listing = "/api/v2/pages/?type=cms.EventReportPage"
    before = client.get(url).json()
    before_listing = client.get(listing).json()

    redis_down()
    detail = client.get(url)
    assert detail.status_code == 200 and detail.json() == before
    assert client.get(listing).json() == before_listing
    assert client.get(url, HTTP_IF_NONE_MATCH=detail["ETag"]).status_code == 304  # validators still work

    report.title = "Publicēts, kamēr Redis nestrādā"
    with django_capture_on_commit_callbacks(execute=True):
        report.save_revision().publish()
    report.refresh_from_db()
    assert report.title == "Publicēts, kamēr Redis nestrādā"  # committed
    assert client.get(url).json()["title"] == "Publicēts, kamēr Redis nestrādā"
    assert api_cache.outage.bump_owed

    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "degraded" and ready.json()["checks"]["cache"]["ok"] is False
    assert caches["default"].get("anything") is None  # ignored, not raised
