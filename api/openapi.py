"""The OpenAPI 3.1 description of the delivery API, generated from the code that produces the output.

The front-end team codes against this document, so it must not drift from what the API returns. Whatever
follows from a definition is derived from it when the document is built:

- the StreamField block schemas, by walking the block definitions of ``cms.EventReportPage``;
- the page fields, from ``PagesEndpoint`` (its body and meta fields, listing defaults and serializers);
- the query parameters, from each endpoint's ``known_query_parameters``;
- the paths, from the router.

Anything the builder cannot map (a new block class, a new field serializer, an undocumented query parameter,
a new endpoint) makes the build fail instead of being described wrongly. The shapes of ``api.shapes`` are
plain dicts, so their schemas are written here; ``tests/api/test_openapi.py`` validates real responses
against every schema, and objects are closed (``additionalProperties: false``), so a key added on either side
fails the tests.

The document is built once per process by ``openapi_document()``: it depends only on code and settings.
Treat the returned dict as read-only.
"""

import functools
import inspect

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import translation
from wagtail import blocks as wagtail_blocks
from wagtail.coreutils import resolve_model_string
from wagtail.documents.models import AbstractDocument
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.models import AbstractImage
from wagtail.models import Page, get_page_models

from blocks.base import ApiListBlock, ApiStructBlock
from blocks.choosers import PrefetchedChooserMixin
from cms.models import ContactCard, EventOrganiser, EventReportPage, EventSession, Organisation, Person, Topic
from cms.models.pages import CountQualifier, EventFormat

from . import fields as api_fields
from .endpoints.base import MAX_OFFSET, MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, SEARCH_OPERATORS
from .endpoints.media import DocumentsEndpoint, ImagesEndpoint
from .endpoints.pages import PagesEndpoint
from .endpoints.snippets import ORDERINGS, SnippetEndpoint
from .router import api_router
from .shapes import rendition_specs

OPENAPI_VERSION = "3.1.1"
API_VERSION = "2"

# Accepted by every endpoint but without effect on the output, so not offered to clients: ``_`` is a
# cache-buster, ``format`` picks a renderer (there is only JSON) and ``rich_text_format`` is ignored because
# our rich text is always HTML with front-end links (``api.richtext``).
UNDOCUMENTED_PARAMETERS = frozenset({"_", "format", "rich_text_format"})

# One schema per shape of ``api.shapes``: the same object looks the same wherever it appears.
SHAPES = ("Image", "Document", "PageRef", "Link", "Organisation", "Person", "ContactCard", "Topic")

# Rendered by the conditional-request logic of ``DeliveryEndpointMixin``, which only these endpoints use.
CONDITIONAL_ENDPOINTS = (PagesEndpoint, SnippetEndpoint)


@functools.cache
def openapi_document():
    """The OpenAPI document of the delivery API (English descriptions, whatever the request's language)."""
    with translation.override("en"):
        return _Builder().build()


# --- small schema helpers -----------------------------------------------------------------------------------
def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema):
    """``schema`` or null. OpenAPI 3.1 has no ``nullable``: null is a JSON Schema type like any other."""
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        result = {**schema, "type": [*types, "null"]} if "null" not in types else dict(schema)
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


def _typed(type_, description, keywords):
    schema = {"type": type_, **keywords}
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


def first_paragraph(cls):
    doc = inspect.getdoc(cls) or ""
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


# --- the shapes (api.shapes) --------------------------------------------------------------------------------
def translation_state():
    """The keys a snippet shape carries about its language (``api.shapes._translation_state``)."""
    return {
        "locale": string("Language code of the version shown."),
        "fallback": boolean("True when shown in another language because the requested translation is missing."),
    }


