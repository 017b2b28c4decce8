"""No live page or snippet in a target language shows source-language text that no translator has given: every
wagtail-localize path (sync with "Publish immediately", the editor's publish, alias translation, bulk publishing)
and every alias (served as a flagged fallback). See cms/localize/drafts.py and cms/fallbacks.py."""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from wagtail.models import Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.localize.drafts import UntranslatedContentError
from cms.models import ContactCard, EventReportPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def api():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs a block as a request does: its on-commit work (wagtail-localize publishes on commit) after it."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def translation_of(obj, locale):
    return Translation.objects.get(source__object_id=obj.translation_key, target_locale=locale)


def translate(translation, text=lambda s: f"LTG {s}"):
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text(segment.string.data)},
        )


def source_strings(obj):
    source = TranslationSource.objects.get(object_id=obj.translation_key, locale=obj.locale)
    return {segment.string.data for segment in StringSegment.objects.filter(source=source).select_related("string")}


def live_report(commit, **kwargs):
    page = EventReportPageFactory(**kwargs)
    with commit():
        page.save_revision().publish()
    return page


# --- sync with "Publish immediately" ---------------------------------------------------------------------
def test_sync_with_publish_immediately_publishes_only_complete_translations(admin, commit, en, ltg):
    page = live_report(commit, title="Iedzīvotāju forums", lead="Sākotnējais ievads.")
    translate_object(page, [en, ltg])
    translate(translation_of(page, en), text=lambda s: f"EN {s}")
    source = TranslationSource.objects.get(object_id=page.translation_key, locale=page.locale)
    with commit():
        response = admin.post(
            reverse("wagtail_localize:update_translations", args=[source.pk]), {"publish_translations": "on"}
        )
    assert response.status_code == 302
    english, latgalian = page.get_translation(en).specific, page.get_translation(ltg).specific
    assert english.live and english.title == "EN Iedzīvotāju forums"
    # Not a single Latgalian string: nothing published, the draft left as it was.
    assert not latgalian.live


def test_sync_with_publish_immediately_does_not_publish_an_untranslated_contact_card(admin, commit, ltg):
    card = ContactCardFactory(name="Anna Ozola", position="Attīstības nodaļas vadītāja")
    with commit():
        card.save_revision().publish()
    translate_object(card, [ltg])
    source = TranslationSource.objects.get(object_id=card.translation_key, locale=card.locale)
    with commit():
        admin.post(reverse("wagtail_localize:update_translations", args=[source.pk]), {"publish_translations": "on"})
    latgalian = ContactCard.objects.get(translation_key=card.translation_key, locale=ltg)
    assert not latgalian.live
    assert api_items("/api/v2/contacts/?locale=ltg") == []


def api_items(url):
    return [item for item in Client(HTTP_HOST="localhost").get(url).json()["items"] if item["meta"]["locale"] == "ltg"]


def test_a_live_translation_keeps_its_text_when_the_source_gains_an_untranslated_string(admin, commit, ltg):
    page = live_report(commit, title="Forums", lead="Ievads.")
    translate_object(page, [ltg])
    translation = translation_of(page, ltg)
    translate(translation)
    with commit():
        translation.save_target(publish=True)
    page.lead = "Jauns ievads."
    with commit():
        page.save_revision().publish()
    source = TranslationSource.objects.get(object_id=page.translation_key, locale=page.locale)
    with commit():
        admin.post(reverse("wagtail_localize:update_translations", args=[source.pk]), {"publish_translations": "on"})
    latgalian = page.get_translation(ltg).specific
    assert latgalian.live and latgalian.lead == "LTG Ievads."
    assert "Jauns ievads." not in Client(HTTP_HOST="localhost").get(f"/api/v2/pages/{latgalian.pk}/").content.decode()


def test_code_cannot_publish_an_incomplete_translation(commit, ltg):
    page = live_report(commit, title="Forums")
    translate_object(page, [ltg])
    with pytest.raises(UntranslatedContentError) as excinfo, commit():
        translation_of(page, ltg).save_target(publish=True)
    assert "not translated" in str(excinfo.value)
    assert not page.get_translation(ltg).live


def test_the_translation_editors_publish_is_refused_with_a_message(admin, commit, ltg):
    page = live_report(commit, title="Forums")
    translate_object(page, [ltg])
    latgalian = page.get_translation(ltg)
    edit_url = reverse("wagtailadmin_pages:edit", args=[latgalian.pk])
    response = admin.post(edit_url, {"action": "publish"}, follow=True)
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    # In the admin's language (Latvian here), naming the language left unpublished.
    assert any("Latgalīšu" in message for message in messages), messages
    assert not Page.objects.get(pk=latgalian.pk).live


