"""What translators have left to do, and telling them when a source changes.

``translations()`` is every enabled wagtail-localize ``Translation`` (one object of a source language and one target
language) annotated with its progress, in one query whatever the number of objects:

- ``total`` strings of its source as last synchronised, ``translated`` of them into the target language (as
  ``Translation.get_progress()`` counts them: a translation with an error does not count), ``untranslated`` the rest;
- ``outdated``: strings that the source changed since the translation was last synchronised (``source_changes``, from
  the object's history: see ``cms.localize.notifications``), plus, while the translation is live, strings of the
  synchronised source that the live translation does not show translated (``stale``: untranslated ones, and those
  translated or re-translated since it was published);
- ``target_live``, ``target_draft`` (unpublished changes wait) and ``live_current``: the live translation is current
  when it is live, has no newer draft and nothing is outdated.

``summary()`` adds those up per language (the dashboard panel and the overview's heading). The admin views are in
``cms.localize.overview``; ``install()`` connects the change notifications (``cms.localize.notifications``).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy as _
from wagtail.models import DraftStateMixin, ModelLogEntry, Page, PageLogEntry, TranslatableMixin

from . import notifications
from .guard import Upstream

UPSTREAM = (
    Upstream(
        "wagtail_localize.models:Translation.get_progress",
        "3ae37213148bc95e",
        "counted in SQL by cms.localize.progress for every translation at once: the total is the source's "
        "StringSegments, a segment is translated when a StringTranslation of its string and context into the target "
        "locale has has_error=False",
    ),
    Upstream(
        "wagtail_localize.models:TranslationSource.refresh_segments",
        "dbc95997075568d4",
        "a source's StringSegments are the StringSegmentValues of extract_segments() of its synchronised content, "
        "context path = the value's path, String.data = the value's string data (cms.localize.notifications compares "
        "a published version's extract_segments() with them)",
    ),
    Upstream(
        "wagtail_localize.models:get_edit_url",
        "4926a421c2496e56",
        "the edit view of a page or snippet, which wagtail-localize's before_edit_page/before_edit_snippet hooks turn "
        "into the translation editor while its Translation is enabled (the overview and the e-mails link there)",
    ),
    Upstream(
        "wagtail.actions.publish_revision:PublishRevisionAction._publish_revision",
        "ca610b83294bb7dc",
        "a publish saves the object with a full save() (no update_fields) while its row still names the previous "
        "live revision, then sends `published` with that same instance (cms.localize.notifications reads the "
        "previous live revision in pre_save)",
    ),
    Upstream(
        "wagtail.actions.publish_revision:PublishRevisionAction._after_publish",
        "c794942c20bf1f0e",
        "sends `published` (sender, instance, revision) for every publish that goes live",
    ),
    Upstream(
        "wagtail.actions.publish_page_revision:PublishPageRevisionAction._after_publish",
        "b45ae09092cf31ec",
        "calls PublishRevisionAction._after_publish, so that `published` is sent for pages too",
    ),
    Upstream(
        "wagtail.admin.mail:EmailNotificationMixin.get_valid_recipients",
        "94e0f50b8f40bda0",
        "a recipient is e-mailed only when active, with an e-mail address and the UserProfile preference "
        "<notification>_notifications on",
    ),
    Upstream(
        "wagtail.admin.mail:EmailNotificationMixin.send_emails",
        "49735b2c2f22fd4f",
        "each recipient's e-mail is rendered in their UserProfile.get_preferred_language(); a failed send or "
        "connection is logged, not raised",
    ),
)
ATTRIBUTES = (
    "wagtail_localize.segments.extract:extract_segments",
    "wagtail_localize.segments:StringSegmentValue",
    "wagtail_localize.models:StringSegment.objects",
    "wagtail_localize.models:StringTranslation.has_error",
    "wagtail_localize.models:StringTranslation.updated_at",
    "wagtail_localize.models:TranslationSource.last_updated_at",
    "wagtail_localize.models:TranslatableObject.content_type",
    "wagtail_localize.models:Translation.enabled",
    "wagtail.signals:published",
)

STATE_TODO = "todo"
STATE_OUTDATED = "outdated"
STATE_UNPUBLISHED = "unpublished"
STATE_CURRENT = "current"
STATES = (
    (STATE_TODO, _("Strings to translate")),
    (STATE_OUTDATED, _("Outdated")),
    (STATE_UNPUBLISHED, _("Not published")),
    (STATE_CURRENT, _("Live and current")),
)
STATE_FILTERS = {
    STATE_TODO: Q(untranslated__gt=0),
    STATE_OUTDATED: Q(outdated__gt=0) | Q(target_live=True, target_draft=True),
    STATE_UNPUBLISHED: ~Q(target_live=True),
    STATE_CURRENT: Q(live_current=True),
}


def translatable_models():
    """The models a ``TranslatableObject`` names (pages as ``Page``, each translatable snippet model as itself), with
    their content types."""
    from wagtail.snippets.models import get_snippet_models

    candidates = [Page] + [model for model in get_snippet_models() if issubclass(model, TranslatableMixin)]
    bases = list(dict.fromkeys(model.get_translation_model() for model in candidates))
    content_types = ContentType.objects.get_for_models(*bases)
    return [(model, content_types[model]) for model in bases]


def _per_model(build, output_field, default=None):
    """``build(model, content_type)`` for the row's kind of object: pages and each snippet model live in tables of
    their own, so there is one subquery per model, chosen by the source object's content type."""
    whens = [
        When(source__object__content_type_id=content_type.pk, then=build(model, content_type))
        for model, content_type in translatable_models()
    ]
    return Case(*whens, default=Value(default, output_field=output_field), output_field=output_field)


