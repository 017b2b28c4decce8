"""The one place where the ``search`` query parameter becomes what a search backend is given.

Each search backend builds its full-text query from the terms of the string it gets, with escaping of its own
that does not cover every character: SQLite's FTS5 backend wraps each whitespace-separated term in double quotes
without doubling a double quote inside it (``?search="`` is an FTS5 syntax error), PostgreSQL's quotes each term
for ``to_tsquery`` (splitting on ``-`` too). Rather than trust every backend's escaping, the text is
reduced to *words* first: runs of Unicode letters and digits, with the combining marks that follow them
(Latvian ā č ē ģ ī ķ ļ ņ š ū ž typed decomposed stay one word; the text is NFC-normalised first so that they match
the precomposed letters in the index). Everything else — quotes, brackets, ``*``, ``^``, ``-``, ``:``, ``&``,
``|``, ``!``, punctuation, emoji, whitespace and control characters — only separates words. Words such as AND,
OR, NOT or NEAR are then just words: each backend quotes its terms, so they match text, not syntax.

What reaches the backend is Wagtail's ``PlainText`` query of those words, combined with ``search_operator``
(``or`` unless the request says ``and``, as the API documents; the database backends' own default is ``and``,
so it is always given explicitly). A search with no word in it (``?search=``, ``?search="``, ``?search=!!!``)
finds nothing: an empty list, as Wagtail answers an empty search, on every endpoint that searches.

The length and word limits are checked on the raw parameter by ``endpoints.base``; punctuation can split one raw
word into several (``a"b"c``), so the limit on words is checked again on the words searched for, with the limits
the endpoint states (``search_limits``: characters, words; this module does not import the endpoints, which
import it).
"""

import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q
from rest_framework.filters import BaseFilterBackend
from wagtail.api.v2.filters import SearchFilter as WagtailSearchFilter
from wagtail.api.v2.utils import BadRequestError
from wagtail.search.backends import get_search_backend
from wagtail.search.backends.base import FilterFieldError, OrderByFieldError
from wagtail.search.query import PlainText

DEFAULT_OPERATOR = "or"


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
    """The query a search backend gets for the ``search`` parameter ``text``; None when it has no word (the
    search then finds nothing)."""
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


class SearchFilter(BaseFilterBackend):
    """Wagtail's ``?search=`` (same errors, same relevance ordering unless ``order`` is given), searching for
    ``search_query``'s words instead of the raw text, within the view's ``search_limits``."""

    def filter_queryset(self, request, queryset, view):
        if "search" not in request.GET:
            return queryset
        if not getattr(settings, "WAGTAILAPI_SEARCH_ENABLED", True):
            raise BadRequestError("search is disabled")
        # Wagtail's tag filter marks the queryset so; the search backends cannot combine the two.
        if getattr(queryset, "_filtered_by_tag", False):
            raise BadRequestError("filtering by tag with a search query is not supported")
        query = search_query(
            request.GET["search"], request.GET.get("search_operator"), getattr(view, "search_limits", None)
        )
        if query is None:
            return queryset.none()
        try:
            return get_search_backend().search(query, queryset, order_by_relevance="order" not in request.GET)
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
