"""Responses, headers and the operation object of each GET: what every endpoint answers besides its body."""

from ..endpoints.pages import PagesEndpoint
from ..endpoints.snippets import SnippetEndpoint
from .jsonschema import ref, string
from .parameters import CONDITIONAL_PARAMETERS

# Rendered by the conditional-request logic of ``DeliveryEndpointMixin``, which only these endpoints use.
CONDITIONAL_ENDPOINTS = (PagesEndpoint, SnippetEndpoint)


def operation(endpoint, name, kind, summary, description, parameters, responses, errors):
    """The GET of endpoint ``name``, tagged with it; the conditional headers and the 304 where conditional
    requests are answered, and errors: ``errors`` (those of this operation's own logic), 406 (DRF's content
    negotiation) and those of every operation (``with_common_responses``)."""
    responses = dict(responses)
    if issubclass(endpoint, CONDITIONAL_ENDPOINTS) and "200" in responses:
        responses["304"] = {"$ref": "#/components/responses/NotModified"}
        parameters = [*parameters, *CONDITIONAL_PARAMETERS]
    for status in (*errors, "406"):
        responses[status] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}
    op = {"tags": [name], "operationId": f"{name}_{kind}", "summary": summary}
    if description:
        op["description"] = description
    op["parameters"] = parameters
    op["responses"] = responses
    return {"get": op}


def ok(schema, description, endpoint):
    """A 200 JSON response, with the caching headers where the endpoint sends them."""
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    if issubclass(endpoint, CONDITIONAL_ENDPOINTS):
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in CACHING_HEADERS}
    return {"200": response}


def with_common_responses(paths, responses):
    """What every operation may answer besides its own responses, and the ``X-Request-ID`` every response
    carries (``api.errors``): a 400 (a bad Host header, or a request the HTTP server refuses), 414 and 431
    (refused by the HTTP server before the application sees them) and 500."""
    request_id = {"X-Request-ID": {"$ref": "#/components/headers/X-Request-ID"}}
    for item in paths.values():
        for op in item.values():
            bad_request = op["responses"].setdefault("400", {"$ref": "#/components/responses/BadRequest"})
            if "$ref" not in bad_request:
                bad_request["content"] = {**bad_request["content"], **SERVER_PAGE}
            for status in COMMON_ERRORS:
                op["responses"][status] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[status]}"}
            for response in op["responses"].values():
                if "$ref" not in response:
                    response["headers"] = {**response.get("headers", {}), **request_id}
    for response in responses.values():
        response["headers"] = {**response.get("headers", {}), **request_id}


def json_error(description):
    return {"description": description, "content": {"application/json": {"schema": ref("Error")}}}


# The server's own answers (gunicorn's, before Django sees the request) are a short HTML page.
SERVER_PAGE = {"text/html": {"schema": string("A short HTML page of the HTTP server.")}}
ERROR_RESPONSES = {
    "400": "BadRequest",
    "404": "NotFound",
    "406": "NotAcceptable",
    "414": "URITooLong",
    "431": "HeadersTooLarge",
    "500": "InternalServerError",
}
COMMON_ERRORS = ("414", "431", "500")


def error_responses():
    """The shared responses, fresh for each document (``with_common_responses`` adds headers to them)."""
    bad_request = json_error(
        "A query parameter is unknown, not allowed here, or has a bad value; or the Host header is not this "
        "server's. A request line or header the HTTP server itself cannot parse is refused by it with a short "
        "HTML page instead."
    )
    bad_request["content"].update(SERVER_PAGE)
    return {
        "BadRequest": bad_request,
        "NotFound": json_error("No such live, public object (drafts and private content are not found either)."),
        "NotAcceptable": json_error("The Accept header excludes application/json, the only type served."),
        "URITooLong": {
            "description": "The request line (path and query string) is longer than the HTTP server accepts "
            "(4094 bytes with gunicorn's defaults); refused before the application sees it.",
            "content": dict(SERVER_PAGE),
        },
        "HeadersTooLarge": {
            "description": "Too many request headers, or one too long (gunicorn: 100 headers, 8190 bytes each); "
            "refused before the application sees it.",
            "content": dict(SERVER_PAGE),
        },
        "InternalServerError": json_error(
            "A fault on the server (never bad input). The request_id is in the log with the details: quote it."
        ),
        "NotModified": {
            "description": "Not Modified: the response you have (If-None-Match / If-Modified-Since) is current. "
            "No body.",
            "headers": {
                "ETag": {"$ref": "#/components/headers/ETag"},
                "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
                "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
            },
        },
    }


CACHING_HEADERS = {
    "ETag": {"description": "Fingerprint of the body; send it back as If-None-Match.", "schema": string()},
    "Last-Modified": {
        "description": "Latest publication time of what the response shows; absent when nothing in it has one.",
        "schema": string(),
    },
    "Cache-Control": {
        "description": "public, max-age=N for anonymous requests; private, no-store when the request has a "
        "session; no-store on every error.",
        "schema": string(),
    },
    "Vary": {"description": "Cookie, Accept-Language and Origin.", "schema": string()},
}
HEADERS = {
    **CACHING_HEADERS,
    "X-Request-ID": {
        "description": "The request's id: the X-Request-ID the proxy sent when it is 8 to 128 letters, digits "
        "and ._:- characters, otherwise a new one. In every log line of the request and in error bodies.",
        "schema": string(),
    },
}
