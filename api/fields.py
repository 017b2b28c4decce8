"""DRF fields of the page and snippet endpoints, and the declarations of what they return.

Body fields (a report's sessions, venue, participants, organisers, topics, images, streams) and the meta
fields we add to Wagtail's (``html_url``, ``parent``, ``alias_of``, ``fallback``, ``translations``,
``translation_status``, ``jsonld``). Each field says what it returns in ``returns``, an annotation over the
declarations below (see ``api.declare``); ``api.openapi`` builds the schema from it. They read what the resolver
loaded.
"""

from typing import Annotated, Literal, TypedDict

from django.conf import settings
from rest_framework.fields import Field
from wagtail.api.v2.utils import get_object_detail_url
from wagtail.models import Page
from wagtail_localize.models import StringTranslation, Translation

from cms import fallbacks
from cms.models import EventOrganiser, EventReportPage, EventSession
from cms.models.pages import CountQualifier

from . import shapes
from .declare import Choices, Doc, Format, Inline, Pattern
from .jsonld import event_report_jsonld
from .urls import frontend_url


def _choices(model, name):
    return lambda: [value for value, _ in model._meta.get_field(name).choices if value != ""]


# --- declarations ------------------------------------------------------------------------------------------
class Session(TypedDict):
    """One session (day) of the event."""

    date: Annotated[str, Format("date")]
    start_time: Annotated[str | None, Doc("Local time, HH:MM."), Pattern(r"^\d{2}:\d{2}$")]
    end_time: Annotated[str | None, Doc("Local time, HH:MM."), Pattern(r"^\d{2}:\d{2}$")]
    part_of_day: Annotated[
        str | None, Choices(_choices(EventSession, "part_of_day")), Doc("When no exact time is known.")
    ]
    title: Annotated[str, Doc("Or empty.")]


class Venue(TypedDict):
    """Where the event took place (null when neither name nor address is known)."""

    name: Annotated[str, Doc("Or empty.")]
    address: Annotated[str, Doc("Or empty.")]


class Participants(TypedDict):
    count: int | None
    qualifier: Annotated[
        str, Choices(lambda: list(CountQualifier.values)), Doc("How exact the count is: “more than 20” is more_than.")
    ]
    groups: Annotated[list[str], Doc("Audience groups, in order.")]


class Organiser(TypedDict):
    """An organisation behind the event and its part in it."""

    organisation: shapes.Organisation
    part: Annotated[str, Choices(_choices(EventOrganiser, "part"))]


class ParentPageMeta(TypedDict):
    type: str
    detail_url: Annotated[str, Format("uri")]
    html_url: Annotated[str | None, Format("uri")]
    fallback: Annotated[bool, Doc("True when the parent has no translation of its own (see the page's fallback).")]


class ParentPage(TypedDict):
    """The page above this one in the tree."""

    id: int
    meta: Annotated[ParentPageMeta, Inline]
    title: str


class PageTranslation(TypedDict):
    """A live, public translation of the page (the page itself included)."""

    locale: str
    hreflang: Annotated[str, Doc("For <link rel=alternate hreflang>.")]
    x_default: Annotated[bool, Doc("True for the source language: also the hreflang=x-default alternate.")]
    id: int
    title: str
    html_url: Annotated[str | None, Format("uri")]
    detail_url: Annotated[str, Format("uri")]


TranslationStatus = Annotated[
    Literal["source", "current", "outdated", "fallback"],
    Doc(
        "source: in the source language (or not made by translation); current: every string of the source, as last "
        "synchronised, is translated and published; outdated: the source changed since, or was synchronised since "
        "the translation was published, or translators' work awaits publishing; fallback: the page mirrors its "
        "source (an alias) and shows the source language."
    ),
]


class PageMeta(TypedDict):
    """Every ``meta`` key of a page: Wagtail's own and ours. Which appear depends on the endpoint's field
    configuration (listing or detail, ``fields=``); ``type`` and ``jsonld`` also depend on the page type."""

    type: Annotated[str, Doc("Page type, app_label.Model.")]
    detail_url: Annotated[str, Format("uri")]
    html_url: Annotated[str | None, Doc("Address on the front-end (null for the tree root)."), Format("uri")]
    slug: str
    show_in_menus: bool
    seo_title: Annotated[str, Doc("Or empty.")]
    search_description: Annotated[str, Doc("Or empty.")]
    first_published_at: Annotated[str | None, Format("date-time")]
    alias_of: Annotated[shapes.PageRef | None, Doc("The page this one mirrors (its source, for a fallback).")]
    fallback: Annotated[
        bool,
        Doc(
            "True when the page has no translation of its own and shows its source's language (see alias_of): "
            "not for hreflang, not indexable; the source is the canonical page."
        ),
    ]
    translation_key: Annotated[str, Doc("Shared by a page and its translations."), Format("uuid")]
    parent: ParentPage | None
    locale: Annotated[str, Doc("Language code of the page.")]
    translations: list[PageTranslation]
    translation_status: TranslationStatus
    jsonld: Annotated[dict, Doc("schema.org NewsArticle about the Event, ready for a JSON-LD script.")]


def _resolver(field):
    return field.context["resolver"]


# --- body fields -------------------------------------------------------------------------------------------
class StreamField(Field):
    """A StreamField as display-ready blocks; blocks whose references are not public are left out."""

    # The block schemas are derived from the field's stream block (api.openapi.blocks).
    returns = None

    def to_representation(self, value):
        with _resolver(self).active():
            items = value.stream_block.get_api_representation(value, self.context)
        return [item for item in items if item["value"] is not None]


