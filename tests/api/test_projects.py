"""Projects, programmes and series: their public endpoint, their shape, and how the resolver loads them for
the reports that link them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from api import cache as api_cache
from api import shapes
from api.resolver import Resolver
from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import ProjectFactory
from cms.models import ChangeEvent, Project
from frontend_hooks import events, purge

pytestmark = pytest.mark.django_db

LISTING = "/api/v2/projects/"


@pytest.fixture
def english():
    return Locale.objects.get_or_create(language_code="en")[0]


def translate(obj, locale, live=True, **changes):
    """A copy of ``obj`` in ``locale`` (as wagtail-localize would make it), live or a draft."""
    copy = obj.copy_for_translation(locale)
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.live = live
    copy.save()
    return copy


def names(response):
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_listing_and_detail_give_the_shape_reports_embed(api):
    logo = ImageFactory()
    project = ProjectFactory(
        name="Pieaugušo izglītība laukos",
        kind="project",
        code="2020-1-LV01-KA204-077",
        funding_programme="Erasmus+",
        website="https://example.org/projekts/",
        logo=logo,
    )
    listing = api.get(LISTING).json()
    assert listing["meta"]["total_count"] == 1
    detail = api.get(f"{LISTING}{project.pk}/").json()
    assert listing["items"] == [detail]
    assert detail["meta"]["type"] == "cms.Project" and detail["meta"]["locale"] == "lv"
    assert detail["meta"]["detail_url"].endswith(f"{LISTING}{project.pk}/")
    assert {key: detail[key] for key in ("name", "kind", "code", "funding_programme", "website")} == {
        "name": "Pieaugušo izglītība laukos",
        "kind": "project",
        "code": "2020-1-LV01-KA204-077",
        "funding_programme": "Erasmus+",
        "website": "https://example.org/projekts/",
    }
    assert detail["logo"]["id"] == logo.pk and detail["logo"]["renditions"]["small"]["url"]
    assert (detail["id"], detail["fallback"]) == (project.pk, False)
    # The endpoint's item is the shared shape (what a report embeds) plus meta, nothing else.
    assert set(detail) - {"meta"} == set(shapes.Project.__annotations__)


def test_unpublished_projects_are_never_listed_or_found(api):
    ProjectFactory(name="Publicēts")
    draft = ProjectFactory(name="Melnraksts", live=False)
    assert names(api.get(LISTING)) == ["Publicēts"]
    assert names(api.get(f"{LISTING}?search=Melnraksts")) == []
    response = api.get(f"{LISTING}{draft.pk}/")
    assert response.status_code == 404
    assert "Melnraksts" not in response.content.decode()


def test_kind_filters_and_an_unknown_kind_is_a_400(api):
    ProjectFactory(name="LEADER", kind="programme")
    ProjectFactory(name="Uzņēmēju forumi", kind="series")
    ProjectFactory(name="Zaļie ciemi", kind="project")
    assert names(api.get(f"{LISTING}?kind=series")) == ["Uzņēmēju forumi"]
    assert names(api.get(f"{LISTING}?kind=programme")) == ["LEADER"]
    assert names(api.get(LISTING)) == ["LEADER", "Uzņēmēju forumi", "Zaļie ciemi"]
    for bad in ("funder", "", "SERIES"):
        response = api.get(f"{LISTING}?kind={bad}")
        assert response.status_code == 400, bad
        assert "kind must be one of: project, programme, series" in response.json()["message"]


def test_search_matches_name_code_and_funding_programme(api):
    ProjectFactory(name="Zaļie ciemi", code="LV-LT-123", funding_programme="Interreg Latvija–Lietuva")
    ProjectFactory(name="Digitālās prasmes", code="2021-KA2-9", funding_programme="Erasmus+")
    assert names(api.get(f"{LISTING}?search=zaļie")) == ["Zaļie ciemi"]
    assert names(api.get(f"{LISTING}?search=ka2")) == ["Digitālās prasmes"]
    assert names(api.get(f"{LISTING}?search=interreg")) == ["Zaļie ciemi"]
    assert names(api.get(f"{LISTING}?search=nekas")) == []


def test_other_parameters_are_refused(api):
    project = ProjectFactory()
    assert api.get(f"{LISTING}?acronym=x").status_code == 400
    assert api.get(f"{LISTING}?order=code").status_code == 400
    assert api.get(f"{LISTING}{project.pk}/?kind=project").status_code == 400


def test_locale_filters_and_each_version_is_shown_as_it_is(api, english):
    source = ProjectFactory(name="Uzņēmēju forumi", kind="series", funding_programme="LEADER")
    translation = translate(source, english, name="Entrepreneurs' forums")
    translate(ProjectFactory(name="Tikai melnrakstā tulkots"), english, live=False, name="Draft translation")

    english_items = api.get(f"{LISTING}?locale=en").json()["items"]
    assert [(item["name"], item["locale"], item["fallback"]) for item in english_items] == [
        ("Entrepreneurs' forums", "en", False)
    ]
    assert english_items[0]["kind"] == "series"  # kind and code are the same in every language
    assert names(api.get(f"{LISTING}?locale=lv")) == ["Tikai melnrakstā tulkots", "Uzņēmēju forumi"]
    detail = api.get(f"{LISTING}{translation.pk}/").json()
    assert (detail["meta"]["locale"], detail["locale"], detail["fallback"]) == ("en", "en", False)
    assert api.get(f"{LISTING}?locale=xx").status_code == 400


def test_listing_queries_do_not_grow_with_projects(api):
    def listing_queries():
        url = f"{LISTING}?limit=20"
        api_cache.bump(api_cache.SNIPPETS)
        api.get(url)  # renditions are made once per image and size, on first use
        api_cache.bump(api_cache.SNIPPETS)  # the response cache only: what is bounded is every request after
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        return len(queries), response.json()["items"]

    for _ in range(2):
        ProjectFactory(logo=ImageFactory())
    few, _items = listing_queries()
    for _ in range(10):
        ProjectFactory(logo=ImageFactory())
    many, items = listing_queries()
    assert len(items) == 12 and all(item["logo"]["srcset"] for item in items)
    assert many == few, (few, many)


def test_a_published_project_tells_receivers_and_purges_its_urls(publish):
    project = ProjectFactory(live=False)
    report = EventReportPageFactory()
    report.projects.create(project=project, position=2, locale=report.locale)
    report.save()
    publish(project)
    event = ChangeEvent.objects.filter(object_type="cms.project").latest("id")
    assert events.webhook_type(event) == "project.published"
    assert events.api_url(event).endswith(f"{LISTING}{project.pk}/")
    urls, tags = purge.purge_targets(event)
    api_urls = {url.split("/api/v2", 1)[-1] for url in urls if "/api/v2/" in url}
    assert {"/projects/", f"/projects/{project.pk}/", f"/pages/{report.pk}/"} <= api_urls
    assert {"projects", f"project-{project.pk}"} <= set(tags)
    project.refresh_from_db()  # the publish went through a copy made from the revision
    project.unpublish()
    assert events.webhook_type(ChangeEvent.objects.latest("id")) == "project.unpublished"


# --- the resolver, as reports use it ---------------------------------------------------------------------
def with_renditions(image):
    """Renditions are made once per image and size, on first use; the resolver's bound is for every use after."""
    shapes.image(image)
    return image