def shape_schemas():
    rendition = closed_object(
        {"url": string(format="uri"), "width": integer(), "height": integer()},
        description="A resized copy of the image, made by the CMS.",
    )
    return {
        "Rendition": rendition,
        "FocalPoint": closed_object(
            {"x": integer(), "y": integer(), "width": integer(), "height": integer()},
            description="The part of the image that must stay visible when it is cropped, in original pixels.",
        ),
        "Image": closed_object(
            {
                "id": integer(),
                "title": string(),
                "alt": string("Alt text for this use of the image; empty when the image is decorative."),
                "width": integer("Width of the original, in pixels."),
                "height": integer("Height of the original, in pixels."),
                "focal_point": nullable(ref("FocalPoint")),
                "renditions": closed_object(
                    {name: ref("Rendition") for name in rendition_specs()},
                    description="The allow-listed sizes: "
                    + ", ".join(f"{name} ({spec})" for name, spec in rendition_specs().items())
                    + ". Other sizes cannot be requested.",
                ),
                "srcset": string("The width-based renditions as an HTML srcset value."),
            },
            description="An image with its renditions. Shape: api.shapes.image.",
        ),
        "Document": closed_object(
            {
                "id": integer(),
                "title": string(),
                "url": string("Download address.", format="uri"),
                "file_size": nullable(integer("Size in bytes.")),
                "file_type": string("File extension in lower case, e.g. pdf."),
                "content_type": string("MIME type."),
            },
            description="A downloadable file from a public collection. Shape: api.shapes.document.",
        ),
        "PageRef": closed_object(
            {
                "id": integer(),
                "type": string("Page type, app_label.Model."),
                "title": string(),
                "url": nullable(string("Address on the front-end.", format="uri")),
                "locale": string(),
            },
            description="A reference to a live, public page. Shape: api.shapes.page_ref.",
        ),
        "Link": {
            **ref("LinkBlock"),
            "description": "A link as the API gives it, wherever links appear (a person's links, resources): "
            "the chosen target plus href and link_type. Links whose target is not public are left out.",
        },
        "Organisation": closed_object(
            {
                "id": integer(),
                **translation_state(),
                "name": string(),
                "acronym": string("Empty when the organisation has none."),
                "website": string("Web address, or empty."),
                "logo": nullable(ref("Image")),
            },
            description="A published organisation. Shape: api.shapes.organisation.",
        ),
        "Person": closed_object(
            {
                "id": integer(),
                **translation_state(),
                "name": string(),
                "job_title": string("Today's title, or empty. The role at an event is in the speaker block."),
                "organisation": nullable(ref("Organisation")),
                "photo": nullable(ref("Image")),
                "bio": html("Short biography"),
                "links": array(ref("Link")),
            },
            description="A published person. Shape: api.shapes.person.",
        ),
        "ContactCard": closed_object(
            {
                "id": integer(),
                **translation_state(),
                "name": string(),
                "position": string("Or empty."),
                "unit": string("Department or unit, or empty."),
                "organisation": nullable(ref("Organisation")),
                "phone": string("Or empty."),
                "email": string("Or empty."),
                "web_page": string("Web address, or empty."),
                "address": string("Or empty."),
                "last_verified": nullable(string("When the details were last checked.", format="date")),
            },
            description="Whom to contact, kept current in one place. At least one of phone, email and web_page "
            "is set. Shape: api.shapes.contact_card.",
        ),
        "Topic": closed_object(
            {"id": integer(), **translation_state(), "name": string(), "slug": string("Used by the topic filter.")},
            description="A published topic. Shape: api.shapes.topic.",
        ),
    }


def shape_for_model(model):
    """The shape component of a model (or "app_label.Model"), as ``api.shapes.shape_of`` chooses it."""
    model = resolve_model_string(model)
    named = {Person: "Person", Organisation: "Organisation", ContactCard: "ContactCard", Topic: "Topic"}
    if model in named:
        return named[model]
    if issubclass(model, AbstractImage):
        return "Image"
    if issubclass(model, AbstractDocument):
        return "Document"
    if issubclass(model, Page):
        return "PageRef"
    raise TypeError(f"No API shape for {model._meta.label}; add one to api.shapes and api.openapi")


