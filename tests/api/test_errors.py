"""Every error under /api/ is one JSON shape with a request id, in every settings module (DEBUG included),
whatever raised it; every request has an id, sent back and written into the logs (``api.errors``)."""

import logging
import re

import pytest
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.test import Client

from api import logging as request_ids
from api import middleware as api_middleware
from api import schema_views
from api.endpoints.pages import PagesEndpoint
from cms.factories.pages import EventReportPageFactory

pytestmark = pytest.mark.django_db

GENERATED_ID = re.compile(r"[0-9a-f]{32}")
# What must never reach an error body, whatever DEBUG says: a traceback, settings, Django's debug pages.
LEAKS = ("Traceback", "SECRET_KEY", "settings", "DEBUG", "<html", "<!DOCTYPE", "boom")


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    """Each test twice: with the test settings, and with DEBUG on as the development settings have it."""
    settings.DEBUG = request.param
    return request.param


@pytest.fixture
def client():
    # Faults must come back as responses, as they do for a real server, not be re-raised into the test.
    return Client(raise_request_exception=False, HTTP_HOST="localhost")


@pytest.fixture
def request_id_records(caplog):
    """caplog with the request id filter, as the LOGGING config puts it on every handler."""
    caplog.handler.addFilter(request_ids.RequestIdFilter())
    return caplog


def assert_json_error(response, status, message=None):
    assert response.status_code == status, (response.status_code, response.content[:300])
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"message", "request_id"}, body
    assert body["request_id"] == response["X-Request-ID"]
    assert response["Cache-Control"] == "no-store" or "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert not [leak for leak in LEAKS if leak in text], text
    if message is not None:
        assert body["message"] == message
    return body


# --- the reproductions ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url",
    ["/api/v2/pages/abc/", "/api/v2/nonexistent/", "/api/v2/pages/999999/", "/api/v2/people/abc/", "/api/x/"],
)
def test_paths_no_view_answers_are_a_json_404(client, debug, url):
    response = client.get(url)
    assert_json_error(response, 404, "not found")
    # The layers inside keep their headers (LocaleMiddleware's Vary) when the body is replaced.
    assert "Accept-Language" in response["Vary"]


def test_bad_input_is_a_json_400_with_the_request_id(client, debug):
    response = client.get("/api/v2/pages/?bogus=1")
    assert_json_error(response, 400, "query parameter is not an operation or a recognised field: bogus")


def test_the_change_feed_errors_have_the_same_shape(client, debug):
    assert_json_error(client.get("/api/v2/changes/?bogus=1"), 400)


def test_a_bad_host_is_a_json_400(client, debug, settings):
    settings.ALLOWED_HOSTS = ["localhost"]
    # DEBUG's page for it lists the settings: it must not come through.
    assert_json_error(client.get("/api/v2/pages/", HTTP_HOST="evil.example"), 400, "bad request")


@pytest.mark.parametrize("url", ["/api/v2/pages/", "/api/v2/schema/", "/api/v2/changes/"])
def test_another_method_is_a_json_405_with_allow(client, debug, url):
    response = client.post(url)
    assert_json_error(response, 405, "method not allowed")
    assert "GET" in response["Allow"]


def test_an_accept_without_json_is_a_json_406_in_english(client, debug):
    response = client.get("/api/v2/pages/", HTTP_ACCEPT="text/html", HTTP_ACCEPT_LANGUAGE="lv")
    assert_json_error(response, 406, "not acceptable")


@pytest.mark.parametrize("where", ["endpoint", "plain view", "middleware"])
def test_a_fault_is_a_json_500_logged_with_traceback_and_request_id(
    client, debug, monkeypatch, request_id_records, where
):
    def boom(*args, **kwargs):
        raise RuntimeError("boom: a secret detail")

    url = {"endpoint": "/api/v2/pages/", "plain view": "/api/v2/schema/", "middleware": "/api/v2/people/"}[where]
    if where == "endpoint":
        monkeypatch.setattr(PagesEndpoint, "listing_view", boom)
    elif where == "plain view":
        monkeypatch.setattr(schema_views, "openapi_document", boom)
    else:  # a middleware inside ApiErrorMiddleware: Django has made its 500 page before it comes back
        monkeypatch.setattr(api_middleware.CachedApiResponseMiddleware, "__call__", boom)
    with request_id_records.at_level(logging.ERROR):
        response = client.get(url)
    body = assert_json_error(response, 500, "internal server error")
    faults = [record for record in request_id_records.records if record.exc_info]
    assert len(faults) == 1, [record.getMessage() for record in request_id_records.records]
    fault = faults[0]
    assert fault.request_id == body["request_id"]
    assert fault.exc_info[0] is RuntimeError
    assert "boom: a secret detail" in request_id_records.text  # the traceback is in the log, not the body
    # Logged once: no second line without the traceback.
    assert [r.levelno for r in request_id_records.records if r.levelno >= logging.ERROR] == [logging.ERROR]


