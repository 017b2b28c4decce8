"""The Django side of the benchmark, one child process per task: ``python -m bench.inprocess <task> [info]``.

Django settings (and so the database) are fixed per process, so ``bench.run`` stays free of Django and starts
this module with ``DATABASE_URL`` set for the database under test. Tasks:

- ``prepare``: migrate the fresh database, build the content, make the renditions; prints the ids as JSON.
- ``queries``: SQL queries per request (``CaptureQueriesContext``), ours and the stock pattern; prints JSON.
- ``invalidate``: in one process (one cache), publish a change to a person shown in the report and check that
  the next detail response shows it; prints JSON.
- ``profile``: cProfile of in-process requests; prints where the time goes.
- ``clear-cache``: delete the benchmark's own keys from the cache (Redis runs).
- ``publishing``: publish latency (and SQL queries) of a person shown on 0, 100 and 1,000 reports, and the change
  feed's throughput (``bench.publishing``); run after the other phases, since it adds reports.
- ``archive``: listings, filters and search as the archive grows to ``info["sizes"]`` reports
  (``bench.archive``); run on a copy of the freshly prepared database, since it adds thousands of reports.

Requests go through Django's test client, i.e. the whole middleware stack and URL routing, without HTTP.
"""

import cProfile
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from . import paths


def setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


_client = None


def client():
    """One client for the whole process: a new one would load the middleware again on its first request."""
    global _client
    if _client is None:
        from django.test import Client

        _client = Client(HTTP_HOST="127.0.0.1")
    return _client


def get(path, **headers):
    response = client().get(path, **headers)
    if response.status_code not in (200, 304):
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return response


# --- prepare ----------------------------------------------------------------------------------------------
def prepare(_info):
    from django.conf import settings
    from django.core.management import call_command
    from wagtail.images import get_image_model

    from api.shapes import rendition_specs

    from . import content
    from .stock import STOCK_RENDITIONS

    settings.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    clear_cache(None)
    call_command("migrate", interactive=False, verbosity=0)
    info = content.build()
    # Renditions exist before the first request, as on a site that has been viewed before: the benchmark
    # measures serving, not image resizing.
    specs = sorted(set(rendition_specs().values()) | set(STOCK_RENDITIONS.values()))
    for image in get_image_model().objects.all():
        image.get_renditions(*specs)
    return info


def clear_cache(_info):
    from django.core.cache import caches

    for cache in caches.all(initialized_only=False):
        if hasattr(cache, "delete_pattern"):  # django-redis: only our KEY_PREFIX, never the whole Redis database
            cache.delete_pattern("*")
        else:
            cache.clear()
    return {"cleared": True}


