"""schema.org data for an event report: a ``NewsArticle`` about an ``Event``, for the front end's JSON-LD script.

Follows schema.org and Google's event guidance, and says only what the report states:

- the event's ``startDate``/``endDate`` at the precision the report gives (``2021-05``, ``2021``: ISO 8601
  reduced precision, valid for schema.org ``Date``), no ``startDate`` at all when the date is not known; the first
  session's start time makes ``startDate`` a ``DateTime`` only when the day is exact;
- ``location``: a ``Place`` when a venue is known, a ``VirtualLocation`` when the event was online (its ``url`` is
  the stream or meeting link, never the report), both for hybrid events, whatever ``event_format`` says;
- ``performer``: every named speaker, talk speaker, moderator and panellist, with the ``jobTitle`` and
  ``worksFor`` stated *for this event* (a title taken from the person's current profile is not claimed for the
  event's date); unnamed speakers are not performers;
- ``subEvent`` per session, ``superEvent`` per series, ``funder`` for projects, programmes and funders;
- the article's ``datePublished`` at its precision (never the import day of a report taken from elsewhere),
  its ``author`` from the byline and ``isBasedOn`` its source.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from cms import dates
from cms.dates import DatePrecision

from . import shapes
from .urls import frontend_url

ATTENDANCE_MODES = {
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "on_site": "https://schema.org/OfflineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}
# Parts that do not make someone a performer: quoted in the report, or in the room without speaking.
NOT_PERFORMING = {"quoted", "present"}


def _organization(shape, kind="Organization"):
    data = {"@type": kind, "name": shape["name"]}
    if shape.get("website"):
        data["url"] = shape["website"]
    return data


def _moment(day, time):
    return timezone.make_aware(datetime.datetime.combine(day, time)).isoformat()


def _start(page, sessions):
    """The event's start: a DateTime when the first session on the (exact) start day gives its time."""
    first = sessions[0] if sessions else None
    if (
        page.date_precision == DatePrecision.DAY
        and first is not None
        and first.date_precision == DatePrecision.DAY
        and first.date == page.start_date
        and first.start_time
    ):
        return _moment(first.date, first.start_time)
    return dates.iso(page.start_date, page.date_precision)


def _place(name, address=""):
    place = {"@type": "Place", "name": name or address}
    if address:
        place["address"] = address
    return place


def _locations(page):
    locations = []
    if page.venue_name or page.venue_address:
        locations.append(_place(page.venue_name, page.venue_address))
    if page.online_platform or page.online_url or page.event_format in ("online", "hybrid"):
        virtual = {"@type": "VirtualLocation"}
        if page.online_platform:
            virtual["name"] = page.online_platform
        # The stream or meeting itself; the report's own address is not where the event took place.
        if page.online_url:
            virtual["url"] = page.online_url
        locations.append(virtual)
    if len(locations) > 1:
        return locations
    return locations[0] if locations else None


def _speakers(page):
    """(block, value) of every speaker in the body: speaker blocks, talks' speakers, moderators, panellists."""
    lists = {"talk": ("speakers",), "discussion": ("moderators", "panellists")}
    for child in page.body:
        if child.block_type == "speaker":
            yield child.block, child.value
        for name in lists.get(child.block_type, ()):
            item_block = child.block.child_blocks[name].child_block
            for value in child.value[name] or []:
                yield item_block, value


def _performers(page, context):
    seen, performers = set(), []
    for block, value in _speakers(page):
        data = block.get_api_representation(value, context)
        # Dropped (a person who is not public) or unnamed ("a representative of …"): not a performer.
        if data is None or data["person"] is None or data["person"]["id"] in seen:
            continue
        if data["parts"] and set(data["parts"]) <= NOT_PERFORMING:
            continue
        seen.add(data["person"]["id"])
        person = {"@type": "Person", "name": data["person"]["name"]}
        if data["person"].get("alternate_names"):
            person["alternateName"] = list(data["person"]["alternate_names"])
        # Only what the report states for the event: a profile's title is today's, not the one held then.
        if data["role"] and data.get("role_source") == "event":
            person["jobTitle"] = data["role"]
        if data["organisation"] and data.get("organisation_source") == "event":
            person["worksFor"] = _organization(data["organisation"])
        performers.append(person)
    return performers


