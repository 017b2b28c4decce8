"""The cache generations with a real Redis and the mirror switched off (``CMS_API_GENERATIONS_MIRROR=false``,
for a Redis without pub/sub): every lookup reads them from Redis, so no process can lag behind.

The invariant: a bump whose write has returned — in any process, over any connection — is seen by the very
next lookup in every process, and nothing a process holds (a connection that broke, a response it served
before) can make it serve an outdated stamp. Redis is taken from ``CMS_TEST_REDIS_URL`` (database 14 on
127.0.0.1 by default); without one the tests are skipped, unless ``CMS_TEST_REQUIRE_REDIS=1`` (set by CI when
Redis answers), which turns a missing Redis into a failure.
"""

import socket
import threading
import time

import pytest
from django.core.cache import caches

from api import cache as api_cache
from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import PersonFactory
from tests.api.redis_support import ALIAS, REDIS_URL, publishing_process, redis_api_cache


@pytest.fixture
def redis_cache(settings):
    yield from redis_api_cache(settings, mirror=False)


@pytest.fixture
def other_connection():
    """A Redis connection of its own, as another server process has."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    yield client
    client.close()


def this_process(cache):
    """The redis-py client this thread's cache uses (django-redis's public accessor)."""
    from django_redis import get_redis_connection

    return get_redis_connection(ALIAS)


class Commands:
    """The commands this thread's cache sends to Redis, by name."""

    def __init__(self, cache, monkeypatch):
        self.names = []
        client = this_process(cache)
        execute = client.execute_command

        def counting(*args, **options):
            self.names.append(str(args[0]).upper())
            return execute(*args, **options)

        monkeypatch.setattr(client, "execute_command", counting)


def stamp(*scopes):
    return api_cache.current_stamp(list(scopes))


def generation(cache, scope):
    """The key a generation is stored under in Redis (what another process writes)."""
    return cache.make_key(f"api:gen:{scope}")


def test_every_lookup_reads_the_generations_in_one_round_trip(redis_cache, monkeypatch):
    first = stamp("all", "page:1", "listings")  # creates them
    commands = Commands(redis_cache, monkeypatch)
    assert [stamp("all", "page:1", "listings") for _ in range(5)] == [first] * 5
    assert commands.names == ["MGET"] * 5
    assert first == tuple(redis_cache.get_many(["api:gen:all", "api:gen:page:1", "api:gen:listings"]).values())


def test_a_bump_over_another_connection_is_seen_by_the_very_next_lookup(redis_cache, other_connection):
    stamp("page:1", "listings")
    assert other_connection.client_id() != this_process(redis_cache).client_id()
    for number in range(300):
        other_connection.set(generation(redis_cache, "page:1"), number)  # django-redis keeps integers as they are
        assert stamp("page:1", "listings")[0] == number


def test_a_bump_in_another_process_is_seen_by_the_very_next_lookup(redis_cache):
    """The publishing side as it runs: ``api.cache.bump`` in a process of its own, after which this one looks."""
    with publishing_process(redis_cache) as bump:
        before = stamp("all", "page:1")
        for number in range(30):
            scope = "page:1" if number % 3 else "all"
            bump(scope)
            after = stamp("all", "page:1")
            assert after != before, f"bump {number} of {scope} not seen"
            assert after == tuple(redis_cache.get_many(["api:gen:all", "api:gen:page:1"]).values())
            before = after


def test_a_dropped_connection_gives_correct_reads(redis_cache, other_connection):
    stamp("page:1")
    for number in range(10):
        # The connection this process reads with dies (Redis restarted, connection reset, an idle timeout),
        # and a bump happens meanwhile.
        other_connection.client_kill_filter(_id=this_process(redis_cache).client_id())
        other_connection.set(generation(redis_cache, "page:1"), 1000 + number)
        assert stamp("page:1") == (1000 + number,)


def test_without_redis_a_lookup_finds_nothing_instead_of_serving_what_this_process_holds(redis_cache, settings, rf):
    import redis

    request = rf.get("/api/v2/pages/1/")
    _entry, current, key = api_cache.lookup(["page:1"], request)
    api_cache.store(key, {"stamp": current, "body": b"{}", "etag": '"x"', "lm": None})
    assert api_cache.lookup(["page:1"], request)[0] is not None  # served from this process's memory

    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        ALIAS: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/14",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1},
        },
    }
    # Unreachable: nothing is served from this process's memory either (its entries are only trusted against
    # the shared generations), and what is built is not stored (no stamp).
    assert api_cache.lookup(["page:1"], request) == (None, None, key)
    assert api_cache.health_check()["error"] == redis.ConnectionError.__name__


def test_threads_never_see_a_generation_older_than_the_last_bump(redis_cache, other_connection):
    """gunicorn's gthread workers: threads of one process look up while another process bumps."""
    key = generation(redis_cache, "page:1")
    other_connection.set(key, 0)
    published = [0]  # the last bump whose write has returned
    failures = []
    lookups = []
    stop = time.monotonic() + 1.5

    def look_up():
        count = 0
        try:
            while time.monotonic() < stop:
                before = published[0]
                seen = stamp("page:1", "listings")[0]
                if seen < before:
                    failures.append(f"saw {seen} after {before} was written")
                count += 1
        except Exception as error:  # pragma: no cover - reported below
            failures.append(repr(error))
        finally:
            caches[ALIAS].close()
            lookups.append(count)

    def bump():
        number = 0
        while time.monotonic() < stop:
            number += 1
            other_connection.set(key, number)
            published[0] = number
            time.sleep(0.0005)

    threads = [threading.Thread(target=look_up) for _ in range(4)] + [threading.Thread(target=bump)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures[:5]
    assert len(lookups) == 4 and min(lookups) > 50, lookups
    assert published[0] > 50


@pytest.mark.django_db
def test_publishing_through_the_api_with_redis(redis_cache, monkeypatch, publish):
    from django.test import Client

    api = Client(HTTP_HOST="localhost")
    person = PersonFactory(name="Anna Bērziņa")
    page = EventReportPageFactory(body__0__speaker__person=person)
    url = f"/api/v2/pages/{page.pk}/"
    api.get(url)
    api.get(url)
    commands = Commands(redis_cache, monkeypatch)
    assert api.get(url).json()["body"][0]["value"]["person"]["name"] == "Anna Bērziņa"
    assert commands.names == ["MGET"]  # a hit: the generations, and the response from this process's memory

    person.name = "Anna Kalniņa"
    publish(person)
    assert api.get(url).json()["body"][0]["value"]["person"]["name"] == "Anna Kalniņa"
