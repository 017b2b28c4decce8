"""Safety around wagtail-localize: drafts stay out of live content, translators stay in their languages,
and a stale PO file says what it could not import.

Drafts.

wagtail-localize saves a translation as a draft by writing the translated content to the object's row and
then making a revision. For a translation that is already live that row *is* the published content: a
"draft" save (the translation editor's save, or a sync after the source changed) would publish untranslated
or half-translated text, and for snippets it even sets ``live = False``. ``install()`` wraps the one method
every such path goes through, so that after a draft save the live row is put back from its live revision
and the new content stays in the latest revision, as with any other Wagtail draft.

Languages. wagtail-localize checks translators' rights with one function (model permissions only); it is
extended with the per-group language limits of ``cms.GroupLocalePermission``.

Stale PO files. ``Translation.import_po`` returns what it skipped (strings that no longer exist in the
source) but the upload view drops that list; ``upload_pofile`` below tells the translator.
"""

import functools
from contextvars import ContextVar

from django.contrib import messages
from django.db import transaction
from django.utils.translation import ngettext
from wagtail.models import DraftStateMixin, Page, TranslatableMixin

_import_warnings = ContextVar("po_import_warnings", default=None)


def _live_translation(source, locale):
    try:
        target = source.get_translated_instance(locale)
    except source.specific_content_type.model_class().DoesNotExist:
        return None
    if isinstance(target, Page):
        target = target.specific
    if isinstance(target, DraftStateMixin) and target.live and target.live_revision_id:
        return target
    return None


def _restore_live_content(target):
    """Put the published content back into the row; keep the newer revision as the pending draft."""
    model = type(target)
    current = model._default_manager.get(pk=target.pk)
    restored = current.live_revision.as_object()
    restored.live = True
    restored.has_unpublished_changes = True
    restored.latest_revision = current.latest_revision
    if isinstance(restored, Page):
        # Tree fields belong to the row, not to the revision.
        for name in ("path", "depth", "numchild", "url_path"):
            setattr(restored, name, getattr(current, name))
        restored.save(clean=False)
    else:
        restored.save()


def install():
    from wagtail_localize.models import Translation, TranslationSource
    from wagtail_localize.views import edit_translation

    original = TranslationSource.create_or_update_translation
    if getattr(original, "keeps_drafts_out_of_live_content", False):
        return
    _limit_translators_to_their_languages(edit_translation)
    _report_stale_po_strings(Translation)

    @functools.wraps(original)
    def create_or_update_translation(self, locale, user=None, publish=True, *args, **kwargs):
        if publish:
            return original(self, locale, user, publish, *args, **kwargs)
        with transaction.atomic():
            live = _live_translation(self, locale)
            result = original(self, locale, user, publish, *args, **kwargs)
            if live is not None:
                _restore_live_content(live)
        return result

    create_or_update_translation.keeps_drafts_out_of_live_content = True
    TranslationSource.create_or_update_translation = create_or_update_translation


def _limit_translators_to_their_languages(edit_translation):
    from cms.models.permissions import user_can_edit_locale

    original = edit_translation.user_can_edit_instance

    @functools.wraps(original)
    def user_can_edit_instance(user, instance):
        if isinstance(instance, TranslatableMixin) and not user_can_edit_locale(user, instance.locale_id):
            return False
        return original(user, instance)

    edit_translation.user_can_edit_instance = user_can_edit_instance


def _report_stale_po_strings(translation_model):
    original_import = translation_model.import_po

    @functools.wraps(original_import)
    def import_po(self, *args, **kwargs):
        warnings = original_import(self, *args, **kwargs)
        collected = _import_warnings.get()
        if collected is not None:
            collected.extend(warnings)
        return warnings

    translation_model.import_po = import_po


def upload_pofile(request, translation_id):
    """wagtail-localize's PO upload, telling the translator which strings of a stale file were skipped.
    Served at the same address (registered before wagtail-localize's own URL in ``cms.wagtail_hooks``)."""
    from wagtail_localize.views import edit_translation

    collected = []
    token = _import_warnings.set(collected)
    try:
        response = edit_translation.upload_pofile(request, translation_id)
    finally:
        _import_warnings.reset(token)
    # UnknownString and StringNotUsedInContext carry the text; UnknownContext only a position.
    skipped = sorted({warning.string for warning in collected if getattr(warning, "string", None)})
    if skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d string in the file no longer matches the source and was not imported: %(strings)s",
                "%(count)d strings in the file no longer match the source and were not imported: %(strings)s",
                len(skipped),
            )
            % {"count": len(skipped), "strings": "; ".join(f"“{text[:60]}”" for text in skipped)},
        )
    return response
