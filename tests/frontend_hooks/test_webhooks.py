"""Webhooks from the change log to a real receiver on loopback that verifies Standard Webhooks signatures.

The worker is the real one (``run_frontend_hooks --batch``: django-tasks-db's worker on the hooks' queue); the
receiver is an HTTP server in a thread. Time is real except where a test says when "now" is (a lease passing,
a retry coming due), which ``attempt`` and ``sweep`` take as an argument.
"""

import datetime
import json
import time

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.changes import decode_cursor
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import PersonFactory
from frontend_hooks import delivery, dispatch, outbox, tasks
from frontend_hooks.models import DeliveryAttempt, OutboxState, WebhookDelivery, WebhookEndpoint

from .receiver import Receiver

# Transactional: the worker runs in its own transactions (and closes connections between tasks), as in production.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _site_tree():
    """What the migrations create and a transactional test's flush removes: the locales, the tree's root, the
    home page and the default site."""
    from wagtail.models import Locale, Page, Site

    from cms.apps import ensure_locales

    ensure_locales(sender=None)
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=Locale.get_default())
        )
        home = root.add_child(instance=Page(title="Sākums", slug="home", locale=Locale.get_default()))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


ALL_TYPES = [
    "page.published",
    "page.unpublished",
    "page.deleted",
    "page.moved",
    "page.slug_changed",
    "page.privacy_changed",
    "person.published",
    "person.unpublished",
    "person.deleted",
]


