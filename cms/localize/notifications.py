"""Telling translators when a source they translated changes.

When a page or snippet that has translations is published, the strings wagtail-localize would give translators
(``extract_segments``) are compared with those of the version that was live until then. When they differ, the
translatable content changed, and they are compared with the strings of its ``TranslationSource``, the content the
translations were made from (as of the last synchronisation): how many strings are new or changed and how many are
no longer used. That is recorded in the object's history (a ``SOURCE_CHANGED`` log entry, which the progress overview
reads as the strings outdated since the last synchronisation) and, after the commit, the translators of each target
language (the groups that ``GroupLocalePermission`` gives that language) are e-mailed through Wagtail's notification
machinery, each in their own admin language, except whoever made or published the change.

A publish that changes only fields translators do not see (dates, images, choices, synchronised fields) tells nobody.
Nothing here may break a publish: a failure to compare or to send is logged, and the publish goes on.

Wagtail has no notification preference of its own for this; the one that governs moderation requests ("submitted
notifications" in the account settings: work waiting for the user) governs these e-mails too.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models, transaction
from wagtail.admin.mail import EmailNotificationMixin, Notifier
from wagtail.log_actions import get_active_log_context, log
from wagtail.models import DraftStateMixin, Revision, TranslatableMixin

logger = logging.getLogger(__name__)

SOURCE_CHANGED = "cms.translation_source_changed"
# The UserProfile preference (``<name>_notifications``) that lets a user receive these e-mails.
PREFERENCE = "submitted"
TEMPLATES = "cms/localize/notifications/"

# Set on an instance between the row's last read before a publish and the ``published`` signal.
_LIVE_BEFORE = "_cms_live_revision_before_save"
_UNKNOWN = object()


@dataclass(frozen=True)
class SourceChange:
    """A publish that changed what translators translate: what it changed compared with the translated version, and
    whom to tell."""

    source_id: int  # the TranslationSource
    locale_ids: tuple  # the target locales of its enabled translations
    object_name: str
    model_name: object  # the model's verbose name, lazy: each recipient reads it in their language
    changed: int  # strings new or changed compared with the TranslationSource
    removed: int  # strings of the TranslationSource the source no longer has
    exclude_user_ids: frozenset = field(default_factory=frozenset)

    @property
    def outdated(self):
        return self.changed + self.removed


def string_segments(instance):
    """The strings translators are given for ``instance``, as (context path, text) pairs counted."""
    from wagtail_localize.segments import StringSegmentValue
    from wagtail_localize.segments.extract import extract_segments

    return Counter(
        (segment.path, segment.string.data)
        for segment in extract_segments(instance)
        if isinstance(segment, StringSegmentValue)
    )


def source_segments(source):
    """The strings of a TranslationSource (its content at the last synchronisation), counted as ``string_segments``
    counts them."""
    from wagtail_localize.models import StringSegment

    return Counter(StringSegment.objects.filter(source=source).values_list("context__path", "string__data"))


def compare(current, translated):
    """(new or changed, no longer used): the strings of ``current`` the translated version did not have, and those
    of the translated version gone from ``current``. A string replaced at the same place counts once, as changed."""
    added = current - translated
    gone = translated - current
    changed_paths = {path for path, _text in added}
    removed = sum(count for (path, _text), count in gone.items() if path not in changed_paths)
    return sum(added.values()), removed


def _remember_live_revision(sender, instance, raw=False, update_fields=None, **kwargs):
    # A publish saves the whole object with its new live revision already set: the row still names the previous one.
    if raw or update_fields is not None or instance._state.adding:
        return
    if not (isinstance(instance, TranslatableMixin) and isinstance(instance, DraftStateMixin)):
        return
    if not instance.live or instance.live_revision_id is None:
        return
    previous = type(instance)._base_manager.filter(pk=instance.pk).values_list("live_revision_id", flat=True)
    instance.__dict__[_LIVE_BEFORE] = previous.first()


def _previous_live_segments(previous_id, revision):
    if previous_id is _UNKNOWN or previous_id is None:
        return None
    try:
        return string_segments(Revision.objects.get(pk=previous_id).as_object())
    except Exception:
        # An old revision that no longer loads (a removed field or block): compare with the translated version.
        logger.warning("Revision %s could not be read to compare with revision %s", previous_id, revision.pk)
        return None


def detect_change(instance, revision, previous_id=_UNKNOWN):
    """The ``SourceChange`` of publishing ``revision`` of ``instance``, when it changed translatable content of an
    object with enabled translations; None otherwise. ``previous_id``: the revision live until then (None: none
    was). Records the change in the object's history."""
    from wagtail_localize.models import Translation

    if previous_id == revision.pk:
        return None
    translations = list(
        Translation.objects.filter(
            source__object_id=instance.translation_key, source__locale_id=instance.locale_id, enabled=True
        ).select_related("source")
    )
    if not translations:
        return None
    source = translations[0].source
    current = string_segments(instance)
    translated = source_segments(source)
    before = _previous_live_segments(previous_id, revision)
    if current == (translated if before is None else before):
        return None
    changed, removed = compare(current, translated)
    active_user = get_active_log_context().user
    log(
        instance,
        SOURCE_CHANGED,
        user=active_user or revision.user,
        revision=revision,
        data={"changed": changed, "removed": removed, "outdated": changed + removed, "source": source.pk},
    )
    return SourceChange(
        source_id=source.pk,
        locale_ids=tuple(sorted(translation.target_locale_id for translation in translations)),
        object_name=str(instance),
        model_name=instance._meta.verbose_name,
        changed=changed,
        removed=removed,
        exclude_user_ids=frozenset(
            user.pk for user in (active_user, revision.user) if user is not None and user.pk is not None
        ),
    )


