"""Outside the delivery API (no services in the context) blocks give Wagtail's plain representation; with
the services, the API form. Blocks import neither ``cms`` nor ``api`` (see tests/test_layers.py)."""

import pytest
from wagtail.blocks import StreamBlock

from blocks.links import LinkBlock
from blocks.people import SpeakerBlock
from blocks.services import CONTEXT_KEY, BlockServices
from blocks.text import ParagraphBlock
from cms.factories.snippets import PersonFactory

pytestmark = pytest.mark.django_db


def recorded_services(calls):
    def shape_of(obj, context=None):
        calls.append(("shape", obj))
        if obj is None:
            return None
        return {
            "id": obj.pk,
            "name": getattr(obj, "name", None),
            "job_title": "Today's title",
            "organisation": None,
            "title": str(obj),
            "url": "https://example.test/x/",
        }

    def expand(source):
        calls.append(("rich_text", source))
        return "<p>expanded</p>"

    return {CONTEXT_KEY: BlockServices(shape_of=shape_of, expand_rich_text=expand)}


def test_without_services_a_speaker_is_plain_wagtail():
    person = PersonFactory()
    block = SpeakerBlock()
    value = block.to_python({"person": person.pk, "part": "speaker", "role": "", "organisation": None})
    data = block.get_api_representation(value, context={})
    assert data["person"] == person.pk  # Wagtail's chooser representation: the id
    assert data["role"] == ""  # no fallback without the person's shape


def test_with_services_a_speaker_takes_the_shape_and_falls_back_to_the_current_title():
    person = PersonFactory()
    block = SpeakerBlock()
    value = block.to_python({"person": person.pk, "part": "speaker", "role": "", "organisation": None})
    calls = []
    data = block.get_api_representation(value, context=recorded_services(calls))
    assert data["person"]["id"] == person.pk
    assert data["role"] == "Today's title"
    assert ("shape", person) in calls


def test_rich_text_is_expanded_only_through_the_services():
    block = StreamBlock([("paragraph", ParagraphBlock())])
    value = block.to_python([{"type": "paragraph", "value": "<p>stored</p>"}])
    plain = block.get_api_representation(value, context=None)
    assert plain[0]["value"] == "<p>stored</p>"
    calls = []
    served = block.get_api_representation(value, context=recorded_services(calls))
    assert served[0]["value"] == "<p>expanded</p>"
    assert calls == [("rich_text", value[0].value)]


def test_a_link_gets_its_href_only_in_the_api_form():
    block = LinkBlock()
    value = block.to_python({"title": "Site", "page": None, "document": None, "url": "https://example.test/"})
    assert "href" not in block.get_api_representation(value, context=None)
    served = block.get_api_representation(value, context=recorded_services([]))
    assert served["href"] == "https://example.test/" and served["link_type"] == "url"
