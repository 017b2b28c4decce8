"""Reports → Translation progress and the translators' dashboard panel: what is translated, what is outdated,
whether the live translation is current, for each language; a bounded number of queries whatever the number of
objects."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from wagtail.models import Locale
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, TopicFactory
from cms.localize import progress
from cms.localize.overview import translation_editor_url
from cms.models import ContactCard, EventReportIndexPage, GroupLocalePermission

pytestmark = pytest.mark.django_db

OVERVIEW = "/admin/translation_progress/"


def client_for(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    # The tests read the English source texts (the site's language, Latvian, is the default).
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return client_for(user)


def make_translator(username, *locales):
    group = Group.objects.create(name=f"{username} group")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for locale in locales:
        GroupLocalePermission.objects.create(group=group, locale=locale)
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(group)
    return user


def live_report(**kwargs):
    index = EventReportIndexPage.objects.filter(locale=Locale.get_default()).first() or EventReportIndexPageFactory()
    page = EventReportPageFactory(parent=index, **kwargs)
    page.save_revision().publish()
    return page


def translation_of(obj, locale):
    return Translation.objects.get(source__object_id=obj.translation_key, target_locale=locale)


def translate(translation, count=None, text=lambda s: f"EN {s}"):
    """Translates the first ``count`` strings of the translation's source (all when None)."""
    segments = StringSegment.objects.filter(source=translation.source).select_related("string", "context")
    for segment in list(segments.order_by("order"))[:count]:
        # As the translation editor does: a string already translated so is not saved again.
        StringTranslation.objects.get_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text(segment.string.data)},
        )


def rows(client, **params):
    response = client.get(OVERVIEW, params)
    assert response.status_code == 200
    return {(row.source.object_repr, row.target_locale.language_code): row for row in response.context["object_list"]}


@pytest.fixture
def publish_translation(django_capture_on_commit_callbacks):
    """Publishes a translation as the translation editor does (wagtail-localize publishes after the commit)."""

    def _publish(obj, locale):
        with django_capture_on_commit_callbacks(execute=True):
            translation_of(obj, locale).save_target(publish=True)

    return _publish


def test_progress_is_what_wagtail_localize_counts(en, ltg, admin_client):
    page = live_report(title="Miniforums", lead="Pirmais teikums.", event_name="Forums")
    card = ContactCardFactory(position="Speciāliste", unit="IUK", address="Atbrīvošanas aleja 95")
    card.save_revision().publish()
    for obj in (page, card):
        translate_object(obj, [en, ltg])
    translate(translation_of(page, en), count=2)
    translate(translation_of(card, ltg))
    # A translation with an error (e.g. broken markup from a PO file) does not count, as in wagtail-localize.
    lead = StringSegment.objects.get(source=translation_of(page, ltg).source, context__path="lead")
    StringTranslation.objects.create(
        translation_of=lead.string, locale=ltg, context=lead.context, data="<b>Puse", has_error=True
    )

    found = rows(admin_client)
    assert len(found) == 4
    for obj, locale in ((page, en), (page, ltg), (card, en), (card, ltg)):
        row = found[(str(obj), locale.language_code)]
        total, translated = translation_of(obj, locale).get_progress()
        assert (row.total, row.translated, row.untranslated) == (total, translated, total - translated)
    assert found[("Miniforums", "en")].translated == 2
    assert found[(str(card), "ltg")].untranslated == 0
    assert found[("Miniforums", "ltg")].translated == 0

    html = admin_client.get(OVERVIEW).content.decode()
    english = found[("Miniforums", "en")]
    assert f"2 of {english.total}" in html
    # The row links to the translation editor of the English page, and to the Latvian source.
    assert reverse("wagtailadmin_pages:edit", args=[page.get_translation(en).pk]) in html
    assert reverse("wagtailadmin_pages:edit", args=[page.pk]) in html


def test_the_title_opens_the_translation_editor(en, admin_client):
    card = ContactCardFactory(position="Speciāliste")
    card.save_revision().publish()
    translate_object(card, [en])
    row = rows(admin_client)[(str(card), "en")]
    english = ContactCard.objects.get(translation_key=card.translation_key, locale=en)
    url = translation_editor_url(row)
    assert url == reverse("wagtailsnippets_cms_contactcard:edit", args=[english.pk])
    editor = admin_client.get(url)
    assert editor.status_code == 200
    assert "wagtail_localize/admin/edit_translation.html" in [t.name for t in editor.templates]


