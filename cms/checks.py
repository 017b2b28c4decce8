"""System checks of the settings a site needs for the event reports (the change log's is in ``cms.changes``)."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register()
def check_i18n_is_enabled(app_configs=None, **kwargs):
    """Every page and snippet is translatable from the first migration; wagtail-localize needs Wagtail's i18n."""
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        return []
    return [
        checks.Error(
            "WAGTAIL_I18N_ENABLED must be True.",
            hint="The event report pages and snippets are translatable (wagtail-localize).",
            id="cms.E002",
        )
    ]


@checks.register()
def check_source_language_is_a_content_language(app_configs=None, **kwargs):
    """LANGUAGE_CODE is the source language: the API's ``x_default``, translation fallbacks and front-end paths
    (no prefix for the source language) compare locales' codes with it, so it must be one of them exactly."""
    from wagtail.coreutils import get_content_languages

    try:
        codes = list(get_content_languages())
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="cms.E003")]
    if settings.LANGUAGE_CODE in codes:
        return []
    return [
        checks.Error(
            f"LANGUAGE_CODE {settings.LANGUAGE_CODE!r} is not one of the content languages ({', '.join(codes)}).",
            hint="Set LANGUAGE_CODE to the source language's code as listed in WAGTAIL_CONTENT_LANGUAGES, "
            'e.g. "lv" (not a variant such as "en-us").',
            id="cms.E003",
        )
    ]


# How many pages a warning names; its count covers all of them.
SLUG_WARNING_LISTED = 20


def _slug_warning(found, what, hint, id):
    listed = "; ".join(f"page {pk} ({language}) {url_path}" for pk, language, url_path in found[:SLUG_WARNING_LISTED])
    more = f"; and {len(found) - SLUG_WARNING_LISTED} more" if len(found) > SLUG_WARNING_LISTED else ""
    return checks.Warning(f"{len(found)} page slug(s) {what}: {listed}{more}.", hint=hint, id=id)


@checks.register(checks.Tags.database)
def check_slugs_are_ascii(app_configs=None, databases=None, **kwargs):
    """Slugs are readable ASCII in every language (cms.localize.slugs), but pages saved before may have others:
    unicode slugs (percent-encoded addresses, refused by the admin's form from now on), and translations whose
    slug wagtail-localize reduced to digits (``форум-жителей-2025`` → ``2025``; the next publish of the
    translation transliterates it). They are listed, never rewritten here: a live page's public address changes
    with its slug. Runs with ``migrate`` and ``check --database``."""
    from django.db import DatabaseError
    from wagtail.models import Page

    warnings = []
    fields = ("pk", "locale__language_code", "url_path")
    for alias in databases or []:
        pages = Page.objects.using(alias).exclude(depth=1).order_by("path")
        try:
            unicode_slugs = list(pages.exclude(slug__regex=r"^[-a-zA-Z0-9_]+$").values_list(*fields))
            # LANGUAGE_CODE is the source language (cms.E003).
            numbers = pages.filter(slug__regex=r"^[-0-9_]+$").exclude(locale__language_code=settings.LANGUAGE_CODE)
            sources_with_letters = Page.objects.using(alias).filter(
                locale__language_code=settings.LANGUAGE_CODE,
                translation_key__in=numbers.values("translation_key"),
                slug__regex=r"[a-zA-Z]",
            )
            collapsed = list(
                numbers.filter(translation_key__in=sources_with_letters.values("translation_key")).values_list(*fields)
            )
        except DatabaseError:
            # Before the first migration there are no pages to check.
            continue
        if unicode_slugs:
            warnings.append(
                _slug_warning(
                    unicode_slugs,
                    f"in database {alias!r} are not ASCII",
                    "Give each an ASCII slug in the admin: saving the page there proposes one. A live page's public "
                    "address changes with its slug, so keep a redirect from the old address.",
                    "cms.W004",
                )
            )
        if collapsed:
            warnings.append(
                _slug_warning(
                    collapsed,
                    f"in database {alias!r} are only digits where the source page's slug has letters",
                    "wagtail-localize's earlier slugify dropped their letters: the next publish of each translation "
                    "makes its slug again from the translator's text, transliterated, and so a new address (keep a "
                    "redirect from the old one).",
                    "cms.W005",
                )
            )
    return warnings
