"""The one place where the ``search`` query parameter becomes a search: what the index is asked, and how much.

Each search backend builds its full-text query from the terms of the string it gets, with escaping of its own
that does not cover every character: SQLite's FTS5 backend wraps each whitespace-separated term in double quotes
without doubling a double quote inside it (``?search="`` is an FTS5 syntax error), PostgreSQL's quotes each term
for ``to_tsquery`` (splitting on ``-`` too). Rather than trust every backend's escaping, the text is
reduced to *words* first: runs of Unicode letters and digits, with the combining marks that follow them
(Latvian ā č ē ģ ī ķ ļ ņ š ū ž typed decomposed stay one word; the text is NFC-normalised first so that they match
the precomposed letters in the index). Everything else — quotes, brackets, ``*``, ``^``, ``-``, ``:``, ``&``,
``|``, ``!``, punctuation, emoji, whitespace and control characters — only separates words. Words such as AND,
OR, NOT or NEAR are then just words: each is quoted as a term, so they match text, not syntax.

Words combine with ``search_operator`` (``or`` unless the request says ``and``, as the API documents). A search
with no word in it (``?search=``, ``?search="``, ``?search=!!!``) finds nothing: an empty list, as Wagtail
answers an empty search, on every endpoint that searches.

**Matching.** Every word is a prefix: ``semin`` finds "Seminārs", ``kuldig`` finds "Kuldīga", "Kuldīgā" and
"Kuldīgas" (Latvian inflects the ends of words, so a prefix is what a reader types). Case and Latin diacritics
do not matter: ``rezekne`` finds "Rēzekne". On PostgreSQL that is the text search configuration that migration
``cms.0012_latvian_search`` creates (``simple`` through ``unaccent``: no stemming, no stop words, so Latvian,
Latgalian, English and Russian text are all treated alike) and ``WAGTAILSEARCH_BACKENDS["default"]
["SEARCH_CONFIG"]`` names; on SQLite, FTS5's default tokenizer (``unicode61``) already folds case and removes
Latin diacritics (it keeps Cyrillic ё, which PostgreSQL's ``unaccent`` makes е).

**Cost.** The full-text match runs once per search, in one query on the search index alone (Wagtail's index
entries: on SQLite their FTS5 table, on PostgreSQL their title and body tsvectors through the GIN indexes the
backend keeps), ranked as Wagtail's database backends rank, and keeps the ``CMS_API_SEARCH_CANDIDATES`` best
matches (1,000 unless set) of the endpoint's model and its subclasses: the *candidates*. The endpoint's queryset,
with every other filter (``type=``, ``locale=``, the event filters, what is public), says which candidates it
allows: in relevance order, in the same query, each candidate tested after ranking (``RankedResults``; no list of
a thousand ids is sent back to the database); with ``order=``, the candidates are read first and the database
orders those it allows as it orders any listing. Wagtail's own search instead ranks every row in a correlated
subquery that runs the match again per row (on SQLite, minutes per search when 10,000 reports match). So a
search answers at most that many results (``meta.total_count`` is at most the setting), and a filter narrows the
best matches rather than reaching past them; drafts, private pages and other languages are among the
candidates (never shown). On an archive with fewer matches than that, nothing is left out.

What a search still costs grows with the number of matches: every match is ranked (on PostgreSQL that reads its
vectors, which migration ``cms.0012`` keeps in the row for that; on SQLite FTS5's BM25 and a read of the entry).

Any other search backend (Elasticsearch, the database fallback without FTS5), or a model whose key is not an
integer, gets Wagtail's own search of the same words (``search_query``), without the cap.

The length and word limits are checked on the raw parameter by ``endpoints.base``; punctuation can split one raw
word into several (``a"b"c``), so the limit on words is checked again on the words searched for, with the limits
the endpoint states (``search_limits``: characters, words; this module does not import the endpoints, which
import it).
"""

import operator
import unicodedata
from functools import reduce

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import BigIntegerField, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Cast
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.filters import SearchFilter as WagtailSearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError
from wagtail.search.index import class_is_indexed
from wagtail.search.query import PlainText

DEFAULT_OPERATOR = "or"
DEFAULT_CANDIDATES = 1000


def search_words(text, limits=None):
    """The words of ``text``: letters and digits (any script) with their combining marks; all else separates.
    ``limits``: (characters, words) of the endpoint; more words than it allows is a 400."""
    words, current = [], []
    for char in unicodedata.normalize("NFC", text):
        category = unicodedata.category(char)
        if category[0] in "LN" or (category[0] == "M" and current):
            current.append(char)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    if limits is not None and len(words) > limits[1]:
        raise BadRequestError(f"search is limited to {limits[0]} characters and {limits[1]} words")
    return words


