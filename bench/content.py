"""Benchmark content on a fresh database: one report of ~50 blocks, reports of 10 and 200 blocks for the query
counts, and 24 short reports (with hero images) for the listing of 20 cards.

Everything is written the way editors and ``cms/demo/loader.py`` write it: snippets and pages are published
through revisions (so the reference index, ``last_published_at`` and the API cache signals are all real),
StreamFields are built by the project's stream builder (``cms.factories.streams``: what the admin saves, ListBlock
items with ids), and rich text links use the database form ``<a linktype="page" id="N">``. Block ids are derived
from their place in the page, so two builds give byte-identical JSON. Images are small generated PNGs (real files,
so renditions are real files too).
"""

import datetime
import functools
import io
import uuid

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Locale, Site

from cms.factories.streams import (
    ContactsFactory,
    FollowUpsFactory,
    PersonLinksFactory,
    ReportBodyFactory,
    ResourcesFactory,
)
from cms.models import (
    ContactCard,
    EventAudienceGroup,
    EventOrganiser,
    EventProject,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    Organisation,
    Person,
    Project,
    RelatedEvent,
    Topic,
)

# Listing pages come first in the tree, so ``?type=cms.EventReportPage&limit=20`` (ordered by path) returns them.
LISTING_PAGES = 24
LISTING_BODY_BLOCKS = 10
DETAIL_BLOCKS = 50
QUERY_COUNT_BLOCKS = (10, 50, 200)
PEOPLE = 20
ORGANISATIONS = 6
IMAGE_SIZE = (1000, 667)

_NAMESPACE = uuid.UUID("7726c926-e300-4191-a000-00000000be0c")

# One cycle of body blocks: every kind a report's body holds except ``video`` (an embed would call out to the
# oEmbed provider over the network). Contact cards and follow-ups have streams of their own (see ``report``).
CYCLE = ("heading", "paragraph", "speaker", "talk", "image", "discussion", "quote", "document")


def block_id(*parts):
    return str(uuid.uuid5(_NAMESPACE, "/".join(str(part) for part in parts)))


def ids(*prefix):
    """Block ids under a place, for ``stream()``: ``ids("forums-0", "body")(3, "speakers", 1)``."""
    return functools.partial(block_id, *prefix)


def png(seed, size=IMAGE_SIZE):
    """A small gradient PNG; every seed gives a different picture (and a different file)."""
    gradient = PILImage.linear_gradient("L").resize(size)
    colour = PILImage.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, (seed * 29) % 256))
    picture = PILImage.merge("RGB", (gradient, colour.getchannel(1), colour.getchannel(2)))
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG", optimize=False)
    return buffer.getvalue()


def publish(obj):
    obj.save_revision().publish()
    obj.refresh_from_db()
    return obj


