"""HTTP caching (ETag, Last-Modified, 304, Cache-Control) and server-side invalidation on publish."""

import pytest

from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory
from cms.models import EventReportPage

pytestmark = pytest.mark.django_db


def test_detail_has_validators_and_answers_conditional_requests(api, settings):
    settings.CMS_API_MAX_AGE = 120
    page = EventReportPageFactory()
    page.save_revision().publish()
    url = f"/api/v2/pages/{page.pk}/"
    first = api.get(url)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and last_modified.endswith("GMT")
    assert first["Cache-Control"] == "public, max-age=120"

    not_modified = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Cache-Control"] == "public, max-age=120"
    assert api.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200

    # An exact ETag, a list and a weak validator all get the same 304, with the headers RFC 9110 asks to repeat.
    for validator in (etag, f'"other", W/{etag}', "*"):
        response = api.get(url, HTTP_IF_NONE_MATCH=validator)
        assert response.status_code == 304, validator
        headers = {name: response.get(name) for name in ("ETag", "Last-Modified", "Cache-Control", "Vary")}
        assert headers == {
            "ETag": etag,
            "Last-Modified": last_modified,
            "Cache-Control": "public, max-age=120",
            "Vary": "Cookie, Accept-Language, Origin",
        }, validator
    # If-Match is evaluated first (RFC 9110 section 13.2.2): a failed one is a 412 even with a matching ETag.
    assert api.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MATCH='"other"').status_code == 412
    assert api.get(url, HTTP_IF_NONE_MATCH=etag, HTTP_IF_MATCH=etag).status_code == 304


def test_listings_and_snippets_have_validators_too(api):
    PersonFactory()
    for url in ("/api/v2/pages/?type=cms.EventReportPage", "/api/v2/people/", "/api/v2/contacts/"):
        response = api.get(url)
        assert response.status_code == 200 and response["ETag"]
        assert api.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_publishing_an_embedded_person_refreshes_the_report(api, publish):
    person = PersonFactory(name="Regita Zeiļa", job_title="Projektu vadītāja")
    page = EventReportPageFactory(body__0__speaker__person=person)
    url = f"/api/v2/pages/{page.pk}/"
    etag = api.get(url)["ETag"]

    person.job_title = "Direktore"
    publish(person)

    response = api.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response.json()["body"][0]["value"]["person"]["job_title"] == "Direktore"


def test_unpublishing_a_contact_card_drops_it(api, django_capture_on_commit_callbacks):
    card = ContactCardFactory(name="Maija Hartmane")
    card.save_revision().publish()
    page = EventReportPageFactory(contacts__0__contact=card)
    url = f"/api/v2/pages/{page.pk}/"
    assert api.get(url).json()["contacts"][0]["value"]["name"] == "Maija Hartmane"
    with django_capture_on_commit_callbacks(execute=True):
        card.unpublish()
    assert api.get(url).json()["contacts"] == []
    assert api.get("/api/v2/contacts/").json()["meta"]["total_count"] == 0


def test_an_organisation_change_reaches_reports_through_people(api, publish):
    organisation = OrganisationFactory(name="Biedrība A")
    person = PersonFactory(organisation=organisation)
    page = EventReportPageFactory(body__0__speaker__person=person)
    url = f"/api/v2/pages/{page.pk}/"
    assert api.get(url).json()["body"][0]["value"]["person"]["organisation"]["name"] == "Biedrība A"
    organisation.name = "Biedrība B"
    publish(organisation)
    assert api.get(url).json()["body"][0]["value"]["person"]["organisation"]["name"] == "Biedrība B"


def test_an_image_change_reaches_reports(api, django_capture_on_commit_callbacks):
    image = ImageFactory(title="Vecs nosaukums")
    page = EventReportPageFactory(hero_image=image)
    url = f"/api/v2/pages/{page.pk}/"
    assert api.get(url).json()["hero_image"]["title"] == "Vecs nosaukums"
    with django_capture_on_commit_callbacks(execute=True):
        image.title = "Jauns nosaukums"
        image.save()
    assert api.get(url).json()["hero_image"]["title"] == "Jauns nosaukums"


def test_publishing_a_page_refreshes_listings_and_linking_pages(api, publish):
    index = EventReportIndexPageFactory()
    target = EventReportPageFactory(parent=index, title="Vecais virsraksts")
    linking = EventReportPageFactory(
        parent=index, body__0__paragraph=f'<p><a linktype="page" id="{target.pk}">saite</a></p>'
    )
    listing = "/api/v2/pages/?type=cms.EventReportPage&fields=title"
    assert "Vecais virsraksts" in api.get(listing).content.decode()
    before = api.get(f"/api/v2/pages/{linking.pk}/")["ETag"]

    target.title = "Jaunais virsraksts"
    target.slug = "jaunais-virsraksts"
    publish(target)

    assert "Jaunais virsraksts" in api.get(listing).content.decode()
    after = api.get(f"/api/v2/pages/{linking.pk}/")
    assert after["ETag"] != before
    assert "/jaunais-virsraksts/" in after.json()["body"][0]["value"]


