from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.staticfiles import versioned_static
from wagtail.admin.telepath import register
from wagtail.blocks.struct_block import StructBlockAdapter

from . import targets
from .base import ApiStructBlock
from .choosers import SnippetChooserBlock
from .safe import PlainCharBlock, PlainTextBlock, SafeMultipleChoiceBlock
from .services import services


def choice_label(choices, value):
    """The human label of a stored choice value (templates get labels, the API gets the values)."""
    return dict(choices).get(value, value or "")


SPEAKER_PARTS = [
    ("opening", _("Opened the event")),
    ("welcome", _("Welcome address")),
    ("speaker", _("Speaker")),
    ("lecturer", _("Lecturer")),
    ("moderator", _("Moderator")),
    ("panellist", _("Panellist")),
    ("host", _("Host")),
    ("technical_host", _("Technical host")),
    ("closing", _("Closed the event")),
    ("quoted", _("Quoted only")),
    ("present", _("Present, did not speak")),
]


class SpeakerBlock(ApiStructBlock):
    """Someone who took part in the programme, with the role they held *at this event*.

    A person's job changes over time (project manager in one report, director a year later), so the role
    and organisation printed in a report belong here and are not read from the person's current profile; the
    API says where each came from (``role_source``, ``organisation_source``). A report that does not name
    someone (“a representative of the association”) describes them instead of choosing a person.
    """

    # A chosen person who is not public takes the block out of the API (and its text out of search).
    api_depends_on = ("person",)
    person = SnippetChooserBlock(targets.PERSON, label=_("Person"), required=False)
    description = PlainCharBlock(
        label=_("Who, when not named"),
        required=False,
        max_length=255,
        help_text=_("When the report names nobody, e.g. “biedrības pārstāvis”, “bankas speciāliste”."),
    )
    parts = SafeMultipleChoiceBlock(
        label=_("Part in the event"),
        choices=SPEAKER_PARTS,
        default=["speaker"],
        widget=forms.CheckboxSelectMultiple,
    )
    role = PlainCharBlock(
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
    contribution = PlainTextBlock(
        label=_("Contribution"),
        required=False,
        help_text=_("One or two sentences on what they said or did."),
    )

    @staticmethod
    def reads_legacy_form(raw):
        """A speaker stored before issue 12 (see ``blocks.formats``)."""
        return "part" in raw and "parts" not in raw

    # Besides its own fields, the API says where the role and organisation shown come from.
    api_extra_properties = {
        "role_source": {
            "type": ["string", "null"],
            "enum": ["event", "profile", None],
            "description": "event: the role stated in the report; profile: the person's current title, shown because "
            "the report states none; null: no role at all.",
        },
        "organisation_source": {
            "type": ["string", "null"],
            "enum": ["event", "profile", None],
            "description": "As role_source, for the organisation.",
        },
        "part": {
            "type": ["string", "null"],
            "enum": [*(value for value, _label in SPEAKER_PARTS), None],
            "deprecated": True,
            "description": "The first of parts, for clients written before a speaker could have several.",
        },
    }

    def to_python(self, value):
        return super().to_python(_current_form(value))

    def bulk_to_python(self, values):
        return super().bulk_to_python([_current_form(value) for value in values])

    def clean(self, value):
        value = super().clean(value)
        errors = {}
        if not value.get("person") and not (value.get("description") or "").strip():
            errors["person"] = ValidationError(_("Choose the person, or say who it was in “Who, when not named”."))
        if not value.get("parts"):
            errors["parts"] = ValidationError(_("Choose at least one part."))
        if errors:
            raise blocks.StructBlockValidationError(block_errors=errors)
        return value

    def get_api_representation(self, value, context=None):
        given = services(context)
        if given is None:
            return blocks.StructBlock.get_api_representation(self, value, context)
        return given.remember(self, value, lambda: self._display_ready(value, context))

    def _display_ready(self, value, context):
        data = blocks.StructBlock.get_api_representation(self, value, context)
        # A chosen person who is not public takes the block with them: what is left would misattribute it.
        if (
            value.get("person") is not None
            and data["person"] is None
            or (data["person"] is None and not (data["description"] or "").strip())
        ):
            return None
        profile = data["person"] or {}
        # Display-ready: when the report does not say, the person's current title and organisation apply, and
        # the API says so.
        data["role_source"] = "event" if data["role"] else ("profile" if profile.get("job_title") else None)
        data["role"] = data["role"] or profile.get("job_title") or ""
        stated = data["organisation"]
        data["organisation_source"] = "event" if stated else ("profile" if profile.get("organisation") else None)
        data["organisation"] = stated or profile.get("organisation")
        # Until clients move to ``parts``: the first part, as the single-part API gave it.
        data["part"] = data["parts"][0] if data["parts"] else None
        return data

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context)
        context["part_labels"] = [choice_label(SPEAKER_PARTS, part) for part in value.get("parts") or []]
        return context

    class Meta:
        template = "blocks/speaker.html"
        icon = "user"
        label = _("Speaker")
        # The collapsed block's summary, “who — role at the event”, is drawn by SpeakerBlockAdapter's script.
        label_format = None


class SpeakerBlockAdapter(StructBlockAdapter):
    """Wagtail's StructBlock in the editor, with a summary naming the speaker and the role they held."""

    js_constructor = "blocks.people.SpeakerBlock"

    @cached_property
    def media(self):
        return super().media + forms.Media(js=[versioned_static("blocks/speaker-block.js")])


register(SpeakerBlockAdapter(), SpeakerBlock)


def _current_form(value):
    """A stored speaker in the current form: before issue 12 a speaker had one ``part`` and needed a person."""
    if isinstance(value, dict) and "part" in value and "parts" not in value:
        part = value["part"]
        value = {key: item for key, item in value.items() if key != "part"}
        value["parts"] = [part] if part else []
    return value
