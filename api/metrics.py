"""The metrics of requests and of the response cache (Prometheus, exposed by ``cms.metrics``).

- ``cms_http_requests_total{kind,method,status}`` and ``cms_http_request_duration_seconds{kind}``: every
  request, by *endpoint kind* (``pages_detail``, ``pages_listing``, ``people``, … ``changes``, ``preview``,
  ``schema``, ``admin``, ``health``, ``other``). Kinds, not paths: a label per path would grow without bound.
- ``cms_api_cache_total{result}``: lookups of the response cache: ``hit``, ``miss``, ``unavailable`` (the shared
  cache did not answer), and ``not_modified`` for cached answers that were a 304.
- ``cms_api_cache_errors_total{operation}``: failed reads, writes and bumps of the shared cache.
"""

import time

from django.urls import Resolver404, resolve
from prometheus_client import Counter, Histogram

requests = Counter("cms_http_requests_total", "HTTP requests answered.", ["kind", "method", "status"])
durations = Histogram(
    "cms_http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint kind.",
    ["kind"],
    # From a cached hit (well under a millisecond) to a cold render of a long report.
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
cache_lookups = Counter("cms_api_cache_total", "Lookups of the API response cache.", ["result"])
cache_errors = Counter("cms_api_cache_errors_total", "Failed operations on the shared API cache.", ["operation"])

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
HEALTH_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
# The router's endpoints (``api.router``) by their URL namespace; pages tell listings from details.
SNIPPET_KINDS = frozenset({"people", "organisations", "contacts", "projects", "images", "documents"})
NAMED_KINDS = {
    "api-changes": "changes",
    "api-page-preview": "preview",
    "api-snippet-preview": "preview",
    "api-schema": "schema",
    "api-docs": "schema",
}

# path -> kind, for API paths (a cache hit is answered before URL resolution). Bounded like the middleware's.
_kinds = {}
MAX_KINDS = 4096


def kind_of(request):
    path = request.path_info
    if path in HEALTH_PATHS:
        return "health"
    if path.startswith("/admin/"):
        return "admin"
    if not path.startswith("/api/"):
        return "other"
    kind = _kinds.get(path)
    if kind is None:
        kind = _api_kind(getattr(request, "resolver_match", None), path)
        if len(_kinds) >= MAX_KINDS:
            _kinds.clear()
        _kinds[path] = kind
    return kind


def _api_kind(match, path):
    if match is None:
        try:
            match = resolve(path)
        except Resolver404:
            return "other"
    if match.url_name in NAMED_KINDS:
        return NAMED_KINDS[match.url_name]
    namespaces = match.namespaces
    if "wagtailapi_v2" in namespaces and namespaces[-1] != "wagtailapi_v2":
        endpoint = namespaces[-1]
        if endpoint == "pages":
            return "pages_listing" if match.url_name == "listing" else "pages_detail"
        if endpoint in SNIPPET_KINDS:
            return endpoint
    return "other"


class RequestMetricsMiddleware:
    """Counts and times every request. First in MIDDLEWARE: the time includes every other middleware, the
    response cache's hits too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        kind = kind_of(request)
        method = request.method if request.method in METHODS else "OTHER"
        requests.labels(kind=kind, method=method, status=str(response.status_code)).inc()
        durations.labels(kind=kind).observe(time.perf_counter() - started)
        return response