class ImageField(Field):
    """An image foreign key, with the alt text from ``alt_field`` when the model has one."""

    returns = shapes.Image | None

    def __init__(self, alt_field=None, **kwargs):
        self.alt_field = alt_field
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj):
        field = obj._meta.get_field(self.field_name)
        image = _resolver(self).get(field.related_model, getattr(obj, field.attname))
        alt = getattr(obj, self.alt_field) or None if self.alt_field else None
        return shapes.image(image, alt_text=alt)


class VenueField(Field):
    returns = Venue | None

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        if not (page.venue_name or page.venue_address):
            return None
        return Venue(name=page.venue_name, address=page.venue_address)


class ParticipantsField(Field):
    returns = Participants

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        return Participants(
            count=page.participant_count,
            qualifier=page.participant_count_qualifier,
            groups=[group.name for group in page.audience_groups.all()],
        )


class SessionsField(Field):
    returns = list[Session]

    def to_representation(self, sessions):
        return [
            Session(
                date=session.date.isoformat(),
                start_time=session.start_time.isoformat(timespec="minutes") if session.start_time else None,
                end_time=session.end_time.isoformat(timespec="minutes") if session.end_time else None,
                part_of_day=session.part_of_day or None,
                title=session.title,
            )
            for session in sessions.all()
        ]


class OrganisersField(Field):
    returns = Annotated[list[Organiser], Doc("Unpublished organisations are left out.")]

    def to_representation(self, organisers):
        result = []
        for row in organisers.all():
            organisation = shapes.organisation(_resolver(self).get("cms.organisation", row.organisation_id))
            if organisation is not None:
                result.append(Organiser(organisation=organisation, part=row.part))
        return result


class TopicsField(Field):
    """Topics in the response language (topics are shared by all translations of a report)."""

    returns = Annotated[list[shapes.Topic], Doc("Unpublished topics are left out.")]

    def to_representation(self, topics):
        resolver = _resolver(self)
        shown = (shapes.topic(resolver.get("cms.topic", topic.pk)) for topic in topics.all())
        return [shape for shape in shown if shape is not None]


# --- meta fields -------------------------------------------------------------------------------------------
class HtmlUrlField(Field):
    """Where the page lives on the public front-end."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        return frontend_url(page)


class ParentField(Field):
    def get_attribute(self, instance):
        return self.context["resolver"].parents.get(instance.path[: -instance.steplen])

    def to_representation(self, parent):
        return ParentPage(
            id=parent.pk,
            meta=ParentPageMeta(
                type=parent.specific_class._meta.label,
                detail_url=get_object_detail_url(self.context["router"], self.context["request"], Page, parent.pk),
                html_url=frontend_url(parent),
                fallback=fallbacks.is_fallback(parent),
            ),
            title=parent.title,
        )


class AliasOfField(Field):
    """The page itself that this one mirrors, never its translation (that would be the alias itself)."""

    def get_attribute(self, instance):
        return self.context["resolver"].exact_page(instance.alias_of_id) if instance.alias_of_id else None

    def to_representation(self, page):
        return shapes.page_ref(page)


class FallbackField(Field):
    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        return fallbacks.is_fallback(page)


class TranslationsField(Field):
    """Every live, public, non-alias translation of the page (the page itself included), with what a
    front-end needs for ``<link rel="alternate" hreflang>``: the source-language one is also x-default."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        router, request = self.context["router"], self.context["request"]
        return [
            PageTranslation(
                locale=other.locale.language_code,
                hreflang=other.locale.language_code,
                x_default=other.locale.language_code == settings.LANGUAGE_CODE,
                id=other.pk,
                title=other.title,
                html_url=frontend_url(other),
                detail_url=get_object_detail_url(router, request, Page, other.pk),
            )
            for other in self.context["resolver"].translations.get(page.translation_key, [])
            if other.alias_of_id is None
        ]


class TranslationStatusField(Field):
    """See ``TranslationStatus``. Publishing a translation is refused while strings are untranslated
    (``cms.localize.drafts``), so a translation published after the last synchronisation of its source is complete."""

    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        if fallbacks.is_fallback(page):
            return "fallback"
        if page.locale.language_code == settings.LANGUAGE_CODE:
            return "source"
        translation = (
            Translation.objects.filter(source__object_id=page.translation_key, target_locale_id=page.locale_id)
            .select_related("source")
            .first()
        )
        if translation is None:
            return "source"
        synchronised, published = translation.source.last_updated_at, page.last_published_at
        source_page = next(
            (
                other
                for other in self.context["resolver"].translations.get(page.translation_key, [])
                if other.locale_id == translation.source.locale_id
            ),
            None,
        )
        source_published = source_page.last_published_at if source_page is not None else None
        if source_published and source_published > synchronised:
            return "outdated"
        if published is None or synchronised > published:
            return "outdated"
        pending = StringTranslation.objects.filter(
            translation_of__segments__source_id=translation.source_id,
            locale_id=page.locale_id,
            updated_at__gt=published,
        )
        return "outdated" if pending.exists() else "current"


class JsonLdField(Field):
    def get_attribute(self, instance):
        return instance

    def to_representation(self, page):
        if isinstance(page, EventReportPage):
            return event_report_jsonld(page, self.context)
        return None
