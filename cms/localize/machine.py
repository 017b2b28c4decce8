"""Machine translation that fails says so, and a sync goes on without the languages it cannot translate.

wagtail-localize lets any failure of the machine translator escape as a server error: the translation editor's
"Translate with …" and the sync form's "Use machine translation" answered 500 when DeepL was unreachable, over
its quota or answered something else. And ``apply_machine_translation`` raises ``Http404`` for a language the
translator cannot do (Latgalian): inside the sync, whose ``form_valid`` is one transaction, that 404 rolled back the
whole sync as soon as the source had a Latgalian translation.

``install()`` replaces the module globals the two views call:

- in the translation editor, ``apply_machine_translation`` raises ``MachineTranslationError`` for any failure
  of the translator (before anything is written: wagtail-localize asks the translator first, then saves every
  string in one transaction), and ``machine_translate`` turns it into an error message on the editor;
- in the sync, ``apply_machine_translation`` skips a language the translator does not cover, or for which it
  failed, and records a ``Skip``: the sync goes on with the other languages. The view that serves the sync runs
  it inside ``collecting_skips()`` and shows the skips with ``report_skips()``.
"""

import functools
import logging
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext

from cms.translation import MachineTranslationError

from . import guard
from .guard import Upstream, mark

logger = logging.getLogger(__name__)

UPSTREAM = (
    Upstream(
        "wagtail_localize.views.edit_translation:apply_machine_translation",
        "6c1d402a3a7f7643",
        "arguments (translation_id, user, machine_translator); raises Http404 when machine_translator.can_translate "
        "is False; calls machine_translator.translate once, before writing, then saves every string in one "
        "transaction; returns True when there was something to translate",
    ),
    Upstream(
        "wagtail_localize.views.update_translations:apply_machine_translation",
        "6c1d402a3a7f7643",
        "the sync's own module global for the same function (imported by name), replaced on its own",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:machine_translate",
        "41231de7893ee7e1",
        "the editor's machine translation view: calls apply_machine_translation through the module global, then "
        "redirects to the next URL",
    ),
    Upstream(
        "wagtail_localize.views.update_translations:UpdateTranslationsView.form_valid",
        "f9869aa095e0b9ca",
        "with use_machine_translation, calls the module global apply_machine_translation once per enabled "
        "translation, inside the sync's one transaction, and ignores what it returns",
    ),
    Upstream(
        "wagtail_localize.wagtail_hooks:register_admin_urls",
        "1cae2fd020355d26",
        "reads edit_translation.machine_translate when the admin URLs are built (after CmsConfig.ready()), so the "
        "machine translation URL serves the replacement",
    ),
    Upstream(
        "wagtail_localize.machine_translators.deepl:DeepLTranslator.translate",
        "b589269d001b29d7",
        "cms.translation.DeepLTranslator.translate stands in for it: one POST of get_parameters() to "
        "get_api_endpoint() with get_headers() and the TIMEOUT option, the texts in the same order in "
        "'translations'",
    ),
)
ATTRIBUTES = (
    "wagtail_localize.machine_translators.deepl:DeepLTranslator.get_api_endpoint",
    "wagtail_localize.machine_translators.deepl:DeepLTranslator.get_parameters",
    "wagtail_localize.machine_translators.deepl:DeepLTranslator.get_headers",
    "wagtail_localize.machine_translators:get_machine_translator",
    "wagtail_localize.models:Translation.target_locale",
    "wagtail_localize.models:Translation.source",
)


@dataclass(frozen=True)
class Skip:
    """A language the sync did not machine-translate, and why (in words for the translator)."""

    locale: object  # the target Locale
    reason: str


@dataclass
class _Collector:
    skipped: list = field(default_factory=list)
    # The first failure that concerns the whole service: the other languages are not sent (a timeout per language
    # would add up to more than the request may take).
    failure: MachineTranslationError | None = None


_collector = ContextVar("machine_translation_skips", default=None)


@contextmanager
def collecting_skips():
    """Collects a ``Skip`` for every language a sync inside the block left without machine translation. Nested
    blocks share the outermost collector, so a caller around the sync view sees what the view reported."""
    outer = _collector.get()
    if outer is not None:
        yield outer.skipped
        return
    collector = _Collector()
    token = _collector.set(collector)
    try:
        yield collector.skipped
    finally:
        _collector.reset(token)


