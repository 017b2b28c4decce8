"""The life of an outbox row (a webhook delivery, a purge job): claim, try, finish or try again later.

The rows are the durable record; django-tasks (its database backend, ``TASKS[CMS_FRONTEND_HOOKS_TASK_BACKEND]``)
only carries the wake-ups: one task per row when it is committed, one per retry, deferred to the retry's time.
A row is worked on under a lease (a time, not a lock held open), so a worker that dies mid-attempt leaves
a row that another worker takes again once the lease has passed; the sweep (``sweep``, every
``CMS_FRONTEND_HOOKS_SWEEP_SECONDS``) finds such rows and any whose wake-up was lost, and wakes them again.
Claiming is one conditional UPDATE, so two wake-ups for the same row never run it twice at once.

django-tasks has no retry schedule of its own; this module owns it (``CMS_WEBHOOK_RETRY_SCHEDULE``).
"""

import datetime
import random

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxState

# Seconds between attempts: the first retry comes 5 s after the first failure, the seventh and last about 27.6
# hours after it (±10 % jitter on each wait). After the last, the row is given up (``failed``) and shown as
# such in the admin.
DEFAULT_RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
# Each delay is spread by up to this fraction either way, so that receivers coming back from an outage are not
# hit by every retry at once.
JITTER = 0.1
# How long a claim outlives the attempt's own timeout before another worker may take the row.
LEASE_MARGIN = datetime.timedelta(seconds=30)


def retry_schedule():
    return tuple(getattr(settings, "CMS_WEBHOOK_RETRY_SCHEDULE", DEFAULT_RETRY_SCHEDULE))


def attempt_timeout():
    return float(getattr(settings, "CMS_WEBHOOK_TIMEOUT", 15))


def lease_length():
    return datetime.timedelta(seconds=attempt_timeout()) + LEASE_MARGIN


def claim(model, pk, now=None, extra=None):
    """Take row ``pk`` for one attempt if it is pending, due and not held by another worker; True if taken.
    ``extra``: further conditions (a delivery's endpoint must be active)."""
    now = now or timezone.now()
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    rows = model.objects.filter(free, pk=pk, state=OutboxState.PENDING, next_attempt_at__lte=now)
    if extra is not None:
        rows = rows.filter(extra)
    return rows.update(leased_until=now + lease_length(), attempts=F("attempts") + 1) == 1


def next_delay(attempts, retry_after=None, rng=random):
    """Seconds until the next attempt after ``attempts`` tries, or None when there is none left.
    ``retry_after``: what the receiver asked for (429/503), honoured when longer than the schedule's."""
    schedule = retry_schedule()
    if attempts > len(schedule):
        return None
    delay = schedule[attempts - 1] * (1 + rng.uniform(-JITTER, JITTER))
    if retry_after is not None:
        delay = max(delay, retry_after)
    return delay


def finish(row, now, *, succeeded, error="", retry_after=None, give_up=False, **fields):
    """Record how an attempt ended. Returns the time of the next attempt, or None."""
    row.leased_until = None
    row.last_error = error[:500]
    for name, value in fields.items():
        setattr(row, name, value)
    next_at = None
    if succeeded:
        row.state, row.finished_at, row.next_attempt_at = OutboxState.DONE, now, None
    else:
        delay = None if give_up else next_delay(row.attempts, retry_after)
        if delay is None:
            row.state, row.finished_at, row.next_attempt_at = OutboxState.FAILED, now, None
        else:
            next_at = now + datetime.timedelta(seconds=delay)
            row.next_attempt_at = next_at
    row.save()
    return next_at


def release(row):
    """Give a claimed row back untouched (nothing was tried), without counting the attempt."""
    type(row).objects.filter(pk=row.pk).update(leased_until=None, attempts=F("attempts") - 1)


def due(model, now, grace=datetime.timedelta(0)):
    """What the sweep wakes: pending rows whose lease has passed (their worker died), and rows never claimed
    that have been due for ``grace`` (their wake-up should have come by then)."""
    abandoned = Q(leased_until__lt=now, next_attempt_at__lte=now)
    overdue = Q(leased_until__isnull=True, next_attempt_at__lte=now - grace)
    return model.objects.filter(abandoned | overdue, state=OutboxState.PENDING)


def prune(model, before):
    """Delete finished rows (delivered, failed, cancelled) that finished before ``before``; returns how many.
    Pending rows are never pruned, however old."""
    finished = [OutboxState.DONE, OutboxState.FAILED, OutboxState.CANCELLED]
    _total, per_model = model.objects.filter(state__in=finished, finished_at__lt=before).delete()
    return per_model.get(model._meta.label, 0)  # (the total counts attempt logs too)
