from .changes import ChangeEvent
from .pages import (
    EventAudienceGroup,
    EventOrganiser,
    EventProject,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    RelatedEvent,
)
from .permissions import GroupLocalePermission
from .preview import PreviewSnapshot
from .snippets import ContactCard, Organisation, Person, Project, Topic

__all__ = [
    "ChangeEvent",
    "ContactCard",
    "EventAudienceGroup",
    "EventOrganiser",
    "EventProject",
    "EventReportIndexPage",
    "EventReportPage",
    "EventSession",
    "GroupLocalePermission",
    "Organisation",
    "Person",
    "PreviewSnapshot",
    "Project",
    "RelatedEvent",
    "Topic",
]
