"""The comparison: stock Wagtail API v2 with "the common per-block override", as most Wagtail sites write it.

Nothing of ``api/`` is used here. The endpoint is Wagtail's own ``PagesAPIViewSet``; the only addition is the
list of fields ``cms.EventReportPage`` exposes, which a site would declare as ``api_fields`` on the model (done
here on a subclass so that the real model stays untouched). The StreamFields go through a plain ``APIField``
whose serializer renders the stream with blocks that override ``get_api_representation``, the usual recipe for
a display-ready headless API:

    class SpeakerBlock(blocks.StructBlock):
        person = SnippetChooserBlock("cms.Person")
        ...
        def get_api_representation(self, value, context=None):
            person = value["person"]
            return {"person": {"name": person.name, "organisation": {...person.organisation...},
                               "photo": {"url": person.photo.get_rendition("fill-400x300").url, ...}}, ...}

What that costs, and what this module reproduces faithfully:

- Wagtail loads the chosen objects of one block type in one query (``bulk_to_python``), but everything the
  override reaches *through* them is loaded per block: a person's organisation, photo and the organisation's
  logo (one query each), every rendition (one cache lookup per size, a query on a cache miss), a contact
  card's organisation, and every rich text's page and document links (``expand_db_html``).
- No server-side response cache, no ETag; every request is built from the database.

The stream blocks mirror the real ones (same child names, so the stored JSON is read as it is) but use Wagtail's
stock chooser blocks. The JSON holds the same information as our API's; its exact shape does not matter here.

The second comparison, ``StockBareIdsPagesAPIViewSet``, is stock API v2 as it comes: the same fields as plain
``APIField``s, the StreamFields rendered by the model's own blocks through Wagtail's StreamField serializer. Without
the delivery API's services in the serializer context the blocks give their plain representation (a chosen
person, image, document or page as its id, rich text as stored), so a front-end would still have to fetch every
chosen object: the floor a display-ready API is measured against.
"""

from rest_framework.fields import Field
from wagtail import blocks
from wagtail.api import APIField
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.blocks import StreamValue
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.api.fields import ImageRenditionField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.rich_text import expand_db_html
from wagtail.snippets.blocks import SnippetChooserBlock

from blocks.people import SPEAKER_PARTS
from cms.models import EventReportPage

# The same sizes as the delivery API offers, so both sides serve the same renditions.
STOCK_RENDITIONS = {
    "thumbnail": "fill-400x300",
    "small": "width-480",
    "medium": "width-960",
    "large": "width-1600",
}


# --- naive serialisers, one object at a time ----------------------------------------------------------------
def image_data(image):
    if image is None:
        return None
    renditions = {}
    for name, spec in STOCK_RENDITIONS.items():
        rendition = image.get_rendition(spec)
        renditions[name] = {"url": rendition.url, "width": rendition.width, "height": rendition.height}
    return {
        "id": image.pk,
        "title": image.title,
        "width": image.width,
        "height": image.height,
        "renditions": renditions,
    }


def document_data(document):
    if document is None:
        return None
    return {
        "id": document.pk,
        "title": document.title,
        "url": document.url,
        "file_size": document.file_size,
        "file_type": document.file_extension,
    }


def organisation_data(org):
    if org is None or not org.live:
        return None
    return {
        "id": org.pk,
        "name": org.name,
        "acronym": org.acronym,
        "website": org.website,
        "logo": image_data(org.logo),
    }


def person_data(person):
    if person is None or not person.live:
        return None
    return {
        "id": person.pk,
        "name": person.name,
        "job_title": person.job_title,
        "organisation": organisation_data(person.organisation),
        "photo": image_data(person.photo),
        "bio": expand_db_html(person.bio),
        "links": [{"title": link.value["title"], "url": link.value["url"]} for link in person.links],
    }


def contact_data(card):
    if card is None or not card.live:
        return None
    return {
        "id": card.pk,
        "name": card.name,
        "position": card.position,
        "unit": card.unit,
        "organisation": organisation_data(card.organisation),
        "phone": card.phone,
        "email": card.email,
        "web_page": card.web_page,
        "address": card.address,
    }


# --- blocks with the per-block override ---------------------------------------------------------------------
class StockRichTextBlock(blocks.RichTextBlock):
    def get_api_representation(self, value, context=None):
        return expand_db_html(value.source)


class StockDocumentChooserBlock(DocumentChooserBlock):
    def get_api_representation(self, value, context=None):
        return document_data(value)


class StockSpeakerBlock(blocks.StructBlock):
    person = SnippetChooserBlock("cms.Person", required=False)
    description = blocks.CharBlock(required=False)
    parts = blocks.MultipleChoiceBlock(choices=SPEAKER_PARTS)
    role = blocks.CharBlock(required=False)
    organisation = SnippetChooserBlock("cms.Organisation", required=False)
    contribution = blocks.TextBlock(required=False)

    def get_api_representation(self, value, context=None):
        person = person_data(value["person"])
        if person is None and not value["description"]:
            return None
        person = person or {"job_title": "", "organisation": None}
        return {
            "person": person,
            "description": value["description"],
            "parts": value["parts"],
            "role": value["role"] or person["job_title"],
            "organisation": organisation_data(value["organisation"]) or person["organisation"],
            "contribution": value["contribution"],
        }


