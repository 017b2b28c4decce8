"""``/metrics``: the Prometheus exposition of every app's metrics, and the change log's own.

Counters and histograms live in the process that counts them (``api.metrics``: requests and the response
cache; ``frontend_hooks.metrics``: deliveries and purges in the worker; here: change events written). With
several processes (gunicorn's workers, the task worker) each counts apart: set ``PROMETHEUS_MULTIPROC_DIR`` to a
directory they share, emptied at each start (deploy/gunicorn.conf.py does it), and every scrape adds them up.
What the database knows (the outbox, the workers' heartbeats) is read at scrape time by collectors that apps
register here (``register_collector``): every instance reports the same figures, whichever one is scraped.

Access: a request carrying ``Authorization: Bearer <CMS_METRICS_TOKEN>`` (when that is set), or coming from
``CMS_METRICS_ALLOWED_NETWORKS`` (default: this machine only) *directly*: a request that passed a proxy (it
carries ``X-Forwarded-For`` or ``Forwarded``) is never let in by its address, since a proxy on this machine
makes every visitor's address a local one. Anything else gets a plain 404, as if there were no such page: the
figures say how busy the site is and which endpoints exist.
"""

import hmac
import ipaddress
import os

from django.conf import settings
from django.http import HttpResponse, HttpResponseNotFound
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    disable_created_metrics,
    generate_latest,
)

from .health import non_atomic

# The ``_created`` series would double every counter's lines for a time Prometheus does not need.
disable_created_metrics()

change_events = Counter("cms_change_events_total", "Change events written (cms.changes).", ["type"])

_collectors = []


def register_collector(collector):
    """A collector read at every scrape (``collect()`` yielding metric families), e.g. from the database."""
    if collector not in _collectors:
        _collectors.append(collector)


def scrape_registry(*, collectors=True):
    """What one scrape reports: every process's counters (or this one's), and the registered collectors
    (``collectors=False``: the counters only)."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    for collector in _collectors if collectors else ():
        registry.register(collector)
    return registry


class _ThisProcess:
    def collect(self):
        yield from REGISTRY.collect()


def _networks():
    value = getattr(settings, "CMS_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
    if isinstance(value, str):
        value = [part for part in value.split(",") if part.strip()]
    return [ipaddress.ip_network(part.strip(), strict=False) for part in value]


def allowed(request):
    token = getattr(settings, "CMS_METRICS_TOKEN", "")
    if token:
        given = request.headers.get("Authorization", "")
        if hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
            return True
    if "x-forwarded-for" in request.headers or "forwarded" in request.headers:
        return False
    # The peer's own address (a forwarded header would name whoever the client says it is).
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _networks())


@non_atomic
@require_safe
def metrics_view(request):
    if not allowed(request):
        return HttpResponseNotFound("Not Found", content_type="text/plain")
    response = HttpResponse(generate_latest(scrape_registry()), content_type=CONTENT_TYPE_LATEST)
    add_never_cache_headers(response)
    return response