class Builder:
    """Creates the objects; ``build()`` returns what the benchmark needs to know about them (ids, paths)."""

    def __init__(self):
        self.locale = Locale.get_default()
        self.pages = []  # link targets for rich text, in creation order

    # --- media -----------------------------------------------------------------------------------------
    def image(self, seed, title):
        image = get_image_model()(title=title)
        image.file = ImageFile(io.BytesIO(png(seed)), name=f"bench-{seed}.png")
        image.save()
        return image

    def document(self, seed, title):
        document = get_document_model()(title=title)
        body = b"%PDF-1.4\n% benchmark document " + str(seed).encode() + b"\n%%EOF\n"
        document.file = ContentFile(body, name=f"bench-{seed}.pdf")
        document.save()
        return document

    # --- snippets --------------------------------------------------------------------------------------
    def snippets(self):
        self.organisations = []
        for i in range(ORGANISATIONS):
            logo = self.image(1000 + i, f"Logotips {i}") if i % 2 == 0 else None
            org = Organisation(
                locale=self.locale,
                name=f"Biedrība Nr. {i}",
                acronym=f"B{i}" if i % 3 == 0 else "",
                website=f"https://org{i}.example.org/",
                logo=logo,
            )
            org.save()
            self.organisations.append(publish(org))
        self.people = []
        for i in range(PEOPLE):
            person = Person(
                locale=self.locale,
                name=f"Runātāja Nr. {i}",
                job_title="Projektu vadītāja" if i % 2 else "Direktore",
                organisation=self.organisations[i % ORGANISATIONS],
                photo=self.image(2000 + i, f"Portrets {i}"),
                bio=f"<p><b>Runātāja {i}</b> strādā sociālās uzņēmējdarbības jomā kopš {2000 + i}. gada.</p>",
                links=PersonLinksFactory.stream(
                    [("link", {"title": "Profils", "url": f"https://p{i}.example.org/"})], block_id=ids("person", i)
                ),
            )
            person.save()
            self.people.append(publish(person))
        self.contacts = []
        for i in range(4):
            card = ContactCard(
                locale=self.locale,
                name=f"Speciāliste Nr. {i}",
                position="Komercdarbības speciāliste",
                unit="IUK",
                organisation=self.organisations[0],
                phone="+371 64600000",
                email=f"kontakti{i}@example.org",
                web_page="https://example.org/kontakti/",
                last_verified=datetime.date(2024, 1, 15),
            )
            card.save()
            self.contacts.append(publish(card))
        self.projects = []
        for i, (name, kind) in enumerate((("Sociālās uzņēmējdarbības forumi", "series"), ("Kopā", "project"))):
            project = Project(
                locale=self.locale,
                name=name,
                kind=kind,
                code=f"2020-1-LV01-KA204-{i:06d}" if kind == "project" else "",
                funding_programme="Erasmus+" if kind == "project" else "",
                website=f"https://projekts{i}.example.org/",
                logo=self.image(5000 + i, f"Projekta logotips {i}"),
            )
            project.save()
            self.projects.append(publish(project))
        self.topics = []
        for i, name in enumerate(("Sociālā uzņēmējdarbība", "Uzņēmējdarbības atbalsts", "Kopienas")):
            topic = Topic(locale=self.locale, name=name, slug=f"tema-{i}")
            topic.save()
            self.topics.append(publish(topic))
        self.documents = [self.document(i, f"Prezentācija {i}") for i in range(8)]
        self.body_images = [self.image(3000 + i, f"Foto no pasākuma {i}") for i in range(6)]

    # --- blocks ----------------------------------------------------------------------------------------
    def speaker(self, n, part="speaker"):
        return {
            "person": self.people[n % PEOPLE],
            "parts": (part,),
            # Every third speaker has a role of their own at the event; the others show their current title.
            "role": "Projekta eksperte" if n % 3 == 0 else "",
            "organisation": self.organisations[(n + 1) % ORGANISATIONS] if n % 4 == 0 else None,
            "contribution": f"Pastāstīja par pieredzi Nr. {n} un atbildēja uz jautājumiem.",
        }

    def unnamed_speaker(self, part):
        """Someone the report does not name (“a representative of the association”)."""
        return {
            "person": None,
            "description": "Biedrības pārstāve",
            "parts": (part,),
            "role": "",
            "organisation": self.organisations[0],
            "contribution": "Pastāstīja par biedrības pieredzi.",
        }

    def rich_text(self, n):
        pages = self.pages[-3:] or self.pages
        links = " ".join(f'<a linktype="page" id="{page.pk}">{page.title}</a>' for page in pages[:2])
        document = self.documents[n % len(self.documents)]
        return (
            f"<p>Rindkopa Nr. {n}: dalībnieki pārrunāja pieredzi un nākamos soļus. Skatīt arī {links}.</p>"
            f'<ul><li>Atbalsts jaunajiem uzņēmējiem</li><li><a linktype="document" id="{document.pk}">Prezentācija</a>'
            "</li></ul>"
        )

    def block(self, kind, n):
        """One block of a report (a follow-up too), ``(kind, value)`` as the stream builder takes it."""
        cycle = n // len(CYCLE)
        if kind == "heading":
            value = {"text": f"Sadaļa {cycle + 1}", "level": "h2"}
        elif kind == "paragraph":
            value = self.rich_text(n)
        elif kind == "speaker":
            value = self.speaker(cycle * 5, part="opening" if cycle == 0 else "speaker")
        elif kind == "talk":
            value = {
                "kind": "presentation",
                "speakers": [self.speaker(cycle * 5 + 1), self.speaker(cycle * 5 + 2)],
                "title": f"Prezentācija par sociālo uzņēmējdarbību Nr. {cycle}",
                "summary": f"<p>Kopsavilkums Nr. {cycle}: <i>galvenās atziņas</i>.</p>",
                "slides": self.documents[cycle % len(self.documents)],
                "recording_url": f"https://video.example.org/{cycle}",
            }
        elif kind == "image":
            value = {
                "image": self.body_images[cycle % len(self.body_images)],
                "alt_text": f"Dalībnieki diskusijā Nr. {cycle}",
                "decorative": False,
                "caption": "Diskusija grupās",
                "credit": "Foto: Rēzeknes novada pašvaldība",
            }
        elif kind == "discussion":
            questions = [
                {
                    "question": f"Jautājums {q}: kā atbalstīt sociālos uzņēmumus novadā?",
                    "outcomes": [f"Secinājums {q}.{k}" for k in range(2)],
                }
                for q in range(3)
            ]
            value = {
                "title": f"Diskusija Nr. {cycle}",
                "method": "breakout_groups",
                "group_count": 3,
                "question_count": None,
                "moderators": [self.speaker(cycle * 5 + 3, "moderator"), self.speaker(cycle * 5 + 4, "moderator")],
                "panellists": [self.speaker(cycle * 5 + 5, "panellist"), self.unnamed_speaker("panellist")],
                "description": "<p>Dalībnieki strādāja trīs grupās.</p>",
                "questions": questions,
                "conclusions": "<p>Kopīgie secinājumi.</p>",
                "summary_document": self.documents[(cycle + 1) % len(self.documents)],
            }
        elif kind == "quote":
            value = {"text": "Sociālā uzņēmējdarbība ir iespēja novadam.", "attribution": "Runātāja Nr. 1"}
        elif kind == "document":
            value = {
                "document": self.documents[(cycle + 2) % len(self.documents)],
                "title": "",
                "description": "Pasākuma programma.",
            }
        else:
            # Either an exact date or a period (the block allows one of them), alternately.
            dated = cycle % 2 == 0
            value = {
                "kind": "webinar",
                "title": f"Vebinārs Nr. {cycle}",
                "description": "Praktisks vebinārs par finansējuma iespējām.",
                "date": datetime.date(2020, 11, 10 + cycle % 18) if dated else None,
                "period": "" if dated else "2020. gada novembris",
                "free_of_charge": True,
                "registration_url": "https://example.org/registracija/",
            }
        return kind, value

    def body(self, count, slug):
        return ReportBodyFactory.stream(
            [self.block(CYCLE[n % len(CYCLE)], n) for n in range(count)], block_id=ids(slug, "body")
        )

    # --- pages -----------------------------------------------------------------------------------------
    def index_page(self):
        home = Site.objects.get(is_default_site=True).root_page.specific
        index = EventReportIndexPage(title="Pasākumi", slug="pasakumi", intro="Pārskati.", locale=home.locale)
        home.add_child(instance=index)
        self.pages.append(publish(index))
        return index

    def report(self, index, n, blocks, slug):
        day = datetime.date(2020, 1, 1) + datetime.timedelta(days=7 * n)
        page = EventReportPage(
            title=f"Forums Nr. {n}: sociālā uzņēmējdarbība",
            slug=slug,
            locale=index.locale,
            lead="Dalībnieki pārrunāja sociālās uzņēmējdarbības iespējas novadā un vienojās par nākamajiem soļiem.",
            event_name=f"Miniforums Nr. {n}",
            hero_image=self.image(4000 + n, f"Virsraksta attēls {n}"),
            hero_image_alt="Forums tiešsaistē",
            publication_date=day + datetime.timedelta(days=3),
            author_name="Sabiedrisko attiecību speciāliste",
            author_position="Rēzeknes novada pašvaldība",
            author_organisation=self.organisations[0],
            event_kind="forum",
            start_date=day,
            event_format="hybrid",
            venue_name="Kultūras nams",
            venue_address="Atbrīvošanas aleja 95A, Rēzekne",
            online_platform="Zoom",
            participant_count=40,
            participant_count_qualifier="more_than",
            contacts_intro="Sazinieties ar speciālistēm:",
            body=self.body(blocks, slug),
            contacts=ContactsFactory.stream([("contact", card) for card in self.contacts[:2]], ids(slug, "contacts")),
            follow_ups=FollowUpsFactory.stream(
                [self.block("follow_up", i * len(CYCLE)) for i in range(3)], ids(slug, "follow_ups")
            ),
            resources=ResourcesFactory.stream(
                [
                    ("resource", {"page": self.pages[0], "kind": "summary"}),
                    ("resource", {"document": self.documents[0], "kind": "slides"}),
                    ("resource", {"title": "Ieraksts", "url": "https://video.example.org/", "kind": "recording"}),
                ],
                ids(slug, "resources"),
            ),
        )
        page.sessions = [
            EventSession(locale=index.locale, date=day, start_time=datetime.time(10), end_time=datetime.time(13)),
            EventSession(locale=index.locale, date=day, start_time=datetime.time(14), end_time=datetime.time(16)),
        ]
        page.audience_groups = [
            EventAudienceGroup(locale=index.locale, name=name) for name in ("Uzņēmēji", "Pašvaldības darbinieki")
        ]
        page.organisers = [
            EventOrganiser(locale=index.locale, organisation=self.organisations[0], part="organiser"),
            EventOrganiser(locale=index.locale, organisation=self.organisations[n % ORGANISATIONS], part="partner"),
        ]
        page.projects = [
            EventProject(locale=index.locale, project=self.projects[0], position=n + 1),
            EventProject(locale=index.locale, project=self.projects[1]),
        ]
        if self.pages[1:]:
            page.related_events = [RelatedEvent(locale=index.locale, relation="previous", report=self.pages[-1])]
        page.topics = self.topics[:2]
        index.add_child(instance=page)
        self.pages.append(publish(page))
        return page


def build():
    """Build everything in one transaction; returns ids and paths as plain data (printed as JSON by prepare)."""
    with transaction.atomic():
        builder = Builder()
        builder.snippets()
        index = builder.index_page()
        for n in range(LISTING_PAGES):
            builder.report(index, n, LISTING_BODY_BLOCKS, slug=f"forums-{n}")
        detail = {
            blocks: builder.report(index, 100 + blocks, blocks, slug=f"parskats-{blocks}-bloki").pk
            for blocks in QUERY_COUNT_BLOCKS
        }
    return {
        "detail_id": detail[DETAIL_BLOCKS],
        "detail_ids": {str(blocks): pk for blocks, pk in detail.items()},
        "person_id": builder.people[0].pk,
        "images": get_image_model().objects.count(),
    }