# --- StreamField blocks -------------------------------------------------------------------------------------
class BlockSchemas:
    """JSON Schemas of StreamField blocks, derived from their definitions.

    Each stream child becomes ``Block_<name>`` (``{type, value, id}``); a StructBlock's value becomes a
    component named after its class, shared by every place that uses the class. ``value()`` returns a
    block's schema and whether its API value may be null by itself: choosers give null for objects that are
    not public, an ``ApiStructBlock`` drops itself when its reference is gone, and optional field blocks are
    null when the stored content has no value for them (stored before the field existed, or written by
    code). Containers then decide: streams and ``ApiListBlock`` leave nulls out; a StructBlock keeps them,
    except for the children in its ``api_required``, without which it drops itself.
    """

    def __init__(self, components):
        self.components = components
        self.struct_classes = {}

    def stream(self, stream_block):
        mapping = {}
        for name, child in stream_block.child_blocks.items():
            mapping[name] = self.stream_child(name, child)["$ref"]
        items = {
            "oneOf": [{"$ref": target} for target in mapping.values()],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }
        return array(items, "Blocks in the editor's order. A block whose content is not public is left out.")

    def stream_child(self, name, block):
        value, _ = self.value(block)
        schema = closed_object(
            {
                "type": string("The block type: a stable name, part of the contract.", const=name),
                "value": value,
                "id": string("Stable id of the block (a UUID)."),
            },
            title=str(block.label),
            description=first_paragraph(type(block)) if _is_ours(block) else None,
        )
        self.register(f"Block_{name}", schema, f"stream child {name!r}")
        return ref(f"Block_{name}")

    def register(self, component, schema, what):
        existing = self.components.get(component)
        if existing is not None and existing != schema:
            raise ValueError(f"{what}: component {component} already describes a different block")
        self.components[component] = schema

    def value(self, block):
        if isinstance(block, PrefetchedChooserMixin):
            return ref(shape_for_model(block.target_model)), True
        if isinstance(block, wagtail_blocks.ChooserBlock):
            raise TypeError(f"{type(block).__name__}: use the choosers of blocks.choosers, whose API value is a shape")
        if isinstance(block, wagtail_blocks.StructBlock):
            return self.struct(block), isinstance(block, ApiStructBlock)
        if isinstance(block, wagtail_blocks.ListBlock):
            item, item_may_be_null = self.value(block.child_block)
            if item_may_be_null and not isinstance(block, ApiListBlock):
                item = nullable(item)
            return array(item), False
        if isinstance(block, wagtail_blocks.RichTextBlock):
            return html("Rich text"), False
        if isinstance(block, EmbedBlock):
            # Wagtail gives the media's address, not its embed HTML (EmbedBlock.get_prep_value).
            return string("The address as entered (not embed HTML); the front-end embeds it."), False
        return self.field(block), not block.required

    def field(self, block):
        if isinstance(block, wagtail_blocks.URLBlock):
            return string(format="uri") if block.required else string("A web address, or empty.")
        if isinstance(block, wagtail_blocks.EmailBlock):
            return string(format="email") if block.required else string("An e-mail address, or empty.")
        if isinstance(block, wagtail_blocks.CharBlock | wagtail_blocks.TextBlock):
            return string()
        if isinstance(block, wagtail_blocks.IntegerBlock):
            return integer()
        if isinstance(block, wagtail_blocks.BooleanBlock):
            return boolean()
        if isinstance(block, wagtail_blocks.DateBlock):
            return string(format="date")
        if isinstance(block, wagtail_blocks.ChoiceBlock):
            values = choice_values(block.field.choices)
            # An optional choice left empty in the admin is stored as "".
            return enum_of(values if block.required else [*values, ""])
        raise TypeError(f"{type(block).__name__} has no API schema mapping; add one to api.openapi.BlockSchemas")

    def struct(self, block):
        name = type(block).__name__
        if self.struct_classes.setdefault(name, type(block)) is not type(block):
            raise ValueError(f"Two StructBlock classes are named {name}; component names must be unique")
        api_required = set(getattr(block, "api_required", ()))
        properties = {}
        for child_name, child in block.child_blocks.items():
            schema, may_be_null = self.value(child)
            if may_be_null and child_name not in api_required:
                schema = nullable(schema)
            properties[child_name] = _labelled(schema, child)
        properties.update(getattr(block, "api_extra_properties", {}))
        description = first_paragraph(type(block)) if _is_ours(block) else None
        self.register(name, closed_object(properties, description=description, title=str(block.label)), name)
        return ref(name)


def _is_ours(block):
    return type(block).__module__.split(".")[0] == "blocks"


def _labelled(schema, block):
    """A struct child's schema with the label and help text editors see, as title and description."""
    help_text = block.get_description() or getattr(block.meta, "help_text", None)
    description = " ".join(text for text in (str(help_text or ""), schema.get("description")) if text)
    labelled = {**schema, "title": str(block.label)}
    if description:
        labelled["description"] = description
    return labelled


# --- pages --------------------------------------------------------------------------------------------------
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


