"""Machine translation backends for wagtail-localize.

wagtail-localize's DeepL backend offers every target language, Latgalian included, which DeepL cannot
translate: a translator pressing the button would get Latvian or an error back. These backends refuse
languages they do not support, so the admin never offers machine translation for them. Only untranslated
strings are ever sent (wagtail-localize's machine-translate view skips strings that already have a
translation), so human work is never overwritten.
"""

from django.utils.translation import gettext_lazy as _
from wagtail_localize.machine_translators.deepl import DeepLTranslator as BaseDeepLTranslator
from wagtail_localize.machine_translators.dummy import DummyTranslator

# Languages no machine translation service covers.
UNSUPPORTED_LANGUAGES = {"ltg"}


def _language(locale):
    return locale.language_code.split("-")[0].lower()


class SupportedLanguagesMixin:
    def can_translate(self, source_locale, target_locale):
        if {_language(source_locale), _language(target_locale)} & UNSUPPORTED_LANGUAGES:
            return False
        return super().can_translate(source_locale, target_locale)


class DeepLTranslator(SupportedLanguagesMixin, BaseDeepLTranslator):
    """DeepL (key from ``CMS_DEEPL_API_KEY``), without Latgalian."""


class DevelopmentTranslator(SupportedLanguagesMixin, DummyTranslator):
    """Reverses word order: shows where machine translation would fill in, without a service or a key."""

    display_name = _("Development translator (reverses words)")