class StockTalkBlock(blocks.StructBlock):
    kind = blocks.CharBlock()
    speakers = blocks.ListBlock(StockSpeakerBlock())
    title = blocks.CharBlock(required=False)
    summary = StockRichTextBlock(required=False)
    slides = StockDocumentChooserBlock(required=False)
    recording_url = blocks.URLBlock(required=False)


class StockQuestionBlock(blocks.StructBlock):
    question = blocks.TextBlock()
    outcomes = blocks.ListBlock(blocks.TextBlock())


class StockDiscussionBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False)
    method = blocks.CharBlock()
    group_count = blocks.IntegerBlock(required=False)
    question_count = blocks.IntegerBlock(required=False)
    moderators = blocks.ListBlock(StockSpeakerBlock())
    panellists = blocks.ListBlock(StockSpeakerBlock())
    description = StockRichTextBlock(required=False)
    questions = blocks.ListBlock(StockQuestionBlock())
    conclusions = StockRichTextBlock(required=False)
    summary_document = StockDocumentChooserBlock(required=False)


class StockImageBlock(blocks.StructBlock):
    image = ImageChooserBlock()
    alt_text = blocks.CharBlock(required=False)
    decorative = blocks.BooleanBlock(required=False)
    caption = blocks.CharBlock(required=False)
    credit = blocks.CharBlock(required=False)

    def get_api_representation(self, value, context=None):
        data = super().get_api_representation(value, context)
        data["image"] = image_data(value["image"])
        return data


class StockDocumentBlock(blocks.StructBlock):
    document = StockDocumentChooserBlock()
    title = blocks.CharBlock(required=False)
    description = blocks.TextBlock(required=False)


class StockContactCardBlock(SnippetChooserBlock):
    def __init__(self, **kwargs):
        super().__init__("cms.ContactCard", **kwargs)

    def get_api_representation(self, value, context=None):
        return contact_data(value)


class StockResourceBlock(blocks.StructBlock):
    title = blocks.CharBlock(required=False)
    page = blocks.PageChooserBlock(required=False)
    document = StockDocumentChooserBlock(required=False)
    url = blocks.URLBlock(required=False)
    kind = blocks.CharBlock()

    def get_api_representation(self, value, context=None):
        page, document = value["page"], value["document"]
        href = page.url if page else document.url if document else value["url"]
        title = value["title"] or (page.title if page else document.title if document else "")
        return {"kind": value["kind"], "title": title, "href": href}


class StockFollowUpBlock(blocks.StructBlock):
    kind = blocks.CharBlock()
    title = blocks.CharBlock()
    description = blocks.TextBlock(required=False)
    date = blocks.DateBlock(required=False)
    end_date = blocks.DateBlock(required=False)
    period = blocks.CharBlock(required=False)
    free_of_charge = blocks.BooleanBlock(required=False)
    registration_url = blocks.URLBlock(required=False)


class StockHeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock()
    level = blocks.CharBlock()


class StockQuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock()
    attribution = blocks.CharBlock(required=False)


STOCK_BODY = blocks.StreamBlock(
    [
        ("paragraph", StockRichTextBlock()),
        ("heading", StockHeadingBlock()),
        ("image", StockImageBlock()),
        ("quote", StockQuoteBlock()),
        ("speaker", StockSpeakerBlock()),
        ("talk", StockTalkBlock()),
        ("discussion", StockDiscussionBlock()),
        ("follow_up", StockFollowUpBlock()),
        ("contact", StockContactCardBlock()),
        ("document", StockDocumentBlock()),
    ]
)
STOCK_CONTACTS = blocks.StreamBlock([("contact", StockContactCardBlock())])
STOCK_FOLLOW_UPS = blocks.StreamBlock([("follow_up", StockFollowUpBlock())])
STOCK_RESOURCES = blocks.StreamBlock([("resource", StockResourceBlock())])


class OverrideStreamField(Field):
    """A plain APIField serializer: the stored stream, rendered by the override blocks above.

    Equivalent to the model's StreamField being declared with these blocks; the stored JSON is read as it is.
    """

    def __init__(self, stream_block, **kwargs):
        self.stream_block = stream_block
        super().__init__(**kwargs)

    def to_representation(self, value):
        stream = StreamValue(self.stream_block, list(value.raw_data), is_lazy=True)
        return self.stream_block.get_api_representation(stream, self.context)


class ChildRowsField(Field):
    """Inline rows (sessions, organisers, ...) as dicts: what ``api_fields`` on the child models would give."""

    def __init__(self, *names, **kwargs):
        self.names = names
        super().__init__(**kwargs)

    def to_representation(self, rows):
        return [{name: _plain(getattr(row, name)) for name in self.names} for row in rows.all()]


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "_meta"):
        return organisation_data(value) if value._meta.label_lower == "cms.organisation" else str(value)
    return value


