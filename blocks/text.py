from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.rich_text import RichText
from wagtail.rich_text import features as feature_registry

from .safe import PlainCharBlock, PlainTextBlock, SafeChoiceBlock
from .sanitise import clean_rich_text
from .services import services

# Editors write reports, not layouts: no headings inside paragraphs (there is a heading block),
# no embeds or images inside rich text (there are blocks for those).
PARAGRAPH_FEATURES = ["bold", "italic", "link", "document-link", "ol", "ul"]


class RichTextBlock(blocks.RichTextBlock):
    """Rich text whose API form is HTML with links pointing at the public front-end.

    It is stored with only what its features allow (``blocks.sanitise``), whoever writes it.
    """

    def clean_source(self, source):
        features = self.features if self.features is not None else feature_registry.get_default_features()
        return clean_rich_text(source, features)

    def get_prep_value(self, value):
        return self.clean_source(super().get_prep_value(value))

    def get_api_representation(self, value, context=None):
        given = services(context)
        if given is None:
            return super().get_api_representation(RichText(self.clean_source(value.source)), context)
        return given.expand_rich_text(value)


class ParagraphBlock(RichTextBlock):
    """Running text of the report: formatted paragraphs with links and lists."""

    def __init__(self, **kwargs):
        kwargs.setdefault("features", PARAGRAPH_FEATURES)
        super().__init__(**kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")


class HeadingBlock(blocks.StructBlock):
    """A section heading that structures a long report (levels 2–4; level 1 is the page title)."""

    text = PlainCharBlock(label=_("Heading"), max_length=255)
    level = SafeChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Level 2")), ("h3", _("Level 3")), ("h4", _("Level 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "blocks/heading.html"
        # Wagtail's summary: the first filled field, the heading's text.
        label_format = None


class QuoteBlock(blocks.StructBlock):
    """A quotation from a speaker or participant, with who said it."""

    text = PlainTextBlock(label=_("Quotation"))
    attribution = PlainCharBlock(
        label=_("Attribution"),
        required=False,
        max_length=255,
        help_text=_("Who said it, as it should be printed, e.g. “Dana Bārbale, Ogre municipality”."),
    )

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "blocks/quote.html"
        # Wagtail's summary: the first filled field, the quotation.
        label_format = None
