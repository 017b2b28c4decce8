from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

from .base import ApiStructBlock
from .choosers import DocumentChooserBlock, ImageChooserBlock
from .safe import PlainCharBlock, PlainTextBlock, SafeEmbedBlock
from .services import services


class ImageBlock(ApiStructBlock):
    """A photo or illustration in the report, with alt text for screen readers, caption and credit."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = PlainCharBlock(
        label=_("Alt text"),
        required=False,
        max_length=255,
        help_text=_("Describe what the image shows for people who cannot see it."),
    )
    decorative = blocks.BooleanBlock(
        label=_("Decorative image"),
        required=False,
        help_text=_("Tick only if the image adds no information; it then needs no alt text."),
    )
    caption = PlainCharBlock(label=_("Caption"), required=False, max_length=500)
    credit = PlainCharBlock(
        label=_("Credit"),
        required=False,
        max_length=255,
        help_text=_("Photographer or source, e.g. “Foto: Rēzeknes novada pašvaldība”."),
    )

    api_required = ("image",)

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        if data is not None and services(context) is not None:
            # The alt text the editor wrote for this use of the image, empty when decorative. On a copy: the image's
            # shape is shared by every place the response shows the image.
            alt = "" if value.get("decorative") else value.get("alt_text") or ""
            data["image"] = {**data["image"], "alt": alt}
        return data

    def clean(self, value):
        value = super().clean(value)
        if not value.get("decorative") and not (value.get("alt_text") or "").strip():
            raise blocks.StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(_("Alt text is required unless the image is marked as decorative."))
                }
            )
        return value

    class Meta:
        icon = "image"
        label = _("Image")
        template = "blocks/image.html"
        # Wagtail's summary: the first filled field, the chosen image's title.
        label_format = None


class DocumentBlock(ApiStructBlock):
    """A downloadable file (programme, slides, summary) with a short description."""

    document = DocumentChooserBlock(label=_("Document"))
    title = PlainCharBlock(
        label=_("Title"),
        required=False,
        max_length=255,
        help_text=_("Leave empty to use the document's own title."),
    )
    description = PlainTextBlock(label=_("Description"), required=False)

    api_required = ("document",)

    class Meta:
        icon = "doc-full"
        label = _("Document")
        template = "blocks/document.html"
        # Wagtail's summary: the first filled field, the chosen document's title.
        label_format = None


class VideoBlock(blocks.StructBlock):
    """A video or other embedded media (e.g. a YouTube recording of the event)."""

    embed = SafeEmbedBlock(label=_("Video URL"), help_text=_("Link to the video, e.g. on YouTube or Vimeo."))
    title = PlainCharBlock(label=_("Title"), required=False, max_length=255)
    caption = PlainCharBlock(label=_("Caption"), required=False, max_length=500)

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        if services(context) is not None and not data.get("embed"):
            return None  # no (safe) address: nothing to show
        return data

    class Meta:
        icon = "media"
        label = _("Video")
        template = "blocks/video.html"
        # Wagtail's summary: the first filled field, the video's address.
        label_format = None
