"""Raw StreamField JSON for reports of any size, using every kind of reference the API resolves.

Written in Wagtail's storage format (ListBlock items with ids) so the data looks exactly like what the admin
saves.
"""

import itertools
import uuid

from tests.factories.media import DocumentFactory, ImageFactory
from tests.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory

_ids = itertools.count()


def block_id():
    return str(uuid.UUID(int=next(_ids) + 1))


def item(value):
    return {"type": "item", "value": value, "id": block_id()}


def child(kind, value):
    return {"type": kind, "value": value, "id": block_id()}


def speaker(person, part="speaker", role="", organisation=None):
    return {
        "person": person.pk,
        "part": part,
        "role": role,
        "organisation": organisation.pk if organisation else None,
        "contribution": "",
    }


class StreamBuilder:
    """Makes ``n`` body blocks cycling through every block type; each block refers to its own objects,
    so the number of distinct referenced objects grows with the report."""

    def __init__(self, link_target=None):
        self.link_target = link_target

    def paragraph(self, i):
        link = f'<a linktype="page" id="{self.link_target.pk}">see also</a>' if self.link_target else "no link"
        return child("paragraph", f"<p>Paragraph {i} with a {link}.</p>")

    def speaker_block(self, i):
        organisation = OrganisationFactory(logo=ImageFactory())
        person = PersonFactory(photo=ImageFactory(), organisation=organisation)
        return child("speaker", speaker(person, role=f"Role {i}", organisation=OrganisationFactory()))

    def talk(self, i):
        person = PersonFactory(photo=ImageFactory())
        return child(
            "talk",
            {
                "kind": "talk",
                "speakers": [item(speaker(person))],
                "title": f"Talk {i}",
                "summary": "<p>Summary.</p>",
                "slides": DocumentFactory().pk,
                "recording_url": "",
            },
        )

    def discussion(self, i):
        moderator = PersonFactory(photo=ImageFactory())
        return child(
            "discussion",
            {
                "title": f"Discussion {i}",
                "method": "breakout_groups",
                "group_count": 2,
                "question_count": None,
                "moderators": [item(speaker(moderator, part="moderator"))],
                "description": "<p>How it went.</p>",
                "questions": [item({"question": "Why?", "outcomes": [item("Because."), item("Also this.")]})],
                "conclusions": "<p>Done.</p>",
                "summary_document": DocumentFactory().pk,
            },
        )

    def contact(self, i):
        return child("contact", ContactCardFactory(organisation=OrganisationFactory()).pk)

    def image(self, i):
        return child(
            "image",
            {"image": ImageFactory().pk, "alt_text": f"Image {i}", "decorative": False, "caption": "", "credit": ""},
        )

    def document(self, i):
        return child("document", {"document": DocumentFactory().pk, "title": "", "description": ""})

    def build(self, count):
        makers = [
            self.paragraph,
            self.speaker_block,
            self.talk,
            self.discussion,
            self.contact,
            self.image,
            self.document,
        ]
        return [makers[i % len(makers)](i) for i in range(count)]
