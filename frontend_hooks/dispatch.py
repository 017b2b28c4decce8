"""What starts the push side's work: a committed change event, an administrator's "redeliver".

Rows are written in the caller's transaction (the edit's, the admin request's); the worker is woken only
after it commits, so a rolled-back edit wakes nothing and a publish never waits for a receiver.
"""

from django.db import transaction

from . import delivery, purge
from .tasks import deliver_webhook, enqueue, purge_cache


def on_change_event(event):
    """A new change event (``post_save``, inside the edit's transaction): its deliveries and purge job."""
    deliveries = delivery.record_deliveries(event)
    job = purge.record_purge(event)
    jobs = [job.pk] if job is not None else []
    if deliveries or jobs:
        # Robust: the edit has committed by then; a wake-up that cannot be queued is logged, never the editor's
        # error, and the sweep wakes those rows later.
        transaction.on_commit(lambda: (wake_deliveries(deliveries), wake_purges(jobs)), robust=True)


def wake_deliveries(ids, at=None):
    for pk in ids:
        enqueue(deliver_webhook, pk, at=at)


def wake_purges(ids, at=None):
    for pk in ids:
        enqueue(purge_cache, pk, at=at)


def redeliver(deliveries, now=None):
    """Send these deliveries again with their own webhook ids, woken after commit. Returns how many."""
    ids = delivery.reset(deliveries, now)
    transaction.on_commit(lambda: wake_deliveries(ids), robust=True)
    return len(ids)
