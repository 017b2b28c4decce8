"""Cache purges fed from the change log: what a change event made stale, purged from every configured cache.

Wagtail's own front-end cache integration (``wagtail.contrib.frontend_cache``) purges a page's URL when it is
published, inside the request, and only logs a failure: a cache that was down keeps the old page until it
expires. Here the change log decides what is stale and the outbox makes sure it is purged:

- ``record_purge`` writes one ``PurgeJob`` per change event, in the edit's transaction (a rolled-back edit
  purges nothing), when purge backends are configured (``WAGTAILFRONTENDCACHE``, the same setting and backends
  as Wagtail's). ``frontend_hooks.dispatch`` wakes the worker once the edit has committed.
- ``attempt`` (the ``purge_cache`` task) sends the job's URLs to each backend in batches, and its cache tags to
  each backend that can purge tags (a ``purge_tags(tags)`` method, like ``frontend_hooks.backends``). Wagtail's
  backends never raise: a failure is what they log at WARNING or above on ``wagtail.frontendcache``, caught
  while the call runs. Any failure, logged or raised, leaves the job pending; it is tried again on the outbox's
  schedule (``frontend_hooks.outbox``), and the task queues that retry's wake-up.
- ``sweep`` finds jobs whose wake-up was lost or whose worker died.

What is purged (``purge_targets``): the front-end URLs the change log names (public before or after the edit),
the API's detail URL of every affected page and snippet, the listings whose cache tag the event names,
``/api/v2/pages/find/?html_path=…`` for each front-end path, and the event's cache tags. URL purges reach only
the bare listing (``/api/v2/pages/``), not its variants with query parameters: a cache that must drop those
purges by tag (the API tags every response with the objects and listings it shows).

A change to a site or a locale (``everything``) changes every URL. The job then purges every listing, by URL
and by tag; purging the whole CDN is left to the operator (e.g. a Varnish ``ban``), since Wagtail's backends
have no "purge all". Detail responses left in a cache expire after ``CMS_API_MAX_AGE``.
"""

import contextlib
import datetime
import logging
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.encoding import iri_to_uri

from cms.changes import PAGE, PAGES_LISTING, SNIPPET_LISTINGS
from cms.changes import tag as cache_tag
from cms.frontend import frontend_base_url

from . import outbox
from .events import API_ENDPOINTS
from .models import OutboxState, PurgeJob

logger = logging.getLogger(__name__)

# Where Wagtail's backends report what went wrong (they never raise).
WAGTAIL_LOGGER = "wagtail.frontendcache"
# URLs per ``purge_batch`` call; the claim on the job is renewed between batches, so that a long job is not
# taken by a second worker while the first is still sending it.
URL_BATCH = 50
# Snippet types with an endpoint of their own (people, organisations, contact cards) -> its name.
SNIPPET_ENDPOINTS = {key: name for key, name in API_ENDPOINTS.items() if key != PAGE}
# Listing tags (``cms.changes``) -> the API endpoint whose listing carries the tag.
LISTING_ENDPOINTS = {PAGES_LISTING: "pages", **{tag: SNIPPET_ENDPOINTS[key] for key, tag in SNIPPET_LISTINGS.items()}}


