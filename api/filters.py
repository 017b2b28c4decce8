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
from functools import reduce
from operator import and_

from django.contrib.contenttypes.models import ContentType
from django.db.models import BigIntegerField, Case, CharField, Exists, F, OuterRef, Q, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from wagtail.api.v2.filters import BaseFilterBackend, OrderingFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Page, ReferenceIndex

from cms import publishing
from cms.models import EventProject, EventReportPage, Organisation, Person, Project, Topic
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


def _filter_reports(queryset, searching, lookups):
    """``queryset`` narrowed to the reports matching all of ``lookups`` (``(lookup, value)`` pairs on the report's
    own columns, the dates'), in the form that reads least.

    Without a search, on the listed rows themselves. Few matches (fewer than ``MANY_REFERENCES``; a count that
    stops there, on the columns' indexes, decides): as they are, so that the database starts from an index on the
    column (``cms.EventReportPage``'s indexes end with the id) and never reads the report rows. Many: on a copy of
    each column that no index holds (``COALESCE(column, column)``, the same values), so that the database reads
    the listing in its order and stops at the end of the page rather than sorting thousands of matches first,
    as ``_matching`` does for the other filters. With a search, as a condition on ``pk``: the search backends
    accept filters only on fields they index (``id`` is one, the derived ``starts_on``/``ends_on`` are not)."""
    if not lookups:
        return queryset
    condition = reduce(and_, (Q(**{lookup: value}) for lookup, value in lookups))
    if searching:
        return queryset.filter(pk__in=EventReportPage.objects.filter(condition).values("pk"))
    if EventReportPage._base_manager.filter(condition).order_by()[:MANY_REFERENCES].count() < MANY_REFERENCES:
        return queryset.filter(condition)
    columns = {lookup.split("__", 1)[0] for lookup, _value in lookups}
    queryset = queryset.alias(**{f"{column}_unindexed": Coalesce(column, column) for column in columns})
    for lookup, value in lookups:
        column, operator = lookup.split("__", 1)
        queryset = queryset.filter(**{f"{column}_unindexed__{operator}": value})
    return queryset


# The snippets the API shows: live ones (one never published, unpublished or expired is not). The rule is the
# CMS's, which refuses publishing a page that shows others (cms.publishing); the snippet endpoints list these,
# and the report filters match only through them.
public_snippets = publishing.public_snippets


def _referenced_in_pages(model, pk):
    """Ids of pages whose content refers to the object, if it is public, from Wagtail's reference index (which
    indexes what is saved on the page row: a live page's live content, not its drafts).

    Found through the index on the referenced object (``to_content_type``, ``to_object_id``): the rows of one
    object, however many pages there are. A row from anything but a page gives no id (``object_id`` is text, a
    page's is its integer id) rather than being filtered out: with a condition on ``base_content_type``, SQLite
    without statistics walks the unique index that starts with it (every reference of every page) because that
    index holds every column read, and PostgreSQL misjudges how many rows remain.
    """
    page = ContentType.objects.get_for_model(Page)
    return (
        _references(model, pk)
        .filter(Exists(public_snippets(model).filter(pk=pk)))
        # As an integer the subquery can be matched against ``pk`` itself, which the search backends accept as a
        # filter while searching.
        .annotate(
            page_id=Case(
                When(base_content_type=page, then=Cast("object_id", BigIntegerField())), output_field=BigIntegerField()
            )
        )
        .order_by()
        .values("page_id")
    )


# A filter matching at least this many rows (references to a person, links to a project, topics filed, reports
# in a period) matches report by report (``_matching``, ``_filter_reports``).
MANY_REFERENCES = 200


def _matching(rows, page_field, searching):
    """The reports that ``rows`` (rows of a table with the report's id in ``page_field``) point at, as a condition,
    in the form that reads least.

    Few rows: the reports' ids, listed from the rows, which the database starts from. Many (``MANY_REFERENCES``;
    a count of the rows that stops there decides): each report looked up among the rows by its own id, so that
    the database reads the listing in its order and stops at the end of the page rather than sorting thousands
    of matches first (for a few matches it is the other way round). A search always gets the ids: a condition
    on ``pk``, which the search backends accept."""
    if searching or rows.order_by()[:MANY_REFERENCES].count() < MANY_REFERENCES:
        return Q(pk__in=rows.values(page_field))
    return Q(Exists(rows.filter(**{page_field: OuterRef("pk")})))


def _references(model, pk):
    return ReferenceIndex.objects.filter(to_content_type=ContentType.objects.get_for_model(model), to_object_id=str(pk))


def _named_often(model, pk, searching):
    """Whether ``person=`` matches the reports naming the person (``_referenced_in_pages``) report by report.

    Someone named in few places: no, by the ids of the pages that name them, which the database starts from. One
    named in many (``MANY_REFERENCES``; a count on the index on the referenced object, which stops there, decides):
    each report is looked up by its own id, cast to text, in the unique index on the referring object
    (``base_content_type``, ``object_id``, ...), and the database reads the listing in its order and stops at the
    end of the page, rather than sorting thousands of matches first (a few matches are the other way round). A
    search always gets the ids: a condition on ``pk``, which the search backends accept."""
    return not searching and _references(model, pk)[:MANY_REFERENCES].count() == MANY_REFERENCES