def page_value_components():
    """The objects that page fields serialise to (api.fields)."""
    part_of_day = EventSession._meta.get_field("part_of_day")
    return {
        "Session": closed_object(
            {
                "date": string(format="date"),
                "start_time": nullable(string("Local time, HH:MM.", pattern=r"^\d{2}:\d{2}$")),
                "end_time": nullable(string("Local time, HH:MM.", pattern=r"^\d{2}:\d{2}$")),
                "part_of_day": nullable(enum_of(choice_values(part_of_day.choices), "When no exact time is known.")),
                "title": string("Or empty."),
            },
            description="One session (day) of the event.",
        ),
        "Venue": closed_object(
            {"name": string("Or empty."), "address": string("Or empty.")},
            description="Where the event took place (null when neither name nor address is known).",
        ),
        "Participants": closed_object(
            {
                "count": nullable(integer()),
                "qualifier": enum_of(CountQualifier.values, "How exact the count is: “more than 20” is more_than."),
                "groups": array(string(), "Audience groups, in order."),
            },
        ),
        "Organiser": closed_object(
            {
                "organisation": ref("Organisation"),
                "part": enum_of(choice_values(EventOrganiser._meta.get_field("part").choices)),
            },
            description="An organisation behind the event and its part in it.",
        ),
        "ParentPage": closed_object(
            {
                "id": integer(),
                "meta": closed_object(
                    {
                        "type": string(),
                        "detail_url": string(format="uri"),
                        "html_url": nullable(string(format="uri")),
                    }
                ),
                "title": string(),
            },
            description="The page above this one in the tree.",
        ),
        "PageTranslation": closed_object(
            {
                "locale": string(),
                "hreflang": string("For <link rel=alternate hreflang>."),
                "x_default": boolean("True for the source language: also the hreflang=x-default alternate."),
                "id": integer(),
                "title": string(),
                "html_url": nullable(string(format="uri")),
                "detail_url": string(format="uri"),
            },
            description="A live, public translation of the page (the page itself included).",
        ),
    }


PAGE_FIELD_SERIALIZERS = {
    api_fields.SessionsField: lambda model, name: array(ref("Session")),
    api_fields.VenueField: lambda model, name: nullable(ref("Venue")),
    api_fields.ParticipantsField: lambda model, name: ref("Participants"),
    api_fields.OrganisersField: lambda model, name: array(ref("Organiser"), "Unpublished organisations are left out."),
    api_fields.TopicsField: lambda model, name: array(ref("Topic"), "Unpublished topics are left out."),
    api_fields.ImageField: lambda model, name: nullable(ref("Image")),
}


def page_meta_field_schema(model, name):
    schemas = {
        "type": string(const=model._meta.label) if model is not Page else string("Page type, app_label.Model."),
        "detail_url": string(format="uri"),
        "html_url": nullable(string("Address on the front-end (null for the tree root).", format="uri")),
        "slug": string(),
        "show_in_menus": boolean(),
        "seo_title": string("Or empty."),
        "search_description": string("Or empty."),
        "first_published_at": nullable(string(format="date-time")),
        "alias_of": nullable(ref("PageRef")),
        "parent": nullable(ref("ParentPage")),
        "locale": string("Language code of the page."),
        "translations": array(ref("PageTranslation")),
        "translation_status": enum_of(
            ["source", "current", "outdated"],
            "source: in the source language (or not made by translation); current: matches the live source; "
            "outdated: the source changed since, or translators' work awaits publishing.",
        ),
        "jsonld": (
            {"type": "object", "description": "schema.org NewsArticle about the Event, ready for a JSON-LD script."}
            if issubclass(model, EventReportPage)
            else {"type": "null"}
        ),
    }
    if name not in schemas:
        raise TypeError(f"Page meta field {name!r} has no API schema; add one to api.openapi")
    return schemas[name]


