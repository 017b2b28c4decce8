"""The choosers of people, organisations, contact cards, projects and topics, as an editor meets them in a report.

- Limited to the content's language: the admin opens a chooser with the language of the page or snippet being
  edited (``?locale=``, Wagtail's ``ACTIVE_CONTENT_LOCALE``); the chooser then lists only what is in that
  language and offers no other. (The edit forms refuse one of another language, see ``cms.publishing``.)
- With a “Create” tab: the editor adds a missing person (organisation, contact card…) without leaving the
  report. It is created in the report's language and **as a draft**, as the snippet's own “Save draft” would: it
  becomes public together with the report, when the editor publishes the report with “Publish with the chosen
  drafts” (which names it), and never before. Created live, a person typed in a hurry would be public at once,
  through the API's people endpoint, before anyone published the report that introduced her — and would stay
  public if the report were abandoned.
"""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.actions.registry import action_registry
from wagtail.models import Locale
from wagtail.snippets.views.chooser import (
    ChooseResultsView,
    ChooseView,
    SnippetChooserViewSet,
    SnippetCreateView,
)

from blocks.widgets import SnippetChooserWidget
from cms.localize.slugs import slugify
from cms.models import ContactCard, Organisation, Person, Project, Topic
from cms.models.permissions import user_can_edit_locale


class ContentLocaleMixin:
    """The language the chooser works in: the ``?locale=`` it was opened with (the content's), else the
    default language (what a new snippet gets)."""

    @cached_property
    def requested_locale(self):
        code = self.request.GET.get("locale")
        return Locale.objects.filter(language_code=code).first() if code else None

    @cached_property
    def content_locale(self):
        return self.requested_locale or Locale.get_default()


class SameLocaleListingMixin(ContentLocaleMixin):
    """Only what is in the content's language, without Wagtail's “All languages” choice."""

    def get_object_list(self):
        objects = super().get_object_list()
        if self.request.GET.get("locale"):
            # An unknown language lists nothing rather than everything.
            objects = objects.filter(locale=self.requested_locale) if self.requested_locale else objects.none()
        return objects

    def get_filter_form_class(self):
        form_class = super().get_filter_form_class()
        if not self.request.GET.get("locale"):
            return form_class

        class FilterForm(form_class):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                # The language is fixed by the content (kept in the addresses the chooser calls, see
                # ``preserve_url_parameters``): offering another would only let an editor choose wrongly.
                self.fields.pop("locale", None)

        return FilterForm


class CreateInLocaleMixin(ContentLocaleMixin):
    """The “Create” tab makes the new snippet in the content's language, for editors who may work in it."""

    def can_create(self):
        return super().can_create() and user_can_edit_locale(self.request.user, self.content_locale.pk)

    def get_creation_form_kwargs(self):
        kwargs = super().get_creation_form_kwargs()
        kwargs["instance"] = self.model_class(locale=self.content_locale)
        return kwargs


class LocaleChooseView(SameLocaleListingMixin, CreateInLocaleMixin, ChooseView):
    pass


class LocaleChooseResultsView(SameLocaleListingMixin, CreateInLocaleMixin, ChooseResultsView):
    pass


class DraftCreateView(CreateInLocaleMixin, SnippetCreateView):
    """Saves the new snippet as a draft with its first revision, through Wagtail's create action (which logs it
    as created by the editor), then hands it to the chooser."""

    def dispatch(self, request, *args, **kwargs):
        if self.request.GET.get("locale") and self.requested_locale is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def save_form(self, form):
        action_class = action_registry.get_action_class(self.model_class, "create")
        action = action_class(form.instance, user=self.request.user, form=form, publish=False)
        # The right to add was checked by dispatch() (can_create(), with the language).
        return action.execute(skip_permission_checks=True)


class ContentLocaleChooserViewSet(SnippetChooserViewSet):
    """A snippet chooser limited to the content's language, with a “Create” tab that saves a draft."""

    choose_view_class = LocaleChooseView
    choose_results_view_class = LocaleChooseResultsView
    create_view_class = DraftCreateView
    base_widget_class = SnippetChooserWidget
    # The results, pages and the “Create” form keep the content's language.
    preserve_url_parameters = ["multiple", "locale"]
    creation_tab_label = _("Create")
    create_action_clicked_label = _("Creating…")


# --- Creation forms: what an editor knows while writing a report -----------------------------------------------


class CreationForm(forms.ModelForm):
    """A short form for the “Create” tab. Choices of other snippets are those in the new one's language."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset.model, "locale"):
                field.queryset = queryset.filter(locale=self.instance.locale_id)


class PersonCreationForm(CreationForm):
    class Meta:
        model = Person
        fields = ["name", "job_title", "organisation"]


class OrganisationCreationForm(CreationForm):
    class Meta:
        model = Organisation
        fields = ["name", "acronym", "website"]


class ContactCardCreationForm(CreationForm):
    class Meta:
        model = ContactCard
        fields = ["name", "position", "unit", "organisation", "phone", "email", "web_page"]


class ProjectCreationForm(CreationForm):
    class Meta:
        model = Project
        fields = ["name", "kind", "code", "funding_programme"]


class TopicCreationForm(CreationForm):
    class Meta:
        model = Topic
        fields = ["name", "slug"]
        help_texts = {"slug": _("Latin letters, digits and hyphens. Empty: made from the name.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("slug") and cleaned_data.get("name") and "slug" not in self.errors:
            cleaned_data["slug"] = slugify(cleaned_data["name"])
            if not cleaned_data["slug"]:
                self.add_error("slug", _("Give the slug: the name has no letters or digits to make it from."))
        slug = cleaned_data.get("slug")
        # The unique slug per language is a constraint on the language, which the form does not show, so Django
        # would not check it here.
        if slug and Topic.objects.filter(locale=self.instance.locale_id, slug=slug).exists():
            self.add_error(
                "slug",
                ValidationError(
                    gettext("A topic with the slug “%(slug)s” already exists in this language: choose it instead.")
                    % {"slug": slug},
                    code="unique",
                ),
            )
        return cleaned_data


def chooser_viewset_for(form_class, label):
    """The chooser viewset class of one snippet model, with ``form_class`` on its “Create” tab."""
    return type(
        f"{form_class._meta.model.__name__}ChooserViewSet",
        (ContentLocaleChooserViewSet,),
        {"creation_form_class": form_class, "create_action_label": label},
    )


PersonChooserViewSet = chooser_viewset_for(PersonCreationForm, _("Create person"))
OrganisationChooserViewSet = chooser_viewset_for(OrganisationCreationForm, _("Create organisation"))
ContactCardChooserViewSet = chooser_viewset_for(ContactCardCreationForm, _("Create contact card"))
ProjectChooserViewSet = chooser_viewset_for(ProjectCreationForm, _("Create project or series"))
TopicChooserViewSet = chooser_viewset_for(TopicCreationForm, _("Create topic"))
