"""The shared JSON shapes of the API, each declared once: image, document, page reference, person,
organisation, contact card, topic, project (a link is the ``LinkBlock`` value, declared by the block).

A shape looks the same wherever it appears: in a block, in a page field or on a snippet endpoint. Each is a
``TypedDict`` (see ``api.declare``) from which ``api.openapi`` derives its schema; the builder below it returns
an instance of it. Builders read only what the resolver has already loaded, so building a shape costs no
queries. ``None`` means the object is not public and must be dropped by whoever embeds it.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, TypedDict

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from wagtail.coreutils import resolve_model_string
from wagtail.documents.models import AbstractDocument
from wagtail.images.models import AbstractImage, Filter
from wagtail.models import Page

from blocks.sanitise import safe_url
from blocks.services import CONTEXT_KEY, BlockServices
from cms import models as content
from cms import publishing
from cms.models.snippets import ProjectKind

from .declare import Choices, Component, Doc, Format, Html, Keys
from .richtext import expand
from .urls import absolute_cms_url, document_url, frontend_url

# Allow-listed renditions: the front-end chooses from these, it cannot ask for arbitrary sizes.
DEFAULT_RENDITIONS = {
    "thumbnail": "fill-400x300",
    "small": "width-480",
    "medium": "width-960",
    "large": "width-1600",
}


@functools.cache
def rendition_specs():
    # Asked for by every image shape; the setting is usually left unset, and a missing setting is a failed
    # attribute access each time. Forgotten when the setting changes (``_settings_changed``).
    return getattr(settings, "CMS_API_RENDITIONS", DEFAULT_RENDITIONS)


@functools.cache
def _filters(specs):
    """One Wagtail ``Filter`` per rendition spec, made once: a ``Filter`` parses its spec (its operations, looked
    up through ``inspect``) the first time it is used, and ``get_renditions`` given spec strings makes new ones on
    every call, for every image."""
    return tuple(Filter(spec=spec) for spec in specs)


@functools.cache
def _varies(filter):
    """Whether the filter's renditions differ by image field (a crop by the focal point): if not, the cache key
    ``Filter.get_cache_key`` gives every image is empty."""
    return any(getattr(operation, "vary_fields", ()) for operation in filter.operations)


def rendition_filters():
    return _filters(tuple(rendition_specs().values()))


def _describe_renditions():
    specs = rendition_specs()
    return (
        "The allow-listed sizes: "
        + ", ".join(f"{name} ({spec})" for name, spec in specs.items())
        + ". Other sizes cannot be requested."
    )


# --- declarations ------------------------------------------------------------------------------------------
class Rendition(TypedDict):
    """A resized copy of the image, made by the CMS."""

    url: Annotated[str, Format("uri")]
    width: int
    height: int


class FocalPoint(TypedDict):
    """The part of the image that must stay visible when it is cropped, in original pixels."""

    x: int
    y: int
    width: int
    height: int


class Image(TypedDict):
    """An image with its renditions."""

    id: int
    title: str
    alt: Annotated[str, Doc("Alt text for this use of the image; empty when the image is decorative.")]
    width: Annotated[int, Doc("Width of the original, in pixels.")]
    height: Annotated[int, Doc("Height of the original, in pixels.")]
    focal_point: FocalPoint | None
    renditions: Annotated[dict[str, Rendition], Keys(lambda: list(rendition_specs()), _describe_renditions)]
    srcset: Annotated[str, Doc("The width-based renditions as an HTML srcset value.")]


class Document(TypedDict):
    """A downloadable file from a public collection."""

    id: int
    title: str
    url: Annotated[str, Doc("Download address."), Format("uri")]
    file_size: Annotated[int | None, Doc("Size in bytes.")]
    file_type: Annotated[str, Doc("File extension in lower case, e.g. pdf.")]
    content_type: Annotated[str, Doc("MIME type.")]


class PageRef(TypedDict):
    """A reference to a live, public page."""

    id: int
    type: Annotated[str, Doc("Page type, app_label.Model.")]
    title: str
    url: Annotated[str | None, Doc("Address on the front-end."), Format("uri")]
    locale: str
    fallback: Annotated[
        bool,
        Doc(
            "True when the page is not in the response language (its translation is missing) or mirrors a page "
            "in another language."
        ),
    ]


class Translated(TypedDict):
    """The keys every snippet shape starts with: its id and the language it is shown in."""

    id: int
    locale: Annotated[str, Doc("Language code of the version shown.")]
    fallback: Annotated[bool, Doc("True when shown in another language because the requested translation is missing.")]


class Organisation(Translated):
    """A published organisation."""

    name: str
    acronym: Annotated[str, Doc("Empty when the organisation has none.")]
    website: Annotated[str, Doc("Web address, or empty.")]
    logo: Image | None


# A link as the API gives it wherever links appear: the ``LinkBlock`` value (its schema comes from the block).
Link = Annotated[dict, Component("Link")]


class Person(Translated):
    """A published person."""

    name: str
    alternate_names: Annotated[
        list[str], Doc("Other spellings or former names (e.g. a maiden name), for search and schema.org alternateName.")
    ]
    job_title: Annotated[str, Doc("Today's title, or empty. The role at an event is in the speaker block.")]
    organisation: Organisation | None
    photo: Image | None
    bio: Annotated[str, Html("Short biography")]
    links: list[Link]


class ContactCard(Translated):
    """Whom to contact, kept current in one place. A card names a person (with a position, an organisation or a
    way to get in touch), or only an organisation or unit; it may give no way to get in touch at all when the
    report gives none."""

    name: Annotated[str, Doc("The person's name, or empty when the contact is an organisation or unit.")]
    position: Annotated[str, Doc("Or empty.")]
    unit: Annotated[str, Doc("Department or unit, or empty.")]
    organisation: Organisation | None
    phone: Annotated[str, Doc('As it should be shown (e.g. "(+371) 640-00000"), or empty.')]
    phone_e164: Annotated[
        str, Doc('The same number in E.164 (e.g. "+37164000000"), for tel: links; empty when there is no phone.')
    ]
    email: Annotated[str, Doc("Or empty.")]
    web_page: Annotated[str, Doc("Web address, or empty.")]
    address: Annotated[str, Doc("Or empty.")]
    last_verified: Annotated[str | None, Doc("When the details were last checked."), Format("date")]


class Project(Translated):
    """A published project, funding programme or event series that reports belong to."""

    name: str
    kind: Annotated[
        str,
        Choices(lambda: list(ProjectKind.values)),
        Doc("project (e.g. an Erasmus+ project), programme (a funding programme) or series (a series of events)."),
    ]
    code: Annotated[str, Doc('The project\'s number or code (e.g. "2020-1-LV01-KA204"), or empty.')]
    funding_programme: Annotated[str, Doc('e.g. "Erasmus+", "LEADER"; or empty.')]
    website: Annotated[str, Doc("Web address, or empty.")]
    logo: Image | None


class Topic(Translated):
    """A published topic."""

    name: str
    slug: Annotated[str, Doc("Used by the topic filter.")]


# The shapes shared by blocks, page fields and snippet endpoints (each one component of the OpenAPI document).
SHARED = (Image, Document, PageRef, Organisation, Person, ContactCard, Topic, Project)


# --- one shape per object per response ----------------------------------------------------------------------
# A response shows the same people, organisations and images many times (a speaker in several blocks, the same
# photo on every mention, JSON-LD again): each object's shape is built once per response and then reused. Keyed by
# the object itself (its id, with the object kept alive in the memo so the id cannot be reused): within a response
# the resolver hands out one instance per row, and a preview's drafts are other instances than the live rows.
# Shapes are therefore shared between the places that show them, and must never be changed in place by whoever
# embeds one (they copy: see ``blocks.media.ImageBlock``); tests/api/test_shape_memo.py renders with and without
# the memo and compares the bytes.
_memo = ContextVar("api_shapes_memo", default=None)


@contextmanager
def memoised():
    """Build each object's shape once while the block runs (one response)."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remember(block, value, build):
    """A block's representation of ``value``, built once per response (``BlockServices.remember``)."""
    memo = _memo.get()
    if memo is None:
        return build()
    key = ("block", id(block), id(value))
    found = memo.get(key)
    if found is None:
        # The block and the value are kept alive with the result, so that their ids cannot be reused.
        found = memo[key] = (block, value, build())
    return found[-1]


