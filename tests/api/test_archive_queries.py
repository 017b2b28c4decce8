"""Listings and the archive filters at any size: a constant number of queries, none of them over every page,
report bodies left unread, and results exactly as the filters define them.

An archive of reports is built with the factories (reports naming people, organisations, projects and topics in
turn; dates exact, to the month, unknown and to come), together with what must never be listed: an unpublished
report, a private one and, when a language is asked for, a report in the other language. Every case is asked of
an archive of 3 reports and again of 30: the queries are counted (the same number both times) and the results are
compared with an oracle that reads the same rows in Python, the way the filters are documented.
"""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import Locale, Page, PageViewRestriction, ReferenceIndex

from api import cache as api_cache
from api import filters
from api.endpoints.pages import PagesEndpoint
from cms import dates
from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory, ProjectFactory, TopicFactory
from cms.factories.streams import ReportBodyFactory
from cms.models import EventOrganiser, EventProject, EventReportPage, Organisation, Person
from cms.models.pages import EventFormat, EventKind

pytestmark = pytest.mark.django_db

REPORTS = "/api/v2/pages/?type=cms.EventReportPage"
# What a listing may cost whatever the archive's size: the count, the ids of the page, its rows, then what the
# shown fields refer to (images and renditions, topics, organisers...).
QUERY_BOUND = 12
WORD = "zvaigzne"  # in some titles, for ?search=


def visible(page, restricted, locale=None):
    return (
        page.live
        and page.depth > 1
        and not any(page.path.startswith(path) for path in restricted)
        and (locale is None or page.locale.language_code == locale)
    )


class Archive:
    """The reports, and the objects they name: three of each, named in turn (report ``i`` names object
    ``i % 3``), so that the first three reports already name every object and use every field."""

    def __init__(self):
        self.index = EventReportIndexPageFactory()
        self.people = [PersonFactory() for _ in range(3)]
        self.organisations = [OrganisationFactory() for _ in range(3)]
        self.projects = [ProjectFactory() for _ in range(3)]
        self.topics = [TopicFactory(slug=f"tema-{i}") for i in range(3)]
        self.images = [ImageFactory() for _ in range(3)]
        self.english = Locale.objects.get(language_code="en")
        self.made = 0
        self.first = None

    def report(self, i, suffix="", **kwargs):
        today = timezone.localdate()
        precision, start, end = dates.DatePrecision.DAY, datetime.date(2015, 1, 1) + datetime.timedelta(i * 41), None
        if i % 7 == 3:
            precision, start = dates.DatePrecision.MONTH, start.replace(day=1)
        elif i % 11 == 5:
            start = None
        elif i % 5 == 2:
            end = start + datetime.timedelta(days=2)
        if i % 9 == 1:
            start, end, precision = today + datetime.timedelta(days=30 + i), None, dates.DatePrecision.DAY
        n = i % 3
        body = [("speaker", {"person": self.people[n], "organisation": self.organisations[(n + 1) % 3]})]
        page = EventReportPageFactory(
            parent=self.index,
            title=f"Pārskats {i}" + (f" {WORD}" if i % 2 == 0 else "") + suffix,
            hero_image=self.images[n],
            date_precision=precision,
            start_date=start,
            end_date=end,
            event_kind=list(EventKind.values)[i % len(EventKind.values)],
            event_format=list(EventFormat.values)[i % len(EventFormat.values)],
            body=ReportBodyFactory.stream(body),
            **kwargs,
        )
        page.organisers = [EventOrganiser(organisation=self.organisations[n], part="organiser", locale=page.locale)]
        page.projects = [EventProject(project=self.projects[n], locale=page.locale)]
        page.topics = [self.topics[n]]
        page.save()  # the inline rows and topics with the page (and the reference index with them)
        return page

    def add(self, count):
        """``count`` listed reports, and with them one unpublished, one private and one English report, each
        naming the same objects as the first report of the batch."""
        start = self.made
        batch = [self.report(i) for i in range(start, start + count)]
        self.first = self.first or batch[0]
        self.made += count
        self.report(start, suffix=" (melnraksts)", live=False)
        private = self.report(start, suffix=" (slēgts)")
        PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
        batch[0].copy_for_translation(self.english, copy_parents=True).save_revision().publish()
        # What a publish would invalidate: the restrictions and every cached listing.
        api_cache.bump(api_cache.PRIVACY, api_cache.LISTINGS)

    # --- the oracle ----------------------------------------------------------------------------------------------
    def pages(self, model=EventReportPage, locale=None):
        restricted = list(PageViewRestriction.objects.values_list("page__path", flat=True))
        return [page for page in model.objects.all() if visible(page, restricted, locale)]

    def names(self, page, model, pk):
        """The filters' meaning of "names": in the page's content, as Wagtail's reference index records it."""
        return ReferenceIndex.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page),
            object_id=str(page.pk),
            to_content_type=ContentType.objects.get_for_model(model),
            to_object_id=str(pk),
        ).exists()


