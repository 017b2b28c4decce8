"""Admin registration: all reusable event content under one “Event content” menu, its choosers
(``cms.choosers``), and the admin's side of publishing what a page or snippet shows (``cms.publishing``)."""

from django.conf import settings
from django.contrib.admin.utils import quote
from django.shortcuts import redirect
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.action_menu import PublishMenuItem as PagePublishMenuItem
from wagtail.admin.admin_url_finder import AdminURLFinder
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import LiveStatusTagColumn
from wagtail.admin.views.pages.workflow import WorkflowActionView as PageWorkflowActionView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.log_actions import LogFormatter
from wagtail.models import Page
from wagtail.snippets.action_menu import PublishMenuItem as SnippetPublishMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms import choosers, publishing
from cms.forms import SnippetForm
from cms.localize import po as localize_po
from cms.localize import views as localize_views
from cms.localize.rights import LanguageLimitedViewSetMixin, refuse_bulk_action
from cms.models import ContactCard, GroupLocalePermission, Organisation, Person, Project, Topic


def status_column():
    # A tag (“live”, “draft”, “live + draft”, “scheduled”) rather than the raw True/False of the live field; the
    # label is lazy so that each editor reads it in their own language.
    return LiveStatusTagColumn(label=_("Status"))


class TranslatableSnippetViewSet(LanguageLimitedViewSetMixin, SnippetViewSet):
    """The admin of a translatable snippet: users limited to some languages change only content in theirs; its
    form keeps choices in the snippet's language and refuses publishing while it shows unpublished snippets
    (``cms.publishing``)."""

    def get_edit_handler(self):
        return ObjectList(self.panels, base_form_class=SnippetForm).bind_to_model(self.model)

    @property
    def breadcrumbs_items(self):
        # Wagtail's are translated when the admin's URLs are built (once, with gettext): lazily, each editor
        # reads them in their own language.
        items = [{"url": reverse_lazy("wagtailadmin_home"), "label": _("Home")}]
        if getattr(settings, "WAGTAILSNIPPETS_MENU_SHOW_ALL", False) or not self.get_menu_item_is_registered():
            items.append({"url": reverse_lazy("wagtailsnippets:index"), "label": _("Snippets")})
        return items


class PersonViewSet(TranslatableSnippetViewSet):
    model = Person
    icon = "user"
    chooser_viewset_class = choosers.PersonChooserViewSet
    list_display = ["name", "job_title", "organisation", "locale", status_column()]
    list_filter = ["locale", "live", "organisation"]
    panels = [
        FieldPanel("name"),
        FieldPanel("aliases"),
        FieldRowPanel([FieldPanel("job_title"), FieldPanel("organisation")]),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("links"),
    ]


class OrganisationViewSet(TranslatableSnippetViewSet):
    model = Organisation
    icon = "group"
    chooser_viewset_class = choosers.OrganisationChooserViewSet
    list_display = ["name", "acronym", "website", "locale", status_column()]
    list_filter = ["locale", "live"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("acronym")]),
        FieldPanel("aliases"),
        FieldPanel("website"),
        FieldPanel("logo"),
    ]


class ContactCardViewSet(TranslatableSnippetViewSet):
    model = ContactCard
    icon = "mail"
    chooser_viewset_class = choosers.ContactCardChooserViewSet
    list_display = ["name", "position", "unit", "last_verified", "locale", status_column()]
    list_filter = ["locale", "live", "unit", "organisation", "last_verified"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("position"), FieldPanel("unit")]),
        FieldPanel("organisation"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("phone"), FieldPanel("email")]),
                FieldPanel("web_page"),
                FieldPanel("address"),
            ],
            heading=_("How to get in touch"),
        ),
        FieldPanel("last_verified"),
    ]


class ProjectViewSet(TranslatableSnippetViewSet):
    model = Project
    icon = "list-ul"
    chooser_viewset_class = choosers.ProjectChooserViewSet
    list_display = ["name", "kind", "code", "funding_programme", "locale", status_column()]
    list_filter = ["locale", "live", "kind"]
    panels = [
        FieldRowPanel([FieldPanel("name"), FieldPanel("kind")]),
        FieldRowPanel([FieldPanel("code"), FieldPanel("funding_programme")]),
        FieldPanel("website"),
        FieldPanel("logo"),
    ]


