"""Server-side cache of serialised API responses, invalidated from the change log only.

Each response is stored under a key that contains a *generation* number of every scope it shows: the page for
a detail response, ``listings`` for page listings, ``snippets`` for the snippet endpoints, and ``all`` for
everything (a site or locale change). Invalidating means bumping generations, which orphans every cached
variant of a scope at once; orphans expire.

What to bump is never worked out here: ``cms.changes`` records, for every edit, what it affects, and
``invalidate`` maps a committed change event onto scopes. Privacy edits also bump ``privacy``, the generation
under which the restricted paths are cached (``api.privacy``), in the same write as the page scopes.

Responses live in a cache of their own (``CMS_API_CACHE``: the ``api`` alias here, ``default`` when unset),
apart from renditions. The key is the path with the query parameters sorted and ``_`` (a client's
cache-buster, which changes no output) left out, so query-string noise cannot grow the cache; free-text
searches are not stored.
"""

import hashlib
import threading
import uuid
from collections import OrderedDict
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import generations

LISTINGS = "listings"
SNIPPETS = "snippets"
EVERYTHING = "all"
PRIVACY = "privacy"
# Query parameters that never change a response: not part of the cache key.
IGNORED_PARAMETERS = frozenset({"_"})
# Free text: every value is a new entry, and few repeat.
UNSTORED_PARAMETERS = frozenset({"search"})


def _alias():
    # A site of its own may have no cache but ``default``; this one names an alias for the API (``api``).
    return getattr(settings, "CMS_API_CACHE", "default")


def response_cache():
    return caches[_alias()]


def _generation_key(scope):
    return f"api:gen:{scope}"


def _new_generation():
    return uuid.uuid4().hex[:16]


class _LocalResponses:
    """Responses this process has served recently, kept as they are (no unpickling, no network).

    Only a copy: an entry is used when its stamp equals the current generations of the shared cache, so
    invalidation stays correct across processes. With Redis, those generations are mirrored in the process
    too (``api.generations``), and a hit needs no network at all.
    """

    def __init__(self, max_entries=256):
        self.max_entries = max_entries
        self.entries = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key, stamp):
        with self.lock:
            entry = self.entries.get(key)
            if entry is None or entry["stamp"] != stamp:
                return None
            self.entries.move_to_end(key)
            return entry

    def put(self, key, entry):
        with self.lock:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            while len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    def clear(self):
        with self.lock:
            self.entries.clear()


local_responses = _LocalResponses(getattr(settings, "CMS_API_LOCAL_RESPONSES", 256))


def cache_key(request):
    """The path and the query parameters that can change the response, in a fixed order."""
    params = sorted(
        (name, value) for name, values in request.GET.lists() if name not in IGNORED_PARAMETERS for value in values
    )
    full = request.path + ("?" + urlencode(params) if params else "")
    return "api:resp:" + hashlib.sha256(full.encode()).hexdigest()[:40]


def storable(request):
    return not any(name in request.GET for name in UNSTORED_PARAMETERS)


def lookup(scopes, request):
    """The stored response for the request if it is current, and the stamp to store a new one with.

    Returns ``(entry or None, stamp, key)``. The stamp is the current generation of each scope, from this
    process's mirror or read in one round trip; an entry is current only if it was stored under the same
    stamp. The stamp is taken *before* a response is built, so a change committed during the build leaves
    the new entry already outdated instead of filing old content under a new stamp. A missing generation
    (never set, or evicted) gets a fresh random value: a number that could come back after eviction might
    revive a stale response.
    """
    cache = response_cache()
    key = cache_key(request)
    stamp = current_stamp([EVERYTHING, *scopes])
    entry = local_responses.get(key, stamp)
    if entry is None:
        entry = cache.get(key)
        if entry is not None and entry.get("stamp") == stamp:
            local_responses.put(key, entry)
        else:
            entry = None
    return entry, stamp, key


