"""What a webhook says: its event type and its payload, built from one change event (``cms.changes``).

The payload is thin and stable (see docs/frontend-integration.md): it names what changed and where, never
its content, and only what a public API request could see — the URLs the public knew before or knows after
the change, and the cache tags of public objects. A front-end fetches the content from the API.
"""

import json

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from cms.changes import PAGE, SNIPPET_LISTINGS, encode_cursor, tag
from cms.frontend import frontend_url_for

# type -> label for administrators. Renaming a type is an API change for every receiver.
EVENT_TYPES = {
    "page.published": _("Page published"),
    "page.unpublished": _("Page unpublished"),
    "page.deleted": _("Page deleted"),
    "page.moved": _("Page moved"),
    "page.slug_changed": _("Page address changed"),
    "page.privacy_changed": _("Page privacy changed"),
    "person.published": _("Person published"),
    "person.unpublished": _("Person unpublished"),
    "person.deleted": _("Person deleted"),
    "organisation.published": _("Organisation published"),
    "organisation.unpublished": _("Organisation unpublished"),
    "organisation.deleted": _("Organisation deleted"),
    "contact.published": _("Contact card published"),
    "contact.unpublished": _("Contact card unpublished"),
    "contact.deleted": _("Contact card deleted"),
    "project.published": _("Project or series published"),
    "project.unpublished": _("Project or series unpublished"),
    "project.deleted": _("Project or series deleted"),
}

SNIPPET_NAMES = {
    "cms.person": "person",
    "cms.organisation": "organisation",
    "cms.contactcard": "contact",
    "cms.project": "project",
}
# The API endpoint of each kind of object (the router's names in ``wagtailapi_v2``).
API_ENDPOINTS = {
    PAGE: "pages",
    "cms.person": "people",
    "cms.organisation": "organisations",
    "cms.contactcard": "contacts",
    "cms.project": "projects",
}


def webhook_type(event):
    """The webhook event type of a change event, or None when receivers are not told of it (media,
    collections, sites, topics and translation syncs reach them only as cache purges and in the feed)."""
    if event.object_type == PAGE:
        if event.kind == "page.privacy":
            return "page.privacy_changed"
        if event.kind == "page.published" and _address_changed(event):
            return "page.slug_changed"
        return event.kind if event.kind in EVENT_TYPES else None
    name = SNIPPET_NAMES.get(event.object_type)
    if name and event.kind.startswith("snippet."):
        return f"{name}.{event.kind.split('.', 1)[1]}"
    return None


def _address_changed(event):
    from cms.models import ChangeEvent

    previous = (
        ChangeEvent.objects.filter(object_type=event.object_type, object_id=event.object_id, pk__lt=event.pk)
        .order_by("-pk")
        .only("public", "url_path")
        .first()
    )
    return bool(previous and previous.public and previous.url_path and previous.url_path != event.url_path)


def api_url(event):
    endpoint = API_ENDPOINTS.get(event.object_type)
    if endpoint is None:
        return None
    try:
        path = reverse(f"wagtailapi_v2:{endpoint}:detail", kwargs={"pk": int(event.object_id)})
    except (NoReverseMatch, ValueError):
        return None
    base = getattr(settings, "WAGTAILAPI_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return base.rstrip("/") + path


def public_tags(event):
    """The change's cache tags that name public things: the object itself (the public knew it, or the event
    would not exist), listings, and pages public now. Tags of private pages are left out."""
    affected = event.affected or {}
    public_pages = {tag(PAGE, pk) for pk in affected.get("public_pages", [])}
    own = tag(event.object_type, event.object_id)
    listings = {"pages", *SNIPPET_LISTINGS.values()}
    return sorted(t for t in affected.get("tags", []) if t == own or t in listings or t in public_pages)


def payload(event, event_type):
    affected = event.affected or {}
    return {
        "type": event_type,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "event_id": event.pk,
            # Resume the change feed from here (``/api/v2/changes/?after=<cursor>``) after missing webhooks.
            "cursor": encode_cursor(event.pk),
            "object": {"type": event.specific_type or event.object_type, "id": _int(event.object_id)},
            "locale": event.locale or None,
            "translation_key": str(event.translation_key) if event.translation_key else None,
            "public": event.public,
            "api_url": api_url(event),
            "frontend_url": frontend_url_for(event.url_path) if event.public and event.url_path else None,
            "affected_urls": sorted(affected.get("urls", [])),
            "cache_tags": public_tags(event),
        },
    }


def body(event, event_type):
    """The exact bytes signed and sent (as text): the same on every retry."""
    return json.dumps(payload(event, event_type), ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value