def test_wagtails_own_publish_of_a_sync_draft_is_refused(commit, ltg):
    """Bulk publishing, workflows and scheduled publishing publish the latest revision through Wagtail's
    PublishRevisionAction: a draft made by a sync, with Latvian in it, must not go live that way either."""
    page = live_report(commit, title="Forums", lead="Ievads.")
    translate_object(page, [ltg])
    latgalian = page.get_translation(ltg).specific
    with pytest.raises(UntranslatedContentError), commit():
        latgalian.get_latest_revision().publish()
    assert not Page.objects.get(pk=latgalian.pk).live


def test_bulk_publish_of_an_untranslated_page_is_refused_with_a_message(admin, commit, ltg):
    page = live_report(commit, title="Forums")
    translate_object(page, [ltg])
    latgalian = page.get_translation(ltg)
    url = reverse("wagtail_bulk_action", args=("wagtailcore", "page", "publish"))
    response = admin.post(f"{url}?id={latgalian.pk}", {}, follow=True)
    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert any("Latgalīšu" in message for message in messages), messages
    assert not Page.objects.get(pk=latgalian.pk).live


# --- aliases -----------------------------------------------------------------------------------------------
@pytest.fixture
def aliased(commit, ltg):
    """A Latvian report translated into Latgalian: its parents (the home page and the index) become Latgalian
    aliases, live, mirroring the Latvian pages."""
    index = EventReportIndexPageFactory(title="Pasākumi", slug="pasakumi")
    with commit():
        index.save_revision().publish()
    page = live_report(commit, parent=index, title="Forums", slug="forums")
    translate_object(page, [ltg])
    translation = translation_of(page, ltg)
    translate(translation)
    with commit():
        translation.save_target(publish=True)
    return index, index.get_translation(ltg).specific, page


def test_auto_created_parents_are_served_as_fallbacks(api, aliased):
    index, alias, page = aliased
    assert alias.alias_of_id == index.pk and alias.live
    meta = api.get(f"/api/v2/pages/{alias.pk}/").json()["meta"]
    assert meta["fallback"] is True and meta["translation_status"] == "fallback"
    # The source page, not the alias itself.
    assert meta["alias_of"]["id"] == index.pk and meta["alias_of"]["locale"] == "lv"
    assert all(t["id"] != alias.pk for t in meta["translations"])
    assert [t["locale"] for t in meta["translations"]] == ["lv"]
    listing = api.get("/api/v2/pages/?locale=ltg&type=cms.EventReportIndexPage").json()["items"]
    assert [(item["id"], item["meta"]["fallback"]) for item in listing] == [(alias.pk, True)]
    translated = page.get_translation(alias.locale)
    assert api.get(f"/api/v2/pages/{translated.pk}/").json()["meta"]["fallback"] is False