@pytest.fixture(autouse=True)
def _loopback_allowed(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = False
    settings.CMS_WEBHOOK_TIMEOUT = 2


@pytest.fixture
def receiver():
    secret = delivery.new_secret()
    running = Receiver(secret).start()
    yield running
    running.stop()


@pytest.fixture
def endpoint(receiver, index):
    return WebhookEndpoint.objects.create(
        name="Front-end", url=receiver.url, event_types=ALL_TYPES, secret=receiver.secret
    )


@pytest.fixture
def index():
    return EventReportIndexPageFactory()


def draft(index, **kwargs):
    """A report not yet published (a factory page created live would be news of its own)."""
    return EventReportPageFactory(parent=index, live=False, **kwargs)


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what an edit queues for after its commit (the worker's wake-ups)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def run_worker(commit):
    """The worker, once through what is due. Its retries are queued when its own transaction commits (here
    the test's, so the on-commit work is run when it stops)."""

    def run():
        with commit():
            call_command("run_frontend_hooks", "--batch", verbosity=0)

    return run


def publish(page, commit):
    with commit():
        page.save_revision().publish()


def test_every_publish_arrives_signed_and_thin(run_worker, receiver, endpoint, index, commit):
    page = draft(index, title="Slepens virsraksts")
    publish(page, commit)
    run_worker()
    assert len(receiver.received) == 1 and not receiver.rejected
    webhook_id, payload = receiver.received[0]
    assert webhook_id.startswith("msg_")
    assert payload["type"] == "page.published"
    data = payload["data"]
    assert data["object"] == {"type": "cms.EventReportPage", "id": page.pk}
    assert data["locale"] == "lv" and data["public"] is True
    assert data["api_url"] == f"http://127.0.0.1:8000/api/v2/pages/{page.pk}/"
    assert data["frontend_url"] == f"http://127.0.0.1:3000/pasakumi/{page.slug}/"
    assert data["frontend_url"] in data["affected_urls"]
    assert f"page-{page.pk}" in data["cache_tags"]
    # Where to resume the change feed after missing webhooks: right after this event.
    assert decode_cursor(data["cursor"]) == data["event_id"]
    # Thin: it says what changed, never the content.
    assert "Slepens virsraksts" not in json.dumps(payload)
    row = WebhookDelivery.objects.get()
    assert row.state == OutboxState.DONE and row.attempts == 1
    attempt = DeliveryAttempt.objects.get()
    assert attempt.succeeded and attempt.status_code == 204


def test_a_rolled_back_publish_sends_nothing(run_worker, receiver, endpoint, index, commit):
    page = draft(index)
    with pytest.raises(RuntimeError), commit(), transaction.atomic():
        page.save_revision().publish()
        raise RuntimeError("the editor's request failed after the publish")
    run_worker()
    assert WebhookDelivery.objects.count() == 0
    assert receiver.received == []


def test_a_receiver_down_for_a_while_still_gets_every_event(run_worker, receiver, endpoint, index, commit, settings):
    """Stopped and started again: every event arrives; repeats only as retries of the same webhook-id."""
    settings.CMS_WEBHOOK_RETRY_SCHEDULE = [1, 1, 1, 1]
    pages = [draft(index) for _ in range(4)]
    publish(pages[0], commit)
    run_worker()
    receiver.stop()
    for page in pages[1:]:
        publish(page, commit)
    run_worker()  # every attempt fails: nobody listens
    waiting = WebhookDelivery.objects.filter(state=OutboxState.PENDING)
    assert waiting.count() == 3
    assert all(row.last_error.startswith("connection failed") for row in waiting)
    receiver.start()
    time.sleep(1.3)  # the retries come due
    run_worker()
    sent = set(WebhookDelivery.objects.values_list("webhook_id", flat=True))
    assert set(receiver.ids()) == sent and len(sent) == 4
    assert WebhookDelivery.objects.filter(state=OutboxState.DONE).count() == 4
    # Retries are spread by jitter, so order is not kept: receivers order by data.event_id.
    assert sorted(p["data"]["object"]["id"] for p in receiver.payloads()) == [page.pk for page in pages]


def test_a_slow_receiver_hits_the_timeout(run_worker, receiver, endpoint, index, commit, settings):
    settings.CMS_WEBHOOK_TIMEOUT = 0.5
    receiver.delay = 3
    publish(draft(index), commit)
    started = time.monotonic()
    run_worker()
    assert time.monotonic() - started < 2.5
    row = WebhookDelivery.objects.get()
    assert row.state == OutboxState.PENDING and "timed out" in row.last_error
    assert row.next_attempt_at > timezone.now()
    attempt = DeliveryAttempt.objects.get()
    assert attempt.status_code is None and 400 <= attempt.latency_ms < 2000


def test_a_worker_killed_mid_delivery_leaves_it_to_be_retried_with_the_same_id(
    run_worker, receiver, endpoint, index, commit, monkeypatch
):
    real_post = delivery.post

    def post_then_die(*args, **kwargs):
        real_post(*args, **kwargs)  # the receiver got it...
        raise SystemExit("killed")  # ...and the worker died before recording anything

    monkeypatch.setattr(delivery, "post", post_then_die)
    publish(draft(index), commit)
    run_worker()
    row = WebhookDelivery.objects.get()
    assert row.state == OutboxState.PENDING and row.leased_until is not None
    assert DeliveryAttempt.objects.count() == 0
    monkeypatch.setattr(delivery, "post", real_post)
    # While the lease holds, nobody else takes it; once it has passed, the sweep wakes it.
    assert delivery.sweep(now=timezone.now()) == []
    later = row.leased_until + datetime.timedelta(seconds=1)
    assert delivery.sweep(now=later) == [row.pk]
    assert delivery.attempt(row.pk, now=later) == "delivered"
    assert receiver.ids() == [row.webhook_id, row.webhook_id]
    row.refresh_from_db()
    assert row.state == OutboxState.DONE and row.attempts == 2


def test_a_lost_wake_up_is_replaced_by_the_sweep(run_worker, receiver, endpoint, index, commit):
    from django_tasks_db.models import DBTaskResult

    with commit(), transaction.atomic():
        draft(index).save_revision().publish()
        # The wake-up is queued at commit; here the queue loses it (a task row removed by hand, a restore).
        transaction.on_commit(lambda: DBTaskResult.objects.all().delete())
    run_worker()
    assert receiver.received == []
    row = WebhookDelivery.objects.get()
    assert delivery.sweep(now=timezone.now()) == []  # within the grace period a wake-up may still come
    assert tasks.wake_overdue(now=timezone.now() + datetime.timedelta(minutes=2)) == [row.pk]
    run_worker()
    assert receiver.ids() == [row.webhook_id]


def test_retry_after_is_honoured(run_worker, receiver, endpoint, index, commit):
    receiver.status, receiver.headers = 429, {"Retry-After": "120"}
    publish(draft(index), commit)
    run_worker()
    row = WebhookDelivery.objects.get()
    wait = (row.next_attempt_at - timezone.now()).total_seconds()
    assert 110 < wait <= 121
    assert row.last_status == 429


def test_gone_switches_the_endpoint_off_and_tells_the_administrators(run_worker, receiver, endpoint, index, commit):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    receiver.status = 410
    publish(draft(index), commit)
    with commit():
        run_worker()
    endpoint.refresh_from_db()
    assert endpoint.active is False and "410" in endpoint.disabled_reason
    assert WebhookDelivery.objects.get().state == OutboxState.FAILED
    assert mail.outbox and mail.outbox[0].to == ["admin@example.org"]
    publish(draft(index), commit)
    assert WebhookDelivery.objects.count() == 1  # nothing more for a switched-off endpoint


def test_redirects_are_not_followed(run_worker, receiver, endpoint, index, commit):
    target = Receiver(receiver.secret).start()
    try:
        receiver.status, receiver.headers = 301, {"Location": target.url}
        publish(draft(index), commit)
        run_worker()
        assert target.received == []
        row = WebhookDelivery.objects.get()
        assert row.state == OutboxState.PENDING and "redirect" in row.last_error
    finally:
        target.stop()


def test_the_retry_schedule_spans_more_than_a_day_then_gives_up(endpoint):
    schedule = outbox.retry_schedule()
    assert schedule == (5, 300, 1800, 7200, 18000, 36000, 36000)
    assert sum(schedule) > 24 * 3600
    for attempts, seconds in enumerate(schedule, start=1):
        delay = outbox.next_delay(attempts)
        assert seconds * (1 - outbox.JITTER) <= delay <= seconds * (1 + outbox.JITTER)
    assert outbox.next_delay(len(schedule) + 1) is None


def test_the_last_failure_gives_up(run_worker, receiver, endpoint, index, commit, settings):
    settings.CMS_WEBHOOK_RETRY_SCHEDULE = [1]
    receiver.status = 500
    publish(draft(index), commit)
    run_worker()
    row = WebhookDelivery.objects.get()
    assert row.state == OutboxState.PENDING
    assert delivery.attempt(row.pk, now=timezone.now() + datetime.timedelta(seconds=2)) == "failed"
    row.refresh_from_db()
    assert row.state == OutboxState.FAILED and row.attempts == 2
    assert len(receiver.ids()) == 2 and len(set(receiver.ids())) == 1


def test_both_secrets_sign_during_a_rotation(run_worker, receiver, endpoint, index, commit):
    old = endpoint.secret
    endpoint.previous_secret, endpoint.secret = old, delivery.new_secret()
    endpoint.previous_secret_expires_at = timezone.now() + datetime.timedelta(hours=24)
    endpoint.save()
    publish(draft(index), commit)
    run_worker()
    assert len(receiver.received) == 1  # the receiver still knows only the old secret
    new_only = Receiver(endpoint.secret).start()
    try:
        endpoint.url = new_only.url
        endpoint.save()
        publish(draft(index), commit)
        run_worker()
        assert len(new_only.received) == 1
    finally:
        new_only.stop()


def test_only_subscribed_events_and_active_endpoints(receiver, endpoint, index, commit):
    WebhookEndpoint.objects.create(
        name="Off", url=receiver.url, event_types=ALL_TYPES, secret=receiver.secret, active=False
    )
    WebhookEndpoint.objects.create(
        name="People only", url=receiver.url, event_types=["person.published"], secret=receiver.secret
    )
    publish(draft(index), commit)
    person = PersonFactory(live=False)
    with commit():
        person.save_revision().publish()
    assert sorted(WebhookDelivery.objects.values_list("endpoint__name", "event_type")) == [
        ("Front-end", "page.published"),
        ("Front-end", "person.published"),
        ("People only", "person.published"),
    ]


def test_privacy_unpublish_slug_change_and_delete_are_told(run_worker, receiver, endpoint, index, commit):
    page = draft(index, slug="forums")
    publish(page, commit)
    page.slug = "forums-2026"
    publish(page, commit)
    with commit():
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    PageViewRestriction.objects.filter(page=page).delete()
    page.refresh_from_db()
    with commit():
        page.unpublish()
    with commit():
        page.delete()  # never public since it was unpublished: no news
    other = draft(index)
    publish(other, commit)
    with commit():
        other.delete()
    types = list(WebhookDelivery.objects.order_by("pk").values_list("event_type", flat=True))
    assert types == [
        "page.published",
        "page.slug_changed",
        "page.privacy_changed",
        "page.privacy_changed",
        "page.unpublished",
        "page.published",
        "page.deleted",
    ]
    run_worker()
    payloads = receiver.payloads()
    slug_change = payloads[1]["data"]
    assert "http://127.0.0.1:3000/pasakumi/forums/" in slug_change["affected_urls"]
    assert slug_change["frontend_url"] == "http://127.0.0.1:3000/pasakumi/forums-2026/"
    made_private = payloads[2]["data"]
    assert made_private["public"] is False and made_private["frontend_url"] is None


def test_a_private_page_is_never_told_of(receiver, endpoint, index, commit):
    PageViewRestriction.objects.create(page=index, restriction_type=PageViewRestriction.LOGIN)
    told = WebhookDelivery.objects.count()  # the section going private is news: the public knew it
    page = draft(index, title="Iekšēja sanāksme")
    publish(page, commit)
    page.title = "Iekšēja sanāksme (labots)"
    publish(page, commit)
    assert WebhookDelivery.objects.count() == told


def test_publishing_does_not_wait_for_receivers(receiver, index, commit):
    receiver.delay = 2
    for n in range(5):
        WebhookEndpoint.objects.create(name=f"E{n}", url=receiver.url, event_types=ALL_TYPES, secret=receiver.secret)
    page = draft(index)
    started = time.monotonic()
    publish(page, commit)
    assert time.monotonic() - started < 1.5
    assert WebhookDelivery.objects.count() == 5
    assert receiver.received == []


def test_a_private_target_is_refused_at_delivery(run_worker, receiver, endpoint, index, commit, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = []
    publish(draft(index), commit)
    run_worker()
    assert receiver.received == []
    row = WebhookDelivery.objects.get()
    assert row.last_error.startswith("refused:")


def test_redeliver_sends_again_with_the_same_id(run_worker, receiver, endpoint, index, commit):
    publish(draft(index), commit)
    run_worker()
    row = WebhookDelivery.objects.get()
    with commit():
        assert dispatch.redeliver([row]) == 1
    run_worker()
    assert receiver.ids() == [row.webhook_id, row.webhook_id]


def test_finished_rows_are_pruned_after_the_retention_period(run_worker, receiver, endpoint, index, commit, settings):
    import io

    settings.CMS_CHANGE_EVENTS_RETENTION_DAYS = 30
    publish(draft(index), commit)
    run_worker()
    receiver.stop()
    publish(draft(index), commit)
    run_worker()
    done, pending = WebhookDelivery.objects.order_by("pk")
    WebhookDelivery.objects.update(finished_at=timezone.now() - datetime.timedelta(days=31))
    out = io.StringIO()
    call_command("prune_frontend_hooks", stdout=out)
    assert "Deleted 1 webhook deliveries" in out.getvalue()
    # The pending one stays, however old: it has not been delivered.
    assert list(WebhookDelivery.objects.values_list("pk", flat=True)) == [pending.pk]
    assert DeliveryAttempt.objects.filter(delivery=done).count() == 0


def test_a_queue_that_cannot_be_reached_never_fails_the_publish(receiver, endpoint, index, commit, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("the task queue is down")

    monkeypatch.setattr(dispatch, "enqueue", unreachable)
    page = draft(index)
    publish(page, commit)  # no exception reaches the editor
    page.refresh_from_db()
    assert page.live
    row = WebhookDelivery.objects.get()
    monkeypatch.undo()
    # The sweep wakes what was never woken.
    assert tasks.wake_overdue(now=timezone.now() + datetime.timedelta(minutes=2)) == [row.pk]


def test_the_worker_counts_its_attempts_and_how_long_deliveries_took(run_worker, receiver, endpoint, index, commit):
    from django.test import Client

    from tests.ops.test_metrics import value

    def scrape():
        return Client(HTTP_HOST="localhost").get("/metrics").content.decode()

    before = scrape()
    publish(draft(index), commit)
    run_worker()
    after = scrape()
    assert len(receiver.received) == 1
    grown = value(after, "cms_webhook_attempts_total", outcome="delivered") - value(
        before, "cms_webhook_attempts_total", outcome="delivered"
    )
    assert grown == 1
    delivered = value(after, "cms_webhook_delivery_seconds_count") - value(before, "cms_webhook_delivery_seconds_count")
    assert delivered == 1
    assert value(after, "cms_webhook_delivery_seconds_sum") > value(before, "cms_webhook_delivery_seconds_sum")
    assert value(after, "cms_outbox_items", queue="webhook", state="done") == 1
