"""The translators' admin: Reports → Translation progress, a dashboard panel with each translator's languages, and
the history entry of a source change (registered as Wagtail hooks when ``cms.wagtail_hooks`` imports this module).

The overview lists every enabled translation (an object and one target language) with its progress from
``cms.localize.progress``: a bounded number of queries whatever the number of objects. Translators limited to some
languages (``GroupLocalePermission``) see their languages unless they choose others in the filters.
"""

import django_filters
from django import forms
from django.apps import apps
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.components import Component
from wagtail.admin.ui.tables import ButtonsColumnMixin, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.admin.widgets import ListingButton
from wagtail.log_actions import LogFormatter
from wagtail.models import Locale, Page, TranslatableMixin
from wagtail_localize.models import Translation

from cms.models.permissions import allowed_locale_ids

from . import notifications, progress

NAME = "translation_progress"


def target_locales():
    return Locale.objects.exclude(language_code=progress.source_language_code()).order_by("language_code")


def kind_choices():
    """The kinds of translatable objects: each page type and each translatable snippet model."""
    from wagtail.snippets.models import get_snippet_models

    models = [model for model in apps.get_models() if issubclass(model, Page) and model is not Page]
    models += [model for model in get_snippet_models() if issubclass(model, TranslatableMixin)]
    content_types = ContentType.objects.get_for_models(*models)
    return sorted(
        ((str(content_types[model].pk), capfirst(model._meta.verbose_name)) for model in models),
        key=lambda choice: str(choice[1]),
    )


