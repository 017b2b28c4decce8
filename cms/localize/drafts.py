"""Drafts stay out of live content.

wagtail-localize saves a translation as a draft by writing the translated content to the object's row and then
making a revision. For a translation that is already live that row *is* the published content: a "draft" save (the
translation editor's save, or a sync after the source changed) would publish untranslated or half-translated text,
and for snippets it even sets ``live = False``. ``install()`` wraps the one method every such path goes through, so
that after a draft save the live row is put back from its live revision and the new content stays in the latest
revision, as with any other Wagtail draft.
"""

import functools

from django.db import transaction
from wagtail.models import DraftStateMixin, Page

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.models:TranslationSource.create_or_update_translation",
        "e8635ecd790b6ad4",
        "every draft save of a translation (editor save, sync) goes through it; with publish=False it writes the "
        "translated content into the object's row before making the revision; arguments (locale, user, publish, ...)",
    ),
)
ATTRIBUTES = (
    "wagtail_localize.models:TranslationSource.get_translated_instance",
    "wagtail_localize.models:TranslationSource.specific_content_type",
)


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
    from wagtail_localize.models import TranslationSource

    original = TranslationSource.create_or_update_translation
    if getattr(original, "installed_by_cms", False):
        return

    @mark
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

    TranslationSource.create_or_update_translation = create_or_update_translation
