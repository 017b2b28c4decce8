"""No existence oracle: what the API does not show answers exactly like what does not exist.

Reproduced before the fix: ``?person=<id of an unpublished person>`` listed the reports naming them while an
unknown id listed none, so unpublished people and organisations could be enumerated. For every filter, detail
view and lookup by id or path, the response for a non-public object (a snippet never published or unpublished, a
draft or restricted page, a private image or document) equals the response for an id that was never used: same
status, same headers that describe the body, same body (apart from the request id every error carries).
"""

import json
import os

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction

from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import (
    ContactCardFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    TopicFactory,
)
from cms.factories.streams import ReportBodyFactory
from cms.models import EventOrganiser, EventProject

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_EXAMPLES", "8"))

REPORTS = "/api/v2/pages/?type=cms.EventReportPage&fields=title"
MISSING = 987654321  # an id no object has
COMPARED_HEADERS = ("Content-Type", "Cache-Control", "ETag", "Last-Modified", "Content-Language")


def answer(api, url):
    """What a client learns from a response: status, the headers about its body, and the body (an error's
    request id differs on every request and says nothing about the object)."""
    response = api.get(url)
    body = response.content
    if response["Content-Type"].startswith("application/json"):
        data = json.loads(body)
        if isinstance(data, dict):
            data.pop("request_id", None)
        body = data
    headers = {name: response.get(name) for name in COMPARED_HEADERS}
    return response.status_code, headers, body


def assert_same(api, hidden_url, missing_url):
    hidden, missing = answer(api, hidden_url), answer(api, missing_url)
    assert hidden == missing, f"{hidden_url} answers differently from {missing_url}"
    assert hidden[0] < 500, hidden


def titles(api, query):
    response = api.get(f"{REPORTS}&{query}")
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["items"]]


def unpublished(factory, **kwargs):
    """A snippet that was published once, then unpublished (``live=False`` with a live revision behind it)."""
    obj = factory(live=False, **kwargs)
    obj.save_revision().publish()
    obj.refresh_from_db()  # the publish worked on a copy made from the revision
    obj.unpublish()
    assert not type(obj).objects.get(pk=obj.pk).live
    return obj


class Named:
    """A live report naming, in every way a filter reads, objects that are public, never published and
    unpublished."""

    def __init__(self):
        self.index = EventReportIndexPageFactory()
        self.people = {"live": PersonFactory(), "draft": PersonFactory(live=False), "unpublished": None}
        self.people["unpublished"] = unpublished(PersonFactory)
        self.organisations = {
            "live": OrganisationFactory(),
            "draft": OrganisationFactory(live=False),
            "unpublished": unpublished(OrganisationFactory),
        }
        # An organisation named only in a speaker block (the reference index), not among the organisers.
        self.speaker_organisations = {
            "live": OrganisationFactory(),
            "draft": OrganisationFactory(live=False),
            "unpublished": unpublished(OrganisationFactory),
        }
        self.projects = {
            "live": ProjectFactory(),
            "draft": ProjectFactory(live=False),
            "unpublished": unpublished(ProjectFactory),
        }
        self.topics = {
            "live": TopicFactory(slug="dzivs"),
            "draft": TopicFactory(slug="melnraksts", live=False),
            "unpublished": unpublished(TopicFactory, slug="nepublicets"),
        }
        body = []
        for state in ("live", "draft", "unpublished"):
            body.append(("speaker", {"person": self.people[state], "organisation": self.speaker_organisations[state]}))
        self.report = EventReportPageFactory(parent=self.index, title="Ziņojums", body=ReportBodyFactory.stream(body))
        for organisation in self.organisations.values():
            EventOrganiser.objects.create(page=self.report, organisation=organisation)
        for project in self.projects.values():
            EventProject.objects.create(page=self.report, project=project)
        self.report.topics.set(self.topics.values())
        self.report.save_revision().publish()

    def queries(self, state):
        """Each filter, by the object in ``state`` ("live", "draft", "unpublished") or by a missing one."""

        def pk(objects):
            return objects[state].pk if state != "missing" else MISSING

        return {
            "person": f"person={pk(self.people)}",
            "organisation": f"organisation={pk(self.organisations)}",
            "speaker_organisation": f"organisation={pk(self.speaker_organisations)}",
            "project": f"project={pk(self.projects)}",
            "topic": f"topic={self.topics[state].slug if state != 'missing' else 'neesosa-tema'}",
        }


