"""How a JSON shape of the API is declared: once, as a ``TypedDict``.

Each shape the API returns (a person, an image, a venue, a page's ``meta`` fields…) is a ``TypedDict`` whose
annotations say what a JSON Schema needs beyond the Python type: a description, a format, the allowed values.
The builder returns an instance of it (a plain dict, so building costs nothing extra on the hot path), and
``api.openapi.jsonschema`` turns the same declaration into the schema the OpenAPI document publishes. A key
added to the builder and not to the declaration fails the tests that validate real responses against the
document, whose objects are closed.

Annotations, used as ``Annotated[type, Doc("…"), Format("uri")]``:

- ``Doc``: the description (for a ``Keys`` mapping, ``Keys.describe``); ``Html``: a description of HTML
  with front-end links.
- ``Format``, ``Pattern``, ``Const``: the JSON Schema keywords of the same name.
- ``Choices``: the allowed string values, read when the schema is built (model choices need the app
  registry, which is not ready when this module is imported).
- ``Component``: a schema component written elsewhere (a block's value, e.g. ``LinkBlock``).
- ``Keys``: a ``dict[str, X]`` whose keys are fixed by settings (the allow-listed renditions).
- ``Inline``: a nested ``TypedDict`` written in place rather than as a component of its own.

A ``TypedDict``'s docstring (its first paragraph) is the component's description.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Doc:
    """A description; a callable when it depends on settings (evaluated when the document is built)."""

    text: str | Callable[[], str]


@dataclass(frozen=True)
class Html:
    text: str


@dataclass(frozen=True)
class Keyword:
    """A JSON Schema keyword and its value, written into the schema as they are."""

    name: str
    value: Any


Format = functools.partial(Keyword, "format")
Pattern = functools.partial(Keyword, "pattern")
Const = functools.partial(Keyword, "const")


@dataclass(frozen=True)
class Choices:
    """Allowed values: a callable returning them (evaluated when the document is built), or a sequence."""

    values: Callable[[], list] | tuple | list
    # For an optional choice field that may be stored empty.
    allow_empty: bool = False


@dataclass(frozen=True)
class Component:
    name: str


@dataclass(frozen=True)
class Keys:
    """The fixed keys of a mapping (a callable, evaluated when the document is built) and their description."""

    names: Callable[[], list]
    describe: Callable[[], str] | None = None


class Inline:
    """Marker: write the nested ``TypedDict`` in place."""
