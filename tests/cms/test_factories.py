"""The stream builder (cms.factories) that the demo loader, the benchmark content and the tests share. That it
stores what the admin's form stores is shown in tests/cms/test_admin.py; the demo built with it is pinned by
tests/cms/test_demo.py and the API snapshots."""

import json
import re
import uuid

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from wagtail.blocks import StructValue
from wagtail.blocks.list_block import ListValue

from blocks.text import HeadingBlock
from cms.factories import blocks as block_factories
from cms.factories import streams
from cms.factories.pages import EventReportPageFactory, blocks_of_every_kind
from cms.factories.snippets import PersonFactory
from cms.factories.streams import ReportBodyFactory
from cms.models import EventReportPage, Person

pytestmark = pytest.mark.django_db

STRUCT_FACTORIES = [
    factory
    for factory in vars(block_factories).values()
    if isinstance(factory, type)
    and issubclass(factory, block_factories.StructBlockFactory)
    and factory is not block_factories.StructBlockFactory
]
STREAM_FACTORIES = {
    (EventReportPage, "body"): streams.ReportBodyFactory,
    (EventReportPage, "contacts"): streams.ContactsFactory,
    (EventReportPage, "follow_ups"): streams.FollowUpsFactory,
    (EventReportPage, "resources"): streams.ResourcesFactory,
    (Person, "links"): streams.PersonLinksFactory,
}


def as_stored(block, value):
    """The JSON the database gets for a value."""
    return json.loads(json.dumps(block.get_prep_value(value), cls=DjangoJSONEncoder))


def name(factory):
    return factory.__name__


def test_a_child_a_new_block_cannot_leave_empty_must_be_declared():
    class HeadingWithoutText(block_factories.StructBlockFactory):
        class Meta:
            model = HeadingBlock

    with pytest.raises(TypeError, match="HeadingWithoutText must declare 'text'"):
        HeadingWithoutText()
    assert HeadingWithoutText(text="Sadaļa")["level"] == "h2"


@pytest.mark.parametrize("factory", STRUCT_FACTORIES, ids=name)
def test_a_block_made_with_defaults_is_valid_and_already_as_the_admin_cleans_it(factory):
    value = factory()
    block = value.block
    assert list(value) == list(block.child_blocks)  # every child, in the block's order
    assert as_stored(block, block.clean(value)) == as_stored(block, value)


@pytest.mark.parametrize(
    ("field", "factory"),
    STREAM_FACTORIES.items(),
    ids=[f"{model.__name__}.{field}" for model, field in STREAM_FACTORIES],
)
def test_every_stream_factory_makes_every_block_of_its_field(field, factory):
    model, field_name = field
    stream_block = model._meta.get_field(field_name).stream_block
    assert set(factory._meta.declarations) == set(stream_block.child_blocks)
    value = factory(**{str(index): child for index, child in enumerate(stream_block.child_blocks)})
    stream_block.clean(value)


def test_a_report_body_is_stored_as_built_and_reads_back_the_same():
    body = ReportBodyFactory.stream(blocks_of_every_kind(7) + [("heading", {}), ("quote", {}), ("video", {})])
    stream_block = body.stream_block
    built = as_stored(stream_block, body)
    page = EventReportPage.objects.get(pk=EventReportPageFactory(body=body).pk)
    stored = list(page.body.raw_data)
    assert stored == built
    # Read back, validated as the admin validates it, and stored again: nothing changes.
    assert as_stored(stream_block, stream_block.clean(page.body)) == stored
    assert [block["type"] for block in stored] == [
        "paragraph",
        "speaker",
        "talk",
        "discussion",
        "image",
        "document",
        "paragraph",
        "heading",
        "quote",
        "video",
    ]
    talk, discussion = stored[2]["value"], stored[3]["value"]
    # ListBlock items in Wagtail's current form, each with an id (translation tools skip the old plain form).
    for item in talk["speakers"] + discussion["questions"] + discussion["questions"][0]["value"]["outcomes"]:
        assert set(item) == {"type", "value", "id"} and item["type"] == "item"
        uuid.UUID(item["id"])
    assert [item["value"] for item in discussion["questions"][0]["value"]["outcomes"]] == ["Because.", "Also this."]


def test_ids_come_from_the_place_of_each_block_when_asked_for():
    def block_id(*path):
        return "/".join(str(part) for part in path)

    body = ReportBodyFactory.stream(
        [
            ("paragraph", "<p>Teksts.</p>", "given-id"),
            ("discussion", {"questions": [{"question": "Kāpēc?", "outcomes": ["Tāpēc.", "Un tā."]}]}),
        ],
        block_id=block_id,
    )
    stored = as_stored(body.stream_block, body)
    assert [block["id"] for block in stored] == ["given-id", "1"]
    (question,) = stored[1]["value"]["questions"]
    assert question["id"] == "1/questions/0"
    assert [outcome["id"] for outcome in question["value"]["outcomes"]] == [
        "1/questions/0/outcomes/0",
        "1/questions/0/outcomes/1",
    ]


def test_data_and_wagtail_factories_declarations_build_the_same():
    person = PersonFactory()
    from_data = ReportBodyFactory.stream(
        [("talk", {"speakers": [{"person": person, "role": "Direktore"}]}), ("paragraph", "<p>Teksts.</p>")]
    )
    declared = EventReportPageFactory.build(
        body__0__talk__speakers__0__person=person,
        body__0__talk__speakers__0__role="Direktore",
        body__1__paragraph="<p>Teksts.</p>",
    ).body

    def without_ids(value):
        return re.sub(r'"id": "[^"]+"', "", json.dumps(as_stored(value.stream_block, value)))

    assert without_ids(from_data) == without_ids(declared)


def test_built_values_are_in_the_blocks_own_types():
    talk = block_factories.TalkBlockFactory(summary="<p>Kopsavilkums.</p>")
    assert isinstance(talk, StructValue)
    assert talk["summary"].source == "<p>Kopsavilkums.</p>"  # RichText, not a string
    # The list is the block's own ApiListBlock (which drops hidden items from the API), not a bare ListBlock.
    assert (
        isinstance(talk["speakers"], ListValue) and talk["speakers"].list_block is talk.block.child_blocks["speakers"]
    )


def test_a_child_the_block_does_not_have_is_refused():
    with pytest.raises(TypeError, match="SpeakerBlock has no child pronouns"):
        block_factories.SpeakerBlockFactory(pronouns="she/her")
    with pytest.raises(ValueError, match="without a child"):
        ReportBodyFactory.stream([("talk", {"speakers": [{}]})])
