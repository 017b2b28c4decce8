"""Reusable content kept in one place and chosen from reports: people, organisations, contacts, topics.

Every snippet is translatable (``TranslatableMixin``) and has drafts and revisions: a change to a person's
bio or a contact's phone number is prepared, reviewed and published like a page.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from modelcluster.models import ClusterableModel
from wagtail.fields import StreamField
from wagtail.models import DraftStateMixin, PreviewableMixin, RevisionMixin, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from blocks.streams import link_blocks
from cms.validators import SafeRichTextField, SafeURLField, phone_e164, validate_phone

from .loading import RowLoaded
from .preview import FrontendPreviewMixin


class SnippetBase(RowLoaded, DraftStateMixin, RevisionMixin, TranslatableMixin, index.Indexed, ClusterableModel):
    class Meta(TranslatableMixin.Meta):
        abstract = True


class Organisation(FrontendPreviewMixin, PreviewableMixin, SnippetBase):
    """An organisation that organises, funds or takes part in events (e.g. a municipality or an association)."""

    name = models.CharField(_("name"), max_length=255)
    acronym = models.CharField(_("acronym"), max_length=32, blank=True, help_text=_("e.g. “LSUA”."))
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("Former or informal names, one per line (e.g. “Rēzeknes novada dome”). Used by search."),
    )
    website = SafeURLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("acronym"),
        index.SearchField("aliases"),
        index.FilterField("locale"),
        index.FilterField("live"),
    ]

    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("acronym"),
        TranslatableField("aliases"),
        SynchronizedField("website"),
        SynchronizedField("logo", overridable=False),
    ]

    class Meta(SnippetBase.Meta):
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.acronym})" if self.acronym else self.name


class Person(FrontendPreviewMixin, PreviewableMixin, SnippetBase):
    """A speaker, moderator or other person who appears in reports: one bio reused everywhere."""

    name = models.CharField(
        pgettext_lazy("person", "name"),
        max_length=255,
        help_text=_("First name and surname in the nominative, e.g. “Maija Hartmane” (not “Maiju Hartmani”)."),
    )
    job_title = models.CharField(
        _("current job title"),
        max_length=255,
        blank=True,
        help_text=_("Today's title. The role a person had at a particular event is entered in that report."),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("current organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    aliases = models.TextField(
        _("other names"),
        blank=True,
        help_text=_("Other spellings or former names, one per line (e.g. a maiden name or “M. Hartmane”)."),
    )
    bio = SafeRichTextField(_("short bio"), blank=True, features=["bold", "italic", "link"])
    links = StreamField(link_blocks(), verbose_name=_("links"), blank=True)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("aliases"),
        index.SearchField("job_title"),
        index.FilterField("locale"),
        index.FilterField("live"),
        index.FilterField("organisation"),
    ]

    # A name is written the same in every language; a translator may still adapt it (e.g. transliteration).
    translatable_fields = [
        SynchronizedField("name"),
        SynchronizedField("aliases"),
        TranslatableField("job_title"),
        TranslatableField("organisation"),
        SynchronizedField("photo", overridable=False),
        TranslatableField("bio"),
        TranslatableField("links"),
    ]

    class Meta(SnippetBase.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def alternate_names(self):
        return names_per_line(self.aliases)


def names_per_line(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ContactCard(FrontendPreviewMixin, PreviewableMixin, SnippetBase):
    """Whom to contact about a topic: name, position and how to reach them, kept current in one place.

    A card may name a person and their position, or only an organisation or unit (“the municipality's
    social service”), and may give no way to get in touch when the report gives none."""

    name = models.CharField(
        pgettext_lazy("person", "name"),
        max_length=255,
        blank=True,
        help_text=_("In the nominative. Empty when the contact is an organisation or unit."),
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    unit = models.CharField(_("unit"), max_length=255, blank=True, help_text=_("Department or unit, e.g. “IUK”."))
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact_cards",
    )
    phone = models.CharField(
        _("phone"),
        max_length=32,
        blank=True,
        validators=[validate_phone],
        help_text=_("As it should be shown, e.g. “+371 64607181” or “(+371) 640-00000”."),
    )
    # The number itself, for tel: links and matching (E.164, e.g. +37164607181); kept by clean() and save().
    phone_e164 = models.CharField(max_length=16, blank=True, editable=False)
    email = models.EmailField(_("e-mail"), blank=True)
    web_page = SafeURLField(_("web page"), blank=True, help_text=_("e.g. the municipality's contacts page."))
    address = models.TextField(_("address"), blank=True)
    last_verified = models.DateField(
        _("last verified"),
        null=True,
        blank=True,
        help_text=_("When someone last checked that these details are correct."),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("position"),
        index.SearchField("unit"),
        index.FilterField("locale"),
        index.FilterField("live"),
        index.FilterField("unit"),
    ]

    translatable_fields = [
        SynchronizedField("name"),
        TranslatableField("position"),
        TranslatableField("unit"),
        TranslatableField("organisation"),
        SynchronizedField("phone", overridable=False),
        SynchronizedField("phone_e164", overridable=False),
        SynchronizedField("email", overridable=False),
        SynchronizedField("web_page"),
        TranslatableField("address"),
        SynchronizedField("last_verified", overridable=False),
    ]

    class Meta(SnippetBase.Meta):
        verbose_name = _("contact card")
        verbose_name_plural = _("contact cards")
        ordering = ["name"]

    def __str__(self):
        who = self.name or self.unit or (self.organisation.name if self.organisation_id else "")
        return f"{who}, {self.position}" if self.position and who else who or self.position

    def clean(self):
        super().clean()
        errors = {}
        named = self.name.strip()
        if not (named or self.unit.strip() or self.organisation_id):
            errors["name"] = _("Give the contact's name, or choose the organisation (or give the unit) to contact.")
        elif named and not (self.position.strip() or self.organisation_id or self.unit.strip() or self.reachable):
            errors["position"] = _(
                "A name alone says too little: give the position or organisation, or a way to get in touch."
            )
        if self.last_verified and self.last_verified > timezone.localdate():
            errors["last_verified"] = _("The date of the last check cannot be in the future.")
        # A number that does not parse is reported once, by the field's own validator (validate_phone).
        self.phone_e164 = _e164_or_empty(self.phone)
        if errors:
            raise ValidationError(errors)

    @property
    def reachable(self):
        return bool(self.phone or self.email or self.web_page or self.address.strip())

    def save(self, *args, **kwargs):
        # Kept here as well as in clean(): a writer that skips validation still stores the dialable form.
        self.phone_e164 = _e164_or_empty(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = list({*update_fields, "phone_e164"})
        return super().save(*args, **kwargs)


def _e164_or_empty(phone):
    try:
        return phone_e164(phone) if phone else ""
    except ValidationError:
        return ""


class Topic(SnippetBase):
    """A subject that reports are filed under (e.g. “Social entrepreneurship”); readers filter by it."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        allow_unicode=False,
        help_text=_("Latin letters, digits and hyphens; used in addresses and API filters."),
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.FilterField("locale"),
    ]

    translatable_fields = [TranslatableField("name"), SynchronizedField("slug", overridable=False)]

    class Meta(SnippetBase.Meta):
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["locale", "slug"], name="cms_topic_unique_slug_per_locale"),
        ]

    def __str__(self):
        return self.name


