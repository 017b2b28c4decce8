"""Admin registration: all reusable event content under one “Event content” menu."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.localize import po as localize_po
from cms.localize import views as localize_views
from cms.localize.rights import LanguageLimitedViewSetMixin, refuse_bulk_action
from cms.models import ContactCard, GroupLocalePermission, Organisation, Person, Project, Topic


class TranslatableSnippetViewSet(LanguageLimitedViewSetMixin, SnippetViewSet):
    """The admin of a translatable snippet: users limited to some languages change only content in theirs."""


class PersonViewSet(TranslatableSnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", "job_title", "organisation", "locale", "live"]
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
    list_display = ["name", "acronym", "website", "locale", "live"]
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
    list_display = ["name", "position", "unit", "last_verified", "locale", "live"]
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
    list_display = ["name", "kind", "code", "funding_programme", "locale", "live"]
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
    list_display = ["name", "slug", "locale", "live"]
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
from cms.localize import overview as localize_overview  # noqa: E402, F401  (registers its hooks)
