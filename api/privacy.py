"""What the public may see. The delivery API ignores sessions: a logged-in editor gets exactly what an
anonymous reader gets, so no restricted page, image or document can leak through a shared cache.

View restrictions change rarely and are read on every request, so their paths are cached, under the
``privacy`` generation that the change log's privacy events bump (``api.cache.invalidate``). The generation is
read before the database, so a request racing a privacy change files what it read under the old generation.
"""

from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from cms.changes import media_is_public

from . import cache as api_cache

# name -> (generation, paths): this process's copy, so that a request asking many times costs one lookup.
_local = {}


def _cached_paths(name, queryset):
    """``queryset``: a callable giving the query, made only when the paths are read from the database (a
    response asks for them once per image, document and page it shows)."""
    try:
        (generation,) = api_cache.current_stamp([api_cache.PRIVACY])
    except api_cache.CacheUnavailable:
        # The cache is unreachable: from the database, this request only.
        return sorted(queryset())
    known = _local.get(name)
    if generation is not None and known is not None and known[0] == generation:
        return known[1]  # (a cache that keeps nothing, as the tests' oracle uses, has no generation)
    cache = api_cache.response_cache()
    key = f"api:{name}:{generation}"
    try:
        paths = cache.get(key)
        if paths is None:
            paths = sorted(queryset())
            cache.set(key, paths, getattr(settings, "CMS_API_CACHE_TIMEOUT", 24 * 3600))
    except api_cache.CACHE_ERRORS:
        return sorted(queryset())
    _local[name] = (generation, paths)
    return paths


def restricted_page_paths():
    return _cached_paths(
        "restricted-page-paths", lambda: PageViewRestriction.objects.values_list("page__path", flat=True)
    )


def restricted_collection_paths():
    return _cached_paths(
        "restricted-collection-paths",
        lambda: CollectionViewRestriction.objects.values_list("collection__path", flat=True),
    )


def public_pages_q():
    """Excludes every restricted section, whoever asks (no session, password or group exceptions)."""
    q = Q()
    for path in restricted_page_paths():
        q &= ~Q(path__startswith=path)
    return q


def public_media_q():
    """Excludes images and documents in or below a private collection, whoever asks. Stated on
    ``collection_id``: the search backends accept a filter on that field (Wagtail indexes ``collection`` as a
    FilterField of every image and document) but not one through ``collection__path``. The private collections
    are a subquery, so the rule costs no query of its own and is never stale."""
    restricted = restricted_collection_paths()
    if not restricted:
        return Q()
    private = Collection.objects.filter(reduce(or_, (Q(path__startswith=path) for path in restricted)))
    return ~Q(collection_id__in=private.values("pk"))


def page_is_public(page):
    return page_rule()(page)


def document_is_public(document):
    return media_rule()(document)


image_is_public = document_is_public


def media_rule():
    """``document_is_public`` for many images or documents: the restricted paths read once."""
    restricted = restricted_collection_paths()
    return lambda item: media_is_public(item, restricted)


def media_queryset(model):
    """Images or documents of ``model`` as ``media_rule`` reads them: with their collection (its path) while
    some collection is private, without it when none is (the rule then reads no collection)."""
    if restricted_collection_paths():
        return model.objects.select_related("collection")
    return model.objects.all()


def page_rule():
    """``page_is_public`` for many pages: the restricted paths read once."""
    restricted = restricted_page_paths()
    return lambda page: page.live and not any(page.path.startswith(path) for path in restricted)