# --- what to purge -------------------------------------------------------------------------------------
def api_base_url():
    """``WAGTAILAPI_BASE_URL`` without a trailing slash (the same fallback as the API's own links)."""
    base = getattr(settings, "WAGTAILAPI_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return base.rstrip("/")


def _api_url(name, **kwargs):
    try:
        return api_base_url() + reverse(f"wagtailapi_v2:{name}", kwargs=kwargs or None)
    except NoReverseMatch:  # an endpoint the site's router leaves out
        return None


def _media_endpoints():
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    return {get_image_model()._meta.label_lower: "images", get_document_model()._meta.label_lower: "documents"}


def _frontend_path(url):
    """The path the front-end asks the API's ``find`` for: the URL below ``CMS_FRONTEND_BASE_URL``, with the
    language prefix (``/en/…``), as ``cms.frontend`` builds it."""
    base = frontend_base_url()
    if url.startswith(base + "/"):
        return url[len(base) :]
    return urlsplit(url).path or "/"


def purge_targets(event):
    """``(urls, tags)`` a change event made stale, each sorted and without repeats. The URLs are absolute and
    ASCII (non-ASCII slugs percent-encoded), as a cache sees them in requests."""
    affected = event.affected or {}
    frontend_urls = {url for url in affected.get("urls", []) if url}
    tags = set(affected.get("tags", []))
    if affected.get("everything"):
        tags |= set(LISTING_ENDPOINTS)

    urls = set(frontend_urls)
    # Only what the public may know of: pages public now or named by a tag (the changed page, the live pages of
    # a changed subtree), snippets changed or live (cms.changes); a draft's API address is never sent out.
    # (Events written before public_snippets existed fall back to every snippet they name.)
    named_pages = {pk for pk in affected.get("pages", []) if cache_tag(PAGE, pk) in tags}
    for pk in named_pages | set(affected.get("public_pages", [])):
        urls.add(_api_url("pages:detail", pk=int(pk)))
    media = _media_endpoints()
    media_kinds = set()
    for marker in affected.get("public_snippets", affected.get("snippets", [])):
        key, _sep, pk = marker.rpartition(":")
        if key in SNIPPET_ENDPOINTS and pk.isdigit():  # topics have no endpoint of their own
            urls.add(_api_url(f"{SNIPPET_ENDPOINTS[key]}:detail", pk=int(pk)))
    for marker in affected.get("media", []):
        key, _sep, pk = marker.rpartition(":")
        if key in media and pk.isdigit():
            urls.add(_api_url(f"{media[key]}:detail", pk=int(pk)))
            media_kinds.add(media[key])
    for tag, endpoint in LISTING_ENDPOINTS.items():
        if tag in tags:
            urls.add(_api_url(f"{endpoint}:listing"))
    for endpoint in media_kinds:
        urls.add(_api_url(f"{endpoint}:listing"))
    find = _api_url("pages:find")
    if find:
        # The ``find`` redirects a cache may hold, one per front-end address (unencoded ``/``, as clients send).
        urls |= {f"{find}?html_path={_frontend_path(url)}" for url in frontend_urls}
    urls.discard(None)
    return sorted({iri_to_uri(url) for url in urls}), sorted(tags)


# --- writing (inside the edit's transaction) -----------------------------------------------------------
def configured():
    """Whether any purge backend is configured (the settings ``get_backends`` reads), without building one:
    this is asked on every edit."""
    return bool(
        getattr(settings, "WAGTAILFRONTENDCACHE", None) or getattr(settings, "WAGTAILFRONTENDCACHE_LOCATION", None)
    )


def record_purge(event, now=None):
    """The purge job of a new change event, written in the current transaction (``dispatch`` wakes it after
    commit); None when no backend is configured or the event makes nothing stale."""
    if not configured():
        return None
    urls, tags = purge_targets(event)
    if not urls and not tags:
        return None
    now = now or timezone.now()
    return PurgeJob.objects.create(event=event, urls=urls, tags=tags, next_attempt_at=now, created_at=now)


# --- purging (in the worker) ---------------------------------------------------------------------------
class _FailureRecorder(logging.Handler):
    """What a backend logs at WARNING or above while this thread calls it (other threads' records are theirs)."""

    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.thread = threading.get_ident()
        self.messages = []

    def emit(self, record):
        if record.thread != self.thread:
            return
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a malformed log call is still a failure report
            self.messages.append(str(record.msg))


@contextlib.contextmanager
def logged_failures():
    """The messages Wagtail's backends log about failures during the block (through the logging module's
    public API: a handler of our own on ``wagtail.frontendcache``)."""
    log = logging.getLogger(WAGTAIL_LOGGER)
    recorder = _FailureRecorder()
    level = log.level
    # A logger silenced above WARNING would drop the records before any handler sees them.
    if not log.isEnabledFor(logging.WARNING):
        log.setLevel(logging.WARNING)
    log.addHandler(recorder)
    try:
        yield recorder.messages
    finally:
        log.removeHandler(recorder)
        log.setLevel(level)


def _invalidates(backend, url):
    # As Wagtail's purge task: a backend purges the hosts in its ``HOSTNAMES`` (all when unset).
    parts = urlsplit(url)
    return backend.invalidates_hostname(parts.netloc) or backend.invalidates_hostname(parts.hostname or "")


def _describe(exc):
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def purge_with(name, backend, urls, tags, hold=None):
    """Purge ``urls`` (the backend's hosts among them) and ``tags`` (if the backend purges tags) with one
    backend. Returns what went wrong, or "". Stops at the first failure: the job is tried again as a whole
    (purging twice is harmless), and a cache that does not answer would cost a timeout per URL."""
    purge_tags = getattr(backend, "purge_tags", None)
    with logged_failures() as failures:
        try:
            mine = [url for url in urls if _invalidates(backend, url)]
            for start in range(0, len(mine), URL_BATCH):
                if hold is not None:
                    hold()
                backend.purge_batch(mine[start : start + URL_BATCH])
                if failures:
                    break
            if tags and callable(purge_tags) and not failures:
                purge_tags(list(tags))
        except Exception as exc:  # any backend, any failure: the job is retried
            return f"{name}: {_describe(exc)}"
    if failures:
        more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
        return f"{name}: {failures[0]}{more}"
    return ""


def _backends():
    from wagtail.contrib.frontend_cache.utils import get_backends

    return get_backends()


def attempt(job_id, now=None):
    """One try of a purge job, if it is due and free. Returns ``purged``, ``retry`` (at ``next_attempt_at``;
    the ``purge_cache`` task queues the wake-up), ``failed`` (no tries left), ``cancelled`` (no backend is
    configured any more) or ``skipped``."""
    now = now or timezone.now()
    if not outbox.claim(PurgeJob, job_id, now):
        return "skipped"
    job = PurgeJob.objects.get(pk=job_id)
    started = time.monotonic()

    def elapsed():
        return datetime.timedelta(seconds=time.monotonic() - started)

    def hold():
        PurgeJob.objects.filter(pk=job.pk, state=OutboxState.PENDING).update(
            leased_until=now + elapsed() + outbox.lease_length()
        )

    errors = []
    try:
        backends = _backends()
    except Exception as exc:  # a backend that cannot be imported or built: the operator may fix the settings
        backends = {}
        errors.append(f"configuration: {_describe(exc)}")
    if not backends and not errors:
        PurgeJob.objects.filter(pk=job.pk).update(
            state=OutboxState.CANCELLED,
            leased_until=None,
            next_attempt_at=None,
            finished_at=now,
            last_error="No front-end cache backend is configured (WAGTAILFRONTENDCACHE).",
        )
        return "cancelled"
    for name, backend in backends.items():
        error = purge_with(name, backend, job.urls, job.tags, hold=hold)
        if error:
            errors.append(error)
        close = getattr(backend, "close", None)  # ours keeps a connection open across a batch
        if callable(close):
            with contextlib.suppress(Exception):
                close()
    succeeded = not errors
    error = "; ".join(errors)
    with transaction.atomic():
        next_at = outbox.finish(job, now + elapsed(), succeeded=succeeded, error=error)
    if succeeded:
        return "purged"
    logger.warning("Cache purge %s failed (%s); next attempt %s", job.pk, error, next_at)
    return "retry" if next_at else "failed"


def sweep(now=None, grace=datetime.timedelta(seconds=60)):
    """Purge jobs that are due but have no wake-up coming: their worker died mid-attempt (the lease has
    passed), or their task was lost. Returns their ids, for the sweep task to wake."""
    now = now or timezone.now()
    return list(outbox.due(PurgeJob, now, grace).values_list("pk", flat=True)[:1000])
