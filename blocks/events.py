from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ApiListBlock
from .choosers import DocumentChooserBlock
from .people import SpeakerBlock, choice_label
from .safe import PlainCharBlock, PlainTextBlock, SafeChoiceBlock, SafeURLBlock
from .text import RichTextBlock

TALK_KINDS = [("talk", _("Talk")), ("presentation", _("Presentation"))]
DISCUSSION_METHODS = [
    ("breakout_groups", _("Breakout groups")),
    ("panel", _("Panel discussion")),
    ("plenary", _("Plenary discussion")),
    ("workshop", _("Workshop")),
    ("networking", _("Networking")),
    ("rotation", _("Rotating tables (world café)")),
    ("other", _("Other")),
]


class TalkBlock(blocks.StructBlock):
    """A talk or presentation in the programme: who gave it, on what, and where the slides and recording are."""

    kind = SafeChoiceBlock(label=_("Kind"), choices=TALK_KINDS, default="talk")
    speakers = ApiListBlock(SpeakerBlock(), label=_("Speakers"), min_num=1, collapsed=True)
    title = PlainCharBlock(label=_("Title"), required=False, max_length=255)
    summary = RichTextBlock(label=_("Summary"), required=False, features=["bold", "italic", "link", "ol", "ul"])
    slides = DocumentChooserBlock(label=_("Slides"), required=False)
    recording_url = SafeURLBlock(label=_("Recording"), required=False)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["kind_label"] = choice_label(TALK_KINDS, value.get("kind"))
        return context

    class Meta:
        template = "blocks/talk.html"
        # Wagtail has no microphone icon: a speech bubble.
        icon = "comment"
        label = _("Talk or presentation")
        # Collapsed, a talk reads by who gave it, then its title (which may be long, and is cut off first):
        # “Dana Bārbale. Ogres novada pašvaldības pieredze…”; an untitled one by its speakers alone.
        label_format = "{speakers}. {title}"


class QuestionBlock(blocks.StructBlock):
    """One question put to the discussion, and what came out of it."""

    question = PlainTextBlock(label=_("Question"))
    outcomes = ApiListBlock(
        PlainTextBlock(label=_("Outcome")),
        label=_("Outcomes"),
        min_num=0,
        default=[],
        help_text=_("One conclusion, proposal or answer per item."),
    )

    class Meta:
        icon = "help"
        label = _("Question")
        # Wagtail's summary: the first filled field, the question itself.
        label_format = None


class DiscussionBlock(blocks.StructBlock):
    """A moderated discussion: how it was run, the questions, what each produced and the overall conclusions."""

    title = PlainCharBlock(label=_("Title"), required=False, max_length=255)
    method = SafeChoiceBlock(
        label=_("Method"),
        choices=DISCUSSION_METHODS,
        default="breakout_groups",
    )
    group_count = blocks.IntegerBlock(
        label=_("Number of groups or tables"),
        required=False,
        min_value=0,
        help_text=_("Groups, tables or panels, whatever the method, when the report gives a number."),
    )
    question_count = blocks.IntegerBlock(
        label=_("Number of questions"),
        required=False,
        min_value=0,
        help_text=_("Only when the questions themselves are not listed below."),
    )
    # ListBlock's default is one empty item, which would fail validation for an editor who names nobody.
    moderators = ApiListBlock(SpeakerBlock(), label=_("Moderators"), min_num=0, default=[], collapsed=True)
    panellists = ApiListBlock(SpeakerBlock(), label=_("Panellists"), min_num=0, default=[], collapsed=True)
    description = RichTextBlock(label=_("How it went"), required=False, features=["bold", "italic", "link", "ol", "ul"])
    questions = ApiListBlock(QuestionBlock(), label=_("Questions"), min_num=0, default=[], collapsed=True)
    conclusions = RichTextBlock(
        label=_("Overall conclusions"), required=False, features=["bold", "italic", "link", "ol", "ul"]
    )
    summary_document = DocumentChooserBlock(label=_("Summary document"), required=False)

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        listed = len(value.get("questions") or [])
        if listed and value.get("question_count") not in (None, listed):
            errors["question_count"] = ValidationError(
                _("%(listed)d questions are listed; leave the number empty or make it match.") % {"listed": listed}
            )
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["method_label"] = choice_label(DISCUSSION_METHODS, value.get("method"))
        context["question_count"] = len(value.get("questions") or []) or value.get("question_count")
        return context

    class Meta:
        template = "blocks/discussion.html"
        icon = "group"
        label = _("Discussion")
        # Wagtail's summary: the first filled field, the title, else the method.
        label_format = None


FOLLOW_UP_KINDS = [
    ("webinar", _("Webinar")),
    ("consultation", _("Consultation")),
    ("meeting", _("Meeting")),
    ("other", _("Other")),
]


class FollowUpBlock(blocks.StructBlock):
    """What happens next: a webinar, consultation or meeting announced at the event, with when and how to join."""

    kind = SafeChoiceBlock(label=_("Kind"), choices=FOLLOW_UP_KINDS, default="other")
    title = PlainCharBlock(label=_("Title"), max_length=255)
    description = PlainTextBlock(label=_("Description"), required=False)
    date = blocks.DateBlock(label=_("Date"), required=False)
    end_date = blocks.DateBlock(label=_("End date"), required=False, help_text=_("When it runs over several days."))
    period = PlainCharBlock(
        label=_("Period"),
        required=False,
        max_length=100,
        help_text=_("When there is no exact date, e.g. “autumn 2020”."),
    )
    free_of_charge = blocks.BooleanBlock(label=_("Free of charge"), required=False)
    registration_url = SafeURLBlock(label=_("Registration link"), required=False)

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        start, end = value.get("date"), value.get("end_date")
        if start and (value.get("period") or "").strip():
            errors["period"] = ValidationError(_("Give either an exact date or a period, not both."))
        if end and not start:
            errors["end_date"] = ValidationError(_("An end date needs a start date."))
        elif end and end < start:
            errors["end_date"] = ValidationError(_("The end date cannot be before the start date."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["kind_label"] = choice_label(FOLLOW_UP_KINDS, value.get("kind"))
        return context

    class Meta:
        template = "blocks/follow_up.html"
        icon = "date"
        label = _("Follow-up activity")
        # The title, then when: the date or the period (never both), e.g. “Projekta vebināri 2020. gada rudenī”.
        label_format = "{title} {date}{period}"
