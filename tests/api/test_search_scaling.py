"""Search that scales (``api.search``): one full-text match per search, on the index alone, keeping the
``CMS_API_SEARCH_CANDIDATES`` best matches; the endpoint's filters, order and pagination then apply to those.

Matching is by prefix, case- and accent-insensitive, on SQLite (FTS5's ``unicode61`` tokenizer) and on PostgreSQL
(the ``simple_unaccent`` configuration of migration ``cms.0012``); what only PostgreSQL does is tested there and
skipped on SQLite. Run with ``DATABASE_URL`` for PostgreSQL.
"""

import os
import re
import unicodedata
from urllib.parse import urlencode

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from modelsearch.conf import get_app_config
from wagtail.models import Locale, Page, PageViewRestriction
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from api.search import best_matches, matches
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.models import EventReportPage

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "12"))
POSTGRES = connection.vendor == "postgresql"
REPORTS = "/api/v2/pages/?type=cms.EventReportPage"
INDEX_TABLE = get_app_config().get_model("IndexEntry")._meta.db_table


def get(api, url, **params):
    # Appended, not passed as ``data``: the test client would drop the URL's own query string.
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    response = api.get(url)
    assert response.status_code == 200, (url, params, response.content)
    return response.json()


def found(api, url, **params):
    return [item["id"] for item in get(api, url, **params)["items"]]


# --- the cap ------------------------------------------------------------------------------------------------
@pytest.fixture
def ranked():
    """Eight reports with the word "kandidāts": five say it in the title and three times in the lead (strong),
    three once, in a long lead (weak). The weak ones are in another year and another format."""
    index = EventReportIndexPageFactory()
    filler = " ".join(["garš", "ievads", "par", "novada", "dzīvi", "un", "darbu"] * 6)
    strong = [
        EventReportPageFactory(
            parent=index,
            title=f"Kandidāts {n}",
            lead="Kandidāts, kandidāts un vēlreiz kandidāts.",
            start_date=f"2024-0{n + 1}-10",
            event_format="online",
        ).pk
        for n in range(5)
    ]
    weak = [
        EventReportPageFactory(
            parent=index,
            title=f"Cits {n}",
            lead=f"{filler} kandidāts {filler}.",
            start_date="2019-05-10",
            event_format="on_site",
        ).pk
        for n in range(3)
    ]
    EventReportPageFactory(parent=index, title="Nekas kopīgs", lead="Cits teksts.")
    return {"strong": strong, "weak": weak}


def test_all_matches_best_first_below_the_cap(api, ranked):
    ids = found(api, REPORTS, search="kandidāts")
    assert sorted(ids[:5]) == sorted(ranked["strong"])
    assert sorted(ids[5:]) == sorted(ranked["weak"])


def test_the_cap_keeps_the_best_matches(api, ranked, settings):
    everything = found(api, REPORTS, search="kandidāts")
    settings.CMS_API_SEARCH_CANDIDATES = 5
    body = get(api, REPORTS, search="kandidāts")
    assert [item["id"] for item in body["items"]] == everything[:5]
    assert body["meta"]["total_count"] == 5
    assert best_matches(EventReportPage, ["kandidāts"]) == everything[:5]
    # Pages through the candidates, in the same order.
    assert found(api, REPORTS, search="kandidāts", limit="2", offset="2") == everything[2:4]
    settings.CMS_API_SEARCH_CANDIDATES = 1
    assert found(api, REPORTS, search="kandidāts") == everything[:1]


def test_order_applies_within_the_candidates(api, ranked, settings):
    newest_first = found(api, REPORTS, search="kandidāts", order="-start_date")
    assert newest_first[:5] == list(reversed(ranked["strong"]))  # their dates rise with their ids
    assert sorted(newest_first[5:]) == sorted(ranked["weak"])  # older, all on one day
    settings.CMS_API_SEARCH_CANDIDATES = 5
    assert found(api, REPORTS, search="kandidāts", order="-start_date") == list(reversed(ranked["strong"]))
    assert found(api, REPORTS, search="kandidāts", order="start_date") == ranked["strong"]