class PageSchemas:
    """Detail and listing-item schemas per page type, from ``PagesEndpoint``'s field configuration."""

    def __init__(self, components, block_schemas):
        self.components = components
        self.blocks = block_schemas

    def body_field(self, model, api_field):
        if api_field.name == "id":
            return integer()
        if api_field.name == "title":
            return string()
        serializer = type(api_field.serializer) if api_field.serializer is not None else None
        if serializer is api_fields.StreamField:
            return self.blocks.stream(model._meta.get_field(api_field.name).stream_block)
        if serializer is None:
            return model_field_schema(model, api_field.name)
        if serializer not in PAGE_FIELD_SERIALIZERS:
            raise TypeError(f"{model._meta.label}.{api_field.name}: no API schema for {serializer.__name__}")
        return PAGE_FIELD_SERIALIZERS[serializer](model, api_field.name)

    def item(self, model, detail):
        endpoint = PagesEndpoint
        meta_names = [
            name for name in endpoint.get_meta_fields_names(model) if detail or name not in endpoint.detail_only_fields
        ]
        defaults = set(
            endpoint.get_detail_default_fields(model) if detail else endpoint.get_listing_default_fields(model)
        )
        meta = closed_object({name: page_meta_field_schema(model, name) for name in meta_names}, required=defaults)
        body = {field.name: self.body_field(model, field) for field in endpoint.get_body_fields(model)}
        properties = {"id": body.pop("id"), "meta": meta, **body}
        return closed_object(properties, required=defaults | {"meta"})

    def build(self):
        """``PageDetail``/``PageListingItem`` for types without fields of their own, and a pair per type with."""
        base_fields = PagesEndpoint.get_body_fields_names(Page)
        self.components["PageDetail"] = self.item(Page, detail=True)
        self.components["PageDetail"]["description"] = "A page of a type without fields of its own: id, meta, title."
        self.components["PageListingItem"] = self.item(Page, detail=False)
        specific = [model for model in get_page_models() if PagesEndpoint.get_body_fields_names(model) != base_fields]
        for model in specific:
            name = model.__name__
            self.components[name] = self.item(model, detail=True)
            self.components[name]["description"] = first_paragraph(model)
            self.components[f"{name}ListingItem"] = self.item(model, detail=False)
            self.components[f"{name}ListingItem"]["description"] = (
                f"An item of /pages/?type={model._meta.label}. Required keys are the defaults; fields= adds any "
                "field of the detail except "
                + ", ".join(f"meta.{field}" for field in PagesEndpoint.detail_only_fields)
                + "."
            )
            self.components[f"{name}Listing"] = listing_envelope(ref(f"{name}ListingItem"))
        self.components["PageListing"] = listing_envelope(
            {"anyOf": [*(ref(f"{model.__name__}ListingItem") for model in specific), ref("PageListingItem")]}
        )
        return specific


def listing_envelope(items):
    return closed_object(
        {
            "meta": closed_object({"total_count": integer("Number of matches, all pages of results together.")}),
            "items": array(items),
        }
    )


# --- other endpoints ----------------------------------------------------------------------------------------
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
    """An item of Wagtail's images or documents endpoint, from the endpoint's field configuration."""
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
    meta = closed_object({name: schemas[name] for name in meta_names}, required=defaults)
    body = {name: schemas[name] for name in endpoint.get_body_fields_names(model)}
    return closed_object({"id": body.pop("id"), "meta": meta, **body}, required=defaults | {"meta"})


# --- query parameters ---------------------------------------------------------------------------------------
def _page_types():
    return ", ".join(model._meta.label for model in get_page_models())


def page_parameters():
    locales = [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES]
    page_id = integer(minimum=1)
    return {
        "type": (
            string(),
            "Page type(s), app_label.Model, comma-separated. Needed for a type's own fields (fields=, order=, "
            f"exact-match filters on its stored fields such as ?slug=) and for the event filters. Types: "
            f"{_page_types()}.",
        ),
        "child_of": ({"oneOf": [page_id, string(const="root")]}, "Direct children of the page with this id (or root)."),
        "ancestor_of": (page_id, "Ancestors of the page with this id."),
        "descendant_of": ({"oneOf": [page_id, string(const="root")]}, "Pages below the page with this id (or root)."),
        "translation_of": (page_id, "Translations of the page with this id (not the page itself)."),
        "locale": (enum_of(locales), "Pages in this language only. An unknown locale is a 404."),
        "search": (
            string(maxLength=MAX_SEARCH_LENGTH),
            f"Full-text search (at most {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words).",
        ),
        "search_operator": (enum_of(sorted(SEARCH_OPERATORS)), "How search words combine (default: or)."),
        "order": (
            string(),
            "Field name(s), comma-separated, - for descending (e.g. -start_date), or random (not with offset).",
        ),
        "date_from": (
            string(format="date"),
            "Events that end on or after this day (an event without an end date ends on its start date).",
        ),
        "date_to": (string(format="date"), "Events that start on or before this day."),
        "when": (enum_of(["upcoming", "past"]), "Events not yet over, or over (relative to today in Riga)."),
        "event_format": (enum_of(EventFormat.values), "Events of this format."),
        "organisation": (
            integer(minimum=1),
            "Reports naming the organisation among the organisers, or anywhere in their content (e.g. as a "
            "speaker's organisation).",
        ),
        "person": (integer(minimum=1), "Reports the person appears in."),
        "topic": (string(pattern=r"^[-a-zA-Z0-9_]+$"), "Reports filed under the topic with this slug."),
    }


