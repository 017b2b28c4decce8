"""DRF fields of the page and snippet endpoints, and the declarations of what they return.

Body fields (a report's dates at their precision, sessions, venue, participants, organisers, projects, related
events, byline, provenance, topics, images, streams) and the meta fields we add to Wagtail's (``html_url``,
``parent``, ``alias_of``, ``fallback``, ``translations``, ``translation_status``, ``jsonld``). Each field says what
it returns in ``returns``, an annotation over the declarations below (see ``api.declare``); ``api.openapi`` builds
the schema from it. They read what the resolver loaded.
"""

from typing import Annotated, Literal, TypedDict

from django.conf import settings
from rest_framework.fields import Field, SkipField
from wagtail.api.v2 import serializers as wagtail_serializers
from wagtail.api.v2.utils import get_object_detail_url
from wagtail.models import Page
from wagtail_localize.models import StringTranslation, Translation

from blocks.sanitise import safe_url
from cms import dates, fallbacks
from cms.dates import DatePrecision
from cms.models import EventOrganiser, EventReportPage, EventSession
from cms.models import RelatedEvent as RelatedEventRow
from cms.models.pages import CountQualifier

from . import shapes
from .declare import Choices, Doc, Format, Inline, Pattern
from .jsonld import event_report_jsonld
from .urls import frontend_url


def _choices(model, name):
    return lambda: [value for value, _ in model._meta.get_field(name).choices if value != ""]


# --- declarations ------------------------------------------------------------------------------------------
Precision = Annotated[
    str,
    Choices(lambda: list(DatePrecision.values)),
    Doc(
        "How exactly the date is known: day; month (only the month: the date is the whole month); year (only the "
        "year); unknown (the date is null)."
    ),
]

# A date as exactly as it is known (``cms.dates.iso``): a reader is never shown a day the report does not give.
ReducedDate = Annotated[
    str | None,
    Doc("ISO 8601 at its precision: 2021-05-17 (day), 2021-05 (month) or 2021 (year); null when not known."),
    Pattern(r"^\d{4}(-\d{2}(-\d{2})?)?$"),
]

DateText = Annotated[str, Doc("The date in the report's own words (e.g. “maija beigās”), or empty.")]


class Session(TypedDict):
    """One session (day) of the event."""

    date: Annotated[ReducedDate, Doc("The session's day at its precision (see date_precision); null when unknown.")]
    date_precision: Precision
    date_text: DateText
    start_time: Annotated[str | None, Doc("Local time, HH:MM."), Pattern(r"^\d{2}:\d{2}$")]
    end_time: Annotated[str | None, Doc("Local time, HH:MM."), Pattern(r"^\d{2}:\d{2}$")]
    part_of_day: Annotated[
        str | None, Choices(_choices(EventSession, "part_of_day")), Doc("When no exact time is known.")
    ]
    title: Annotated[str, Doc("Or empty.")]
    place: Annotated[str, Doc("Where this session was held when not at the event's venue, or empty.")]
    recording_url: Annotated[str, Doc("Web address of the session's recording, or empty.")]


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


class EventProject(TypedDict):
    """A project, programme or series the event belongs to."""

    project: shapes.Project
    position: Annotated[int | None, Doc("The event's number in a series (3 for “the third meeting of…”), or null.")]


class RelatedEvent(TypedDict):
    """Another event the report refers to (an earlier meeting, the next one): its report here, or its name, date
    and address when it has none."""

    relation: Annotated[
        str,
        Choices(_choices(RelatedEventRow, "relation")),
        Doc("previous: an earlier event; next: a later one; part_of: the event this one is part of; related."),
    ]
    report: Annotated[
        shapes.PageRef | None,
        Doc("Its report, when it has a live, public one (the translation in the response language when there is)."),
    ]
    name: Annotated[str, Doc("The event's name, or empty (then use report.title).")]
    date: Annotated[ReducedDate, Doc("When it took place, at its precision (see date_precision); null when unknown.")]
    date_precision: Precision
    date_text: DateText
    url: Annotated[str, Doc("Web address about the event (when it has no report here), or empty.")]


class Byline(TypedDict):
    """The report's author line (“Author: …, public relations specialist”)."""

    name: str
    position: Annotated[str, Doc("Or empty.")]
    organisation: Annotated[shapes.Organisation | None, Doc("Null when not given or not published.")]


class Provenance(TypedDict):
    """Where the text comes from, when it was taken over from elsewhere or translated by machine."""

    source_url: Annotated[str, Doc("Where the report was first published, or empty.")]
    source_language: Annotated[str, Doc("Language code of the original text (e.g. en), or empty.")]
    machine_translated: Annotated[bool, Doc("True when the text was machine-translated from source_language.")]


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


