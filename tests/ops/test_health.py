"""``/healthz`` and ``/readyz`` (cms.health, with the checks of api and frontend_hooks)."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cms import health
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from frontend_hooks import health as hooks_health
from frontend_hooks import tasks
from frontend_hooks.models import OutboxState, WebhookDelivery, WebhookEndpoint, WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return Client(HTTP_HOST="localhost")


def ready(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert len(queries) == 0
    assert "max-age=0" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405


def test_readyz_with_a_live_worker_and_an_empty_outbox_is_ok(client):
    hooks_health.beat(started=True)
    status, body = ready(client)
    assert (status, body["status"]) == (200, "ok")
    assert list(body["checks"]) == ["database", "migrations", "cache", "worker", "outbox"]
    assert all(check["ok"] for check in body["checks"].values())
    assert body["checks"]["database"]["critical"] and not body["checks"]["worker"]["critical"]
    assert body["checks"]["worker"]["age_seconds"] < 5
    assert body["checks"]["outbox"]["lag_seconds"] == 0


def test_readyz_is_cheap(client):
    hooks_health.beat(started=True)
    client.get("/readyz")  # the migration graph is read once per process
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/readyz").status_code == 200
    # SELECT 1, the heartbeat, the oldest due delivery and purge.
    assert len(queries) <= 4, [query["sql"] for query in queries.captured_queries]


def test_no_worker_is_degraded_not_unavailable(client):
    status, body = ready(client)
    assert (status, body["status"]) == (200, "degraded")
    assert body["checks"]["worker"] == {**body["checks"]["worker"], "ok": False, "age_seconds": None}


def test_a_worker_silent_for_three_sweeps_is_degraded(client, settings):
    settings.CMS_READY_WORKER_MAX_AGE_SECONDS = 180
    hooks_health.beat(started=True)
    WorkerHeartbeat.objects.update(seen_at=timezone.now() - datetime.timedelta(seconds=181))
    status, body = ready(client)
    assert (status, body["status"], body["checks"]["worker"]["ok"]) == (200, "degraded", False)
    assert body["checks"]["worker"]["age_seconds"] >= 181


def test_the_sweep_is_the_workers_heartbeat(settings):
    settings.CMS_FRONTEND_HOOKS_SWEEP_SECONDS = 60
    WorkerHeartbeat.objects.create(
        worker="gone:1",
        started_at=timezone.now() - datetime.timedelta(days=3),
        seen_at=timezone.now() - datetime.timedelta(days=2),
    )
    tasks.sweep.call()
    (beat,) = WorkerHeartbeat.objects.all()  # and the one of a worker gone for days is dropped
    assert beat.worker == hooks_health.worker_name()
    assert hooks_health.heartbeat_age() < 5


@pytest.fixture
def endpoint():
    return WebhookEndpoint.objects.create(
        name="Front-end", url="https://front.example/hooks", event_types=["page.published"]
    )


def pending(endpoint, age, **fields):
    return WebhookDelivery.objects.create(
        endpoint=endpoint,
        webhook_id=f"msg_{WebhookDelivery.objects.count()}",
        event_type="page.published",
        body="{}",
        created_at=timezone.now() - datetime.timedelta(seconds=age),
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=age),
        **fields,
    )


def test_an_outbox_behind_by_more_than_the_limit_is_degraded(client, endpoint, settings):
    settings.CMS_READY_OUTBOX_MAX_LAG_SECONDS = 300
    hooks_health.beat(started=True)
    pending(endpoint, 200)
    status, body = ready(client)
    assert body["status"] == "ok" and 199 <= body["checks"]["outbox"]["webhook_lag_seconds"] <= 210
    pending(endpoint, 400)
    status, body = ready(client)
    assert (status, body["status"], body["checks"]["outbox"]["ok"]) == (200, "degraded", False)
    assert body["checks"]["outbox"]["lag_seconds"] >= 400


def test_what_is_not_due_or_not_pending_or_switched_off_is_no_lag(client, endpoint):
    hooks_health.beat(started=True)
    later = pending(endpoint, 900)
    later.next_attempt_at = timezone.now() + datetime.timedelta(minutes=5)  # waiting for its retry, on time
    later.save()
    pending(endpoint, 900, state=OutboxState.DONE)
    pending(endpoint, 900, state=OutboxState.FAILED)
    off = WebhookEndpoint.objects.create(name="Off", url="https://off.example/", event_types=[], active=False)
    pending(off, 900)
    assert hooks_health.outbox_lag() == {"webhook": 0.0, "purge": 0.0}
    assert ready(client)[1]["status"] == "ok"


def test_a_critical_check_failing_makes_the_instance_unavailable(client, monkeypatch):
    hooks_health.beat(started=True)
    monkeypatch.setitem(health._checks, "database", health.Check("database", _raise, critical=True))
    status, body = ready(client)
    assert (status, body["status"]) == (503, "unavailable")
    # Only the exception's type: a message may carry a connection string.
    assert body["checks"]["database"] == {**body["checks"]["database"], "ok": False, "error": "OperationalError"}


def _raise():
    from django.db import OperationalError

    raise OperationalError('connection to "postgres://cms:secret@db" failed')


def test_unapplied_migrations_make_the_instance_unavailable(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    health.forget_migrations()
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [("cms", "9999_new")])
    try:
        status, body = ready(client)
        assert (status, body["checks"]["migrations"]) == (
            503,
            {**body["checks"]["migrations"], "ok": False, "unapplied": 1},
        )
    finally:
        monkeypatch.undo()
        health.forget_migrations()
    assert ready(client)[1]["checks"]["migrations"]["ok"]


def test_readyz_says_nothing_of_content(client):
    EventReportPageFactory(parent=EventReportIndexPageFactory(), title="Slepens melnraksts", live=False)
    assert b"Slepens" not in client.get("/readyz").content
