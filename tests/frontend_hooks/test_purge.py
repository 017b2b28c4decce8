"""Cache purges from the change log, sent to a real purging cache on loopback.

The cache is an HTTP server in a thread that records every ``PURGE`` it is sent, as Varnish or nginx would
receive them; it can be stopped and started again on the same port, or made slow. The worker's attempt
(``frontend_hooks.purge.attempt``) is called directly, with "now" given where a retry must come due.
"""

import datetime
import logging
import socket
import time

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from wagtail.models import Locale

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, PersonFactory
from cms.models import ChangeEvent
from frontend_hooks import purge, tasks
from frontend_hooks.backends import MAX_TAG_HEADER, HTTPPurgeBackend, PurgeError, tag_batches
from frontend_hooks.models import OutboxState, PurgeJob

from .loopback import LoopbackServer

pytestmark = pytest.mark.django_db

API = "http://127.0.0.1:8000/api/v2"
FRONTEND = "http://127.0.0.1:3000"
PURGE_TASK = "frontend_hooks.tasks.purge_cache"


class Cache(LoopbackServer):
    """A cache that purges on ``PURGE``: records the path, ``Host`` and headers of each request."""

    method = "PURGE"

    def __init__(self):
        super().__init__()
        self.requests = []  # (path, {lower-case header: value}), in order
        self.status = 200

    @property
    def location(self):
        return f"http://127.0.0.1:{self.port}"

    def handle(self, handler, body):
        with self.lock:
            self.requests.append((handler.path, {name.lower(): value for name, value in handler.headers.items()}))
        return None

    def purged_urls(self, tag_header="surrogate-key"):
        """The URLs purged, rebuilt from the path and ``Host`` of each request that names no tags."""
        with self.lock:
            return {f"http://{headers['host']}{path}" for path, headers in self.requests if tag_header not in headers}

    def tag_values(self, tag_header="surrogate-key"):
        with self.lock:
            return [headers[tag_header] for _path, headers in self.requests if tag_header in headers]

    def purged_tags(self, tag_header="surrogate-key", separator=" "):
        return {tag for value in self.tag_values(tag_header) for tag in value.split(separator)}


def closed_port():
    """A loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_settings(location, **options):
    return {"cache": {"BACKEND": "frontend_hooks.backends.HTTPPurgeBackend", "LOCATION": location, "OPTIONS": options}}


@pytest.fixture
def cache():
    running = Cache().start()
    yield running
    running.stop()


@pytest.fixture
def purging(settings, cache):
    """The cache configured as the site's one purge backend."""
    settings.WAGTAILFRONTENDCACHE = backend_settings(cache.location, TIMEOUT=2)
    return cache


@pytest.fixture
def english():
    return Locale.objects.get(language_code="en")


def job_for(obj, kind):
    """The purge job of the latest ``kind`` event of ``obj``."""
    event = ChangeEvent.objects.filter(kind=kind, object_id=str(obj.pk)).order_by("-pk").first()
    return PurgeJob.objects.get(event=event)


def wake_ups():
    """The purge tasks queued on the front-end hooks' backend: (job id, run after)."""
    rows = DBTaskResult.objects.filter(task_path=PURGE_TASK, backend_name=tasks.backend_alias())
    return [(row.args_kwargs["args"][0], row.run_after) for row in rows.order_by("enqueued_at")]


def published_report(publish, **kwargs):
    report = EventReportPageFactory(live=False, **kwargs)
    publish(report)
    return report


# --- what is purged ------------------------------------------------------------------------------------
def test_a_contact_card_is_purged_from_every_page_showing_it_in_both_languages(purging, publish, english):
    index = EventReportIndexPageFactory()
    card = ContactCardFactory()
    reports = [published_report(publish, parent=index, contacts__0__contact=card) for _ in range(2)]
    other = published_report(publish, parent=index)
    english_card = card.copy_for_translation(english)
    english_card.save()
    publish(english_card)
    english_reports = []
    for report in reports:
        translated = report.copy_for_translation(english, copy_parents=True)
        translated.contacts = [("contact", english_card)]
        translated.save()
        publish(translated)
        english_reports.append(translated)

    card.position = "Nodaļas vadītāja"
    publish(card)
    job = job_for(card, "snippet.published")
    assert purge.attempt(job.pk) == "purged"

    urls = purging.purged_urls()
    assert set(job.urls) == urls  # every URL of the job reached the cache, and nothing else
    shown_on = [(page, f"/pasakumi/{page.slug}/") for page in reports]
    shown_on += [(page, f"/en/pasakumi/{page.slug}/") for page in english_reports]  # English: /en/ prefix
    for page, frontend_path in shown_on:
        assert f"{FRONTEND}{frontend_path}" in urls
        assert f"{API}/pages/find/?html_path={frontend_path}" in urls
        assert f"{API}/pages/{page.pk}/" in urls
    # The card in both languages (a page in English may show the Latvian one as its fallback), its listing.
    assert {f"{API}/contacts/{card.pk}/", f"{API}/contacts/{english_card.pk}/", f"{API}/contacts/"} <= urls
    assert f"{API}/pages/{other.pk}/" not in urls
    assert not any(other.slug in url for url in urls)
    assert purging.purged_tags() == set(job.tags)
    # Tags name what changed (the card in both languages) and the listings; each report's API response carries
    # the card's tag itself, so a tag purge reaches them without naming the pages.
    assert set(job.tags) == {f"contactcard-{card.pk}", f"contactcard-{english_card.pk}", "contacts", "pages"}
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error) == (OutboxState.DONE, 1, "")


