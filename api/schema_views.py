"""The API's description, served next to it: ``/api/v2/schema/`` (OpenAPI 3.1 JSON) and ``/api/v2/docs/``.

Both come from the one document built by ``api.openapi``, so the page a front-end developer reads and the
schema their tools generate types from say the same thing. The docs page is a plain Django template with
its styles inline and no scripts: it works offline, with nothing fetched from a CDN. Its
Content-Security-Policy allows exactly that one style sheet (by its hash) and nothing else.

Both change only with a deployment, so they are public and cached like the API's content (``api.cache``).
"""

import base64
import functools
import hashlib
import re

from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from . import cache as api_cache
from .openapi import openapi_document
from .openapi.document import SHAPES

SCHEMA_PREFIX = "#/components/schemas/"
DOCS_TEMPLATE = "api/docs.html"
STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


# Read-only and public: a POST is answered 405 (require_safe), not refused by the CSRF check first.
@csrf_exempt
@require_safe
def schema_view(request):
    response = JsonResponse(openapi_document(), json_dumps_params={"ensure_ascii": False})
    api_cache.set_cache_control(request, response)
    return response


# Read-only and public: a POST is answered 405 (require_safe), not refused by the CSRF check first.
@csrf_exempt
@require_safe
def docs_view(request):
    document = openapi_document()
    schemas = document["components"]["schemas"]
    stream_items = [name for name in schemas if name.startswith("Block_")]
    blocks = stream_items + [name for name in _reachable(schemas, stream_items, SHAPES) if name not in stream_items]
    shapes = _reachable(schemas, SHAPES, blocks)
    others = [name for name in schemas if name not in blocks and name not in shapes]
    context = {
        "info": document["info"],
        "operations": [
            _operation(document, path, op) for path, item in document["paths"].items() for op in item.values()
        ],
        "schema_groups": [
            ("blocks", "Stream blocks", [_schema(name, schemas[name]) for name in blocks]),
            ("shapes", "Shapes", [_schema(name, schemas[name]) for name in shapes]),
            ("responses", "Responses and page fields", [_schema(name, schemas[name]) for name in others]),
        ],
        "schema_url": reverse("api-schema"),
    }
    response = render(request, DOCS_TEMPLATE, context)
    response["Content-Security-Policy"] = docs_csp()
    api_cache.set_cache_control(request, response)
    return response


@functools.cache
def docs_csp():
    """The docs page's policy: its inline style sheet, allowed by hash, and nothing else (no scripts, images,
    fonts, frames, forms or connections). The hash is taken from the template's source, not from a rendered
    page, so nothing that reaches the page through the context could ever be allowed by it; the style sheet
    must therefore be literal text, which is checked here rather than found out in a browser."""
    source = get_template(DOCS_TEMPLATE).template.source
    styles = STYLE_ELEMENT.findall(source)
    if not styles or any("{{" in style or "{%" in style for style in styles):
        raise ImproperlyConfigured(f"{DOCS_TEMPLATE} must have literal <style> elements (their hashes are its CSP)")
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()}'" for style in styles
    )
    return f"default-src 'none'; style-src {hashes}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"


def _reachable(schemas, roots, exclude):
    """``roots`` and every component they refer to, in document order, except those in ``exclude``."""
    seen, stack = set(), list(roots)
    while stack:
        name = stack.pop()
        if name in seen or name in exclude:
            continue
        seen.add(name)
        stack += _refs(schemas[name])
    return [name for name in schemas if name in seen]


def _refs(node):
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith(SCHEMA_PREFIX):
            yield node["$ref"].removeprefix(SCHEMA_PREFIX)
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _resolve(document, node):
    """Follow a ``#/components/...`` reference to what it names (responses and headers are referenced)."""
    while "$ref" in node and not node["$ref"].startswith(SCHEMA_PREFIX):
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def _operation(document, path, op):
    responses = []
    for status, response in op["responses"].items():
        response = _resolve(document, response)
        content = response.get("content", {})
        media_type, body = next(iter(content.items()), (None, None))
        responses.append(
            {
                "status": status,
                "description": response["description"],
                "media_type": media_type,
                "type": type_html(body["schema"]) if body else "",
                "headers": ", ".join(response.get("headers", {})),
            }
        )
    return {
        "id": op["operationId"],
        "path": path,
        "summary": op["summary"],
        "description": op.get("description", ""),
        "parameters": [
            {
                "name": p["name"],
                "in": p["in"],
                "required": p["required"],
                "type": type_html(p["schema"]),
                "description": p["description"],
            }
            for p in op.get("parameters", [])
        ],
        "responses": responses,
    }


def _schema(name, schema):
    required = set(schema.get("required", ()))
    return {
        "name": name,
        "title": schema.get("title", ""),
        "description": schema.get("description", ""),
        "type": "" if "properties" in schema else type_html(schema),
        "properties": [
            {
                "name": key,
                "type": type_html(value),
                "required": key in required,
                "title": value.get("title", ""),
                "description": value.get("description", ""),
            }
            for key, value in schema.get("properties", {}).items()
        ],
    }


def type_html(schema):
    """A short, readable type as HTML: ``Person | null``, ``array of SpeakerBlock``, ``one of h2, h3``."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(SCHEMA_PREFIX)
        return format_html('<a href="#schema-{}">{}</a>', name, name)
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return _alternatives(type_html(option) for option in schema[combinator])
    if "const" in schema:
        return format_html("<code>{}</code>", _literal(schema["const"]))
    types = schema.get("type", "any")
    types = types if isinstance(types, list) else [types]
    parts = []
    for type_ in types:
        if "enum" in schema and type_ != "null":
            values = [value for value in schema["enum"] if value is not None]
            parts.append(
                format_html("one of {}", format_html_join(", ", "<code>{}</code>", ((_literal(v),) for v in values)))
            )
        elif type_ == "array":
            parts.append(format_html("array of {}", type_html(schema.get("items", {}))))
        elif "format" in schema and type_ == "string":
            parts.append(format_html("string ({})", schema["format"]))
        else:
            parts.append(format_html("{}", type_))
    return _alternatives(parts)


def _alternatives(parts):
    return format_html_join(" | ", "{}", ((part,) for part in parts))


def _literal(value):
    return '""' if value == "" else str(value)
