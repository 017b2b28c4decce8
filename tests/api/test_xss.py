"""Stored XSS never reaches the API: a corpus of payloads (``xss_payloads.txt``) planted raw in every kind of
content field of a published report is stored clean, and served clean even when it is put into the database
behind the models' back.

The oracle is independent of ``blocks.sanitise``: every string of the JSON is parsed with Python's HTML parser;
no element or attribute outside the API's allow-list, no ``on…`` attribute, no comment or declaration, and no URL
(in an ``href`` or a URL field) whose scheme, after HTML character references are decoded and the whitespace
and control characters browsers ignore are removed, is other than http, https, mailto or tel. Plain-text fields
contain nothing a parser would start a tag with.
"""

import html
import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.db import connection
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from api.cache import local_responses
from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, ProjectFactory
from cms.factories.streams import ContactsFactory
from cms.models import (
    ContactCard,
    EventOrganiser,
    EventProject,
    EventReportPage,
    EventSession,
    Organisation,
    Person,
    Project,
    RelatedEvent,
)

pytestmark = pytest.mark.django_db

_ESCAPES = {r"\x00": "\x00", r"\x01": "\x01", r"\x0b": "\x0b", r"\x0c": "\x0c", r"\t": "\t", r"\n": "\n", r"\r": "\r"}


def _payloads():
    lines = Path(__file__).with_name("xss_payloads.txt").read_text(encoding="utf-8").splitlines()
    payloads = []
    for line in lines:
        if not line or line.startswith("#"):
            continue
        for written, character in _ESCAPES.items():
            line = line.replace(written, character)
        payloads.append(line)
    return payloads


PAYLOADS = _payloads()

# The cases reproduced in issue 13, on their own so that a failure names them.
ISSUE_CASES = [
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JavaScript:alert(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<p onclick="alert(1)">x</p>',
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '<iframe src="javascript:alert(1)"></iframe>',
    "javascript:alert(1)",
    'h1"><script>alert(1)</script>',
]

# --- the oracle --------------------------------------------------------------------------------------------
ALLOWED = {
    "p": {"data-block-key"},
    "br": set(),
    "b": set(),
    "i": set(),
    "ol": set(),
    "ul": set(),
    "li": {"data-block-key"},
    "a": {"href", "data-page-id", "data-page-type", "data-document-id"},
}
# Stored rich text is in Wagtail's database format: internal links are a link type and an id.
STORED = {**ALLOWED, "a": {"href", "linktype", "id"}}
URL_KEYS = {
    "href",
    "url",
    "recording_url",
    "registration_url",
    "website",
    "web_page",
    "source_url",
    "online_url",
    "embed",
    "isBasedOn",
    "sameAs",
    "@id",
}
RICH_TEXT_KEYS = {"summary", "conclusions", "bio"}
# What browsers strip from a URL before they read its scheme, and what they ignore inside it.
_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]")


def url_problem(url):
    """Why ``url`` is not an http, https, mailto, tel or relative address for a browser, or None."""
    if not url:
        return None
    decoded, seen = url, set()
    while decoded not in seen:  # the browser decodes once in an attribute; a careless template twice
        seen.add(decoded)
        candidate = _IGNORED.sub("", decoded)
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.\-]*):", candidate)
        if scheme and scheme.group(1).lower() not in {"http", "https", "mailto", "tel"}:
            return f"scheme {scheme.group(1)!r} in {url!r}"
        if re.search(r"[<>\"`]", decoded):
            return f"markup characters in {url!r}"
        decoded = html.unescape(decoded)
    return None


class _Inspector(HTMLParser):
    def __init__(self, allowed):
        super().__init__(convert_charrefs=True)
        self.allowed = allowed
        self.problems = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.allowed:
            self.problems.append(f"element <{tag}>")
            return
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"event attribute {name} on <{tag}>")
            elif name not in self.allowed[tag]:
                self.problems.append(f"attribute {name} on <{tag}>")
            elif name == "href" and (problem := url_problem(value or "")):
                self.problems.append(problem)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data):
        self.problems.append(f"comment {data!r}")

    def handle_decl(self, decl):
        self.problems.append(f"declaration {decl!r}")

    def handle_pi(self, data):
        self.problems.append(f"processing instruction {data!r}")

    def unknown_decl(self, data):
        self.problems.append(f"declaration {data!r}")


def html_problems(text, allowed=ALLOWED):
    inspector = _Inspector(allowed)
    inspector.feed(text)
    inspector.close()
    return inspector.problems


