"""The block lists of event-report StreamFields.

Child names are the JSON ``type`` of each block in the API: renaming one is a breaking API change.
"""

from .contacts import ContactCardBlock
from .events import DiscussionBlock, FollowUpBlock, TalkBlock
from .links import LinkBlock, ResourceLinkBlock
from .media import DocumentBlock, ImageBlock, VideoBlock
from .people import SpeakerBlock
from .safe import SafeStreamBlock
from .text import HeadingBlock, ParagraphBlock, QuoteBlock

# Each function returns the top-level block of one StreamField: a ``SafeStreamBlock``, which stores only cleaned
# content whoever writes it, and iterates as the list of ``(name, block)`` pairs it is made from.


def report_body_blocks():
    # Follow-up activities and contact cards are not offered here: each has one home, its own stream
    # (``follow_up_blocks``, ``contact_blocks``), so that a front-end finds them in one place. Those written into
    # a body before were moved to their own streams by a data migration.
    return SafeStreamBlock(
        [
            ("paragraph", ParagraphBlock()),
            ("heading", HeadingBlock()),
            ("image", ImageBlock()),
            ("quote", QuoteBlock()),
            ("speaker", SpeakerBlock()),
            ("talk", TalkBlock()),
            ("discussion", DiscussionBlock()),
            ("document", DocumentBlock()),
            ("video", VideoBlock()),
        ]
    )


def contact_blocks():
    return SafeStreamBlock([("contact", ContactCardBlock())])


def follow_up_blocks():
    return SafeStreamBlock([("follow_up", FollowUpBlock())])


def resource_blocks():
    return SafeStreamBlock([("resource", ResourceLinkBlock())])


def link_blocks():
    """A person's links."""
    return SafeStreamBlock([("link", LinkBlock())])
