"""Headless preview: tokens that expire, bound to one snapshot; JSON of the live API's shape; drafts of
referenced snippets in preview only; never live content in place of a bad token."""

import datetime
import re
import time
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import GroupPagePermission, Locale

from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory, ProjectFactory
from cms.models import EventReportPage, GroupLocalePermission, PreviewSnapshot, preview

pytestmark = pytest.mark.django_db

PAGE_PREVIEW = "/api/v2/page_preview/"
SNIPPET_PREVIEW = "/api/v2/snippet_preview/"


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def report(publish):
    person = PersonFactory(name="Anita Ludborža", job_title="Deputāte", organisation=OrganisationFactory())
    page = EventReportPageFactory(title="Forums", body__0__speaker__person=person)
    publish(page)
    return EventReportPage.objects.get(pk=page.pk)


def hand_off(obj, user):
    """What the admin's preview frame gets: the front-end preview URL (and its query) out of the bar."""
    request = RequestFactory().get("/")
    request.user = user
    response = preview.hand_off(obj, request)
    response.render()
    url = re.search(r'id="preview-link"[^>]*value="([^"]+)"', response.content.decode()).group(1).replace("&amp;", "&")
    return response, url


def query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def assert_private(response):
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_front_end_gets_the_draft_in_the_live_shape(api, report, editor):
    report.lead = "Jauns ievads, vēl nepublicēts."
    response, url = hand_off(report, editor)
    assert_private(response)
    assert url.startswith("http://127.0.0.1:3000/preview?")
    params = query(url)
    assert params["content_type"] == "cms.eventreportpage"

    previewed = api.get(PAGE_PREVIEW, params)
    live = api.get(f"/api/v2/pages/{report.pk}/")
    assert previewed.status_code == 200
    assert_private(previewed)
    draft, published = previewed.json(), live.json()
    assert draft["lead"] == "Jauns ievads, vēl nepublicēts."
    assert published["lead"] != draft["lead"]
    # The same serializers: the same keys, and the same blocks.
    assert sorted(draft) == sorted(published)
    assert sorted(draft["meta"]) == sorted(published["meta"])
    assert draft["body"] == published["body"]


def test_a_page_not_yet_created_can_be_previewed(api, editor):
    index = EventReportIndexPageFactory()
    page = EventReportPage(
        title="Jauns seminārs", slug="jauns", lead="Ievads.", start_date=datetime.date(2026, 3, 15), locale=index.locale
    )
    # As Wagtail's create view does: a realistic tree position, no row.
    page.depth = index.depth + 1
    page.path = page._get_path(index.path, page.depth, 1)
    _response, url = hand_off(page, editor)
    response = api.get(PAGE_PREVIEW, query(url))
    assert response.status_code == 200
    assert response.json()["title"] == "Jauns seminārs"
    assert not EventReportPage.objects.filter(slug="jauns").exists()


def test_snippets_are_previewed_in_their_live_shape(api, report, editor):
    person = report.body[0].value["person"]
    person.job_title = "Priekšsēdētāja"
    _response, url = hand_off(person, editor)
    params = query(url)
    assert params["content_type"] == "cms.person"
    response = api.get(SNIPPET_PREVIEW, params)
    assert response.status_code == 200
    assert_private(response)
    live = api.get(f"/api/v2/people/{person.pk}/").json()
    assert response.json()["job_title"] == "Priekšsēdētāja"
    assert sorted(response.json()) == sorted(live)


def test_a_project_draft_is_previewed_in_its_live_shape(api, editor):
    published = ProjectFactory(name="Uzņēmēju forumi", kind="series", logo=ImageFactory())
    published.name = "Reģionālie uzņēmēju forumi"
    published.logo = ImageFactory(title="Jaunais logo")
    _response, url = hand_off(published, editor)
    assert query(url)["content_type"] == "cms.project"
    response = api.get(SNIPPET_PREVIEW, query(url))
    assert response.status_code == 200, response.content
    assert_private(response)
    previewed, live = response.json(), api.get(f"/api/v2/projects/{published.pk}/").json()
    assert sorted(previewed) == sorted(live)
    assert (previewed["name"], previewed["logo"]["title"]) == ("Reģionālie uzņēmēju forumi", "Jaunais logo")
    assert live["name"] == "Uzņēmēju forumi"

    never_published = ProjectFactory(name="Jauns projekts", live=False)
    _response, url = hand_off(never_published, editor)
    assert api.get(SNIPPET_PREVIEW, query(url)).json()["name"] == "Jauns projekts"
    assert api.get(f"/api/v2/projects/{never_published.pk}/").status_code == 404


