"""Filters of the pages endpoint: event reports by date, kind, format, organisation, project, person and topic.

Each filter is declared once in ``EVENT_FILTERS`` with its schema and description, next to the code that
applies it; the pages endpoint accepts these names and ``api.openapi`` documents them from here.

Dates are matched by the period an event may have covered (``EventReportPage.starts_on``/``ends_on``, kept by
the model from its dates and their precision, see ``cms.dates``): an event known only to the month covers every
day of that month, one known only to the year every day of the year, and one without a known date covers no
day, so no date filter and neither ``when=`` value matches it. ``when=upcoming`` therefore means "may not be
over yet" and ``when=past`` "certainly over": an event in the current month, known only to the month, is
upcoming until the month ends.

The filters by object (organisation, project, person, topic) match only through a *public* object
(``public_snippets``: what the snippet endpoints list and the resolver shows). One never published, unpublished
or expired answers exactly as an id or slug that does not exist — an empty list — so the filters cannot tell
which unpublished people or organisations exist, nor which reports name them.
"""

import datetime
import re

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Exists, F, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.api.v2.filters import BaseFilterBackend, OrderingFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Page, ReferenceIndex

from cms import publishing
from cms.models import EventOrganiser, EventProject, EventReportPage, Organisation, Person, Project, Topic
from cms.models.pages import EventFormat, EventKind

TOPIC_SLUG = r"^[-a-zA-Z0-9_]+$"

_PERIODS = (
    " A date known only to the month stands for the whole month, one known only to the year for the whole year; "
    "a report without a known date matches no date range."
)

# Name -> (JSON Schema, description). ``event_format`` rather than ``format``: DRF reserves ``?format=`` for
# choosing a renderer.
EVENT_FILTERS = {
    "date_from": (
        {"type": "string", "format": "date"},
        "Events that may last until this day or later: whose last day (the start day for a one-day event, the end "
        "of the month or year for an imprecise date) is on or after it." + _PERIODS,
    ),
    "date_to": (
        {"type": "string", "format": "date"},
        "Events that may have begun by this day: whose first day (the 1st of the month or 1 January for an "
        "imprecise date) is on or before it." + _PERIODS,
    ),
    "when": (
        {"type": "string", "enum": ["upcoming", "past"]},
        "upcoming: events not certainly over (their last possible day is today or later, today in Riga); past: "
        "events certainly over. A report without a known date is neither.",
    ),
    "event_kind": ({"type": "string", "enum": list(EventKind.values)}, "Events of this kind."),
    "event_format": ({"type": "string", "enum": list(EventFormat.values)}, "Events of this format."),
    "organisation": (
        {"type": "integer", "minimum": 1},
        "Reports naming the organisation among the organisers, or anywhere in their content (e.g. as a "
        "speaker's organisation).",
    ),
    "project": (
        {"type": "integer", "minimum": 1},
        "Reports linking the published project, programme or series with this id (or a translation of it; "
        "locale= narrows to one language).",
    ),
    "person": ({"type": "integer", "minimum": 1}, "Reports the person appears in."),
    "topic": ({"type": "string", "pattern": TOPIC_SLUG}, "Reports filed under the topic with this slug."),
}


