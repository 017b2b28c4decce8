"""The per-process mirror of cache generations (``api.generations``), against a real Redis (see
``tests.api.redis_support``).

Two mirrors in one test stand for two server processes: each has its own subscription connection, so an
announcement travels through Redis exactly as between processes. Redis is taken from ``CMS_TEST_REDIS_URL``
(database 14 on 127.0.0.1 by default); without one the tests are skipped, unless ``CMS_TEST_REQUIRE_REDIS=1``
(set by CI when Redis answers), which turns a missing Redis into a failure.
"""

import os
import time

import pytest
from django.core.cache import caches

from api import cache as api_cache
from api import generations
from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import PersonFactory
from tests.api.redis_support import ALIAS, publishing_process, redis_api_cache


@pytest.fixture
def redis_cache(settings):
    yield from redis_api_cache(settings, mirror=True)


def wait_for(condition, what, seconds=2.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


def subscribed(mirror):
    """A mirror that has its subscription confirmed (the first requests read Redis until then)."""
    wait_for(lambda: mirror.token() is not None, "the subscription to be confirmed")
    return mirror


def as_process(mirror):
    """Make ``mirror`` the one this process uses, as if the test were now running in its process."""
    generations._mirrors[generations.mirror_key(ALIAS)] = mirror


class RoundTrips:
    """Counts the generation reads that go to Redis."""

    def __init__(self, cache, monkeypatch):
        self.count = 0
        get_many = cache.get_many

        def counting(*args, **kwargs):
            self.count += 1
            return get_many(*args, **kwargs)

        monkeypatch.setattr(cache, "get_many", counting)


def stamp(*scopes):
    return api_cache.current_stamp(list(scopes))


def test_without_redis_there_is_no_mirror(settings):
    assert generations.mirror_for("default", caches["default"]) is None


def test_the_mirror_can_be_switched_off(redis_cache, settings, monkeypatch):
    settings.CMS_API_GENERATIONS_MIRROR = False
    assert generations.mirror_for(ALIAS, redis_cache) is None
    trips = RoundTrips(redis_cache, monkeypatch)
    assert stamp("page:1") == stamp("page:1")
    assert trips.count == 2  # every lookup asks Redis


def test_a_subscribed_process_reads_generations_without_a_round_trip(redis_cache, monkeypatch):
    mirror = subscribed(generations.mirror_for(ALIAS, redis_cache))
    trips = RoundTrips(redis_cache, monkeypatch)
    first = stamp("page:1", "listings")
    assert trips.count == 1  # read once from Redis ...
    assert [stamp("page:1", "listings") for _ in range(5)] == [first] * 5
    assert trips.count == 1  # ... then from this process's copy
    assert first == tuple(redis_cache.get_many(["api:gen:page:1", "api:gen:listings"]).values())
    assert mirror.confirmed


def test_a_bump_in_another_process_is_seen_by_the_next_request(redis_cache, monkeypatch):
    reader = subscribed(generations.GenerationMirror(ALIAS, max_age=60))
    as_process(reader)
    before = stamp("page:1")
    assert stamp("page:1") == before  # now held by the reader

    publisher = subscribed(generations.GenerationMirror(ALIAS, max_age=60))
    as_process(publisher)
    api_cache.bump("page:1")  # what the publishing process does after its commit

    as_process(reader)
    trips = RoundTrips(redis_cache, monkeypatch)
    after = stamp("page:1")
    assert after != before
    assert after == (redis_cache.get("api:gen:page:1"),)
    assert trips.count == 1
    publisher.close()


def test_an_announcement_during_a_read_discards_what_was_read(redis_cache):
    reader = subscribed(generations.GenerationMirror(ALIAS, max_age=60))
    publisher = subscribed(generations.GenerationMirror(ALIAS, max_age=60))
    token = reader.token()
    old = {"api:gen:page:1": "read-before-the-bump"}
    publisher.announce(["api:gen:page:1"])
    wait_for(lambda: reader.pubsub.connection.can_read(timeout=0), "the announcement to arrive")
    reader.fill(token, old)
    assert reader.get(["api:gen:page:1"]) is None
    # Without an announcement in between, what was read is kept.
    reader.fill(reader.token(), old)
    assert reader.get(["api:gen:page:1"]) == {"api:gen:page:1": "read-before-the-bump"}
    publisher.close()
    reader.close()


def test_a_lost_subscription_falls_back_to_redis_and_resubscribes(redis_cache, monkeypatch):
    reader = subscribed(generations.GenerationMirror(ALIAS, max_age=60))
    as_process(reader)
    before = stamp("page:1")
    assert stamp("page:1") == before

    # The subscription dies (Redis restarted, connection reset) and a bump is announced meanwhile.
    killed = [
        client["id"]
        for client in redis_cache.client.get_client().client_list()
        if client["name"] == f"novads-cms-api-generations-{os.getpid()}" and "subscribe" in client["cmd"]
    ]
    assert killed
    for client_id in killed:
        redis_cache.client.get_client().client_kill_filter(_id=client_id)
    redis_cache.set("api:gen:page:1", "bumped-while-disconnected", None)

    trips = RoundTrips(redis_cache, monkeypatch)
    assert stamp("page:1") == ("bumped-while-disconnected",)
    assert not reader.confirmed
    assert stamp("page:1") == ("bumped-while-disconnected",)
    assert trips.count == 2  # no trust until subscribed again

    monkeypatch.setattr(reader, "retry_at", 0.0)
    subscribed(reader)
    stamp("page:1")
    count = trips.count
    assert stamp("page:1") == ("bumped-while-disconnected",)
    assert trips.count == count  # trusted again


def test_no_generation_is_trusted_longer_than_the_max_age(redis_cache, monkeypatch):
    reader = subscribed(generations.GenerationMirror(ALIAS, max_age=0.05))
    as_process(reader)
    trips = RoundTrips(redis_cache, monkeypatch)
    stamp("page:1")
    stamp("page:1")
    assert trips.count == 1
    time.sleep(0.06)
    stamp("page:1")
    assert trips.count == 2


@pytest.mark.django_db
def test_publishing_through_the_api_with_redis(redis_cache, monkeypatch, publish):
    from django.test import Client

    api = Client(HTTP_HOST="localhost")
    person = PersonFactory(name="Anna Bērziņa")
    page = EventReportPageFactory(body__0__speaker__person=person)
    url = f"/api/v2/pages/{page.pk}/"
    subscribed(generations.mirror_for(ALIAS, redis_cache))
    api.get(url)
    api.get(url)
    trips = RoundTrips(redis_cache, monkeypatch)
    assert api.get(url).json()["body"][0]["value"]["person"]["name"] == "Anna Bērziņa"
    assert trips.count == 0  # a hit: no network at all

    person.name = "Anna Kalniņa"
    publish(person)
    assert api.get(url).json()["body"][0]["value"]["person"]["name"] == "Anna Kalniņa"


def test_a_bump_in_another_process_is_seen_by_the_very_next_lookup(redis_cache):
    """The publishing side as it runs: ``api.cache.bump`` (which announces) in a process of its own, after
    which this process looks, through its subscribed mirror."""
    subscribed(generations.mirror_for(ALIAS, redis_cache))
    with publishing_process(redis_cache) as bump:
        before = stamp("all", "page:1")
        for number in range(30):
            scope = "page:1" if number % 3 else "all"
            bump(scope)
            after = stamp("all", "page:1")
            assert after != before, f"bump {number} of {scope} not seen"
            assert after == tuple(redis_cache.get_many(["api:gen:all", "api:gen:page:1"]).values())
            before = after
