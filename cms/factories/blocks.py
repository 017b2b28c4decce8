"""One factory per block of ``blocks/``, on wagtail-factories' StructBlockFactory, ListBlockFactory and chooser
block factories.

A factory declares what a new block cannot do without (a heading's text, a speaker's person: made by a factory
when not given) and its lists; every other child gets what the admin's form saves for a child the editor leaves
as it is ("" for empty text and addresses, None for an empty chooser, number or date, the default choice). Children
given as keyword arguments replace those values; lists take wagtail-factories' declarations,
``speakers__0__person=person``. See ``cms.factories.streams`` for whole StreamFields and for building one from
plain data.

Two additions to wagtail-factories 4.5 (``StructBlockFactory`` and ``BlockFactory`` below): its StructBlockFactory
keeps only the children a factory declares, in declaration order, as given (a rich-text child stays a string, a
list keeps the bare ``ListBlock`` it is built with); its BlockFactory runs the value through ``clean()``, which
rich text cannot take as a string and which swaps a falsy value for the default.
"""

import factory
import wagtail_factories
from django.core.exceptions import ValidationError
from wagtail import blocks as wagtail_blocks
from wagtail.blocks.list_block import ListValue
from wagtail.embeds.blocks import EmbedBlock, EmbedValue

from blocks.choosers import DocumentChooserBlock, ImageChooserBlock, SnippetChooserBlock
from blocks.contacts import ContactCardBlock
from blocks.events import DiscussionBlock, FollowUpBlock, QuestionBlock, TalkBlock
from blocks.links import LinkBlock, ResourceLinkBlock
from blocks.media import DocumentBlock, ImageBlock, VideoBlock
from blocks.people import SpeakerBlock
from blocks.text import HeadingBlock, ParagraphBlock, QuoteBlock

from .media import DocumentFactory, EmbedFactory, ImageFactory


class StructBlockFactory(wagtail_factories.StructBlockFactory):
    """wagtail-factories' StructBlockFactory, with the value made as the admin makes it: every child in the
    block's order, each in its native type (``normalize()``: a string becomes RichText for rich text), lists bound
    to the block's own ListBlock (an ``ApiListBlock`` drops hidden items from the API even before the value is
    saved and read back), a child the factory does not declare as the editor's form leaves it (``untouched``)."""

    class Meta:
        abstract = True

    # factory_boy's documented hooks, in place of wagtail-factories' own value construction.
    @classmethod
    def _build(cls, block_class, *args, **params):
        return cls._struct_value(block_class, params)

    @classmethod
    def _create(cls, block_class, *args, **params):
        return cls._struct_value(block_class, params)

    @classmethod
    def _struct_value(cls, block_class, params):
        block = block_class()
        unknown = set(params) - set(block.child_blocks)
        if unknown:
            raise TypeError(f"{cls.__name__}: {block_class.__name__} has no child {', '.join(sorted(unknown))}")
        values = {}
        for name, child in block.child_blocks.items():
            value = params[name] if name in params else untouched(cls, name, child)
            if isinstance(child, wagtail_blocks.ListBlock) and isinstance(value, ListValue):
                value = ListValue(child, bound_blocks=value.bound_blocks)
            values[name] = value
        return block.normalize(values)


def untouched(factory_class, name, child):
    """What the admin's form saves for a child of a new block that the editor leaves as it is: its default,
    cleaned ("" for an empty CharBlock or URLBlock, whose default is None)."""
    try:
        return child.clean(child.get_default())
    except ValidationError as error:
        raise TypeError(
            f"{factory_class.__name__} must declare {name!r}: a new {type(child).__name__} is not valid empty"
        ) from error


class BlockFactory(wagtail_factories.blocks.BlockFactory):
    """A block with a plain value, given as ``value=``: a paragraph's HTML, a question's outcome. The value is
    normalised (a string becomes RichText for rich text), not cleaned."""

    class Meta:
        abstract = True

    # factory_boy's documented hooks, in place of wagtail-factories' cleaning of the value.
    @classmethod
    def _build(cls, block_class, *args, **kwargs):
        block = block_class()
        return block.normalize(kwargs["value"]) if "value" in kwargs else block.get_default()

    @classmethod
    def _create(cls, block_class, *args, **kwargs):
        return cls._build(block_class, *args, **kwargs)


