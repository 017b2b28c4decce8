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
