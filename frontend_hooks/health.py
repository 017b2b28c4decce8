"""What ``/readyz`` (``cms.health``) and the metrics know of the push side: whether a task worker is alive, and
how far behind the outbox is.

A worker proves it is alive by its heartbeat (``WorkerHeartbeat``): the sweep task writes it every
``CMS_FRONTEND_HOOKS_SWEEP_SECONDS``, so one older than ``CMS_READY_WORKER_MAX_AGE_SECONDS`` (three sweeps by
default) means no worker runs the queue. The outbox's lag is the age of its oldest item that is due and still
pending: deliveries and purges pile up there when the receiver is down or the workers cannot keep up.
"""

import os
import socket

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from .models import OutboxState, PurgeJob, WebhookDelivery, WorkerHeartbeat


def worker_name():
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(started=False):
    """This process's worker is alive (its start, or one more sweep). Heartbeats of workers gone for a day are
    dropped: a restarted worker has a new name."""
    now = timezone.now()
    name = worker_name()
    if started or not WorkerHeartbeat.objects.filter(worker=name).update(seen_at=now):
        WorkerHeartbeat.objects.update_or_create(worker=name, defaults={"started_at": now, "seen_at": now})
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timezone.timedelta(days=1)).delete()


def worker_max_age():
    sweep = int(getattr(settings, "CMS_FRONTEND_HOOKS_SWEEP_SECONDS", 60))
    return int(getattr(settings, "CMS_READY_WORKER_MAX_AGE_SECONDS", 3 * sweep))


def outbox_max_lag():
    return int(getattr(settings, "CMS_READY_OUTBOX_MAX_LAG_SECONDS", 300))


def heartbeat_age(now=None):
    """Seconds since any worker last beat, or None when none ever did."""
    now = now or timezone.now()
    latest = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return None if latest is None else max(0.0, (now - latest).total_seconds())


def _due_pending(model, now):
    return model.objects.filter(state=OutboxState.PENDING).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def outbox_lag(now=None):
    """``{"webhook": seconds, "purge": seconds}``: the age of the oldest due, pending item of each (0 when
    none). Deliveries to switched-off endpoints wait on purpose and do not count."""
    now = now or timezone.now()
    lags = {}
    for queue, items in (
        ("webhook", _due_pending(WebhookDelivery, now).filter(endpoint__active=True)),
        ("purge", _due_pending(PurgeJob, now)),
    ):
        oldest = items.aggregate(oldest=Min("created_at"))["oldest"]
        lags[queue] = 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
    return lags


def worker_check():
    age = heartbeat_age()
    limit = worker_max_age()
    return {"ok": age is not None and age <= limit, "age_seconds": None if age is None else round(age, 1), "max": limit}


def outbox_check():
    lags = outbox_lag()
    limit = outbox_max_lag()
    worst = max(lags.values())
    return {
        "ok": worst <= limit,
        "lag_seconds": round(worst, 1),
        "max": limit,
        **{f"{queue}_lag_seconds": round(lag, 1) for queue, lag in lags.items()},
    }
