"""The headers of every kind of API response (api.headers), CORS for the front-end's origins only, and a
cached hit answering exactly the headers of the miss that stored it."""

import base64
import hashlib
import re
from unittest import mock

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client, RequestFactory

from api.endpoints.base import DeliveryEndpointMixin
from api.headers import JSON_CSP, add_api_headers
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, ProjectFactory
from cms.models import EventReportPage

pytestmark = pytest.mark.django_db

FRONTEND = settings.CMS_FRONTEND_ORIGINS[0]  # the front-end's origin (http://127.0.0.1:3000 by default)
ELSEWHERE = "https://evil.example"
ANY = mock.ANY
PUBLIC = f"public, max-age={settings.CMS_API_MAX_AGE}"

# What every response under /api/ carries, whatever made it.
EVERY = {
    "content-security-policy": JSON_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "content-language": "lv",
    "x-request-id": ANY,
    "content-length": ANY,
}
JSON = {**EVERY, "content-type": "application/json"}
CORS = {"access-control-allow-origin": FRONTEND, "access-control-expose-headers": "ETag, X-Request-ID"}
DRF = {"allow": "GET, HEAD, OPTIONS"}
# The endpoints' own views: validators and cache tags (Last-Modified too when the content has a time).
VALIDATED = {"etag": ANY, "cache-tag": ANY, "surrogate-key": ANY}
VARY_PUBLIC = {"vary": "Accept-Language, Cookie, Origin"}
VARY_NO_COOKIE = {"vary": "Accept-Language, Origin"}

ENDPOINT = {**JSON, **DRF, **VALIDATED, **VARY_PUBLIC, "cache-control": PUBLIC}
MEDIA = {**JSON, **DRF, **VARY_PUBLIC, "cache-control": PUBLIC}
ERROR = {**JSON, **VARY_NO_COOKIE, "cache-control": "no-store"}
PREVIEW_ERROR = {
    **JSON,
    **DRF,
    **VARY_NO_COOKIE,
    "cache-control": "private, no-store",
    "x-robots-tag": "noindex, nofollow",
}


@pytest.fixture
def content(publish):
    page = EventReportPageFactory(title="Forums")
    publish(page)
    page = EventReportPage.objects.get(pk=page.pk)
    return {
        "page": page,
        "image": ImageFactory(),
        "document": DocumentFactory(),
        "person": PersonFactory(),
        "organisation": OrganisationFactory(),
        "contact": ContactCardFactory(),
        "project": ProjectFactory(),
    }


def headers(response):
    """The response's headers by lower-case name; Vary as its names in a fixed order, Last-Modified left out
    (present exactly when the content has a publication time)."""
    found = {name.lower(): value for name, value in response.items()}
    if "vary" in found:
        found["vary"] = ", ".join(sorted(name.strip() for name in found["vary"].split(",")))
    found.pop("last-modified", None)
    return found


