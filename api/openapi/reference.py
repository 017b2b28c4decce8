"""The shapes table of ``docs/api.md``, written from the OpenAPI document (never by hand).

``make docs`` rewrites the part of the guide between the ``shapes`` markers; ``tests/api/test_openapi.py``
fails when the guide is not what this module would write.
"""

from . import openapi_document
from .document import SHAPES

START = "<!-- shapes: generated from the shape declarations by `make docs`; do not edit -->"
END = "<!-- /shapes -->"


def _type(schema):
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join("null" if option == {"type": "null"} else _type(option) for option in schema["anyOf"])
    kinds = schema.get("type")
    if isinstance(kinds, list):
        return " or ".join(_type({**schema, "type": kind}) for kind in kinds)
    if kinds == "array":
        return f"list of {_type(schema['items'])}"
    if kinds == "object" and "properties" in schema:
        return "{" + ", ".join(schema["properties"]) + "}"
    if "format" in schema and kinds == "string":
        return schema["format"]
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"] if value is not None)
    return kinds or "any"


def _key(name, schema):
    text = f"`{name}` ({_type(schema)})"
    description = schema.get("description")
    return f"{text} {description}" if description else text


def shapes_table():
    schemas = openapi_document()["components"]["schemas"]
    rows = ["| shape | keys |", "|---|---|"]
    for name in SHAPES:
        schema = schemas[name]
        if "$ref" in schema:  # an alias of a block's value (Link)
            target = schema["$ref"].rsplit("/", 1)[-1]
            schema = {**schemas[target], "description": schema.get("description")}
        keys = "<br>".join(_key(key, value) for key, value in schema["properties"].items())
        rows.append(f"| {name} | {keys} |")
    return "\n".join([START, *rows, END])


def rewrite(text):
    """``text`` (the guide) with the generated table in place of what is between the markers."""
    before, start, rest = text.partition(START)
    _old, end, after = rest.partition(END)
    if not start or not end:
        raise ValueError("docs/api.md has no shapes markers")
    return before + shapes_table() + after