def test_the_html_site_agrees_with_the_api_about_fallbacks(aliased):
    index, alias, page = aliased
    response = Client(HTTP_HOST="localhost").get(urlsplit(alias.url).path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="lv">' in html
    assert f'<link rel="canonical" href="{index.url}">' in html
    assert '<p class="notice" role="note"' in html
    translated = page.get_translation(alias.locale).specific
    html = Client(HTTP_HOST="localhost").get(urlsplit(translated.url).path).content.decode()
    assert '<html lang="ltg">' in html and 'rel="canonical"' not in html


def test_translating_an_alias_converts_it_in_place_on_publish_without_touching_the_source(admin, commit, aliased):
    index, alias, page = aliased
    source_before = Page.objects.filter(pk=index.pk).values("title", "slug", "path", "url_path").get()
    path_before = alias.url_path
    # The "Translate this page" button of the alias: wagtail-localize's submit view for the source.
    submit = reverse("wagtail_localize:submit_page_translation", args=[index.pk])
    response = admin.post(submit, {"locales": [alias.locale_id]})
    assert response.status_code == 302
    draft = Page.objects.get(pk=alias.pk).specific
    # Until published, still the live alias, mirroring the source; the translation waits in a revision.
    assert draft.alias_of_id == index.pk and draft.live and draft.title == "Pasākumi"
    assert draft.url_path == path_before
    assert Page.objects.filter(pk=index.pk).values("title", "slug", "path", "url_path").get() == source_before
    # It opens in the translation editor.
    editor = admin.get(reverse("wagtailadmin_pages:edit", args=[alias.pk]))
    assert editor.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [template.name for template in editor.templates]
    translation = translation_of(index, alias.locale)
    translate(translation)
    with commit():
        translation.save_target(publish=True)
    converted = Page.objects.get(pk=alias.pk).specific
    assert converted.alias_of_id is None and converted.live and converted.title == "LTG Pasākumi"
    assert converted.pk == alias.pk
    assert Page.objects.filter(pk=index.pk).values("title", "slug", "path", "url_path").get() == source_before
    meta = Client(HTTP_HOST="localhost").get(f"/api/v2/pages/{alias.pk}/").json()["meta"]
    assert meta["fallback"] is False and meta["alias_of"] is None


def test_a_new_source_publish_keeps_a_started_alias_translation_a_fallback(commit, aliased):
    index, alias, page = aliased
    translate_object(index, [alias.locale])
    index.title = "Visi pasākumi"
    with commit():
        index.save_revision().publish()
    mirror = Page.objects.get(pk=alias.pk)
    assert mirror.alias_of_id == index.pk and mirror.title == "Visi pasākumi"
    # The translation started is still there, waiting.
    assert mirror.get_latest_revision().content["alias_of"] is None


def test_links_to_pages_that_fall_back_are_flagged(api, commit, aliased):
    index, alias, page = aliased
    untranslated = live_report(commit, parent=index, title="Cits pasākums", slug="cits")

    def resource(target):
        return {
            "type": "resource",
            "value": {"kind": "other", "title": "", "page": target.pk, "document": None, "url": ""},
        }

    # Links to a page with a translation, a page without one, and a page whose translation is an alias.
    page.resources = [resource(page), resource(untranslated), resource(index)]
    with commit():
        page.save_revision().publish()
    translate_object(page, [alias.locale])
    translation = translation_of(page, alias.locale)
    translation.source.update_from_db()
    translate(translation)
    with commit():
        translation.save_target(publish=True)
    latgalian = page.get_translation(alias.locale)
    data = api.get(f"/api/v2/pages/{latgalian.pk}/").json()
    assert data["meta"]["translation_key"] == str(page.translation_key)
    targets = [(item["value"]["page"]["id"], item["value"]["page"]["fallback"]) for item in data["resources"]]
    assert targets == [(latgalian.pk, False), (untranslated.pk, True), (alias.pk, True)]


def test_no_untranslated_string_is_public_after_a_sync_without_publish(admin, commit, ltg, api):
    page = live_report(commit, title="Forums", lead="Ievads.")
    translate_object(page, [ltg])
    translation = translation_of(page, ltg)
    translate(translation)
    with commit():
        translation.save_target(publish=True)
    page.lead = "Pavisam jauns ievads."
    with commit():
        page.save_revision().publish()
    source = TranslationSource.objects.get(object_id=page.translation_key, locale=page.locale)
    with commit():
        admin.post(reverse("wagtail_localize:update_translations", args=[source.pk]), {})
    latgalian = EventReportPage.objects.get(pk=page.get_translation(ltg).pk)
    body = api.get(f"/api/v2/pages/{latgalian.pk}/").content.decode()
    assert "Pavisam jauns ievads." not in body
    assert api.get(f"/api/v2/pages/{latgalian.pk}/").json()["meta"]["translation_status"] == "outdated"
    assert "Pavisam jauns ievads." in source_strings(page)


# --- lists stored in the old form ------------------------------------------------------------------------
LEGACY_DISCUSSION = {
    "type": "discussion",
    "value": {
        "title": "Darba grupas",
        "method": "plenary",
        "moderators": [],
        "description": "",
        # Both lists in the pre-2.16 form: plain values, no ids.
        "questions": [{"question": "Kas jādara vispirms?", "outcomes": ["Jāuzlabo ceļi.", "Jāatver bibliotēka."]}],
        "conclusions": "",
    },
}


def test_old_form_lists_are_saved_in_the_current_form_and_offered_for_translation(commit, ltg):
    page = EventReportPageFactory(title="Forums")
    page.body = [LEGACY_DISCUSSION]
    with commit():
        page.save_revision().publish()
    stored = EventReportPage.objects.get(pk=page.pk).body.raw_data[0]["value"]["questions"]
    assert stored[0]["type"] == "item" and stored[0]["id"]
    assert [item["type"] for item in stored[0]["value"]["outcomes"]] == ["item", "item"]
    # Submitted as the admin does it, from the database.
    translate_object(EventReportPage.objects.get(pk=page.pk), [ltg])
    assert {"Kas jādara vispirms?", "Jāuzlabo ceļi.", "Jāatver bibliotēka."} <= source_strings(page)
    # Saved again, the ids stay: translations keep matching their strings.
    ids = [item["id"] for item in stored[0]["value"]["outcomes"]]
    again = EventReportPage.objects.get(pk=page.pk)
    again.save()
    outcomes = EventReportPage.objects.get(pk=page.pk).body.raw_data[0]["value"]["questions"][0]["value"]["outcomes"]
    assert [item["id"] for item in outcomes] == ids


def test_the_migration_rewrites_stored_old_form_lists(commit):
    import importlib

    from django.apps import apps as django_apps

    page = EventReportPageFactory(title="Forums")
    with commit():
        page.save_revision().publish()
    # Written past the model, as an old import would have.
    EventReportPage.objects.filter(pk=page.pk).update(body=[LEGACY_DISCUSSION])
    assert EventReportPage.objects.get(pk=page.pk).body.raw_data[0]["value"]["questions"][0].get("id") is None
    migration = importlib.import_module("cms.migrations.0006_stream_lists_current_format")
    migration.forwards(django_apps, None)
    questions = EventReportPage.objects.get(pk=page.pk).body.raw_data[0]["value"]["questions"]
    assert questions[0]["id"] and questions[0]["value"]["question"] == "Kas jādara vispirms?"