def common_parameters():
    limit_max = settings.WAGTAILAPI_LIMIT_MAX
    return {
        "limit": (
            integer(minimum=0, maximum=limit_max, default=min(20, limit_max)),
            f"Items per response (at most {limit_max}).",
        ),
        "offset": (integer(minimum=0, maximum=MAX_OFFSET, default=0), "Items to skip."),
        "fields": (
            string(),
            "Fields to add to the defaults, comma-separated (fields=body,topics); * for all, _ to start from "
            "none (fields=_,title), -name to remove one. Required keys in this document are those of the "
            "default response.",
        ),
        "search": (string(maxLength=MAX_SEARCH_LENGTH), "Full-text search."),
        "search_operator": (enum_of(sorted(SEARCH_OPERATORS)), "How search words combine (default: or)."),
        "order": (string(), "Field name, - for descending, or random."),
    }


def snippet_parameters(endpoint):
    locales = [code for code, _ in settings.WAGTAIL_CONTENT_LANGUAGES]
    return {
        "order": ({**enum_of(ORDERINGS), "default": "name"}, "Sort order."),
        "search": (
            string(maxLength=MAX_SEARCH_LENGTH),
            "Case-insensitive match anywhere in: " + ", ".join(endpoint.search_fields) + ".",
        ),
        "locale": (enum_of(locales), "Only this language. An unknown locale is a 400."),
    }


def query_parameters(endpoint, names, specific):
    """Parameter objects for ``names``; every parameter an endpoint accepts must be described here."""
    described = {**common_parameters(), **specific}
    parameters = []
    for name in sorted(set(names) - UNDOCUMENTED_PARAMETERS):
        if name not in described:
            raise TypeError(f"{endpoint.__name__} accepts ?{name}= but api.openapi does not describe it")
        schema, description = described[name]
        parameters.append(query_parameter(name, schema, description))
    return parameters


CONDITIONAL_PARAMETERS = [
    {
        "name": "If-None-Match",
        "in": "header",
        "required": False,
        "description": "The ETag of a response you have: 304 Not Modified when it is still current.",
        "schema": string(),
    },
    {
        "name": "If-Modified-Since",
        "in": "header",
        "required": False,
        "description": "The Last-Modified of a response you have: 304 Not Modified when nothing changed since.",
        "schema": string(),
    },
]


