"""During a rolling deploy two releases share the response cache: neither serves what the other stored, and an
edit invalidates both (api.cache.release)."""

import pytest
from django.core.cache import caches
from django.test import Client

from api import cache as api_cache
from api.cache import local_responses
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_release(settings):
    def switch(name):
        settings.CMS_RELEASE = name
        api_cache.release.cache_clear()
        local_responses.clear()  # another release runs in other processes

    caches["api"].clear()
    yield switch
    api_cache.release.cache_clear()


def test_each_release_serves_only_what_it_stored(as_release, rf):
    request = rf.get("/api/v2/pages/1/", {"fields": "title"})
    as_release("2026.12.1")
    old_key = api_cache.cache_key(request)
    as_release("2026.12.2")
    assert api_cache.cache_key(request) != old_key
    as_release("2026.12.1")
    assert api_cache.cache_key(request) == old_key


def test_an_edit_under_one_release_invalidates_the_others_answers(as_release, django_capture_on_commit_callbacks):
    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    client = Client(HTTP_HOST="localhost")
    url = f"/api/v2/pages/{report.pk}/"
    as_release("old")
    client.get(url)  # stored by the old release
    as_release("new")
    report.title = "Jaunās versijas labojums"
    with django_capture_on_commit_callbacks(execute=True):
        report.save_revision().publish()
    as_release("old")
    assert client.get(url).json()["title"] == "Jaunās versijas labojums"


def test_without_a_release_name_the_code_is_its_fingerprint(settings):
    settings.CMS_RELEASE = ""
    api_cache.release.cache_clear()
    try:
        fingerprint = api_cache.release()
        assert len(fingerprint) == 16 and fingerprint == api_cache.release()
    finally:
        api_cache.release.cache_clear()
