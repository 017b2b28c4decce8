"""The block lists of event-report StreamFields.

Child names are the JSON ``type`` of each block in the API: renaming one is a breaking API change.
"""

from .contacts import ContactCardBlock
from .events import DiscussionBlock, FollowUpBlock, TalkBlock
from .links import ResourceLinkBlock
from .media import DocumentBlock, ImageBlock, VideoBlock
from .people import SpeakerBlock
from .text import HeadingBlock, ParagraphBlock, QuoteBlock


def report_body_blocks():
    return [
        ("paragraph", ParagraphBlock()),
        ("heading", HeadingBlock()),
        ("image", ImageBlock()),
        ("quote", QuoteBlock()),
        ("speaker", SpeakerBlock()),
        ("talk", TalkBlock()),
        ("discussion", DiscussionBlock()),
        ("follow_up", FollowUpBlock()),
        ("contact", ContactCardBlock()),
        ("document", DocumentBlock()),
        ("video", VideoBlock()),
    ]


def contact_blocks():
    return [("contact", ContactCardBlock())]


def follow_up_blocks():
    return [("follow_up", FollowUpBlock())]


def resource_blocks():
    return [("resource", ResourceLinkBlock())]