def _memoise(builder):
    """``builder(obj, context=None)`` built once per object while ``memoised()`` is active. The context only
    carries the services blocks take, the same throughout a response, so it is not part of the key."""

    @functools.wraps(builder)
    def memoised_builder(obj, context=None):
        memo = _memo.get()
        if memo is None or obj is None:
            return builder(obj, context)
        key = (builder, id(obj))
        found = memo.get(key)
        if found is None:
            found = memo[key] = (obj, builder(obj, context))
        return found[1]

    return memoised_builder


# --- builders ----------------------------------------------------------------------------------------------
def image(img, alt_text=None) -> Image | None:
    if img is None:
        return None
    shape = _image(img)
    if alt_text is None:
        return shape
    # The alt text of one use of the image: a copy, the memoised shape stays the image's own.
    return Image(shape, alt=alt_text)


def _renditions(img):
    """spec -> (url, width, height) of the allow-listed renditions: from the rows the resolver loaded
    (``api_renditions``) when all are there, matched as Wagtail matches them (the spec and the filter's focal
    point key for this image); otherwise through Wagtail's ``get_renditions``, which makes the missing ones. An
    SVG's filters are adjusted by Wagtail, so it always goes that way."""
    filters = rendition_filters()
    rows = getattr(img, "api_renditions", None)
    if rows is not None and not img.is_svg():
        found = {}
        for filter in filters:
            row = rows.get((filter.spec, filter.get_cache_key(img) if _varies(filter) else ""))
            if row is None:
                break
            name, width, height = row
            found[filter.spec] = (_rendition_url(type(img), name), width, height)
        else:
            return found
    return {
        spec: (rendition.url, rendition.width, rendition.height)
        for spec, rendition in img.get_renditions(*filters).items()
    }