def test_filters_narrow_the_candidates(api, ranked, settings):
    # Below the cap a filter finds every match it allows; with a cap, it narrows the best matches only (the
    # documented price of a bounded search: more words find the rest).
    weak = sorted(ranked["weak"])
    assert sorted(found(api, REPORTS, search="kandidāts", date_to="2020-01-01")) == weak
    assert sorted(found(api, REPORTS, search="kandidāts", event_format="on_site")) == weak
    settings.CMS_API_SEARCH_CANDIDATES = 5
    assert found(api, REPORTS, search="kandidāts", date_to="2020-01-01") == []
    assert get(api, REPORTS, search="kandidāts", event_format="on_site")["meta"]["total_count"] == 0


@pytest.mark.parametrize("value", [0, -1, "many", 2.5, True])
def test_a_bad_cap_setting_fails_loudly(ranked, settings, value):
    settings.CMS_API_SEARCH_CANDIDATES = value
    with pytest.raises(ImproperlyConfigured, match="CMS_API_SEARCH_CANDIDATES"):
        best_matches(EventReportPage, ["kandidāts"])


# --- cost ---------------------------------------------------------------------------------------------------
def _add_reports(index, count, start):
    for n in range(start, start + count):
        EventReportPageFactory(parent=index, title=f"Mērogs {n}", lead="Mērogošanas pārbaude.", start_date="2022-03-01")
        EventReportPageFactory(parent=index, title=f"Citādi {n}", lead="Nekā kopīga.", start_date="2022-03-01")


def _search_queries(api, url):
    api.get(url)  # content types, site roots and the private paths are read once per process, not per search
    with CaptureQueriesContext(connection) as captured:
        response = api.get(url)
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 5
    return [query["sql"] for query in captured.captured_queries]


def _matching(queries):
    """The queries that run the full-text match."""
    return [sql for sql in queries if _marker() in sql]


@pytest.mark.parametrize(
    "url",
    [
        REPORTS + "&search=mērog&limit=5",
        "/api/v2/pages/?search=merogs&limit=5",
        REPORTS + "&search=mērogs+pārbaude&search_operator=and&limit=5&order=-start_date&date_from=2020-01-01",
        REPORTS + "&search=mērogs&limit=5&offset=5&locale=lv&event_format=online",
    ],
)
def test_a_search_costs_the_same_queries_whatever_the_archive_size(api, url):
    index = EventReportIndexPageFactory()
    _add_reports(index, 10, 0)
    small = _search_queries(api, url)
    _add_reports(index, 40, 10)
    large = _search_queries(api, url)
    assert len(small) == len(large), (small, large)
    # The full-text match runs in one query, on the index alone: not again per candidate row (Wagtail's backends
    # rank in a correlated subquery that repeats the match). With relevance order the same query asks, after
    # ranking, whether the endpoint's queryset allows each candidate: its only subquery, without the match.
    for queries in (small, large):
        (match,) = _matching(queries)
        outer, subqueries = _without_subqueries(match)
        assert outer.count("SELECT") == 1, match
        assert "wagtailcore_page" not in outer, match
        assert len(subqueries) <= 1 and all(_marker() not in sub for sub in subqueries), match


def _marker():
    return " @@ " if POSTGRES else " MATCH "


def _without_subqueries(sql):
    """``sql`` with each parenthesised ``SELECT`` cut out, and the parts cut out."""
    outer, subqueries, position = "", [], 0
    while (start := sql.find("(SELECT", position)) != -1:
        depth, end = 0, start
        for end in range(start, len(sql)):
            depth += {"(": 1, ")": -1}.get(sql[end], 0)
            if depth == 0:
                break
        outer += sql[position:start]
        subqueries.append(sql[start : end + 1])
        position = end + 1
    return outer + sql[position:], subqueries