def test_purge_targets_are_sorted_absolute_and_without_repeats():
    event = ChangeEvent(
        kind="snippet.published",
        object_type="cms.person",
        object_id="3",
        public=True,
        affected={
            "pages": [12, 5],
            "public_pages": [5],
            "snippets": ["cms.person:3", "cms.topic:4", "cms.organisation:7"],
            "media": ["wagtailimages.image:9"],
            "tags": ["people", "person-3", "page-5", "page-12"],
            "urls": [f"{FRONTEND}/pasakumi/forums/", f"{FRONTEND}/en/events/līdzdalība/"],
            "everything": False,
        },
    )
    urls, tags = purge.purge_targets(event)
    assert urls == sorted(
        [
            f"{FRONTEND}/pasakumi/forums/",
            f"{FRONTEND}/en/events/l%C4%ABdzdal%C4%ABba/",
            f"{API}/pages/5/",
            f"{API}/pages/12/",
            f"{API}/people/3/",
            f"{API}/people/",
            f"{API}/organisations/7/",
            f"{API}/images/9/",
            f"{API}/images/",
            f"{API}/pages/find/?html_path=/pasakumi/forums/",
            f"{API}/pages/find/?html_path=/en/events/l%C4%ABdzdal%C4%ABba/",
        ]
    )
    assert tags == ["page-12", "page-5", "people", "person-3"]
    assert not any("topic" in url for url in urls)  # topics have no endpoint


def test_a_site_change_purges_every_listing():
    event = ChangeEvent(kind="site.changed", object_type="wagtailcore.site", object_id="1", public=True)
    event.affected = {"pages": [], "snippets": [], "media": [], "tags": ["pages"], "urls": [], "everything": True}
    urls, tags = purge.purge_targets(event)
    listings = ["pages", "people", "organisations", "contacts", "projects"]
    assert urls == sorted(f"{API}/{name}/" for name in listings)
    assert tags == sorted(listings)


# --- when a job is written -----------------------------------------------------------------------------
def test_no_backend_no_purge_job(settings, publish):
    assert not hasattr(settings, "WAGTAILFRONTENDCACHE") and not purge.configured()
    page = published_report(publish)
    assert ChangeEvent.objects.filter(object_id=str(page.pk), kind="page.published").exists()
    assert PurgeJob.objects.count() == 0 and wake_ups() == []


def test_a_committed_publish_writes_one_job_and_wakes_it_once(purging, publish):
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert job.state == OutboxState.PENDING and job.attempts == 0 and job.next_attempt_at is not None
    assert f"{API}/pages/{page.pk}/" in job.urls and f"page-{page.pk}" in job.tags
    # One wake-up, due at once (``run_after`` unset), queued after the commit.
    assert [pk for pk, _at in wake_ups()] == [job.pk]
    assert purging.requests == []  # the publish itself never waits for the cache


def test_a_rolled_back_publish_writes_no_job(purging, django_capture_on_commit_callbacks):
    page = EventReportPageFactory(live=False)
    before, woken = PurgeJob.objects.count(), wake_ups()
    with pytest.raises(RuntimeError), django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        page.save_revision().publish()
        assert PurgeJob.objects.filter(event__object_id=str(page.pk)).count() == 1  # written in the edit's transaction…
        raise RuntimeError("the editor's request failed after the publish")
    assert PurgeJob.objects.count() == before  # …and gone with it
    assert not PurgeJob.objects.filter(event__object_id=str(page.pk)).exists()
    assert wake_ups() == woken and purging.requests == []