def _session(page, session):
    precision, day = session.date_precision, session.date
    if not (dates.iso(day, precision) or session.title or session.place):
        return None  # a session the report says nothing about beyond its existence
    event = {"@type": "Event", "name": session.title or page.event_name or page.title}
    exact = precision == DatePrecision.DAY and day is not None
    start = _moment(day, session.start_time) if exact and session.start_time else dates.iso(day, precision)
    if start:
        event["startDate"] = start
    if exact and session.end_time:
        event["endDate"] = _moment(day, session.end_time)
    if session.place:
        event["location"] = _place(session.place)
    if session.recording_url:
        event["recordedIn"] = {"@type": "CreativeWork", "url": session.recording_url}
    return event


def _says_more(session):
    return bool(session.title or session.place or session.recording_url or session.start_time or session.end_time)


def _project(shape):
    """A project (or a programme) as a funder of the event, funded in turn by its funding programme."""
    kind = "FundingScheme" if shape["kind"] == "programme" else "Project"
    data = _organization(shape, kind)
    if shape["code"]:
        data["identifier"] = shape["code"]
    if shape["funding_programme"] and shape["funding_programme"] != shape["name"]:
        data["funder"] = {"@type": "FundingScheme", "name": shape["funding_programme"]}
    return data


def _series(shape):
    data = {"@type": "EventSeries", "name": shape["name"]}
    if shape["website"]:
        data["url"] = shape["website"]
    return data


def _event(page, context, resolver):
    sessions = list(page.sessions.all())
    organizers, funders, series = [], [], []
    for row in page.organisers.all():
        shape = shapes.organisation(resolver.get("cms.organisation", row.organisation_id))
        if shape:
            (funders if row.part == "funder" else organizers).append(_organization(shape))
    for row in page.projects.all():
        shape = shapes.project(resolver.get("cms.project", row.project_id))
        if shape and shape["kind"] == "series":
            series.append(_series(shape))
        elif shape:
            funders.append(_project(shape))

    event = {"@type": "Event", "name": page.event_name or page.title}
    if page.lead:
        event["description"] = page.lead
    start = _start(page, sessions)
    if start:
        event["startDate"] = start
    end = dates.iso(page.end_date, page.date_precision) if start else None
    if end:
        event["endDate"] = end
    event["eventStatus"] = "https://schema.org/EventScheduled"
    if page.event_format in ATTENDANCE_MODES:
        event["eventAttendanceMode"] = ATTENDANCE_MODES[page.event_format]
    location = _locations(page)
    if location:
        event["location"] = location
    if page.free_of_charge is not None:
        event["isAccessibleForFree"] = page.free_of_charge
    if organizers:
        event["organizer"] = organizers
    if funders:
        event["funder"] = funders
    performers = _performers(page, shapes.block_context(context))
    if performers:
        event["performer"] = performers
    sub_events = [sub for sub in (_session(page, session) for session in sessions) if sub]
    if len(sessions) == 1 and not _says_more(sessions[0]):
        sub_events = []  # a lone session with nothing of its own is the event itself, not a part of it
    if sub_events:
        event["subEvent"] = sub_events
    if series:
        event["superEvent"] = series if len(series) > 1 else series[0]
    return event


def _author(page, resolver):
    if not page.author_name:
        return None
    author = {"@type": "Person", "name": page.author_name}
    if page.author_position:
        author["jobTitle"] = page.author_position
    organisation = shapes.organisation(resolver.get("cms.organisation", page.author_organisation_id))
    if organisation:
        author["worksFor"] = _organization(organisation)
    return author


def event_report_jsonld(page, context):
    resolver = context["resolver"]
    url = frontend_url(page)
    with resolver.active():
        event = _event(page, context, resolver)
        author = _author(page, resolver)
    language = page.locale.language_code
    article = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": page.title[:110],
        **({"description": page.lead} if page.lead else {}),
        "inLanguage": language,
        "url": url,
        "publisher": {"@type": "Organization", "name": getattr(settings, "WAGTAIL_SITE_NAME", "wagtail")},
        "about": event,
    }
    published = dates.iso(*page.published_on)
    if published:
        article["datePublished"] = published
    if page.last_published_at:
        article["dateModified"] = page.last_published_at.isoformat()
    if author:
        article["author"] = author
    if page.source_url:
        article["isBasedOn"] = page.source_url
        # Machine-translated from the source's language: the source is the work this text translates.
        if page.machine_translated and page.source_language and page.source_language != language:
            article["translationOfWork"] = {
                "@type": "CreativeWork",
                "url": page.source_url,
                "inLanguage": page.source_language,
            }
    hero = resolver.get(page._meta.get_field("hero_image").related_model, page.hero_image_id)
    if hero is not None:
        article["image"] = [shapes.image(hero)["renditions"]["large"]["url"]]
    return article