def search_query(text, operator=None, limits=None):
    """Wagtail's query for the ``search`` parameter ``text`` (what a backend not searched here gets); None when
    it has no word (the search then finds nothing)."""
    words = search_words(text, limits)
    if not words:
        return None
    return PlainText(" ".join(words), operator=operator or DEFAULT_OPERATOR)


def contains_words(text, field_names, limits=None):
    """A filter for searches without a search index (the snippet endpoints): every word of ``text`` occurs,
    case-insensitively, in one of the fields. None when ``text`` has no word (the search finds nothing)."""
    words = search_words(text, limits)
    if not words:
        return None
    condition = Q()
    for word in words:
        any_field = Q()
        for name in field_names:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return condition


def candidate_limit():
    """How many of the best matches a search considers (``CMS_API_SEARCH_CANDIDATES``)."""
    limit = getattr(settings, "CMS_API_SEARCH_CANDIDATES", DEFAULT_CANDIDATES)
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ImproperlyConfigured("CMS_API_SEARCH_CANDIDATES must be a positive integer")
    return limit


# --- the candidates -----------------------------------------------------------------------------------------
def matches(model, words, search_operator=DEFAULT_OPERATOR):
    """The keys of ``ranked_entries``, best first; None as there."""
    ranked = ranked_entries(model, words, search_operator)
    return None if ranked is None else ranked.values_list("_key", flat=True)


def ranked_entries(model, words, search_operator=DEFAULT_OPERATOR):
    """The search index entries (each with its object's key as ``_key``) of ``model``'s indexed objects (its
    subclasses' too) that match ``words`` (each a prefix; all of them with ``search_operator`` "and", any with
    "or"), best first: a query on the search index alone. None when the search backend in use is not one searched
    here, or the model's key is not an integer."""
    if not words or not class_is_indexed(model) or not _integer_key(model):
        return None
    from modelsearch.conf import get_app_config
    from modelsearch.utils import get_descendants_content_types_pks

    index_entry = get_app_config().get_model("IndexEntry")
    vendor = connections[router.db_for_read(index_entry)].vendor
    backend = get_search_backend()
    content_types = get_descendants_content_types_pks(model)
    if vendor == "sqlite":
        from modelsearch.backends.database.sqlite.sqlite import SQLiteSearchBackend

        if isinstance(backend, SQLiteSearchBackend):
            return _sqlite_matches(words, search_operator, content_types)
    elif vendor == "postgresql":
        from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend

        if isinstance(backend, PostgresSearchBackend):
            return _postgres_matches(index_entry, backend.config, words, search_operator, content_types)
    return None


def best_matches(model, words, search_operator=DEFAULT_OPERATOR, limit=None):
    """The first ``limit`` (``candidate_limit()``) of ``matches``, as a list; None as there."""
    ranked = matches(model, words, search_operator)
    if ranked is None:
        return None
    return list(ranked[: candidate_limit() if limit is None else limit])


def _integer_key(model):
    key = model._meta.pk
    while key.is_relation:  # a subclass's key is the link to its parent's row
        key = key.target_field
    return isinstance(key, IntegerField)


def _combined(lexemes, search_operator):
    return reduce(operator.and_ if search_operator == "and" else operator.or_, lexemes)


def _sqlite_matches(words, search_operator, content_types):
    """The FTS5 match over the title and body columns, ranked as Wagtail's SQLite backend ranks (BM25 times the
    entry's title norm, plus BM25; lower is better), newest key first among equals."""
    from modelsearch.backends.database.sqlite.query import BM25, Lexeme, MatchExpression, SearchQueryExpression
    from modelsearch.conf import get_app_config

    fts_entry = get_app_config().get_model("SQLiteFTSIndexEntry")
    # Each word is an FTS5 string ("word"*), so nothing in it is syntax; words never hold a double quote.
    match = MatchExpression(
        ["title", "body"],
        SearchQueryExpression(_combined([Lexeme(word, prefix=True) for word in words], search_operator)),
    )
    return (
        fts_entry.objects.filter(match, index_entry__content_type_id__in=content_types)
        .annotate(
            # Wagtail's BM25 × title norm + BM25 × 1, with BM25 (the costly part) worked out once.
            _score=BM25() * (F("index_entry__title_norm") + Value(1.0)),
            _key=Cast("index_entry__object_id", BigIntegerField()),
        )
        .order_by("_score", "-_key")
    )