SESSION_COLUMNS = (
    "date_precision",
    "date",
    "date_text",
    "start_time",
    "end_time",
    "part_of_day",
    "title",
    "place",
    "recording_url",
)
RELATED_EVENT_COLUMNS = ("relation", "report", "name", "date_precision", "date", "date_text", "url")

EVENT_REPORT_API_FIELDS = [
    APIField("lead"),
    APIField("event_name"),
    APIField("event_kind"),
    APIField("event_kind_text"),
    APIField("publication_date"),
    APIField("publication_date_precision"),
    APIField("publication_date_text"),
    APIField("author_name"),
    APIField("author_position"),
    APIField("author_organisation"),
    APIField("source_url"),
    APIField("source_language"),
    APIField("machine_translated"),
    APIField("date_precision"),
    APIField("start_date"),
    APIField("end_date"),
    APIField("date_text"),
    APIField("event_format"),
    APIField("venue_name"),
    APIField("venue_address"),
    APIField("online_platform"),
    APIField("online_url"),
    APIField("free_of_charge"),
    APIField("participant_count"),
    APIField("participant_count_qualifier"),
    APIField(
        "sessions",
        serializer=ChildRowsField(*SESSION_COLUMNS),
    ),
    APIField("audience_groups", serializer=ChildRowsField("name")),
    APIField("organisers", serializer=ChildRowsField("organisation", "part")),
    APIField("projects", serializer=ChildRowsField("project", "position")),
    APIField(
        "related_events",
        serializer=ChildRowsField(*RELATED_EVENT_COLUMNS),
    ),
    APIField("topics", serializer=ChildRowsField("name", "slug")),
    APIField("hero_image"),
    APIField("hero_image_thumbnail", serializer=ImageRenditionField("fill-400x300", source="hero_image")),
    APIField("hero_image_large", serializer=ImageRenditionField("width-1600", source="hero_image")),
    APIField("hero_image_alt"),
    APIField("body", serializer=OverrideStreamField(STOCK_BODY)),
    APIField("follow_ups", serializer=OverrideStreamField(STOCK_FOLLOW_UPS)),
    APIField("contacts_intro"),
    APIField("contacts", serializer=OverrideStreamField(STOCK_CONTACTS)),
    APIField("resources", serializer=OverrideStreamField(STOCK_RESOURCES)),
]


# --- stock v2 with bare ids ----------------------------------------------------------------------------------
class BareChildRowsField(Field):
    """Inline rows with their stored values, a chosen object as its id: ``api_fields`` on the child models with
    nothing nested."""

    def __init__(self, *names, **kwargs):
        self.names = names
        super().__init__(**kwargs)

    def to_representation(self, rows):
        items = []
        for row in rows.all():
            item = {}
            for name in self.names:
                value = getattr(row, row._meta.get_field(name).attname)
                item[name] = value.isoformat() if hasattr(value, "isoformat") else value
            items.append(item)
        return items


# What ``api_fields`` on EventReportPage would be on a site serving stock API v2 with ids: the model's own fields
# as plain ``APIField``s. The StreamFields go through Wagtail's StreamField serializer and the model's blocks,
# which give their plain representation when the delivery API's services are not in the context (blocks/services.py):
# a chosen person, image, document or page as its id, rich text as stored.
EVENT_REPORT_BARE_FIELDS = [
    *(field for field in EVENT_REPORT_API_FIELDS if field.serializer is None),
    APIField("sessions", serializer=BareChildRowsField(*SESSION_COLUMNS)),
    APIField("audience_groups", serializer=BareChildRowsField("name")),
    APIField("organisers", serializer=BareChildRowsField("organisation", "part")),
    APIField("projects", serializer=BareChildRowsField("project", "position")),
    APIField("related_events", serializer=BareChildRowsField(*RELATED_EVENT_COLUMNS)),
    APIField("topics", serializer=BareChildRowsField("id", "name", "slug")),
    APIField("body"),
    APIField("follow_ups"),
    APIField("contacts"),
    APIField("resources"),
]


class StockBareIdsPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's PagesAPIViewSet with EventReportPage's fields as plain ``APIField``s: ids, not display-ready."""

    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if issubclass(model, EventReportPage):
            fields += EVENT_REPORT_BARE_FIELDS
        return fields


class StockPagesAPIViewSet(PagesAPIViewSet):
    """Wagtail's PagesAPIViewSet, unchanged but for the fields of EventReportPage (its ``api_fields``)."""

    @classmethod
    def get_body_fields(cls, model):
        fields = super().get_body_fields(model)
        if issubclass(model, EventReportPage):
            fields += EVENT_REPORT_API_FIELDS
        return fields


stock_router = WagtailAPIRouter("bench_stock_api")
stock_router.register_endpoint("pages", StockPagesAPIViewSet)
stock_ids_router = WagtailAPIRouter("bench_stock_ids_api")
stock_ids_router.register_endpoint("pages", StockBareIdsPagesAPIViewSet)
