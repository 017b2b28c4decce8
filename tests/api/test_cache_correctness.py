"""The response cache against what used to go wrong: every URL is requested (and cached) *before* the edit."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from wagtail.models import Collection, CollectionViewRestriction, PageViewRestriction

from api.cache import local_responses
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import PersonFactory
from tests.api.test_cache_oracle import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run a block of edits and then what follows their commit (the change log's announcements)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def private_collection(name="Iekšējie"):
    collection = Collection.get_first_root_node().add_child(name=name)
    restriction = CollectionViewRestriction(collection=collection, restriction_type=CollectionViewRestriction.LOGIN)
    return collection, restriction


def test_a_page_made_private_stops_being_served_at_once(api, commit):
    page = EventReportPageFactory(title="Drīz privāts")
    detail, listing = f"/api/v2/pages/{page.pk}/", "/api/v2/pages/?type=cms.EventReportPage"
    first = api.get(detail)
    assert first.status_code == 200 and "Drīz privāts" in api.get(listing).content.decode()

    with commit():
        PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)

    assert api.get(detail).status_code == 404
    assert api.get(detail, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404
    assert "Drīz privāts" not in api.get(listing).content.decode()


def test_a_section_moved_under_a_restriction_takes_its_grandchildren_with_it(api, commit):
    public_index = EventReportIndexPageFactory(slug="publiski")
    private_index = EventReportIndexPageFactory(slug="slepeni")
    with commit():
        PageViewRestriction.objects.create(page=private_index, restriction_type=PageViewRestriction.LOGIN)
    section = EventReportIndexPageFactory(parent=public_index, slug="sadala")
    grandchild = EventReportPageFactory(parent=section, title="Mazbērns")
    assert api.get(f"/api/v2/pages/{grandchild.pk}/").status_code == 200

    with commit():
        section.move(private_index, pos="last-child")

    assert api.get(f"/api/v2/pages/{grandchild.pk}/").status_code == 404
    assert "Mazbērns" not in api.get("/api/v2/pages/?type=cms.EventReportPage").content.decode()


def test_a_collection_made_private_hides_its_document_and_image_where_they_are_embedded(api, commit):
    collection = Collection.get_first_root_node().add_child(name="Drīz iekšēji")
    document = DocumentFactory(title="Prezentācija X", collection=collection)
    image = ImageFactory(title="Foto X", collection=collection)
    page = EventReportPageFactory(hero_image=image, body__0__document__document=document)
    detail = f"/api/v2/pages/{page.pk}/"
    text = api.get(detail).content.decode()
    assert "Prezentācija X" in text and "Foto X" in text

    with commit():
        CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=CollectionViewRestriction.LOGIN
        )

    data = api.get(detail).json()
    assert "Prezentācija X" not in str(data) and "Foto X" not in str(data)
    assert data["hero_image"] is None
    assert api.get(f"/api/v2/images/{image.pk}/").status_code == 404
    assert api.get(f"/api/v2/documents/{document.pk}/").status_code == 404


def test_images_of_private_collections_are_never_embedded(api, commit):
    with commit():
        collection, restriction = private_collection()
        restriction.save()
    image = ImageFactory(title="Slepens foto", collection=collection)
    person = PersonFactory(photo=image)
    page = EventReportPageFactory(hero_image=image, body__0__speaker__person=person)
    for url in (f"/api/v2/pages/{page.pk}/", "/api/v2/pages/?type=cms.EventReportPage", "/api/v2/people/"):
        assert "Slepens foto" not in api.get(url).content.decode(), url
    assert api.get(f"/api/v2/images/{image.pk}/").status_code == 404
    assert api.get("/api/v2/images/").json()["meta"]["total_count"] == 0


def test_unpublishing_or_renaming_a_page_refreshes_people_linking_to_it(api, publish, commit):
    index = EventReportIndexPageFactory()
    target = EventReportPageFactory(parent=index, title="Mērķis", slug="merkis")
    person = PersonFactory(bio=f'<p><a linktype="page" id="{target.pk}">ziņojums</a></p>')
    assert "/merkis/" in api.get("/api/v2/people/").content.decode()
    assert "/merkis/" in api.get(f"/api/v2/people/{person.pk}/").content.decode()

    target.slug = "jauns-merkis"
    publish(target)
    assert "/jauns-merkis/" in api.get(f"/api/v2/people/{person.pk}/").content.decode()

    with commit():
        target.unpublish()
    assert "merkis" not in api.get(f"/api/v2/people/{person.pk}/").content.decode()
    assert "merkis" not in api.get("/api/v2/people/").content.decode()


def test_moving_or_renaming_a_section_refreshes_pages_linking_into_it(api, publish, commit):
    index = EventReportIndexPageFactory(slug="pasakumi")
    section = EventReportIndexPageFactory(parent=index, slug="sadala", title="Sadaļa")
    deep = EventReportPageFactory(parent=section, slug="dzila")
    elsewhere = EventReportIndexPageFactory(parent=index, slug="cits")
    linking = EventReportPageFactory(
        parent=index, body__0__paragraph=f'<p><a linktype="page" id="{deep.pk}">saite</a></p>'
    )
    url = f"/api/v2/pages/{linking.pk}/"
    assert "/pasakumi/sadala/dzila/" in api.get(url).content.decode()

    section.slug = "nodala"
    publish(section)
    assert "/pasakumi/nodala/dzila/" in api.get(url).content.decode()

    with commit():
        section.refresh_from_db()
        section.move(elsewhere, pos="last-child")
    assert "/pasakumi/cits/nodala/dzila/" in api.get(url).content.decode()


def without_request_id(response):
    return {name: value for name, value in response.headers.items() if name.lower() != "x-request-id"}


def test_hits_and_misses_are_indistinguishable(api, settings):
    page = EventReportPageFactory()
    url = f"/api/v2/pages/{page.pk}/"
    miss, hit = api.get(url), api.get(url)
    assert miss.content == hit.content
    # Each request has its own id (api.errors); everything else is the same.
    assert miss["X-Request-ID"] != hit["X-Request-ID"]
    assert without_request_id(miss) == without_request_id(hit)
    for name in ("Content-Language", "X-Frame-Options", "Cache-Tag", "Surrogate-Key"):
        assert hit.has_header(name), name
    assert "Accept-Language" in hit["Vary"]

    # A revalidation answered by the view (nothing cached) and by the cache: the same 304.
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    validator = {"HTTP_IF_NONE_MATCH": hit["ETag"]}
    miss_304, hit_304 = api.get(url, **validator), api.get(url, **validator)
    assert miss_304.status_code == hit_304.status_code == 304
    assert without_request_id(miss_304) == without_request_id(hit_304)
    assert not hit_304.has_header("Cache-Tag")

    # Host validation, content negotiation: the same answer whether or not the response is cached.
    settings.ALLOWED_HOSTS = ["localhost"]
    assert api.get(url, HTTP_HOST="evil.example").status_code == 400
    assert api.get(url, HTTP_ACCEPT="text/html").status_code == 406
    assert api.get(url, HTTP_ACCEPT="application/json").status_code == 200
    assert api.get(url + "?format=api").status_code == 400  # no such representation: bad input (api.endpoints.base)


def test_query_string_noise_does_not_grow_the_cache(api):
    page = EventReportPageFactory()
    api.get(f"/api/v2/pages/{page.pk}/")
    cache = caches["api"]
    before = len(cache._cache)
    for n in range(50):
        assert api.get(f"/api/v2/pages/{page.pk}/?_={n}").status_code == 200
        assert api.get(f"/api/v2/pages/?search=x{n}").status_code == 200
    assert len(cache._cache) <= before + 2  # at most the listing's generation and the search's stamp
    # Renditions live in a cache of their own.
    assert caches["renditions"] is not cache


def test_responses_name_what_they_show_in_cache_tags(api):
    person = PersonFactory()
    image = ImageFactory()
    page = EventReportPageFactory(hero_image=image, body__0__speaker__person=person)
    tags = set(api.get(f"/api/v2/pages/{page.pk}/")["Cache-Tag"].split(","))
    assert {f"page-{page.pk}", f"person-{person.pk}", f"organisation-{person.organisation_id}"} <= tags
    assert f"image-{image.pk}" in tags
    listing = api.get("/api/v2/pages/?type=cms.EventReportPage")
    assert {"pages", f"page-{page.pk}"} <= set(listing["Surrogate-Key"].split(" "))
    assert "people" in api.get("/api/v2/people/")["Cache-Tag"].split(",")


def test_group_restrictions_count_as_private_too(api, commit):
    page = EventReportPageFactory(title="Grupai")
    api.get(f"/api/v2/pages/{page.pk}/")
    with commit():
        restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
        restriction.groups.add(Group.objects.create(name="Komanda"))
    assert api.get(f"/api/v2/pages/{page.pk}/").status_code == 404
    with commit():
        restriction.delete()
    assert api.get(f"/api/v2/pages/{page.pk}/").status_code == 200


def test_the_cache_middleware_must_be_last(settings):
    from api.checks import MIDDLEWARE, check_cache_middleware_is_last

    assert check_cache_middleware_is_last() == []
    settings.MIDDLEWARE = [MIDDLEWARE, *[name for name in settings.MIDDLEWARE if name != MIDDLEWARE]]
    assert [error.id for error in check_cache_middleware_is_last()] == ["api.E001"]


def test_a_new_image_file_reaches_the_reports_showing_it(api, settings, commit):
    from django.core.files.images import ImageFile

    from cms.factories.media import ImageFactory as Images

    image = Images(title="Foto")
    page = EventReportPageFactory(hero_image=image)
    url = f"/api/v2/pages/{page.pk}/"
    before = api.get(url).json()["hero_image"]
    replacement = Images.build(file__width=320, file__height=200).file
    with commit():
        # What the admin's image form does when a new file is uploaded.
        image.renditions.all().delete()
        image.file = ImageFile(replacement.file, name="jauns.jpg")
        image.width, image.height = 320, 200
        image.save()
    after = api.get(url)
    assert after.content == fresh(api, settings, url).content
    assert after.json()["hero_image"]["renditions"] != before["renditions"]


def test_a_collection_added_before_a_private_one_keeps_privacy_right(api, settings, commit):
    # Collections are sorted by name: a new one can take a private collection's path.
    root = Collection.get_first_root_node()
    with commit():
        public = root.add_child(name="Publiski")
        CollectionViewRestriction.objects.create(
            collection=root.add_child(name="Slēgti"), restriction_type=CollectionViewRestriction.LOGIN
        )
    image = ImageFactory(title="Publisks foto", collection=public)
    page = EventReportPageFactory(hero_image=image)
    url = f"/api/v2/pages/{page.pk}/"
    assert api.get(url).json()["hero_image"]["title"] == "Publisks foto"
    with commit():
        root.add_child(name="Arhīvs")  # sorts first: the others' paths move along
    assert api.get(url).content == fresh(api, settings, url).content
    assert api.get(url).json()["hero_image"]["title"] == "Publisks foto"
