"""The OpenAPI document: valid OpenAPI 3.1, complete, and true to what the API really returns.

Responses are validated against the document's schemas (JSON Schema 2020-12). Shape and block objects are
closed (``additionalProperties: false``), so a key that the API adds, drops or renames without the document
following fails here, and so does a block type without a schema.
"""

import datetime
import functools
import io
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import resolve
from jsonschema import Draft202012Validator, ValidationError
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from wagtail import blocks as wagtail_blocks
from wagtail.fields import StreamField
from wagtail.models import Locale

from api import urlconf as api_urlconf
from api.endpoints.base import DeliveryEndpointMixin
from api.openapi import openapi_document
from api.openapi.blocks import BlockSchemas
from api.router import api_router
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import (
    ContactCardFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    TopicFactory,
)
from cms.factories.streams import FollowUpsFactory, PersonLinksFactory, ReportBodyFactory
from cms.models import ContactCard, EventReportPage, Organisation, Person

DOCUMENT_URI = "urn:novads-cms:openapi"
SCHEMAS = "#/components/schemas/"


# --- helpers ------------------------------------------------------------------------------------------------
@pytest.fixture
def api_client():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def demo_report(db):
    """The demo report in the source language (the demo also has translations)."""
    call_command("load_demo_content", stdout=io.StringIO())
    return EventReportPage.objects.get(locale=Locale.get_default())


@functools.cache
def registry():
    """The OpenAPI document as a JSON Schema resource, so that ``$ref``s resolve inside it."""
    return Registry().with_resource(
        DOCUMENT_URI, Resource.from_contents(openapi_document(), default_specification=DRAFT202012)
    )


def validator(schema):
    """A 2020-12 validator for ``schema``, which may refer to the document's components; formats are checked."""
    return Draft202012Validator(schema, registry=registry(), format_checker=Draft202012Validator.FORMAT_CHECKER)


def component(name):
    return {"$ref": f"{DOCUMENT_URI}{SCHEMAS}{name}"}


def assert_valid(instance, schema):
    errors = sorted(validator(schema).iter_errors(instance), key=lambda error: list(error.absolute_path))
    assert not errors, "\n".join(f"{error.json_path}: {error.message[:300]}" for error in errors[:10])


def operation(path):
    return openapi_document()["paths"][path]["get"]


