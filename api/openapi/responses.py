"""Responses, headers and the operation object of each GET: what every endpoint answers besides its body."""

from ..endpoints.pages import PagesEndpoint
from ..endpoints.snippets import SnippetEndpoint
from .jsonschema import ref, string
from .parameters import CONDITIONAL_PARAMETERS

# Rendered by the conditional-request logic of ``DeliveryEndpointMixin``, which only these endpoints use.
CONDITIONAL_ENDPOINTS = (PagesEndpoint, SnippetEndpoint)


def operation(endpoint, name, kind, summary, description, parameters, responses, errors):
    """The GET of endpoint ``name``, tagged with it; the conditional headers and the 304 where conditional
    requests are answered, and errors."""
    responses = dict(responses)
    if issubclass(endpoint, CONDITIONAL_ENDPOINTS) and "200" in responses:
        responses["304"] = {"$ref": "#/components/responses/NotModified"}
        parameters = [*parameters, *CONDITIONAL_PARAMETERS]
    for status in errors:
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
        response["headers"] = {name: {"$ref": f"#/components/headers/{name}"} for name in HEADERS}
    return {"200": response}


ERROR_RESPONSES = {"400": "BadRequest", "404": "NotFound"}

RESPONSES = {
    "BadRequest": {
        "description": "A query parameter is unknown, not allowed here, or has a bad value.",
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "NotFound": {
        "description": "No such live, public object (drafts and private content are not found either).",
        "content": {"application/json": {"schema": ref("Error")}},
    },
    "NotModified": {
        "description": "Not Modified: the response you have (If-None-Match / If-Modified-Since) is current. No body.",
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Last-Modified": {"$ref": "#/components/headers/Last-Modified"},
            "Cache-Control": {"$ref": "#/components/headers/Cache-Control"},
        },
    },
}

HEADERS = {
    "ETag": {"description": "Fingerprint of the body; send it back as If-None-Match.", "schema": string()},
    "Last-Modified": {
        "description": "Latest publication time of what the response shows; absent when nothing in it has one.",
        "schema": string(),
    },
    "Cache-Control": {
        "description": "public, max-age=N for anonymous requests; private, no-store when the request has a session.",
        "schema": string(),
    },
    "Vary": {"description": "Cookie (and Accept-Language).", "schema": string()},
}