class ProjectKind(models.TextChoices):
    PROJECT = "project", _("Project")
    PROGRAMME = "programme", _("Programme")
    SERIES = "series", _("Event series")


class Project(FrontendPreviewMixin, PreviewableMixin, SnippetBase):
    """A project, funding programme or event series that reports belong to (an Erasmus+ or LEADER project,
    “the regional entrepreneurship forums”): named once, linked from each report, with its own page of
    reports on the public site."""

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=ProjectKind.choices, default=ProjectKind.PROJECT)
    code = models.CharField(
        _("number"), max_length=100, blank=True, help_text=_("The project's number or code, e.g. “2020-1-LV01-KA204”.")
    )
    funding_programme = models.CharField(
        _("funding programme"),
        max_length=255,
        blank=True,
        help_text=_("e.g. “Erasmus+”, “LEADER”, “Interreg Latvija–Lietuva”."),
    )
    website = SafeURLField(_("website"), blank=True)
    logo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("logo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("code"),
        index.SearchField("funding_programme"),
        index.FilterField("locale"),
        index.FilterField("live"),
        index.FilterField("kind"),
    ]

    translatable_fields = [
        TranslatableField("name"),
        SynchronizedField("kind", overridable=False),
        SynchronizedField("code", overridable=False),
        TranslatableField("funding_programme"),
        SynchronizedField("website"),
        SynchronizedField("logo", overridable=False),
    ]

    class Meta(SnippetBase.Meta):
        verbose_name = _("project or series")
        verbose_name_plural = _("projects and series")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.code})" if self.code else self.name
