"""A private section that moves stays private: its restriction moves with it, and the restricted paths the API keeps
(``api.privacy``) are read again although no public change event is written (nothing public was reached)."""

import pytest
from wagtail.models import PageViewRestriction

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory

pytestmark = pytest.mark.django_db


def test_a_private_section_moved_elsewhere_stays_private(api, django_capture_on_commit_callbacks):
    index = EventReportIndexPageFactory(slug="pasakumi")
    archive = EventReportIndexPageFactory(parent=index, slug="arhivs")
    section = EventReportIndexPageFactory(parent=index, slug="forumi")
    report = EventReportPageFactory(parent=section, slug="forums")
    with django_capture_on_commit_callbacks(execute=True):
        PageViewRestriction.objects.create(page=section, restriction_type="login")
    urls = [f"/api/v2/pages/{section.pk}/", f"/api/v2/pages/{report.pk}/"]
    assert [api.get(url).status_code for url in urls] == [404, 404]  # the restricted paths are kept now
    with django_capture_on_commit_callbacks(execute=True):
        section.refresh_from_db()
        section.move(archive, pos="last-child")
    assert [api.get(url).status_code for url in urls] == [404, 404]
    listed = {item["id"] for item in api.get("/api/v2/pages/").json()["items"]}
    assert not listed & {section.pk, report.pk}