def json_problems(data, allowed=ALLOWED, path="", block_type=None):
    """Every place in ``data`` (API JSON, or stored JSON with ``allowed=STORED``) that could execute in a browser."""
    problems = []
    if isinstance(data, dict):
        if isinstance(data.get("type"), str) and "value" in data:
            block_type = data["type"]
        for key, value in data.items():
            if isinstance(value, str):
                problems += string_problems(key, value, block_type, f"{path}/{key}", allowed)
            else:
                problems += json_problems(value, allowed, f"{path}/{key}", block_type)
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, str):
                problems += string_problems(None, item, block_type, f"{path}[{index}]", allowed)
            else:
                problems += json_problems(item, allowed, f"{path}[{index}]", block_type)
    return problems


def string_problems(key, value, block_type, path, allowed):
    rich = (key == "value" and block_type == "paragraph") or key in RICH_TEXT_KEYS
    rich = rich or (key == "description" and block_type == "discussion")
    problems = [f"{path}: {problem}" for problem in html_problems(value, allowed)]
    if not rich and re.search(r"<[A-Za-z!/?]", value):
        problems.append(f"{path}: markup in plain text {value!r}")
    if key in URL_KEYS and (problem := url_problem(value)):
        problems.append(f"{path}: {problem}")
    return problems


def test_the_oracle_sees_what_it_must():
    assert json_problems({"x": '<a href="jav&#x09;ascript:alert(1)">x</a>'})
    assert json_problems({"x": "<p onclick=x>x</p>"})
    assert json_problems({"title": "a <b>b</b>"})
    assert json_problems({"url": " JAVASCRIPT:alert(1)"})
    assert json_problems({"type": "paragraph", "value": "<!-- x -->"})
    assert not json_problems({"type": "paragraph", "value": '<p><a href="/x/" data-page-id="3">x</a> a < b</p>'})
    assert not json_problems({"title": "a < b & c", "url": "mailto:a@b.lv"})


# --- planting ----------------------------------------------------------------------------------------------
def _id():
    return str(uuid.uuid4())


def _item(value):
    return {"type": "item", "value": value, "id": _id()}


def body_with(payload):
    """Raw StreamField JSON of a report body with ``payload`` in every kind of field."""
    speaker = {"description": payload, "role": payload, "contribution": payload, "parts": [payload, "speaker"]}
    return [
        {"type": "paragraph", "value": payload, "id": _id()},
        {"type": "paragraph", "value": f"<p>{payload}</p>", "id": _id()},
        {"type": "paragraph", "value": f'<p><a href="{payload}">link</a></p>', "id": _id()},
        {"type": "heading", "value": {"text": payload, "level": payload}, "id": _id()},
        {"type": "quote", "value": {"text": payload, "attribution": payload}, "id": _id()},
        {"type": "speaker", "value": speaker, "id": _id()},
        {
            "type": "talk",
            "value": {
                "kind": payload,
                "speakers": [_item(speaker)],
                "title": payload,
                "summary": payload,
                "recording_url": payload,
            },
            "id": _id(),
        },
        {
            "type": "discussion",
            "value": {
                "title": payload,
                "method": payload,
                "description": payload,
                "moderators": [_item(speaker)],
                "panellists": [],
                "questions": [_item({"question": payload, "outcomes": [_item(payload)]})],
                "conclusions": f"<p>{payload}</p>",
            },
            "id": _id(),
        },
        {"type": "video", "value": {"embed": payload, "title": payload, "caption": payload}, "id": _id()},
        {"type": "video", "value": {"embed": "https://www.youtube.com/watch?v=x", "title": payload}, "id": _id()},
    ]


def follow_ups_with(payload):
    return [
        {
            "type": "follow_up",
            "value": {
                "kind": payload,
                "title": payload,
                "description": payload,
                "period": payload,
                "registration_url": payload,
            },
            "id": _id(),
        }
    ]


def resources_with(payload):
    return [
        {"type": "resource", "value": {"kind": payload, "title": payload, "url": payload}, "id": _id()},
        {"type": "resource", "value": {"kind": "slides", "title": "ok", "url": payload}, "id": _id()},
    ]


def person_links_with(payload):
    return [{"type": "link", "value": {"title": payload, "url": payload}, "id": _id()}]