def test_drafts_of_referenced_snippets_show_in_preview_only(api, report, editor):
    person = report.body[0].value["person"]
    person.job_title = "Jaunā loma (melnraksts)"
    person.save_revision()  # a draft, not published
    _response, url = hand_off(report, editor)
    previewed = api.get(PAGE_PREVIEW, query(url)).json()
    assert previewed["body"][0]["value"]["person"]["job_title"] == "Jaunā loma (melnraksts)"
    live = api.get(f"/api/v2/pages/{report.pk}/").json()
    assert live["body"][0]["value"]["person"]["job_title"] == "Deputāte"


def test_a_never_published_snippet_shows_in_preview_but_not_live(api, report, editor, publish):
    draft_person = PersonFactory(name="Jauna runātāja", live=False)
    report.body = [("speaker", {"person": draft_person, "role": "Runātāja", "organisation": None})]
    _response, url = hand_off(report, editor)
    previewed = api.get(PAGE_PREVIEW, query(url)).json()
    assert [block["value"]["person"]["name"] for block in previewed["body"]] == ["Jauna runātāja"]
    publish(report)
    assert api.get(f"/api/v2/pages/{report.pk}/").json()["body"] == []


# --- bad tokens ----------------------------------------------------------------------------------------
def test_an_expired_token_is_refused_without_content(api, report, editor):
    _response, url = hand_off(report, editor)
    later = time.time() + preview.max_age() + 1
    with mock.patch.object(signing.time, "time", return_value=later):
        response = api.get(PAGE_PREVIEW, query(url))
    assert response.status_code == 410
    assert_private(response)
    assert response.json()["message"] == "the preview token has expired"


def test_the_lifetime_is_configurable(api, report, editor, settings):
    settings.CMS_PREVIEW_TOKEN_MAX_AGE = 60
    _response, url = hand_off(report, editor)
    with mock.patch.object(signing.time, "time", return_value=time.time() + 61):
        assert api.get(PAGE_PREVIEW, query(url)).status_code == 410
    assert api.get(PAGE_PREVIEW, query(url)).status_code == 200


@pytest.mark.parametrize(
    "params, status",
    [
        ({}, 400),
        ({"content_type": "cms.eventreportpage"}, 400),
        ({"token": "x"}, 400),
        ({"content_type": "cms.eventreportpage", "token": "not-a-token"}, 403),
        ({"content_type": "cms.eventreportpage", "token": "a:b:c"}, 403),
        ({"content_type": "cms.nosuchmodel", "token": "x"}, 400),
        ({"content_type": "cms.person", "token": "x"}, 400),  # a snippet type at the pages endpoint
        ({"content_type": "cms.eventreportpage", "token": "x", "fields": "*"}, 400),
    ],
)
def test_bad_requests_are_json_4xx(api, params, status):
    response = api.get(PAGE_PREVIEW, params)
    assert response.status_code == status
    assert set(response.json()) == {"message", "request_id"}
    assert_private(response)


def test_a_tampered_token_is_refused(api, report, editor):
    _response, url = hand_off(report, editor)
    params = query(url)
    token = params["token"]
    params["token"] = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert api.get(PAGE_PREVIEW, params).status_code == 403


def test_a_token_for_one_content_type_is_refused_for_another(api, report, editor):
    _response, url = hand_off(report, editor)
    params = query(url)
    assert api.get(PAGE_PREVIEW, {**params, "content_type": "cms.eventreportindexpage"}).status_code == 400
    assert api.get(SNIPPET_PREVIEW, {**params, "content_type": "cms.person"}).status_code == 400


def test_a_token_names_one_snapshot_of_one_object(api, report, editor, publish):
    other = EventReportPageFactory(title="Cits pasākums", parent=report.get_parent())
    publish(other)
    _response, url = hand_off(report, editor)
    params = query(url)
    claims = signing.loads(params["token"], salt=preview.SALT)
    other_snapshot = preview.mint(EventReportPage.objects.get(pk=other.pk), editor)[0]
    other_claims = signing.loads(other_snapshot, salt=preview.SALT)
    # A token whose claims mix two snapshots matches neither (were it ever signed).
    mixed = signing.dumps({**claims, "s": other_claims["s"]}, salt=preview.SALT, compress=True)
    assert api.get(PAGE_PREVIEW, {**params, "token": mixed}).status_code == 410
    # A token signed for another purpose is refused.
    other_purpose = signing.dumps({**claims, "p": "publish"}, salt=preview.SALT, compress=True)
    assert api.get(PAGE_PREVIEW, {**params, "token": other_purpose}).status_code == 403
    # Another salt (any other signed value of the site) is not a token.
    foreign = signing.dumps(claims, compress=True)
    assert api.get(PAGE_PREVIEW, {**params, "token": foreign}).status_code == 403
    assert api.get(PAGE_PREVIEW, params).json()["id"] == report.pk


