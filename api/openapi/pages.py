"""Schemas of page, snippet and media items, from the endpoints' field configuration and the declarations
of what each field returns (``api.fields``)."""

from typing import get_type_hints

from django.db import models
from wagtail.models import Page, get_page_models

from cms.models import EventReportPage

from .. import fields as api_fields
from ..endpoints.base import ALWAYS_PRESENT_FIELDS
from ..endpoints.pages import COUNT_LIMIT, PagesEndpoint
from .jsonschema import (
    Declarations,
    array,
    boolean,
    choice_values,
    closed_object,
    enum_of,
    first_paragraph,
    integer,
    nullable,
    ref,
    string,
)


def model_field_schema(model, name):
    """A page field serialised by DRF's default mapping of the model field."""
    field = model._meta.get_field(name)
    description = str(field.help_text) or None
    if isinstance(field, models.DateTimeField):
        schema = string(description, format="date-time")
    elif isinstance(field, models.DateField):
        schema = string(description, format="date")
    elif isinstance(field, models.BooleanField):
        schema = boolean(description)
    elif isinstance(field, models.IntegerField):
        schema = integer(description)
    elif isinstance(field, models.CharField | models.TextField):
        schema = enum_of(choice_values(field.choices), description) if field.choices else string(description)
    else:
        raise TypeError(f"{model._meta.label}.{name}: no API schema for {type(field).__name__}")
    return nullable(schema) if field.null else schema


class PageSchemas:
    """Detail and listing-item schemas per page type, from ``PagesEndpoint``'s field configuration."""

    def __init__(self, components, block_schemas):
        self.components = components
        self.blocks = block_schemas
        self.declarations = Declarations(components)
        self.meta_hints = get_type_hints(api_fields.PageMeta, include_extras=True)

    def meta_field(self, model, name):
        if name == "type" and model is not Page:
            return string(const=model._meta.label)
        if name == "jsonld" and not issubclass(model, EventReportPage):
            return {"type": "null"}
        if name not in self.meta_hints:
            raise TypeError(f"Page meta field {name!r} is not declared in api.fields.PageMeta")
        return self.declarations.schema(self.meta_hints[name])

    def body_field(self, model, api_field):
        if api_field.name == "id":
            return integer()
        if api_field.name == "title":
            return string()
        serializer = api_field.serializer
        if isinstance(serializer, api_fields.StreamField):
            return self.blocks.stream(model._meta.get_field(api_field.name).stream_block)
        if serializer is None:
            return model_field_schema(model, api_field.name)
        if getattr(serializer, "returns", None) is None:
            raise TypeError(f"{model._meta.label}.{api_field.name}: {type(serializer).__name__} declares no `returns`")
        return self.declarations.schema(serializer.returns)

    def item(self, model, detail):
        endpoint = PagesEndpoint
        meta_names = [
            name for name in endpoint.get_meta_fields_names(model) if detail or name not in endpoint.detail_only_fields
        ]
        defaults = set(
            endpoint.get_detail_default_fields(model) if detail else endpoint.get_listing_default_fields(model)
        )
        meta = closed_object({name: self.meta_field(model, name) for name in meta_names}, required=ALWAYS_PRESENT)
        body = {field.name: self.body_field(model, field) for field in endpoint.get_body_fields(model)}
        properties = {"id": body.pop("id"), "meta": meta, **body}
        return closed_object(properties, description=defaults_note(properties, defaults), required=ALWAYS_PRESENT)

    def build(self):
        """``PageDetail``/``PageListingItem`` for types without fields of their own, and a pair per type with."""
        base_fields = PagesEndpoint.get_body_fields_names(Page)
        self.components["PageDetail"] = describe(
            self.item(Page, detail=True), "A page of a type without fields of its own."
        )
        self.components["PageListingItem"] = self.item(Page, detail=False)
        specific = [model for model in get_page_models() if PagesEndpoint.get_body_fields_names(model) != base_fields]
        for model in specific:
            name = model.__name__
            self.components[name] = describe(self.item(model, detail=True), first_paragraph(model))
            self.components[f"{name}ListingItem"] = describe(
                self.item(model, detail=False),
                f"An item of /pages/?type={model._meta.label}. fields= adds any field of the detail except "
                + ", ".join(f"meta.{field}" for field in PagesEndpoint.detail_only_fields)
                + ".",
            )
            self.components[f"{name}Listing"] = listing_envelope(ref(f"{name}ListingItem"), PAGE_COUNT)
        self.components["PageListing"] = listing_envelope(
            {"anyOf": [*(ref(f"{model.__name__}ListingItem") for model in specific), ref("PageListingItem")]},
            PAGE_COUNT,
        )
        return specific


