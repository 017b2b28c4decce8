"""Search that cannot choke: whatever ``?search=`` holds, every endpoint that searches answers JSON 200 or 400.

Reproduced before the fix on SQLite: ``?search=%22`` (an unbalanced quote) was an FTS5 syntax error (a 500),
``?search=%20`` on images and documents a crash in the query builder, and document search a 400 ("cannot filter
by 'path' while searching") as soon as any private collection existed. ``api.search`` reduces the text to words
before any backend sees it; these tests hold on SQLite and on PostgreSQL (``DATABASE_URL``).
"""

import os
import unicodedata
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.api.v2.utils import BadRequestError
from wagtail.models import Collection, CollectionViewRestriction

from api.endpoints.base import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from api.search import search_query, search_words
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, ProjectFactory

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "60"))

SEARCHING = [
    "/api/v2/pages/",
    "/api/v2/pages/?type=cms.EventReportPage",
    "/api/v2/images/",
    "/api/v2/documents/",
    "/api/v2/people/",
    "/api/v2/organisations/",
    "/api/v2/contacts/",
    "/api/v2/projects/",
]
# The snippet endpoints match every word and take no search_operator (it is a 400 of its own there).
TAKING_OPERATOR = [
    url for url in SEARCHING if url.startswith(("/api/v2/pages/", "/api/v2/images/", "/api/v2/documents/"))
]

# What full-text syntaxes give meaning to (FTS5, tsquery, Lucene), quotes, and every kind of text a reader types.
SYNTAX = "\"'`*^-+:()[]{}<>~&|!@#$%?=,.;/\\_"
LATVIAN = "āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщъыьэюяЁё"
EMOJI = "😀🎉👍🏽🇱🇻\u200d\u2640\ufe0f"
WHITESPACE = " \t\n\r\u00a0\u2003\u3000"
CONTROL = "".join(chr(code) for code in range(1, 32)) + "\x7f\u200b\ufeff\u0301\u0304\u0327"
ALPHABET = SYNTAX + LATVIAN + CYRILLIC + EMOJI + WHITESPACE + CONTROL + "abcxyzAZ019"
TOKENS = [
    "AND", "OR", "NOT", "NEAR", "NEAR(", "NEAR/3", "title:", "body:", "{title body}:", "-", "*", ":*", "<->", "&",
    "|", "!", '"', "'", "(", ")", "^", "\\", "%s", "%", "forums", "Kuldīgā", "Кулдига",
]  # fmt: skip

search_text = st.one_of(
    st.text(alphabet=ALPHABET, max_size=MAX_SEARCH_LENGTH + 10),
    st.lists(
        st.one_of(st.sampled_from(TOKENS), st.text(alphabet=ALPHABET, min_size=1, max_size=8)),
        max_size=MAX_SEARCH_WORDS + 3,
    ).flatmap(lambda parts: st.sampled_from(["", " "]).map(lambda glue: glue.join(parts))),
)

# The reproductions and their relatives: each is within the limits, so each is a 200.
NASTY = [
    '"', '""', '"a', 'a"b', "'", "a'b", "\\", " ", "\t\n", "NEAR(", "NEAR(a b)", "a*", "*", "^a", "-a", "a -b",
    "title:a", "{title body}: a", "(a", "a)", "AND", "OR OR", "NOT a", "a NOT", "a AND", "a:*", "!a", "a & b",
    "a | b", "<->", "%s", "%", "%%", "😀", "\x01\x02", "\u0301", "''''", '"a" AND "b"',
]  # fmt: skip


def get(api, url, **params):
    # Appended, not passed as ``data``: the test client would drop the URL's own query string.
    if params:
        url += ("&" if "?" in url else "?") + urlencode(params)
    response = api.get(url)
    assert response["Content-Type"].startswith("application/json"), (url, params, response.status_code)
    return response