@pytest.fixture
def site(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return Named()


def test_the_filters_find_the_report_through_public_objects(api, site):
    for name, query in site.queries("live").items():
        assert titles(api, query) == ["Ziņojums"], name
        assert titles(api, f"{query}&search=Ziņojums") == ["Ziņojums"], name


@pytest.mark.parametrize("state", ["draft", "unpublished"])
@pytest.mark.parametrize("extra", ["", "&search=Ziņojums", "&locale=lv&order=-start_date"])
def test_a_non_public_object_filters_like_a_missing_one(api, site, state, extra):
    missing = site.queries("missing")
    for name, query in site.queries(state).items():
        assert titles(api, query + extra) == [], name
        assert_same(api, f"{REPORTS}&{query}{extra}", f"{REPORTS}&{missing[name]}{extra}")


def test_a_draft_edit_naming_someone_does_not_make_the_report_match(api, site, django_capture_on_commit_callbacks):
    newcomer = PersonFactory()
    page = Page.objects.get(pk=site.report.pk).specific
    page.body = ReportBodyFactory.stream([("speaker", {"person": newcomer})])
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision()  # a draft of the live report
    assert titles(api, f"person={newcomer.pk}") == []
    assert titles(api, f"person={site.people['live'].pk}") == ["Ziņojums"]
    with django_capture_on_commit_callbacks(execute=True):
        page.get_latest_revision().publish()
    assert titles(api, f"person={newcomer.pk}") == ["Ziņojums"]


@pytest.mark.parametrize(
    ("endpoint", "factory"),
    [
        ("people", PersonFactory),
        ("organisations", OrganisationFactory),
        ("contacts", ContactCardFactory),
        ("projects", ProjectFactory),
    ],
)
def test_snippet_detail_of_a_non_public_snippet_is_a_plain_404(api, endpoint, factory):
    draft, gone = factory(live=False), unpublished(factory)
    shown = factory()
    assert api.get(f"/api/v2/{endpoint}/{shown.pk}/").status_code == 200
    for hidden in (draft, gone):
        assert api.get(f"/api/v2/{endpoint}/{hidden.pk}/").status_code == 404
        assert_same(api, f"/api/v2/{endpoint}/{hidden.pk}/", f"/api/v2/{endpoint}/{MISSING}/")


@pytest.fixture
def pages(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        index = EventReportIndexPageFactory(slug="pasakumi")
        live = EventReportPageFactory(parent=index, title="Publicēts", slug="publicets")
        draft = EventReportPageFactory(parent=index, title="Melnraksts", slug="melnraksts", live=False)
        restricted = EventReportIndexPageFactory(parent=index, title="Slēgts", slug="slegts")
        inside = EventReportPageFactory(parent=restricted, title="Iekšā", slug="ieksa")
        PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
        english = Locale.objects.get_or_create(language_code="en")[0]
        # A draft translation of the live report, and a live translation of the draft one.
        draft_translation = live.copy_for_translation(english, copy_parents=True)
        assert not draft_translation.live
        translated_draft = draft.copy_for_translation(english, copy_parents=True)
        translated_draft.save_revision().publish()
    return {
        "index": index,
        "live": live,
        "draft": draft,
        "restricted": restricted,
        "inside": inside,
        "draft_translation": Page.objects.get(pk=draft_translation.pk),
        "translated_draft": translated_draft,
    }


def test_page_detail_and_find_of_a_hidden_page_are_plain_404s(api, pages):
    assert api.get(f"/api/v2/pages/{pages['live'].pk}/").status_code == 200
    for name in ("draft", "restricted", "inside", "draft_translation"):
        assert_same(api, f"/api/v2/pages/{pages[name].pk}/", f"/api/v2/pages/{MISSING}/")
    assert api.get("/api/v2/pages/find/?html_path=/pasakumi/publicets/").status_code == 302
    missing = "/api/v2/pages/find/?html_path=/pasakumi/neesoss/"
    for path in ("/pasakumi/melnraksts/", "/pasakumi/slegts/", "/pasakumi/slegts/ieksa/", "/en/pasakumi/publicets/"):
        assert_same(api, f"/api/v2/pages/find/?html_path={path}", missing)


@pytest.mark.parametrize("name", ["child_of", "descendant_of", "ancestor_of", "translation_of"])
def test_tree_filters_by_a_hidden_page_answer_like_a_missing_one(api, pages, name):
    live_answer = api.get(f"/api/v2/pages/?{name}={pages['index'].pk}")
    assert live_answer.status_code == 200, live_answer.content
    for hidden in ("draft", "restricted", "inside", "draft_translation"):
        for extra in ("", "&locale=en", "&locale=lv"):
            assert_same(
                api, f"/api/v2/pages/?{name}={pages[hidden].pk}{extra}", f"/api/v2/pages/?{name}={MISSING}{extra}"
            )


def test_translation_of_a_draft_page_reveals_neither_it_nor_its_translations(api, pages):
    # The live English translation of a page that is a draft in Latvian: asking through the draft's id must not
    # find it (nor say that the draft exists).
    response = api.get(f"/api/v2/pages/?translation_of={pages['draft'].pk}&locale=en")
    assert response.status_code == 400
    assert_same(
        api,
        f"/api/v2/pages/?translation_of={pages['draft'].pk}&locale=en",
        f"/api/v2/pages/?translation_of={MISSING}&locale=en",
    )


@pytest.mark.parametrize(
    "value",
    [
        "auth.User",  # a model, not a page type
        "cms.Person",  # a snippet
        "wagtailcore.Revision",
        "cms.eventreportpage,auth.User",
        "cms.",
        ".",
        ",",
        "cms.EventReportPage,,",
        "ā.ā",
        "a.b.c",
        "x" * 300,
        "cms.EventReportPage.extra",
    ],
)
def test_odd_types_are_json_400s_that_say_nothing_of_which_models_exist(api, pages, value):
    assert_same(api, f"/api/v2/pages/?type={value}", "/api/v2/pages/?type=cms.NoSuchPage")
    assert api.get(f"/api/v2/pages/?type={value}").status_code == 400


@pytest.mark.parametrize(("endpoint", "factory"), [("images", ImageFactory), ("documents", DocumentFactory)])
def test_private_media_detail_is_a_plain_404(api, endpoint, factory):
    private = Collection.get_first_root_node().add_child(name="Iekšējie")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    hidden = factory(collection=private)
    assert api.get(f"/api/v2/{endpoint}/{factory().pk}/").status_code == 200
    assert_same(api, f"/api/v2/{endpoint}/{hidden.pk}/", f"/api/v2/{endpoint}/{MISSING}/")


# --- random publish/unpublish sequences ------------------------------------------------------------------
class Rollback(Exception):
    pass


def toggle(obj):
    obj.refresh_from_db()
    if obj.live:
        obj.unpublish()
    else:
        obj.save_revision().publish()


SUBJECTS = ["person", "organisation", "speaker_organisation", "project", "topic"]


def subject(site, name):
    return {
        "person": site.people,
        "organisation": site.organisations,
        "speaker_organisation": site.speaker_organisations,
        "project": site.projects,
        "topic": site.topics,
    }[name]["live"]


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(SUBJECTS), min_size=1, max_size=6))
def test_after_any_publish_and_unpublish_sequence_only_public_objects_match(
    steps, api, django_capture_on_commit_callbacks
):
    try:
        with transaction.atomic():
            with django_capture_on_commit_callbacks(execute=True):
                site = Named()
            missing = site.queries("missing")
            for query in site.queries("live").values():
                api.get(f"{REPORTS}&{query}")  # cached before the first change
            for step in steps:
                with django_capture_on_commit_callbacks(execute=True):
                    toggle(subject(site, step))
                for name, query in site.queries("live").items():
                    obj = subject(site, name)
                    obj.refresh_from_db()
                    if obj.live:
                        assert titles(api, query) == ["Ziņojums"], (steps, name)
                    else:
                        assert_same(api, f"{REPORTS}&{query}", f"{REPORTS}&{missing[name]}")
            raise Rollback
    except Rollback:
        pass
