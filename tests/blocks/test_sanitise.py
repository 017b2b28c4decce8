"""The allow-list of ``blocks.sanitise``: what editors make is kept byte for byte, everything else goes, at every
entrance (admin forms, raw StreamField JSON, revisions) and in block templates."""

import json
import re

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.template.loader import render_to_string
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail import blocks as wagtail_blocks
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from blocks.events import FollowUpBlock, TalkBlock
from blocks.links import LinkBlock
from blocks.people import SpeakerBlock
from blocks.safe import PlainCharBlock, PlainTextBlock, SafeChoiceBlock, SafeMultipleChoiceBlock, SafeURLBlock
from blocks.sanitise import (
    clean_api_html,
    clean_raw,
    clean_rich_text,
    is_safe_url,
    safe_url,
    strip_markup,
)
from blocks.streams import follow_up_blocks, report_body_blocks
from blocks.text import PARAGRAPH_FEATURES, HeadingBlock, ParagraphBlock

SAFE_URLS = [
    "https://www.rezeknesnovads.lv/",
    "http://example.org/a?b=1&c=2#d",
    "HTTPS://EXAMPLE.ORG/",
    "mailto:info@rezeknesnovads.lv",
    "tel:+37164607181",
    "/pasakumi/miniforums/",
    "../relative/path",
    "#section",
    "?page=2",
    "//cdn.example.org/file.pdf",
    "https://lv.wikipedia.org/wiki/Rēzekne",
    "",
]
UNSAFE_URLS = [
    "javascript:alert(1)",
    "JAVASCRIPT:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\x00javascript:alert(1)",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:alert(1)",
    "javascript\t:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "&#0000106avascript:alert(1)",
    "javascript&colon;alert(1)",
    "jav&Tab;ascript:alert(1)",
    "&amp;#106;avascript:alert(1)",
    "java\x00script:alert(1)",
    "vbscript:msgbox(1)",
    "VBScript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "DATA:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
    "ftp://example.org/",
    "livescript:alert(1)",
    'https://example.org/"><script>alert(1)</script>',
    "/x?<script>",
    "https://example.org/`onclick`",
    "https://example.org/&quot;onclick=x",
]


@pytest.mark.parametrize("url", SAFE_URLS)
def test_safe_urls_pass(url):
    assert is_safe_url(url)
    assert safe_url(url) == url


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_unsafe_urls_are_refused(url):
    assert not is_safe_url(url)
    assert safe_url(url) == ""


def test_plain_text_keeps_text_and_drops_markup():
    assert strip_markup("a < b, 3 > 2 & “citāts”") == "a < b, 3 > 2 & “citāts”"
    assert strip_markup("&lt;b&gt; stays text") == "&lt;b&gt; stays text"
    assert strip_markup("Teksts <script>alert(1)</script> beigas") == "Teksts alert(1) beigas"
    assert strip_markup('h1"><script>alert(1)</script>') == 'h1">alert(1)'
    assert strip_markup("<scr<script>ipt>alert(1)") == "ipt>alert(1)"
    assert strip_markup("unterminated <img src=x onerror=alert(1)") == "unterminated "
    assert strip_markup("<!-- comment -->x<!DOCTYPE html><?php x ?>") == "x"


def test_rich_text_keeps_exactly_what_the_features_allow():
    stored = (
        '<p data-block-key="a1b2c"><b>Bold</b> <i>italic</i> <a href="https://example.org/?a=1&amp;b=2">out</a> '
        '<a linktype="page" id="3">page</a> <a linktype="document" id="5">doc</a><br/>line</p>'
        '<ul><li data-block-key="k1">one<ul><li data-block-key="k2">nested</li></ul></li></ul>'
        '<ol><li data-block-key="k3">two</li></ol>'
    )
    assert clean_rich_text(stored, PARAGRAPH_FEATURES) == stored
    # A talk summary has no document links; a person's bio has no lists.
    assert clean_rich_text(
        '<p><a linktype="document" id="5">doc</a></p>', TalkBlock().child_blocks["summary"].features
    ) == ("<p><a>doc</a></p>")
    assert clean_rich_text("<ul><li>x</li></ul>", ["bold", "italic", "link"]) == "x"


