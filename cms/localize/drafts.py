"""A live page or snippet in a target language never shows source-language text that no translator has given.

Three mechanisms, from the lowest level up:

Publishing. Every publish of a translation, whichever way it is asked for (the translation editor's *Publish*, the
sync form's *Publish immediately*, a bulk publish, a workflow, scheduled publishing, code), ends in
``TranslationSource.create_or_update_translation(publish=True)`` or Wagtail's ``PublishRevisionAction.execute``. Both
are wrapped: while a translation managed by wagtail-localize has strings with no translation into its language, it is
not published (``UntranslatedContentError``, a ValidationError that wagtail-localize's views already catch). The
revision of a page that still mirrors its source (an alias) is never published by Wagtail's own paths: that would
keep it an alias, to be overwritten by the next publish of the source.

Drafts. wagtail-localize saves a translation as a draft by writing the translated content to the object's row and
then making a revision. For a translation that is already live that row *is* the published content: a "draft" save
(the translation editor's save, a sync, a submission) would publish untranslated or half-translated text, and for
snippets it even sets ``live = False``. After a draft save the live row is put back from its live revision and the
new content stays in the latest revision, as with any other Wagtail draft.

Aliases. A page in a target language that mirrors its source (an alias: wagtail-localize makes them for the parents
of a submitted page and for every page of a synchronised locale) shows the source text; it is served as a fallback
(``cms.fallbacks``). Translating it converts it in place, same id and URL, but only on publish: until then
it stays an alias and keeps following its source, and the translation waits in its latest revision, edited in the
translation editor.
"""

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.utils.translation import gettext, ngettext
from wagtail import hooks
from wagtail.models import DraftStateMixin, Page, TranslatableMixin

from .guard import Upstream, mark

UPSTREAM = (
    Upstream(
        "wagtail_localize.models:TranslationSource.create_or_update_translation",
        "e8635ecd790b6ad4",
        "every save of a translation (submit, editor publish, sync) goes through it; with publish=False it writes the "
        "translated content into the object's row before making the revision, and converts an alias target into a "
        "regular page; with publish=True it publishes the new revision on commit; arguments (locale, user, publish, "
        "...)",
    ),
    Upstream(
        "wagtail.models.pages:Page._update_descendant_url_paths",
        "8d8ef1dd444d3741",
        "(old_url_path, new_url_path) rewrites the url_path of every descendant, as Page.save() does after a slug "
        "change; the live content restored after a draft save puts a draft's slug change back with it",
    ),
    Upstream(
        "wagtail.actions.publish_revision:PublishRevisionAction.execute",
        "3798687562d83d5d",
        "every publish of a page or snippet revision by Wagtail (editor, bulk, workflow, schedule) goes through it; "
        "self.object is the object as the revision makes it",
    ),
    Upstream(
        "wagtail_localize.views.edit_translation:edit_translation",
        "96def2f235f5d512",
        "the translation editor, called through the module by wagtail-localize's before_edit_page/snippet hooks as "
        "(request, translation, instance); POST action=publish publishes through Translation.save_target",
    ),
    Upstream(
        "wagtail_localize.views.convert:sync_alias",
        "fdbb5cceda1caa72",
        "sync_alias(source_page, alias_page) copies the source's row content, child objects and relations onto the "
        "alias and saves it, keeping the alias's id, tree position, slug, locale, alias_of and latest revision",
    ),
    Upstream(
        "wagtail_localize.wagtail_hooks:before_edit_page",
        "84102d787e2e8f54",
        "an alias of a page in another locale opens wagtail-localize's 'translate this page' screen, which the hook "
        "registered here (order -1) answers first once a translation of the alias was started",
    ),
)
ATTRIBUTES = (
    "wagtail_localize.models:TranslationSource.get_translated_instance",
    "wagtail_localize.models:TranslationSource.specific_content_type",
)


@dataclass(frozen=True)
class Refusal:
    """A publish that was refused because strings of the source have no translation in the target language."""

    source: object  # the TranslationSource
    locale: object  # the target Locale
    untranslated: int


