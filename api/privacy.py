"""What the public may see. The delivery API ignores sessions: a logged-in editor gets exactly what an
anonymous reader gets, so no restricted page or document can leak through a shared cache.

View restrictions change rarely and are read on every request, so their paths are cached and the cache is
dropped whenever a restriction is saved or deleted (signals wired in ``ApiConfig.ready``).
"""

from django.core.cache import cache
from django.db.models import Q
from wagtail.models import CollectionViewRestriction, PageViewRestriction

_PAGE_KEY = "api:restricted-page-paths"
_COLLECTION_KEY = "api:restricted-collection-paths"


def _cached_paths(key, queryset):
    paths = cache.get(key)
    if paths is None:
        paths = sorted(queryset)
        cache.set(key, paths, None)
    return paths


def restricted_page_paths():
    return _cached_paths(_PAGE_KEY, PageViewRestriction.objects.values_list("page__path", flat=True))


def restricted_collection_paths():
    return _cached_paths(_COLLECTION_KEY, CollectionViewRestriction.objects.values_list("collection__path", flat=True))


def forget_restrictions(**kwargs):
    cache.delete_many([_PAGE_KEY, _COLLECTION_KEY])


def public_pages_q():
    """Excludes every restricted section, whoever asks (no session, password or group exceptions)."""
    q = Q()
    for path in restricted_page_paths():
        q &= ~Q(path__startswith=path)
    return q


def page_is_public(page):
    return page.live and not any(page.path.startswith(path) for path in restricted_page_paths())


def document_is_public(document):
    return not any(document.collection.path.startswith(path) for path in restricted_collection_paths())
