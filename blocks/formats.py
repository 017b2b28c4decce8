"""Stored StreamField values in the current format.

Before Wagtail 2.16 a ListBlock was stored as a plain list of values; since then as ``{"type": "item", "value": ...,
"id": ...}`` items. Wagtail still reads the old form, but only writes the new one for blocks it has converted, and
wagtail-localize skips old-form lists when it extracts strings (their items have no ids to key translations on), so
text in them would never be offered for translation and would stay in the source language on translated pages.

A StructBlock whose children changed may read its own older form as well (``reads_legacy_form(raw)`` tells when a
stored value is in it: a speaker with one ``part`` before issue 12). ``current_format`` rewrites a value found to
hold old-form lists or such structs; values already current are left untouched, so block ids never change.
"""

from wagtail import blocks


def has_legacy_lists(block, raw):
    """Whether ``raw`` (stored JSON for ``block``) holds a ListBlock in the old plain-list form, or a struct in an
    older form it reads (see above), at any depth."""
    if raw is None:
        return False
    if isinstance(block, blocks.StreamBlock):
        return any(
            isinstance(child, dict)
            and child.get("type") in block.child_blocks
            and has_legacy_lists(block.child_blocks[child["type"]], child.get("value"))
            for child in raw
        )
    if isinstance(block, blocks.StructBlock):
        if not isinstance(raw, dict):
            return False
        if getattr(block, "reads_legacy_form", None) and block.reads_legacy_form(raw):
            return True
        return any(has_legacy_lists(child, raw.get(name)) for name, child in block.child_blocks.items())
    if isinstance(block, blocks.ListBlock):
        if not isinstance(raw, list):
            return False
        if any(not _in_block_format(item) for item in raw):
            return True
        return any(has_legacy_lists(block.child_block, item["value"]) for item in raw)
    return False


def _in_block_format(item):
    return isinstance(item, dict) and "type" in item and "value" in item and "id" in item


def current_format(stream_value):
    """``stream_value`` with every list and struct in the current form, or None when it already is."""
    stream_block, raw = stream_value.stream_block, stream_value.raw_data
    raw = list(raw)
    if not has_legacy_lists(stream_block, raw):
        return None
    value = stream_block.to_python(raw)
    # A StreamValue writes back the raw form of children nobody has read: read them all, so that get_prep_value
    # writes each from its Python value (lists in the current form; ids that exist are kept).
    for _child in value:
        pass
    return stream_block.to_python(value.get_prep_value())
