"""The invariant of the response cache: a cached response always equals a fresh one.

Hypothesis drives random sequences of editor operations (publish, unpublish, rename, move, restrict, translate,
embed and remove; on pages, people, organisations, contact cards, images, documents and collections) against a
small site. Every public URL is requested before the first edit, so stale entries exist to be found; after each
edit, each URL is served through the cache and compared with the same request answered with no cache at all
(status and body). ``CMS_HYPOTHESIS_EXAMPLES`` sets how many sequences run (CI keeps it small).
"""

import json
import os

import pytest
from django.core.cache import caches
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction

from api.cache import local_responses
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory
from cms.factories.streams import ReportBodyFactory

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "8"))


class Rollback(Exception):
    pass


class World:
    """A report site with every kind of reference the API resolves."""

    def __init__(self, suffix=""):
        root = Collection.get_first_root_node()
        self.collection = root.add_child(name=f"Materiāli{suffix}")
        self.private_collection = root.add_child(name=f"Iekšēji{suffix}")
        CollectionViewRestriction.objects.create(collection=self.private_collection, restriction_type="login")
        self.photo = ImageFactory(title="Portrets", collection=self.collection)
        self.hero = ImageFactory(title="Galvenais foto", collection=self.collection)
        self.document = DocumentFactory(title="Prezentācija", collection=self.collection)
        self.organisation = OrganisationFactory(name="Biedrība", logo=ImageFactory(collection=self.collection))
        self.index = EventReportIndexPageFactory(title=f"Pasākumi{suffix}", slug=f"pasakumi{suffix}")
        self.section = EventReportIndexPageFactory(parent=self.index, title="Forumi", slug="forumi")
        self.archive = EventReportIndexPageFactory(parent=self.index, title="Arhīvs", slug="arhivs")
        self.linked = EventReportPageFactory(parent=self.section, title="Saistītais", slug="saistitais")
        self.person = PersonFactory(
            name="Runātāja",
            organisation=self.organisation,
            photo=self.photo,
            bio=f'<p><a linktype="page" id="{self.linked.pk}">ziņojums</a></p>',
        )
        self.card = ContactCardFactory(name="Kontaktpersona", organisation=self.organisation)
        self.report = EventReportPageFactory(
            parent=self.index,
            title="Ziņojums",
            slug="zinojums",
            hero_image=self.hero,
            body=self.full_body(),
            contacts__0__contact=self.card,
        )
        english = Locale.objects.get(language_code="en")
        self.english_report = self.report.copy_for_translation(english, copy_parents=True)
        self.english_report.save_revision().publish()
        self.pages = [self.index, self.section, self.archive, self.linked, self.report, self.english_report]

    def full_body(self):
        return ReportBodyFactory.stream(
            [
                ("speaker", {"person": self.person}),
                ("document", {"document": self.document}),
                ("paragraph", f'<p><a linktype="page" id="{self.linked.pk}">skat.</a></p>'),
            ]
        )

    def urls(self):
        urls = [
            "/api/v2/pages/",
            "/api/v2/pages/?type=cms.EventReportPage&fields=*",
            "/api/v2/pages/?type=cms.EventReportPage&locale=en",
            "/api/v2/people/",
            f"/api/v2/people/{self.person.pk}/",
            "/api/v2/organisations/",
            f"/api/v2/contacts/{self.card.pk}/",
            "/api/v2/contacts/",
            "/api/v2/documents/",
        ]
        return urls + [f"/api/v2/pages/{page.pk}/" for page in self.pages]

    def pages_urls(self):
        """What to compare when other worlds share the database: the detail of each of this world's pages."""
        return [f"/api/v2/pages/{page.pk}/" for page in self.pages] + [
            f"/api/v2/people/{self.person.pk}/",
            f"/api/v2/contacts/{self.card.pk}/",
        ]


def reload(page):
    return Page.objects.get(pk=page.pk).specific


def publish(obj):
    obj.save_revision().publish()


# --- operations: each takes the world and edits it as an editor would --------------------------------------
def edit_report_title(w):
    page = reload(w.report)
    page.title = page.title + " (labots)"
    publish(page)


def unpublish_linked(w):
    page = reload(w.linked)
    if page.live:
        page.unpublish()


def republish_linked(w):
    publish(reload(w.linked))


def rename_section(w):
    page = reload(w.section)
    page.slug = "forumi-2" if page.slug == "forumi" else "forumi"
    publish(page)


