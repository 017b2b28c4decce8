"""Page types: an index of event reports and the structured event report itself."""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
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
from cms import dates
from cms.dates import DatePrecision
from cms.forms import EventReportPageForm
from cms.validators import SafeURLField
from cms.widgets import TopicsWidget

from .loading import RowLoaded
from .preview import FrontendPageMixin


def _language_codes():
    """Codes a source language may have: the site's languages and any Django knows (a report may come from
    German or Lithuanian)."""
    from django.conf.global_settings import LANGUAGES as KNOWN

    return {code for code, _name in (*settings.LANGUAGES, *KNOWN)}


class EventReportIndexPage(RowLoaded, FrontendPageMixin, Page):
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
        # Newest first; reports whose date is not known last (PostgreSQL would put NULLs first when descending).
        context["reports"] = (
            EventReportPage.objects.child_of(self)
            .live()
            .public()
            .order_by(models.F("starts_on").desc(nulls_last=True), "-pk")
        )
        return context


class EventFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    ON_SITE = "on_site", _("On site")
    HYBRID = "hybrid", _("Hybrid (on site and online)")
    NOT_STATED = "not_stated", _("Not stated")


class EventKind(models.TextChoices):
    FORUM = "forum", _("Forum")
    SEMINAR = "seminar", _("Seminar")
    WORKSHOP = "workshop", _("Workshop")
    MEETING = "meeting", _("Meeting")
    PUBLIC_DISCUSSION = "public_discussion", _("Public discussion")
    DEBATE = "debate", _("Debate")
    CONFERENCE = "conference", _("Conference")
    CONGRESS = "congress", _("Congress")
    OTHER = "other", _("Other")
    NOT_STATED = "not_stated", _("Not stated")


class CountQualifier(models.TextChoices):
    EXACT = "exact", _("Exactly")
    APPROXIMATELY = "approximately", _("Approximately")
    MORE_THAN = "more_than", _("More than")
    NOT_STATED = "not_stated", _("Not stated")