@functools.lru_cache(maxsize=8192)
def _rendition_url(image_model, name):
    """What ``Rendition.url`` is: the file's URL from the rendition model's storage. A function of the name alone
    while the storage settings stay (cleared when they change), and the storage's own ``url`` is costly
    (``urljoin`` and quoting for every one of a response's hundreds of renditions)."""
    return image_model.get_rendition_model()._meta.get_field("file").storage.url(name)


@receiver(setting_changed)
def _settings_changed(setting, **kwargs):
    if setting in {"MEDIA_URL", "STORAGES", "WAGTAILIMAGES_RENDITION_STORAGE"}:
        _rendition_url.cache_clear()
    if setting == "CMS_API_RENDITIONS":
        rendition_specs.cache_clear()


@_memoise
def _image(img, context=None) -> Image:
    specs = rendition_specs()
    renditions = _renditions(img)
    sized = {}
    for name, spec in specs.items():
        url, width, height = renditions[spec]
        sized[name] = Rendition(url=absolute_cms_url(url), width=width, height=height)
    # One candidate per width: renditions of an image smaller than the spec all come out at its own width.
    by_width = {}
    for name, spec in specs.items():
        if spec.startswith("width-"):
            by_width.setdefault(sized[name]["width"], sized[name]["url"])
    focal_point = None
    if img.has_focal_point():
        focal_point = FocalPoint(
            x=img.focal_point_x, y=img.focal_point_y, width=img.focal_point_width, height=img.focal_point_height
        )
    return Image(
        id=img.pk,
        title=img.title,
        alt=img.default_alt_text,
        width=img.width,
        height=img.height,
        focal_point=focal_point,
        renditions=sized,
        srcset=", ".join(f"{url} {width}w" for width, url in sorted(by_width.items())),
    )


@_memoise
def document(doc, context=None) -> Document | None:
    if doc is None:
        return None
    return Document(
        id=doc.pk,
        title=doc.title,
        url=document_url(doc),
        file_size=doc.file_size,
        file_type=doc.file_extension.lower(),
        content_type=doc.content_type,
    )


@_memoise
def page_ref(page, context=None) -> PageRef | None:
    if page is None:
        return None
    return PageRef(
        id=page.pk,
        type=page.specific_class._meta.label,
        title=page.title,
        url=frontend_url(page),
        locale=page.locale.language_code,
        fallback=getattr(page, "api_fallback", False),
    )