def _instance_field(locale, name, output_field, default=None):
    """A field of the row's object in ``locale`` (the name of the row's field holding the locale id)."""

    def build(model, content_type):
        if name in ("live", "last_published_at", "has_unpublished_changes") and not issubclass(model, DraftStateMixin):
            return Value({"live": True, "has_unpublished_changes": False}.get(name), output_field=output_field)
        rows = model._base_manager.filter(translation_key=OuterRef("source__object_id"), locale_id=OuterRef(locale))
        return Subquery(rows.values(name)[:1], output_field=output_field)

    return _per_model(build, output_field, default)


def _source_changes():
    """How many strings the source changed since the translation was last synchronised: what the latest
    ``SOURCE_CHANGED`` entry of its history after that synchronisation counted (none: 0)."""

    def build(model, content_type):
        if issubclass(model, Page):
            entries = PageLogEntry.objects.filter(page_id=OuterRef("source_pk"))
        else:
            entries = ModelLogEntry.objects.filter(
                content_type_id=OuterRef("source__specific_content_type_id"),
                object_id=Cast(OuterRef("source_pk"), CharField()),
            )
        latest = entries.filter(
            action=notifications.SOURCE_CHANGED, timestamp__gt=OuterRef("source__last_updated_at")
        ).order_by("-timestamp", "-pk")
        return Subquery(latest.values(count=Cast(KT("data__outdated"), IntegerField()))[:1])

    return Coalesce(_per_model(build, IntegerField()), 0)


def _count_segments(translated=False, **translation_filters):
    """How many string segments the row's source has; with ``translated``, how many of them have a valid
    translation into the row's target language (matching ``translation_filters``)."""
    from wagtail_localize.models import StringSegment, StringTranslation

    segments = StringSegment.objects.filter(source_id=OuterRef("source_id"))
    if translated:
        translations = StringTranslation.objects.filter(
            translation_of_id=OuterRef("string_id"),
            context_id=OuterRef("context_id"),
            locale_id=OuterRef(OuterRef("target_locale_id")),
            has_error=False,
            **translation_filters,
        )
        segments = segments.filter(Exists(translations))
    counted = segments.order_by().values("source_id").annotate(count=Count("pk")).values("count")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def translations(queryset=None):
    """Enabled translations with their progress (see the module's docstring), for any number of them in one query."""
    from wagtail_localize.models import Translation

    queryset = Translation.objects.all() if queryset is None else queryset
    return (
        queryset.filter(enabled=True)
        .select_related("source", "source__locale", "source__specific_content_type", "target_locale")
        .annotate(
            source_pk=_instance_field("source__locale_id", "pk", IntegerField()),
            target_pk=_instance_field("target_locale_id", "pk", IntegerField()),
            target_live=Coalesce(_instance_field("target_locale_id", "live", BooleanField()), False),
            target_draft=Coalesce(
                _instance_field("target_locale_id", "has_unpublished_changes", BooleanField()), False
            ),
            target_published_at=_instance_field("target_locale_id", "last_published_at", DateTimeField()),
        )
        .annotate(
            total=_count_segments(),
            translated=_count_segments(translated=True),
            translated_since_published=_count_segments(
                translated=True, updated_at__gt=OuterRef(OuterRef("target_published_at"))
            ),
            source_changes=_source_changes(),
        )
        .annotate(untranslated=F("total") - F("translated"))
        .annotate(
            stale=Case(
                When(
                    target_live=True,
                    target_published_at__isnull=False,
                    then=F("untranslated") + F("translated_since_published"),
                ),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        .annotate(outdated=F("source_changes") + F("stale"))
        .annotate(
            live_current=Case(
                When(Q(target_live=True, target_draft=False, outdated=0), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            work=F("untranslated") + F("outdated"),
        )
    )


def filter_state(queryset, state):
    return queryset.filter(STATE_FILTERS[state]) if state in STATE_FILTERS else queryset


def summary(queryset):
    """Per target language of ``queryset`` (annotated by ``translations()``): objects, strings, translated,
    untranslated and outdated strings, and objects whose live translation is not current. One query."""
    rows = (
        queryset.order_by()
        .values("target_locale_id", "target_locale__language_code")
        .annotate(
            objects=Count("pk"),
            strings=Sum("total"),
            strings_translated=Sum("translated"),
            strings_untranslated=Sum("untranslated"),
            strings_outdated=Sum("outdated"),
            needing_work=Count("pk", filter=Q(work__gt=0) | Q(target_draft=True)),
        )
        .order_by("target_locale__language_code")
    )
    return list(rows)


def source_language_code():
    from wagtail.coreutils import get_supported_content_language_variant

    return get_supported_content_language_variant(settings.LANGUAGE_CODE)


def install():
    notifications.connect()
