"""Page types: an index of event reports and the structured event report itself."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page, TranslatableMixin
from wagtail.search import index
from wagtail_localize.fields import SynchronizedField, TranslatableField

from blocks.streams import contact_blocks, follow_up_blocks, report_body_blocks, resource_blocks
from cms.forms import EventReportPageForm

from .preview import FrontendPageMixin


class EventReportIndexPage(FrontendPageMixin, Page):
    """The section that lists event reports (e.g. “Pasākumi”); reports are created beneath it."""

    intro = models.TextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["cms.EventReportPage"]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("intro"),
    ]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("event report index")
        verbose_name_plural = _("event report indexes")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["reports"] = EventReportPage.objects.child_of(self).live().public().order_by("-start_date", "-pk")
        return context


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    ON_SITE = "on_site", _("On site")
    HYBRID = "hybrid", _("Hybrid (on site and online)")
    NOT_STATED = "not_stated", _("Not stated")


class CountQualifier(models.TextChoices):
    EXACT = "exact", _("Exactly")
    APPROXIMATELY = "approximately", _("Approximately")
    MORE_THAN = "more_than", _("More than")
    NOT_STATED = "not_stated", _("Not stated")


class EventReportPage(FrontendPageMixin, Page):
    """A report on a past event (forum, seminar, public discussion): who spoke, what was discussed and decided,
    what happens next and whom to contact."""

    lead = models.TextField(
        _("lead"),
        max_length=600,
        help_text=_("Two or three sentences for listings and link previews."),
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("hero image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    hero_image_alt = models.CharField(
        _("hero image alt text"),
        max_length=255,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    publication_date = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_("The date printed on the report. Empty: the date it was first published here."),
    )

    event_name = models.CharField(
        _("event name"),
        max_length=255,
        blank=True,
        help_text=_("The event's own name, e.g. “Sociālā uzņēmējdarbība Rēzeknes novadā”. Empty: the page title."),
    )
    start_date = models.DateField(_("start date"), db_index=True)
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Only for events lasting more than one day.")
    )
    event_format = models.CharField(
        _("format"), max_length=16, choices=EventFormat.choices, default=EventFormat.NOT_STATED
    )
    venue_name = models.CharField(_("venue"), max_length=255, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    online_platform = models.CharField(
        _("online platform"), max_length=100, blank=True, help_text=_("e.g. Zoom, MS Teams, Facebook live.")
    )
    participant_count = models.PositiveIntegerField(
        _("number of participants"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    participant_count_qualifier = models.CharField(
        _("number is"),
        max_length=16,
        choices=CountQualifier.choices,
        default=CountQualifier.NOT_STATED,
        help_text=_("Write what the source says: “more than 20” is “More than” and 20."),
    )
    topics = ParentalManyToManyField("cms.Topic", verbose_name=_("topics"), blank=True, related_name="reports")

    body = StreamField(report_body_blocks(), verbose_name=_("report"), blank=True)
    contacts_intro = models.TextField(
        _("contacts introduction"),
        blank=True,
        help_text=_("e.g. “Social entrepreneurs are invited to contact…”"),
    )
    contacts = StreamField(contact_blocks(), verbose_name=_("contacts"), blank=True)
    follow_ups = StreamField(follow_up_blocks(), verbose_name=_("follow-up activities"), blank=True)
    resources = StreamField(resource_blocks(), verbose_name=_("recordings, slides and summaries"), blank=True)

    search_fields = Page.search_fields + [
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("start_date"),
        index.FilterField("event_format"),
    ]

    parent_page_types = ["cms.EventReportIndexPage"]
    subpage_types = []
    base_form_class = EventReportPageForm

    # What translators see, and what follows the Latvian source. Stream blocks decide per child through
    # their block types (text blocks are translated, choices/dates/numbers copied, URLs overridable);
    # snippet choosers and organisers point at the same-locale copy of the snippet.
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("slug"),
        TranslatableField("seo_title"),
        TranslatableField("search_description"),
        TranslatableField("lead"),
        TranslatableField("event_name"),
        TranslatableField("hero_image_alt"),
        TranslatableField("venue_name"),
        TranslatableField("venue_address"),
        TranslatableField("body"),
        TranslatableField("contacts_intro"),
        TranslatableField("contacts"),
        TranslatableField("follow_ups"),
        TranslatableField("resources"),
        TranslatableField("sessions"),
        TranslatableField("audience_groups"),
        TranslatableField("organisers"),
        SynchronizedField("hero_image", overridable=False),
        SynchronizedField("publication_date", overridable=False),
        SynchronizedField("start_date", overridable=False),
        SynchronizedField("end_date", overridable=False),
        SynchronizedField("event_format", overridable=False),
        SynchronizedField("online_platform"),
        SynchronizedField("participant_count", overridable=False),
        SynchronizedField("participant_count_qualifier", overridable=False),
        SynchronizedField("topics", overridable=False),
    ]

    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading=_("Hero image")),
        FieldPanel("body"),
    ]
    event_panels = [
        FieldPanel("event_name"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("start_date"), FieldPanel("end_date")]),
                InlinePanel("sessions", label=_("Sessions"), heading=_("Sessions (for events on several days)")),
            ],
            heading=_("When"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("event_format"),
                FieldRowPanel([FieldPanel("venue_name"), FieldPanel("venue_address")]),
                FieldPanel("online_platform"),
            ],
            heading=_("Where"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("participant_count_qualifier"), FieldPanel("participant_count")]),
                InlinePanel("audience_groups", label=_("Audience group")),
            ],
            heading=_("Participants"),
        ),
        InlinePanel("organisers", label=_("Organiser"), heading=_("Organisers, partners and funders")),
        FieldPanel("topics"),
    ]
    follow_up_panels = [
        FieldPanel("follow_ups"),
        FieldPanel("contacts_intro"),
        FieldPanel("contacts"),
        FieldPanel("resources"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("publication_date")]

    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(event_panels, heading=_("Event")),
            ObjectList(follow_up_panels, heading=_("Follow-up and contacts")),
            ObjectList(promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    class Meta:
        verbose_name = _("event report")
        verbose_name_plural = _("event reports")

    def clean(self):
        super().clean()
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.event_format == EventFormat.ONLINE and (self.venue_name or self.venue_address):
            errors["venue_name"] = _("An online event has no venue; choose “Hybrid” if it also took place on site.")
        if self.event_format == EventFormat.ON_SITE and self.online_platform:
            errors["online_platform"] = _(
                "An on-site event has no online platform; choose “Hybrid” if it was also streamed."
            )
        stated = self.participant_count_qualifier != CountQualifier.NOT_STATED
        if stated and self.participant_count is None:
            errors["participant_count"] = _("Enter the number of participants, or choose “Not stated”.")
        if not stated and self.participant_count is not None:
            errors["participant_count_qualifier"] = _("Say how exact the number is (exactly, approximately, …).")
        if errors:
            raise ValidationError(errors)

    @property
    def hero_image_alt_text(self):
        return self.hero_image_alt or (self.hero_image.default_alt_text if self.hero_image else "")


class EventSession(TranslatableMixin, Orderable):
    """One session of a multi-day event: its day, time and an optional title."""

    page = ParentalKey(EventReportPage, related_name="sessions", on_delete=models.CASCADE)
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    part_of_day = models.CharField(
        _("part of day"),
        max_length=16,
        blank=True,
        choices=[
            ("morning", _("Morning")),
            ("afternoon", _("Afternoon")),
            ("evening", _("Evening")),
            ("all_day", _("All day")),
        ],
        help_text=_("When the exact time is not known, e.g. “in the afternoon”."),
    )
    title = models.CharField(_("title"), max_length=255, blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date"), FieldPanel("start_time"), FieldPanel("end_time")]),
        FieldRowPanel([FieldPanel("part_of_day"), FieldPanel("title")]),
    ]
    translatable_fields = [
        TranslatableField("title"),
        SynchronizedField("date", overridable=False),
        SynchronizedField("start_time", overridable=False),
        SynchronizedField("end_time", overridable=False),
        SynchronizedField("part_of_day", overridable=False),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["sort_order"]

    def clean(self):
        super().clean()
        if self.start_time and self.end_time and self.end_time < self.start_time:
            raise ValidationError({"end_time": _("The end time cannot be before the start time.")})


class EventAudienceGroup(TranslatableMixin, Orderable):
    """A group of people who took part (e.g. entrepreneurs, municipal staff, NGO representatives)."""

    page = ParentalKey(EventReportPage, related_name="audience_groups", on_delete=models.CASCADE)
    name = models.CharField(_("group"), max_length=255)

    panels = [FieldPanel("name")]
    translatable_fields = [TranslatableField("name")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("audience group")
        verbose_name_plural = _("audience groups")
        ordering = ["sort_order"]


class OrganiserPart(models.TextChoices):
    ORGANISER = "organiser", _("Organiser")
    PARTNER = "partner", _("Partner")
    FUNDER = "funder", _("Funder or programme")


class EventOrganiser(TranslatableMixin, Orderable):
    """An organisation behind the event and its part in it (organiser, partner, funder)."""

    page = ParentalKey(EventReportPage, related_name="organisers", on_delete=models.CASCADE)
    # SET_NULL rather than PROTECT: Wagtail's delete view shows where a snippet is used but has no
    # answer to ProtectedError (it would be a 500). A row whose organisation is gone is simply not shown.
    organisation = models.ForeignKey(
        "cms.Organisation",
        verbose_name=_("organisation"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    part = models.CharField(_("part"), max_length=16, choices=OrganiserPart.choices, default=OrganiserPart.ORGANISER)

    panels = [FieldRowPanel([FieldPanel("organisation"), FieldPanel("part")])]
    translatable_fields = [TranslatableField("organisation"), SynchronizedField("part", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("organiser")
        verbose_name_plural = _("organisers")
        ordering = ["sort_order"]
