"""Publishing something shown on many reports costs the same few queries and one cache write whatever the number.

A person shown on a thousand reports makes a thousand and two cache generations stale (each report, listings,
snippets); they are written in one command, and the change log finds the reports in a fixed number of queries.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from api import cache as api_cache
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import PersonFactory
from cms.factories.streams import ReportBodyFactory
from cms.models import ChangeEvent

pytestmark = pytest.mark.django_db


def person_shown_on(count):
    person = PersonFactory()
    index = EventReportIndexPageFactory(slug=f"pasakumi-{count}")
    for _ in range(count):
        page = EventReportPageFactory(parent=index, body=ReportBodyFactory.stream([("speaker", {"person": person})]))
        page.save_revision().publish()
    return person


def publish_queries(person, django_capture_on_commit_callbacks):
    person.job_title = f"{person.job_title} (jauns)"
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        person.save_revision().publish()
    return len(queries)


def test_a_publish_costs_the_same_queries_on_two_reports_and_on_twelve(django_capture_on_commit_callbacks):
    few, many = person_shown_on(2), person_shown_on(12)
    # Warm: content types and the like are looked up once per process.
    publish_queries(few, django_capture_on_commit_callbacks)
    publish_queries(many, django_capture_on_commit_callbacks)
    assert publish_queries(few, django_capture_on_commit_callbacks) == publish_queries(
        many, django_capture_on_commit_callbacks
    )
    event = ChangeEvent.objects.filter(object_type="cms.person", object_id=str(many.pk)).last()
    assert len(event.affected["pages"]) == 12


class CountingCache:
    """Wraps a cache and counts the calls that reach it."""

    def __init__(self, cache):
        self.cache, self.calls = cache, []

    def __getattr__(self, name):
        attribute = getattr(self.cache, name)
        if callable(attribute):

            def counted(*args, **kwargs):
                self.calls.append(name)
                return attribute(*args, **kwargs)

            return counted
        return attribute


def test_a_thousand_generations_are_bumped_in_one_write(monkeypatch):
    scopes = [f"page:{pk}" for pk in range(1, 1001)] + [api_cache.LISTINGS, api_cache.SNIPPETS]
    before = api_cache.current_stamp(scopes)
    counting = CountingCache(api_cache.response_cache())
    monkeypatch.setattr(api_cache, "response_cache", lambda: counting)
    monkeypatch.setattr(api_cache, "caches", {api_cache._alias(): counting})
    api_cache.bump(*scopes)
    writes = [name for name in counting.calls if name not in ("make_key",)]
    assert writes in (["set_many"], []), writes  # [] : Redis, written by one MSET on its own client
    monkeypatch.undo()
    after = api_cache.current_stamp(scopes)
    assert all(old != new for old, new in zip(before, after, strict=True))


@pytest.fixture
def redis_cache(settings):
    from .redis_support import redis_api_cache

    yield from redis_api_cache(settings, mirror=True)


def test_on_redis_a_thousand_generations_and_their_announcement_are_one_round_trip(redis_cache, monkeypatch):
    import redis.connection

    from api import generations

    scopes = [f"page:{pk}" for pk in range(1, 1001)] + [api_cache.LISTINGS, api_cache.SNIPPETS]
    before = api_cache.current_stamp(scopes)
    mirror = generations.mirror_for(api_cache._alias(), redis_cache)
    assert mirror is not None
    sent = []
    original = redis.connection.AbstractConnection.send_packed_command

    def counting(connection, command, *args, **kwargs):
        sent.append(command)
        return original(connection, command, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", counting)
    api_cache.bump(*scopes)
    monkeypatch.undo()
    assert len(sent) == 1, f"{len(sent)} round trips"
    after = api_cache.current_stamp(scopes)
    assert all(old != new for old, new in zip(before, after, strict=True))
    # Stored as django-redis stores them: read back through the cache, integers.
    assert all(isinstance(value, int) for value in redis_cache.get_many([f"api:gen:{s}" for s in scopes]).values())
