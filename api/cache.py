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

When the shared cache cannot be reached (Redis down or restarting), the API answers uncached, as correct as
ever and only slower: a lookup finds nothing and stores nothing, and the restricted paths are read from the
database. A bump that could not be written is the one thing that could leave stale answers behind (if Redis
comes back with its data): the process that could not write it bumps *everything* as soon as the cache
answers again, retrying in the background (``CMS_API_BUMP_RETRY_SECONDS``) and on its next lookup.
"""

import functools
import hashlib
import importlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import generations, metrics

logger = logging.getLogger(__name__)

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


def _cache_errors():
    # What a cache that cannot be reached raises: the socket's errors, and redis-py's and django-redis's own.
    errors = [OSError]
    try:
        from redis.exceptions import RedisError

        errors.append(RedisError)
    except ImportError:
        pass
    try:
        from django_redis.exceptions import ConnectionInterrupted

        errors.append(ConnectionInterrupted)
    except ImportError:
        pass
    return tuple(errors)


CACHE_ERRORS = _cache_errors()


class CacheUnavailable(Exception):
    """The shared cache did not answer; the caller serves without it."""


class _Outage:
    """This process's view of the shared cache: the aliases it owes a bump, and when a failure was last logged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.owed = set()
        self.retrying = False
        self.logged_at = 0.0

    @property
    def bump_owed(self):
        return _alias() in self.owed

    def failed(self, operation, error):
        metrics.cache_errors.labels(operation=operation).inc()
        now = time.monotonic()
        # One line per ten seconds per process: an outage must be visible, not flood the log.
        if now - self.logged_at > 10:
            self.logged_at = now
            logger.warning("API cache unavailable (%s: %s): answering uncached", operation, type(error).__name__)

    def owe_bump(self, alias):
        with self.lock:
            self.owed.add(alias)
            if self.retrying:
                return
            self.retrying = True
        threading.Thread(target=self._retry, name="api-cache-bump-retry", daemon=True).start()

    def settle(self, alias):
        """Pay the bump owed to the cache ``alias``; True when nothing is owed (any more)."""
        if alias not in self.owed:
            return True
        try:
            _write_bump(caches[alias], alias, (EVERYTHING, PRIVACY))
        except CACHE_ERRORS:
            return False
        with self.lock:
            self.owed.discard(alias)
        logger.warning("API cache reachable again: every cached response invalidated (a bump was owed)")
        return True

    def _retry(self):
        interval = float(getattr(settings, "CMS_API_BUMP_RETRY_SECONDS", 1))
        try:
            while True:
                # Every alias tried each round, not only up to the first that fails.
                settled = [self.settle(alias) for alias in list(self.owed)]
                if all(settled):
                    break
                time.sleep(interval)
        finally:
            with self.lock:
                self.retrying = False


outage = _Outage()


def _generation_key(scope):
    return f"api:gen:{scope}"


def _new_generation():
    # Random, never counted up: a number that could come back after an eviction might revive a stale response.
    # An integer, which django-redis stores as it is (not pickled), so that a bump can write it directly.
    return secrets.randbits(62)


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


@functools.cache
def release():
    """What tells this code's answers from another release's, in the response keys: during a rolling deploy
    old and new processes share the cache, and a release that changes what the API says must not serve what
    the old one stored (nor the reverse). ``CMS_RELEASE`` when the deployment names its release (a commit id);
    otherwise a fingerprint of what shapes the answers: the apps' code, templates and compiled catalogues.
    Generations stay shared, so an edit invalidates the answers of both releases."""
    given = getattr(settings, "CMS_RELEASE", "")
    if given:
        return str(given)
    digest = hashlib.sha256()
    for package in ("api", "blocks", "cms"):
        root = Path(importlib.import_module(package).__file__).resolve().parent
        for path in sorted(root.rglob("*")):
            if path.suffix in {".py", ".html", ".mo"} and "migrations" not in path.parts and path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_key(request):
    """The release, the path and the query parameters that can change the response, in a fixed order."""
    params = sorted(
        (name, value) for name, values in request.GET.lists() if name not in IGNORED_PARAMETERS for value in values
    )
    full = release() + " " + request.path + ("?" + urlencode(params) if params else "")
    return "api:resp:" + hashlib.sha256(full.encode()).hexdigest()[:40]


def storable(request):
    return not any(name in request.GET for name in UNSTORED_PARAMETERS)