def period(page):
    first, _ = dates.period(page.start_date, page.date_precision)
    if first is None:
        return None, None
    end = page.end_date if page.end_date and page.end_date >= page.start_date else page.start_date
    return first, dates.period(end, page.date_precision)[1]


def by_path(pages):
    return sorted(pages, key=lambda page: page.path)


def by_start_date(pages, descending):
    """Nulls last in both directions, ties by id in the direction of the order."""
    dated = sorted((p for p in pages if p.start_date), key=lambda p: (p.start_date, p.pk), reverse=descending)
    undated = sorted((p for p in pages if not p.start_date), key=lambda p: p.pk, reverse=descending)
    return dated + undated


def cases(archive):
    """``(query, expected pages in order, compare order)`` for every filter, alone and together."""
    a = archive
    reports = a.pages()
    lv = a.pages(locale="lv")
    person, organisation, project, topic = a.people[1], a.organisations[2], a.projects[0], a.topics[1]
    today = timezone.localdate()
    day_from, day_to = datetime.date(2015, 2, 1), datetime.date(2016, 6, 30)

    def ends(p):
        return period(p)[1]

    def starts(p):
        return period(p)[0]

    def names_person(p):
        return a.names(p, Person, person.pk)

    def names_organisation(p):
        return any(row.organisation_id == organisation.pk for row in p.organisers.all()) or a.names(
            p, Organisation, organisation.pk
        )

    def links_project(p):
        return any(row.project.translation_key == project.translation_key for row in p.projects.all())

    def filed(p):
        return any(t.slug == topic.slug and t.live for t in p.topics.all())

    def searched(p):
        return WORD in p.title

    def keep(predicate, pages=None):
        return [p for p in (reports if pages is None else pages) if predicate(p)]

    ordered = by_path
    yield "", ordered(reports), True
    yield "order=-start_date", by_start_date(reports, True), True
    yield "order=start_date", by_start_date(reports, False), True
    yield "order=-start_date&offset=2&limit=7", by_start_date(reports, True), True
    yield "offset=3&limit=6", ordered(reports), True
    yield f"date_from={day_from}", ordered(keep(lambda p: ends(p) and ends(p) >= day_from)), True
    yield f"date_to={day_to}", ordered(keep(lambda p: starts(p) and starts(p) <= day_to)), True
    yield (
        f"date_from={day_from}&date_to={day_to}",
        ordered(keep(lambda p: ends(p) and ends(p) >= day_from and starts(p) <= day_to)),
        True,
    )
    yield "when=upcoming", ordered(keep(lambda p: ends(p) and ends(p) >= today)), True
    yield "when=past&order=-start_date", by_start_date(keep(lambda p: ends(p) and ends(p) < today), True), True
    yield "event_kind=seminar", ordered(keep(lambda p: p.event_kind == "seminar")), True
    yield "event_format=online", ordered(keep(lambda p: p.event_format == "online")), True
    yield f"organisation={organisation.pk}", ordered(keep(names_organisation)), True
    yield f"project={project.pk}", ordered(keep(links_project)), True
    yield f"person={person.pk}", ordered(keep(names_person)), True
    yield f"topic={topic.slug}", ordered(keep(filed)), True
    yield "locale=lv", ordered(lv), True
    yield "locale=en", ordered(a.pages(locale="en")), True
    yield f"child_of={a.index.pk}", ordered(keep(lambda p: p.get_parent().pk == a.index.pk)), True
    below = keep(lambda p: p.path.startswith(a.index.path))
    yield f"descendant_of={a.index.pk}&order=-start_date", by_start_date(below, True), True
    yield (
        f"person={person.pk}&date_from={day_from}&locale=lv&order=-start_date",
        by_start_date(keep(lambda p: names_person(p) and ends(p) and ends(p) >= day_from, lv), True),
        True,
    )
    yield (
        f"organisation={organisation.pk}&topic={topic.slug}&event_format=on_site",
        ordered(keep(lambda p: names_organisation(p) and filed(p) and p.event_format == "on_site")),
        True,
    )
    yield (
        f"project={project.pk}&when=past&event_kind=forum",
        ordered(keep(lambda p: links_project(p) and ends(p) and ends(p) < today and p.event_kind == "forum")),
        True,
    )
    yield "fields=body", ordered(reports), True
    yield "fields=*&order=-start_date", by_start_date(reports, True), True
    yield "fields=_,title&limit=50", ordered(reports), True
    # A search orders by relevance (or by its backend's order): the set is compared.
    yield f"search={WORD}&limit=50", keep(searched), False
    # The first report is searchable and names the first of each object (and the second organisation as its
    # speaker's).
    first_person, second_organisation, first_topic = a.people[0], a.organisations[1], a.topics[0]
    yield (
        f"search={WORD}&person={first_person.pk}",
        keep(lambda p: searched(p) and a.names(p, Person, first_person.pk)),
        False,
    )
    yield (
        f"search={WORD}&date_from={day_from}&order=-start_date",
        keep(lambda p: searched(p) and ends(p) and ends(p) >= day_from),
        False,
    )
    yield (
        f"search={WORD}&organisation={second_organisation.pk}&topic={first_topic.slug}&locale=lv",
        keep(
            lambda p: (
                searched(p)
                and a.names(p, Organisation, second_organisation.pk)
                and any(t.pk == first_topic.pk for t in p.topics.all())
            ),
            lv,
        ),
        False,
    )
    yield (
        f"search={WORD}&when=past&project={project.pk}",
        keep(lambda p: searched(p) and links_project(p) and ends(p) and ends(p) < today),
        False,
    )


