"""What blocks take from the delivery layer when they are serialised for the API.

Blocks sit below ``cms`` and ``api`` and import neither. The delivery API passes its services in the
serializer context that Wagtail hands to ``get_api_representation(value, context)``, under ``CONTEXT_KEY``;
without them (admin previews, templates, Wagtail's own API views) blocks give Wagtail's plain representation
(ids for chosen objects, stored rich text). The structural rules of the API form (drop a block whose required
reference is not public, fall back to a person's current role, build a link's ``href``) belong to the blocks
and are applied to the shapes the services give.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

CONTEXT_KEY = "block_services"


class ShapeOf(Protocol):
    def __call__(self, obj: Any, context: dict | None = None) -> dict | None:
        """The API shape of a chosen object, or None when it is not public."""


class ExpandRichText(Protocol):
    def __call__(self, source: Any) -> str:
        """Rich text as the API gives it (HTML, links resolved or dropped)."""


class Remember(Protocol):
    def __call__(self, block: Any, value: Any, build: Callable[[], Any]) -> Any:
        """``build()``, or what it gave for this block and value earlier in the same response."""


def build_every_time(block, value, build):
    return build()


@dataclass(frozen=True, slots=True)
class BlockServices:
    shape_of: ShapeOf
    expand_rich_text: ExpandRichText
    # A block whose representation is asked for more than once per response (a speaker: in the body, then in the
    # JSON-LD's performers) builds it once. What it gives is shared: whoever embeds it must not change it.
    remember: Remember = build_every_time


def services(context):
    """The services in ``context``, or None outside the delivery API."""
    return context.get(CONTEXT_KEY) if context else None
