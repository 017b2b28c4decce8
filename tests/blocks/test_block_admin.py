"""How blocks present themselves in the admin: real icons, collapsed streams, summaries that read well.

A collapsed block shows one line: its label and a summary. With ``label_format`` unset, Wagtail's summary is the
first field (in form order) that has a text; with it, each ``{field}`` is replaced by that field's text. Wagtail
prints an empty chooser as "null" there, and a choice is never empty, so the rules below keep both out.
"""

import importlib
import inspect
import pkgutil
import re

import pytest
from django.apps import apps
from django.urls import reverse
from wagtail import blocks
from wagtail.admin.icons import get_icons
from wagtail.admin.menu import admin_menu
from wagtail.admin.viewsets import viewsets
from wagtail.fields import StreamField

import blocks as project_blocks

PROJECT_PACKAGES = {"api", "blocks", "cms", "config", "frontend_hooks"}


def registered_icons():
    """The names of the icons in Wagtail's icon sprite (Wagtail's own and any registered by ``register_icons``)."""
    return set(re.findall(r'<symbol[^>]*\bid="icon-([^"]+)"', get_icons()))


def project_struct_blocks():
    """Every StructBlock type defined in the ``blocks`` package (bases without fields of their own left out)."""
    found = {}
    for module_info in pkgutil.iter_modules(project_blocks.__path__):
        module = importlib.import_module(f"blocks.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == module.__name__ and issubclass(cls, blocks.StructBlock) and cls.base_blocks:
                found[cls.__name__] = cls
    return [found[name] for name in sorted(found)]


def project_stream_fields():
    return [
        (f"{model.__name__}.{field.name}", field)
        for model in apps.get_models()
        if model.__module__.split(".")[0] in PROJECT_PACKAGES
        for field in model._meta.get_fields()
        if isinstance(field, StreamField)
    ]


def all_blocks(block, path):
    """``(path, block)`` for a block and every block inside it."""
    yield path, block
    if isinstance(block, (blocks.StreamBlock, blocks.StructBlock)):
        for name, child in block.child_blocks.items():
            yield from all_blocks(child, f"{path}.{name}")
    elif isinstance(block, blocks.ListBlock):
        yield from all_blocks(block.child_block, f"{path}.item")


def reachable_blocks():
    return [found for name, field in project_stream_fields() for found in all_blocks(field.stream_block, name)]


def test_the_block_types_are_found():
    # Guards the discovery the tests below rely on: a rename must not leave them testing nothing.
    assert {"SpeakerBlock", "TalkBlock", "DiscussionBlock", "QuestionBlock", "FollowUpBlock", "ImageBlock"} <= {
        cls.__name__ for cls in project_struct_blocks()
    }
    assert {"EventReportPage.body", "EventReportPage.follow_ups", "Person.links"} <= {
        name for name, _field in project_stream_fields()
    }
    assert len(registered_icons()) > 100


# --- icons ------------------------------------------------------------------------------------------
def test_every_block_icon_is_one_wagtail_has():
    icons = registered_icons()
    missing = {path: block.meta.icon for path, block in reachable_blocks() if block.meta.icon not in icons}
    assert missing == {}


def project_viewsets():
    reverse("wagtailadmin_home")  # the admin's URLconf registers the viewsets
    return [vs for vs in viewsets.viewsets if type(vs).__module__.split(".")[0] in PROJECT_PACKAGES]


def test_every_viewset_icon_is_one_wagtail_has():
    icons = registered_icons()
    found = project_viewsets()
    assert {type(vs).__name__ for vs in found} >= {"PersonViewSet", "TopicViewSet", "EventReportListingViewSet"}
    # Without a menu entry a viewset may go without an icon, as Wagtail's own page viewset does.
    in_menu = {vs for vs in found if vs.add_to_admin_menu or vs.add_to_settings_menu}
    missing = {
        type(vs).__name__: (vs.icon, vs.menu_icon)
        for vs in found
        if (vs.icon or vs in in_menu) and vs.icon not in icons or (vs.menu_icon and vs.menu_icon not in icons)
    }
    assert missing == {}


def menu_items(items):
    for item in items:
        yield item
        submenu = getattr(item, "menu", None)
        if submenu is not None:
            yield from menu_items(submenu.registered_menu_items)


def test_every_menu_icon_is_one_wagtail_has():
    reverse("wagtailadmin_home")
    icons = registered_icons()
    items = list(menu_items(admin_menu.registered_menu_items))
    assert "event-reports" in {item.name for item in items}
    missing = {item.name: item.icon_name for item in items if item.icon_name and item.icon_name not in icons}
    assert missing == {}


# --- collapsed --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "field"), project_stream_fields(), ids=[name for name, _ in project_stream_fields()])
def test_stored_streams_open_collapsed(name, field):
    assert field.stream_block.meta.collapsed is True, name


def test_lists_of_structured_items_open_collapsed_and_lists_of_lines_open():
    lists = [(path, block) for path, block in reachable_blocks() if isinstance(block, blocks.ListBlock)]
    assert lists
    # A speaker or question reads by its summary; an outcome is one line of text, edited where it stands.
    wrong = {
        path: block.meta.collapsed
        for path, block in lists
        if block.meta.collapsed is not isinstance(block.child_block, blocks.StructBlock)
    }
    assert wrong == {}


# --- summaries --------------------------------------------------------------------------------------
@pytest.mark.parametrize("block_class", project_struct_blocks(), ids=lambda cls: cls.__name__)
def test_every_struct_block_decides_its_summary(block_class):
    """Its own Meta says which summary it has: a ``label_format``, or None for Wagtail's first filled field."""
    # Wagtail takes a block's Meta out of the class and makes it the first base of ``_meta_class``.
    assert hasattr(block_class, "_meta_class"), "Wagtail no longer keeps block options in _meta_class"
    own = [meta for meta in block_class._meta_class.__bases__ if meta.__qualname__ == f"{block_class.__name__}.Meta"]
    assert own, f"{block_class.__name__} has no Meta of its own"
    assert "label_format" in vars(own[0])


@pytest.mark.parametrize("block_class", project_struct_blocks(), ids=lambda cls: cls.__name__)
def test_the_summary_never_prints_null_nor_only_a_choice(block_class):
    block = block_class()
    label_format = block.meta.label_format
    if label_format is None:
        # Wagtail's summary: the first field with a text. A choice or a tick box always has one, so the summary
        # would always be it (“Talk”), never what names the block.
        first_name = block.get_form_layout().get_sorted_block_names()[0]
        first = block.child_blocks[first_name]
        assert not isinstance(first, (blocks.ChoiceBlock, blocks.MultipleChoiceBlock, blocks.BooleanBlock)), first_name
        return
    names = re.findall(r"\{(\w+)\}", label_format)
    assert names, label_format
    for name in names:
        child = block.child_blocks.get(name)
        assert child is not None, f"{name} is not a field of {block_class.__name__}"
        # An empty chooser prints “null”, and so does a struct without a text; lists join their items' texts.
        assert isinstance(child, (blocks.FieldBlock, blocks.ListBlock)), name
        assert not isinstance(child, blocks.ChooserBlock), f"{name}: an empty chooser prints “null”"
