"""schema.org data for an event report: a ``NewsArticle`` about an ``Event``.

Follows schema.org and Google's event guidance: the event has ``name``, ``startDate`` and ``location``
(a ``Place``, a ``VirtualLocation`` or both for hybrid events), ``eventAttendanceMode``, ``organizer`` and
``performer`` people with the ``jobTitle`` and ``worksFor`` they had at the event.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from . import shapes
from .urls import frontend_url

ATTENDANCE_MODES = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "on_site": "https://schema.org/OfflineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def _organization(shape):
    data = {"@type": "Organization", "name": shape["name"]}
    if shape.get("website"):
        data["url"] = shape["website"]
    return data


def _start(page):
    sessions = list(page.sessions.all())
    first = sessions[0] if sessions else None
    if first and first.date == page.start_date and first.start_time:
        moment = datetime.datetime.combine(first.date, first.start_time)
        return timezone.make_aware(moment).isoformat()
    return page.start_date.isoformat()


def _locations(page, url):
    place = None
    if page.venue_name or page.venue_address:
        place = {"@type": "Place", "name": page.venue_name or page.venue_address}
        if page.venue_address:
            place["address"] = page.venue_address
    virtual = {"@type": "VirtualLocation", "url": url}
    if page.online_platform:
        virtual["name"] = page.online_platform
    if page.event_format == "online":
        return virtual
    if page.event_format == "hybrid":
        return [loc for loc in (place, virtual) if loc]
    return place


def _performers(page, context):
    seen, performers = set(), []
    for block in page.body:
        if block.block_type == "speaker":
            speakers = [block.value]
        elif block.block_type == "talk":
            speakers = list(block.value["speakers"])
        else:
            continue
        for speaker in speakers:
            data = speaker.block.get_api_representation(speaker, context) if hasattr(speaker, "block") else None
            if data is None or data["person"]["id"] in seen:
                continue
            seen.add(data["person"]["id"])
            person = {"@type": "Person", "name": data["person"]["name"]}
            if data["role"]:
                person["jobTitle"] = data["role"]
            if data["organisation"]:
                person["worksFor"] = _organization(data["organisation"])
            performers.append(person)
    return performers


def event_report_jsonld(page, context):
    resolver = context["resolver"]
    url = frontend_url(page)
    with resolver.active():
        organisers = [
            shapes.organisation(resolver.get("cms.organisation", row.organisation_id)) for row in page.organisers.all()
        ]
        performers = _performers(page, context)
    event = {
        "@type": "Event",
        "name": page.event_name or page.title,
        "description": page.lead,
        "startDate": _start(page),
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if page.end_date:
        event["endDate"] = page.end_date.isoformat()
    if page.event_format in ATTENDANCE_MODES:
        event["eventAttendanceMode"] = ATTENDANCE_MODES[page.event_format]
    location = _locations(page, url)
    if location:
        event["location"] = location
    organizers = [_organization(shape) for shape in organisers if shape]
    if organizers:
        event["organizer"] = organizers
    if performers:
        event["performer"] = performers
    published = page.publication_date or (page.first_published_at and page.first_published_at.date())
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        "description": page.lead,
        "inLanguage": page.locale.language_code,
        "url": url,
        "publisher": {"@type": "Organization", "name": getattr(settings, "WAGTAIL_SITE_NAME", "wagtail")},
        "about": event,
    }
    if published:
        article["datePublished"] = published.isoformat()
    if page.last_published_at:
        article["dateModified"] = page.last_published_at.isoformat()
    hero = resolver.get(page._meta.get_field("hero_image").related_model, page.hero_image_id)
    if hero is not None:
        article["image"] = [shapes.image(hero)["renditions"]["large"]["url"]]
    return article
