"""The site's locales, read once per ``all`` generation (``api.locales``): the rows a response shows are loaded
without joining them, and a change to a locale is in the next response, whichever process serves it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from api import cache as api_cache
from api import locales
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports():
    index = EventReportIndexPageFactory()
    organisation = OrganisationFactory(name="Rēzeknes novada pašvaldība")
    person = PersonFactory(name="Anna Bērziņa", organisation=organisation)
    made = []
    for title in ("Forums", "Seminārs"):
        report = EventReportPageFactory(parent=index, title=title, body__0__speaker__person=person)
        report.organisers.create(organisation=organisation)
        report.save_revision().publish()
        made.append(report)
    return made


def test_a_response_reads_no_locale_row_once_the_locales_are_known(api, reports):
    first, second = reports
    assert api.get(f"/api/v2/pages/{first.pk}/").status_code == 200  # reads the locales, once
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v2/pages/{second.pk}/")
    assert response.status_code == 200
    data = response.json()
    assert data["meta"]["locale"] == "lv"
    speaker = next(block for block in data["body"] if block["type"] == "speaker")["value"]
    assert speaker["person"]["locale"] == "lv" and speaker["person"]["organisation"]["locale"] == "lv"
    assert [organiser["organisation"]["locale"] for organiser in data["organisers"]] == ["lv"]
    assert not [query["sql"] for query in queries.captured_queries if "wagtailcore_locale" in query["sql"]]


def test_a_locale_changed_elsewhere_is_seen_after_the_generation_moves(reports):
    latvian = Locale.objects.get(language_code="lv")
    assert locales.by_id()[latvian.pk].language_code == "lv"
    # Another process changes the row: this one keeps its copy until the change log's bump of "all" ...
    Locale.objects.filter(pk=latvian.pk).update(language_code="et")
    assert locales.by_id()[latvian.pk].language_code == "lv"
    # ... which every process reads before the database.
    api_cache.bump(api_cache.EVERYTHING)
    assert locales.by_id()[latvian.pk].language_code == "et"


def test_a_locale_saved_here_is_seen_by_the_next_response(api, reports, django_capture_on_commit_callbacks):
    report = reports[0]
    assert api.get(f"/api/v2/pages/{report.pk}/").json()["meta"]["locale"] == "lv"
    latvian = Locale.objects.get(language_code="lv")
    with django_capture_on_commit_callbacks(execute=True):
        latvian.language_code = "et"
        latvian.save()
    assert api.get(f"/api/v2/pages/{report.pk}/").json()["meta"]["locale"] == "et"


def test_a_locale_missing_from_the_copy_is_loaded_as_usual():
    known = locales.by_id()
    added = Locale.objects.create(language_code="et")
    person = PersonFactory(locale=added)
    fresh = type(person).objects.get(pk=person.pk)
    locales.attach(fresh, known)  # not in the copy: left to the foreign key
    assert fresh.locale.language_code == "et"