def documented_response_schema(path, status="200"):
    """The schema the document gives for a response, with its ``$ref``s made absolute."""
    response = operation(path)["responses"][status]
    if "$ref" in response:
        response = openapi_document()["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    schema = response["content"]["application/json"]["schema"]
    return _absolute(schema)


def _absolute(node):
    if isinstance(node, dict):
        return {
            key: DOCUMENT_URI + value if key == "$ref" and value.startswith("#") else _absolute(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute(value) for value in node]
    return node


def demo_ids():
    """Ids of demo objects (not assumed to be 1: PostgreSQL sequences are not rolled back between tests)."""
    return {
        "person": Person.objects.order_by("pk").first().pk,
        "contact": ContactCard.objects.order_by("pk").first().pk,
        "organisation": Organisation.objects.order_by("pk").first().pk,
    }


def stream_fields():
    return [field for field in EventReportPage._meta.get_fields() if isinstance(field, StreamField)]


# --- the document itself ------------------------------------------------------------------------------------
def test_declares_openapi_3_1():
    assert re.fullmatch(r"3\.1\.\d+", openapi_document()["openapi"])


def test_is_a_valid_openapi_3_1_document():
    OpenAPIV31SpecValidator(openapi_document()).validate()


def test_every_stream_child_has_a_block_schema():
    schemas = openapi_document()["components"]["schemas"]
    report = schemas["EventReportPage"]["properties"]
    for field in stream_fields():
        names = list(field.stream_block.child_blocks)
        assert names, field.name
        for name in names:
            assert schemas[f"Block_{name}"]["properties"]["type"]["const"] == name
        mapping = report[field.name]["items"]["discriminator"]["mapping"]
        assert mapping == {name: f"{SCHEMAS}Block_{name}" for name in names}, field.name


@pytest.mark.parametrize(
    "block",
    [wagtail_blocks.FloatBlock(), wagtail_blocks.PageChooserBlock(), wagtail_blocks.StreamBlock([])],
    ids=["no-mapping", "stock-chooser", "nested-stream"],
)
def test_a_block_without_schema_mapping_fails_the_build(block):
    with pytest.raises(TypeError):
        BlockSchemas({}).value(block)


OWN_VIEWS = {pattern.name for pattern in api_urlconf.urlpatterns if getattr(pattern, "name", None)}


def test_every_router_endpoint_and_path_is_documented():
    documented = set()
    for path in openapi_document()["paths"]:
        match = resolve(path.replace("{id}", "1"))
        assert match.namespaces[:1] == ["wagtailapi_v2"] or match.url_name in OWN_VIEWS, path
        documented.add((tuple(match.namespaces), match.url_name))
    # Every view of the API's URLconf besides the router's is documented too.
    assert {((), name) for name in OWN_VIEWS} <= documented
    for endpoint in api_router.get_urlpatterns():
        for view in endpoint.url_patterns:
            # find is a page feature: the other endpoints' find views are Wagtail leftovers (400 or by id).
            if view.name != "find" or endpoint.namespace == "pages":
                assert (("wagtailapi_v2", endpoint.namespace), view.name) in documented


def test_every_accepted_query_parameter_is_documented():
    accepted_by = {
        "listing": "known_query_parameters",
        "detail": "detail_query_parameters",
        "find": "find_query_parameters",
    }
    for path, item in openapi_document()["paths"].items():
        match = resolve(path.replace("{id}", "1"))
        if match.url_name not in accepted_by:
            continue
        endpoint = match.func.cls
        accepted = set(getattr(endpoint, accepted_by[match.url_name])) - DeliveryEndpointMixin.undocumented_parameters
        documented = {p["name"] for p in item["get"]["parameters"] if p["in"] == "query"}
        assert documented == accepted, path


# --- real responses against the schemas ---------------------------------------------------------------------
def test_demo_report_detail_matches_schema(api_client, demo_report):
    data = api_client.get(f"/api/v2/pages/{demo_report.pk}/").json()
    assert_valid(data, component("EventReportPage"))
    assert_valid(data, documented_response_schema("/api/v2/pages/{id}/"))


@pytest.mark.parametrize(
    ("url", "name", "path"),
    [
        ("/api/v2/pages/?type=cms.EventReportPage", "EventReportPageListing", "/api/v2/pages/"),
        ("/api/v2/pages/?type=cms.EventReportPage&fields=*", "EventReportPageListing", "/api/v2/pages/"),
        ("/api/v2/pages/?type=cms.EventReportPage&when=past&event_format=online", "EventReportPageListing", None),
        (
            "/api/v2/pages/?type=cms.EventReportPage&date_from=2020-10-01&date_to=2020-10-31",
            "EventReportPageListing",
            None,
        ),
        ("/api/v2/pages/", "PageListing", "/api/v2/pages/"),
        ("/api/v2/people/", "PersonListing", "/api/v2/people/"),
        ("/api/v2/people/{person}/", "PersonDetail", "/api/v2/people/{id}/"),
        ("/api/v2/contacts/", "ContactCardListing", "/api/v2/contacts/"),
        ("/api/v2/contacts/{contact}/", "ContactCardDetail", "/api/v2/contacts/{id}/"),
        ("/api/v2/organisations/", "OrganisationListing", "/api/v2/organisations/"),
        ("/api/v2/organisations/{organisation}/", "OrganisationDetail", "/api/v2/organisations/{id}/"),
    ],
)
def test_demo_responses_match_schema(api_client, demo_report, url, name, path):
    response = api_client.get(url.format(**demo_ids()))
    assert response.status_code == 200, response.content
    data = response.json()
    assert data.get("items", [data]), "nothing to validate"
    assert_valid(data, component(name))
    if path:
        assert_valid(data, documented_response_schema(path))


def test_every_demo_page_matches_schema(api_client, demo_report):
    """Every public page of the demo, translations included, in its detail form."""
    pages = api_client.get("/api/v2/pages/?limit=100").json()["items"]
    assert demo_report.pk in {page["id"] for page in pages}
    for page in pages:
        data = api_client.get(urlsplit(page["meta"]["detail_url"]).path).json()
        assert_valid(data, documented_response_schema("/api/v2/pages/{id}/"))
        if data["meta"]["type"] == "cms.EventReportPage":
            assert_valid(data, component("EventReportPage"))
        else:
            assert_valid(data, component("PageDetail"))


def test_a_key_missing_from_the_schema_fails_validation(api_client, demo_report):
    data = api_client.get(f"/api/v2/pages/{demo_report.pk}/").json()
    speaker = next(block for block in data["body"] if block["type"] == "speaker")
    speaker["value"]["pronouns"] = "she/her"
    with pytest.raises(ValidationError):
        validator(component("EventReportPage")).validate(data)
    del speaker["value"]["pronouns"]
    del speaker["value"]["contribution"]
    with pytest.raises(ValidationError):
        validator(component("EventReportPage")).validate(data)


@pytest.fixture
def full_report(db):
    """A report using every block type and every kind of reference, with optional values filled in."""
    index = EventReportIndexPageFactory()
    document = DocumentFactory()
    organisation = OrganisationFactory(logo=ImageFactory(), website="https://example.org/")
    person = PersonFactory(
        organisation=organisation,
        photo=ImageFactory(),
        bio=f'<p>See <a linktype="page" id="{index.pk}">the events</a>.</p>',
        links=PersonLinksFactory.stream(
            [
                ("link", {"page": index}),
                ("link", {"document": document}),
                ("link", {"title": "Website", "url": "https://example.org/"}),
            ]
        ),
    )
    contact = ContactCardFactory(
        organisation=organisation, email="info@example.org", last_verified=datetime.date(2020, 11, 1)
    )
    follow_up = {
        "kind": "meeting",
        "title": "Meeting",
        "date": datetime.date(2020, 11, 20),
        "free_of_charge": True,
        "registration_url": "https://example.org/register/",
    }
    body = ReportBodyFactory.stream(
        [
            ("paragraph", f'<p>Programme: <a linktype="document" id="{document.pk}">PDF</a>.</p>'),
            ("heading", {"text": "Opening", "level": "h3"}),
            ("image", {"image": ImageFactory(), "alt_text": "Participants"}),
            ("quote", {"text": "Quoted.", "attribution": "Someone"}),
            ("speaker", {"person": person, "parts": ("opening", "welcome"), "organisation": OrganisationFactory()}),
            ("speaker", {"person": None, "description": "biedrības pārstāvis", "role": "Valdes locekle"}),
            (
                "talk",
                {
                    "kind": "presentation",
                    "speakers": [{"person": person}],
                    "title": "Talk",
                    "summary": "<p>Summary.</p>",
                    "slides": document,
                    "recording_url": "https://example.org/recording/",
                },
            ),
            (
                "discussion",
                {
                    "title": "Groups",
                    "group_count": 2,
                    "moderators": [{"person": person, "parts": ("moderator",)}],
                    "panellists": [{"person": None, "description": "bankas speciāliste", "parts": ("panellist",)}],
                    "description": "<p>How it went.</p>",
                    "questions": [{"question": "Why?", "outcomes": ["Because."]}],
                    "conclusions": "<p>Done.</p>",
                    "summary_document": document,
                },
            ),
            ("document", {"document": document, "description": "Programme"}),
            ("video", {"embed": "https://www.youtube.com/watch?v=miniforums"}),
        ]
    )
    page = EventReportPageFactory(
        parent=index,
        hero_image=ImageFactory(),
        hero_image_alt="The hall",
        event_format="hybrid",
        venue_name="Lūznavas muiža",
        online_platform="Zoom",
        end_date=datetime.date(2020, 10, 29),
        event_kind="forum",
        event_kind_text="miniforums",
        date_text="28.–29. oktobrī",
        publication_date=datetime.date(2020, 11, 1),
        publication_date_precision="month",
        author_name="Anna Ozola",
        author_position="speciāliste",
        author_organisation=organisation,
        source_url="https://example.org/news/1",
        source_language="en",
        machine_translated=True,
        online_url="https://example.org/stream/",
        free_of_charge=True,
        participant_count=20,
        participant_count_qualifier="more_than",
        body=body,
        follow_ups=FollowUpsFactory.stream([("follow_up", follow_up)]),
        contacts__0__contact=contact,
        resources__0__resource__document=document,
        resources__0__resource__kind="slides",
    )
    page.topics.add(TopicFactory())
    page.organisers.create(organisation=organisation, part="partner", locale=page.locale)
    page.sessions.create(
        date=page.start_date,
        start_time=datetime.time(14),
        end_time=datetime.time(16),
        place="Lūznavas muiža, zāle",
        recording_url="https://example.org/recording/",
        locale=page.locale,
    )
    page.sessions.create(date=None, date_precision="unknown", date_text="vēlāk", locale=page.locale)
    page.audience_groups.create(name="Entrepreneurs", locale=page.locale)
    page.projects.create(project=ProjectFactory(logo=ImageFactory(), kind="series"), position=2, locale=page.locale)
    earlier = EventReportPageFactory(parent=index, title="Earlier")
    page.related_events.create(relation="previous", report=earlier, locale=page.locale)
    page.related_events.create(
        relation="part_of",
        name="Forumu cikls",
        date_precision="year",
        date=datetime.date(2020, 1, 1),
        locale=page.locale,
    )
    page.save_revision().publish()
    return page


def test_report_with_every_block_type_matches_schema(api_client, full_report):
    data = api_client.get(f"/api/v2/pages/{full_report.pk}/").json()
    for field in stream_fields():
        shown = {block["type"] for block in data[field.name]}
        # A new block type needs an example above, so that its schema is checked against real output.
        assert shown == set(field.stream_block.child_blocks), field.name
    speaker_block = next(block for block in data["body"] if block["type"] == "speaker")
    assert [link["link_type"] for link in speaker_block["value"]["person"]["links"]] == ["page", "document", "url"]
    # The new fields are filled in, so their schemas are checked against real values rather than nulls.
    assert data["byline"]["organisation"] and data["provenance"] and data["projects"][0]["project"]["logo"]
    assert [event["relation"] for event in data["related_events"]] == ["previous", "part_of"]
    assert data["publication_date"] == "2020-11" and data["sessions"][1]["date"] is None
    assert data["follow_ups"][0]["value"]["date"] == "2020-11-20"
    assert_valid(data, component("EventReportPage"))

    listing = api_client.get("/api/v2/pages/?type=cms.EventReportPage&fields=*").json()
    assert_valid(listing, component("EventReportPageListing"))


def test_images_and_documents_match_schema(api_client, db):
    image, document = ImageFactory(), DocumentFactory()
    for url, name in [
        ("/api/v2/images/", "ImageListing"),
        ("/api/v2/images/?fields=*", "ImageListing"),
        (f"/api/v2/images/{image.pk}/", "ImageDetail"),
        ("/api/v2/documents/", "DocumentListing"),
        (f"/api/v2/documents/{document.pk}/", "DocumentDetail"),
    ]:
        response = api_client.get(url)
        assert response.status_code == 200, url
        assert_valid(response.json(), component(name))


@pytest.mark.parametrize(
    ("url", "status", "path"),
    [
        ("/api/v2/pages/?bogus=1", 400, "/api/v2/pages/"),
        ("/api/v2/pages/?when=past", 400, "/api/v2/pages/"),
        ("/api/v2/pages/?type=cms.EventReportPage&date_from=28.10.2020", 400, "/api/v2/pages/"),
        ("/api/v2/pages/999999/", 404, "/api/v2/pages/{id}/"),
        ("/api/v2/pages/find/?html_path=/nav-tadas/", 404, "/api/v2/pages/find/"),
        ("/api/v2/people/1/?fields=name", 400, "/api/v2/people/{id}/"),
        ("/api/v2/contacts/?order=phone", 400, "/api/v2/contacts/"),
        ("/api/v2/images/999999/", 404, "/api/v2/images/{id}/"),
    ],
)
def test_errors_match_the_error_schema(api_client, demo_report, url, status, path):
    response = api_client.get(url)
    assert response.status_code == status
    assert_valid(response.json(), component("Error"))
    assert_valid(response.json(), documented_response_schema(path, str(status)))


@pytest.mark.parametrize(
    "fields",
    ["_", "-id", "-title", "-type,-detail_url", "_,title", "_,lead", "*", "hero_image(*)", "hero_image(_)", "-lead"],
)
def test_every_fields_value_conforms_to_the_schema(api_client, demo_report, fields):
    """fields= removes anything but what identifies an item; the schema requires exactly that."""
    for url, path in [
        (f"/api/v2/pages/{demo_report.pk}/?fields={fields}", "/api/v2/pages/{id}/"),
        (f"/api/v2/pages/?type=cms.EventReportPage&fields={fields}", "/api/v2/pages/"),
        (f"/api/v2/pages/?fields={fields.replace('lead', 'title')}", "/api/v2/pages/"),
    ]:
        if "hero_image" in fields and "type=" not in url and "{id}" not in path:
            continue  # a field of report pages only
        response = api_client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        data = response.json()
        assert_valid(data, documented_response_schema(path))
        for item in data.get("items", [data]):
            assert {"id", "meta"} <= set(item) and {"type", "detail_url"} <= set(item["meta"])


def test_images_conform_whatever_fields_says(api_client, db):
    ImageFactory()
    for fields in ("_", "-id", "-title,-width", "*"):
        response = api_client.get(f"/api/v2/images/?fields={fields}")
        assert response.status_code == 200, response.content
        assert_valid(response.json(), documented_response_schema("/api/v2/images/"))
        assert set(response.json()["items"][0]) >= {"id", "meta"}


def test_every_operation_documents_the_statuses_the_stack_answers():
    document = openapi_document()
    for path, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"400", "414", "431", "500"} <= set(responses), path
        for status, response in responses.items():
            response = _resolved(document, response)
            assert "X-Request-ID" in response.get("headers", {}), (path, status)
            if status in ("414", "431"):
                assert set(response["content"]) == {"text/html"}, (path, status)
            elif status[0] in "45":
                assert response["content"]["application/json"]["schema"] == {"$ref": f"{SCHEMAS}Error"}


def _resolved(document, response):
    if "$ref" in response:
        return document["components"]["responses"][response["$ref"].rsplit("/", 1)[1]]
    return response


@pytest.mark.parametrize(
    ("url", "headers", "status", "path"),
    [
        ("/api/v2/pages/", {"HTTP_ACCEPT": "text/html"}, 406, "/api/v2/pages/"),
        ("/api/v2/people/", {"HTTP_ACCEPT": "image/png"}, 406, "/api/v2/people/"),
        ("/api/v2/changes/?after=bogus", {}, 400, "/api/v2/changes/"),
        ("/api/v2/page_preview/", {}, 400, "/api/v2/page_preview/"),
    ],
)
def test_other_errors_match_their_documented_response(api_client, db, url, headers, status, path):
    response = api_client.get(url, **headers)
    assert response.status_code == status, response.content
    assert_valid(response.json(), documented_response_schema(path, str(status)))


def test_a_fault_matches_the_documented_500(db, monkeypatch):
    from api.endpoints.pages import PagesEndpoint

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(PagesEndpoint, "listing_view", boom)
    response = Client(HTTP_HOST="localhost", raise_request_exception=False).get("/api/v2/pages/")
    assert response.status_code == 500
    assert_valid(response.json(), documented_response_schema("/api/v2/pages/", "500"))


@pytest.mark.parametrize("path", ["/api/v2/pages/{id}/", "/api/v2/pages/", "/api/v2/people/{id}/"])
def test_conditional_requests_are_documented_and_answered(api_client, demo_report, path):
    url = path.replace("{id}", str(demo_ids()["person"] if "people" in path else demo_report.pk))
    first = api_client.get(url)
    documented_headers = operation(path)["responses"]["200"]["headers"]
    assert {"ETag", "Last-Modified", "Cache-Control"} <= set(documented_headers)
    assert {"ETag", "Last-Modified", "Cache-Control"} <= set(first.headers)
    again = api_client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "304" in operation(path)["responses"]


def test_find_redirects_as_documented(api_client, demo_report):
    response = api_client.get("/api/v2/pages/find/?html_path=/pasakumi/")
    assert response.status_code == 302
    assert "Location" in operation("/api/v2/pages/find/")["responses"]["302"]["headers"]
    target = resolve(urlsplit(response["Location"]).path)
    assert (target.url_name, target.kwargs["pk"]) == ("detail", demo_report.get_parent().pk)


# --- serving it ---------------------------------------------------------------------------------------------
def test_schema_endpoint_serves_the_document(api_client, db):
    response = api_client.get("/api/v2/schema/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == openapi_document()


class _AssetCollector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.assets = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.assets.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.assets.append(attrs["href"])


def test_docs_page_lists_everything_and_works_offline(api_client, db):
    response = api_client.get("/api/v2/docs/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    collector = _AssetCollector()
    collector.feed(page)
    assert not [url for url in collector.assets if url.startswith(("http://", "https://", "//"))]
    document = openapi_document()
    for path in document["paths"]:
        assert f"<code>{path}</code>" in page
    for field in stream_fields():
        for name in field.stream_block.child_blocks:
            assert f'id="schema-Block_{name}"' in page
    for parameter in ("date_from", "event_kind", "event_format", "organisation", "project", "topic", "If-None-Match"):
        assert f"<code>{parameter}</code>" in page
