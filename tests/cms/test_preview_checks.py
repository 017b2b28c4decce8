"""The preview panel's Checks (accessibility, content metrics) reach the previewed report.

Wagtail runs them through its userbar inside the previewed document. The admin's preview shows the hand-off page
(the link to share, and the front-end in a frame), so the hand-off carries the userbar, and so does the demo's
stand-in front-end inside it. What the checks then report is seen in a real browser (the journeys); these tests
hold the pieces that make them run.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles import finders
from django.test import RequestFactory
from django.urls import reverse

from cms.factories.snippets import OrganisationFactory, PersonFactory
from config import demo_frontend

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return get_user_model().objects.create_superuser("redaktore", "redaktore@example.org", "pw")


def admin_preview(client, editor, in_panel):
    """The person's preview as Wagtail's preview views serve it: in the side panel, or in a new tab."""
    client.force_login(editor)
    person = PersonFactory(name="Anita Ludborža", job_title="Deputāte", organisation=OrganisationFactory())
    url = reverse("wagtailsnippets_cms_person:preview_on_edit", args=[person.pk])
    form = {"name": person.name, "job_title": person.job_title, "organisation": person.organisation_id}
    assert client.post(url, {**form, "links-count": "0"}).json()["is_valid"] is True
    response = client.get(url, {"in_preview_panel": "true"} if in_panel else {})
    assert response.status_code == 200
    return response.content.decode()


def userbar(html):
    """The userbar's markup, or None; and whether it is hidden (as Wagtail renders it in the preview panel)."""
    match = re.search(r'<template id="wagtail-userbar-template">\s*<aside([^>]*)>', html)
    if match is None:
        return None
    return {"hidden": "hidden" in match.group(1), "element": "<wagtail-userbar></wagtail-userbar>" in html}


def test_the_hand_off_in_the_panel_carries_a_hidden_userbar_and_tells_the_front_end(client, editor):
    html = admin_preview(client, editor, in_panel=True)
    assert userbar(html) == {"hidden": True, "element": True}
    assert 'id="checker-axe-configuration"' in html  # what the checker runs
    frame = re.search(r"<iframe[^>]*>", html).group(0)
    # Wagtail's checker forwards content metrics to the frame with this id (see the next test).
    assert 'id="w-preview-iframe"' in frame
    assert re.search(
        r'src="http://127\.0\.0\.1:3000/preview\?content_type=cms\.person&amp;token=[^"&]+'
        r'&amp;in_preview_panel=true"',
        frame,
    )
    # The link to share opens the front-end as anyone would see it.
    share = re.search(r'id="preview-link"[^>]*value="([^"]+)"', html).group(1)
    assert "in_preview_panel" not in share
    assert "in_preview_panel" not in re.search(r'<a href="([^"]+)" target="_blank"', html).group(1)


def test_the_hand_off_in_a_new_tab_shows_its_userbar(client, editor):
    html = admin_preview(client, editor, in_panel=False)
    assert userbar(html) == {"hidden": False, "element": True}
    # Framed by the hand-off, the front-end leaves the checks to the hand-off's userbar.
    assert "&amp;in_preview_panel=true" in re.search(r"<iframe[^>]*>", html).group(0)


def test_wagtail_still_forwards_to_the_frame_the_hand_off_names():
    """The hand-off's frame takes the id of Wagtail's preview frame because Wagtail's content checker forwards
    its commands (the word count, reading time) to the frame of that id; fails when an upgrade changes that."""
    vendor = Path(finders.find("wagtailadmin/js/vendor.js")).read_text(encoding="utf-8")
    core = Path(finders.find("wagtailadmin/js/core.js")).read_text(encoding="utf-8")
    assert 'id:"wagtailPreview"' in vendor and 'document.getElementById("w-preview-iframe")' in vendor
    assert 'fromFrames:["#w-preview-iframe"]' in core


def demo_front_end(user, **query):
    request = RequestFactory().get("/demo-frontend/preview/", {"content_type": "cms.eventreportpage", **query})
    request.user = user
    response = demo_frontend.preview(request)
    return response.content.decode()


def test_the_demo_front_end_embeds_the_userbar_once_the_report_is_rendered(editor):
    html = demo_front_end(editor, in_preview_panel="true")
    embed = re.search(r'<template id="wagtail-userbar-embed">(.*?)</template>\s*<script>', html, re.S)
    assert embed is not None
    assert userbar(embed.group(1)) == {"hidden": True, "element": True}
    # Added to the document by the page's script, after the report is rendered.
    assert "embedUserbar" in html[embed.end() :]
    # What Wagtail's "Meta description is empty" check reads: filled in from the report.
    assert '<meta name="description"' in html


def test_the_demo_front_end_outside_the_admin(editor):
    # Opened from the link to share by an editor: the userbar shows, as on any previewed page.
    assert userbar(demo_front_end(editor)) == {"hidden": False, "element": True}
    # By someone without access to the admin: no userbar at all.
    assert userbar(demo_front_end(AnonymousUser())) is None
