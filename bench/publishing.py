"""What a publish costs as the archive grows, and how fast the change feed reads (``bench.inprocess publishing``).

For each N in ``SHOWN_ON``, a person shown on N reports (one speaker block each, in a section of its own, made
after every other measurement so the listing scenarios are untouched) is renamed and published through a
revision, as an editor would, ``REPEAT`` times. Each publish is timed whole (the save, the revision, Wagtail's
reference index, the change event with its affected set, the cache invalidation after commit), and the change
log's part of it (``cms.changes.record``: computing the affected set and writing the row) and the cache's
(``api.cache.invalidate``) separately. Then the change feed is read from the start to the end, pages of 100,
for a few seconds.
"""

import datetime
import statistics
import time

SHOWN_ON = (0, 100, 1000)
REPEAT = 5
FEED_SECONDS = 3.0


class Timer:
    """Wraps a module function and adds up the time spent in it."""

    def __init__(self, module, name):
        self.module, self.name, self.original = module, name, getattr(module, name)
        self.seconds = 0.0
        setattr(module, name, self)

    def __call__(self, *args, **kwargs):
        started = time.perf_counter()
        try:
            return self.original(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - started

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
    from django.db import transaction
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
        totals, logs, caches = [], [], []
        for n in range(REPEAT + 1):  # the first one warms up (queries compiled, caches filled) and is dropped
            record = Timer(changes, "record")
            invalidate = Timer(api_cache, "invalidate")
            try:
                _rewire_invalidation(invalidate)
                person.refresh_from_db()
                person.job_title = f"Vadītāja {n}"
                started = time.perf_counter()
                person.save_revision().publish()  # autocommit: the on-commit invalidation runs inside
                totals.append(time.perf_counter() - started)
            finally:
                _restore_invalidation(invalidate.original)
                record.restore()
                invalidate.restore()
            logs.append(record.seconds)
            caches.append(invalidate.seconds)
        totals, logs, caches = totals[1:], logs[1:], caches[1:]
        event = ChangeEvent.objects.filter(object_type="cms.person", object_id=str(person.pk)).last()
        rows.append(
            {
                "shown_on": count,
                "pages_affected": len(event.affected["pages"]),
                "publish_ms": statistics.median(totals) * 1000,
                "change_log_ms": statistics.median(logs) * 1000,
                "invalidation_ms": statistics.median(caches) * 1000,
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
