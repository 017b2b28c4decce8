"""What blocks take from the delivery layer when they are serialised for the API.

Blocks sit below ``cms`` and ``api`` and import neither. The delivery API passes its services in the
serializer context that Wagtail hands to ``get_api_representation(value, context)``, under ``CONTEXT_KEY``;
without them (admin previews, templates, Wagtail's own API views) blocks give Wagtail's plain representation
(ids for chosen objects, stored rich text). The structural rules of the API form (drop a block whose required
reference is not public, fall back to a person's current role, build a link's ``href``) belong to the blocks
and are applied to the shapes the services give.
"""

from dataclasses import dataclass
from typing import Any, Protocol

CONTEXT_KEY = "block_services"


class ShapeOf(Protocol):
    def __call__(self, obj: Any, context: dict | None = None) -> dict | None:
        """The API shape of a chosen object, or None when it is not public."""


class ExpandRichText(Protocol):
    def __call__(self, source: Any) -> str:
        """Rich text as the API gives it (HTML, links resolved or dropped)."""


@dataclass(frozen=True, slots=True)
class BlockServices:
    shape_of: ShapeOf
    expand_rich_text: ExpandRichText


def services(context):
    """The services in ``context``, or None outside the delivery API."""
    return context.get(CONTEXT_KEY) if context else None
