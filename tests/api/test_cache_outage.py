"""The response cache's invariant through outages of the shared cache: a cached response equals a fresh one,
while the cache cannot be reached (the API answers uncached) and after it answers again with what it held
before (a bump it missed is paid by bumping everything). Hypothesis interleaves the editor operations of
``test_cache_oracle`` with the cache going down and coming back."""

import pytest
from django.core.cache import caches
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api import cache as api_cache
from api.cache import local_responses

from .flaky_cache import Switch
from .test_cache_oracle import EXAMPLES, NO_CACHE, OPERATIONS, Rollback, World, fresh, without_request_id

pytestmark = pytest.mark.django_db

FLAKY = {"BACKEND": "tests.api.flaky_cache.FlakyCache", "LOCATION": "flaky-api"}


def cache_goes_down(world):
    Switch.down = True


def cache_comes_back(world):
    Switch.down = False


@pytest.fixture
def flaky_settings(settings):
    settings.CACHES = {**settings.CACHES, "api": FLAKY, "nocache": NO_CACHE}
    # The owed bump is paid by the next lookup here; the background retry would race the oracle's switches.
    settings.CMS_API_BUMP_RETRY_SECONDS = 3600
    Switch.down = False
    # Kept across tests like any local-memory cache, while each test's database starts again.
    caches["api"].clear()
    local_responses.clear()
    yield settings
    Switch.down = False
    api_cache.outage.owed.clear()


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.sampled_from([*OPERATIONS, cache_goes_down, cache_comes_back, cache_goes_down, cache_comes_back]),
        min_size=2,
        max_size=8,
    )
)
def test_a_cached_response_equals_a_fresh_one_through_cache_outages(
    steps, api, flaky_settings, django_capture_on_commit_callbacks
):
    Switch.down = False
    api_cache.outage.owed.clear()
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    try:
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                world = World()
            urls = world.urls()
            for url in urls:
                api.get(url)  # cached before any edit
            for number, step in enumerate([*steps, cache_comes_back], 1):
                with django_capture_on_commit_callbacks(execute=True):
                    step(world)
                for url in urls:
                    cached = api.get(url)
                    expected = fresh(api, flaky_settings, url)
                    where = f"after step {number} ({', '.join(s.__name__ for s in steps[:number])}): {url}"
                    assert cached.status_code == expected.status_code, where
                    assert without_request_id(cached) == without_request_id(expected), where
            raise Rollback
    except Rollback:
        pass
    finally:
        Switch.down = False


def test_an_outage_is_answered_uncached_and_a_missed_bump_is_paid_when_it_ends(
    api, flaky_settings, django_capture_on_commit_callbacks
):
    from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory

    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    url = f"/api/v2/pages/{report.pk}/"
    before = api.get(url).json()["title"]  # cached now
    Switch.down = True
    local_responses.clear()  # as another process would be: nothing of its own
    assert api.get(url).json()["title"] == before  # answered, uncached
    report.title = "Jauns virsraksts"
    with django_capture_on_commit_callbacks(execute=True):
        report.save_revision().publish()  # its invalidation cannot be written
    assert api_cache.outage.bump_owed
    assert api_cache.health_check() == {**api_cache.health_check(), "ok": False, "error": "ConnectionError"}
    assert api.get(url).json()["title"] == "Jauns virsraksts"  # still uncached, so current
    Switch.down = False
    # Back, with the entry of the old title still in it: the owed bump is paid before anything is read.
    assert api_cache.health_check()["ok"] is False
    assert api.get(url).json()["title"] == "Jauns virsraksts"
    assert not api_cache.outage.bump_owed and api_cache.health_check()["ok"] is True
