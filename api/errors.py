"""Request ids, the access log, and JSON errors for everything under ``/api/``.

``RequestIdMiddleware`` (outermost) gives every request an id — the proxy's ``X-Request-ID`` when it is sane,
otherwise a new one — binds it for the logging filter (``api.logging``), sends it back as ``X-Request-ID``
on every response and writes one access-log line per request (logger ``api.access``).

``ApiErrorMiddleware`` makes every error under ``/api/`` one JSON shape, ``{"message", "request_id"}``
(``api.endpoints.base.Error``), in every settings module, DEBUG included, whatever raised it:

- an exception in a view (a DRF endpoint re-raises what it does not handle itself) is turned into a response
  here (``process_exception``), before Django would render its HTML debug or "Server Error" page; an
  unexpected one is a 500, logged with its traceback;
- an error that is already a response by the time it comes back through this middleware — Django's 404 for
  a path no URL matches (``/api/v2/pages/abc/``; the technical 404 page with DEBUG), the 400 of a bad Host
  header, the 405 of ``require_safe``, a 500 of a middleware further in — has its body replaced; the
  response keeps its status and the headers other layers set (CORS, ``Vary``, ``Allow``);
- a JSON error body of an API view is completed with the request id if it lacks one.

Every error response under ``/api/`` carries ``Cache-Control: no-store``: an error must not be kept by a
browser or a CDN (a 404 of a page about to be published, a 500 of a passing fault). Nothing of a traceback
or of the settings ever reaches the body. Outside ``/api/`` Django's own behaviour is left alone.
"""

import json
import logging
import time

from django.core import signals
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.log import log_response
from django.views import defaults

from . import logging as request_ids
from .endpoints.base import error_body, status_message

API_PREFIX = "/api/"
HEADER = "X-Request-ID"

access_logger = logging.getLogger("api.access")
logger = logging.getLogger(__name__)


def is_api(request):
    return request.path_info.startswith(API_PREFIX)


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_ids.accept_or_generate(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        token = request_ids.bind(request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response[HEADER] = request_id
            path = request_ids.loggable_path(request.path)
            duration_ms = round((time.monotonic() - started) * 1000, 1)
            access_logger.info(
                "%s %s %s %sms",
                request.method,
                path,
                response.status_code,
                duration_ms,
                extra={
                    "method": request.method,
                    "path": path,
                    "status_code": response.status_code,
                    "duration_ms": duration_ms,
                },
            )
            return response
        finally:
            request_ids.unbind(token)


class ApiErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if is_api(request) and response.status_code >= 400:
            response = as_json_error(response)
        return response

    def process_exception(self, request, exception):
        """Exceptions of views under /api/, as JSON: what Django would answer, without its HTML pages."""
        if not is_api(request):
            return None
        if isinstance(exception, Http404):
            return error_response(404)
        if isinstance(exception, PermissionDenied):
            response = error_response(403)
            log_response("Forbidden (Permission denied): %s", request.path, response=response, request=request)
            return response
        if isinstance(exception, BadRequest | SuspiciousOperation):
            response = error_response(400)
            # As Django does: suspicious operations on their own security logger, for alerting.
            name = "django.security." + type(exception).__name__
            if isinstance(exception, SuspiciousOperation):
                log_response(
                    str(exception),
                    response=response,
                    request=request,
                    level="error",
                    logger=logging.getLogger(name),
                    exception=exception,
                )
            else:
                log_response("%s: %s", str(exception), request.path, response=response, request=request)
            return response
        # A fault. The signal is what Django sends for it (error reporters listen; the test client re-raises).
        signals.got_request_exception.send(sender=None, request=request)
        response = error_response(500)
        log_response(
            "Internal Server Error: %s",
            request.path,
            response=response,
            request=request,
            logger=logger,
            exception=exception,
        )
        return response


def error_response(status, message=None):
    response = JsonResponse(error_body(message or status_message(status)), status=status)
    response["Cache-Control"] = "no-store"
    return response


def as_json_error(response):
    """``response``, an error under /api/, with the one JSON body and no-store. Changed in place, so that it
    keeps its status, cookies and every header other layers set (CORS, ``Vary``, ``Allow``)."""
    body = _json_error_body(response) or error_body(status_message(response.status_code))
    content = json.dumps(body, ensure_ascii=False).encode()
    if response.streaming:
        response.streaming_content = [content]
    else:
        response.content = content
    response["Content-Type"] = "application/json"
    if response.has_header("Content-Length"):
        response["Content-Length"] = str(len(content))
    if response.has_header("Content-Encoding"):
        del response["Content-Encoding"]  # the body is now plain JSON
    if "no-store" not in response.get("Cache-Control", ""):
        response["Cache-Control"] = "no-store"
    return response


def _json_error_body(response):
    """The error body ``response`` should have when it already is a JSON error; None when it is not one."""
    if response.streaming or not response.get("Content-Type", "").startswith("application/json"):
        return None
    try:
        data = json.loads(response.content)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    message = data.get("message", data.get("detail"))
    if not isinstance(message, str):
        return None
    body = error_body(message)
    if isinstance(data.get("request_id"), str):
        body["request_id"] = data["request_id"]
    return body


def not_found(request, exception=None):
    """``handler404`` for a site that does not use ``ApiErrorMiddleware``: JSON 404s under /api/."""
    if is_api(request):
        return error_response(404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """``handler500``: without DEBUG, a fault outside ``ApiErrorMiddleware``'s reach (in a middleware around
    it) still answers JSON under /api/; other paths get the site's 500 page."""
    if is_api(request):
        return error_response(500)
    return defaults.server_error(request)
