"""Machine translation backends for wagtail-localize.

wagtail-localize's DeepL backend offers every target language, Latgalian included, which DeepL cannot
translate: a translator pressing the button would get Latvian or an error back. These backends refuse
languages they do not support, so the admin never offers machine translation for them. Only untranslated
strings are ever sent (wagtail-localize's machine-translate view skips strings that already have a
translation), so human work is never overwritten.

wagtail-localize's DeepL backend also reads any answer as a translation: an unreachable service, an exhausted
quota (HTTP 456) or any other error ends in an exception that the translator sees as a server error. The DeepL
backend here tells them apart and raises ``MachineTranslationError`` with a message for the translator;
``cms.localize.machine`` turns it into a message in the admin.
"""

import logging
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext, gettext_lazy
from wagtail_localize.machine_translators.deepl import DeepLTranslator as BaseDeepLTranslator
from wagtail_localize.machine_translators.dummy import DummyTranslator
from wagtail_localize.strings import StringValue

logger = logging.getLogger(__name__)

# Languages no machine translation service covers.
UNSUPPORTED_LANGUAGES = {"ltg"}


class MachineTranslationError(Exception):
    """A machine translation service did not translate; the message says why, in words for the translator.

    ``service_wide`` is true when the service as a whole cannot be used right now (unreachable, quota, key): other
    languages of the same request would fail the same way and are not sent.
    """

    def __init__(self, message, *, service_wide=False):
        super().__init__(message)
        self.message = message
        self.service_wide = service_wide

    def __str__(self):
        return str(self.message)


def _language(locale):
    return locale.language_code.split("-")[0].lower()


class SupportedLanguagesMixin:
    def can_translate(self, source_locale, target_locale):
        if {_language(source_locale), _language(target_locale)} & UNSUPPORTED_LANGUAGES:
            return False
        return super().can_translate(source_locale, target_locale)


class DeepLTranslator(SupportedLanguagesMixin, BaseDeepLTranslator):
    """DeepL (key from ``CMS_DEEPL_API_KEY``), without Latgalian, with its errors told apart."""

    # DeepL takes at most 50 texts and a 128 KiB (form-encoded) body per request; larger pages are sent in several
    # requests, and nothing is returned (so nothing is saved) unless every one of them succeeded.
    MAX_TEXTS_PER_REQUEST = 50
    MAX_BYTES_PER_REQUEST = 120 * 1024

    def translate(self, source_locale, target_locale, strings):
        strings = list(strings)
        translations = {}
        for batch in self._batches(strings):
            texts = self._request(self.get_parameters(source_locale, target_locale, batch))
            translations.update({string: StringValue(text) for string, text in zip(batch, texts, strict=True)})
        return translations

    def _batches(self, strings):
        batch, size = [], 0
        for string in strings:
            length = len(urlencode({"text": string.data}))
            if batch and (len(batch) == self.MAX_TEXTS_PER_REQUEST or size + length > self.MAX_BYTES_PER_REQUEST):
                yield batch
                batch, size = [], 0
            batch.append(string)
            size += length
        if batch:
            yield batch

    def _request(self, parameters):
        timeout = int(self.options.get("TIMEOUT", 30))
        try:
            response = requests.post(self.get_api_endpoint(), parameters, timeout=timeout, headers=self.get_headers())
        except requests.Timeout as error:
            logger.warning("DeepL did not answer within %s s: %s", timeout, error)
            raise MachineTranslationError(
                gettext("DeepL did not answer within %(seconds)d seconds. Try again later.") % {"seconds": timeout},
                service_wide=True,
            ) from error
        except requests.RequestException as error:
            logger.warning("DeepL cannot be reached: %s", error)
            raise MachineTranslationError(
                gettext("DeepL cannot be reached. Try again later."), service_wide=True
            ) from error

        status = response.status_code
        if not 200 <= status < 300:
            logger.warning("DeepL answered %s: %s", status, response.text[:500])
            raise self._status_error(status)
        try:
            texts = [item["text"] for item in response.json()["translations"]]
        except (ValueError, KeyError, TypeError) as error:
            logger.warning("DeepL's answer could not be read: %r", response.text[:500])
            raise MachineTranslationError(gettext("DeepL's answer could not be read.")) from error
        if len(texts) != len(parameters["text"]) or not all(isinstance(text, str) for text in texts):
            logger.warning("DeepL answered %d texts for %d: %r", len(texts), len(parameters["text"]), texts[:5])
            raise MachineTranslationError(gettext("DeepL's answer did not match the texts sent."))
        return texts

    @staticmethod
    def _status_error(status):
        if status == 456:
            return MachineTranslationError(
                gettext(
                    "The DeepL translation quota is used up. Ask the site administrator to raise it, or translate "
                    "the texts yourself."
                ),
                service_wide=True,
            )
        if status in (401, 403):
            return MachineTranslationError(
                gettext("DeepL refused the access key. Ask the site administrator to check CMS_DEEPL_API_KEY."),
                service_wide=True,
            )
        if status == 413:
            return MachineTranslationError(gettext("A text is too long for DeepL to translate in one request."))
        if status in (429, 529):
            return MachineTranslationError(
                gettext("DeepL is receiving too many requests. Wait a minute and try again."), service_wide=True
            )
        if status >= 500:
            return MachineTranslationError(
                gettext("DeepL is not available at the moment (error %(status)d). Try again later.")
                % {"status": status},
                service_wide=True,
            )
        return MachineTranslationError(gettext("DeepL answered with an error (%(status)d).") % {"status": status})


class DevelopmentTranslator(SupportedLanguagesMixin, DummyTranslator):
    """Reverses word order: shows where machine translation would fill in, without a service or a key."""

    display_name = gettext_lazy("Development translator (reverses words)")
