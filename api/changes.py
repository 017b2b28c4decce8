"""The change feed: ``GET /api/v2/changes/?after=<cursor>`` — every committed change event, in order.

A front-end that missed notifications, or builds statically, reads from its last cursor and applies what it
gets: rebuild the ``affected`` URLs, drop tombstones. A tombstone (unpublished, deleted or made private) says
which object went and which URLs it leaves, never what it contained. Cursors are opaque; each item carries
its own, and ``meta.next`` is where to continue (the same cursor again when nothing is new).

Events younger than ``CMS_CHANGE_FEED_SETTLE_SECONDS`` are held back: an id is taken when a transaction
writes its event, and a transaction that started earlier may commit a smaller id after a reader has passed it.
"""

import datetime
from typing import Annotated, TypedDict

from django.conf import settings
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from wagtail.coreutils import get_content_languages

from cms import models as content
from cms.changes import KINDS, PAGE, decode_cursor, encode_cursor, object_key
from cms.frontend import frontend_url_for, site_roots

from .declare import Choices, Doc, Format, Inline
from .endpoints.base import error_body
from .urls import api_base_url

DEFAULT_LIMIT = 100
# Name -> (JSON Schema, description): what the view below accepts, and the feed's OpenAPI parameters.
PARAMETERS = {
    "after": (
        {"type": "string"},
        "Cursor of the last event you have (an item's `cursor` or `meta.next`); omit it to start at the "
        "oldest event kept.",
    ),
    "limit": ({"type": "integer", "minimum": 1}, "Events per response, 1 to the API's listing limit (default 100)."),
    "locale": ({"type": "string"}, "Only events of objects in this language (a content language code)."),
    "type": (
        {"type": "string"},
        "Only events of objects of this type, e.g. `cms.EventReportPage`, `cms.Person`, `wagtailimages.Image`.",
    ),
}
# Which endpoint serves an object of each kind (types without one, such as topics, have no detail_url).
ENDPOINTS = {
    PAGE: "pages",
    "cms.person": "people",
    "cms.organisation": "organisations",
    "cms.contactcard": "contacts",
    "cms.project": "projects",
}


def _error(message):
    return JsonResponse(error_body(message), status=400)


# --- declarations ------------------------------------------------------------------------------------------
class ChangedObject(TypedDict):
    type: Annotated[str, Doc("The object's type, as in `meta.type`.")]
    id: int
    locale: str | None
    translation_key: Annotated[str | None, Doc("Shared by all translations of the object.")]
    detail_url: Annotated[str | None, Doc("Its API address; null for tombstones."), Format("uri")]
    html_url: Annotated[str | None, Doc("Its front-end address (pages); null for tombstones.")]


class Affected(TypedDict):
    html_urls: Annotated[list[str], Doc("Front-end URLs to rebuild or purge, old addresses included.")]
    detail_urls: Annotated[list[Annotated[str, Format("uri")]], Doc("API addresses of the public pages it changed.")]
    tags: Annotated[list[str], Doc("The cache tags (`Cache-Tag`) to purge.")]
    everything: Annotated[bool, Doc("Every response changed (a site or language change).")]


class ChangeEvent(TypedDict):
    """One committed edit that changed what the public sees."""

    cursor: Annotated[str, Doc("Continue after this event: pass it as `after`.")]
    time: Annotated[str, Doc("When the edit was saved."), Format("date-time")]
    kind: Annotated[str, Choices(lambda: list(KINDS)), Doc("What happened.")]
    tombstone: Annotated[bool, Doc("The object is no longer public (unpublished, deleted or made private).")]
    object: Annotated[ChangedObject, Inline]
    affected: Annotated[Affected, Inline]


class ChangeFeedMeta(TypedDict):
    next: Annotated[str, Doc("Where to continue: the last item's cursor, or `after` again when empty.")]
    has_more: Annotated[bool, Doc("More events are waiting; ask again with `next` at once.")]


class ChangeFeed(TypedDict):
    meta: Annotated[ChangeFeedMeta, Inline]
    items: list[ChangeEvent]


def _endpoints():
    """Detail URL prefix per object kind (Wagtail's detail pattern is ``<int:pk>/`` below the listing): one
    ``reverse()`` per kind and response, not one per URL (an event may name a thousand pages)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    names = {**ENDPOINTS, object_key(get_image_model()): "images", object_key(get_document_model()): "documents"}
    base = api_base_url()
    return {key: base + reverse(f"wagtailapi_v2:{name}:listing") for key, name in names.items()}


def _detail_url(endpoints, key, pk):
    prefix = endpoints.get(key)
    return None if prefix is None else f"{prefix}{pk}/"


def represent(event, endpoints, roots):
    affected = event.affected
    pk = int(event.object_id) if event.object_id.isdigit() else event.object_id
    public = event.public
    return ChangeEvent(
        cursor=encode_cursor(event.pk),
        time=event.created_at.isoformat(),
        kind=event.kind,
        tombstone=not public,
        object=ChangedObject(
            type=event.specific_type,
            id=pk,
            locale=event.locale or None,
            translation_key=str(event.translation_key) if event.translation_key else None,
            detail_url=_detail_url(endpoints, event.object_type, pk) if public else None,
            html_url=frontend_url_for(event.url_path, roots) if public and event.url_path else None,
        ),
        affected=Affected(
            html_urls=affected.get("urls", []),
            detail_urls=[_detail_url(endpoints, PAGE, page) for page in affected.get("public_pages", [])],
            tags=affected.get("tags", []),
            everything=bool(affected.get("everything")),
        ),
    )


# Read-only and public: a POST is answered 405 (require_safe), not refused by the CSRF check first.
@csrf_exempt
@require_safe
def changes_view(request):
    params = request.GET
    unknown = set(params) - set(PARAMETERS)
    if unknown:
        return _error("query parameter is not allowed on the change feed: " + ", ".join(sorted(unknown)))
    after = 0
    if "after" in params:
        after = decode_cursor(params["after"])
        if after is None:
            return _error("after must be a cursor from this feed")
    limit = DEFAULT_LIMIT
    if "limit" in params:
        value = params["limit"]
        limit_max = getattr(settings, "WAGTAILAPI_LIMIT_MAX", 20)
        if not value.isdigit() or not 1 <= int(value) <= limit_max:
            return _error(f"limit must be an integer from 1 to {limit_max}")
        limit = int(value)
    events = content.ChangeEvent.objects.filter(id__gt=after).order_by("id")
    settle = getattr(settings, "CMS_CHANGE_FEED_SETTLE_SECONDS", 5)
    if settle:
        events = events.filter(created_at__lte=timezone.now() - datetime.timedelta(seconds=settle))
    if "locale" in params:
        if params["locale"] not in get_content_languages():
            return _error(f"unknown locale: {params['locale']}")
        events = events.filter(locale=params["locale"])
    if "type" in params:
        events = events.filter(specific_type__iexact=params["type"][:100])
    rows = list(events[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    endpoints, roots = _endpoints(), site_roots()
    items = [represent(event, endpoints, roots) for event in rows]
    next_cursor = encode_cursor(rows[-1].pk) if rows else encode_cursor(after)
    response = JsonResponse(
        ChangeFeed(meta=ChangeFeedMeta(next=next_cursor, has_more=more), items=items),
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response