class EventReportPage(RowLoaded, FrontendPageMixin, Page):
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
    hero_image_decorative = models.BooleanField(
        _("Decorative image"),
        default=False,
        help_text=_("Tick only if the image adds no information; it then needs no alt text."),
    )
    publication_date = models.DateField(
        _("publication date"),
        null=True,
        blank=True,
        help_text=_(
            "The date printed on the report. Empty: the date it was first published here, unless the report was "
            "taken from elsewhere (a source address is given) — then it stays unknown."
        ),
    )
    publication_date_precision = models.CharField(
        _("publication date is"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    publication_date_text = models.CharField(
        _("publication date as written"),
        max_length=100,
        blank=True,
        help_text=_("The source's own words when they are not a full date, e.g. “2021. gada maijā”."),
    )
    author_name = models.CharField(_("author"), max_length=255, blank=True, help_text=_("The report's byline."))
    author_position = models.CharField(
        _("author's position"), max_length=255, blank=True, help_text=_("e.g. “sabiedrisko attiecību speciāliste”.")
    )
    author_organisation = models.ForeignKey(
        "cms.Organisation",
        verbose_name=_("author's organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    source_url = SafeURLField(
        _("source address"), blank=True, help_text=_("Where the report was first published, when it was taken over.")
    )
    source_language = models.CharField(
        _("source language"),
        max_length=16,
        blank=True,
        help_text=_("Language code of the original text (e.g. “en”), when the report was written in another one."),
    )
    machine_translated = models.BooleanField(
        _("machine-translated"),
        default=False,
        help_text=_("The text was translated from the source language by machine translation."),
    )

    event_name = models.CharField(
        _("event name"),
        max_length=255,
        blank=True,
        help_text=_("The event's own name, e.g. “Sociālā uzņēmējdarbība Rēzeknes novadā”. Empty: the page title."),
    )
    event_kind = models.CharField(
        _("kind of event"), max_length=20, choices=EventKind.choices, default=EventKind.NOT_STATED
    )
    event_kind_text = models.CharField(
        _("kind as written"),
        max_length=100,
        blank=True,
        help_text=_("The report's own word for it when it says more, e.g. “izbraukuma seminārs”."),
    )
    date_precision = models.CharField(
        _("dates are"),
        max_length=8,
        choices=DatePrecision.choices,
        default=DatePrecision.DAY,
        help_text=_("How exactly the report gives the dates: “in May 2021” is “Month only”."),
    )
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("With “Month only” or “Year only”: the first day of that month or year."),
    )
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Only for events lasting more than one day.")
    )
    date_text = models.CharField(
        _("dates as written"),
        max_length=100,
        blank=True,
        help_text=_("The report's own words when they are not full dates, e.g. “maija beigās”."),
    )
    # The first and last day the event may have covered (the whole month for “May 2021”), kept by save() for the
    # API's date filters; both empty when the date is not known.
    starts_on = models.DateField(editable=False, null=True, db_index=True)
    ends_on = models.DateField(editable=False, null=True, db_index=True)
    event_format = models.CharField(
        _("format"), max_length=16, choices=EventFormat.choices, default=EventFormat.NOT_STATED
    )
    venue_name = models.CharField(_("venue"), max_length=255, blank=True)
    venue_address = models.CharField(_("venue address"), max_length=255, blank=True)
    online_platform = models.CharField(
        _("online platform"), max_length=100, blank=True, help_text=_("e.g. Zoom, MS Teams, Facebook live.")
    )
    online_url = SafeURLField(
        _("online address"), blank=True, help_text=_("Where the event was streamed or held online.")
    )
    free_of_charge = models.BooleanField(
        _("free of charge"), null=True, blank=True, help_text=_("Empty when the report does not say.")
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
        index.FilterField("event_kind"),
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
        TranslatableField("event_kind_text"),
        TranslatableField("date_text"),
        TranslatableField("publication_date_text"),
        TranslatableField("author_position"),
        TranslatableField("author_organisation"),
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
        TranslatableField("projects"),
        TranslatableField("related_events"),
        SynchronizedField("hero_image", overridable=False),
        SynchronizedField("hero_image_decorative", overridable=False),
        SynchronizedField("publication_date", overridable=False),
        SynchronizedField("publication_date_precision", overridable=False),
        SynchronizedField("author_name"),
        SynchronizedField("source_url", overridable=False),
        SynchronizedField("source_language", overridable=False),
        SynchronizedField("machine_translated", overridable=False),
        SynchronizedField("event_kind", overridable=False),
        SynchronizedField("date_precision", overridable=False),
        SynchronizedField("start_date", overridable=False),
        SynchronizedField("end_date", overridable=False),
        SynchronizedField("starts_on", overridable=False),
        SynchronizedField("ends_on", overridable=False),
        SynchronizedField("event_format", overridable=False),
        SynchronizedField("online_platform"),
        SynchronizedField("online_url"),
        SynchronizedField("free_of_charge", overridable=False),
        SynchronizedField("participant_count", overridable=False),
        SynchronizedField("participant_count_qualifier", overridable=False),
        SynchronizedField("topics", overridable=False),
    ]

    # The tabs follow the order in which a report is written: title, lead, when it happened and when the report
    # was published, the photo and what happened; then the event's particulars; then what comes next and whom to
    # contact. Everything a report must have is on the first tab: an editor who fills it in can save the report.
    content_panels = Page.content_panels + [
        FieldPanel("lead"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("date_precision"), FieldPanel("start_date"), FieldPanel("end_date")]),
                FieldPanel("date_text"),
                FieldRowPanel([FieldPanel("publication_date_precision"), FieldPanel("publication_date")]),
                FieldPanel("publication_date_text"),
            ],
            heading=_("Dates"),
        ),
        MultiFieldPanel(
            [FieldPanel("hero_image"), FieldPanel("hero_image_alt"), FieldPanel("hero_image_decorative")],
            heading=_("Hero image"),
        ),
        FieldPanel("body"),
    ]
    event_panels = [
        FieldPanel("event_name"),
        FieldRowPanel([FieldPanel("event_kind"), FieldPanel("event_kind_text")]),
        InlinePanel("sessions", label=_("Session"), heading=_("Sessions (for events on several days)")),
        MultiFieldPanel(
            [
                FieldPanel("event_format"),
                FieldRowPanel([FieldPanel("venue_name"), FieldPanel("venue_address")]),
                FieldRowPanel([FieldPanel("online_platform"), FieldPanel("online_url")]),
                FieldPanel("free_of_charge"),
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
        InlinePanel("projects", label=_("Project or series"), heading=_("Projects, programmes and series")),
        InlinePanel("related_events", label=_("Related event"), heading=_("Related events")),
        FieldPanel("topics", widget=TopicsWidget),
    ]
    follow_up_panels = [
        FieldPanel("follow_ups"),
        FieldPanel("contacts_intro"),
        FieldPanel("contacts"),
        FieldPanel("resources"),
    ]
    promote_panels = Page.promote_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("author_name"), FieldPanel("author_position")]),
                FieldPanel("author_organisation"),
            ],
            heading=_("Byline"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("source_url"),
                FieldRowPanel([FieldPanel("source_language"), FieldPanel("machine_translated")]),
            ],
            heading=_("Where the text comes from"),
        ),
    ]

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
        # For the API's listings (api.endpoints.pages, api.filters): counting, filtering and ordering reports
        # reads these rather than report rows, of which a report's body is most. Each ends with the id, which
        # breaks ties in an order= and is all a filter needs (PostgreSQL then answers from the index alone).
        # ``report_page`` is the primary key again: SQLite reads it to join a report to its page, where it
        # would otherwise read the report's row (on PostgreSQL it is a second copy of the primary key's index).
        # order=-start_date (nulls last, ties by descending id) has an index of its own on PostgreSQL, made by
        # migration 0013: SQLite refuses NULLS LAST in an index (and needs none: it reads the ascending index
        # backwards), so that one cannot be declared here.
        indexes = [
            models.Index(fields=["page_ptr"], name="report_page"),
            models.Index(fields=["start_date", "page_ptr"], name="report_start_date_id"),
            models.Index(fields=["ends_on", "starts_on", "page_ptr"], name="report_period_end"),
            models.Index(fields=["starts_on", "ends_on", "page_ptr"], name="report_period_start"),
            models.Index(fields=["event_kind", "page_ptr"], name="report_event_kind"),
            models.Index(fields=["event_format", "page_ptr"], name="report_event_format"),
        ]

    def clean(self):
        super().clean()
        errors = {}
        # No date at the default precision is no error and is kept as it is: readers are told the date is not
        # known (cms.dates.known), and the editor who types the date later need not change the precision back.
        dates.validate(
            errors,
            date_field="start_date",
            day=self.start_date,
            precision=self.date_precision,
        )
        if self.end_date is not None:
            if self.start_date is None:
                errors.setdefault(
                    "end_date", ValidationError(_("An end date needs a start date."), code="end_without_start")
                )
            else:
                error = dates.first_day_error(self.end_date, self.date_precision)
                if error:
                    errors["end_date"] = error
            dates.validate_range(
                errors, end_field="end_date", start=self.start_date, end=self.end_date, precision=self.date_precision
            )
        dates.validate(
            errors,
            date_field="publication_date",
            day=self.publication_date,
            precision=self.publication_date_precision,
        )
        if (
            self.hero_image_id is not None
            and not self.hero_image_decorative
            and not (self.hero_image_alt or "").strip()
        ):
            # As for images in the body: the image's own title or description is no alt text for this use.
            errors["hero_image_alt"] = ValidationError(
                _("Alt text is required unless the image is marked as decorative."), code="hero_image_alt_missing"
            )
        if self.author_position and not self.author_name:
            errors["author_name"] = _("A byline with a position needs the author's name.")
        if self.machine_translated and not self.source_language:
            errors["source_language"] = _("Say which language the text was machine-translated from.")
        if self.source_language and self.source_language not in _language_codes():
            errors["source_language"] = _("Enter a language code such as “en”, “lv” or “ru”.")
        self._clean_sessions(errors)
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

    def _clean_sessions(self, errors):
        """Sessions fall within the event's dates (as far as either is known). Here rather than in the admin
        form, so that every writer (an importer, a script, the API) is held to it. The admin form hands over
        the sessions as edited (``edited_sessions``) and shows the message on each session as well."""
        outside = self.sessions_outside_event(getattr(self, "edited_sessions", None))
        if outside:
            days = ", ".join(dates.iso(s.date, s.date_precision) for s in outside)
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(
                    _("Every session must fall within the event's start and end dates (outside them: %(days)s)."),
                    code="session_outside_event",
                    params={"days": days},
                )
            )

    def sessions_outside_event(self, sessions=None):
        """Those of ``sessions`` (by default the page's own) whose date lies outside the event's dates."""
        first, last = self.event_period()
        if first is None:
            return []
        outside = []
        for session in self.sessions.all() if sessions is None else sessions:
            session_first, session_last = dates.period(session.date, session.date_precision)
            if session_first is not None and (session_last < first or session_first > last):
                outside.append(session)
        return outside

    def event_period(self):
        """The first and last day the event may have covered (see ``cms.dates``); (None, None) when unknown."""
        return _event_period(self.start_date, self.end_date, self.date_precision)

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.starts_on, self.ends_on = self.event_period()
        elif _DATE_FIELDS & set(update_fields):
            # Only some of the dates are written: the days covered follow what the row will hold, not values
            # changed in memory that this save leaves unwritten.
            values = {name: getattr(self, name) for name in _DATE_FIELDS}
            stale = _DATE_FIELDS - set(update_fields)
            if stale and self.pk:
                values.update(type(self)._base_manager.filter(pk=self.pk).values(*stale).first() or {})
            self.starts_on, self.ends_on = _event_period(**values)
            kwargs["update_fields"] = list({*update_fields, "starts_on", "ends_on"})
        return super().save(*args, **kwargs)

    @property
    def published_on(self):
        """(date, precision) of publication: the printed date, else the day it first went live here, unless the
        report was taken from elsewhere (then its publication date is not known)."""
        if self.publication_date is not None or self.publication_date_precision == DatePrecision.UNKNOWN:
            return self.publication_date, self.publication_date_precision
        if self.source_url or self.first_published_at is None:
            return None, DatePrecision.UNKNOWN
        return timezone.localdate(self.first_published_at), DatePrecision.DAY

    @property
    def hero_image_alt_text(self):
        if self.hero_image is None or self.hero_image_decorative:
            return ""
        # The image's own default for reports saved before the alt text was required.
        return self.hero_image_alt or self.hero_image.default_alt_text


