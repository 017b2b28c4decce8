"""A front-end cache backend for Varnish- and nginx-style caches that purge on an HTTP ``PURGE`` request.

Wagtail's ``HTTPBackend`` does the same without a timeout (a hung cache holds the worker for good) and only
logs what went wrong. This one gives up after ``TIMEOUT`` seconds and raises ``PurgeError`` on any failure
(no connection, no answer in time, an answer other than 2xx or 404), so that ``frontend_hooks.purge`` tries the
job again later. It also purges by cache tag (``purge_tags``): one ``PURGE`` to ``LOCATION`` whose header
(``TAG_HEADER``) lists the tags, as Varnish's xkey module or Fastly-style caches read them. The API sends both
``Surrogate-Key`` (space-separated) and ``Cache-Tag`` (comma-separated) on its responses (``api.cache``).

Configured like any of Wagtail's backends::

    WAGTAILFRONTENDCACHE = {
        "varnish": {
            "BACKEND": "frontend_hooks.backends.HTTPPurgeBackend",
            "LOCATION": "http://127.0.0.1:6081",
            # Optional: "HOSTNAMES": ["www.example.lv"],
            "OPTIONS": {"TIMEOUT": 5, "TAG_HEADER": "xkey-purge"},
        },
    }

``OPTIONS``: ``TIMEOUT`` (seconds per request; ``CMS_WEBHOOK_TIMEOUT`` or 15 when unset), ``TAG_HEADER``
(``Surrogate-Key``), ``TAG_SEPARATOR`` (a space). A URL is purged by connecting to ``LOCATION`` and asking for
the URL's path and query with the URL's host in ``Host``, as Wagtail's backend does; the path of ``LOCATION``,
if any, is where tag purges are sent (``/`` otherwise). Redirects are never followed and urllib3 does not retry:
retries are the outbox's.
"""

import contextlib
from urllib.parse import urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.encoding import iri_to_uri
from wagtail.contrib.frontend_cache.backends.base import BaseBackend

__all__ = ["HTTPPurgeBackend", "PurgeError"]

USER_AGENT = "novads-cms-purge/1"
DEFAULT_TAG_HEADER = "Surrogate-Key"
# Header lines above 4-8 KB are refused by common proxies (nginx's default buffer is 8 KB for the whole line
# with its name): the tags are split over several requests below this.
MAX_TAG_HEADER = 4000
# A cache that no longer holds the URL may answer 404 (nginx's cache_purge): nothing was stale.
NOTHING_TO_PURGE = 404


class PurgeError(Exception):
    """A purge that did not happen; the job is tried again."""


def _default_timeout():
    return float(getattr(settings, "CMS_WEBHOOK_TIMEOUT", 15))


def _host_header(parts):
    host = parts.hostname or ""
    # A name idna cannot encode is left as it is: the cache will not match it either, and says so.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{parts.port}" if parts.port else host


def tag_batches(tags, separator=" ", limit=MAX_TAG_HEADER):
    """``tags`` joined by ``separator`` into header values of at most ``limit`` characters (a longer tag
    alone goes in a value of its own)."""
    batch, length = [], 0
    for tag in tags:
        extra = len(tag) + (len(separator) if batch else 0)
        if batch and length + extra > limit:
            yield separator.join(batch)
            batch, length = [], 0
            extra = len(tag)
        batch.append(tag)
        length += extra
    if batch:
        yield separator.join(batch)


class HTTPPurgeBackend(BaseBackend):
    def __init__(self, params):
        super().__init__(params)
        location = params.get("LOCATION")
        parts = urlsplit(location or "")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ImproperlyConfigured(
                f"HTTPPurgeBackend needs LOCATION, the http(s) address of the cache (got {location!r})."
            )
        options = params.get("OPTIONS") or {}
        self.location = location
        self.timeout = float(options.get("TIMEOUT", _default_timeout()))
        self.tag_header = options.get("TAG_HEADER", DEFAULT_TAG_HEADER)
        self.tag_separator = options.get("TAG_SEPARATOR", " ")
        self.tag_path = parts.path or "/"
        timeout = urllib3.Timeout(connect=self.timeout, read=self.timeout, total=self.timeout)
        # One connection, kept open across a batch's requests.
        self.pool = urllib3.connection_from_url(location, timeout=timeout, retries=False, maxsize=1)

    def purge(self, url):
        parts = urlsplit(url)
        path = iri_to_uri(parts.path or "/") + (f"?{iri_to_uri(parts.query)}" if parts.query else "")
        self._send(path, {"Host": _host_header(parts)}, url)

    def purge_tags(self, tags):
        for value in tag_batches(sorted(set(tags)), self.tag_separator):
            self._send(self.tag_path, {self.tag_header: value}, f"tags {value[:80]}")

    def _send(self, path, headers, what):
        try:
            response = self.pool.urlopen(
                "PURGE",
                path,
                headers={"User-Agent": USER_AGENT, **headers},
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
            )
            status = response.status
            response.drain_conn()
            response.release_conn()
        except urllib3.exceptions.NewConnectionError as exc:  # before TimeoutError: urllib3 counts it as one
            raise PurgeError(f"cannot connect to {self.location} to purge {what}: {exc}") from exc
        except urllib3.exceptions.TimeoutError as exc:
            raise PurgeError(f"{self.location} did not answer within {self.timeout:g} s to purge {what}") from exc
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise PurgeError(f"purging {what} at {self.location} failed: {type(exc).__name__}: {exc}") from exc
        if not (200 <= status < 300 or status == NOTHING_TO_PURGE):
            raise PurgeError(f"{self.location} answered HTTP {status} to purge {what}")
        return status

    def close(self):
        self.pool.close()