def test_unpublishing_a_page_removes_it(api, django_capture_on_commit_callbacks):
    page = EventReportPageFactory()
    url = f"/api/v2/pages/{page.pk}/"
    assert api.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        page.unpublish()
    assert api.get(url).status_code == 404
    assert api.get("/api/v2/pages/?type=cms.EventReportPage").json()["meta"]["total_count"] == 0


def test_a_session_cookie_makes_responses_private(api):
    page = EventReportPageFactory()
    api.cookies["sessionid"] = "anything"
    assert api.get(f"/api/v2/pages/{page.pk}/")["Cache-Control"] == "private, no-store"


def test_a_fallback_snippet_change_reaches_pages_in_other_languages(api, publish):
    from wagtail.models import Locale
    from wagtail_localize.operations import translate_object

    from cms.models import Person

    person = PersonFactory(job_title="Direktore")
    person.save_revision().publish()
    translate_object(person, [Locale.objects.get(language_code="en")])  # an English draft only
    english_person = Person.objects.get(translation_key=person.translation_key, locale__language_code="en")
    english_page = EventReportPageFactory(
        locale=Locale.objects.get(language_code="en"), body__0__speaker__person=english_person
    )
    url = f"/api/v2/pages/{english_page.pk}/"
    shown = api.get(url).json()["body"][0]["value"]["person"]
    assert (shown["job_title"], shown["fallback"]) == ("Direktore", True)
    person.job_title = "Valdes locekle"
    publish(person)
    assert api.get(url).json()["body"][0]["value"]["person"]["job_title"] == "Valdes locekle"


def test_cache_hit_routes_are_remembered_per_path_and_bounded(api, monkeypatch):
    from api import middleware

    monkeypatch.setattr(middleware, "_routes", {})
    monkeypatch.setattr(middleware, "MAX_ROUTES", 2)
    page = EventReportPageFactory()
    page.save_revision().publish()
    detail = middleware._route(f"/api/v2/pages/{page.pk}/")
    assert detail[1:] == ("detail_view", {"pk": page.pk})
    assert middleware._route("/api/v2/pages/")[1] == "listing_view"
    assert middleware._route("/api/v2/schema/") is None  # not a cacheable endpoint
    assert len(middleware._routes) <= 2
    # Whatever the table holds, answers stay right.
    assert api.get(f"/api/v2/pages/{page.pk}/").json()["id"] == page.pk
    assert api.get("/api/v2/pages/999999/").status_code == 404
    assert api.get("/api/v2/pages/999999/")["Content-Type"] == "application/json"


def test_what_a_report_links_becomes_non_public_while_cached(api, django_capture_on_commit_callbacks):
    """Issue 12's links (a related report, a project, the byline's organisation) leave a cached report as soon as
    they stop being public: no stale copy keeps showing them."""
    from wagtail.models import PageViewRestriction

    from cms.factories.snippets import ProjectFactory

    index = EventReportIndexPageFactory()
    earlier = EventReportPageFactory(parent=index, title="Pirmā tikšanās")
    later = EventReportPageFactory(parent=index, title="Trešā tikšanās")
    project = ProjectFactory(name="Kopā")
    organisation = OrganisationFactory(name="Biedrība A")
    page = EventReportPageFactory(
        parent=index, author_name="Maija Hartmane", author_organisation=organisation, title="Otrā tikšanās"
    )
    page.related_events.create(locale=page.locale, relation="previous", report=earlier)
    page.related_events.create(locale=page.locale, relation="next", report=later)
    page.projects.create(locale=page.locale, project=project)
    page.save_revision().publish()
    url = f"/api/v2/pages/{page.pk}/"

    data = api.get(url).json()
    assert [r["report"]["title"] for r in data["related_events"]] == ["Pirmā tikšanās", "Trešā tikšanās"]
    assert [p["project"]["name"] for p in data["projects"]] == ["Kopā"]
    assert data["byline"]["organisation"]["name"] == "Biedrība A"
    # Served from the cache from here on: a change that goes round the CMS's signals is not seen.
    EventReportPage.objects.filter(pk=page.pk).update(lead="Mainīts garām CMS")
    assert api.get(url).json()["lead"] == data["lead"]

    with django_capture_on_commit_callbacks(execute=True):
        earlier.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=later, restriction_type=PageViewRestriction.LOGIN)
    with django_capture_on_commit_callbacks(execute=True):
        project.unpublish()
    with django_capture_on_commit_callbacks(execute=True):
        organisation.unpublish()

    data = api.get(url).json()
    assert data["related_events"] == []  # neither has a name to show without its report
    assert data["projects"] == []
    assert data["byline"] == {"name": "Maija Hartmane", "position": "", "organisation": None}
    body = api.get(url).content.decode()
    for hidden in ("Pirmā tikšanās", "Trešā tikšanās", "Kopā", "Biedrība A"):
        assert hidden not in body