@pytest.mark.parametrize(
    ("hostile", "clean"),
    [
        ('<p onclick="alert(1)">x</p>', "<p>x</p>"),
        ("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>"),
        ("<p><img src=x onerror=alert(1)>x</p>", "<p>x</p>"),
        ('<iframe src="javascript:alert(1)"></iframe>', ""),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,<script>x</script>">x</a>', "<a>x</a>"),
        ('<a href="https://example.org/" target="_blank" rel="opener">x</a>', '<a href="https://example.org/">x</a>'),
        ('<a linktype="page" id="3 onclick=alert(1)">x</a>', "<a>x</a>"),
        ('<a linktype="page">x</a><a id="3" href="/x/">y</a>', '<a>x</a><a href="/x/">y</a>'),
        ('<a linktype="external" href="https://e.org/">x</a>', '<a href="https://e.org/">x</a>'),
        ('<h2 style="x">Heading</h2><p class="lead">t</p>', "Heading<p>t</p>"),
        ('<p title="x" lang="en" dir="rtl">t</p><a title="x" href="/a/">a</a>', '<p>t</p><a href="/a/">a</a>'),
        ('<svg><a xlink:href="javascript:alert(1)">x</a></svg>', ""),
        ("<!--><script>alert(1)</script>-->", "--&gt;"),
    ],
)
def test_hostile_rich_text_is_cleaned(hostile, clean):
    assert clean_rich_text(hostile, PARAGRAPH_FEATURES) == clean


def test_an_unknown_feature_is_a_configuration_error():
    with pytest.raises(ImproperlyConfigured):
        clean_rich_text("<p>x</p>", ["bold", "h2"])


def test_api_html_keeps_rewritten_links_only():
    served = (
        '<p><a href="https://front.example/lv/x/" data-page-id="3" data-page-type="cms.EventReportPage">p</a> '
        '<a href="https://cms.example/documents/5/a.pdf" data-document-id="5">d</a></p>'
    )
    assert clean_api_html(served) == served
    assert clean_api_html('<a linktype="page" id="3" href="javascript:x" data-page-type="a b">x</a>') == "<a>x</a>"


# --- properties -------------------------------------------------------------------------------------------
_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffd")
    | st.sampled_from("\n<>&\"' \u00a0"),
    max_size=40,
)
_LINK_URLS = st.sampled_from([url for url in SAFE_URLS if url]) | st.builds(
    lambda path: "https://example.org/" + path,
    st.text(alphabet="abcxyzĀāčšž0123456789-_.~/?=&%#'", max_size=20),
)
_ENTITIES = st.one_of(
    st.builds(lambda url: {"type": "LINK", "mutability": "MUTABLE", "data": {"url": url}}, _LINK_URLS),
    st.builds(
        lambda pk: {"type": "LINK", "mutability": "MUTABLE", "data": {"id": pk, "url": "/x/"}},
        st.integers(1, 10**6),
    ),
    st.builds(lambda pk: {"type": "DOCUMENT", "mutability": "MUTABLE", "data": {"id": pk}}, st.integers(1, 10**6)),
)


@st.composite
def contentstate(draw):
    blocks, entity_map = [], {}
    previous_list_depth = -1
    for index in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["unstyled", "unordered-list-item", "ordered-list-item"]))
        depth = 0
        if kind != "unstyled":
            depth = draw(st.integers(0, previous_list_depth + 1)) if previous_list_depth >= 0 else 0
            previous_list_depth = depth
        else:
            previous_list_depth = -1
        text = draw(_TEXT)
        styles, entities = [], []
        if text:
            for _ in range(draw(st.integers(0, 3))):
                offset = draw(st.integers(0, len(text) - 1))
                length = draw(st.integers(1, len(text) - offset))
                styles.append({"offset": offset, "length": length, "style": draw(st.sampled_from(["BOLD", "ITALIC"]))})
            cursor = 0
            while cursor < len(text) and draw(st.booleans()):
                offset = draw(st.integers(cursor, len(text) - 1))
                length = draw(st.integers(1, len(text) - offset))
                key = str(len(entity_map))
                entity_map[key] = draw(_ENTITIES)
                entities.append({"offset": offset, "length": length, "key": int(key)})
                cursor = offset + length
        blocks.append(
            {
                "key": f"k{index}{draw(st.text(alphabet='abcdef0123456789', min_size=3, max_size=3))}",
                "type": kind,
                "depth": depth,
                "text": text,
                "inlineStyleRanges": styles,
                "entityRanges": entities,
            }
        )
    return {"blocks": blocks, "entityMap": entity_map}