def plant(payloads):
    """A published report (and the snippets it shows) with every payload in every kind of field, written as an
    importer would: raw StreamField JSON and plain attribute assignment, then a revision that is published."""
    person = PersonFactory(bio=payloads[0], links=[link for payload in payloads for link in person_links_with(payload)])
    Person.objects.filter(pk=person.pk).update(bio=payloads[0])  # see api.richtext: cleaned when served
    body, follow_ups, resources = [], [], []
    for payload in payloads:
        body += body_with(payload)
        body.append({"type": "speaker", "value": {"person": person.pk, "parts": ["speaker"]}, "id": _id()})
        follow_ups += follow_ups_with(payload)
        resources += resources_with(payload)
    cards = [ContactCardFactory(web_page=payload) for payload in payloads[:5]]
    page = EventReportPageFactory(title="XSS", contacts=ContactsFactory.stream([("contact", card) for card in cards]))
    page.body, page.follow_ups, page.resources = body, follow_ups, resources
    # Child rows in memory, written with the page (one reference-index update, not one per row).
    page.sessions = [EventSession(title="S", recording_url=payload) for payload in payloads]
    page.related_events = [RelatedEvent(name="R", url=payload) for payload in payloads]
    page.organisers = [EventOrganiser(organisation=OrganisationFactory(website=payload)) for payload in payloads]
    page.projects = [EventProject(project=ProjectFactory(website=payload)) for payload in payloads]
    # A page validates its own fields when it is saved: an unsafe address there is refused outright...
    page.source_url = payloads[0]
    if url_problem(payloads[0]):
        with pytest.raises(ValidationError) as refused:
            page.full_clean()
        assert "source_url" in refused.value.message_dict
    page.source_url = ""
    page.save_revision().publish()
    # ... and one written with an update is stored empty.
    EventReportPage.objects.filter(pk=page.pk).update(source_url=payloads[0], online_url=payloads[-1])
    return EventReportPage.objects.get(pk=page.pk), person


def served(api, page):
    responses = [
        api.get(f"/api/v2/pages/{page.pk}/"),
        api.get("/api/v2/pages/?type=cms.EventReportPage&fields=*"),
        api.get("/api/v2/people/"),
        api.get("/api/v2/contacts/"),
        api.get("/api/v2/organisations/"),
        api.get("/api/v2/projects/"),
    ]
    for response in responses:
        assert response.status_code == 200, (response.request["PATH_INFO"], response.content[:500])
    return [response.json() for response in responses]


def assert_nothing_executable(documents):
    problems = [problem for document in documents for problem in json_problems(document)]
    assert not problems, "\n".join(problems[:40])


def _chunks(items, size):
    return [items[start : start + size] for start in range(0, len(items), size)]


# --- tests -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", ISSUE_CASES)
def test_issue_cases_are_stored_and_served_clean(api, payload):
    page, _person = plant([payload])
    stored = page.body.raw_data
    assert not json_problems(list(stored), STORED)
    heading = next(block for block in stored if block["type"] == "heading")
    assert heading["value"]["level"] == "h2"
    assert page.source_url in ("", payload) and not url_problem(page.source_url)
    detail = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert_nothing_executable([detail])
    levels = {block["value"]["level"] for block in detail["body"] if block["type"] == "heading"}
    assert levels == {"h2"}


def test_corpus_is_large_enough():
    assert len(set(PAYLOADS)) >= 100


def storable(payloads, max_length=None):
    """The payloads the database can hold at all. PostgreSQL refuses NUL in text and JSON (the write fails with
    a DataError: nothing is stored, so nothing can be served), and a URL column refuses what exceeds its length
    when written by SQL; SQLite stores both. Every payload still runs on SQLite."""
    kept = payloads
    if connection.vendor == "postgresql":
        kept = [p for p in kept if "\x00" not in p and "\\u0000" not in p]
        if max_length is not None:
            kept = [p for p in kept if len(p) <= max_length]
    return kept


@pytest.mark.parametrize("chunk", _chunks(PAYLOADS, 50), ids=lambda chunk: f"{len(chunk)}-payloads")
def test_corpus_is_stored_clean_and_served_clean(api, chunk):
    chunk = storable(chunk)
    page, person = plant(chunk)
    for field in ("body", "follow_ups", "resources"):
        problems = json_problems(list(getattr(page, field).raw_data), STORED)
        assert not problems, "\n".join(problems[:20])
    revision = page.get_latest_revision().content  # StreamFields are JSON text in a revision
    assert not json_problems([json.loads(revision[key]) for key in ("body", "follow_ups", "resources")], STORED)
    for model, field in [(Organisation, "website"), (Project, "website"), (ContactCard, "web_page")]:
        for value in model.objects.values_list(field, flat=True):
            assert not url_problem(value), (model, value)
    for session in page.sessions.all():
        assert not url_problem(session.recording_url)
    assert_nothing_executable(served(api, page))