def test_a_deleted_object_is_not_found(api, report, editor):
    _response, url = hand_off(report, editor)
    report.delete()
    response = api.get(PAGE_PREVIEW, query(url))
    assert response.status_code == 404
    assert set(response.json()) == {"message", "request_id"}


def test_expired_snapshots_are_cleaned_up(report, editor):

    from django.utils import timezone

    preview.mint(report, editor, now=timezone.now() - datetime.timedelta(hours=2))
    assert PreviewSnapshot.objects.count() == 1
    preview.mint(report, editor)
    assert PreviewSnapshot.objects.count() == 1


@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), replacement=st.characters(codec="ascii", categories=["L", "N"]))
def test_any_change_to_a_token_is_refused(api, report, editor, position, replacement):
    """A token for A shows A or nothing: no edit of its characters shows anything else."""
    if not hasattr(test_any_change_to_a_token_is_refused, "url"):
        test_any_change_to_a_token_is_refused.url = hand_off(report, editor)[1]
    params = query(test_any_change_to_a_token_is_refused.url)
    token = params["token"]
    index = position % len(token)
    changed = token[:index] + replacement + token[index + 1 :]
    response = api.get(PAGE_PREVIEW, {**params, "token": changed})
    if changed == token:
        assert response.status_code == 200
    else:
        assert response.status_code in (400, 403, 404, 410)
        assert set(response.json()) == {"message", "request_id"}


# --- who may mint --------------------------------------------------------------------------------------
def test_only_those_who_may_edit_can_mint(report):
    User = get_user_model()
    reader = User.objects.create_user("reader", "reader@example.org", "pw")
    with pytest.raises(PermissionDenied):
        preview.mint(report, reader)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        preview.mint(report, AnonymousUser())
    person = report.body[0].value["person"]
    with pytest.raises(PermissionDenied):
        preview.mint(person, reader)


def test_a_translator_mints_only_in_their_language(report):
    english = Locale.objects.get(language_code="en")
    group = Group.objects.create(name="English translators")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=report.get_parent(), permission_type="change")
    GroupLocalePermission.objects.create(group=group, locale=english)
    translator = get_user_model().objects.create_user("translator", "t@example.org", "pw")
    translator.groups.add(group)
    with pytest.raises(PermissionDenied):
        preview.mint(report, translator)  # the Latvian source: not theirs


def test_the_admin_preview_hands_off_to_the_front_end(client, report, editor):
    """Through Wagtail's own preview views: the frame shows the front-end, with a link to share."""
    from django.urls import reverse

    client.force_login(editor)
    person = report.body[0].value["person"]
    edit = reverse("wagtailsnippets_cms_person:preview_on_edit", args=[person.pk])
    form = {"name": person.name, "job_title": "Cita loma", "organisation": person.organisation_id, "links-count": "0"}
    assert client.post(edit, form).json()["is_valid"] is True
    response = client.get(edit)
    assert response.status_code == 200
    assert {"private", "no-store"} <= {part.strip() for part in response["Cache-Control"].split(",")}
    assert response["Referrer-Policy"] == "no-referrer"
    body = response.content.decode()
    assert 'src="http://127.0.0.1:3000/preview?content_type=cms.person&amp;token=' in body
    assert 'target="_blank"' in body


# --- CORS ----------------------------------------------------------------------------------------------
def test_cors_only_for_the_front_end_on_preview(api, report, editor):
    _response, url = hand_off(report, editor)
    allowed = api.get(PAGE_PREVIEW, query(url), HTTP_ORIGIN="http://127.0.0.1:3000")
    assert allowed["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"
    other = api.get(PAGE_PREVIEW, query(url), HTTP_ORIGIN="https://evil.example")
    assert "Access-Control-Allow-Origin" not in other
    preflight = api.options(PAGE_PREVIEW, HTTP_ORIGIN="http://127.0.0.1:3000", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET")
    assert preflight["Access-Control-Allow-Origin"] == "http://127.0.0.1:3000"


def test_the_preview_route_may_differ_per_language(report, editor, settings):
    settings.CMS_FRONTEND_PREVIEW_URL = {
        "en": "https://en.example.lv/preview",
        "*": "https://www.example.lv/{locale}/p",
    }
    _response, url = hand_off(report, editor)
    assert url.startswith("https://www.example.lv/lv/p?content_type=cms.eventreportpage&token=")
    settings.CMS_FRONTEND_PREVIEW_URL = {"en": "https://en.example.lv/preview"}  # no "*": the default route
    assert hand_off(report, editor)[1].startswith("http://127.0.0.1:3000/preview?")
