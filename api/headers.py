"""Headers every response under ``/api/`` carries, whichever layer made it: the endpoints, Wagtail's image and
document views, the schema and docs pages, the change feed, the preview endpoints, CORS preflights, JSON
errors, and the server-side cache's hits (``api.middleware``, the innermost middleware, so a hit passes
through here exactly as a miss does).

- ``Content-Security-Policy``: JSON loads nothing, may not be framed and has no base URL or forms to abuse,
  so a browser that is tricked into rendering a response as a document runs nothing in it. A view that sets
  its own policy keeps it (the docs page allows its one inline style sheet, ``api.schema_views``).
- ``X-Content-Type-Options: nosniff``: a JSON body is never sniffed into HTML or a script.
- ``Referrer-Policy: no-referrer``: nothing the API serves links onwards with a URL worth leaking (preview
  URLs carry their token in the query string).
- ``Cache-Control``: an error (status 400 and above) is never stored, whatever a layer below said: a cached
  404 would outlive the page's publication and a cached 400 a fix of the front-end. A successful response
  keeps what its view decided (the endpoints' ``public, max-age``, the preview's and the change feed's
  ``no-store``, ``private, no-store`` for a request with a session); one that decided nothing (Wagtail's
  image and document views, a redirect of ``find``) gets the API's public rule (``api.cache``). Methods other
  than GET and HEAD (CORS preflights) are not cacheable content: ``no-store``.
"""

from . import cache as api_cache

API_PREFIX = "/api/"
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
REFERRER_POLICY = "no-referrer"
CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


class ApiHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path_info.startswith(API_PREFIX):
            add_api_headers(request, response)
        return response


def add_api_headers(request, response):
    response.headers.setdefault("Content-Security-Policy", JSON_CSP)
    response["X-Content-Type-Options"] = "nosniff"
    response["Referrer-Policy"] = REFERRER_POLICY
    if response.status_code >= 400:
        if "no-store" not in directives(response.get("Cache-Control", "")):
            response["Cache-Control"] = "no-store"
    elif "Cache-Control" not in response:
        if request.method in CACHEABLE_METHODS:
            api_cache.set_cache_control(request, response)
        else:
            response["Cache-Control"] = "no-store"
    if "Vary" in response:
        normalise_vary(response)
    return response


def directives(cache_control):
    return {part.strip().split("=", 1)[0].lower() for part in cache_control.split(",") if part.strip()}


def normalise_vary(response):
    """One spelling per header name (django-cors-headers adds ``origin`` in lower case), once each, in the
    order the layers added them."""
    names = {}
    for name in response["Vary"].split(","):
        name = name.strip()
        if name:
            names.setdefault(name.lower(), CANONICAL.get(name.lower(), name))
    response["Vary"] = "*" if "*" in names else ", ".join(names.values())


CANONICAL = {"origin": "Origin", "cookie": "Cookie", "accept-language": "Accept-Language", "accept": "Accept"}