def test_a_source_change_is_outdated_until_synchronised_translated_and_published(
    en, admin_client, publish, publish_translation
):
    page = live_report(title="Miniforums", lead="Sākotnējais ievads.")
    translate_object(page, [en])
    translation = translation_of(page, en)
    translate(translation)
    publish_translation(page, en)

    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.untranslated, row.outdated, row.live_current, row.target_live) == (0, 0, True, True)
    assert ("Miniforums", "en") in rows(admin_client, state=progress.STATE_CURRENT)

    # The source changes: one string the translation does not have yet.
    page.lead = "Labots ievads."
    publish(page)
    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.source_changes, row.outdated, row.live_current) == (1, 1, False)
    assert ("Miniforums", "en") in rows(admin_client, state=progress.STATE_OUTDATED)
    assert ("Miniforums", "en") not in rows(admin_client, state=progress.STATE_CURRENT)

    # Synchronised: the new string is to translate, and the live translation does not show it.
    translation.source.update_from_db()
    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.source_changes, row.untranslated, row.stale, row.outdated) == (0, 1, 1, 1)
    assert ("Miniforums", "en") in rows(admin_client, state=progress.STATE_TODO)

    # Translated, not yet published: nothing to translate, still outdated in the live translation.
    translate(translation)
    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.untranslated, row.stale, row.outdated, row.live_current) == (0, 1, 1, False)

    publish_translation(page, en)
    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.untranslated, row.outdated, row.live_current) == (0, 0, True)


def test_a_draft_of_the_translation_means_the_live_one_is_not_current(en, admin_client, publish_translation):
    card = ContactCardFactory(position="Speciāliste")
    card.save_revision().publish()
    translate_object(card, [en])
    translate(translation_of(card, en))
    publish_translation(card, en)
    english = ContactCard.objects.get(translation_key=card.translation_key, locale=en)
    english.save_revision()  # a draft waits

    row = rows(admin_client)[(str(card), "en")]
    assert (row.target_draft, row.live_current) == (True, False)
    assert (str(card), "en") in rows(admin_client, state=progress.STATE_OUTDATED)


def test_unpublished_translations(en, admin_client):
    page = live_report(title="Miniforums")
    translate_object(page, [en])
    row = rows(admin_client)[("Miniforums", "en")]
    assert (row.target_live, row.live_current, row.stale) == (False, False, 0)
    assert set(rows(admin_client, state=progress.STATE_UNPUBLISHED)) == {("Miniforums", "en")}
    assert rows(admin_client, state=progress.STATE_CURRENT) == {}


def test_a_translator_sees_their_languages_unless_they_choose_others(en, ltg):
    page = live_report(title="Miniforums")
    translate_object(page, [en, ltg])
    translator = make_translator("tulkotaja", en)
    client = client_for(translator)

    assert set(rows(client)) == {("Miniforums", "en")}
    assert set(rows(client, language=[ltg.pk])) == {("Miniforums", "ltg")}
    assert set(rows(client, language=[en.pk, ltg.pk])) == {("Miniforums", "en"), ("Miniforums", "ltg")}
    # Not limited: every language.
    editor = client_for(get_user_model().objects.create_superuser("redaktore", "r@example.org", "pw"))
    assert set(rows(editor)) == {("Miniforums", "en"), ("Miniforums", "ltg")}


def test_russian_appears_when_enabled(settings, en):
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [
        ("lv", "Latviešu"),
        ("en", "English"),
        ("ltg", "Latgalīšu"),
        ("ru", "Русский"),
    ]
    ru, _created = Locale.objects.get_or_create(language_code="ru")
    page = live_report(title="Miniforums")
    translate_object(page, [ru])
    translator = make_translator("perevodchik", ru)
    found = rows(client_for(translator))
    assert set(found) == {("Miniforums", "ru")}
    assert "Русский" in client_for(translator).get(OVERVIEW).content.decode()


def test_search_and_kind_filter(en, admin_client):
    page = live_report(title="Miniforums")
    card = ContactCardFactory(position="Speciāliste")
    card.save_revision().publish()
    for obj in (page, card):
        translate_object(obj, [en])
    assert set(rows(admin_client, q="minifor")) == {("Miniforums", "en")}
    kind = ContentType.objects.get_for_model(ContactCard).pk
    assert set(rows(admin_client, kind=kind)) == {(str(card), "en")}


def test_bad_filters_are_reported_not_a_500(en, admin_client):
    page = live_report(title="Miniforums")
    translate_object(page, [en])
    for params in ({"state": "nekas"}, {"language": ["abc"]}, {"language": ["999999"]}, {"kind": "x"}):
        response = admin_client.get(OVERVIEW, params)
        assert response.status_code == 200, params
        assert "Some filters could not be understood" in response.content.decode(), params
    # The listing's own refresh (filters applied without reloading the page) answers the same way.
    results = admin_client.get(OVERVIEW + "results/", {"state": progress.STATE_UNPUBLISHED})
    assert results.status_code == 200
    assert [row.source.object_repr for row in results.context["object_list"]] == ["Miniforums"]
    assert "<html" not in results.content.decode()