KINDS = {
    # kind: (URL from the content, status, expected headers with an allowed Origin)
    "pages listing": (lambda c: "/api/v2/pages/", 200, {**ENDPOINT, **CORS}),
    "page detail": (lambda c: f"/api/v2/pages/{c['page'].pk}/", 200, {**ENDPOINT, **CORS}),
    "find": (
        lambda c: f"/api/v2/pages/find/?html_path={c['page'].url_path.removeprefix('/home')}",
        302,
        {
            **EVERY,
            **DRF,
            **VARY_PUBLIC,
            **CORS,
            "content-type": "text/html; charset=utf-8",
            "location": ANY,
            "cache-control": PUBLIC,
        },
    ),
    "images listing": (lambda c: "/api/v2/images/", 200, {**MEDIA, **CORS}),
    "image detail": (lambda c: f"/api/v2/images/{c['image'].pk}/", 200, {**MEDIA, **CORS}),
    "documents listing": (lambda c: "/api/v2/documents/", 200, {**MEDIA, **CORS}),
    "document detail": (lambda c: f"/api/v2/documents/{c['document'].pk}/", 200, {**MEDIA, **CORS}),
    "people listing": (lambda c: "/api/v2/people/", 200, {**ENDPOINT, **CORS}),
    "person detail": (lambda c: f"/api/v2/people/{c['person'].pk}/", 200, {**ENDPOINT, **CORS}),
    "organisations": (lambda c: "/api/v2/organisations/", 200, {**ENDPOINT, **CORS}),
    "organisation detail": (lambda c: f"/api/v2/organisations/{c['organisation'].pk}/", 200, {**ENDPOINT, **CORS}),
    "contacts": (lambda c: "/api/v2/contacts/", 200, {**ENDPOINT, **CORS}),
    "projects": (lambda c: "/api/v2/projects/", 200, {**ENDPOINT, **CORS}),
    "schema": (lambda c: "/api/v2/schema/", 200, {**JSON, **VARY_PUBLIC, **CORS, "cache-control": PUBLIC}),
    "docs": (
        lambda c: "/api/v2/docs/",
        200,
        {
            **EVERY,
            **VARY_PUBLIC,
            **CORS,
            "content-type": "text/html; charset=utf-8",
            "content-security-policy": ANY,  # its own (test_the_docs_page_allows_its_style_sheet_only)
            "cache-control": PUBLIC,
        },
    ),
    "change feed": (lambda c: "/api/v2/changes/", 200, {**JSON, **VARY_NO_COOKIE, **CORS, "cache-control": "no-store"}),
    "page preview, bad token": (
        lambda c: "/api/v2/page_preview/?content_type=cms.eventreportpage&token=bad",
        403,
        {**PREVIEW_ERROR, **CORS},
    ),
    "snippet preview, bad token": (
        lambda c: "/api/v2/snippet_preview/?content_type=cms.person&token=bad",
        403,
        {**PREVIEW_ERROR, **CORS},
    ),
    "404 of an endpoint": (lambda c: "/api/v2/pages/999999/", 404, {**ERROR, **DRF, **CORS}),
    "404 of no endpoint": (lambda c: "/api/v2/nonexistent/", 404, {**ERROR, **CORS}),
    "400": (lambda c: "/api/v2/pages/?limit=x", 400, {**ERROR, **DRF, **CORS}),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_of_response_has_its_exact_headers(kind, content):
    url, status, expected = KINDS[kind]
    response = Client(HTTP_HOST="localhost").get(url(content), HTTP_ORIGIN=FRONTEND)
    assert response.status_code == status
    assert headers(response) == expected


@pytest.mark.parametrize("kind", KINDS)
def test_another_origin_gets_no_cors_headers_and_otherwise_the_same(kind, content):
    url, status, expected = KINDS[kind]
    response = Client(HTTP_HOST="localhost").get(url(content), HTTP_ORIGIN=ELSEWHERE)
    assert response.status_code == status
    assert headers(response) == {name: value for name, value in expected.items() if name not in CORS}


def test_a_request_without_origin_gets_no_cors_headers_but_varies_on_origin(content):
    response = Client(HTTP_HOST="localhost").get("/api/v2/pages/")
    found = headers(response)
    assert not [name for name in found if name.startswith("access-control-")]
    assert "Origin" in found["vary"].split(", ")


def test_the_pages_detail_says_when_it_was_published(content):
    response = Client(HTTP_HOST="localhost").get(f"/api/v2/pages/{content['page'].pk}/")
    assert response["Last-Modified"]


PREFLIGHT = {
    "content-type": "text/html; charset=utf-8",
    "content-length": "0",
    "vary": "Origin",
    "content-security-policy": JSON_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "x-request-id": ANY,
    "cache-control": "no-store",
}


@pytest.mark.parametrize("path", ["/api/v2/pages/", "/api/v2/page_preview/", "/api/v2/snippet_preview/"])
def test_preflight_of_the_front_end(path, db):
    response = Client(HTTP_HOST="localhost").options(
        path,
        HTTP_ORIGIN=FRONTEND,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match, x-request-id",
    )
    assert response.status_code == 200
    assert headers(response) == {
        **PREFLIGHT,
        **CORS,
        "access-control-allow-methods": "GET, HEAD, OPTIONS",
        "access-control-allow-headers": "accept, accept-language, if-none-match, if-modified-since, x-request-id",
        "access-control-max-age": "3600",
    }


def test_preflight_of_another_origin_allows_nothing(db):
    response = Client(HTTP_HOST="localhost").options(
        "/api/v2/pages/", HTTP_ORIGIN=ELSEWHERE, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert headers(response) == PREFLIGHT


def test_credentials_are_never_allowed(content):
    client = Client(HTTP_HOST="localhost")
    for response in (
        client.get("/api/v2/pages/", HTTP_ORIGIN=FRONTEND),
        client.get("/api/v2/page_preview/?content_type=cms.eventreportpage&token=bad", HTTP_ORIGIN=FRONTEND),
        client.options("/api/v2/pages/", HTTP_ORIGIN=FRONTEND, HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"),
    ):
        assert "Access-Control-Allow-Credentials" not in response
        assert response["Access-Control-Allow-Origin"] == FRONTEND  # never "*"


def test_other_methods_are_json_errors_that_are_not_stored(db):
    response = Client(HTTP_HOST="localhost").post("/api/v2/pages/", HTTP_ORIGIN=FRONTEND)
    assert response.status_code == 405
    assert response["Cache-Control"] == "no-store"
    assert response["Access-Control-Allow-Origin"] == FRONTEND
    assert response["Content-Security-Policy"] == JSON_CSP


def test_head_has_the_headers_of_get(content):
    client = Client(HTTP_HOST="localhost")
    for url in ("/api/v2/pages/", "/api/v2/images/", "/api/v2/schema/"):
        get, head = client.get(url, HTTP_ORIGIN=FRONTEND), client.head(url, HTTP_ORIGIN=FRONTEND)
        assert head.status_code == 200 and head.content == b""
        assert {**headers(head), "x-request-id": ANY} == {**headers(get), "x-request-id": ANY}, url


def test_a_session_cookie_makes_every_kind_private(content):
    client = Client(HTTP_HOST="localhost")
    client.cookies["sessionid"] = "anything"
    for url in ("/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/", "/api/v2/schema/", "/api/v2/docs/"):
        assert client.get(url)["Cache-Control"] == "private, no-store", url


def test_an_error_is_never_stored_whatever_a_layer_said():
    request = RequestFactory().get("/api/v2/pages/")
    for status in (400, 404, 410, 429, 500, 503):
        response = HttpResponse(status=status)
        response["Cache-Control"] = "public, max-age=86400"
        assert add_api_headers(request, response)["Cache-Control"] == "no-store"
    # An error that is already never stored keeps its wording (the preview's private, no-store).
    response = HttpResponse(status=403)
    response["Cache-Control"] = "private, no-store"
    assert add_api_headers(request, response)["Cache-Control"] == "private, no-store"


def test_a_response_that_sets_a_cookie_is_never_public():
    response = HttpResponse()
    response.set_cookie("something", "value")
    add_api_headers(RequestFactory().get("/api/v2/images/"), response)
    assert response["Cache-Control"] == "private, no-store"


def test_the_view_decides_a_successful_responses_caching():
    request = RequestFactory().get("/api/v2/changes/")
    response = HttpResponse()
    response["Cache-Control"] = "no-store"
    assert add_api_headers(request, response)["Cache-Control"] == "no-store"


def test_only_api_responses_get_the_api_headers(db):
    response = Client().get("/admin/login/")
    assert response.status_code == 200
    assert "Content-Security-Policy" not in response  # the admin runs scripts: not the API's policy
    assert "Access-Control-Allow-Origin" not in Client().get("/admin/login/", HTTP_ORIGIN=FRONTEND)


def test_the_docs_page_allows_its_style_sheet_only(db):
    response = Client(HTTP_HOST="localhost").get("/api/v2/docs/")
    html = response.content.decode()
    styles = re.findall(r"<style>(.*?)</style>", html, re.DOTALL)
    assert styles and "<script" not in html and " style=" not in html
    hashes = [base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() for style in styles]
    assert response["Content-Security-Policy"] == (
        "default-src 'none'; style-src "
        + " ".join(f"'sha256-{value}'" for value in hashes)
        + "; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


# --- the server-side cache --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/api/v2/pages/", "page", "/api/v2/people/", "person"])
@pytest.mark.parametrize("origin", [FRONTEND, ELSEWHERE, None])
def test_a_cached_hit_has_exactly_the_headers_of_the_miss(path, origin, content, monkeypatch):
    url = {"page": f"/api/v2/pages/{content['page'].pk}/", "person": f"/api/v2/people/{content['person'].pk}/"}
    url = url.get(path, path)
    built = []
    original = DeliveryEndpointMixin.cached_response
    monkeypatch.setattr(
        DeliveryEndpointMixin,
        "cached_response",
        lambda self, *args: built.append(self) or original(self, *args),
    )
    client = Client(HTTP_HOST="localhost")
    extra = {"HTTP_ORIGIN": origin} if origin else {}
    miss, hit = client.get(url, **extra), client.get(url, **extra)
    assert len(built) == 1  # the second was answered by the cache, not the view
    assert miss.status_code == hit.status_code == 200 and miss.content == hit.content
    assert {**headers(hit), "x-request-id": ANY} == headers(miss)
    assert hit["Last-Modified"] == miss["Last-Modified"] if "Last-Modified" in miss else "Last-Modified" not in hit
    # A revalidation gets the 304 with the same caching headers.
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=miss["ETag"], **extra)
    assert not_modified.status_code == 304
    for name in ("cache-control", "vary", "etag", "content-security-policy", "access-control-allow-origin"):
        assert headers(not_modified).get(name) == headers(miss).get(name), name
