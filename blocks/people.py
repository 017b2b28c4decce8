from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from . import targets
from .base import ApiStructBlock
from .choosers import SnippetChooserBlock
from .services import services


def choice_label(choices, value):
    """The human label of a stored choice value (templates get labels, the API gets the values)."""
    return dict(choices).get(value, value or "")


SPEAKER_PARTS = [
    ("opening", _("Opened the event")),
    ("speaker", _("Speaker")),
    ("moderator", _("Moderator")),
    ("panellist", _("Panellist")),
    ("host", _("Host")),
    ("closing", _("Closed the event")),
]


class SpeakerBlock(ApiStructBlock):
    """Someone who took part in the programme, with the role they held *at this event*.

    A person's job changes over time (project manager in one report, director a year later), so the role
    and organisation printed in a report belong here and are not read from the person's current profile.
    """

    person = SnippetChooserBlock(targets.PERSON, label=_("Person"))
    part = blocks.ChoiceBlock(label=_("Part in the event"), choices=SPEAKER_PARTS, default="speaker")
    role = blocks.CharBlock(
        label=_("Role at the event"),
        required=False,
        max_length=255,
        help_text=_("Job title as it was at the time, e.g. “LSUA project manager”. Empty: the person's current title."),
    )
    organisation = SnippetChooserBlock(
        targets.ORGANISATION,
        label=_("Organisation at the event"),
        required=False,
        help_text=_("Empty: the person's current organisation."),
    )
    contribution = blocks.TextBlock(
        label=_("Contribution"),
        required=False,
        help_text=_("One or two sentences on what they said or did."),
    )

    api_required = ("person",)

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        if data is None or services(context) is None:
            return data
        # Display-ready: when the report does not say, the person's current title and organisation apply.
        data["role"] = data["role"] or data["person"]["job_title"]
        data["organisation"] = data["organisation"] or data["person"]["organisation"]
        return data

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["part_label"] = choice_label(SPEAKER_PARTS, value.get("part"))
        return context

    class Meta:
        template = "blocks/speaker.html"
        icon = "user"
        label = _("Speaker")
