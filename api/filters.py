"""Filters of the pages endpoint: event reports by date, format, organisation, person and topic.

Each filter is declared once in ``EVENT_FILTERS`` with its schema and description, next to the code that
applies it; the pages endpoint accepts these names and ``api.openapi`` documents them from here.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone
from wagtail.api.v2.filters import BaseFilterBackend
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Page, ReferenceIndex

from cms.models import EventOrganiser, EventReportPage, Organisation, Person
from cms.models.pages import EventFormat

# Name -> (JSON Schema, description). ``event_format`` rather than ``format``: DRF reserves ``?format=`` for
# choosing a renderer.
EVENT_FILTERS = {
    "date_from": (
        {"type": "string", "format": "date"},
        "Events that end on or after this day (an event without an end date ends on its start date).",
    ),
    "date_to": ({"type": "string", "format": "date"}, "Events that start on or before this day."),
    "when": (
        {"type": "string", "enum": ["upcoming", "past"]},
        "Events not yet over, or over (relative to today in Riga).",
    ),
    "event_format": ({"type": "string", "enum": list(EventFormat.values)}, "Events of this format."),
    "organisation": (
        {"type": "integer", "minimum": 1},
        "Reports naming the organisation among the organisers, or anywhere in their content (e.g. as a "
        "speaker's organisation).",
    ),
    "person": ({"type": "integer", "minimum": 1}, "Reports the person appears in."),
    "topic": ({"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$"}, "Reports filed under the topic with this slug."),
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


def _referenced_in_pages(model, pk):
    """Ids (as text) of pages whose content refers to the object, from Wagtail's reference index."""
    return ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(model),
        to_object_id=str(pk),
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values("object_id")


class EventReportFilter(BaseFilterBackend):
    """date_from/date_to (events overlapping the range), when=upcoming|past, event_format, organisation,
    person (reports the person appears in), topic (slug). They need ``type=cms.EventReportPage``."""

    def filter_queryset(self, request, queryset, view):
        used = [name for name in EVENT_FILTERS if name in request.GET]
        if not used:
            return queryset
        if not issubclass(queryset.model, EventReportPage):
            raise BadRequestError(f"filter {', '.join(used)} needs type=cms.EventReportPage")
        params = request.GET
        if "date_from" in params:
            day = _parse_date("date_from", params["date_from"])
            # An event with no end date ends on its start date.
            queryset = queryset.filter(Q(end_date__gte=day) | Q(end_date__isnull=True, start_date__gte=day))
        if "date_to" in params:
            queryset = queryset.filter(start_date__lte=_parse_date("date_to", params["date_to"]))
        if "when" in params:
            today = timezone.localdate()
            if params["when"] == "upcoming":
                queryset = queryset.filter(Q(end_date__gte=today) | Q(end_date__isnull=True, start_date__gte=today))
            elif params["when"] == "past":
                queryset = queryset.filter(Q(end_date__lt=today) | Q(end_date__isnull=True, start_date__lt=today))
            else:
                raise BadRequestError("when must be 'upcoming' or 'past'")
        if "event_format" in params and params["event_format"] not in EventFormat.values:
            # The equality filter itself is Wagtail's (FieldsFilter); an unknown value is an error, not [].
            raise BadRequestError("event_format must be one of: " + ", ".join(EventFormat.values))
        if "organisation" in params:
            pk = _parse_id("organisation", params["organisation"])
            organiser_pages = EventOrganiser.objects.filter(organisation_id=pk).values("page_id")
            referring = _referenced_in_pages(Organisation, pk)
            queryset = queryset.annotate(_pk_text=Cast("pk", CharField())).filter(
                Q(pk__in=organiser_pages) | Q(_pk_text__in=referring)
            )
        if "person" in params:
            pk = _parse_id("person", params["person"])
            queryset = queryset.annotate(_pk_text=Cast("pk", CharField())).filter(
                _pk_text__in=_referenced_in_pages(Person, pk)
            )
        if "topic" in params:
            queryset = queryset.filter(topics__slug=params["topic"], topics__live=True)
        return queryset