def url(query):
    return f"{REPORTS}&{query}" if query else REPORTS


def fetch(api, address):
    """One cold response (the response cache emptied first) and the queries it made."""
    api_cache.bump(api_cache.LISTINGS)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(address)
    assert response.status_code == 200, (address, response.content[:300])
    return response.json(), queries.captured_queries


def check_results(archive, api):
    """Each case's items and total against the oracle; returns the number of queries of each case."""
    counts, problems = {}, []
    for query, expected, order in cases(archive):
        address = url(query)
        api.get(address)  # renditions are made once per image; what is bounded is every request after
        data, queries = fetch(api, address)
        counts[query] = len(queries)
        params = dict(part.split("=", 1) for part in query.split("&") if part)
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 20))
        want, ids = [page.pk for page in expected], [item["id"] for item in data["items"]]
        if data["meta"]["total_count"] != len(want):
            problems.append((query, "total_count", data["meta"]["total_count"], len(want)))
        if order and ids != want[offset : offset + limit]:
            problems.append((query, ids, want[offset : offset + limit]))
        if not order and (len(want) > limit or sorted(ids) != sorted(want)):
            problems.append((query, sorted(ids), sorted(want)))
        if not ids:
            # An empty page skips the queries for its items: each case must list some, or the counts compared
            # across sizes would not be the same work.
            problems.append((query, "lists nothing"))
    assert not problems, problems
    return counts


@pytest.mark.parametrize("references", ["few", "many"])
def test_queries_stay_constant_and_results_exact_from_3_to_30_reports(api, monkeypatch, references):
    """``references``: whether the person, project, topic and date filters take their matches as few (the
    reports' ids listed, or an index on the dates) or many (each report looked up, the listing read in its
    order): the results are the same."""
    if references == "many":
        monkeypatch.setattr(filters, "MANY_REFERENCES", 1)
    archive = Archive()
    archive.add(3)
    small = check_results(archive, api)
    archive.add(27)
    assert EventReportPage.objects.filter(live=True).count() > 30  # the English and private ones too
    large = check_results(archive, api)
    grown = {query: (small[query], large[query]) for query in small if small[query] != large[query]}
    assert not grown, grown
    assert max(large.values()) <= QUERY_BOUND, large


def test_every_listing_field_costs_the_same_queries_at_any_size(api):
    """A column a listing leaves unread (a StreamField not asked for), if some field read it, would cost a query
    per item."""
    archive = Archive()
    names = [
        name
        for name in PagesEndpoint.get_available_fields(EventReportPage)
        if name not in PagesEndpoint.detail_only_fields
    ]

    def queries(name):
        api.get(url(f"fields=_,{name}"))  # renditions are made on first use
        data, captured = fetch(api, url(f"fields=_,{name}"))
        assert name in data["items"][0] or name in data["items"][0]["meta"], name
        return len(captured)

    archive.add(3)
    small = {name: queries(name) for name in names}
    archive.add(27)
    large = {name: queries(name) for name in names}
    assert small == large
    assert max(large.values()) <= QUERY_BOUND, large


