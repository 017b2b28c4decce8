"""The site's locales by id, so that the rows a response shows need no join on ``wagtailcore_locale``.

Nearly every row the API reads (pages, snippets, their organisations) is shown with its language, which a
``select_related("locale")`` would join and build again for each of them: a response of 50 blocks made some
sixty ``Locale`` instances of the same three or four rows. Locales change about never, and a change bumps the
``all`` generation (``cms.changes``: locales change every URL), so this process keeps one copy per generation,
read before the database as ``api.privacy`` reads the restricted paths. A locale missing from the copy (one
added since it was read) is simply not attached, and its row is fetched the usual way if it is asked for.
"""

from wagtail.models import Locale

from . import cache as api_cache

_local = {}
# model -> its ``locale`` foreign key (every translatable model has one).
_fields = {}


def by_id():
    """id -> Locale, current for this request."""
    try:
        (generation,) = api_cache.current_stamp([api_cache.EVERYTHING])
    except api_cache.CacheUnavailable:
        generation = None
    known = _local.get("locales")
    if generation is not None and known is not None and known[0] == generation:
        return known[1]
    locales = {locale.pk: locale for locale in Locale.objects.all()}
    if generation is not None:
        _local["locales"] = (generation, locales)
    return locales


def attach(obj, locales):
    """Give ``obj`` (a translatable row, or None) its ``Locale`` from ``locales`` unless it has it already."""
    if obj is None:
        return
    model = type(obj)
    field = _fields.get(model)
    if field is None:
        field = _fields[model] = model._meta.get_field("locale")
    if not field.is_cached(obj):
        locale = locales.get(obj.locale_id)
        if locale is not None:
            field.set_cached_value(obj, locale)