# --- query counts -----------------------------------------------------------------------------------------
def count_queries(path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        get(path)
    return len(captured.captured_queries)


def count_second(path):
    """Queries of the second request: the first fills what stays cached between requests (response cache for
    ours; for the stock pattern, renditions in Wagtail's rendition cache, site roots, content types)."""
    get(path)
    return count_queries(path)


def queries(info):
    """Steady state: a throw-away request first for each page, so one-off lookups (site roots, content types,
    each page's type) are cached."""
    for pk in info["detail_ids"].values():
        get(paths.with_param(paths.API_DETAIL.format(pk=pk), "_", "warm-up"))
    rows = []
    for blocks, pk in sorted(info["detail_ids"].items(), key=lambda item: int(item[0])):
        ours = paths.API_DETAIL.format(pk=pk)
        rows.append(
            {
                "what": f"detail, {blocks} blocks",
                "cold": count_queries(paths.with_param(ours, "_", f"count-{blocks}")),
                "warm": count_second(ours),
                "stock": count_second(paths.STOCK_DETAIL.format(pk=pk)),
            }
        )
    listing = paths.API_LISTING
    rows.append(
        {
            "what": "listing, 20 cards",
            "cold": count_queries(paths.with_param(listing, "_", "count")),
            "warm": count_second(listing),
            "stock": count_second(paths.STOCK_LISTING),
        }
    )
    return {"rows": rows}


# --- invalidation -----------------------------------------------------------------------------------------
def invalidate(info):
    from cms.models import Person

    detail = paths.API_DETAIL.format(pk=info["detail_id"])
    before = get(detail)
    again = get(detail)
    person = Person.objects.get(pk=info["person_id"])
    marker = f"{person.name.split(' (')[0]} (in-process {time.time_ns()})"
    person.name = marker
    person.save_revision().publish()
    after = get(detail)
    stale_validator = get(detail, HTTP_IF_NONE_MATCH=before["ETag"])
    return {
        "cached_before": before["ETag"] == again["ETag"],
        "shows_change": marker.encode() in after.content,
        "etag_changed": after["ETag"] != before["ETag"],
        "old_etag_gets_200": stale_validator.status_code == 200,
    }


# --- profile ----------------------------------------------------------------------------------------------
ROOT = str(Path(__file__).resolve().parent.parent)

# Self time by package: where the CPU is actually spent.
BUCKETS = [
    ("test client (harness)", ("django/test/",)),
    ("database: ORM", ("django/db/",)),
    ("database: driver", ("psycopg", "sqlite3")),
    ("cache backend + pickle", ("django/core/cache", "django_redis", "/redis/", "_pickle", "pickle")),
    ("middleware", ("django/middleware", "django/contrib/", "whitenoise", "wagtail/contrib/redirects")),
    ("DRF", ("rest_framework/",)),
    ("api/ (ours)", (f"{ROOT}/api/",)),
    ("blocks/ (ours)", (f"{ROOT}/blocks/",)),
    ("Wagtail", ("wagtail/",)),
    ("json", ("json/", "_json")),
    ("Django: handlers, urls, http, utils", ("django/core/handlers", "django/urls", "django/http", "django/utils")),
    ("Django: other", ("django/",)),
]

# Cumulative time of named steps (a step missing from the code, e.g. after a refactoring, is left out).
PHASES = [
    ("our cache middleware (a hit is answered here, after the other middleware)", "api/middleware.py", "__call__"),
    ("  our cache: lookup (generations + entry)", "api/cache.py", "lookup"),
    ("DRF dispatch, i.e. the whole view", "rest_framework/views.py", "dispatch"),
    ("  DRF request wrapping", "rest_framework/viewsets.py", "initialize_request"),
    ("  DRF + our initial() (Resolver, parameter checks, negotiation)", "api/endpoints/base.py", "initial"),
    ("    DRF content negotiation", "rest_framework/views.py", "perform_content_negotiation"),
    ("  our cache: generations (stamp)", "api/cache.py", "current_stamp"),
    ("  building on a miss", "api/endpoints/pages.py", "build"),
    ("    resolver: loading what the page refers to", "api/resolver.py", "resolve"),
    ("    image shapes (renditions)", "api/shapes.py", "image"),
    ("    person shapes", "api/shapes.py", "person"),
    ("    JSON-LD", "api/jsonld.py", "event_report_jsonld"),
    ("    json.dumps", "json/__init__.py", "dumps"),
    ("  HTTP response + conditional (ETag, 304)", "api/cache.py", "respond"),
    ("  trivial view", "bench/views.py", "_trivial"),
    ("  stock: override stream blocks", "bench/stock.py", "to_representation"),
    ("  stock: image renditions one by one", "bench/stock.py", "image_data"),
    ("SQL execution (compiler.execute_sql)", "django/db/models/sql/compiler.py", "execute_sql"),
]


def bucket(filename, name):
    where = f"{filename}:{name}"
    for label, needles in BUCKETS:
        if any(needle in where for needle in needles):
            return label
    return "other (stdlib, builtins)"


def profile_path(label, path, repeat, headers=None, bust=False):
    """CPU time per request unprofiled (``process_time``: steady under machine noise; a PostgreSQL server's own
    work is not in it), then shares from cProfile. Profiling inflates call-heavy code, so shares are approximate.
    """
    headers = headers or {}
    counter = iter(range(10**9))

    def target():
        return paths.with_param(path, "_", f"profile-{time.time_ns()}-{next(counter)}") if bust else path

    for _ in range(3):
        get(target(), **headers)  # fill caches, open the connection
    started = time.process_time()
    for _ in range(repeat):
        get(target(), **headers)
    cpu_ms = (time.process_time() - started) * 1000 / repeat
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        get(target(), **headers)
    profiler.disable()
    stats = pstats.Stats(profiler).stats
    total = sum(row[2] for row in stats.values())  # self times add up to the whole
    by_bucket = defaultdict(float)
    for (filename, _line, name), row in stats.items():
        by_bucket[bucket(filename, name)] += row[2]
    phases = []
    for phase, file_suffix, function in PHASES:
        # The outermost call has the largest cumulative time; nested calls of the same function are inside it.
        found = [
            row[3]
            for (filename, _line, name), row in stats.items()
            if filename.endswith(file_suffix) and name == function
        ]
        if found:
            phases.append((max(found) / total, phase))
    top = sorted(
        ((row[2] / total, f"{_short(filename)}:{name}") for (filename, _l, name), row in stats.items()), reverse=True
    )
    return {
        "label": label,
        "cpu_ms_per_request": cpu_ms,
        "phases": phases,
        "buckets": sorted(((share / total, name) for name, share in by_bucket.items()), reverse=True),
        "top_self": top[:6],
    }


def _short(filename):
    for marker in ("site-packages/", f"{ROOT}/", "python3.11/"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return filename


def profile(info):
    os.environ["BENCH_DETAIL_PATH"] = paths.API_DETAIL.format(pk=info["detail_id"])
    os.environ["BENCH_LISTING_PATH"] = paths.API_LISTING
    detail, listing = os.environ["BENCH_DETAIL_PATH"], paths.API_LISTING
    etag, listing_etag = get(detail)["ETag"], get(listing)["ETag"]
    return {
        "profiles": [
            profile_path("trivial detail", paths.TRIVIAL_DETAIL, 2000),
            profile_path("warm detail", detail, 2000),
            profile_path("304 detail", detail, 2000, {"HTTP_IF_NONE_MATCH": etag}),
            profile_path("trivial 304", paths.TRIVIAL_DETAIL, 2000, {"HTTP_IF_NONE_MATCH": etag}),
            profile_path("warm listing", listing, 2000),
            profile_path("304 listing", listing, 2000, {"HTTP_IF_NONE_MATCH": listing_etag}),
            profile_path("cold detail", detail, 40, bust=True),
            profile_path("stock + per-block override detail", paths.STOCK_DETAIL.format(pk=info["detail_id"]), 10),
            profile_path("cold listing", listing, 60, bust=True),
            profile_path("stock fields=* listing", paths.STOCK_LISTING, 3),
        ]
    }


def publishing(info):
    from . import publishing as publishing_bench

    return publishing_bench.measure(info)


def archive(info):
    from . import archive as archive_bench

    return archive_bench.measure(info)


TASKS = {
    "prepare": prepare,
    "queries": queries,
    "invalidate": invalidate,
    "profile": profile,
    "clear-cache": clear_cache,
    "publishing": publishing,
    "archive": archive,
}


def main():
    task = sys.argv[1]
    info = json.loads(sys.argv[2]) if len(sys.argv) > 2 else None
    setup()
    sys.stdout.write(json.dumps(TASKS[task](info)) + "\n")


if __name__ == "__main__":
    main()
