"""The push side's metrics (Prometheus, exposed by ``cms.metrics``).

Counted in the task worker, as it works:
- ``cms_webhook_attempts_total{outcome}``: delivered, retry, failed, gone, skipped;
- ``cms_webhook_delivery_seconds``: from the change event's delivery row being written (in the edit's
  transaction) to the receiver's 2xx, for each delivered webhook;
- ``cms_purge_batches_total{outcome}``: purged, retry, failed, cancelled, skipped.

Read from the database at each scrape (``OutboxCollector``), so that any instance reports them:
- ``cms_outbox_items{queue,state}``: webhook deliveries and purge jobs by state (``queue``: webhook, purge);
- ``cms_outbox_oldest_due_seconds{queue}``: age of the oldest due, pending item (what ``/readyz`` calls lag);
- ``cms_webhook_deliveries{endpoint,state}``: pending and failed deliveries per endpoint;
- ``cms_worker_heartbeat_age_seconds``: since a task worker last beat (absent when none ever did).
"""

import threading

from django.db.models import Count
from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily

webhook_attempts = Counter("cms_webhook_attempts_total", "Webhook delivery attempts, by outcome.", ["outcome"])
_delivery_seconds = None
_lock = threading.Lock()


def observe_delivery(seconds):
    """One delivered webhook, ``seconds`` after its change event. The histogram is made at the first one: a
    metric without labels writes its file into ``PROMETHEUS_MULTIPROC_DIR`` when it is made, and every process
    that imports this module (each ``manage.py`` command) would leave one there."""
    global _delivery_seconds
    if _delivery_seconds is None:
        with _lock:
            if _delivery_seconds is None:
                _delivery_seconds = Histogram(
                    "cms_webhook_delivery_seconds",
                    "Time from a change event to its webhook's delivery.",
                    # A worker polling every second delivers in about one; retries after an outage take minutes.
                    buckets=(0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
                )
    _delivery_seconds.observe(seconds)


purge_batches = Counter("cms_purge_batches_total", "Cache purge jobs run, by outcome.", ["outcome"])


class OutboxCollector:
    """The outbox and the workers' heartbeats, as the database has them at scrape time (five queries)."""

    def collect(self):
        from .health import heartbeat_age, outbox_lag
        from .models import OutboxState, PurgeJob, WebhookDelivery

        items = GaugeMetricFamily("cms_outbox_items", "Outbox items by queue and state.", labels=["queue", "state"])
        for queue, model in (("webhook", WebhookDelivery), ("purge", PurgeJob)):
            counts = dict(model.objects.values_list("state").annotate(n=Count("pk")).values_list("state", "n"))
            for state in OutboxState.values:
                items.add_metric([queue, state], counts.get(state, 0))
        yield items

        lag = GaugeMetricFamily(
            "cms_outbox_oldest_due_seconds", "Age of the oldest due, pending outbox item.", labels=["queue"]
        )
        for queue, seconds in outbox_lag().items():
            lag.add_metric([queue], seconds)
        yield lag

        deliveries = GaugeMetricFamily(
            "cms_webhook_deliveries",
            "Pending and failed webhook deliveries per endpoint.",
            labels=["endpoint", "state"],
        )
        rows = (
            WebhookDelivery.objects.filter(state__in=[OutboxState.PENDING, OutboxState.FAILED])
            .values_list("endpoint__name", "state")
            .annotate(n=Count("pk"))
        )
        for endpoint, state, count in rows:
            deliveries.add_metric([endpoint, state], count)
        yield deliveries

        age = heartbeat_age()
        if age is not None:
            yield GaugeMetricFamily(
                "cms_worker_heartbeat_age_seconds", "Seconds since a task worker last beat.", value=age
            )