class ProgressFilterSet(WagtailFilterSet):
    """The overview's filters: target languages, state (``progress.STATES``) and kind of object."""

    language = django_filters.ModelMultipleChoiceFilter(
        label=_("Language"),
        field_name="target_locale",
        queryset=lambda request: target_locales(),
        widget=forms.CheckboxSelectMultiple,
    )
    state = django_filters.ChoiceFilter(
        label=_("State"),
        choices=progress.STATES,
        method="filter_state",
        empty_label=_("Any"),
        widget=forms.RadioSelect,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Type"),
        choices=kind_choices,
        field_name="source__specific_content_type_id",
        empty_label=_("Any"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Translation
        fields = []

    def filter_state(self, queryset, name, value):
        return progress.filter_state(queryset, value)


def edit_url(model, pk):
    if pk is None or model is None:
        return None
    if issubclass(model, Page):
        return reverse("wagtailadmin_pages:edit", args=[pk])
    return reverse(f"wagtailsnippets_{model._meta.app_label}_{model._meta.model_name}:edit", args=[quote(pk)])


def _model(row):
    return row.source.specific_content_type.model_class()


def translation_editor_url(row):
    """Where a translation is made: the target object's edit view, which wagtail-localize turns into its editor."""
    return edit_url(_model(row), row.target_pk)


def source_edit_url(row):
    return edit_url(_model(row), row.source_pk)


def live_status(row):
    if row.target_pk is None:
        return _("Missing")
    if not row.target_live:
        return _("Not published")
    if row.live_current:
        return _("Current")
    return _("Out of date")


class TranslationTitleColumn(ButtonsColumnMixin, TitleColumn):
    """The object's name, linking to the translation editor, with a link to the source beside it."""

    def get_buttons(self, instance, parent_context):
        buttons = []
        if (url := translation_editor_url(instance)) is not None:
            buttons.append(ListingButton(_("Translate"), url=url, icon_name="edit", priority=10))
        if (url := source_edit_url(instance)) is not None:
            buttons.append(
                ListingButton(
                    _("Source (%(language)s)") % {"language": instance.source.locale.get_display_name()},
                    url=url,
                    icon_name="doc-full",
                    priority=20,
                )
            )
        return buttons


class ProgressColumn(Column):
    """Strings translated of all, and the share."""

    cell_template_name = "cms/localize/tables/progress_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["row"] = instance
        context["percent"] = round(100 * instance.translated / instance.total) if instance.total else 100
        return context


class OutdatedColumn(Column):
    """Outdated strings, and why: changed in the source since the last synchronisation, or not yet published."""

    cell_template_name = "cms/localize/tables/outdated_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["row"] = instance
        return context


class TranslationProgressView(ReportView):
    """Every translation with its progress: strings translated of all, outdated strings, whether the live
    translation is current, and links to the translation editor and the source."""

    page_title = _("Translation progress")
    header_icon = "globe"
    results_template_name = "cms/localize/progress_results.html"
    filterset_class = ProgressFilterSet
    is_searchable = True
    search_fields = ["source__object_repr"]
    paginate_by = 50
    default_ordering = "-work"
    verbose_name_plural = _("translations")

    @cached_property
    def columns(self):
        return [
            TranslationTitleColumn(
                "title",
                label=_("Title"),
                accessor="source.object_repr",
                get_url=translation_editor_url,
                sort_key="source__object_repr",
            ),
            Column("kind", label=_("Type"), accessor=lambda row: capfirst(_model(row)._meta.verbose_name)),
            Column(
                "language",
                label=_("Language"),
                accessor=lambda row: row.target_locale.get_display_name(),
                sort_key="target_locale__language_code",
            ),
            ProgressColumn("translated", label=_("Translated"), sort_key="untranslated"),
            OutdatedColumn("outdated", label=_("Outdated"), sort_key="outdated"),
            StatusTagColumn(
                "live",
                label=_("Live translation"),
                accessor=live_status,
                primary=lambda row: row.live_current,
                sort_key="live_current",
            ),
        ]

    @cached_property
    def allowed_locale_ids(self):
        return allowed_locale_ids(self.request.user)

    def get_filterset_kwargs(self):
        kwargs = super().get_filterset_kwargs()
        # A translator limited to some languages sees those unless the filters name others.
        if "language" not in self.request.GET and self.allowed_locale_ids is not None:
            data = self.request.GET.copy()
            valid = set(target_locales().filter(pk__in=self.allowed_locale_ids).values_list("pk", flat=True))
            data.setlist("language", [str(pk) for pk in sorted(valid)])
            kwargs["data"] = data
        return kwargs

    def get_base_queryset(self):
        return progress.translations()

    def order_queryset(self, queryset):
        # Ties in a stable order, so that the pages of the listing neither overlap nor skip rows.
        if self.is_explicitly_ordered and self.ordering in self.get_valid_orderings():
            return queryset.order_by(self.ordering, "pk")
        # The most work first.
        return queryset.order_by("-work", "-target_draft", "source__object_repr", "target_locale__language_code", "pk")

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["summary"] = [
            {**row, "language": Locale(language_code=row["target_locale__language_code"]).get_display_name()}
            for row in progress.summary(self.object_list)
        ]
        if self.filters is not None and not self.filters.is_valid():
            context["filter_errors"] = self.filters.errors
        return context


def overview_url(**filters):
    return reverse(f"{NAME}:index") + ("?" + urlencode(filters, doseq=True) if filters else "")


class TranslationProgressViewSet(ViewSet):
    """Reports → Translation progress."""

    name = NAME
    icon = "globe"
    menu_label = _("Translation progress")
    menu_name = "translation-progress"
    menu_order = 750
    menu_hook = "register_reports_menu_item"

    def get_urlpatterns(self):
        common = {
            "index_url_name": f"{self.name}:index",
            "index_results_url_name": f"{self.name}:results",
        }
        return [
            path("", TranslationProgressView.as_view(**common), name="index"),
            path("results/", TranslationProgressView.as_view(results_only=True, **common), name="results"),
        ]


class TranslatorPanel(Component):
    """The dashboard panel of a translator limited to some languages: per language, the strings still to
    translate and the outdated ones, with links to the overview."""

    name = "translation_progress"
    template_name = "cms/localize/dashboard_panel.html"
    order = 90

    def render_html(self, parent_context=None):
        request = (parent_context or {}).get("request")
        if request is None or allowed_locale_ids(request.user) is None:
            return ""
        return super().render_html(parent_context)

    def get_context_data(self, parent_context):
        request = parent_context["request"]
        locales = list(target_locales().filter(pk__in=allowed_locale_ids(request.user)))
        rows = {
            row["target_locale_id"]: row
            for row in progress.summary(progress.translations().filter(target_locale__in=locales))
        }
        languages = []
        for locale in locales:
            row = rows.get(locale.pk, {})
            languages.append(
                {
                    "name": locale.get_display_name(),
                    "objects": row.get("objects", 0),
                    "untranslated": row.get("strings_untranslated") or 0,
                    "outdated": row.get("strings_outdated") or 0,
                    "needing_work": row.get("needing_work", 0),
                    "url": overview_url(language=locale.pk),
                    "todo_url": overview_url(language=locale.pk, state=progress.STATE_TODO),
                    "outdated_url": overview_url(language=locale.pk, state=progress.STATE_OUTDATED),
                }
            )
        return {"languages": languages, "overview_url": overview_url()}


class SourceChangedFormatter(LogFormatter):
    """How a ``SOURCE_CHANGED`` entry reads in an object's history."""

    label = _("Source changed for translators")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        changed, removed = data.get("changed", 0), data.get("removed", 0)
        if not changed and not removed:
            return _("The translatable text changed back to the version that was translated.")
        parts = []
        if changed:
            parts.append(
                ngettext(
                    "%(count)d string new or changed for translators",
                    "%(count)d strings new or changed for translators",
                    changed,
                )
                % {"count": changed}
            )
        if removed:
            parts.append(
                ngettext("%(count)d string no longer used", "%(count)d strings no longer used", removed)
                % {"count": removed}
            )
        return "; ".join(parts)


@hooks.register("register_admin_viewset")
def register_translation_progress():
    return TranslationProgressViewSet()


@hooks.register("construct_homepage_panels")
def add_translator_panel(request, panels):
    panels.append(TranslatorPanel())


@hooks.register("register_log_actions")
def register_source_changed_action(actions):
    # In the object's history and the site history report; the progress overview reads the counts.
    actions.register_action(notifications.SOURCE_CHANGED)(SourceChangedFormatter)
