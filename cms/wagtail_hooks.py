"""Admin registration: all reusable event content under one “Event content” menu."""

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.models import TranslatableMixin
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from cms.localize import po as localize_po
from cms.models import ContactCard, GroupLocalePermission, Organisation, Person, Topic
from cms.models.permissions import user_can_edit_locale


class PersonViewSet(SnippetViewSet):
    model = Person
    icon = "user"
    list_display = ["name", "job_title", "organisation", "locale", "live"]
    list_filter = ["locale", "live", "organisation"]
    panels = [
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("job_title"), FieldPanel("organisation")]),
        FieldPanel("photo"),
        FieldPanel("bio"),
        FieldPanel("links"),
    ]


class OrganisationViewSet(SnippetViewSet):
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


class ContactCardViewSet(SnippetViewSet):
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


class TopicViewSet(SnippetViewSet):
    model = Topic
    icon = "tag"
    list_display = ["name", "slug", "locale", "live"]
    list_filter = ["locale", "live"]
    panels = [FieldPanel("name"), FieldPanel("slug")]


class EventContentGroup(SnippetViewSetGroup):
    menu_label = _("Event content")
    menu_icon = "folder-open-inverse"
    menu_order = 200
    items = (PersonViewSet, OrganisationViewSet, ContactCardViewSet, TopicViewSet)


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


@hooks.register("register_admin_viewset")
def register_group_locale_permissions():
    return GroupLocalePermissionViewSet("translator_languages")


def _refuse_other_languages(request, instances):
    # Runs before wagtail-localize's own hooks, which open the translation editor.
    instances = instances if isinstance(instances, list | tuple) else [instances]
    for instance in instances:
        if isinstance(instance, TranslatableMixin) and not user_can_edit_locale(request.user, instance.locale_id):
            raise PermissionDenied


for _hook in ("before_edit_page", "before_edit_snippet", "before_delete_page", "before_delete_snippet"):
    hooks.register(_hook, _refuse_other_languages, order=-10)