class TopicViewSet(TranslatableSnippetViewSet):
    model = Topic
    icon = "tag"
    chooser_viewset_class = choosers.TopicChooserViewSet
    list_display = ["name", "slug", "locale", status_column()]
    list_filter = ["locale", "live"]
    panels = [FieldPanel("name"), FieldPanel("slug")]


class EventContentGroup(SnippetViewSetGroup):
    menu_label = _("Event content")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (PersonViewSet, OrganisationViewSet, ContactCardViewSet, ProjectViewSet, TopicViewSet)


register_snippet(EventContentGroup)


class GroupLocalePermissionViewSet(ModelViewSet):
    model = GroupLocalePermission
    icon = "globe"
    menu_label = _("Translators' languages")
    add_to_settings_menu = True
    list_display = ["group", "locale"]
    list_filter = ["group", "locale"]
    form_fields = ["group", "locale"]


@hooks.register("register_admin_urls", order=-10)
def register_po_upload():
    # Same address as wagtail-localize's upload view, listed first so that this one answers.
    return [
        path(
            "localize/translate/<int:translation_id>/pofile/upload/",
            localize_po.upload_pofile,
            name="cms_upload_pofile",
        )
    ]


@hooks.register("register_admin_urls", order=-10)
def register_translation_views():
    # wagtail-localize's addresses, listed first so that these answer (see cms.localize.views).
    return [
        path(
            "localize/submit/page/<int:page_id>/",
            localize_views.SubmitPageTranslationView.as_view(),
            name="cms_submit_page_translation",
        ),
        path(
            "localize/submit/snippet/<slug:app_label>/<slug:model_name>/<str:pk>/",
            localize_views.SubmitSnippetTranslationView.as_view(),
            name="cms_submit_snippet_translation",
        ),
        path(
            "localize/update/<int:translation_source_id>/",
            localize_views.update_translations,
            name="cms_update_translations",
        ),
        path(
            "localize/page/<int:page_id>/convert_to_alias/",
            localize_views.convert_to_alias,
            name="cms_convert_to_alias",
        ),
    ]


@hooks.register("register_admin_viewset")
def register_group_locale_permissions():
    return GroupLocalePermissionViewSet("translator_languages")


hooks.register("before_bulk_action", refuse_bulk_action, order=-10)


# --- Publishing what a page or snippet shows (cms.publishing) ---------------------------------------------------


def _before_publishing(request, obj, edit_url):
    """Just before Wagtail publishes ``obj`` from its edit view (the form has been saved as a draft revision):
    with “Publish with the chosen drafts”, publish the unpublished snippets it shows first; without it, refuse
    (the form refuses first; this holds whatever reaches publishing anyway) and go back to the editor."""
    shown = publishing.unpublished_shown_by(obj)
    if not shown:
        return None
    if request.POST.get("action-publish") == publishing.PUBLISH_WITH:
        problems = publishing.publish_together_problems(shown, request.user)
        if not problems:
            publishing.publish_together(shown, request.user)
            items = publishing.describe_all(shown)
            messages.success(request, gettext("Published with it: %(items)s.") % {"items": items})
            return None
        message = " ".join(problems)
    else:
        message = publishing.refusal_message(shown)
    messages.error(request, gettext("Saved as a draft, not published. %(reason)s") % {"reason": message})
    return redirect(edit_url)


@hooks.register("before_publish_page")
def publish_page_with_chosen_drafts(request, page):
    return _before_publishing(request, page, reverse("wagtailadmin_pages:edit", args=[page.pk]))


@hooks.register("before_publish")
def publish_snippet_with_chosen_drafts(request, obj):
    if type(obj) not in publishing.watched_models():
        return None
    return _before_publishing(request, obj, AdminURLFinder(request.user).get_edit_url(obj))


hooks.register("before_bulk_action", publishing.refuse_bulk_publish)