def _names(model, pk):
    """Reports whose content names the public object, report by report (see ``_named_often``)."""
    in_page = _references(model, pk).filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id=Cast(OuterRef("pk"), CharField())
    )
    return Q(Exists(public_snippets(model).filter(pk=pk))) & Q(Exists(in_page))


def _naming(model, pk, searching):
    """The reports whose content names the public object, in the form that reads least (``_named_often``)."""
    if _named_often(model, pk, searching):
        return _names(model, pk)
    return Q(pk__in=_referenced_in_pages(model, pk))


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
        searching = "search" in params
        # ``starts_on``/``ends_on`` are null for an unknown date, and a comparison with null is never true.
        dated = []
        if "date_from" in params:
            dated.append(("ends_on__gte", _parse_date("date_from", params["date_from"])))
        if "date_to" in params:
            dated.append(("starts_on__lte", _parse_date("date_to", params["date_to"])))
        if "when" in params:
            today = timezone.localdate()
            if params["when"] == "upcoming":
                dated.append(("ends_on__gte", today))
            elif params["when"] == "past":
                dated.append(("ends_on__lt", today))
            else:
                raise BadRequestError("when must be 'upcoming' or 'past'")
        queryset = _filter_reports(queryset, searching, dated)
        # The equality filters themselves are Wagtail's (FieldsFilter: both are stored fields); an unknown value
        # is an error here, not an empty list.
        if "event_kind" in params and params["event_kind"] not in EventKind.values:
            raise BadRequestError("event_kind must be one of: " + ", ".join(EventKind.values))
        if "event_format" in params and params["event_format"] not in EventFormat.values:
            raise BadRequestError("event_format must be one of: " + ", ".join(EventFormat.values))
        if "organisation" in params:
            pk = _parse_id("organisation", params["organisation"])
            # The reference index holds the organisers too (a report's child rows are indexed with it, under
            # ``organisers.…``), so one source answers "among the organisers or anywhere in the content", as
            # for a person. (A union with the organisers' own rows became, at 10,000 reports, a list of
            # thousands of ids that PostgreSQL looped over for every report it read.)
            queryset = queryset.filter(_naming(Organisation, pk, searching))
        if "project" in params:
            pk = _parse_id("project", params["project"])
            # Any language version: a translated report links the project's translation. An unpublished project
            # matches nothing, so the filter does not reveal which reports link it.
            versions = Project.objects.filter(
                translation_key__in=public_snippets(Project).filter(pk=pk).values("translation_key")
            )
            queryset = queryset.filter(_matching(EventProject.objects.filter(project__in=versions), "page", searching))
        if "person" in params:
            queryset = queryset.filter(_naming(Person, _parse_id("person", params["person"]), searching))
        if "topic" in params:
            slug = params["topic"]
            if not re.fullmatch(TOPIC_SLUG, slug):
                raise BadRequestError("topic must be a slug: Latin letters, digits, hyphens and underscores")
            topics = public_snippets(Topic).filter(slug=slug)
            # Through the relation's own table: a page filed under two topics of the slug (two languages'
            # copies) is still one result.
            filed = EventReportPage.topics.through.objects.filter(topic__in=topics)
            queryset = queryset.filter(_matching(filed, "eventreportpage", searching))
        return queryset


# Fields whose null sorts last whichever the direction: a report without a known date is not "the earliest" (nor
# "the latest"). Databases disagree by default (SQLite puts null first when ascending, PostgreSQL last).
NULLS_LAST = {"start_date", "end_date", "publication_date"}


class NullsLastOrderingFilter(OrderingFilter):
    """Wagtail's ``order=``, with nulls last in both directions for the fields in ``NULLS_LAST``, and ties
    broken by id, in the direction of the first field. Offsets then page through one total order, the same on
    every database and whatever plan it picks (every report without a date ties with every other); and the
    database can read it from an index on the field (``cms.EventReportPage``'s indexes end with the id)."""

    def filter_queryset(self, request, queryset, view):
        queryset = super().filter_queryset(request, queryset, view)
        # A search orders through the search backend, which takes field names only: stock behaviour there.
        if not request.GET.get("order") or "search" in request.GET or not queryset.query.order_by:
            return queryset
        names = queryset.query.order_by
        if "?" in names or not all(isinstance(name, str) for name in names):
            return queryset
        ordering = []
        for name in names:
            bare = name.lstrip("-")
            if bare in NULLS_LAST:
                expression = F(bare)
                ordering.append(
                    expression.desc(nulls_last=True) if name.startswith("-") else expression.asc(nulls_last=True)
                )
            else:
                ordering.append(name)
        if not {name.lstrip("-") for name in names} & {"id", "pk"}:
            ordering.append("-pk" if names[0].startswith("-") else "pk")
        return queryset.order_by(*ordering)