_converter = ContentstateConverter(PARAGRAPH_FEATURES)


@hypothesis_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contentstate())
def test_editor_content_is_stored_byte_identical(state):
    stored = _converter.to_database_format(json.dumps(state))
    assert clean_rich_text(stored, PARAGRAPH_FEATURES) == stored
    # Served (no internal link rewritten here), it is kept as well, but for the database-only attributes.
    assert clean_api_html(clean_rich_text(stored, PARAGRAPH_FEATURES)) == clean_api_html(stored)


_MARKUP_PIECES = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<b>",
        "</b>",
        "<i>",
        "<a ",
        "href=",
        '"javascript:alert(1)"',
        "'https://e.org/'",
        'linktype="page"',
        'id="3"',
        ">",
        "<",
        "&",
        "&#106;",
        "&amp;",
        "<script>",
        "</script>",
        "<!--",
        "-->",
        "onclick=x",
        "<ul><li>",
        "<br/>",
        "<svg>",
        "<math>",
        "<style>",
        "\x00",
        "\u00a0",
        '"',
        "'",
        " ",
        "text",
    ]
)
_ARBITRARY = st.lists(_MARKUP_PIECES | st.text(max_size=8), max_size=25).map("".join)


@hypothesis_settings(max_examples=400, deadline=None)
@given(_ARBITRARY)
def test_cleaning_is_idempotent(source):
    once = clean_rich_text(source, PARAGRAPH_FEATURES)
    assert clean_rich_text(once, PARAGRAPH_FEATURES) == once
    served = clean_api_html(source)
    assert clean_api_html(served) == served
    text = strip_markup(source)
    assert strip_markup(text) == text
    assert not re.search(r"<[A-Za-z!/?]", text)  # nothing a parser would start a tag with
    assert safe_url(safe_url(source)) == safe_url(source)


# --- admin forms -------------------------------------------------------------------------------------------
def _messages(error):
    if isinstance(error, wagtail_blocks.StructBlockValidationError):
        return {name: [str(m) for e in [err] for m in e.messages] for name, err in error.block_errors.items()}
    return [str(message) for message in error.messages]


@pytest.mark.parametrize("block", [PlainCharBlock(), PlainTextBlock()])
def test_markup_in_plain_text_is_refused_with_a_message(block):
    with pytest.raises(ValidationError) as caught:
        block.clean("Virsraksts <script>alert(1)</script>")
    assert "Plain text only" in " ".join(_messages(caught.value))
    assert block.clean("a < b un „pēdiņas”") == "a < b un „pēdiņas”"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/", "data:text/html,x"])
def test_unsafe_url_is_refused_with_a_message(url):
    with pytest.raises(ValidationError) as caught:
        SafeURLBlock().clean(url)
    assert any("Only an http, https, mailto or tel address" in message for message in _messages(caught.value))


def test_link_and_heading_forms_refuse_hostile_values():
    with pytest.raises(wagtail_blocks.StructBlockValidationError) as caught:
        LinkBlock().clean(LinkBlock().to_python({"title": "x", "url": "javascript:alert(1)"}))
    assert "url" in caught.value.block_errors
    with pytest.raises(wagtail_blocks.StructBlockValidationError) as caught:
        HeadingBlock().clean(HeadingBlock().to_python({"text": "x", "level": 'h1"><script>alert(1)</script>'}))
    assert "level" in caught.value.block_errors


