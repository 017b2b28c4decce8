"""The worker's tasks, on the task backend ``CMS_FRONTEND_HOOKS_TASK_BACKEND`` (django-tasks-db's
``DatabaseBackend`` in the settings here; run it with ``manage.py run_frontend_hooks``).

Tasks carry only ids: the rows in ``frontend_hooks.models`` are the record, so a task run twice or a task lost
costs nothing (the claim makes the second run a no-op; the sweep replaces the lost one).
"""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from .metrics import purge_batches, webhook_attempts

logger = logging.getLogger(__name__)

DEFAULT_BACKEND = "frontend_hooks"
QUEUE = "frontend_hooks"


def backend_alias():
    return getattr(settings, "CMS_FRONTEND_HOOKS_TASK_BACKEND", DEFAULT_BACKEND)


def sweep_interval():
    return int(getattr(settings, "CMS_FRONTEND_HOOKS_SWEEP_SECONDS", 60))


def enqueue(task_, *args, at=None):
    """Queue ``task_`` on the front-end hooks' backend, no sooner than ``at``."""
    return task_.using(backend=backend_alias(), queue_name=QUEUE, run_after=at).enqueue(*args)


# Declared on the default backend (which must exist when this module is imported); ``enqueue`` moves them.
@task()
def deliver_webhook(delivery_id):
    from .delivery import attempt
    from .models import WebhookDelivery

    outcome = attempt(delivery_id)
    webhook_attempts.labels(outcome=outcome).inc()
    if outcome == "retry":
        _wake_retry(deliver_webhook, WebhookDelivery, delivery_id)
    return outcome


@task()
def purge_cache(job_id):
    from .models import PurgeJob
    from .purge import attempt

    outcome = attempt(job_id)
    purge_batches.labels(outcome=outcome).inc()
    if outcome == "retry":
        _wake_retry(purge_cache, PurgeJob, job_id)
    return outcome


def _wake_retry(task_, model, pk):
    # After the attempt's own transaction (``on_commit`` runs at once outside one, as in the worker).
    at = model.objects.filter(pk=pk).values_list("next_attempt_at", flat=True).first()
    if at is not None:
        transaction.on_commit(lambda: enqueue(task_, pk, at=at))


@task()
def sweep():
    """Wake what is due without a wake-up coming, then come back in ``CMS_FRONTEND_HOOKS_SWEEP_SECONDS``.
    The next sweep is queued first, so a worker killed during this one does not end the chain."""
    from .health import beat

    schedule_sweep(timezone.now() + datetime.timedelta(seconds=sweep_interval()))
    # The worker's heartbeat (``/readyz``): a sweep ran, so a worker is taking tasks from the queue.
    beat()
    return len(wake_overdue())


def wake_overdue(now=None):
    """Queue a wake-up for every delivery and purge that is due without one coming. Returns their ids."""
    from . import delivery, purge

    deliveries, purges = delivery.sweep(now), purge.sweep(now)
    for pk in deliveries:
        enqueue(deliver_webhook, pk)
    for pk in purges:
        enqueue(purge_cache, pk)
    if deliveries or purges:
        logger.info("Woke %d overdue webhook deliveries and %d cache purges", len(deliveries), len(purges))
    return deliveries + purges


def schedule_sweep(at=None):
    """Queue a sweep unless one is already waiting (the chain is started by ``run_frontend_hooks``)."""
    from django_tasks_db.models import DBTaskResult

    path = f"{sweep.func.__module__}.{sweep.func.__qualname__}"
    waiting = DBTaskResult.objects.filter(backend_name=backend_alias(), task_path=path, status="READY")
    if waiting.exists():
        return None
    return enqueue(sweep, at=at)
