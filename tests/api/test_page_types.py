"""A page's detail read from its own type's table, the type remembered per id (``api.endpoints.pages``): a
remembered type saves a query, and a wrong one (an id another page has taken since) never changes an answer."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wagtail.models import Page

from api.cache import local_responses
from api.endpoints import pages as endpoint
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.models import EventReportIndexPage, EventReportPage

pytestmark = pytest.mark.django_db

MODELS = (Page, EventReportIndexPage, EventReportPage)


def cold(api, pk):
    """The detail as served with nothing cached (the type hints are kept: they are what is tested)."""
    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    response = api.get(f"/api/v2/pages/{pk}/")
    if response.status_code != 200:
        return response.status_code, response.json()["message"]  # an error names its request, which differs
    return response.status_code, response.content


@pytest.fixture
def site():
    index = EventReportIndexPageFactory()
    report = EventReportPageFactory(parent=index, title="Forums")
    draft = EventReportPageFactory(parent=index, title="Melnraksts")
    draft.unpublish()
    ids = [Page.objects.get(depth=2).pk, index.pk, report.pk, draft.pk]
    return ids


def test_a_known_type_saves_the_query_for_it(api, site):
    report = site[2]
    endpoint._page_models.clear()
    cold(api, site[0])  # what every response reads once per generation (site roots, locales, restrictions)
    counts = []
    for _ in range(2):
        for cache in caches.all():
            cache.clear()
        local_responses.clear()
        cold(api, site[0])
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/api/v2/pages/{report}/").status_code == 200
        counts.append(len(queries))
    assert counts[1] == counts[0] - 1, counts
    assert endpoint._page_models[report] is EventReportPage


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hints=st.lists(st.sampled_from(MODELS + (None,)), min_size=4, max_size=4))
def test_a_wrong_type_for_an_id_changes_no_answer(api, site, hints):
    endpoint._page_models.clear()
    expected = {pk: cold(api, pk) for pk in site}
    for pk, model in zip(site, hints, strict=True):
        endpoint._page_models.pop(pk, None)
        if model is not None:
            endpoint._page_models[pk] = model
    assert {pk: cold(api, pk) for pk in site} == expected
    assert expected[site[3]][0] == 404 and expected[site[2]][0] == 200


def test_the_remembered_types_are_bounded(monkeypatch):
    monkeypatch.setattr(endpoint, "PAGE_MODELS_KEPT", 3)
    endpoint._page_models.clear()
    for pk in range(1, 8):
        endpoint._remember_page_model(pk, EventReportPage)
        assert len(endpoint._page_models) <= 3
    assert endpoint._page_models[7] is EventReportPage