def showable(obj):
    """Live, or a draft that the preview endpoint put in front of an editor (``api_preview``, set only on the
    objects it loaded for one preview response)."""
    return obj is not None and (publishing.is_public(obj) or getattr(obj, "api_preview", False))


def _translated(obj) -> Translated:
    """Which snippet, in which language, and whether it stands in for a missing translation."""
    return Translated(id=obj.pk, locale=obj.locale.language_code, fallback=getattr(obj, "api_fallback", False))


@_memoise
def organisation(org, context=None) -> Organisation | None:
    if not showable(org):
        return None
    return Organisation(
        **_translated(org),
        name=org.name,
        acronym=org.acronym,
        website=safe_url(org.website),
        logo=image(org.logo),
    )


@_memoise
def person(obj, context=None) -> Person | None:
    if not showable(obj):
        return None
    links = obj.links.stream_block.get_api_representation(obj.links, block_context(context))
    return Person(
        **_translated(obj),
        name=obj.name,
        alternate_names=obj.alternate_names,
        job_title=obj.job_title,
        organisation=organisation(obj.organisation),
        photo=image(obj.photo),
        bio=expand(obj.bio),
        links=[item["value"] for item in links if item["value"] is not None],
    )


@_memoise
def contact_card(card, context=None) -> ContactCard | None:
    if not showable(card):
        return None
    return ContactCard(
        **_translated(card),
        name=card.name,
        position=card.position,
        unit=card.unit,
        organisation=organisation(card.organisation),
        phone=card.phone,
        phone_e164=card.phone_e164 if card.phone else "",
        email=card.email,
        web_page=safe_url(card.web_page),
        address=card.address,
        last_verified=card.last_verified.isoformat() if card.last_verified else None,
    )


@_memoise
def topic(obj, context=None) -> Topic | None:
    if not showable(obj):
        return None
    return Topic(
        **_translated(obj),
        name=obj.name,
        slug=obj.slug,
    )


@_memoise
def project(obj, context=None) -> Project | None:
    if not showable(obj):
        return None
    return Project(
        **_translated(obj),
        name=obj.name,
        kind=obj.kind,
        code=obj.code,
        funding_programme=obj.funding_programme,
        website=safe_url(obj.website),
        logo=image(obj.logo),
    )


# --- by model ----------------------------------------------------------------------------------------------
# The shape of each model a block or field can refer to: (model or abstract base, declaration, builder).
BY_MODEL = (
    (content.Person, Person, person),
    (content.Organisation, Organisation, lambda obj, context=None: organisation(obj)),
    (content.ContactCard, ContactCard, lambda obj, context=None: contact_card(obj)),
    (content.Topic, Topic, lambda obj, context=None: topic(obj)),
    (content.Project, Project, lambda obj, context=None: project(obj)),
    (AbstractImage, Image, lambda obj, context=None: image(obj)),
    (AbstractDocument, Document, lambda obj, context=None: document(obj)),
    (Page, PageRef, lambda obj, context=None: page_ref(obj)),
)
_builders = {}


def _entry(model):
    for base, declaration, builder in BY_MODEL:
        if issubclass(model, base):
            return declaration, builder
    raise TypeError(f"No API shape for {model._meta.label}; declare one in api.shapes")


def declaration_for(model):
    """The shape declaration of a model (or "app_label.Model"), as ``shape_of`` chooses it."""
    return _entry(resolve_model_string(model))[0]


def shape_of(obj, context=None):
    """The shape of any chosen object, by its model (blocks call this through their services)."""
    if obj is None:
        return None
    model = type(obj)
    builder = _builders.get(model)
    if builder is None:
        builder = _builders[model] = _entry(model)[1]
    return builder(obj, context)


BLOCK_SERVICES = BlockServices(shape_of=shape_of, expand_rich_text=expand, remember=remember)


def block_context(context=None):
    """A serializer context with the services blocks take from the delivery layer."""
    if context is not None and CONTEXT_KEY in context:
        return context
    return {**(context or {}), CONTEXT_KEY: BLOCK_SERVICES}
