"""JSON Schema helpers, and the one translation of a shape declaration (``api.declare``) into a schema.

OpenAPI 3.1 uses JSON Schema 2020-12 as it is: null is a type like any other and objects are closed here
(``additionalProperties: false``), so a key added on either side of a declaration fails validation.
"""

import inspect
import types
import typing
from typing import Annotated, Literal, Union, get_args, get_origin, get_type_hints, is_typeddict

from .. import declare


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    """``schema`` or null. OpenAPI 3.1 has no ``nullable``: null is a JSON Schema type like any other."""
    if "type" in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        result = {**schema, "type": [*kinds, "null"]} if "null" not in kinds else dict(schema)
        if "enum" in result and None not in result["enum"]:
            result["enum"] = [*result["enum"], None]
        return result
    return {"anyOf": [schema, {"type": "null"}]}


def closed_object(properties, description=None, required=None, title=None):
    """An object with exactly these keys: ``required`` defaults to all of them, anything else is an error."""
    schema = {"type": "object"}
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema["properties"] = properties
    schema["required"] = list(properties) if required is None else [name for name in properties if name in required]
    schema["additionalProperties"] = False
    return schema


def string(description=None, **keywords):
    return _typed("string", description, keywords)


def integer(description=None, **keywords):
    return _typed("integer", description, keywords)


def boolean(description=None):
    return _typed("boolean", description, {})


def _typed(kind, description, keywords):
    schema = {"type": kind, **keywords}
    if description:
        schema["description"] = description
    return schema


def array(items, description=None):
    schema = {"type": "array", "items": items}
    if description:
        schema["description"] = description
    return schema


def enum_of(values, description=None):
    return string(description, enum=list(values))


def html(description):
    return string(f"{description} (HTML; links to pages and documents point at the front-end and the CMS).")


def first_paragraph(obj):
    doc = inspect.getdoc(obj) or ""
    return " ".join(doc.split("\n\n")[0].split())


def _own_first_paragraph(cls):
    doc = inspect.cleandoc(cls.__dict__.get("__doc__") or "")
    return " ".join(doc.split("\n\n")[0].split())


def choice_values(choices):
    """The stored values of Django choices, groups flattened and the blank choice left out."""
    values = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            values += [inner for inner, _ in label]
        elif value != "":
            values.append(value)
    return values


# --- declarations ------------------------------------------------------------------------------------------
class Declarations:
    """Schemas of declared shapes. Each ``TypedDict`` met becomes a component named after it, once."""

    def __init__(self, components):
        self.components = components

    def component(self, declaration):
        """Register ``declaration`` (a ``TypedDict``) as a component and return a reference to it."""
        name = declaration.__name__
        if name not in self.components:
            self.components[name] = self.object(declaration)
        return ref(name)

    def object(self, declaration, description=None):
        hints = get_type_hints(declaration, include_extras=True)
        return closed_object(
            {name: self.schema(hint) for name, hint in hints.items()},
            # Its own docstring only: a TypedDict without one would otherwise inherit dict's.
            description=description or _own_first_paragraph(declaration) or None,
            required=declaration.__required_keys__,
        )

    def schema(self, hint):
        """The JSON Schema of one annotation: its type, then what ``Annotated`` adds, then null if optional."""
        metadata = ()
        if get_origin(hint) is Annotated:
            hint, *metadata = get_args(hint)
        if get_origin(hint) in (Union, types.UnionType) and type(None) in get_args(hint):
            members = [member for member in get_args(hint) if member is not type(None)]
            inner = members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007
            return nullable(self.schema(Annotated[inner, *metadata]) if metadata else self.schema(inner))
        return self._annotate(self._base(hint, metadata), metadata)

    def _base(self, hint, metadata):
        for item in metadata:
            if isinstance(item, declare.Component):
                return ref(item.name)
            if isinstance(item, declare.Keys):
                value = get_args(hint)[1]
                return closed_object({name: self.schema(value) for name in item.names()})
        origin = get_origin(hint)
        if origin in (Union, types.UnionType):
            return {"anyOf": [self.schema(member) for member in get_args(hint)]}
        if origin is list:
            (item,) = get_args(hint)
            return array(self.schema(item))
        if origin is Literal:
            values = list(get_args(hint))
            return string(const=values[0]) if len(values) == 1 else enum_of(values)
        if is_typeddict(hint):
            return self.object(hint) if declare.Inline in metadata else self.component(hint)
        simple = {bool: "boolean", int: "integer", str: "string", dict: "object", type(None): "null"}
        if hint in simple:
            return {"type": simple[hint]}
        if origin is dict or hint is typing.Any:
            return {"type": "object"}
        raise TypeError(f"No JSON Schema for the annotation {hint!r}; extend api.openapi.jsonschema")

    def _annotate(self, schema, metadata):
        schema = dict(schema)
        for item in metadata:
            if isinstance(item, declare.Doc):
                schema["description"] = item.text() if callable(item.text) else item.text
            elif isinstance(item, declare.Html):
                schema["description"] = html(item.text)["description"]
            elif isinstance(item, declare.Keys) and item.describe:
                schema["description"] = item.describe()
            elif isinstance(item, declare.Keyword):
                schema[item.name] = item.value
            elif isinstance(item, declare.Choices):
                values = list(item.values() if callable(item.values) else item.values)
                schema["enum"] = [*values, ""] if item.allow_empty else values
        return schema