# --- failures and retries ------------------------------------------------------------------------------
def test_a_cache_that_is_down_gets_the_purge_when_it_comes_back(purging, publish, django_capture_on_commit_callbacks):
    page = published_report(publish)
    job = job_for(page, "page.published")
    purging.stop()
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        # The task, as the worker runs it: a failed attempt queues the wake-up of its retry.
        assert tasks.purge_cache.call(job.pk) == "retry"
    job.refresh_from_db()
    assert job.state == OutboxState.PENDING and job.attempts == 1
    assert job.next_attempt_at > started
    assert "cannot connect" in job.last_error and purging.location in job.last_error
    assert wake_ups()[-1] == (job.pk, job.next_attempt_at)
    # Not due yet: a second wake-up does nothing.
    assert purge.attempt(job.pk, now=job.next_attempt_at - datetime.timedelta(seconds=1)) == "skipped"

    purging.start()  # back on the same port
    assert purge.attempt(job.pk, now=job.next_attempt_at + datetime.timedelta(seconds=1)) == "purged"
    job.refresh_from_db()
    assert (job.state, job.attempts, job.last_error, job.next_attempt_at) == (OutboxState.DONE, 2, "", None)
    assert purging.purged_urls() == set(job.urls)


def test_a_slow_cache_costs_one_timeout_and_is_a_failure(settings, cache, publish):
    settings.WAGTAILFRONTENDCACHE = backend_settings(cache.location, TIMEOUT=0.5)
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert len(job.urls) > 1
    cache.delay = 3
    started = time.monotonic()
    assert purge.attempt(job.pk) == "retry"
    took = time.monotonic() - started
    assert 0.45 <= took < 1.5  # the first URL's timeout, not one per URL
    job.refresh_from_db()
    assert job.state == OutboxState.PENDING and "did not answer within 0.5 s" in job.last_error


def test_an_error_answer_is_a_failure(purging, publish):
    page = published_report(publish)
    job = job_for(page, "page.published")
    purging.status = 405  # e.g. a cache not configured to accept PURGE
    assert purge.attempt(job.pk) == "retry"
    job.refresh_from_db()
    assert "answered HTTP 405" in job.last_error and len(purging.requests) == 1


def test_not_in_the_cache_is_not_a_failure(purging, publish):
    page = published_report(publish)
    job = job_for(page, "page.published")
    purging.status = 404  # nginx's cache_purge: nothing was stale
    assert purge.attempt(job.pk) == "purged"


def test_a_wagtail_backend_that_only_logs_its_failure_is_retried(settings, publish, caplog):
    settings.WAGTAILFRONTENDCACHE = {
        "wagtail": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{closed_port()}",
        }
    }
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert purge.attempt(job.pk) == "retry"
    job.refresh_from_db()
    assert job.state == OutboxState.PENDING and job.finished_at is None
    assert job.last_error.startswith("wagtail: Couldn't purge")
    # Wagtail's own log line is still written, and the capture is gone afterwards.
    assert any(record.name == "wagtail.frontendcache" for record in caplog.records)
    handlers = logging.getLogger("wagtail.frontendcache").handlers
    assert not any(isinstance(handler, purge._FailureRecorder) for handler in handlers)


def test_a_wagtail_backend_that_succeeds_is_done(settings, cache, publish):
    settings.WAGTAILFRONTENDCACHE = {
        "wagtail": {"BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend", "LOCATION": cache.location}
    }
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert purge.attempt(job.pk) == "purged"
    assert cache.purged_urls() == set(job.urls)
    # Wagtail's backend has no ``purge_tags``: only URLs were sent.
    assert cache.tag_values() == []


def test_the_last_failure_gives_up(settings, publish):
    settings.WAGTAILFRONTENDCACHE = backend_settings(f"http://127.0.0.1:{closed_port()}")
    settings.CMS_WEBHOOK_RETRY_SCHEDULE = [1]
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert purge.attempt(job.pk) == "retry"
    job.refresh_from_db()
    assert purge.attempt(job.pk, now=job.next_attempt_at + datetime.timedelta(seconds=1)) == "failed"
    job.refresh_from_db()
    assert job.state == OutboxState.FAILED and job.finished_at is not None and job.attempts == 2


def test_a_job_left_without_a_backend_is_cancelled(settings, purging, publish):
    page = published_report(publish)
    job = job_for(page, "page.published")
    settings.WAGTAILFRONTENDCACHE = {}
    assert purge.attempt(job.pk) == "cancelled"
    job.refresh_from_db()
    assert job.state == OutboxState.CANCELLED
    assert job.pk not in purge.sweep(now=timezone.now() + datetime.timedelta(hours=1))


