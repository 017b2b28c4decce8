"""The request id of the request being served, and the logging filter that puts it on every log record.

Kept apart from ``api.errors`` (the middleware) on purpose: Django configures logging before the apps are
loaded, so what ``LOGGING`` names (``api.logging.RequestIdFilter``) must import nothing that needs them.

The id lives in a context variable, set by ``api.errors.RequestIdMiddleware`` for the duration of a request:
each thread (and each asyncio task) sees its own request's id, and code running outside any request sees
``NO_REQUEST_ID``.
"""

import contextvars
import logging
import re
import uuid

# What a proxy may pass in X-Request-ID to be kept: letters, digits and ``._:-``, 8 to 128 characters (a UUID,
# nginx's $request_id, a cloud load balancer's trace id). Anything else is replaced, so that a client cannot
# write arbitrary text (line breaks, markup, a megabyte) into the logs and the response headers.
INCOMING_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")
NO_REQUEST_ID = "-"

_request_id = contextvars.ContextVar("request_id", default=NO_REQUEST_ID)


def current_request_id():
    """The id of the request being served, or ``NO_REQUEST_ID`` outside a request."""
    return _request_id.get()


def accept_or_generate(incoming):
    """The proxy's id when it is sane, otherwise a new one (32 hex digits)."""
    if incoming and INCOMING_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def bind(request_id):
    """Make ``request_id`` the current one; returns the token to pass to ``unbind``."""
    return _request_id.set(request_id)


def unbind(token):
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record that passes (put it on handlers: a filter on a logger does not see
    records propagated from its children). A record that names its own id (``extra={"request_id": ...}``)
    keeps it."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# Paths in the logs are cut here: gunicorn lets request lines of up to 4 KB through.
MAX_LOGGED_PATH = 1000


def loggable_path(path):
    """A path as the logs may hold it: never the query string (a preview token is one); cut, and control
    characters escaped, so that one request is one line."""
    return path[:MAX_LOGGED_PATH].encode("unicode_escape").decode("ascii")
