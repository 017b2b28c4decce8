"""The API in several languages: ?locale=, translations and their status, fallbacks, localised links."""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import StringSegment, StringTranslation, Translation

from cms.factories.streams import ReportBodyFactory
from cms.localize.drafts import UntranslatedContentError
from cms.models import EventReportPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def english(demo):
    return demo.get_translation(Locale.objects.get(language_code="en")).specific


def test_locale_filters_listings(api, demo, english):
    items = api.get("/api/v2/pages/?type=cms.EventReportPage&locale=en").json()["items"]
    assert [(item["id"], item["meta"]["locale"]) for item in items] == [(english.pk, "en")]
    people = api.get("/api/v2/people/?locale=en").json()["items"]
    assert people and all(person["meta"]["locale"] == "en" for person in people)
    assert api.get("/api/v2/pages/?locale=ltg&type=cms.EventReportPage").json()["meta"]["total_count"] == 0


def test_translations_list_live_versions_with_hreflang(api, demo, english):
    meta = api.get(f"/api/v2/pages/{english.pk}/").json()["meta"]
    assert [(t["locale"], t["hreflang"], t["x_default"]) for t in meta["translations"]] == [
        ("en", "en", False),
        ("lv", "lv", True),
    ]
    assert meta["translations"][0]["html_url"].startswith("http://127.0.0.1:3000/en/events/")


def test_a_draft_translation_is_not_listed(api, demo, english):
    english.unpublish()
    meta = api.get(f"/api/v2/pages/{demo.pk}/").json()["meta"]
    assert [t["locale"] for t in meta["translations"]] == ["lv"]


def test_translation_status(api, demo, english, django_capture_on_commit_callbacks):
    def status(page):
        return api.get(f"/api/v2/pages/{page.pk}/").json()["meta"]["translation_status"]

    assert status(demo) == "source"
    assert status(english) == "current"
    demo.lead = "Labots ievads."
    with django_capture_on_commit_callbacks(execute=True):
        demo.save_revision().publish()
    assert status(english) == "outdated"
    translation = Translation.objects.get(source__object_id=demo.translation_key, target_locale=english.locale)
    translation.source.update_from_db()
    # Synchronised, the new lead not translated: the live English page is still the old translation.
    assert status(english) == "outdated"
    with pytest.raises(UntranslatedContentError), django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    assert status(english) == "outdated"
    segment = StringSegment.objects.get(source=translation.source, string__data="Labots ievads.")
    StringTranslation.objects.create(
        translation_of=segment.string, locale=english.locale, context=segment.context, data="An improved lead."
    )
    # Translated but not yet published: translators' work awaits.
    assert status(english) == "outdated"
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(publish=True)
    assert status(english) == "current"
    assert api.get(f"/api/v2/pages/{english.pk}/").json()["lead"] == "An improved lead."


def test_the_translated_report_shows_translated_snippets(api, demo, english):
    body = api.get(f"/api/v2/pages/{english.pk}/").json()["body"]
    speaker = next(block["value"] for block in body if block["type"] == "speaker")
    assert speaker["person"]["locale"] == "en" and speaker["person"]["fallback"] is False
    assert speaker["organisation"]["name"] == "Rēzekne Municipality"


def test_find_understands_language_prefixes(api, demo, english):
    path = "/en/events/mini-forum-social-entrepreneurship-rezekne-municipality/"
    response = api.get(f"/api/v2/pages/find/?html_path={path}")
    assert response.status_code == 302 and response["Location"].endswith(f"/api/v2/pages/{english.pk}/?")
    assert api.get("/api/v2/pages/find/?html_path=/ltg/pasakumi/").status_code == 404


def test_links_in_a_translation_lead_to_the_translated_page(api, demo, english, django_capture_on_commit_callbacks):
    index = demo.get_parent().specific
    linking = EventReportPage(
        title="Another report",
        slug="another-report",
        lead="Lead.",
        start_date=demo.start_date,
        locale=english.locale,
        body=ReportBodyFactory.stream([("paragraph", f'<p><a linktype="page" id="{demo.pk}">the forum</a></p>')]),
    )
    index.get_translation(english.locale).add_child(instance=linking)
    with django_capture_on_commit_callbacks(execute=True):
        linking.save_revision().publish()
    html = api.get(f"/api/v2/pages/{linking.pk}/").json()["body"][0]["value"]
    assert f'data-page-id="{english.pk}"' in html
    assert "/en/events/mini-forum-social-entrepreneurship-rezekne-municipality/" in html


def test_a_fallback_found_by_a_search_is_marked_as_in_a_listing(api, demo, english):
    """An alias standing in for a missing translation is a fallback however it is found: in a listing (its
    source's language joined in the listing's query) and among a search's results (read for the page shown)."""
    ltg = Locale.objects.get_or_create(language_code="ltg")[0]
    index = english.get_parent().specific
    target_parent = index.get_translation_or_none(ltg) or index.copy_for_translation(ltg, copy_parents=True)
    alias = demo.create_alias(parent=target_parent, update_locale=ltg, update_slug=demo.slug)
    listed = api.get("/api/v2/pages/?type=cms.EventReportPage&locale=ltg").json()["items"]
    word = demo.title.split()[0]
    found = api.get("/api/v2/pages/", {"type": "cms.EventReportPage", "locale": "ltg", "search": word}).json()
    assert [(item["id"], item["meta"]["fallback"]) for item in listed] == [(alias.pk, True)]
    assert [(item["id"], item["meta"]["fallback"]) for item in found["items"]] == [(alias.pk, True)]
