from .changes import ChangeEvent
from .pages import (
    EventAudienceGroup,
    EventOrganiser,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
)
from .permissions import GroupLocalePermission
from .preview import PreviewSnapshot
from .snippets import ContactCard, Organisation, Person, Topic

__all__ = [
    "ChangeEvent",
    "ContactCard",
    "EventAudienceGroup",
    "EventOrganiser",
    "EventReportIndexPage",
    "EventReportPage",
    "EventSession",
    "GroupLocalePermission",
    "Organisation",
    "Person",
    "PreviewSnapshot",
    "Topic",
]