def _parse_date(name, value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as e:
        raise BadRequestError(f"{name} must be a date in the form YYYY-MM-DD") from e


def _parse_id(name, value):
    if not value.isdigit() or len(value) > 18:
        raise BadRequestError(f"{name} must be a numeric id")
    return int(value)


def _reports(**lookups):
    """The reports matching ``lookups``, as a condition on ``pk``: the search backends accept filters only on
    fields they index (``id`` is one, the derived ``starts_on``/``ends_on`` are not), so every filter here is
    stated on ``pk`` and works with ``?search=`` too."""
    return Q(pk__in=EventReportPage.objects.filter(**lookups).values("pk"))


# The snippets the API shows: live ones (one never published, unpublished or expired is not). The rule is the
# CMS's, which refuses publishing a page that shows others (cms.publishing); the snippet endpoints list these,
# and the report filters match only through them.
public_snippets = publishing.public_snippets


def _referenced_in_pages(model, pk):
    """Ids of pages whose content refers to the object, if it is public, from Wagtail's reference index (which
    indexes what is saved on the page row: a live page's live content, not its drafts)."""
    return (
        ReferenceIndex.objects.filter(
            to_content_type=ContentType.objects.get_for_model(model),
            to_object_id=str(pk),
            base_content_type=ContentType.objects.get_for_model(Page),
        )
        .filter(Exists(public_snippets(model).filter(pk=pk)))
        # ``object_id`` is text (any model's key); a page's is its integer id. As an integer the subquery can
        # be matched against ``pk`` itself, which the search backends accept as a filter while searching.
        .annotate(page_id=Cast("object_id", BigIntegerField()))
        .values("page_id")
    )


class EventReportFilter(BaseFilterBackend):
    """date_from/date_to (events overlapping the range), when=upcoming|past, event_kind, event_format,
    organisation, project, person (reports the person appears in), topic (slug). They need
    ``type=cms.EventReportPage``; the date rules are in the module's docstring."""

    def filter_queryset(self, request, queryset, view):
        used = [name for name in EVENT_FILTERS if name in request.GET]
        if not used:
            return queryset
        if not issubclass(queryset.model, EventReportPage):
            raise BadRequestError(f"filter {', '.join(used)} needs type=cms.EventReportPage")
        params = request.GET
        # ``starts_on``/``ends_on`` are null for an unknown date, and a comparison with null is never true.
        if "date_from" in params:
            queryset = queryset.filter(_reports(ends_on__gte=_parse_date("date_from", params["date_from"])))
        if "date_to" in params:
            queryset = queryset.filter(_reports(starts_on__lte=_parse_date("date_to", params["date_to"])))
        if "when" in params:
            today = timezone.localdate()
            if params["when"] == "upcoming":
                queryset = queryset.filter(_reports(ends_on__gte=today))
            elif params["when"] == "past":
                queryset = queryset.filter(_reports(ends_on__lt=today))
            else:
                raise BadRequestError("when must be 'upcoming' or 'past'")
        if "event_kind" in params:
            if params["event_kind"] not in EventKind.values:
                raise BadRequestError("event_kind must be one of: " + ", ".join(EventKind.values))
            queryset = queryset.filter(event_kind=params["event_kind"])
        if "event_format" in params and params["event_format"] not in EventFormat.values:
            # The equality filter itself is Wagtail's (FieldsFilter); an unknown value is an error, not [].
            raise BadRequestError("event_format must be one of: " + ", ".join(EventFormat.values))
        if "organisation" in params:
            pk = _parse_id("organisation", params["organisation"])
            organiser_pages = EventOrganiser.objects.filter(
                organisation__in=public_snippets(Organisation).filter(pk=pk)
            ).values("page_id")
            queryset = queryset.filter(Q(pk__in=organiser_pages) | Q(pk__in=_referenced_in_pages(Organisation, pk)))
        if "project" in params:
            pk = _parse_id("project", params["project"])
            # Any language version: a translated report links the project's translation. An unpublished project
            # matches nothing, so the filter does not reveal which reports link it.
            versions = Project.objects.filter(
                translation_key__in=public_snippets(Project).filter(pk=pk).values("translation_key")
            )
            queryset = queryset.filter(pk__in=EventProject.objects.filter(project__in=versions).values("page_id"))
        if "person" in params:
            pk = _parse_id("person", params["person"])
            queryset = queryset.filter(pk__in=_referenced_in_pages(Person, pk))
        if "topic" in params:
            slug = params["topic"]
            if not re.fullmatch(TOPIC_SLUG, slug):
                raise BadRequestError("topic must be a slug: Latin letters, digits, hyphens and underscores")
            topics = public_snippets(Topic).filter(slug=slug)
            # Through the relation's own table: a page filed under two topics of the slug (two languages'
            # copies) is still one result.
            filed = EventReportPage.topics.through.objects.filter(topic__in=topics).values("eventreportpage_id")
            queryset = queryset.filter(pk__in=filed)
        return queryset


# Fields whose null sorts last whichever the direction: a report without a known date is not "the earliest" (nor
# "the latest"). Databases disagree by default (SQLite puts null first when ascending, PostgreSQL last).
NULLS_LAST = {"start_date", "end_date", "publication_date"}


class NullsLastOrderingFilter(OrderingFilter):
    """Wagtail's ``order=``, with nulls last in both directions for the fields in ``NULLS_LAST``."""

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        # A search orders through the search backend, which takes field names only: stock behaviour there.
        if not request.GET.get("order") or "search" in request.GET or not queryset.query.order_by:
            return queryset
        ordering = []
        for name in queryset.query.order_by:
            bare = name.lstrip("-") if isinstance(name, str) else None
            if bare in NULLS_LAST:
                expression = F(bare)
                ordering.append(
                    expression.desc(nulls_last=True) if name.startswith("-") else expression.asc(nulls_last=True)
                )
            else:
                ordering.append(name)
        return queryset.order_by(*ordering)