# What fields= cannot remove (``api.endpoints.base``): the only required keys of a page or media item, so that
# a response conforms whatever fields= says (fields=_, fields=-title). The defaults are said in words.
ALWAYS_PRESENT = {"id", "meta", *ALWAYS_PRESENT_FIELDS}


def defaults_note(properties, defaults):
    """The keys of a response without fields=, besides those always present."""
    names = [name for name in properties if name in defaults and name not in ALWAYS_PRESENT]
    names += [
        f"meta.{name}" for name in properties["meta"]["properties"] if name in defaults and name not in ALWAYS_PRESENT
    ]
    return (
        "Always present: id, meta.type, meta.detail_url. Without fields= also: "
        + (", ".join(names) or "nothing else")
        + "; fields= may remove any of these (fields=_ starts from none, fields=-title removes one)."
    )


def describe(schema, text):
    """``schema`` with ``text`` ahead of the description it has."""
    schema["description"] = f"{text} {schema['description']}" if schema.get("description") else text
    return schema


# A page listing counts its matches up to a limit (``api.endpoints.pages.COUNT_LIMIT``).
PAGE_COUNT = (
    f"Number of matches, all pages of results together, counted up to {COUNT_LIMIT}: {COUNT_LIMIT} means "
    f"{COUNT_LIMIT} or more (offset= still pages past them, until a page comes back short)."
)


def listing_envelope(items, count="Number of matches, all pages of results together."):
    return closed_object({"meta": closed_object({"total_count": integer(count)}), "items": array(items)})


def snippet_item(endpoint, shape):
    """A snippet endpoint item: the model's shape plus Wagtail-style meta (``SnippetEndpoint.represent``)."""
    properties = dict(shape["properties"])
    meta = closed_object(
        {
            "type": string(const=endpoint.model._meta.label),
            "detail_url": string(format="uri"),
            "locale": string("Language code."),
        }
    )
    properties = {"id": properties.pop("id"), "meta": meta, **properties}
    return closed_object(properties, description=shape["description"])


def media_item(endpoint, detail):
    """An item of Wagtail's images or documents endpoint, from the endpoint's field configuration.

    Wagtail's own serializers build these, so their schemas are written here, against its field names."""
    model = endpoint.model
    schemas = {
        "id": integer(),
        "title": string(),
        "width": integer(),
        "height": integer(),
        "type": string(const=model._meta.label),
        "detail_url": string(format="uri"),
        "tags": array(string()),
        "download_url": string("The original file (relative to the CMS for images).", format="uri-reference"),
    }
    names = endpoint.get_body_fields_names(model) + endpoint.get_meta_fields_names(model)
    missing = [name for name in names if name not in schemas]
    if missing:
        raise TypeError(f"{endpoint.__name__}: no API schema for {', '.join(missing)}")
    defaults = set(endpoint.get_detail_default_fields(model) if detail else endpoint.get_listing_default_fields(model))
    meta_names = endpoint.get_meta_fields_names(model)
    meta = closed_object({name: schemas[name] for name in meta_names}, required=ALWAYS_PRESENT)
    body = {name: schemas[name] for name in endpoint.get_body_fields_names(model)}
    properties = {"id": body.pop("id"), "meta": meta, **body}
    return closed_object(properties, description=defaults_note(properties, defaults), required=ALWAYS_PRESENT)