def found(api, url, **params):
    response = get(api, url, **params)
    assert response.status_code == 200, (url, params, response.content)
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture
def content():
    index = EventReportIndexPageFactory()
    report = EventReportPageFactory(parent=index, title="Uzņēmējdarbības forums Kuldīgā", lead="Jauniešu pieredze.")
    russian = EventReportPageFactory(parent=index, title="Форум предпринимателей в Кулдиге")
    other = EventReportPageFactory(parent=index, title="Seminārs Talsos")
    organisation = OrganisationFactory(name="Kuldīgas novada pašvaldība", acronym="KNP")
    person = PersonFactory(name="Dana Bārbale", job_title="Uzņēmējdarbības konsultante", organisation=organisation)
    card = ContactCardFactory(name="Līga Ozoliņa", position="Komercdarbības speciāliste", organisation=organisation)
    project = ProjectFactory(name="Zaļie ciemi Kuldīgā", code="LV-KA2-2020")
    image = ImageFactory(title="Forums Kuldīgā")
    document = DocumentFactory(title="Foruma prezentācija Kuldīgā")
    return {
        "report": report.pk,
        "russian": russian.pk,
        "other": other.pk,
        "organisation": organisation.pk,
        "person": person.pk,
        "card": card.pk,
        "project": project.pk,
        "image": image.pk,
        "document": document.pk,
    }


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=search_text, operator=st.sampled_from([None, "and", "or"]))
def test_no_search_is_a_server_error(api, content, text, operator):
    params = {"search": text} if operator is None else {"search": text, "search_operator": operator}
    within_limits = len(text) <= MAX_SEARCH_LENGTH and len(text.split()) <= MAX_SEARCH_WORDS and within_word_limit(text)
    for url in SEARCHING if operator is None else TAKING_OPERATOR:
        response = get(api, url, **params)
        assert response.status_code == (200 if within_limits else 400), (url, params, response.content)
        body = response.json()
        if response.status_code == 200:
            assert isinstance(body["items"], list)
        else:
            assert "limited to" in body["message"]


def within_word_limit(text):
    """Whether the words searched for are within the limit (punctuation can split one raw word into many)."""
    try:
        search_words(text, (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS))
    except BadRequestError:
        return False
    return True


@pytest.mark.parametrize("text", NASTY)
def test_fts_syntax_is_searched_as_words(api, content, text):
    for url in SEARCHING:
        response = get(api, url, search=text)
        assert response.status_code == 200, (url, text, response.content)


@pytest.mark.parametrize("text", ['"', "!!!", "()", "😀", " ", "", "\u0301", "* : ^"])
def test_a_search_without_words_finds_nothing(api, content, text):
    for url in SEARCHING:
        response = get(api, url, search=text)
        assert response.status_code == 200, (url, text, response.content)
        assert response.json()["items"] == [] and response.json()["meta"]["total_count"] == 0, (url, text)


@pytest.mark.parametrize(
    "text",
    [
        "Kuldīgā",
        "kuldīgā",
        '"Kuldīgā"',
        'Kuldīgā"',
        "(Kuldīgā)",
        "Kuldīgā*",
        "title:Kuldīgā",
        "-Kuldīgā",
        "NEAR(Kuldīgā",
        unicodedata.normalize("NFD", "Kuldīgā"),  # typed with combining marks
        "Uzņēmējdarbības",
        '"uzņēmējdarbības forums"',
    ],
)
def test_real_words_still_find_the_report(api, content, text):
    assert content["report"] in found(api, "/api/v2/pages/", search=text)
    assert content["other"] not in found(api, "/api/v2/pages/", search=text)


def test_cyrillic_and_operators(api, content):
    assert found(api, "/api/v2/pages/", search="«Кулдиге»") == [content["russian"]]
    assert found(api, "/api/v2/pages/", search="Kuldīgā Talsos") != []
    either = set(found(api, "/api/v2/pages/", search="Kuldīgā Talsos", search_operator="or"))
    assert {content["report"], content["other"]} <= either
    assert found(api, "/api/v2/pages/", search="Kuldīgā Talsos", search_operator="and") == []
    assert found(api, "/api/v2/pages/", search='"Kuldīgā" + "forums"', search_operator="and") == [content["report"]]


def test_media_and_snippets_find_their_words(api, content):
    assert found(api, "/api/v2/images/", search='"Kuldīgā"') == [content["image"]]
    assert found(api, "/api/v2/documents/", search="prezentācija:") == [content["document"]]
    assert found(api, "/api/v2/people/", search='"Bārbale"') == [content["person"]]
    assert found(api, "/api/v2/people/", search="Dana, Bārbale") == [content["person"]]
    # Every word must occur (in any of the fields): a second word that nobody has finds no one.
    assert found(api, "/api/v2/people/", search="Bārbale Neesoša") == []
    assert found(api, "/api/v2/people/", search="Bārbale konsultante") == [content["person"]]
    assert found(api, "/api/v2/organisations/", search="(KNP)") == [content["organisation"]]
    assert found(api, "/api/v2/contacts/", search="Ozoliņa*") == [content["card"]]
    assert found(api, "/api/v2/projects/", search="ka2 OR") == []  # OR is a word here, and no project has it
    assert found(api, "/api/v2/projects/", search="'ka2'") == [content["project"]]