# --- what is stored ----------------------------------------------------------------------------------------
def test_stream_stores_clean_content_whoever_wrote_it():
    stream = report_body_blocks()
    raw = [
        {"type": "paragraph", "value": '<p onclick="x">Hi<script>alert(1)</script></p>', "id": "1"},
        {"type": "heading", "value": {"text": "<b>T</b>", "level": 'h1"><script>alert(1)</script>'}, "id": "2"},
        {"type": "speaker", "value": {"description": "D", "parts": ["speaker", "<script>"]}, "id": "4"},
        {"type": "video", "value": {"embed": "JaVaScRiPt:alert(1)", "title": "V"}, "id": "5"},
        {"type": "quote", "value": {"text": "Q <img src=x onerror=alert(1)>"}, "id": "6"},
    ]
    stored = stream.get_prep_value(stream.to_python(raw))
    assert stored == [
        {"type": "paragraph", "value": "<p>Hi</p>", "id": "1"},
        {"type": "heading", "value": {"text": "T", "level": "h2"}, "id": "2"},
        {"type": "speaker", "value": {"description": "D", "parts": ["speaker"]}, "id": "4"},
        {"type": "video", "value": {"embed": "", "title": "V"}, "id": "5"},
        {"type": "quote", "value": {"text": "Q "}, "id": "6"},
    ]
    follow_ups = follow_up_blocks()
    raw = [
        {
            "type": "follow_up",
            "value": {"title": "F", "registration_url": "javascript:alert(1)", "kind": "x"},
            "id": "3",
        }
    ]
    assert follow_ups.get_prep_value(follow_ups.to_python(raw)) == [
        {"type": "follow_up", "value": {"title": "F", "registration_url": "", "kind": "other"}, "id": "3"}
    ]


def test_clean_content_is_stored_as_it_was():
    stream = report_body_blocks()
    raw = [
        {"type": "paragraph", "value": '<p data-block-key="x1">A <a linktype="page" id="3">link</a></p>', "id": "1"},
        {"type": "heading", "value": {"text": "A < B", "level": "h3"}, "id": "2"},
    ]
    assert clean_raw(stream, raw) is raw
    assert stream.get_prep_value(stream.to_python(raw)) == raw
    follow_ups = follow_up_blocks()
    raw = [
        {
            "type": "follow_up",
            "value": {"title": "F", "kind": "webinar", "registration_url": "https://e.org/"},
            "id": "3",
        },
    ]
    assert clean_raw(follow_ups, raw) is raw
    assert follow_ups.get_prep_value(follow_ups.to_python(raw)) == raw


def test_bound_children_are_cleaned_on_the_way_in_too():
    block = SpeakerBlock()
    value = block.to_python({"description": "<i>x</i>", "parts": ["speaker", "evil"], "role": "R"})
    prep = block.get_prep_value(value)
    assert prep["description"] == "x" and prep["parts"] == ["speaker"]
    assert ParagraphBlock().get_prep_value(ParagraphBlock().to_python("<p><script>x</script>y</p>")) == "<p>y</p>"


def test_choice_blocks_serve_only_their_choices():
    level = SafeChoiceBlock(choices=[("h2", "2"), ("h3", "3")], default="h2")
    assert level.get_api_representation("h3") == "h3"
    assert level.get_api_representation('h1"><script>') == "h2"
    optional = SafeChoiceBlock(choices=[("a", "A")], required=False)
    assert optional.get_api_representation("") == ""
    assert optional.get_api_representation("zzz") == ""
    parts = SafeMultipleChoiceBlock(choices=[("a", "A"), ("b", "B")])
    assert parts.get_api_representation(["b", "<x>", "a"]) == ["b", "a"]
    assert FollowUpBlock().child_blocks["kind"].get_api_representation("evil") == "other"


# --- templates ---------------------------------------------------------------------------------------------
def test_templates_render_no_hostile_markup():
    heading = render_to_string("blocks/heading.html", {"value": {"text": "<b>x</b>", "level": 'h1"><script>'}})
    assert heading.strip() == "<h2>&lt;b&gt;x&lt;/b&gt;</h2>"
    link = render_to_string("blocks/link.html", {"value": {"url": "javascript:alert(1)", "title": "x"}})
    assert "javascript" not in link
    talk = TalkBlock()
    value = talk.to_python(
        {"speakers": [], "summary": '<p onclick="x">S<script>alert(1)</script></p>', "recording_url": "javascript:x"}
    )
    rendered = talk.render(value)
    assert "<script" not in rendered and "onclick" not in rendered and "javascript" not in rendered
    assert "<p>S</p>" in rendered
