"""What a publish costs as the archive grows, and how fast the change feed reads (``bench.inprocess publishing``).

For each N in ``SHOWN_ON``, a person shown on N reports (one speaker block each, in a section of its own, made
after every other measurement so the listing scenarios are untouched) is renamed and published through a
revision, as an editor would, ``REPEAT`` times. Each publish is timed whole (the save, the revision, Wagtail's
reference index, the change event with its affected set, the cache invalidation after commit), and the change
log's part of it (``cms.changes.record``: computing the affected set and writing the row) and the cache's
(``api.cache.invalidate``) separately, and the SQL queries of each (all statements the connection executes,
counted with ``connection.execute_wrapper``). Then the change feed is read from the start to the end, pages of
100, for a few seconds.
"""

import datetime
import statistics
import time

SHOWN_ON = (0, 100, 1000)
REPEAT = 5
FEED_SECONDS = 3.0


class QueryCounter:
    """Counts the SQL statements a connection executes (``connection.execute_wrapper``): no debug cursor, no
    limit on how many are counted."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class Timer:
    """Wraps a module function and adds up the time spent in it, and the queries it ran (``counter``)."""

    def __init__(self, module, name, counter):
        self.module, self.name, self.original = module, name, getattr(module, name)
        self.counter = counter
        self.seconds = 0.0
        self.queries = 0
        setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        started, queries = time.perf_counter(), self.counter.count
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries += self.counter.count - queries

    def restore(self):
        setattr(self.module, self.name, self.original)


def _reports(index, person, count, tag):
    from cms.factories.streams import ReportBodyFactory
    from cms.models import EventReportPage

    for n in range(count):
        index.add_child(
            instance=EventReportPage(
                title=f"Ziņojums {tag}-{n}",
                lead="Īss ievads.",
                slug=f"zinojums-{tag}-{n}",
                locale=index.locale,
                start_date=datetime.date(2021, 1, 1),
                event_format="online",
                body=ReportBodyFactory.stream([("speaker", {"person": person})]),
            )
        )


def measure(_info):
    from django.conf import settings
    from django.db import connection, transaction
    from wagtail.models import Locale, Site

    from api import cache as api_cache
    from cms import changes
    from cms.models import ChangeEvent, EventReportIndexPage, Organisation, Person

    from .inprocess import get

    settings.CMS_CHANGE_FEED_SETTLE_SECONDS = 0  # everything here is committed already
    root = Site.objects.get(is_default_site=True).root_page
    locale = Locale.get_default()
    organisation = Organisation.objects.filter(live=True).first()
    rows = []
    for count in SHOWN_ON:
        with transaction.atomic():
            index = root.add_child(instance=EventReportIndexPage(title=f"Arhīvs {count}", slug=f"arhivs-{count}"))
            person = Person(locale=locale, name=f"Publicētāja {count}", job_title="Vadītāja", organisation=organisation)
            person.save()
            person.save_revision().publish()
            started = time.perf_counter()
            _reports(index, person, count, count)
        made = time.perf_counter() - started
        totals, logs, caches, queries = [], [], [], []
        for n in range(REPEAT + 1):  # the first one warms up (queries compiled, caches filled) and is dropped
            counter = QueryCounter()
            record = Timer(changes, "record", counter)
            invalidate = Timer(api_cache, "invalidate", counter)
            try:
                _rewire_invalidation(invalidate)
                person.refresh_from_db()
                person.job_title = f"Vadītāja {n}"
                with connection.execute_wrapper(counter):
                    started = time.perf_counter()
                    person.save_revision().publish()  # autocommit: the on-commit invalidation runs inside
                    totals.append(time.perf_counter() - started)
            finally:
                _restore_invalidation(invalidate.original)
                record.restore()
                invalidate.restore()
            logs.append(record.seconds)
            caches.append(invalidate.seconds)
            queries.append((counter.count, record.queries, invalidate.queries))
        totals, logs, caches, queries = totals[1:], logs[1:], caches[1:], queries[1:]
        event = ChangeEvent.objects.filter(object_type="cms.person", object_id=str(person.pk)).last()
        rows.append(
            {
                "shown_on": count,
                "pages_affected": len(event.affected["pages"]),
                "publish_ms": statistics.median(totals) * 1000,
                "change_log_ms": statistics.median(logs) * 1000,
                "invalidation_ms": statistics.median(caches) * 1000,
                # Queries of the publishes after the warm-up: the same every time (the set is printed if not).
                "publish_queries": sorted({q[0] for q in queries}),
                "change_log_queries": sorted({q[1] for q in queries}),
                "invalidation_queries": sorted({q[2] for q in queries}),
                "reports_made_s": made,
            }
        )
    return {"publishing": rows, "feed": _feed(get, ChangeEvent.objects.count())}


def _rewire_invalidation(timer):
    """The API's receiver is connected by reference: swap it for the timed wrapper while measuring."""
    from cms.changes import change_committed

    change_committed.disconnect(dispatch_uid="api-cache-invalidate")
    change_committed.connect(timer, dispatch_uid="api-cache-invalidate", weak=False)


def _restore_invalidation(original):
    from cms.changes import change_committed

    change_committed.disconnect(dispatch_uid="api-cache-invalidate")
    change_committed.connect(original, dispatch_uid="api-cache-invalidate")


def _feed(get, total):
    requests = events = 0
    started = time.perf_counter()
    while time.perf_counter() - started < FEED_SECONDS:
        cursor = None
        while True:
            path = "/api/v2/changes/?limit=100" + (f"&after={cursor}" if cursor else "")
            data = get(path).json()
            requests += 1
            events += len(data["items"])
            cursor = data["meta"]["next"]
            if not data["meta"]["has_more"]:
                break
    elapsed = time.perf_counter() - started
    return {"events_in_log": total, "requests_per_s": requests / elapsed, "events_per_s": events / elapsed}