# --- the document -------------------------------------------------------------------------------------------
class _Builder:
    """Assembles one document: components first (blocks and page types), then the paths of each endpoint."""

    def __init__(self):
        self.components = {"Error": ERROR_SCHEMA, **shape_schemas(), **page_value_components()}
        self.blocks = BlockSchemas(self.components)
        self.paths = {}
        self.page_types = []

    def build(self):
        # Person.links is a stream of LinkBlock: its struct component (and so the Link shape) comes from there.
        self.blocks.value(Person._meta.get_field("links").stream_block.child_blocks["link"])
        self.page_types = PageSchemas(self.components, self.blocks).build()
        for name, endpoint in api_router._endpoints.items():  # Wagtail's router has no public list of endpoints
            self.add_endpoint(name, endpoint)
        self.add_schema_views()
        self.add_change_feed()
        return {
            "openapi": OPENAPI_VERSION,
            "info": {
                "title": f"{settings.WAGTAIL_SITE_NAME}: event reports delivery API",
                "version": API_VERSION,
                "description": INFO_DESCRIPTION,
            },
            "paths": self.paths,
            "components": {"schemas": self.components, "responses": RESPONSES, "headers": HEADERS},
        }

    def add_endpoint(self, name, endpoint):
        namespace = f"{api_router.url_namespace}:{name}"
        listing = reverse(f"{namespace}:listing")
        detail = listing + "{id}/"  # Wagtail's detail pattern is <int:pk>/ right below the listing
        if issubclass(endpoint, PagesEndpoint):
            self.add_pages(name, endpoint, listing, detail, reverse(f"{namespace}:find"))
        elif issubclass(endpoint, SnippetEndpoint):
            self.add_snippets(name, endpoint, listing, detail)
        elif issubclass(endpoint, ImagesEndpoint | DocumentsEndpoint):
            self.add_media(name, endpoint, listing, detail)
        else:
            raise TypeError(f"Endpoint {name} ({endpoint.__name__}) is not described by api.openapi")

    def add_pages(self, name, endpoint, listing, detail, find):
        params = page_parameters()
        typed = ", ".join(f"{model.__name__}Listing with type={model._meta.label}" for model in self.page_types)
        self.paths[listing] = operation(
            endpoint,
            name,
            "listing",
            "List pages",
            "Live, public pages. Without type= items have id, meta and title only; with "
            "type=cms.EventReportPage they carry what a card needs (lead, dates, format, hero image). "
            "With type=, any stored field of the type is also an exact-match filter (e.g. ?slug=).",
            query_parameters(endpoint, endpoint.known_query_parameters, params) + CONDITIONAL_PARAMETERS,
            ok(ref("PageListing"), f"Pages ({typed}).", endpoint),
            errors=("400", "404"),
        )
        self.paths[detail] = operation(
            endpoint,
            name,
            "detail",
            "A page",
            "A live, public page with every field of its type.",
            [id_parameter()]
            + query_parameters(endpoint, endpoint.detail_query_parameters, params)
            + CONDITIONAL_PARAMETERS,
            ok(
                {"anyOf": [*(ref(model.__name__) for model in self.page_types), ref("PageDetail")]},
                "The page.",
                endpoint,
            ),
            errors=("400", "404"),
        )
        self.paths[find] = operation(
            endpoint,
            name,
            "find",
            "Find a page by its front-end path",
            "Redirects to the detail of the page at html_path (or with id); other query parameters are kept.",
            [
                query_parameter("html_path", string(), "The page's path on the front-end, e.g. /pasakumi/."),
                query_parameter("id", integer(), "A page id."),
            ],
            {
                "302": {
                    "description": "Found: the detail URL of the page is in Location.",
                    "headers": {"Location": {"description": "The detail URL.", "schema": string(format="uri")}},
                }
            },
            errors=("400", "404"),
        )

    def add_snippets(self, name, endpoint, listing, detail):
        model = endpoint.model.__name__
        self.components[f"{model}Detail"] = snippet_item(endpoint, self.components[shape_for_model(endpoint.model)])
        self.components[f"{model}Listing"] = listing_envelope(ref(f"{model}Detail"))
        label = str(endpoint.model._meta.verbose_name_plural)
        self.paths[listing] = operation(
            endpoint,
            name,
            "listing",
            f"List {label}",
            f"Published {label}, each in the shape it has inside reports, plus meta.",
            query_parameters(endpoint, endpoint.known_query_parameters, snippet_parameters(endpoint))
            + CONDITIONAL_PARAMETERS,
            ok(ref(f"{model}Listing"), label.capitalize() + ".", endpoint),
            errors=("400",),
        )
        self.paths[detail] = operation(
            endpoint,
            name,
            "detail",
            f"One of the {label}",
            "Takes no query parameters.",
            [id_parameter()]
            + query_parameters(endpoint, endpoint.detail_query_parameters, {})
            + CONDITIONAL_PARAMETERS,
            ok(ref(f"{model}Detail"), "The object.", endpoint),
            errors=("400", "404"),
        )

    def add_media(self, name, endpoint, listing, detail):
        model = endpoint.model.__name__
        self.components[f"{model}ListingItem"] = media_item(endpoint, detail=False)
        self.components[f"{model}Detail"] = media_item(endpoint, detail=True)
        self.components[f"{model}Listing"] = listing_envelope(ref(f"{model}ListingItem"))
        label = str(endpoint.model._meta.verbose_name_plural)
        self.paths[listing] = operation(
            endpoint,
            name,
            "listing",
            f"List {label}",
            f"Wagtail's own {label} endpoint, for browsing; reports embed {label} in full (shape "
            f"{shape_for_model(endpoint.model)}). No ETag and no 304 here.",
            query_parameters(endpoint, endpoint.known_query_parameters, {}),
            ok(ref(f"{model}Listing"), label.capitalize() + ".", endpoint),
            errors=("400",),
        )
        self.paths[detail] = operation(
            endpoint,
            name,
            "detail",
            f"One of the {label}",
            None,
            [id_parameter()] + query_parameters(endpoint, endpoint.detail_query_parameters, {}),
            ok(ref(f"{model}Detail"), "The object.", endpoint),
            errors=("400", "404"),
        )

    def add_schema_views(self):
        self.paths[reverse("api-schema")] = {
            "get": {
                "tags": ["schema"],
                "operationId": "schema",
                "summary": "This document",
                "description": "The OpenAPI 3.1 description of the API, as JSON.",
                "responses": {
                    "200": {
                        "description": "The document.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    }
                },
            }
        }
        self.paths[reverse("api-docs")] = {
            "get": {
                "tags": ["schema"],
                "operationId": "docs",
                "summary": "This document as a web page",
                "description": "Endpoints, parameters, errors and block types, for reading in a browser.",
                "responses": {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": string()}}}},
            }
        }

    def add_change_feed(self):
        from cms.changes import KINDS as change_kinds

        from . import changes

        self.components["ChangeEvent"] = closed_object(
            {
                "cursor": string("Continue after this event: pass it as `after`."),
                "time": string("When the edit was saved.", format="date-time"),
                "kind": enum_of(change_kinds, "What happened."),
                "tombstone": boolean("The object is no longer public (unpublished, deleted or made private)."),
                "object": closed_object(
                    {
                        "type": string("The object's type, as in `meta.type`."),
                        "id": integer(),
                        "locale": nullable(string()),
                        "translation_key": nullable(string("Shared by all translations of the object.")),
                        "detail_url": nullable(string("Its API address; null for tombstones.", format="uri")),
                        "html_url": nullable(string("Its front-end address (pages); null for tombstones.")),
                    }
                ),
                "affected": closed_object(
                    {
                        "html_urls": array(string(), "Front-end URLs to rebuild or purge, old addresses included."),
                        "detail_urls": array(string(format="uri"), "API addresses of the public pages it changed."),
                        "tags": array(string(), "The cache tags (`Cache-Tag`) to purge."),
                        "everything": boolean("Every response changed (a site or language change)."),
                    }
                ),
            },
            description="One committed edit that changed what the public sees.",
        )
        self.components["ChangeFeed"] = closed_object(
            {
                "meta": closed_object(
                    {
                        "next": string("Where to continue: the last item's cursor, or `after` again when empty."),
                        "has_more": boolean("More events are waiting; ask again with `next` at once."),
                    }
                ),
                "items": array(ref("ChangeEvent")),
            }
        )
        schemas = {"after": string(), "limit": integer(minimum=1), "locale": string(), "type": string()}
        self.paths[reverse("api-changes")] = {
            "get": {
                "tags": ["changes"],
                "operationId": "changes_listing",
                "summary": "Change feed",
                "description": first_paragraph(changes),
                "parameters": [query_parameter(name, schemas[name], text) for name, text in changes.PARAMETERS.items()],
                "responses": {
                    "200": {
                        "description": "Events in order.",
                        "content": {"application/json": {"schema": ref("ChangeFeed")}},
                    },
                    "400": {"$ref": "#/components/responses/BadRequest"},
                },
            }
        }


def query_parameter(name, schema, description):
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


def id_parameter():
    return {"name": "id", "in": "path", "required": True, "description": "The object's id.", "schema": integer()}


def operation(endpoint, name, kind, summary, description, parameters, responses, errors):
    """The GET of endpoint ``name``, tagged with it; 304 where conditional requests are answered, and errors."""
    responses = dict(responses)
    if issubclass(endpoint, CONDITIONAL_ENDPOINTS) and "200" in responses:
        responses["304"] = {"$ref": "#/components/responses/NotModified"}
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


ERROR_SCHEMA = closed_object(
    {"message": string("What was wrong, in English.")},
    description="The body of every 400 and 404 of the API endpoints: bad input is never a 500.",
)

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

INFO_DESCRIPTION = (
    "Headless JSON delivery of structured event reports (Wagtail API v2 conventions). Everything is public "
    "and read-only. References to content that is not public (drafts, unpublished snippets, private pages "
    "and documents) are dropped, never half-shown: a block that needs such an object is left out, an "
    "optional reference is null, a rich-text link loses its href. Stream block types (the type key) are "
    "part of the contract: renaming one is a breaking change."
)
