from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ApiStructBlock
from .choosers import DocumentChooserBlock, PageChooserBlock
from .safe import PlainCharBlock, SafeChoiceBlock, SafeURLBlock
from .services import services

LINK_TARGETS = ("page", "document", "url")


class LinkBlock(ApiStructBlock):
    """A link to exactly one target: a page of this site, a document, or an external address."""

    title = PlainCharBlock(
        label=_("Link text"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the page's or document's title."),
    )
    page = PageChooserBlock(label=_("Page"), required=False)
    document = DocumentChooserBlock(label=_("Document"), required=False)
    url = SafeURLBlock(label=_("External address"), required=False)

    # A page or document that is not public takes the link out of the API (and its text out of search).
    api_depends_on = ("page", "document")
    # Besides its own fields, the API gives the resolved address and what kind of target it is.
    api_extra_properties = {
        "href": {"type": "string", "format": "uri", "description": "Where the link goes (front-end URL for pages)."},
        "link_type": {"type": "string", "enum": list(LINK_TARGETS)},
    }

    def get_api_representation(self, value, context=None):
        chosen = next((name for name in LINK_TARGETS if value.get(name)), None)
        data = super().get_api_representation(value, context)
        if data is None or services(context) is None:
            return data
        if chosen is None or not data.get(chosen):
            return None  # the target is not public, or its address is not safe: no half-link
        target = data[chosen]
        data["link_type"] = chosen
        data["href"] = target if chosen == "url" else target["url"]
        data["title"] = data["title"] or (target["title"] if chosen != "url" else target)
        return data

    def clean(self, value):
        value = super().clean(value)
        chosen = [name for name in LINK_TARGETS if value.get(name)]
        if len(chosen) != 1:
            message = (
                _("Choose a page, a document or an external address.")
                if not chosen
                else _("Choose only one target: a page, a document or an external address.")
            )
            raise blocks.StructBlockValidationError(
                block_errors={name: ValidationError(message) for name in (chosen or LINK_TARGETS)}
            )
        if not value.get("url") or value.get("title"):
            return value
        raise blocks.StructBlockValidationError(
            block_errors={"title": ValidationError(_("An external link needs link text."))}
        )

    class Meta:
        icon = "link"
        label = _("Link")
        template = "blocks/link.html"
        # Wagtail's summary: the first filled field, the link text, else the page, document or address.
        label_format = None


class ResourceLinkBlock(LinkBlock):
    """Material from the event that lives elsewhere: a recording, slides, a summary."""

    kind = SafeChoiceBlock(
        label=_("Kind"),
        choices=[
            ("recording", _("Recording")),
            ("slides", _("Slides")),
            ("summary", _("Summary")),
            ("other", _("Other")),
        ],
        default="other",
    )

    class Meta:
        icon = "link"
        label = _("Resource")
        # As a link: the link text, else the page, document or address.
        label_format = None