def test_the_summary_adds_up_per_language(en, ltg, admin_client):
    first = live_report(title="Pirmais")
    second = live_report(title="Otrais")
    for page in (first, second):
        translate_object(page, [en, ltg])
    translate(translation_of(first, en))
    response = admin_client.get(OVERVIEW)
    summary = {row["target_locale__language_code"]: row for row in response.context["summary"]}
    expected_total = sum(translation_of(page, en).get_progress()[0] for page in (first, second))
    assert summary["en"]["strings"] == expected_total
    assert summary["en"]["strings_translated"] == translation_of(first, en).get_progress()[0]
    assert summary["ltg"]["strings_translated"] == 0
    assert summary["en"]["objects"] == summary["ltg"]["objects"] == 2


def make_translated_objects(start, count, locales, publish_translation):
    """``count`` objects of several kinds, each submitted for translation, some translated and published."""
    made = []
    for i in range(start, start + count):
        if i % 5 == 0:
            obj = live_report(title=f"Seminārs {i}")
        elif i % 5 == 1:
            obj = ContactCardFactory(position=f"Speciāliste {i}")
            obj.save_revision().publish()
        else:
            obj = TopicFactory()
            obj.save_revision().publish()
        translate_object(obj, locales)
        if i % 3 == 0:
            translate(translation_of(obj, locales[0]))
            publish_translation(obj, locales[0])
        made.append(obj)
    return made


def count_queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured), response


def test_the_overview_costs_the_same_queries_for_5_and_50_objects(
    en, ltg, admin_client, publish_translation, django_assert_max_num_queries
):
    translator = client_for(make_translator("tulkotaja", en, ltg))
    make_translated_objects(0, 5, [en, ltg], publish_translation)
    for client in (admin_client, translator):
        client.get(OVERVIEW)  # sessions, content types and the like, cached after a first request
    few = {who: count_queries(client, OVERVIEW)[0] for who, client in (("admin", admin_client), ("tr", translator))}
    filtered_few = count_queries(admin_client, OVERVIEW, state=progress.STATE_TODO, language=[en.pk])[0]
    dashboard_few = count_queries(translator, "/admin/")[0]

    make_translated_objects(5, 45, [en, ltg], publish_translation)
    with django_assert_max_num_queries(20):
        many_admin, response = count_queries(admin_client, OVERVIEW)
    assert len(response.context["object_list"]) == 50  # one page of the listing: 100 translations in all
    assert response.context["paginator"].count == 100
    with django_assert_max_num_queries(20):
        many_translator, _response = count_queries(translator, OVERVIEW)
    assert (many_admin, many_translator) == (few["admin"], few["tr"])
    assert count_queries(admin_client, OVERVIEW, state=progress.STATE_TODO, language=[en.pk])[0] == filtered_few
    assert count_queries(translator, "/admin/")[0] == dashboard_few


def test_the_dashboard_tells_a_translator_what_is_left(en, ltg):
    page = live_report(title="Miniforums", lead="Pirmais teikums.")
    translate_object(page, [en, ltg])
    translate(translation_of(page, en), count=1)
    total = translation_of(page, en).get_progress()[0]
    translator = make_translator("tulkotaja", en)

    html = client_for(translator).get("/admin/").content.decode()
    assert 'id="translation-progress-section"' in html
    assert f'data-strings-to-translate="{total - 1}"' in html
    assert f"{OVERVIEW}?language={en.pk}" in html
    assert "Latgalīšu" not in html.split('id="translation-progress-section"')[1].split("</section>")[0]

    editor = client_for(get_user_model().objects.create_superuser("redaktore", "r@example.org", "pw"))
    assert 'id="translation-progress-section"' not in editor.get("/admin/").content.decode()


def test_the_overview_is_in_the_reports_menu(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert OVERVIEW in html


def test_changes_in_the_history_say_how_many_strings(en, admin_client, publish):
    page = live_report(title="Miniforums", lead="Sākotnējais ievads.", start_date=datetime.date(2020, 10, 28))
    translate_object(page, [en])
    page.lead = "Labots ievads."
    publish(page)
    history = admin_client.get(reverse("wagtailadmin_pages:history", args=[page.pk])).content.decode()
    assert "1 string new or changed for translators" in history
