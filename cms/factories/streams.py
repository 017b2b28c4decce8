"""The StreamFields of reports and people, on wagtail-factories' StreamBlockFactory, and ``stream()``: one
StreamValue from a list of children given as plain data.

What comes out is what the admin saves, down to the ListBlock items with their ids: blocks in their native types
(see ``cms.factories.blocks``), every child of a StructBlock present. Assigned to a page and saved, it is stored in
Wagtail's current JSON form, the one translation tools read (they skip the old plain-list form of ListBlocks).

Two ways to say what a stream holds:

- wagtail-factories' declarations, for a block or two:
  ``EventReportPageFactory(body__0__speaker__person=person, body__1__paragraph="<p>Text.</p>")``;
- ``ReportBodyFactory.stream(children)``, for content written as data (the demo report, the benchmark, tests
  that read better as a list). Each child is ``(block_name, value)`` or ``(block_name, value, id)``; a value is
  a dict of the block factory's children (lists of dicts for ListBlocks) or a plain value (a paragraph's HTML,
  a contact card)::

      ReportBodyFactory.stream(
          [
              ("heading", {"text": "Atklāšana"}),
              ("talk", {"kind": "presentation", "speakers": [{"person": anna, "role": "Direktore"}]}),
              ("discussion", {"questions": [{"question": "Kāpēc?", "outcomes": ["Tāpēc."]}]}),
              ("contact", card),
          ],
          block_id=lambda *path: ...,  # optional: ids from the position, e.g. (3, "questions", 0, "outcomes", 0)
      )

``stream()`` only spells the data as the double-underscore declarations wagtail-factories takes
(``1__talk__speakers__0__role="Direktore"``) and sets the ids; the factories build everything. Without
``block_id``, ids are new UUIDs, as the admin gives them.
"""

import factory
import wagtail_factories
from wagtail import blocks as wagtail_blocks
from wagtail.blocks.list_block import ListValue

from cms.models import EventReportPage, Person

from .blocks import STREAM_CHILD_FACTORIES


class StreamBlockFactory(wagtail_factories.StreamBlockFactory):
    """wagtail-factories' StreamBlockFactory, with children given as plain values (``0__paragraph="<p>…</p>"``)
    normalised to the block's type, and ``stream()``."""

    class Meta:
        abstract = True

    # factory_boy's documented hooks (wagtail-factories builds the stream in them).
    @classmethod
    def _build(cls, block_class, *args, **kwargs):
        return _normalised(super()._build(block_class, *args, **kwargs))

    @classmethod
    def _create(cls, block_class, *args, **kwargs):
        return _normalised(super()._create(block_class, *args, **kwargs))

    @classmethod
    def stream(cls, children, block_id=None):
        """A StreamValue of ``children`` (see the module's docstring). ``block_id(*path)`` gives the ids from
        each block's position: ``(3,)`` for the fourth child, ``(3, "speakers", 0)`` for its first speaker."""
        declarations = {}
        for index, (name, value, *_id) in enumerate(children):
            declarations.update(_declarations(f"{index}__{name}", value) or {str(index): name})
        built = cls(**declarations)
        for index, (child, given) in enumerate(zip(built, children, strict=True)):
            if len(given) > 2:
                child.id = given[2]
            elif block_id:
                child.id = block_id(index)
            if block_id:
                _set_item_ids(child.value, (index,), block_id)
        return built


def _normalised(value):
    return wagtail_blocks.StreamValue(
        value.stream_block, [(child.block_type, child.block.normalize(child.value)) for child in value]
    )


def _declarations(prefix, value):
    """Nested data as wagtail-factories' declarations: ``{"speakers": [{"role": "x"}]}`` under ``0__talk`` is
    ``0__talk__speakers__0__role="x"``; a list of plain values (outcomes) is ``…__outcomes__0="…"``. Anything
    else (a string, an object, an empty list, a tuple: the choices of a multiple choice) is the child's value as
    it is."""
    if type(value) is dict:
        items = value.items()
    elif type(value) is list and value:
        if {} in value:
            raise ValueError(f"{prefix}: wagtail-factories cannot declare a list item without a child")
        items = enumerate(value)
    else:
        return {prefix: value}
    declarations = {}
    for key, item in items:
        declarations.update(_declarations(f"{prefix}__{key}", item))
    return declarations


def _set_item_ids(value, path, block_id):
    """Ids for the ListBlock items inside a block, from their path: (3, "questions", 1, "outcomes", 0)."""
    if isinstance(value, wagtail_blocks.StructValue):
        for name, child in value.items():
            _set_item_ids(child, (*path, name), block_id)
    elif isinstance(value, ListValue):
        for index, item in enumerate(value.bound_blocks):
            item.id = block_id(*path, index)
            _set_item_ids(item.value, (*path, index), block_id)


def stream_factory(name, model, field_name):
    """The StreamBlockFactory of a model's StreamField: a declaration per child block, its block's factory."""
    stream_block = model._meta.get_field(field_name).stream_block
    declarations = {}
    for child_name, block in stream_block.child_blocks.items():
        if type(block) not in STREAM_CHILD_FACTORIES:
            missing = type(block).__name__
            raise LookupError(f"{model.__name__}.{field_name} holds {missing}: add its factory to cms.factories.blocks")
        declarations[child_name] = factory.SubFactory(STREAM_CHILD_FACTORIES[type(block)])
    # wagtail-factories instantiates Meta.model, a StreamBlock class; the fields declare their blocks as lists.
    block_class = type(f"{model.__name__}_{field_name}", (wagtail_blocks.StreamBlock,), dict(stream_block.child_blocks))
    meta = type("Meta", (), {"model": block_class})
    return type(name, (StreamBlockFactory,), {**declarations, "Meta": meta, "__module__": __name__})


ReportBodyFactory = stream_factory("ReportBodyFactory", EventReportPage, "body")
ContactsFactory = stream_factory("ContactsFactory", EventReportPage, "contacts")
FollowUpsFactory = stream_factory("FollowUpsFactory", EventReportPage, "follow_ups")
ResourcesFactory = stream_factory("ResourcesFactory", EventReportPage, "resources")
PersonLinksFactory = stream_factory("PersonLinksFactory", Person, "links")