class PublishWithChosenDraftsMixin:
    """“Publish with the chosen drafts”, beside Wagtail's “Publish”: shown while the content shows unpublished
    snippets, and after a refused publish (the form then names them)."""

    label = publishing.PUBLISH_WITH_LABEL
    template_name = "cms/action_menu/publish_with_chosen.html"
    icon_name = "upload"

    def shows_unpublished(self, context, obj):
        request = context["request"]
        if request.method == "POST" and request.POST.get("action-publish"):
            return True
        return obj is not None and bool(publishing.unpublished_shown_by(obj))

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context["value"] = publishing.PUBLISH_WITH
        context["label"] = self.label
        return context


class PagePublishWithChosenDraftsMenuItem(PublishWithChosenDraftsMixin, PagePublishMenuItem):
    def is_shown(self, context):
        if not super().is_shown(context):
            return False
        # The create view's menu is not given the page being created.
        return self.shows_unpublished(context, context.get("page"))


class SnippetPublishWithChosenDraftsMenuItem(PublishWithChosenDraftsMixin, SnippetPublishMenuItem):
    def is_shown(self, context):
        if not super().is_shown(context):
            return False
        return self.shows_unpublished(context, context.get("instance"))


@hooks.register("register_page_action_menu_item")
def register_publish_page_with_chosen_drafts():
    return PagePublishWithChosenDraftsMenuItem(order=35)


@hooks.register("register_snippet_action_menu_item")
def register_publish_snippet_with_chosen_drafts(model):
    # Only snippets that choose other snippets (people and contact cards name an organisation) can need it.
    watched = publishing.watched_models()
    if model not in watched or not any(
        field.concrete and field.is_relation and field.related_model in watched for field in model._meta.get_fields()
    ):
        return None
    return SnippetPublishWithChosenDraftsMenuItem(order=35)


class WorkflowActionView(PageWorkflowActionView):
    """Workflow actions from the dashboard and listings: approving the last step, which publishes the page, is
    refused while the page shows unpublished snippets; the editor lands on the page with the reason. (Approving in
    the page editor goes through its form, ``cms.publishing.PublishingRuleFormMixin``.)"""

    def post(self, request, *args, **kwargs):
        page = self.object.specific
        state = page.current_workflow_state
        if self.action_name == "approve" and state is not None and state.is_at_final_task:
            shown = publishing.unpublished_shown_by(page.get_latest_revision_as_object())
            if shown:
                messages.error(request, publishing.approval_refusal_message(shown))
                edit_url = reverse("wagtailadmin_pages:edit", args=[quote(page.pk)])
                if request.headers.get("x-requested-with") == "XMLHttpRequest":
                    return self.render_modal_json(request, {"step": "success", "redirect": edit_url})
                return redirect(edit_url)
        return super().post(request, *args, **kwargs)


class PublishingRulePageViewSet(PageViewSet):
    """Every page type's admin views, with the workflow action above. A viewset registered for one page type
    replaces this one for it and must use ``WorkflowActionView`` too (tests/cms/test_publishing.py checks)."""

    workflow_action_view_class = WorkflowActionView


@hooks.register("register_admin_viewset", order=1)
def register_page_viewset():
    # After Wagtail's own viewset for every page type (registered with order -1), which this one replaces.
    return PublishingRulePageViewSet("cms_pages", model=Page)


@hooks.register("register_log_actions")
def register_publishing_log_actions(actions):
    @actions.register_action(publishing.REFUSED_LOG_ACTION)
    class RefusedPublishingFormatter(LogFormatter):
        label = _("Scheduled publishing not done")

        def format_message(self, log_entry):
            return gettext(
                "Not published at the scheduled time: it shows items that are not published (%(items)s). Publish "
                "them, then publish this again."
            ) % {"items": publishing.describe_logged((log_entry.data or {}).get("items", []))}


import cms.admin_menu  # noqa: E402, F401  (registers the event reports menu entry)
import cms.editor_hooks  # noqa: E402, F401  (registers its hooks)
from cms import admin_dates  # noqa: E402, F401  (registers its hooks)
from cms.localize import overview as localize_overview  # noqa: E402, F401  (registers its hooks)