class ChooserBlockFactory(wagtail_factories.blocks.ChooserBlockFactory):
    """The chosen object, made by the one factory the subclass declares (as wagtail-factories' own image and
    document chooser factories do); give the object itself to a block factory to choose an existing one."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, **declared):
        (chosen,) = declared.values()
        return chosen

    @classmethod
    def _create(cls, model_class, **declared):
        return cls._build(model_class, **declared)


# --- choosers -----------------------------------------------------------------------------------------------------
class ImageChooserBlockFactory(wagtail_factories.ImageChooserBlockFactory):
    image = factory.SubFactory(ImageFactory)

    class Meta:
        model = ImageChooserBlock


class DocumentChooserBlockFactory(wagtail_factories.DocumentChooserBlockFactory):
    document = factory.SubFactory(DocumentFactory)

    class Meta:
        model = DocumentChooserBlock


# Snippet factories by path: cms.factories.snippets uses the streams, which use these.
class PersonChooserBlockFactory(ChooserBlockFactory):
    person = factory.SubFactory("cms.factories.snippets.PersonFactory")

    class Meta:
        model = SnippetChooserBlock


class ContactCardBlockFactory(ChooserBlockFactory):
    card = factory.SubFactory("cms.factories.snippets.ContactCardFactory")

    class Meta:
        model = ContactCardBlock


class EmbedBlockFactory(ChooserBlockFactory):
    """A video address whose oEmbed result is cached already (``EmbedFactory``): rendering asks no provider."""

    embed = factory.SubFactory(EmbedFactory)

    class Meta:
        model = EmbedBlock

    @classmethod
    def _build(cls, model_class, embed):
        return EmbedValue(embed.url)


def block_factory(block_class, base=None, **declarations):
    """A factory for ``block_class`` with ``declarations`` (factory_boy's ``make_factory``; StructBlockFactory
    unless ``base`` is given)."""
    made = factory.make_factory(block_class, FACTORY_CLASS=base or StructBlockFactory, **declarations)
    made.__module__ = __name__
    return made


# --- text ---------------------------------------------------------------------------------------------------------
ParagraphBlockFactory = block_factory(ParagraphBlock, BlockFactory, value="<p>Dalībnieki pārrunāja pieredzi.</p>")
HeadingBlockFactory = block_factory(HeadingBlock, text="Sadaļa")
QuoteBlockFactory = block_factory(QuoteBlock, text="Sadarbība ir svarīga.")

# --- media --------------------------------------------------------------------------------------------------------
# The alt text is required unless the image is marked decorative.
ImageBlockFactory = block_factory(
    ImageBlock, image=factory.SubFactory(ImageChooserBlockFactory), alt_text="Dalībnieki pasākumā"
)
DocumentBlockFactory = block_factory(DocumentBlock, document=factory.SubFactory(DocumentChooserBlockFactory))
VideoBlockFactory = block_factory(VideoBlock, embed=factory.SubFactory(EmbedBlockFactory))

# --- people and the programme -------------------------------------------------------------------------------------
SpeakerBlockFactory = block_factory(SpeakerBlock, person=factory.SubFactory(PersonChooserBlockFactory))


class TalkBlockFactory(StructBlockFactory):
    speakers = wagtail_factories.ListBlockFactory(SpeakerBlockFactory)

    class Meta:
        model = TalkBlock

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        # A talk needs a speaker (min_num=1): one is made when no speaker is declared. An explicit
        # ``speakers=[]`` (a plain list, not the factory's ListValue) stays empty, for validation tests.
        speakers = kwargs["speakers"]
        if isinstance(speakers, ListValue) and not speakers:
            kwargs["speakers"] = [SpeakerBlockFactory()]
        return kwargs


# A question's outcomes are plain TextBlocks.
TextBlockFactory = block_factory(wagtail_blocks.TextBlock, BlockFactory, value="Secinājums.")
QuestionBlockFactory = block_factory(
    QuestionBlock,
    question="Kā atbalstīt sociālos uzņēmumus?",
    outcomes=wagtail_factories.ListBlockFactory(TextBlockFactory),
)
DiscussionBlockFactory = block_factory(
    DiscussionBlock,
    moderators=wagtail_factories.ListBlockFactory(SpeakerBlockFactory),
    panellists=wagtail_factories.ListBlockFactory(SpeakerBlockFactory),
    questions=wagtail_factories.ListBlockFactory(QuestionBlockFactory),
)
FollowUpBlockFactory = block_factory(FollowUpBlock, title="Vebinārs")


# --- links --------------------------------------------------------------------------------------------------------
def _no_other_target(link):
    return not link.page and not link.url


class LinkBlockFactory(StructBlockFactory):
    """A link to one target: a new document unless a page or url is given (or ``document=None``, for a link that
    validation must refuse)."""

    page = None
    document = factory.Maybe(
        factory.LazyAttribute(_no_other_target), factory.SubFactory(DocumentChooserBlockFactory), None
    )
    url = ""

    class Meta:
        model = LinkBlock


ResourceLinkBlockFactory = block_factory(ResourceLinkBlock, LinkBlockFactory)


# The factory of each block that a StreamField holds as a child, by the block's class (``cms.factories.streams``).
STREAM_CHILD_FACTORIES = {
    factory_class._meta.model: factory_class
    for factory_class in (
        ParagraphBlockFactory,
        HeadingBlockFactory,
        ImageBlockFactory,
        QuoteBlockFactory,
        SpeakerBlockFactory,
        TalkBlockFactory,
        DiscussionBlockFactory,
        FollowUpBlockFactory,
        ContactCardBlockFactory,
        DocumentBlockFactory,
        VideoBlockFactory,
        LinkBlockFactory,
        ResourceLinkBlockFactory,
    )
}
