from .pages import (
    EventAudienceGroup,
    EventOrganiser,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
)
from .snippets import ContactCard, Organisation, Person, Topic

__all__ = [
    "ContactCard",
    "EventAudienceGroup",
    "EventOrganiser",
    "EventReportIndexPage",
    "EventReportPage",
    "EventSession",
    "Organisation",
    "Person",
    "Topic",
]