def test_the_resolver_shows_a_project_in_the_response_language_with_fallback(english):
    logo = with_renditions(ImageFactory())
    translated = ProjectFactory(name="Zaļie ciemi", logo=logo)
    english_copy = translate(translated, english, name="Green villages")
    untranslated = ProjectFactory(name="Digitālās prasmes")
    draft_translation = ProjectFactory(name="Kopienu centri")
    translate(draft_translation, english, live=False, name="Community centres")
    unpublished = ProjectFactory(name="Nepublicēts", live=False)

    resolver = Resolver(language="en")
    for project in (translated, untranslated, draft_translation, unpublished):
        resolver.want("cms.project", project.pk)
    with CaptureQueriesContext(connection) as queries:
        resolver.resolve()
    # One query per model whatever the number of projects: projects, their live translations, the logos, their
    # renditions; and, read once per generation of the cache (this is the test's first request), the collection
    # restrictions that say whether a logo is public and the site's locales (api.locales).
    assert len(queries) <= 6, [query["sql"][:90] for query in queries.captured_queries]

    with CaptureQueriesContext(connection) as queries:
        shown = {pk: shapes.project(resolver.get("cms.project", pk)) for pk in (translated.pk, untranslated.pk)}
        shown[draft_translation.pk] = shapes.project(resolver.get(Project, draft_translation.pk))
    assert len(queries) == 0, [query["sql"] for query in queries.captured_queries]
    assert (shown[translated.pk]["id"], shown[translated.pk]["name"]) == (english_copy.pk, "Green villages")
    assert (shown[translated.pk]["locale"], shown[translated.pk]["fallback"]) == ("en", False)
    assert shown[translated.pk]["logo"]["id"] == logo.pk  # the logo is synchronised, loaded with the rest
    assert (shown[untranslated.pk]["locale"], shown[untranslated.pk]["fallback"]) == ("lv", True)
    # A translation saved only as a draft is not public: the source language stands in.
    assert (shown[draft_translation.pk]["name"], shown[draft_translation.pk]["fallback"]) == ("Kopienu centri", True)
    assert resolver.get("cms.project", unpublished.pk) is None


def test_an_adopted_project_is_kept_and_its_logo_loaded():
    project = ProjectFactory(logo=with_renditions(ImageFactory()))
    resolver = Resolver(language="lv")
    resolver.adopt("cms.project", Project.objects.select_related("locale").get(pk=project.pk))
    resolver.resolve()
    with CaptureQueriesContext(connection) as queries:
        shape = shapes.project(resolver.get("cms.project", project.pk))
    assert len(queries) == 0
    assert shape["logo"]["renditions"]["thumbnail"]["url"] and shape["fallback"] is False
    # An unpublished project, even one at hand, is dropped.
    hidden = ProjectFactory(live=False)
    resolver = Resolver(language="lv")
    resolver.adopt("cms.project", Project.objects.select_related("locale").get(pk=hidden.pk))
    resolver.resolve()
    assert resolver.get("cms.project", hidden.pk) is None
