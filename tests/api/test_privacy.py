"""Drafts, unpublished snippets, private pages and private documents never leak through the API."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from cms.factories.media import DocumentFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory, blocks_of_every_kind
from cms.factories.snippets import ContactCardFactory, PersonFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db


def every_endpoint(api, page=None):
    urls = [
        "/api/v2/pages/",
        "/api/v2/pages/?type=cms.EventReportPage&fields=*",
        "/api/v2/people/",
        "/api/v2/contacts/",
        "/api/v2/organisations/",
        "/api/v2/documents/",
    ]
    if page is not None:
        urls.append(f"/api/v2/pages/{page.pk}/")
    return "".join(api.get(url).content.decode() for url in urls)


def test_draft_page_and_draft_changes_are_not_served(api):
    index = EventReportIndexPageFactory()
    draft = EventReportPageFactory(parent=index, title="Melnraksts", live=False)
    live = EventReportPageFactory(parent=index, title="Publicēts")
    live.title = "Nepublicētas izmaiņas"
    live.save_revision()  # a draft revision of a live page

    assert api.get(f"/api/v2/pages/{draft.pk}/").status_code == 404
    text = every_endpoint(api, live)
    assert "Melnraksts" not in text and "Nepublicētas izmaiņas" not in text
    assert "Publicēts" in text


def test_unpublished_snippets_are_dropped_from_blocks_and_endpoints(api):
    hidden_person = PersonFactory(name="Slēpta Persona", live=False)
    hidden_card = ContactCardFactory(name="Slēpta Kontaktpersona", live=False)
    shown = PersonFactory(name="Redzama Persona")
    page = EventReportPageFactory(
        body=ReportBodyFactory.stream(
            [
                ("speaker", {"person": hidden_person}),
                ("speaker", {"person": shown}),
                ("talk", {"speakers": [{"person": hidden_person}, {"person": shown}], "title": "T"}),
            ]
        ),
        contacts__0__contact=hidden_card,
    )
    data = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert [block["type"] for block in data["body"]] == ["speaker", "talk"]
    assert [s["person"]["name"] for s in data["body"][1]["value"]["speakers"]] == ["Redzama Persona"]
    assert data["contacts"] == []
    text = every_endpoint(api, page)
    assert "Slēpta" not in text
    assert api.get(f"/api/v2/people/{hidden_person.pk}/").status_code == 404


def test_private_pages_are_hidden_even_from_logged_in_editors(api):
    index = EventReportIndexPageFactory()
    secret = EventReportPageFactory(parent=index, title="Slepena sapulce")
    PageViewRestriction.objects.create(page=secret, restriction_type=PageViewRestriction.LOGIN)
    linking = EventReportPageFactory(
        parent=index, body__0__paragraph=f'<p><a linktype="page" id="{secret.pk}">slepeni</a></p>'
    )
    editor = get_user_model().objects.create_superuser("editor", "e@example.org", "pw")
    api.force_login(editor)
    assert api.get(f"/api/v2/pages/{secret.pk}/").status_code == 404
    data = api.get(f"/api/v2/pages/{linking.pk}/").json()
    # The link text stays, the link to the private page does not.
    assert data["body"][0]["value"] == "<p><a>slepeni</a></p>"
    assert "Slepena sapulce" not in every_endpoint(api, linking)
    response = api.get(f"/api/v2/pages/{linking.pk}/")
    assert response["Cache-Control"] == "private, no-store"


def test_documents_in_private_collections_are_dropped(api):
    private = Collection.get_first_root_node().add_child(name="Iekšējie")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    secret = DocumentFactory(title="Iekšējais protokols", collection=private)
    public = DocumentFactory(title="Publiska prezentācija")
    page = EventReportPageFactory(
        body=ReportBodyFactory.stream(
            [
                ("document", {"document": secret}),
                ("document", {"document": public}),
                ("talk", {"speakers": [{"person": PersonFactory()}], "slides": secret, "title": "T"}),
                ("paragraph", f'<p><a linktype="document" id="{secret.pk}">protokols</a></p>'),
            ]
        )
    )
    data = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert [b["type"] for b in data["body"]] == ["document", "talk", "paragraph"]
    assert data["body"][0]["value"]["document"]["title"] == "Publiska prezentācija"
    assert data["body"][1]["value"]["slides"] is None
    assert data["body"][2]["value"] == "<p><a>protokols</a></p>"
    assert "Iekšējais protokols" not in every_endpoint(api, page)
    assert api.get(f"/api/v2/documents/{secret.pk}/").status_code == 404


def test_links_to_live_pages_point_at_the_front_end(api, settings):
    settings.CMS_FRONTEND_BASE_URL = "https://www.example.lv"
    index = EventReportIndexPageFactory()
    target = EventReportPageFactory(parent=index, slug="cits-pasakums")
    page = EventReportPageFactory(
        parent=index, body__0__paragraph=f'<p><a linktype="page" id="{target.pk}">cits</a></p>'
    )
    html = api.get(f"/api/v2/pages/{page.pk}/").json()["body"][0]["value"]
    assert html == (
        f'<p><a href="https://www.example.lv/pasakumi/cits-pasakums/" data-page-id="{target.pk}" '
        'data-page-type="cms.EventReportPage">cits</a></p>'
    )


def test_errors_reveal_nothing(api):
    draft = EventReportPageFactory(title="Slepenais melnraksts", live=False)
    response = api.get(f"/api/v2/pages/{draft.pk}/")
    assert response.status_code == 404
    body = json.loads(response.content)
    assert body == {"message": "not found", "request_id": response["X-Request-ID"]}


def test_large_streams_do_not_leak_either(api):
    hidden = PersonFactory(name="Neredzamais", live=False)
    blocks = blocks_of_every_kind(14) + [("speaker", {"person": hidden})]
    page = EventReportPageFactory(body=ReportBodyFactory.stream(blocks))
    assert "Neredzamais" not in api.get(f"/api/v2/pages/{page.pk}/").content.decode()


def test_media_are_read_without_their_collection_until_one_is_private(api, django_capture_on_commit_callbacks):
    """With no private collection the rule reads no collection, so images and documents are loaded without it;
    once one is private, the next response reads the collections and drops what is in it."""
    collection = Collection.get_first_root_node().add_child(name="Drīz iekšējie")
    document = DocumentFactory(title="Drīz iekšējs protokols", collection=collection)
    page = EventReportPageFactory(body=ReportBodyFactory.stream([("document", {"document": document})]))
    api.get(f"/api/v2/pages/{EventReportPageFactory(parent=page.get_parent()).pk}/")  # paths read once
    with CaptureQueriesContext(connection) as queries:
        data = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["body"][0]["value"]["document"]["title"] == "Drīz iekšējs protokols"
    assert not [query["sql"] for query in queries.captured_queries if "wagtailcore_collection" in query["sql"]]

    with django_capture_on_commit_callbacks(execute=True):
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )
    data = api.get(f"/api/v2/pages/{page.pk}/").json()
    assert data["body"] == []
    assert "Drīz iekšējs protokols" not in every_endpoint(api, page)