def current_stamp(scopes):
    """The current generation of each scope: from this process's mirror while it is confirmed current
    (``api.generations``), otherwise read from the shared cache in one ``get_many`` (a single MGET with
    Redis), which is the only place a bump is known."""
    cache = response_cache()
    generation_keys = [_generation_key(scope) for scope in scopes]
    mirror = generations.mirror_for(_alias(), cache)
    if mirror is not None:
        found = mirror.get(generation_keys)
        if found is not None:
            return tuple(found[generation_key] for generation_key in generation_keys)
        token = mirror.token()
    found = cache.get_many(generation_keys)
    for generation_key in generation_keys:
        if generation_key not in found:
            cache.add(generation_key, _new_generation(), None)
            found[generation_key] = cache.get(generation_key)
    if mirror is not None:
        mirror.fill(token, found)
    return tuple(found[generation_key] for generation_key in generation_keys)


def store(key, entry):
    response_cache().set(key, entry, getattr(settings, "CMS_API_CACHE_TIMEOUT", 24 * 3600))
    local_responses.put(key, entry)


def bump(*scopes):
    cache = response_cache()
    new = {_generation_key(scope): _new_generation() for scope in scopes}
    cache.set_many(new, None)
    mirror = generations.mirror_for(_alias(), cache)
    if mirror is not None:
        mirror.announce(new)


# --- invalidation from the change log ------------------------------------------------------------------
PRIVACY_KINDS = frozenset({"page.privacy", "collection.privacy", "collection.saved", "page.moved", "site.changed"})


def scopes_for(event):
    """The cache scopes a committed change event makes stale."""
    affected = event.affected
    if affected.get("everything"):
        return [EVERYTHING, PRIVACY]
    scopes = [f"page:{pk}" for pk in affected.get("pages", [])]
    if scopes or event.object_type == "wagtailcore.page":
        scopes.append(LISTINGS)
    if affected.get("snippets") or affected.get("media") or affected.get("pages"):
        # Snippet endpoints show organisations, photos, logos and links to pages (bios): any may be it.
        scopes.append(SNIPPETS)
    if event.kind in PRIVACY_KINDS:
        scopes.append(PRIVACY)
    return scopes


def invalidate(sender, event, **kwargs):
    scopes = scopes_for(event)
    if scopes:
        bump(*scopes)


# --- responses -----------------------------------------------------------------------------------------
def respond(request, entry):
    """The response for a cache entry, as a hit and a miss both give it: 200 or 304 (Django's conditional
    GET rules), validators, Cache-Control, the cache tags, and the headers the view added on the miss."""
    etag, last_modified = entry["etag"], entry["lm"]
    # Django's conditional GET first, without a response: a 304 (or 412) is made without building the 200.
    response = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified) if last_modified else None, response=None
    )
    if response is None:
        response = HttpResponse(entry["body"], content_type="application/json")
    response["ETag"] = etag
    if last_modified:
        response["Last-Modified"] = http_date(last_modified)
    if entry.get("tags") and response.status_code == 200:
        # Tag-purging caches: Cloudflare and Akamai read Cache-Tag (commas), Fastly and Varnish Surrogate-Key.
        # Not on a 304: the cache keeps the tags of the response it revalidates.
        response["Cache-Tag"] = ",".join(entry["tags"])
        response["Surrogate-Key"] = " ".join(entry["tags"])
    set_cache_control(request, response)
    for name, value in entry.get("headers", ()):
        if name not in response:
            response[name] = value
    if response.status_code == 200:
        response["Content-Length"] = str(len(entry["body"]))
    return response


PRIVATE = "private, no-store"


def public_cache_control():
    """What a public API response may be cached for, by browsers and shared caches (``CMS_API_MAX_AGE``)."""
    return f"public, max-age={getattr(settings, 'CMS_API_MAX_AGE', 300)}"


def set_cache_control(request, response):
    """The Cache-Control of a successful public API response: every endpoint's views, the schema and docs
    pages, and (through ``api.headers``) Wagtail's own image and document views.

    The API ignores sessions, so "authenticated" means "sent a session cookie": such a response must not
    land in a shared cache, although it is the same as the public one. A response that sets a cookie is never
    public either: a shared cache would hand the cookie to everyone.
    """
    if request.COOKIES.get(settings.SESSION_COOKIE_NAME) or response.cookies:
        response["Cache-Control"] = PRIVATE
    else:
        response["Cache-Control"] = public_cache_control()
    # Added to, never replaced: other layers vary the response too (Accept-Language, Origin).
    patch_vary_headers(response, ("Cookie",))
