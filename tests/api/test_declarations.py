"""Each JSON shape is declared once (``api.declare``): the OpenAPI document and the guide's shapes table are
derived from the declarations, and a reviewed snapshot of the document makes any change to it visible."""

from pathlib import Path
from typing import Annotated, TypedDict

import pytest

from api import declare
from api.openapi import openapi_document
from api.openapi.jsonschema import Declarations
from api.openapi.reference import rewrite
from tests.api.snapshot import assert_matches_snapshot

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_the_document_matches_the_reviewed_snapshot():
    assert_matches_snapshot("openapi", openapi_document())


def test_the_guides_shapes_table_is_the_generated_one():
    text = GUIDE.read_text()
    assert rewrite(text) == text, "docs/api.md is stale: run `make docs` and review the diff"


class Venue(TypedDict):
    """Where it was."""

    name: Annotated[str, declare.Doc("Or empty.")]
    seats: int | None
    kind: Annotated[str, declare.Choices(lambda: ["hall", "room"])]


class Event(TypedDict):
    venue: Venue | None
    tags: list[Annotated[str, declare.Format("uri")]]
    inline: Annotated[Venue, declare.Inline]


def test_a_declaration_becomes_a_closed_schema_and_a_component():
    components = {}
    reference = Declarations(components).component(Event)
    assert reference == {"$ref": "#/components/schemas/Event"}
    assert components["Venue"] == {
        "type": "object",
        "description": "Where it was.",
        "properties": {
            "name": {"type": "string", "description": "Or empty."},
            "seats": {"type": ["integer", "null"]},
            "kind": {"type": "string", "enum": ["hall", "room"]},
        },
        "required": ["name", "seats", "kind"],
        "additionalProperties": False,
    }
    event = components["Event"]
    assert event["properties"]["venue"] == {"anyOf": [{"$ref": "#/components/schemas/Venue"}, {"type": "null"}]}
    assert event["properties"]["tags"] == {"type": "array", "items": {"type": "string", "format": "uri"}}
    assert event["properties"]["inline"]["properties"] == components["Venue"]["properties"]
    assert event["additionalProperties"] is False


def test_an_annotation_without_a_mapping_fails_the_build():
    class Odd(TypedDict):
        value: float

    with pytest.raises(TypeError, match="No JSON Schema"):
        Declarations({}).component(Odd)


def test_a_page_field_without_a_declaration_fails_the_build(monkeypatch):
    from api import fields
    from api.openapi.document import Builder

    monkeypatch.setattr(fields.VenueField, "returns", None)
    with pytest.raises(TypeError, match="declares no `returns`"):
        Builder().build()
