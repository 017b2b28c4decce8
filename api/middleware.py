"""Answers API requests whose response is already cached, and stores the responses the views mark cacheable.

It is the last middleware, so a hit passes through every other one exactly as a miss does: host validation,
security headers, ``Vary``/``Content-Language``, framing rules. What differs is only what the view would do;
so a hit repeats the headers the view's own layers (DRF) added when the entry was stored, and requests that
the view might answer differently (a ``format`` parameter, an ``Accept`` that excludes JSON) always reach the
view. What may be cached, and under which scopes, is decided by the endpoint itself (``cache_scopes``), found
through the normal URL resolver (its answers remembered per path).
"""

from django.conf import settings
from django.urls import Resolver404, get_urlconf, resolve

from . import cache as api_cache

# Headers that the entry and the request decide, never copied from the response that was stored.
OWN_HEADERS = frozenset(
    {"content-type", "content-length", "etag", "last-modified", "cache-control", "vary", "cache-tag", "surrogate-key"}
)


class CachedApiResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        route = _route(request.path_info) if request.method == "GET" else None
        if route is None:
            return self.get_response(request)
        endpoint_class, action, kwargs = route
        scopes = endpoint_class.cache_scopes(action, kwargs, request)
        if scopes and _negotiates_json(request):
            entry, _stamp, _key = api_cache.lookup(scopes, request, final=False)
            if entry is not None:
                return api_cache.respond(request, entry)
        response = self.get_response(request)
        pending = getattr(response, "api_cache_entry", None)
        if pending is not None and response.status_code in (200, 304):
            key, entry = pending
            own = getattr(response, "api_cache_headers", frozenset())
            entry["headers"] = [
                (name, value)
                for name, value in response.items()
                if name.lower() not in OWN_HEADERS and name.lower() not in own
            ]
            api_cache.store(key, entry)
        return response


# Accept headers that certainly take JSON, answered without parsing (the usual ones of fetch() and curl).
JSON_ACCEPTS = frozenset({"", "*/*", "application/json", "application/json, text/plain, */*"})


def _negotiates_json(request):
    # DRF decides these itself (a renderer by ?format=, or 406 for an Accept without JSON).
    if "format" in request.GET:
        return False
    return request.META.get("HTTP_ACCEPT", "") in JSON_ACCEPTS or request.accepts("application/json")


# path -> (endpoint class, action, URL kwargs), or None where no cacheable endpoint answers. Resolving costs
# as much as the rest of a hit, and the same few paths come again and again. Bounded: a flood of odd paths
# only empties it. Keyed by URLconf as well, for tests that swap it.
_routes = {}
MAX_ROUTES = 2048


def _route(path_info):
    key = (get_urlconf() or settings.ROOT_URLCONF, path_info)
    try:
        return _routes[key]
    except KeyError:
        pass
    try:
        match = resolve(path_info)
    except Resolver404:
        route = None
    else:
        endpoint_class = getattr(match.func, "cls", None)
        actions = getattr(match.func, "actions", None)
        if endpoint_class is None or not actions or not hasattr(endpoint_class, "cache_scopes"):
            route = None
        else:
            route = (endpoint_class, actions.get("get"), match.kwargs)
    if len(_routes) >= MAX_ROUTES:
        _routes.clear()
    _routes[key] = route
    return route