def move_linked(w):
    page = reload(w.linked)
    target = w.archive if page.get_parent().pk == w.section.pk else w.section
    page.move(reload(target), pos="last-child")


def move_section_under_archive(w):
    page = reload(w.section)
    target = w.archive if page.get_parent().pk == w.index.pk else w.index
    page.move(reload(target), pos="last-child")


def toggle_restriction(model, **target):
    restriction = model.objects.filter(**target).first()
    if restriction:
        restriction.delete()
    else:
        model.objects.create(restriction_type="login", **target)


def toggle_section_privacy(w):
    toggle_restriction(PageViewRestriction, page=w.section)


def toggle_report_privacy(w):
    toggle_restriction(PageViewRestriction, page=w.report)


def toggle_collection_privacy(w):
    toggle_restriction(CollectionViewRestriction, collection=w.collection)


def toggle_live(snippet):
    snippet.refresh_from_db()
    if snippet.live:
        snippet.unpublish()
    else:
        publish(snippet)


def rename_person(w):
    w.person.refresh_from_db()
    w.person.job_title = w.person.job_title + "!"
    publish(w.person)


def toggle_person(w):
    toggle_live(w.person)


def translate_person(w):
    english = Locale.objects.get(language_code="en")
    existing = type(w.person).objects.filter(translation_key=w.person.translation_key, locale=english).first()
    if existing is None:
        existing = w.person.copy_for_translation(english)
        existing.job_title = "Project manager"
        existing.save()
    publish(existing)


def rename_organisation(w):
    w.organisation.refresh_from_db()
    w.organisation.name = w.organisation.name + " B"
    publish(w.organisation)


def toggle_card(w):
    toggle_live(w.card)


def retitle_photo(w):
    w.photo.refresh_from_db()
    w.photo.title = w.photo.title + "*"
    w.photo.save()


def hide_hero_in_private_collection(w):
    w.hero.refresh_from_db()
    w.hero.collection = w.private_collection if w.hero.collection_id == w.collection.pk else w.collection
    w.hero.save()


def remove_speaker(w):
    page = reload(w.report)
    page.body = [block for block in page.body.raw_data if block["type"] != "speaker"]
    publish(page)


def embed_speaker_again(w):
    page = reload(w.report)
    page.body = w.full_body()
    publish(page)


OPERATIONS = [
    edit_report_title,
    unpublish_linked,
    republish_linked,
    rename_section,
    move_linked,
    move_section_under_archive,
    toggle_section_privacy,
    toggle_report_privacy,
    toggle_collection_privacy,
    rename_person,
    toggle_person,
    translate_person,
    rename_organisation,
    toggle_card,
    retitle_photo,
    hide_hero_in_private_collection,
    remove_speaker,
    embed_speaker_again,
]


NO_CACHE = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}


def fresh(api, settings, url):
    """The response with no cache at all: every lookup misses, nothing is kept, restrictions read anew."""
    if "nocache" not in settings.CACHES:
        settings.CACHES = {**settings.CACHES, "nocache": NO_CACHE}
    settings.CMS_API_CACHE = "nocache"
    local_responses.clear()
    try:
        response = api.get(url)
    finally:
        settings.CMS_API_CACHE = "api"
        local_responses.clear()
    return response


@pytest.fixture
def oracle_settings(settings):
    settings.CACHES = {**settings.CACHES, "nocache": NO_CACHE}
    return settings


def comparable(status_code, content):
    """The body, but for an error's request id: each request has its own (api.errors), cached or not."""
    if status_code >= 400:
        body = json.loads(content)
        body.pop("request_id", None)
        return body
    return content


def without_request_id(response):
    return comparable(response.status_code, response.content)


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=6))
def test_a_cached_response_always_equals_a_fresh_one(steps, api, oracle_settings, django_capture_on_commit_callbacks):
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    try:
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                world = World()
            urls = world.urls()
            for url in urls:
                api.get(url)  # cached before any edit
            for number, step in enumerate(steps, 1):
                with django_capture_on_commit_callbacks(execute=True):
                    step(world)
                for url in urls:
                    cached = api.get(url)
                    expected = fresh(api, oracle_settings, url)
                    where = f"after step {number} ({', '.join(s.__name__ for s in steps[:number])}): {url}"
                    assert cached.status_code == expected.status_code, where
                    assert without_request_id(cached) == without_request_id(expected), where
            raise Rollback
    except Rollback:
        pass