# --- matching -----------------------------------------------------------------------------------------------
@pytest.fixture
def places():
    index = EventReportIndexPageFactory()
    return {
        "rezekne": EventReportPageFactory(parent=index, title="Uzņēmēju forums Rēzeknē", lead="Tikšanās.").pk,
        "kuldiga": EventReportPageFactory(parent=index, title="Seminārs Kuldīgā", lead="Mācības.").pk,
        "kuldigas": EventReportPageFactory(parent=index, title="Kuldīgas novada svētki", lead="Svinības.").pk,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rezekne", {"rezekne"}),  # unaccented
        ("REZEKNE", {"rezekne"}),
        ("Rēzeknē", {"rezekne"}),
        ("rēzekne", {"rezekne"}),
        ("rez", {"rezekne"}),  # a prefix
        ("semin", {"kuldiga"}),
        ("SEMINĀ", {"kuldiga"}),
        ("kuldig", {"kuldiga", "kuldigas"}),
        ("Kuldīga", {"kuldiga", "kuldigas"}),  # the nominative finds the locative and the genitive
        ("kuldigas", {"kuldigas"}),
        ("zekne", set()),  # a prefix, not any part of a word
        ("uznemeju", {"rezekne"}),
        ("semin rez", {"kuldiga", "rezekne"}),  # or, the default
    ],
)
def test_unaccented_prefix_matching(api, places, text, expected):
    assert set(found(api, REPORTS, search=text)) == {places[name] for name in expected}


def test_every_word_is_a_prefix_with_and(api, places):
    assert found(api, REPORTS, search="semin kuld", search_operator="and") == [places["kuldiga"]]
    assert found(api, REPORTS, search="semin rez", search_operator="and") == []


@pytest.mark.skipif(not POSTGRES, reason="SQLite's FTS5 tokenizer removes Latin diacritics only; ё stays ё")
def test_cyrillic_yo_is_unaccented_on_postgresql(api):
    pk = EventReportPageFactory(parent=EventReportIndexPageFactory(), title="Новогодняя ёлка").pk
    assert found(api, REPORTS, search="елка") == [pk]
    assert found(api, REPORTS, search="ЁЛ") == [pk]


