"""Answers API requests whose response is already cached, before the rest of the middleware and the view.

A hit needs none of what follows: no session or user (the API ignores both), no CSRF (GET only), no DRF
request wrapping or parameter checks (only valid requests were ever stored). What may be cached, and under
which scopes, is still decided by the endpoint itself (``cache_scopes``), found through the normal URL
resolver, so this layer knows nothing about URLs of its own.
"""

from django.urls import Resolver404, resolve

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
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        endpoint_class = getattr(match.func, "cls", None)
        actions = getattr(match.func, "actions", None)
        if endpoint_class is None or not actions or not hasattr(endpoint_class, "cache_scopes"):
            return None
        endpoint = endpoint_class()
        scopes = endpoint.cache_scopes(actions.get("get"), match.kwargs, request)
        if not scopes:
            return None
        entry, _stamp, _key = api_cache.lookup(scopes, request.get_full_path())
        if entry is None:
            return None
        response = endpoint.http_response(request, entry)
        if response.status_code == 200:
            response["Content-Length"] = str(len(entry["body"]))
        return response