def report_skips(request, skipped):
    """One warning per language that was not machine-translated, naming it and the reason."""
    for skip in skipped:
        messages.warning(
            request,
            gettext("%(language)s: not machine-translated. %(reason)s")
            % {"language": skip.locale.get_display_name(), "reason": skip.reason},
        )


def _display_name(translator):
    return str(getattr(translator, "display_name", "") or type(translator).__name__)


class CheckedTranslator:
    """A machine translator whose every failure is a ``MachineTranslationError`` and whose answer covers every
    string it was given, or is refused: what wagtail-localize saves is all of a request or nothing."""

    def __init__(self, translator):
        self.translator = translator

    def __getattr__(self, name):
        return getattr(self.translator, name)

    def translate(self, source_locale, target_locale, strings):
        strings = list(strings)
        tool = _display_name(self.translator)
        try:
            answer = self.translator.translate(source_locale, target_locale, strings)
        except MachineTranslationError:
            raise
        except Exception as error:
            # Any backend (Google, LibreTranslate, a custom one) raises what its client library raises.
            logger.exception("Machine translation with %s failed", tool)
            raise MachineTranslationError(
                gettext("%(tool)s failed to translate (the details are in the server log).") % {"tool": tool}
            ) from error
        complete = isinstance(answer, Mapping) and all(
            isinstance(getattr(answer.get(string), "data", None), str) for string in strings
        )
        if not complete:
            logger.warning("Machine translation with %s answered for only some of %d texts", tool, len(strings))
            raise MachineTranslationError(
                gettext("%(tool)s did not translate every text; none was saved.") % {"tool": tool}
            )
        return answer


def _next_url(request):
    from wagtail.admin.views.pages.utils import get_valid_next_url_from_request

    return get_valid_next_url_from_request(request) or reverse("wagtailadmin_home")


def _editor_apply(original):
    @mark
    @functools.wraps(original)
    def apply_machine_translation(translation_id, user, machine_translator):
        checked = CheckedTranslator(machine_translator) if machine_translator is not None else None
        return original(translation_id, user, checked)

    return apply_machine_translation


def _editor_view(original):
    @mark
    @functools.wraps(original)
    def machine_translate(request, translation_id):
        try:
            with transaction.atomic():
                return original(request, translation_id)
        except MachineTranslationError as error:
            messages.error(
                request,
                gettext("Machine translation failed; nothing was translated. %(reason)s") % {"reason": error},
            )
            return redirect(_next_url(request))

    return machine_translate


def _skip(locale, reason):
    collector = _collector.get()
    if collector is None:
        logger.warning("Not machine-translated into %s: %s", locale, reason)
    else:
        collector.skipped.append(Skip(locale=locale, reason=str(reason)))


def _sync_apply(original):
    @mark
    @functools.wraps(original)
    def apply_machine_translation(translation_id, user, machine_translator):
        from wagtail_localize.models import Translation

        translation = get_object_or_404(
            Translation.objects.select_related("source__locale", "target_locale"), id=translation_id
        )
        locale = translation.target_locale
        if not machine_translator.can_translate(translation.source.locale, locale):
            # Where wagtail-localize raises Http404, which would roll the whole sync back.
            _skip(
                locale,
                gettext("%(tool)s does not translate into this language.")
                % {"tool": _display_name(machine_translator)},
            )
            return False
        collector = _collector.get()
        if collector is not None and collector.failure is not None:
            _skip(locale, collector.failure)
            return False
        try:
            with transaction.atomic():
                return original(translation_id, user, CheckedTranslator(machine_translator))
        except MachineTranslationError as error:
            if error.service_wide and collector is not None:
                collector.failure = error
            _skip(locale, error)
            return False

    return apply_machine_translation


def _replace(module, name, make, role):
    current = getattr(module, name)
    if getattr(current, "cms_role", None) == role:
        return
    # Always over the upstream function: the sync's global must not end up wrapping the editor's wrapper.
    upstream = guard.original(f"{module.__name__}:{name}")
    replacement = make(upstream)
    replacement.cms_role = role
    setattr(module, name, replacement)


def install():
    from wagtail_localize.views import edit_translation, update_translations

    _replace(edit_translation, "apply_machine_translation", _editor_apply, "editor")
    _replace(edit_translation, "machine_translate", _editor_view, "editor")
    _replace(update_translations, "apply_machine_translation", _sync_apply, "sync")