def _on_published(sender, instance, revision=None, **kwargs):
    if not isinstance(instance, TranslatableMixin) or revision is None:
        return
    previous_id = instance.__dict__.pop(_LIVE_BEFORE, _UNKNOWN)
    try:
        # A savepoint: a query that fails here must not leave the publish's transaction unusable.
        with transaction.atomic():
            change = detect_change(instance, revision, previous_id)
    except Exception:
        logger.exception("Could not tell whether publishing %r changed what translators translate", instance)
        return
    if change is not None and change.outdated:
        transaction.on_commit(lambda: notify_translators(change), robust=True)


def translators(locale_id):
    """The users of the translator groups of a language."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__locale_permissions__locale_id=locale_id)
        .exclude(email="")
        .distinct()
    )


class SourceChangedNotifier(EmailNotificationMixin, Notifier):
    """E-mails a language's translators that the source of a translation (a ``Translation``) changed; called with
    the ``SourceChange``."""

    notification = PREFERENCE

    def __init__(self):
        from wagtail_localize.models import Translation

        super().__init__((Translation,))

    def get_recipient_users(self, translation, change=None, **kwargs):
        return translators(translation.target_locale_id).exclude(pk__in=change.exclude_user_ids)

    def get_template_set(self, translation, **kwargs):
        return {
            "subject": TEMPLATES + "source_changed_subject.txt",
            "text": TEMPLATES + "source_changed.txt",
            "html": TEMPLATES + "source_changed.html",
        }

    def get_context(self, translation, change=None, **kwargs):
        from wagtail_localize.models import get_edit_url

        context = super().get_context(translation, **kwargs)
        try:
            edit_url = get_edit_url(translation.get_target_instance())
        except models.ObjectDoesNotExist:
            edit_url = None
        context.update(
            {
                "translation": translation,
                "object_name": change.object_name,
                "model_name": change.model_name,
                "language": translation.target_locale.get_display_name(),
                "changed": change.changed,
                "removed": change.removed,
                "edit_url": edit_url,
            }
        )
        return context


def notify_translators(change):
    """Sends the e-mails of a ``SourceChange`` (after the publish committed). Returns True when every e-mail went;
    never raises: what failed is logged."""
    from wagtail_localize.models import Translation

    notifier = SourceChangedNotifier()
    sent = True
    try:
        translations = Translation.objects.filter(
            source_id=change.source_id, target_locale_id__in=change.locale_ids, enabled=True
        ).select_related("source", "target_locale")
        for translation in translations:
            sent = notifier(instance=translation, change=change) and sent
    except Exception:
        logger.exception("Translators were not told that “%s” changed", change.object_name)
        return False
    return sent


def connect():
    from wagtail.signals import published

    models.signals.pre_save.connect(_remember_live_revision, dispatch_uid="cms-localize-live-revision-before")
    published.connect(_on_published, dispatch_uid="cms-localize-source-changed")