def lookup(scopes, request, *, final=True):
    """The stored response for the request if it is current, and the stamp to store a new one with.

    Returns ``(entry or None, stamp, key)``. ``final``: a miss means the response is built now (the middleware's
    early lookup is not final: the view looks again). The stamp is the current generation of each scope, from this
    process's mirror or read in one round trip; an entry is current only if it was stored under the same
    stamp. The stamp is taken *before* a response is built, so a change committed during the build leaves
    the new entry already outdated instead of filing old content under a new stamp. A missing generation
    (never set, or evicted) gets a fresh random value: a number that could come back after eviction might
    revive a stale response.
    """
    key = cache_key(request)
    try:
        stamp = current_stamp([EVERYTHING, *scopes])
        entry = local_responses.get(key, stamp)
        if entry is None:
            entry = response_cache().get(key)
            if entry is not None and entry.get("stamp") == stamp:
                local_responses.put(key, entry)
            else:
                entry = None
    except CacheUnavailable:
        # Nothing found, and a stamp of None: what is built is not stored.
        if final:
            metrics.cache_lookups.labels(result="unavailable").inc()
        return None, None, key
    # A miss is counted once, by the lookup after which the response is built (``final``).
    if entry is not None or final:
        metrics.cache_lookups.labels(result="miss" if entry is None else "hit").inc()
    return entry, stamp, key


def current_stamp(scopes):
    """The current generation of each scope: from this process's mirror while it is confirmed current
    (``api.generations``), otherwise read from the shared cache in one ``get_many`` (a single MGET with
    Redis), which is the only place a bump is known."""
    cache = response_cache()
    generation_keys = [_generation_key(scope) for scope in scopes]
    # An owed bump first: until it is written, no generation read may be trusted.
    if not outage.settle(_alias()):
        raise CacheUnavailable
    mirror = generations.mirror_for(_alias(), cache)
    if mirror is not None:
        found = mirror.get(generation_keys)
        if found is not None:
            return tuple(found[generation_key] for generation_key in generation_keys)
        token = mirror.token()
    try:
        found = cache.get_many(generation_keys)
        for generation_key in generation_keys:
            if generation_key not in found:
                cache.add(generation_key, _new_generation(), None)
                found[generation_key] = cache.get(generation_key)
    except CACHE_ERRORS as error:
        outage.failed("read", error)
        raise CacheUnavailable from error
    if mirror is not None:
        mirror.fill(token, found)
    return tuple(found[generation_key] for generation_key in generation_keys)


def store(key, entry):
    if entry.get("stamp") is None:
        return  # built while the cache was unavailable: its generations are unknown
    try:
        response_cache().set(key, entry, getattr(settings, "CMS_API_CACHE_TIMEOUT", 24 * 3600))
    except CACHE_ERRORS as error:
        outage.failed("write", error)
        return
    local_responses.put(key, entry)


def _write_bump(cache, alias, scopes):
    new = {_generation_key(scope): _new_generation() for scope in scopes}
    mirror = generations.mirror_for(alias, cache)
    client = _redis_client(cache, alias)
    if client is None:
        cache.set_many(new, None)
        if mirror is not None:
            mirror.announce(new)
        return
    # One round trip, whatever the number of generations (a person shown on a thousand reports bumps a thousand
    # and two): an MSET, and the announcement after it on the same connection. django-redis's set_many would send a
    # SET per key, each through its own key, encoding and timeout handling. What is written is what it writes: its
    # own keys (``make_key``), and integers, which it stores unencoded and reads back as integers whatever its
    # serializer and compressor; no expiry, as set_many(..., None).
    pipeline = client.pipeline(transaction=False)
    pipeline.mset({cache.make_key(key): value for key, value in new.items()})
    if mirror is not None:
        pipeline.publish(mirror.channel, mirror.message(new))
    pipeline.execute()
    if mirror is not None:
        # Only now: until the bump is in Redis, a copy read from Redis would be the old value again.
        mirror.forget(new)


def _redis_client(cache, alias):
    """The Redis client behind a django-redis cache (its public ``get_redis_connection``); None for others."""
    if not type(cache).__module__.startswith("django_redis."):
        return None
    from django_redis import get_redis_connection

    try:
        return get_redis_connection(alias, write=True)
    except NotImplementedError:  # a sharded client has no single connection: its own set_many then
        return None


def bump(*scopes):
    alias = _alias()
    try:
        _write_bump(caches[alias], alias, scopes)
    except CACHE_ERRORS as error:
        # Which scopes no longer matters: everything is bumped once the cache answers.
        outage.failed("bump", error)
        outage.owe_bump(alias)


def health_check():
    """``/readyz``: a round trip to the response cache (``cms.health``)."""
    cache = response_cache()
    try:
        cache.get("api:readyz")
    except CACHE_ERRORS as error:
        return {"ok": False, "backend": type(cache).__name__, "error": type(error).__name__}
    return {"ok": not outage.bump_owed, "backend": type(cache).__name__, "bump_owed": outage.bump_owed}


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


def invalidate_privacy(sender, **kwargs):
    """The restricted paths are read again (``cms.changes.private_structure_changed``): no public response
    changed, the paths that say what is private did."""
    bump(PRIVACY)


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
    elif response.status_code == 304:
        metrics.cache_lookups.labels(result="not_modified").inc()
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
