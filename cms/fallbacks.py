"""Which live pages stand in for a missing translation.

A page in a target language that is an alias of a page in another language mirrors that page: its text is the
source's. wagtail-localize makes such aliases for the parents of a submitted page (so that the translated page has a
place in its language's tree) and for every page of a locale synchronised from another; Wagtail keeps them live and
up to date with their source. They stay live, so that every page of a language has its URL, but they are served as
what they are: a fallback. The API marks them (``meta.fallback``, ``meta.alias_of`` naming the source,
``translation_status: "fallback"``, left out of ``translations``) and so does the HTML site (the content's language,
a canonical link to the source, ``noindex``, no hreflang alternates).
"""

from django.db.models import F
from wagtail.models import Page

# The source's locale, annotated onto querysets so that serving many pages costs no query per page.
ANNOTATION = "alias_source_locale_id"


def with_alias_source(queryset):
    return queryset.annotate(**{ANNOTATION: F("alias_of__locale_id")})


def with_alias_sources(pages):
    """``pages`` (a list), each alias among them given its source's locale in one query for all: for rows
    loaded without ``with_alias_source`` (a search backend's results)."""
    missing = [page for page in pages if page.alias_of_id is not None and not hasattr(page, ANNOTATION)]
    if missing:
        sources = dict(
            Page.objects.filter(pk__in={page.alias_of_id for page in missing}).values_list("pk", "locale_id")
        )
        for page in missing:
            setattr(page, ANNOTATION, sources.get(page.alias_of_id))
    return pages


def alias_source_locale_id(page):
    if page.alias_of_id is None:
        return None
    if hasattr(page, ANNOTATION):
        return getattr(page, ANNOTATION)
    return Page.objects.filter(pk=page.alias_of_id).values_list("locale_id", flat=True).first()


def is_fallback(page):
    """True for an alias of a page in another language: it shows that language's text."""
    if page.alias_of_id is None:
        return False
    return alias_source_locale_id(page) != page.locale_id
