"""JSON Schemas of StreamField blocks, derived from the block definitions; chosen objects are their shapes."""

from wagtail import blocks as wagtail_blocks
from wagtail.embeds.blocks import EmbedBlock

from blocks.base import ApiListBlock, ApiStructBlock
from blocks.choosers import PrefetchedChooserMixin

from ..shapes import declaration_for
from .jsonschema import (
    Declarations,
    array,
    boolean,
    choice_values,
    closed_object,
    enum_of,
    first_paragraph,
    html,
    integer,
    nullable,
    ref,
    string,
)


class BlockSchemas:
    """JSON Schemas of StreamField blocks, derived from their definitions.

    Each stream child becomes ``Block_<name>`` (``{type, value, id}``); a StructBlock's value becomes a
    component named after its class, shared by every place that uses the class. ``value()`` returns a
    block's schema and whether its API value may be null by itself: choosers give null for objects that are
    not public, an ``ApiStructBlock`` drops itself when its reference is gone, and optional field blocks are
    null when the stored content has no value for them (stored before the field existed, or written by
    code). Containers then decide: streams and ``ApiListBlock`` leave nulls out; a StructBlock keeps them,
    except for the children in its ``api_required``, without which it drops itself.
    """

    def __init__(self, components):
        self.components = components
        self.declarations = Declarations(components)
        self.struct_classes = {}

    def stream(self, stream_block):
        mapping = {}
        for name, child in stream_block.child_blocks.items():
            mapping[name] = self.stream_child(name, child)["$ref"]
        items = {
            "oneOf": [{"$ref": target} for target in mapping.values()],
            "discriminator": {"propertyName": "type", "mapping": mapping},
        }
        return array(items, "Blocks in the editor's order. A block whose content is not public is left out.")

    def stream_child(self, name, block):
        value, _ = self.value(block)
        schema = closed_object(
            {
                "type": string("The block type: a stable name, part of the contract.", const=name),
                "value": value,
                "id": string("Stable id of the block (a UUID)."),
            },
            title=str(block.label),
            description=first_paragraph(type(block)) if _is_ours(block) else None,
        )
        self.register(f"Block_{name}", schema, f"stream child {name!r}")
        return ref(f"Block_{name}")

    def register(self, component, schema, what):
        existing = self.components.get(component)
        if existing is not None and existing != schema:
            raise ValueError(f"{what}: component {component} already describes a different block")
        self.components[component] = schema

    def value(self, block):
        if isinstance(block, PrefetchedChooserMixin):
            return self.declarations.component(declaration_for(block.target_model)), True
        if isinstance(block, wagtail_blocks.ChooserBlock):
            raise TypeError(f"{type(block).__name__}: use the choosers of blocks.choosers, whose API value is a shape")
        if isinstance(block, wagtail_blocks.StructBlock):
            return self.struct(block), isinstance(block, ApiStructBlock)
        if isinstance(block, wagtail_blocks.ListBlock):
            item, item_may_be_null = self.value(block.child_block)
            if item_may_be_null and not isinstance(block, ApiListBlock):
                item = nullable(item)
            return array(item), False
        if isinstance(block, wagtail_blocks.RichTextBlock):
            return html("Rich text"), False
        if isinstance(block, EmbedBlock):
            # Wagtail gives the media's address, not its embed HTML (EmbedBlock.get_prep_value).
            return string("The address as entered (not embed HTML); the front-end embeds it."), False
        return self.field(block), not block.required

    def field(self, block):
        if isinstance(block, wagtail_blocks.URLBlock):
            return string(format="uri") if block.required else string("A web address, or empty.")
        if isinstance(block, wagtail_blocks.EmailBlock):
            return string(format="email") if block.required else string("An e-mail address, or empty.")
        if isinstance(block, wagtail_blocks.CharBlock | wagtail_blocks.TextBlock):
            return string()
        if isinstance(block, wagtail_blocks.IntegerBlock):
            return integer()
        if isinstance(block, wagtail_blocks.BooleanBlock):
            return boolean()
        if isinstance(block, wagtail_blocks.DateBlock):
            return string(format="date")
        if isinstance(block, wagtail_blocks.MultipleChoiceBlock):
            # A list of stored values; it may be empty in content stored before the field existed.
            return array(enum_of(choice_values(block.field.choices)), "Stored values of the choices made.")
        if isinstance(block, wagtail_blocks.ChoiceBlock):
            values = choice_values(block.field.choices)
            # An optional choice left empty in the admin is stored as "".
            return enum_of(values if block.required else [*values, ""])
        raise TypeError(f"{type(block).__name__} has no API schema mapping; add one to api.openapi.blocks.BlockSchemas")

    def struct(self, block):
        name = type(block).__name__
        if self.struct_classes.setdefault(name, type(block)) is not type(block):
            raise ValueError(f"Two StructBlock classes are named {name}; component names must be unique")
        api_required = set(getattr(block, "api_required", ()))
        properties = {}
        for child_name, child in block.child_blocks.items():
            schema, may_be_null = self.value(child)
            if may_be_null and child_name not in api_required:
                schema = nullable(schema)
            properties[child_name] = _labelled(schema, child)
        properties.update(getattr(block, "api_extra_properties", {}))
        description = first_paragraph(type(block)) if _is_ours(block) else None
        self.register(name, closed_object(properties, description=description, title=str(block.label)), name)
        return ref(name)


def _is_ours(block):
    return type(block).__module__.split(".")[0] == "blocks"


def _labelled(schema, block):
    """A struct child's schema with the label and help text editors see, as title and description."""
    help_text = block.get_description() or getattr(block.meta, "help_text", None)
    description = " ".join(text for text in (str(help_text or ""), schema.get("description")) if text)
    labelled = {**schema, "title": str(block.label)}
    if description:
        labelled["description"] = description
    return labelled