def test_punctuation_cannot_smuggle_in_more_words(api, content):
    many = '"'.join(["vārds"] * (MAX_SEARCH_WORDS + 1))  # one raw word, 26 words searched for
    for url in SEARCHING:
        response = get(api, url, search=many)
        assert response.status_code == 400, (url, response.content)
        assert "words" in response.json()["message"]
    exactly = '"'.join(["vārds"] * MAX_SEARCH_WORDS)
    assert get(api, "/api/v2/pages/", search=exactly).status_code == 200


def test_search_words():
    assert search_words('"Kuldīgā" AND NEAR(forums*') == ["Kuldīgā", "AND", "NEAR", "forums"]
    assert search_words(unicodedata.normalize("NFD", "ķēniņš")) == ["ķēniņš"]
    assert search_words("Кулдига—2020:😀x") == ["Кулдига", "2020", "x"]
    assert search_words("\u0301a\u0301") == [unicodedata.normalize("NFC", "a\u0301")]
    assert search_words('" ^ * ()') == []
    assert search_query("!!!") is None
    query = search_query('a "b"', "and")
    assert (query.query_string, query.operator) == ("a b", "and")
    assert search_query("a b").operator == "or"
    many = " ".join("x" * (MAX_SEARCH_WORDS + 1))
    assert len(search_words(many)) == MAX_SEARCH_WORDS + 1
    with pytest.raises(BadRequestError, match="words"):
        search_words(many, (MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS))


@pytest.fixture
def private_media():
    """Public and private images and documents with a word in common, in a private collection, one below it
    (private by inheritance) and two public ones."""
    root = Collection.get_first_root_node()
    private = root.add_child(name="Iekšējie")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    below = Collection.objects.get(pk=private.pk).add_child(name="Valdes sēdes")
    public = root.add_child(name="Publiskie")
    media = {}
    for kind, factory in (("documents", DocumentFactory), ("images", ImageFactory)):
        media[kind] = {
            "shown": {
                factory(title="Gada pārskats publiskais").pk,
                factory(title="Gada pārskats", collection=Collection.objects.get(pk=public.pk)).pk,
            },
            "hidden": {
                factory(title="Gada pārskats iekšējais", collection=Collection.objects.get(pk=private.pk)).pk,
                factory(title="Gada pārskats valdei", collection=Collection.objects.get(pk=below.pk)).pk,
            },
        }
    return media


@pytest.mark.parametrize("kind", ["documents", "images"])
@pytest.mark.parametrize(
    "params",
    [
        {"search": "pārskats"},
        {"search": '"Gada pārskats"', "search_operator": "and"},
        {"search": "pārskats iekšējais valdei publiskais", "search_operator": "or"},
        {"search": "pārskats", "order": "id"},
        {"search": "pārskats", "limit": "1", "offset": "1"},
        {},
    ],
)
def test_media_search_with_private_collections(api, private_media, kind, params):
    expected = private_media[kind]["shown"]
    response = get(api, f"/api/v2/{kind}/", **params)
    assert response.status_code == 200, response.content
    ids = {item["id"] for item in response.json()["items"]}
    assert not ids & private_media[kind]["hidden"]
    assert response.json()["meta"]["total_count"] == len(expected)
    if "limit" not in params:
        assert ids == expected


@pytest.mark.parametrize("kind", ["documents", "images"])
def test_private_media_is_not_found_by_its_own_words(api, private_media, kind):
    assert found(api, f"/api/v2/{kind}/", search="iekšējais valdei", search_operator="or") == []
    for pk in private_media[kind]["hidden"]:
        assert get(api, f"/api/v2/{kind}/{pk}/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("date_from=2020-01-01", True),
        ("date_to=2030-12-31", True),
        ("date_from=2030-01-01", False),
        ("when=past", True),
        ("when=upcoming", False),
        ("event_format=online", True),
        ("order=-start_date", True),
        (f"person={MAX_SEARCH_LENGTH * 1000}", False),
    ],
)
def test_search_combines_with_the_report_filters(api, content, query, expected):
    # Searching with a filter on a field the search index does not hold was a 400 ("cannot filter by 'ends_on'").
    ids = found(api, f"/api/v2/pages/?type=cms.EventReportPage&{query}", search="Kuldīgā")
    assert ids == ([content["report"]] if expected else [])