def test_a_proxys_request_id_is_kept_when_sane(client):
    response = client.get("/api/v2/pages/999999/", HTTP_X_REQUEST_ID="req-2026.12:abc_DEF")
    assert response["X-Request-ID"] == "req-2026.12:abc_DEF"
    assert response.json()["request_id"] == "req-2026.12:abc_DEF"


@pytest.mark.parametrize(
    "incoming", ["short", "x" * 129, "has space inside", "line\nbreak-injected", "<script>alert(1)</script>", ""]
)
def test_an_odd_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/api/v2/pages/999999/", HTTP_X_REQUEST_ID=incoming)
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert response.json()["request_id"] == response["X-Request-ID"]


def test_every_response_has_a_request_id_and_success_is_untouched(client):
    page = EventReportPageFactory()
    response = client.get(f"/api/v2/pages/{page.pk}/")
    assert response.status_code == 200
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])
    assert "request_id" not in response.json()
    assert client.get("/api/v2/pages/").get("X-Request-ID") != response["X-Request-ID"]


def test_paths_outside_the_api_keep_djangos_pages(client, debug):
    response = client.get("/xyz/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert GENERATED_ID.fullmatch(response["X-Request-ID"])


def test_one_access_log_line_per_request(client, request_id_records):
    with request_id_records.at_level(logging.INFO, logger="api.access"):
        response = client.get("/api/v2/pages/999999/?token=secret-preview-token")
    lines = [record for record in request_id_records.records if record.name == "api.access"]
    assert len(lines) == 1
    line = lines[0]
    assert (line.method, line.path, line.status_code) == ("GET", "/api/v2/pages/999999/", response.status_code)
    assert line.duration_ms >= 0
    assert line.request_id == response["X-Request-ID"]
    assert "secret-preview-token" not in line.getMessage()  # never the query string


def test_records_outside_a_request_say_so(request_id_records):
    logging.getLogger("api.test").warning("no request here")
    assert request_id_records.records[-1].request_id == request_ids.NO_REQUEST_ID


def test_error_bodies_of_cors_requests_keep_the_cors_headers(client, debug, settings):
    origin = settings.CMS_FRONTEND_ORIGINS[0]
    response = client.get("/api/v2/page_preview/?content_type=cms.eventreportpage", HTTP_ORIGIN=origin)
    assert_json_error(response, 400)
    assert response["Access-Control-Allow-Origin"] == origin


@pytest.mark.parametrize(
    ("exception", "status", "message"),
    [
        (Http404("no such thing: boom"), 404, "not found"),
        (PermissionDenied("boom"), 403, "forbidden"),
        (SuspiciousOperation("boom"), 400, "bad request"),
        (BadRequest("boom"), 400, "bad request"),
    ],
    ids=["Http404", "PermissionDenied", "SuspiciousOperation", "BadRequest"],
)
@pytest.mark.parametrize("url", ["/api/v2/schema/", "/api/v2/pages/"], ids=["plain-view", "endpoint"])
def test_djangos_own_exceptions_keep_their_status(client, debug, monkeypatch, exception, status, message, url):
    def fail(*args, **kwargs):
        raise exception

    if url == "/api/v2/pages/":
        monkeypatch.setattr(PagesEndpoint, "listing_view", fail)
    else:
        monkeypatch.setattr(schema_views, "openapi_document", fail)
    assert_json_error(client.get(url), status, message)


@pytest.mark.parametrize(
    "url", ["/api/v2/pages/?format=api", "/api/v2/images/?format=xml", "/api/v2/people/1/?format=api"]
)
def test_a_format_without_a_renderer_is_bad_input_not_a_missing_object(client, debug, url):
    # DRF's own answer is a 404, which says "no such object" about objects that may well exist.
    assert_json_error(client.get(url), 400, "format must be json (the only representation)")


def test_format_json_is_still_accepted(client):
    assert client.get("/api/v2/pages/?format=json").status_code == 200


@pytest.mark.parametrize("url", ["/api/v2/docs/", "/api/v2/schema/", "/api/v2/changes/", "/api/v2/page_preview/"])
def test_read_only_views_answer_other_methods_405_not_a_csrf_403(client, debug, url):
    response = client.post(url)
    assert_json_error(response, 405, "method not allowed")