def test_person_links_are_stored_clean():
    person = PersonFactory(links=[])
    person.links = person_links_with("javascript:alert(1)")
    person.save()
    assert not json_problems(list(Person.objects.get(pk=person.pk).links.raw_data), STORED)


@pytest.mark.parametrize(
    "payload", ['<a href="javascript:alert(1)">x</a>', '<b onclick="alert(1)">x</b><script>x</script>']
)
def test_a_bio_written_without_a_form_is_stored_clean(payload):
    person = PersonFactory()
    person.bio = f"<p>Bio {payload}</p>"
    person.save()
    stored = Person.objects.get(pk=person.pk).bio
    assert "javascript" not in stored.lower() and "onclick" not in stored and "<script" not in stored
    assert stored.startswith("<p>Bio ")


def test_a_bio_written_in_the_admin_is_stored_as_typed():
    bio = '<p data-block-key="a1b2c">Vada <b>projektu</b> <a href="https://rezeknesnovads.lv/">novadā</a>.</p>'
    person = PersonFactory(bio=bio)
    assert Person.objects.get(pk=person.pk).bio == bio


def _bypass_the_models(page, payload):
    """Put ``payload`` into the database as a migration's SQL or an older version of the code could have."""
    table = EventReportPage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET body = %s, follow_ups = %s, resources = %s, source_url = %s, online_url = %s "
            "WHERE page_ptr_id = %s",
            [
                json.dumps(body_with(payload)),
                json.dumps(follow_ups_with(payload)),
                json.dumps(resources_with(payload)),
                payload,
                payload,
                page.pk,
            ],
        )
        for model, field in [(Organisation, "website"), (Project, "website"), (ContactCard, "web_page")]:
            cursor.execute(f"UPDATE {model._meta.db_table} SET {field} = %s", [payload])
        cursor.execute(
            f"UPDATE {Person._meta.db_table} SET bio = %s, links = %s",
            [payload, json.dumps(person_links_with(payload))],
        )
        cursor.execute(f"UPDATE {page.sessions.model._meta.db_table} SET recording_url = %s", [payload])
        cursor.execute(f"UPDATE {page.related_events.model._meta.db_table} SET url = %s", [payload])


@pytest.mark.parametrize("chunk", _chunks(PAYLOADS, 70), ids=lambda chunk: f"{len(chunk)}-payloads")
def test_corpus_written_behind_the_models_back_is_served_clean(api, chunk):
    chunk = storable(chunk, max_length=200)
    page, _person = plant(["ok"])
    documents = []
    for payload in chunk:
        _bypass_the_models(page, payload)
        # Written behind the models' back, nothing invalidates the cached responses.
        for cache in caches.all():
            cache.clear()
        local_responses.clear()
        documents += served(api, page)
    assert_nothing_executable(documents)


def test_a_translation_upload_is_stored_clean(api, django_capture_on_commit_callbacks):
    """Translated segments are written by wagtail-localize, not by a form: hostile text in them is cleaned too."""
    en = Locale.objects.get(language_code="en")
    page = EventReportPageFactory(
        body=[
            {"type": "heading", "value": {"text": "Virsraksts", "level": "h3"}, "id": _id()},
            {"type": "quote", "value": {"text": "Citāts", "attribution": "Autore"}, "id": _id()},
            {"type": "paragraph", "value": "<p>Rindkopa</p>", "id": _id()},
        ]
    )
    page.save_revision().publish()
    translate_object(page, [en])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    # Segment data is wagtail-localize's HTML-escaped text: a translator's "<script>" arrives as "&lt;script&gt;".
    markup = html.escape(" <img src=x onerror=alert(1)><script>alert(1)</script>", quote=False)
    hostile = {"Virsraksts": markup, "Citāts": markup, "Autore": markup}
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=en,
            context=segment.context,
            defaults={"data": f"EN {segment.string.data}{hostile.get(segment.string.data, '')}"},
        )
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    translated = page.get_translation(en)
    translated.refresh_from_db()
    stored = list(translated.body.raw_data)
    assert not json_problems(stored, STORED)
    assert [block["value"]["text"] for block in stored if block["type"] == "heading"] == ["EN Virsraksts alert(1)"]
    assert_nothing_executable([api.get(f"/api/v2/pages/{translated.pk}/").json()])