def test_the_sweep_wakes_lost_and_abandoned_jobs(purging, publish):
    page = published_report(publish)
    job = job_for(page, "page.published")
    assert job.pk not in purge.sweep(now=job.next_attempt_at)  # its wake-up may still come
    later = job.next_attempt_at + datetime.timedelta(seconds=61)
    assert job.pk in purge.sweep(now=later)  # it did not
    # A worker that took it and died: free again once its lease has passed.
    assert purge.outbox.claim(PurgeJob, job.pk, later)
    job.refresh_from_db()
    assert job.pk not in purge.sweep(now=later + datetime.timedelta(seconds=1))
    assert job.pk in purge.sweep(now=job.leased_until + datetime.timedelta(seconds=1))
    assert purge.attempt(job.pk, now=job.leased_until + datetime.timedelta(seconds=1)) == "purged"
    assert job.pk not in purge.sweep(now=later + datetime.timedelta(hours=1))


# --- tags ----------------------------------------------------------------------------------------------
def test_tags_are_purged_with_the_configured_header(settings, cache, publish):
    settings.WAGTAILFRONTENDCACHE = backend_settings(cache.location, TAG_HEADER="xkey-purge")
    person = PersonFactory()
    report = published_report(publish, body__0__speaker__person=person)
    person.job_title = "Direktore"
    publish(person)
    job = job_for(person, "snippet.published")
    assert purge.attempt(job.pk) == "purged"
    assert cache.tag_values("surrogate-key") == []
    tags = cache.purged_tags("xkey-purge")
    assert tags == set(job.tags) == {f"person-{person.pk}", "people", "pages"}
    assert f"{API}/pages/{report.pk}/" in job.urls
    # The tag purge goes to the cache itself, not to one of the purged sites.
    tag_requests = [(path, headers) for path, headers in cache.requests if "xkey-purge" in headers]
    assert [(path, headers["host"]) for path, headers in tag_requests] == [("/", f"127.0.0.1:{cache.port}")]


def test_many_tags_are_split_to_keep_the_header_short(cache):
    backend = HTTPPurgeBackend({"LOCATION": cache.location, "OPTIONS": {"TIMEOUT": 2}})
    tags = [f"page-{pk}" for pk in range(100_000, 101_500)]
    backend.purge_tags(tags)
    values = cache.tag_values()
    assert len(values) > 1 and all(len(value) <= MAX_TAG_HEADER for value in values)
    assert cache.purged_tags() == set(tags)


def test_tag_batches():
    assert list(tag_batches(["a", "bb", "ccc"], limit=4)) == ["a bb", "ccc"]
    assert list(tag_batches(["a", "b"], separator=",", limit=10)) == ["a,b"]
    assert list(tag_batches(["x" * 12], limit=4)) == ["x" * 12]
    assert list(tag_batches([])) == []


# --- the backend on its own ----------------------------------------------------------------------------
def test_the_backend_sends_the_host_and_path_of_the_purged_url(cache):
    backend = HTTPPurgeBackend({"LOCATION": cache.location})
    backend.purge("https://www.example.lv/en/events/līdzdalība/?x=1")
    backend.purge("http://www.example.lv:8080/")
    assert [(path, headers["host"]) for path, headers in cache.requests] == [
        ("/en/events/l%C4%ABdzdal%C4%ABba/?x=1", "www.example.lv"),
        ("/", "www.example.lv:8080"),
    ]
    assert cache.requests[0][1]["user-agent"].startswith("novads-cms-purge/")


def test_the_backend_raises_on_failures(cache):
    backend = HTTPPurgeBackend({"LOCATION": f"http://127.0.0.1:{closed_port()}", "OPTIONS": {"TIMEOUT": 1}})
    with pytest.raises(PurgeError, match="cannot connect"):
        backend.purge("http://www.example.lv/")
    cache.status = 302  # never followed
    with pytest.raises(PurgeError, match="HTTP 302"):
        HTTPPurgeBackend({"LOCATION": cache.location}).purge("http://www.example.lv/")
    assert len(cache.requests) == 1


def test_the_backend_needs_a_location():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured):
        HTTPPurgeBackend({})
    with pytest.raises(ImproperlyConfigured):
        HTTPPurgeBackend({"LOCATION": "varnish:6081"})


def test_the_timeout_defaults_to_the_webhook_timeout(settings):
    settings.CMS_WEBHOOK_TIMEOUT = 7
    assert HTTPPurgeBackend({"LOCATION": "http://127.0.0.1:6081"}).timeout == 7
    assert HTTPPurgeBackend({"LOCATION": "http://127.0.0.1:6081", "OPTIONS": {"TIMEOUT": 0.5}}).timeout == 0.5