class UntranslatedContentError(ValidationError):
    """Raised instead of publishing a translation that would show source-language strings."""

    def __init__(self, refusal, message=None):
        self.refusal = refusal
        if message is None:
            message = ngettext(
                "%(language)s: %(count)d string is not translated yet; the translation was not published.",
                "%(language)s: %(count)d strings are not translated yet; the translation was not published.",
                refusal.untranslated,
            ) % {"count": refusal.untranslated, "language": refusal.locale.get_display_name()}
        super().__init__(message, code="untranslated")


_refusals = ContextVar("translation_publish_refusals", default=None)


@contextmanager
def collecting_refusals():
    """Collects the ``Refusal`` of every publish refused inside the block (views use it to tell the user which
    languages were left unpublished, when the code they call swallows the error)."""
    collected = []
    token = _refusals.set(collected)
    try:
        yield collected
    finally:
        _refusals.reset(token)


def untranslated_count(source, locale):
    """How many string segments of ``source`` (a TranslationSource) have no usable translation into ``locale``
    (a translation with an error counts as missing, as in wagtail-localize's own progress)."""
    from wagtail_localize.models import StringSegment

    return (
        StringSegment.objects.filter(source=source)
        .annotate_translation(locale)
        .filter(translation__isnull=True)
        .count()
    )


def refuse_untranslated(source, locale):
    """Raise ``UntranslatedContentError`` when publishing ``source`` into ``locale`` would show source strings."""
    missing = untranslated_count(source, locale)
    if missing:
        refusal = Refusal(source=source, locale=locale, untranslated=missing)
        collected = _refusals.get()
        if collected is not None:
            collected.append(refusal)
        raise UntranslatedContentError(refusal)


def enabled_translation(obj):
    """The wagtail-localize translation that manages ``obj`` (a page or snippet in a target language), if any."""
    from wagtail_localize.models import Translation

    if not isinstance(obj, TranslatableMixin):
        return None
    return (
        Translation.objects.filter(source__object_id=obj.translation_key, target_locale_id=obj.locale_id, enabled=True)
        .select_related("source", "target_locale")
        .first()
    )


# Set on the revision wagtail-localize has just made from complete translations, the very object it publishes on
# commit (its own path through PublishRevisionAction). Any other revision of a translation it manages may predate
# translated strings: a draft made on submit or sync holds the source text where a translation was missing.
COMPLETE = "cms_made_from_complete_translations"


def refuse_publishing(obj, revision=None):
    """Raise ``UntranslatedContentError`` when ``revision`` (None: any revision) of ``obj`` may not be published by
    Wagtail's own paths (the editor, bulk actions, workflows, schedules)."""
    translation = enabled_translation(obj)
    if translation is not None:
        if revision is not None and getattr(revision, COMPLETE, False):
            return
        raise UntranslatedContentError(
            Refusal(source=translation.source, locale=translation.target_locale, untranslated=0),
            gettext(
                "%(language)s: this translation follows its source through the translation editor; publish it "
                "there, where untranslated strings are shown."
            )
            % {"language": translation.target_locale.get_display_name()},
        )
    if isinstance(obj, Page) and obj.alias_of_id is not None:
        raise UntranslatedContentError(
            Refusal(source=None, locale=obj.locale, untranslated=0),
            gettext(
                "This page mirrors the page it is an alias of; publish its translation from the translation editor."
            ),
        )


def _translated_instance(source, locale):
    try:
        target = source.get_translated_instance(locale)
    except source.specific_content_type.model_class().DoesNotExist:
        return None
    return target.specific if isinstance(target, Page) else target


def _live_translation(target):
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
        for name in ("path", "depth", "numchild"):
            setattr(restored, name, getattr(current, name))
        # The row holds the draft's slug: the live URL is put back without Page.save()'s slug-change handling,
        # which would record the draft's never-public address as an old URL of the page (a redirect to itself).
        restored.set_url_path(current.get_parent())
        if restored.url_path != current.url_path:
            restored._update_descendant_url_paths(current.url_path, restored.url_path)
        fields = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
        restored.save(clean=False, update_fields=[name for name in fields if name != "slug"])
        model._default_manager.filter(pk=restored.pk).update(slug=restored.slug)
    else:
        restored.save()