# --- meta ---------------------------------------------------------------------------------------------------
def detail_url(context, model, pk):
    """Wagtail's ``get_object_detail_url``, with each model's URL worked out once per response: looking the
    endpoint up, ``reverse()`` and making it absolute cost more than the rest of a listing's card. The URL of an
    id is the model's URL around the id; kept only when that is what Wagtail gave for the first one."""
    forms = context.setdefault("api_detail_urls", {})
    form = forms.get(model)
    if form is not None:
        return f"{form[0]}{pk}{form[1]}"
    url = get_object_detail_url(context["router"], context["request"], model, pk)
    before, found, after = (url or "").rpartition(f"/{pk}/")
    if found and after == "":
        forms[model] = (before + "/", "/")
    return url


class DetailUrlField(wagtail_serializers.DetailUrlField):
    """``meta.detail_url``, as Wagtail gives it (see ``detail_url``)."""

    def get_attribute(self, instance):
        url = detail_url(self.context, type(instance), instance.pk)
        if not url:
            raise SkipField  # no endpoint shows this model
        return url


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
    """An image foreign key, with the alt text from ``alt_field`` when the model has one; an empty alt when the
    model's ``decorative_field`` says the image is decorative."""

    returns = shapes.Image | None

    def __init__(self, alt_field=None, decorative_field=None, **kwargs):
        self.alt_field = alt_field
        self.decorative_field = decorative_field
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, obj):
        field = obj._meta.get_field(self.field_name)
        image = _resolver(self).get(field.related_model, getattr(obj, field.attname))
        if self.decorative_field and getattr(obj, self.decorative_field):
            alt = ""
        else:
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


class PreciseDateField(Field):
    """A date of the page as exactly as it is known (``cms.dates.iso``): ``2021-05-17``, ``2021-05``, ``2021``
    or null. Ordering and exact-match filters (``?start_date=``) still use the stored date, which for a month or
    a year is its first day."""

    def __init__(self, precision_field, description, **kwargs):
        self.precision_field = precision_field
        self.returns = Annotated[ReducedDate, Doc(description)]
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        return dates.iso(getattr(page, self.field_name), getattr(page, self.precision_field))


class KnownPrecisionField(Field):
    """How exactly a date of the page is known (``cms.dates.known``): “unknown” whenever the date is null, so a
    reader is never told that an empty date is exact."""

    returns = Precision

    def __init__(self, date_field, precision_field, **kwargs):
        self.date_field = date_field
        self.precision_field = precision_field
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        return dates.known(getattr(page, self.date_field), getattr(page, self.precision_field))


class SessionsField(Field):
    returns = list[Session]

    def to_representation(self, sessions):
        return [
            Session(
                date=dates.iso(session.date, session.date_precision),
                date_precision=dates.known(session.date, session.date_precision),
                date_text=session.date_text,
                start_time=session.start_time.isoformat(timespec="minutes") if session.start_time else None,
                end_time=session.end_time.isoformat(timespec="minutes") if session.end_time else None,
                part_of_day=session.part_of_day or None,
                title=session.title,
                place=session.place,
                recording_url=safe_url(session.recording_url),
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


class ProjectsField(Field):
    returns = Annotated[list[EventProject], Doc("In the editor's order. Unpublished projects are left out.")]

    def to_representation(self, rows):
        resolver, result = _resolver(self), []
        for row in rows.all():
            project = shapes.project(resolver.get("cms.project", row.project_id))
            if project is not None:
                result.append(EventProject(project=project, position=row.position))
        return result


class RelatedEventsField(Field):
    returns = Annotated[
        list[RelatedEvent],
        Doc(
            "A related report that is not public is null; an entry that then has nothing to show (no name) is left out."
        ),
    ]

    def to_representation(self, rows):
        resolver, result = _resolver(self), []
        for row in rows.all():
            report = shapes.page_ref(resolver.get(Page, row.report_id))
            # Without its report and without a name, an entry would say only that something private exists.
            if report is None and not row.name.strip():
                continue
            result.append(
                RelatedEvent(
                    relation=row.relation,
                    report=report,
                    name=row.name,
                    date=dates.iso(row.date, row.date_precision),
                    date_precision=dates.known(row.date, row.date_precision),
                    date_text=row.date_text,
                    url=safe_url(row.url),
                )
            )
        return result


class BylineField(Field):
    returns = Annotated[Byline | None, Doc("Null when the report names no author.")]

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        if not page.author_name:
            return None
        organisation = _resolver(self).get("cms.organisation", page.author_organisation_id)
        return Byline(
            name=page.author_name, position=page.author_position, organisation=shapes.organisation(organisation)
        )


class ProvenanceField(Field):
    returns = Annotated[Provenance | None, Doc("Null when the report was written here, in its own language.")]

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, page):
        if not (page.source_url or page.source_language or page.machine_translated):
            return None
        return Provenance(
            source_url=safe_url(page.source_url),
            source_language=page.source_language,
            machine_translated=page.machine_translated,
        )


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
                detail_url=detail_url(self.context, Page, parent.pk),
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
        return [
            PageTranslation(
                locale=other.locale.language_code,
                hreflang=other.locale.language_code,
                x_default=other.locale.language_code == settings.LANGUAGE_CODE,
                id=other.pk,
                title=other.title,
                html_url=frontend_url(other),
                detail_url=detail_url(self.context, Page, other.pk),
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