def _postgres_matches(index_entry, config, words, search_operator, content_types):
    """The words against the title and the body tsvectors, each through its own GIN index (the backend keeps
    them), ranked as Wagtail's PostgreSQL backend ranks (ts_rank of the title times its norm, plus that of the
    body, with the backend's weights), newest key first among equals.

    Wagtail's backend matches ``title || body``, which no index serves and which builds a new tsvector for every
    row (two thirds of the cost of a search that matches every report). A query of words only asks whether each
    word is in the page, so the same condition is: every word (``and``) or any word (``or``) in the title or
    in the body."""
    from django.contrib.postgres.search import SearchQuery, SearchRank
    from modelsearch.backends.database.postgres.query import Lexeme
    from modelsearch.backends.database.postgres.weights import get_sql_weights

    def tsquery(lexemes):
        return SearchQuery(_combined(lexemes, search_operator), search_type="raw", config=config)

    lexemes = [Lexeme(word, prefix=True) for word in words]
    groups = [[lexeme] for lexeme in lexemes] if search_operator == "and" else [lexemes]
    condition = reduce(operator.and_, (Q(title=tsquery(group)) | Q(body=tsquery(group)) for group in groups))
    query = tsquery(lexemes)
    weights = get_sql_weights()
    return (
        index_entry.objects.filter(condition, content_type_id__in=content_types)
        .annotate(
            _score=SearchRank(F("title"), query, weights=weights) * F("title_norm")
            + SearchRank(F("body"), query, weights=weights),
            _key=Cast("object_id", BigIntegerField()),
        )
        .order_by("-_score", "-_key")
    )


class RankedResults:
    """A search's results in relevance order, as Wagtail's paginator takes them (``count()`` and slices): the
    candidates that the endpoint's queryset allows, in the candidates' order. Two queries, neither of which
    sorts the listing: the candidates in order, each with whether the queryset allows it (the database tests
    each one candidate by candidate, after ranking), then the rows of the requested slice only."""

    def __init__(self, queryset, entries, limit):
        self.queryset = queryset
        self.entries = entries
        self.limit = limit
        self._allowed = None

    def allowed(self):
        if self._allowed is None:
            flagged = self.entries.annotate(_allowed=Exists(self.queryset.filter(pk=OuterRef("_key")).order_by()))
            self._allowed = [key for key, allowed in flagged.values_list("_key", "_allowed")[: self.limit] if allowed]
        return self._allowed

    def count(self):
        return len(self.allowed())

    __len__ = count

    def __getitem__(self, index):
        keys = self.allowed()[index] if isinstance(index, slice) else [self.allowed()[index]]
        rows = {row.pk: row for row in self.queryset.filter(pk__in=keys).order_by()} if keys else {}
        # A row that stopped matching the queryset between the two queries is left out rather than shown.
        found = [rows[key] for key in keys if key in rows]
        return found if isinstance(index, slice) else found[0]

    def __iter__(self):
        return iter(self[:])


# --- the filter ---------------------------------------------------------------------------------------------
class SearchFilter(BaseFilterBackend):
    """Wagtail's ``?search=`` (same errors; relevance order unless ``order`` is given), searching for
    ``search_words``' words among the best matches (see the module's docstring), within the view's
    ``search_limits``."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if not getattr(settings, "WAGTAILAPI_SEARCH_ENABLED", True):
            raise BadRequestError("search is disabled")
        # Wagtail's tag filter marks the queryset so; the search backends cannot combine the two.
        if getattr(queryset, "_filtered_by_tag", False):
            raise BadRequestError("filtering by tag with a search query is not supported")
        limits = getattr(view, "search_limits", None)
        words = search_words(request.GET["search"], limits)
        if not words:
            return queryset.none()
        search_operator = request.GET.get("search_operator") or DEFAULT_OPERATOR
        order_by_relevance = "order" not in request.GET
        entries = ranked_entries(queryset.model, words, search_operator)
        if entries is None:
            query = PlainText(" ".join(words), operator=search_operator)
            return self.backend_search(queryset, query, order_by_relevance)
        if order_by_relevance:
            return RankedResults(queryset, entries, candidate_limit())
        # With order=, the database orders the candidates as it orders any listing: read once (the listing
        # counts and pages them in two queries, which would each rank every match again).
        keys = best_matches(queryset.model, words, search_operator)
        return queryset.filter(pk__in=keys) if keys else queryset.none()

    def backend_search(self, queryset, query, order_by_relevance):
        try:
            return get_search_backend().search(query, queryset, order_by_relevance=order_by_relevance)
        except FilterFieldError as e:
            raise BadRequestError(f"cannot filter by '{e.field_name}' while searching (field is not indexed)") from e
        except OrderByFieldError as e:
            raise BadRequestError(f"cannot order by '{e.field_name}' while searching (field is not indexed)") from e


def with_search_filter(filter_backends):
    """``filter_backends`` with Wagtail's search filter replaced by ours. Fails loudly if Wagtail's is not
    there: a Wagtail upgrade that renames it must not leave raw user text going to the backend."""
    if WagtailSearchFilter not in filter_backends:
        raise ImproperlyConfigured("Wagtail's SearchFilter is not among the filter backends to replace")
    return [SearchFilter if backend is WagtailSearchFilter else backend for backend in filter_backends]