def _restore_alias(page, source_id, slug):
    """Make ``page`` the alias it was: wagtail-localize's own ``sync_alias`` copies the source's live content (its
    row), child objects and relations onto it; its slug and the new revision (the translation) stay its own."""
    from wagtail_localize.views.convert import sync_alias

    current = type(page)._default_manager.get(pk=page.pk)
    current.alias_of_id = source_id
    current.slug = slug
    source = Page.objects.get(pk=source_id).specific
    sync_alias(source, current)
    # The translation waits in the latest revision, as a draft does.
    Page.objects.filter(pk=page.pk).update(has_unpublished_changes=True)


def install():
    from wagtail.actions.publish_revision import PublishRevisionAction
    from wagtail_localize.models import TranslationSource
    from wagtail_localize.views import edit_translation as views

    original = TranslationSource.create_or_update_translation
    if getattr(original, "installed_by_cms", False):
        return

    @mark
    @functools.wraps(original)
    def create_or_update_translation(self, locale, user=None, publish=True, *args, **kwargs):
        if publish:
            refuse_untranslated(self, locale)
            result = original(self, locale, user, publish, *args, **kwargs)
            # ``result`` is (the translated object, created); save_revision() set the revision it publishes on commit
            # as the object's latest_revision.
            revision = getattr(result[0], "latest_revision", None)
            if revision is not None:
                setattr(revision, COMPLETE, True)
            return result
        with transaction.atomic():
            target = _translated_instance(self, locale)
            if isinstance(target, Page) and target.alias_of_id is not None and target.live:
                source_id, slug = target.alias_of_id, target.slug
                result = original(self, locale, user, publish, *args, **kwargs)
                _restore_alias(target, source_id, slug)
                return result
            live = _live_translation(target)
            result = original(self, locale, user, publish, *args, **kwargs)
            if live is not None:
                _restore_live_content(live)
        return result

    TranslationSource.create_or_update_translation = create_or_update_translation

    execute = PublishRevisionAction.execute

    @mark
    @functools.wraps(execute)
    def execute_refusing_untranslated(self, *args, **kwargs):
        refuse_publishing(self.object, self.revision)
        return execute(self, *args, **kwargs)

    PublishRevisionAction.execute = execute_refusing_untranslated

    editor = views.edit_translation

    @mark
    @functools.wraps(editor)
    def edit_translation(request, translation, instance):
        # Refused before wagtail-localize's publish, whose own message for a ValidationError asks to fix errors.
        if request.method == "POST" and request.POST.get("action") == "publish":
            # An alias is converted by this publish (wagtail-localize clears alias_of first): only the strings count.
            try:
                refuse_untranslated(translation.source, translation.target_locale)
            except UntranslatedContentError as error:
                messages.error(request, error.messages[0])
                return redirect(request.get_full_path())
        return editor(request, translation, instance)

    views.edit_translation = edit_translation

    hooks.register("before_edit_page", _translation_editor_for_aliases, order=-1)
    hooks.register("before_bulk_action", _refuse_bulk_publishing)


def _translation_editor_for_aliases(request, page):
    """An alias whose translation was started opens in the translation editor (wagtail-localize would offer to
    start the translation again)."""
    from wagtail_localize.views import edit_translation as views

    if page.alias_of_id is None:
        return None
    translation = enabled_translation(page)
    if translation is None:
        return None
    return views.edit_translation(request, translation, page.specific)


def _refuse_bulk_publishing(request, action_type, objects, action):
    if action_type != "publish":
        return None
    refused = []
    for obj in objects:
        obj = obj.specific if isinstance(obj, Page) else obj
        try:
            refuse_publishing(obj)
        except UntranslatedContentError as error:
            refused.append(f"{obj}: {error.messages[0]}")
    if not refused:
        return None
    messages.error(request, gettext("Nothing was published. %(reasons)s") % {"reasons": " ".join(refused)})
    return redirect(request.META.get("HTTP_REFERER") or request.get_full_path())