@pytest.mark.skipif(not POSTGRES, reason="the text search configuration and the GIN indexes are PostgreSQL's")
def test_the_postgresql_configuration_and_the_indexes_it_uses(settings):
    assert settings.WAGTAILSEARCH_BACKENDS["default"]["SEARCH_CONFIG"] == "simple_unaccent"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple_unaccent', 'Rēzeknē Seminārs ĢĶĻŅ Ёлка 2024')::text")
        assert cursor.fetchone()[0] == "'2024':5 'gkln':3 'rezekne':1 'seminars':2 'елка':4"
        # The vectors ranking reads stay in the row (migration cms.0012).
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = %s::regclass AND attname IN ('title', "
            "'body') ORDER BY attname",
            [INDEX_TABLE],
        )
        assert cursor.fetchall() == [("body", "m"), ("title", "m")]
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [INDEX_TABLE, "%USING gin%"],
        )
        gin = {name for name, definition in cursor.fetchall() if re.search(r"USING gin \((title|body)\)", definition)}
    assert len(gin) == 2, gin
    report = EventReportPageFactory(parent=EventReportIndexPageFactory(), title="Seminārs Rēzeknē")
    # Thousands of other reports' entries (written directly: only their number matters), so that the planner
    # has a reason to use an index: a search for words few entries have must then go through the GIN indexes
    # of the title and the body, for each word.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {INDEX_TABLE} (content_type_id, object_id, title, autocomplete, body, title_norm,
                title_text, body_text)
            SELECT %s, (1000000 + n)::text, to_tsvector('simple_unaccent', 'Cits ' || n), ''::tsvector,
                to_tsvector('simple_unaccent', 'teksts bez meklētā'), 1.0, '', ''
            FROM generate_series(1, 5000) AS n""",
            [report.content_type_id],
        )
        # New entries wait in a GIN index's pending list until (auto)vacuum merges them; merged here, as on a
        # database that has been running a while, so that the planner costs the indexes as they are.
        for name in gin:
            cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [name])
        cursor.execute(f"ANALYZE {INDEX_TABLE}")
        ranked = matches(EventReportPage, ["semin", "rez"], "and")
        plan = ranked.explain()
        assert list(ranked) == [report.pk]
    assert all(f"Bitmap Index Scan on {name}" in plan for name in gin), plan


def test_images_and_documents_match_the_same_way(api):
    image = ImageFactory(title="Forums Kuldīgā").pk
    document = DocumentFactory(title="Semināra prezentācija").pk
    ImageFactory(title="Cits attēls")
    assert found(api, "/api/v2/images/", search="kuldiga") == [image]
    assert found(api, "/api/v2/images/", search="FORUM") == [image]
    assert found(api, "/api/v2/documents/", search="semin prez", search_operator="and") == [document]
    assert found(api, "/api/v2/documents/", search="zentacija") == []


# --- same as before, with filters ---------------------------------------------------------------------------
@pytest.fixture
def archive():
    """Reports in two languages, formats and years, most saying "ziņojums", and a draft and a private one that do
    too."""
    index = EventReportIndexPageFactory()
    english = Locale.objects.get(language_code="en")
    reports = []
    for n in range(8):
        report = EventReportPageFactory(
            parent=index,
            title=f"Ziņojums {n}" + (" par semināru" if n % 3 == 0 else ""),
            lead="Ziņojums par pasākumu. " * (1 + n % 4),
            start_date=f"20{18 + n % 4}-0{1 + n % 9}-15",
            event_format=["online", "on_site"][n % 2],
        )
        reports.append(report)
    translated = reports[1].copy_for_translation(english, copy_parents=True)
    translated.title = "Ziņojums in English"
    translated.start_date = "2017-06-15"  # a day of its own: orders compare without ties
    translated.save_revision().publish()
    EventReportPageFactory(parent=index, title="Ziņojums melnraksts", live=False)
    private = EventReportIndexPageFactory(parent=index, title="Privāti", slug="privati")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    hidden = EventReportPageFactory(parent=private, title="Ziņojums privāts")
    return {"index": index, "english": translated.pk, "private": hidden.pk}


FILTERS = [
    "type=cms.EventReportPage",
    "type=cms.EventReportPage&locale=lv",
    "type=cms.EventReportPage&locale=en",
    "locale=en",
    "type=cms.EventReportPage&date_from=2020-01-01",
    "type=cms.EventReportPage&date_to=2019-12-31&event_format=online",
    "type=cms.EventReportPage&when=past",
    "type=cms.EventReportPage&order=-start_date",
    "type=cms.EventReportPage&order=title",
    "type=cms.EventReportPage&order=id&event_format=on_site",
    "order=-id",
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("search", ["ziņojums", "zinoj semin", "semināru"])
def test_search_with_filters_is_the_search_within_the_filtered_listing(api, archive, filters, search):
    listing = found(api, f"/api/v2/pages/?{filters}&limit=100")
    searched = found(api, f"/api/v2/pages/?{_without_order(filters)}&limit=100", search=search)
    both = found(api, f"/api/v2/pages/?{filters}&limit=100", search=search)
    if "order=" in filters:
        # Ordered as the listing is, among the matches.
        assert both == [pk for pk in listing if pk in set(searched)]
    else:
        # Ordered as the search is (best first), among what the filters allow.
        assert both == [pk for pk in searched if pk in set(listing)]
    if "locale=en" not in filters:
        assert both, "every combination has matches in Latvian"


def _without_order(filters):
    return "&".join(part for part in filters.split("&") if not part.startswith("order="))


def test_full_words_find_what_wagtail_finds(api, archive):
    # Where no indexed word has a searched word as a prefix (nor differs only by accents), the results and
    # their order are those of Wagtail's own search of the same words, as before.
    latvian = Locale.objects.get(language_code="lv")
    queryset = EventReportPage.objects.live().filter(locale=latvian).exclude(pk__in=[archive["private"]])
    for words, operator in [("Ziņojums", "or"), ("semināru", "or"), ("Ziņojums semināru", "and"), ("pasākumu", "or")]:
        stock = get_search_backend().search(PlainText(words, operator=operator), queryset)
        ours = found(api, REPORTS + "&locale=lv&limit=100", search=words, search_operator=operator)
        assert ours == [page.pk for page in stock], words


# --- a property ---------------------------------------------------------------------------------------------
VOCABULARY = ["Rēzekne", "Ābele", "Šķūnis", "Ģērbtuve", "Ņaudēt", "Žagata", "Ērglis", "Ūdensroze", "Kuldīga", "Kūlenis"]


def folded(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def oracle(words, operator, locale, reports_only, private_path):
    """What a search must find, computed from the rows: public live pages (of the locale, of the report type)
    that are in the search index, with a word of their indexed text (title; a report's lead too) starting with
    each (and) or any (or) of the words, case and accents aside."""
    indexed = set(get_app_config().get_model("IndexEntry").objects.values_list("content_type_id", "object_id"))
    wanted = [folded(word) for word in words]
    found_pks = set()
    for page in Page.objects.exclude(depth=1).specific():
        if (page.content_type_id, str(page.pk)) not in indexed:
            continue
        if not page.live or page.path.startswith(private_path):
            continue
        if locale and page.locale.language_code != locale:
            continue
        if reports_only and not isinstance(page, EventReportPage):
            continue
        text = page.title + (" " + page.lead if isinstance(page, EventReportPage) else "")
        tokens = re.findall(r"[^\W_]+", folded(text))
        hits = [any(token.startswith(word) for token in tokens) for word in wanted]
        if all(hits) if operator == "and" else any(hits):
            found_pks.add(page.pk)
    return found_pks


class Rollback(Exception):
    pass


@pytest.fixture
def trees():
    index = EventReportIndexPageFactory()
    english = Locale.objects.get(language_code="en")
    english_index = index.copy_for_translation(english, copy_parents=True)
    english_index.save_revision().publish()
    private = EventReportIndexPageFactory(parent=index, title="Slēgtie", slug="slegtie")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    return {"lv": index, "en": english_index.specific, "private": private, "english": english}


page_spec = st.tuples(
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=3),
    st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=2),
    st.sampled_from(["live", "live", "draft", "private", "en"]),
)
query_word = st.one_of(
    st.tuples(
        st.sampled_from(VOCABULARY),
        st.integers(min_value=2, max_value=10),
        st.booleans(),
        st.sampled_from([str.lower, str.upper, str.title]),
    ).map(lambda t: t[3](folded(t[0][: t[1]]) if t[2] else t[0][: t[1]])),
    st.just("Neesošs"),
)
query = st.tuples(
    st.lists(query_word, min_size=1, max_size=3),
    st.sampled_from(["or", "and"]),
    st.sampled_from([None, "lv", "en"]),
    st.booleans(),
    st.sampled_from([1, 3, 1000]),
)


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(pages=st.lists(page_spec, min_size=1, max_size=6), queries=st.lists(query, min_size=1, max_size=4))
def test_a_search_finds_what_the_oracle_finds_and_nothing_private(api, trees, settings, pages, queries):
    try:
        with transaction.atomic():
            for n, (title_words, lead_words, state) in enumerate(pages):
                parent = {"en": trees["en"], "private": trees["private"]}.get(state, trees["lv"])
                EventReportPageFactory(
                    parent=parent,
                    title=" ".join(title_words) + f" {n}",
                    slug=f"lapa-{n}",
                    lead=" ".join(lead_words),
                    live=state != "draft",
                    **({"locale": trees["english"]} if state == "en" else {}),
                )
            for words, operator, locale, reports_only, cap in queries:
                settings.CMS_API_SEARCH_CANDIDATES = cap
                url = REPORTS if reports_only else "/api/v2/pages/"
                params = {"search": " ".join(words), "search_operator": operator, "limit": "100"}
                if locale:
                    params["locale"] = locale
                body = get(api, url, **params)
                ids = [item["id"] for item in body["items"]]
                expected = oracle(words, operator, locale, reports_only, trees["private"].path)
                assert len(ids) == len(set(ids)) == body["meta"]["total_count"]
                assert set(ids) <= expected, (words, operator, locale, reports_only)
                assert len(ids) <= cap
                if cap == 1000:
                    assert set(ids) == expected, (words, operator, locale, reports_only)
            raise Rollback
    except Rollback:
        pass
