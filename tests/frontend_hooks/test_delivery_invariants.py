"""For any sequence of publishes, receiver outages, error answers and passing time: every delivery reaches the
receiver or is given up only after its last try; repeats are only retries of the same webhook-id; nothing is
sent before it is due. Random sequences against an oracle of what each delivery should have seen.

Time is simulated (``attempt(pk, now=...)``): the worker's own wake-ups are not needed to know what is due.
"""

import datetime

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from frontend_hooks import delivery, outbox
from frontend_hooks.models import OutboxState, WebhookDelivery, WebhookEndpoint

from .receiver import Receiver
from .test_webhooks import ALL_TYPES

pytestmark = pytest.mark.django_db

OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("publish"), st.integers(0, 2)),
        st.tuples(st.just("down"), st.none()),
        st.tuples(st.just("up"), st.sampled_from([204, 200, 500, 503, 429])),
        st.tuples(st.just("wait"), st.sampled_from([1, 10, 400, 4000, 40_000])),
        st.tuples(st.just("run"), st.none()),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def world(settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = False
    settings.CMS_WEBHOOK_TIMEOUT = 2
    receiver = Receiver(delivery.new_secret()).start()
    yield receiver
    receiver.stop()


def run_due(now):
    """What the worker would do at ``now``: one attempt of everything due (the sweep finds it all)."""
    outcomes = {}
    for pk in outbox.due(WebhookDelivery, now).values_list("pk", flat=True):
        outcomes[pk] = delivery.attempt(pk, now=now)
    return outcomes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_every_delivery_arrives_or_is_given_up_after_its_last_try(world, operations):
    receiver = world
    receiver.received.clear()
    receiver.status, receiver.headers = 204, {}
    if receiver.server is None:
        receiver.start()
    with transaction.atomic():
        index = EventReportIndexPageFactory(live=False)
        WebhookEndpoint.objects.create(name="E", url=receiver.url, event_types=ALL_TYPES, secret=receiver.secret)
        pages = [EventReportPageFactory(parent=index, live=False) for _ in range(3)]
        now = timezone.now()
        # The oracle: per webhook-id, when it may first be sent.
        due_from = {}
        for operation, argument in operations:
            if operation == "publish":
                page = pages[argument]
                revision = page.save_revision()
                revision.publish()
                page.refresh_from_db()
                for row in WebhookDelivery.objects.exclude(webhook_id__in=due_from):
                    row.next_attempt_at = now  # written at the real time; the simulation's clock is now
                    row.save(update_fields=["next_attempt_at"])
                    due_from[row.webhook_id] = now
            elif operation == "down":
                receiver.stop()
            elif operation == "up":
                if receiver.server is None:
                    receiver.start()
                receiver.status = argument
                receiver.headers = {"Retry-After": "60"} if argument in (429, 503) else {}
            elif operation == "wait":
                now += datetime.timedelta(seconds=argument)
            else:
                before = set(receiver.ids())
                run_due(now)
                # Nothing is sent before it is due.
                assert all(due_from[webhook_id] <= now for webhook_id in set(receiver.ids()) - before)
        # Then the receiver comes back for good and time passes: everything left is delivered or given up.
        if receiver.server is None:
            receiver.start()
        receiver.status, receiver.headers = 204, {}
        for _ in range(len(outbox.retry_schedule()) + 2):
            now += datetime.timedelta(days=2)
            run_due(now)

        rows = list(WebhookDelivery.objects.all())
        received = receiver.ids()
        assert set(received) <= {row.webhook_id for row in rows}  # nothing but our deliveries
        for row in rows:
            assert row.state in (OutboxState.DONE, OutboxState.FAILED), row
            answered_ok = [a for a in row.attempt_log.all() if a.succeeded]
            if row.state == OutboxState.DONE:
                # Delivered exactly once with a success; any earlier receipt was a failed attempt of the same id.
                assert len(answered_ok) == 1
                assert received.count(row.webhook_id) <= row.attempts
            else:
                # Given up only after its last try.
                assert row.attempts == len(outbox.retry_schedule()) + 1
                assert not answered_ok
        transaction.set_rollback(True)
