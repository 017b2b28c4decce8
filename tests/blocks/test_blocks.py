import datetime

import pytest
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError

from blocks.events import DiscussionBlock, FollowUpBlock, TalkBlock
from blocks.links import LinkBlock
from blocks.media import ImageBlock
from blocks.streams import report_body_blocks
from tests.factories.media import DocumentFactory, ImageFactory
from tests.factories.snippets import PersonFactory

pytestmark = pytest.mark.django_db


def item(value, n=0):
    """A ListBlock item in Wagtail's current storage format (the id marks it as such)."""
    return {"type": "item", "value": value, "id": f"00000000-0000-4000-8000-{n:012d}"}


def clean(block, raw):
    return block.clean(block.to_python(raw))


def block_errors(block, raw):
    with pytest.raises(StructBlockValidationError) as excinfo:
        clean(block, raw)
    return excinfo.value.block_errors


class TestImageBlock:
    def test_alt_text_is_required_unless_decorative(self):
        image = ImageFactory()
        errors = block_errors(ImageBlock(), {"image": image.pk, "alt_text": "  ", "decorative": False})
        assert list(errors) == ["alt_text"]
        assert "decorative" in str(errors["alt_text"].messages[0])
        clean(ImageBlock(), {"image": image.pk, "alt_text": "", "decorative": True})
        clean(ImageBlock(), {"image": image.pk, "alt_text": "Dalībnieki darba grupā", "decorative": False})


class TestLinkBlock:
    def test_exactly_one_target(self):
        assert set(block_errors(LinkBlock(), {"title": "x"})) == {"page", "document", "url"}
        both = {"title": "x", "url": "https://example.org/", "document": DocumentFactory().pk}
        assert set(block_errors(LinkBlock(), both)) == {"url", "document"}
        clean(LinkBlock(), {"title": "Kontakti", "url": "https://example.org/"})

    def test_external_link_needs_text(self):
        assert list(block_errors(LinkBlock(), {"url": "https://example.org/"})) == ["title"]


class TestDiscussionBlock:
    def base(self, **extra):
        return {"method": "breakout_groups", "group_count": 4, "question_count": 3, **extra}

    def test_negative_group_count_is_rejected(self):
        assert "group_count" in block_errors(DiscussionBlock(), self.base(group_count=-1))

    def test_groups_only_for_breakout_discussions(self):
        assert "group_count" in block_errors(DiscussionBlock(), self.base(method="panel"))

    def test_question_count_must_match_listed_questions(self):
        questions = [item({"question": "Kā atbalstīt?", "outcomes": []})]
        assert "question_count" in block_errors(DiscussionBlock(), self.base(questions=questions))
        clean(DiscussionBlock(), self.base(questions=questions, question_count=None))

    def test_outcomes_are_kept_per_question(self):
        questions = [
            item(
                {
                    "question": "Kādas atbalsta formas vajadzīgas?",
                    "outcomes": [item("Telpas", 1), item("Konsultācijas", 2)],
                }
            )
        ]
        value = clean(DiscussionBlock(), self.base(questions=questions, question_count=None))
        assert list(value["questions"][0]["outcomes"]) == ["Telpas", "Konsultācijas"]


class TestFollowUpAndTalk:
    def test_follow_up_takes_a_date_or_a_period_not_both(self):
        raw = {"kind": "webinar", "title": "Vebinārs", "date": "2020-11-10", "period": "rudenī"}
        assert list(block_errors(FollowUpBlock(), raw)) == ["period"]
        value = clean(FollowUpBlock(), {**raw, "period": ""})
        assert value["date"] == datetime.date(2020, 11, 10)

    def test_talk_needs_a_speaker(self):
        with pytest.raises(StructBlockValidationError) as excinfo:
            clean(TalkBlock(), {"kind": "talk", "speakers": [], "title": "Pieredze"})
        assert "speakers" in excinfo.value.block_errors
        person = PersonFactory()
        speaker = {"person": person.pk, "part": "speaker", "role": "Direktore"}
        clean(TalkBlock(), {"kind": "talk", "speakers": [item(speaker)]})


def test_stream_child_names_are_the_api_contract():
    # Renaming a child is a breaking change for the front-end: this list changes only with the API version.
    assert [name for name, _ in report_body_blocks()] == [
        "paragraph",
        "heading",
        "image",
        "quote",
        "speaker",
        "talk",
        "discussion",
        "follow_up",
        "contact",
        "document",
        "video",
    ]


def test_blocks_package_does_not_import_cms():
    import pathlib

    for path in pathlib.Path("blocks").rglob("*.py"):
        source = path.read_text()
        assert "from cms" not in source and "import cms" not in source, path


def test_stream_errors_surface_per_block():
    from wagtail.blocks import StreamBlock

    stream = StreamBlock(report_body_blocks())
    raw = [{"type": "image", "value": {"image": ImageFactory().pk, "alt_text": ""}}]
    with pytest.raises(StreamBlockValidationError) as excinfo:
        stream.clean(stream.to_python(raw))
    assert 0 in excinfo.value.block_errors
