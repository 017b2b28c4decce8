"""Answers API requests whose response is already cached, before the rest of the middleware and the view.

A hit needs none of what follows: no session or user (the API ignores both), no CSRF (GET only), no DRF
request wrapping or parameter checks (only valid requests were ever stored). What may be cached, and under
which scopes, is still decided by the endpoint itself (``cache_scopes``), found through the normal URL
resolver (its answers remembered per path), so this layer knows nothing about URLs of its own.
"""

from django.conf import settings
from django.urls import Resolver404, get_urlconf, resolve

from . import cache as api_cache

API_PREFIX = "/api/v2/"


class CachedApiResponseMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "GET" and request.path_info.startswith(API_PREFIX):
            response = self.cached(request)
            if response is not None:
                return response
        return self.get_response(request)

    def cached(self, request):
        route = _route(request.path_info)
        if route is None:
            return None
        endpoint_class, action, kwargs = route
        endpoint = endpoint_class()
        scopes = endpoint.cache_scopes(action, kwargs, request)
        if not scopes:
            return None
        entry, _stamp, _key = api_cache.lookup(scopes, request.get_full_path())
        if entry is None:
            return None
        response = endpoint.http_response(request, entry)
        if response.status_code == 200:
            response["Content-Length"] = str(len(entry["body"]))
        return response


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