# Subqueries over the pages table: Wagtail's own form, "pk IN (SELECT id FROM every public page)".
SUBQUERY_OVER_PAGES = re.compile(r'\(\s*SELECT\s[^()]*?\sFROM\s+"wagtailcore_page"', re.IGNORECASE)
STREAMS = ("body", "contacts", "follow_ups", "resources")


def column(name):
    return re.compile(rf'"cms_eventreportpage"\."{name}"')


def test_listing_sql_reads_no_subquery_over_all_pages_nor_unasked_bodies(api):
    archive = Archive()
    archive.add(3)
    for query, _expected, _order in cases(archive):
        if "search=" in query:
            continue  # the search backend's own SQL
        _data, queries = fetch(api, url(query))
        for sql in (q["sql"] for q in queries):
            assert not SUBQUERY_OVER_PAGES.search(sql), (query, sql)
            if "fields=body" in query or "fields=*" in query:
                continue
            for name in (*STREAMS, "contacts_intro"):
                assert not column(name).search(sql), (query, name, sql)

    # Asked for, a stream is read with the rows (one query for every item, no query per item).
    _data, queries = fetch(api, url("fields=body"))
    assert any(column("body").search(q["sql"]) for q in queries)
    assert not any(column("contacts").search(q["sql"]) for q in queries)


def test_no_type_listing_and_several_types(api):
    """Without type= and with several types the rows are pages (no report columns), filtered the same way."""
    archive = Archive()
    archive.add(3)
    pages = by_path(archive.pages(model=Page))
    data, _ = fetch(api, "/api/v2/pages/?limit=50")
    assert [item["id"] for item in data["items"]] == [p.pk for p in pages]
    assert data["meta"]["total_count"] == len(pages)
    both = "/api/v2/pages/?type=cms.EventReportPage,cms.EventReportIndexPage&limit=50&order=title"
    data, _ = fetch(api, both)
    expected = sorted(
        (p for p in pages if p.specific_class in (EventReportPage, type(archive.index))), key=lambda p: (p.title, p.pk)
    )
    assert [item["id"] for item in data["items"]] == [p.pk for p in expected]
    report = archive.first
    data, _ = fetch(api, f"/api/v2/pages/?ancestor_of={report.pk}")
    assert [item["id"] for item in data["items"]] == [p.pk for p in by_path(report.get_ancestors()) if p.depth > 1]
    data, _ = fetch(api, f"/api/v2/pages/?translation_of={report.pk}")
    assert [item["title"] for item in data["items"]] == [report.title]
    assert data["items"][0]["meta"]["locale"] == "en"


def test_total_count_counts_up_to_the_limit_and_offset_pages_past_it(api, monkeypatch):
    from api.endpoints import pages

    archive = Archive()
    archive.add(5)
    every = [p.pk for p in by_path(archive.pages())]
    assert len(every) == 6  # five reports and the English one
    monkeypatch.setattr(pages, "COUNT_LIMIT", 4)
    data, _ = fetch(api, url("limit=3"))
    assert data["meta"]["total_count"] == 4
    assert [item["id"] for item in data["items"]] == every[:3]
    data, _ = fetch(api, url("offset=4&limit=3"))
    assert data["meta"]["total_count"] == 4
    assert [item["id"] for item in data["items"]] == every[4:]
    data, _ = fetch(api, url(f"person={archive.people[0].pk}"))
    assert data["meta"]["total_count"] == len(data["items"]) == 3  # fewer than the limit: exact


def test_the_reference_index_names_the_referring_pages_from_an_index_alone():
    """person= and organisation= read, for one object, the pages that refer to it: migration cms.0014's index
    holds the object and the referrer, so the rows need not be read from the table."""
    table = ReferenceIndex._meta.db_table
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
        index = constraints["cms_referenceindex_target_referrer"]
        assert index["columns"][:2] == ["to_content_type_id", "to_object_id"]
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'cms_referenceindex_target_referrer'")
            assert "INCLUDE (base_content_type_id, object_id)" in cursor.fetchone()[0]
        else:
            assert index["columns"] == ["to_content_type_id", "to_object_id", "base_content_type_id", "object_id"]