_DATE_FIELDS = {"start_date", "end_date", "date_precision"}


def _event_period(start_date, end_date, date_precision):
    first, _last = dates.period(start_date, date_precision)
    if first is None:
        return None, None
    # An end before the start (saved without validation) is ignored rather than giving an empty period.
    end = end_date if end_date is not None and end_date >= start_date else start_date
    return first, dates.period(end, date_precision)[1]


class EventSession(RowLoaded, TranslatableMixin, Orderable):
    """One session of a multi-day event: its day, time and an optional title."""

    page = ParentalKey(EventReportPage, related_name="sessions", on_delete=models.CASCADE)
    date_precision = models.CharField(
        _("date is"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_text = models.CharField(_("date as written"), max_length=100, blank=True)
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
    place = models.CharField(
        _("place"), max_length=255, blank=True, help_text=_("Where this session was held, when not at the venue.")
    )
    recording_url = SafeURLField(_("recording"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("date_precision"), FieldPanel("date"), FieldPanel("date_text")]),
        FieldRowPanel([FieldPanel("start_time"), FieldPanel("end_time"), FieldPanel("part_of_day")]),
        FieldRowPanel([FieldPanel("title"), FieldPanel("place")]),
        FieldPanel("recording_url"),
    ]
    translatable_fields = [
        TranslatableField("title"),
        TranslatableField("date_text"),
        TranslatableField("place"),
        SynchronizedField("recording_url"),
        SynchronizedField("date_precision", overridable=False),
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
        errors = {}
        dates.validate(errors, date_field="date", day=self.date, precision=self.date_precision)
        if self.start_time and self.end_time and self.end_time < self.start_time:
            errors["end_time"] = _("The end time cannot be before the start time.")
        if (self.start_time or self.end_time) and self.date_precision != DatePrecision.DAY:
            errors["start_time"] = _("A time of day needs an exact day.")
        if errors:
            raise ValidationError(errors)


class EventAudienceGroup(RowLoaded, TranslatableMixin, Orderable):
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
    # Programmes and projects have their own snippet (Project) since issue 12; the stored value stays.
    FUNDER = "funder", _("Funder")


class EventOrganiser(RowLoaded, TranslatableMixin, Orderable):
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
        # The API's organisation= filter reads the reports of an organisation from the index alone.
        indexes = [models.Index(fields=["organisation", "page"], name="organiser_organisation_page")]


class EventProject(RowLoaded, TranslatableMixin, Orderable):
    """A project, programme or series the event belongs to, and its number in a series (“the third meeting”)."""

    page = ParentalKey(EventReportPage, related_name="projects", on_delete=models.CASCADE)
    # SET_NULL for the same reason as organisers: a project that is gone is simply not shown.
    project = models.ForeignKey(
        "cms.Project", verbose_name=_("project or series"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    position = models.PositiveIntegerField(
        _("number in the series"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("e.g. 3 for “the third meeting of…”."),
    )

    panels = [FieldRowPanel([FieldPanel("project"), FieldPanel("position")])]
    translatable_fields = [TranslatableField("project"), SynchronizedField("position", overridable=False)]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("project or series")
        verbose_name_plural = _("projects and series")
        ordering = ["sort_order"]
        # The API's project= filter reads the reports of a project from the index alone.
        indexes = [models.Index(fields=["project", "page"], name="event_project_project_page")]


class EventRelation(models.TextChoices):
    PREVIOUS = "previous", _("Earlier event")
    NEXT = "next", _("Later event")
    PART_OF = "part_of", _("Part of")
    RELATED = "related", _("Related")


class RelatedEvent(RowLoaded, TranslatableMixin, Orderable):
    """Another event the report refers to (an earlier meeting, the next one): its report here, or its name,
    date and address when it has none."""

    page = ParentalKey(EventReportPage, related_name="related_events", on_delete=models.CASCADE)
    relation = models.CharField(
        _("relation"), max_length=16, choices=EventRelation.choices, default=EventRelation.RELATED
    )
    report = models.ForeignKey(
        "cms.EventReportPage",
        verbose_name=_("its report"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=255, blank=True)
    date_precision = models.CharField(
        _("date is"), max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN
    )
    date = models.DateField(_("date"), null=True, blank=True)
    date_text = models.CharField(_("date as written"), max_length=100, blank=True)
    url = SafeURLField(_("address"), blank=True)

    panels = [
        FieldRowPanel([FieldPanel("relation"), FieldPanel("report")]),
        FieldPanel("name"),
        FieldRowPanel([FieldPanel("date_precision"), FieldPanel("date"), FieldPanel("date_text")]),
        FieldPanel("url"),
    ]
    translatable_fields = [
        TranslatableField("name"),
        TranslatableField("date_text"),
        SynchronizedField("relation", overridable=False),
        # The report's own translations are found by the API (the language of the response).
        SynchronizedField("report", overridable=False),
        SynchronizedField("date_precision", overridable=False),
        SynchronizedField("date", overridable=False),
        SynchronizedField("url"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("related event")
        verbose_name_plural = _("related events")
        ordering = ["sort_order"]

    def clean(self):
        super().clean()
        errors = {}
        if self.report_id is None and not self.name.strip():
            errors["name"] = _("Choose the event's report, or give its name.")
        if self.report_id is not None and self.report_id == self.page_id:
            errors["report"] = _("A report cannot be related to itself.")
        dates.validate(errors, date_field="date", day=self.date, precision=self.date_precision)
        if errors:
            raise ValidationError(errors)
