"""Slugs of every language are readable ASCII: made from titles, translated through wagtail-localize, or typed
in the admin; unique under their parent, and stable when a translation is synced or published again."""

import json
import re
from html import unescape
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model
from django.core import checks
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify as django_slugify
from wagtail.models import Locale, Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from cms import checks as cms_checks
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.localize import slugs
from cms.localize.slugs import slugify

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        # Latvian: diacritics reduced, nothing percent-encoded.
        ("Iedzīvotāju forums Lūznavā", "iedzivotaju-forums-luznava"),
        (
            "Āķis, čūska, ģērbonis, ļaudis, ņiprs, šalle, žagata, ēna, īss",
            "akis-cuska-gerbonis-laudis-niprs-salle-zagata-ena-iss",
        ),
        # Latgalian: ō too, and y stays.
        ("Ludzys nūvoda sovvaļnīku ōtrō tikšonuos", "ludzys-nuvoda-sovvalniku-otro-tiksonuos"),
        # Russian: transliterated, never reduced to the number.
        ("Форум жителей 2025", "forum-zhiteley-2025"),
        ("форум-жителей-2025", "forum-zhiteley-2025"),
        ("Щедрый вечер: объём, ёлка, Цирк", "shchedryy-vecher-obem-elka-tsirk"),
        # Already a slug: exactly what Django's slugify gives, so slugs made before stay as they are.
        ("iedzivotaju-forums-2025", "iedzivotaju-forums-2025"),
        ("Forums_2025", "forums_2025"),
        # Digits only is what the text says; no letter or digit at all gives nothing, as before.
        ("2025", "2025"),
        ("— … —", ""),
    ],
)
def test_slugs_are_readable_ascii(text, slug):
    assert slugify(text) == slug
    assert slugify(slug) == slug  # making a slug of a slug changes nothing


def test_ascii_slugs_come_out_as_djangos():
    for text in ("Events", "Mini-forum: social entrepreneurship", "a  b--c", "Forums_2025", "-x-"):
        assert slugify(text) == django_slugify(text)


def test_text_with_letters_never_collapses_to_a_number(monkeypatch):
    # A script the transliteration does not know is spelt in code points rather than dropped.
    monkeypatch.setattr(slugs, "anyascii", lambda text: "".join(char for char in text if char.isascii()))
    assert slugify("Форум 2025") == "u0424u043eu0440u0443u043c-2025"


def test_long_titles_give_slugs_that_fit_the_field():
    slug = slugify("Щедрый вечер " * 40)
    assert len(slug) <= 255
    assert slug.startswith("shchedryy-vecher-") and not slug.endswith("-")


def test_unicode_slugs_stay_available_to_sites_that_want_them():
    assert slugify("Форум жителей", allow_unicode=True) == "форум-жителей"


# --- slugs made from titles ---------------------------------------------------------------------------
def test_wagtail_fills_an_empty_slug_from_any_title():
    index = EventReportIndexPageFactory()
    for title, slug in [("Форум жителей", "forum-zhiteley"), ("Ōtrō dīna Ludzā", "otro-dina-ludza")]:
        page = EventReportPageFactory(parent=index, title=title, slug="")
        assert page.slug == slug
    # Unique under the parent, as Wagtail makes it.
    assert EventReportPageFactory(parent=index, title="Форум жителей", slug="").slug == "forum-zhiteley-2"


def test_factories_make_slugs_as_the_admin_does():
    assert EventReportPageFactory(title="Iedzīvotāju forums Lūznavā").slug == "iedzivotaju-forums-luznava"


# --- slugs translated through wagtail-localize -------------------------------------------------------
@pytest.fixture
def translator_client(db):
    user = get_user_model().objects.create_superuser("tulkotaja", "t@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def live_report(**kwargs):
    page = EventReportPageFactory(**kwargs)
    page.save_revision().publish()
    return page


def translate_the_rest(translation):
    # A translation with untranslated strings is not published (cms.localize.drafts).
    locale = translation.target_locale
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.get_or_create(
            translation_of=segment.string,
            locale=locale,
            context=segment.context,
            defaults={"data": f"{locale.language_code}: {segment.string.data}"},
        )


def start_translation(page, locale):
    translate_object(page, [locale])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=locale)
    translate_the_rest(translation)
    return translation


def enter(client, translation, path, text):
    """What the translation editor does when the translator saves one string."""
    segment = StringSegment.objects.get(source=translation.source, context__path=path)
    response = client.put(
        reverse("wagtail_localize:edit_string_translation", args=[translation.id, segment.id]),
        urlencode({"value": text}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 201), response.content


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    def publish(client, translation):
        """The translation editor's "Publish" button."""
        target = translation.get_target_instance()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("wagtailadmin_pages:edit", args=[target.pk]), {"action": "publish"}, follow=True
            )
        errors = [str(message) for message in response.context["messages"] if message.level_tag == "error"]
        assert not errors, errors
        return Page.objects.get(pk=target.pk)

    return publish


def test_a_russian_translators_slug_is_transliterated(ru, translator_client, publish):
    page = live_report(title="Iedzīvotāju forums 2025")
    translation = start_translation(page, ru)
    enter(translator_client, translation, "title", "Форум жителей 2025")
    enter(translator_client, translation, "slug", "форум-жителей-2025")
    published = publish(translator_client, translation)
    assert published.slug == "forum-zhiteley-2025"
    assert published.url_path.endswith("/forum-zhiteley-2025/")
    assert published.live


def test_a_latgalian_translators_slug_loses_only_its_diacritics(translator_client, publish):
    ltg = Locale.objects.get(language_code="ltg")
    page = live_report(title="Iedzīvotāju forums")
    translation = start_translation(page, ltg)
    enter(translator_client, translation, "slug", "Reitumu Latgolys ļaužu saīšona")
    assert publish(translator_client, translation).slug == "reitumu-latgolys-lauzu-saisona"


def test_translated_slugs_are_unique_under_their_parent(ru, translator_client, publish):
    index = EventReportIndexPageFactory()
    first, second = live_report(parent=index, title="Forums"), live_report(parent=index, title="Forums otrais")
    first_translation, second_translation = start_translation(first, ru), start_translation(second, ru)
    enter(translator_client, first_translation, "slug", "форум")
    enter(translator_client, second_translation, "slug", "Форум")
    assert publish(translator_client, first_translation).slug == "forum"
    assert publish(translator_client, second_translation).slug == "forum-1"


def test_publishing_again_keeps_the_slug(ru, translator_client, publish, django_capture_on_commit_callbacks):
    index = EventReportIndexPageFactory()
    first, second = live_report(parent=index, title="Forums"), live_report(parent=index, title="Forums otrais")
    first_translation, second_translation = start_translation(first, ru), start_translation(second, ru)
    for each in (first_translation, second_translation):
        enter(translator_client, each, "slug", "форум")
        publish(translator_client, each)
    assert publish(translator_client, second_translation).slug == "forum-1"

    # The page that had "forum" takes another slug: the second keeps its address, it does not move to "forum".
    enter(translator_client, first_translation, "slug", "собрание")
    assert publish(translator_client, first_translation).slug == "sobranie"
    assert publish(translator_client, second_translation).slug == "forum-1"
    # A sync (the source changed) does not move it either.
    second.lead = "Jauns ievads."
    second.save_revision().publish()
    second_translation.source.update_from_db()
    translate_the_rest(second_translation)
    with django_capture_on_commit_callbacks(execute=True):
        second_translation.save_target(publish=True)
    assert Page.objects.get(pk=second_translation.get_target_instance().pk).slug == "forum-1"


def test_a_changed_slug_translation_gives_a_new_slug(ru, translator_client, publish):
    translation = start_translation(live_report(title="Forums"), ru)
    enter(translator_client, translation, "slug", "форум")
    assert publish(translator_client, translation).slug == "forum"
    enter(translator_client, translation, "slug", "форум-2025")
    assert publish(translator_client, translation).slug == "forum-2025"


def test_a_slug_that_lost_its_letters_earlier_is_listed_then_repaired_by_the_next_publish(
    ru, translator_client, publish
):
    translation = start_translation(live_report(title="Iedzīvotāju forums 2025"), ru)
    enter(translator_client, translation, "slug", "форум-жителей-2025")
    target = publish(translator_client, translation)
    Page.objects.filter(pk=target.pk).update(slug="2025")  # what Django's slugify made of it

    warnings = cms_checks.check_slugs_are_ascii(databases=["default"])
    assert [warning.id for warning in warnings] == ["cms.W005"]
    assert f"page {target.pk} (ru)" in warnings[0].msg

    assert publish(translator_client, translation).slug == "forum-zhiteley-2025"
    assert cms_checks.check_slugs_are_ascii(databases=["default"]) == []


# --- slugs typed in the admin --------------------------------------------------------------------------
@pytest.fixture
def latvian_editor(db):
    user = get_user_model().objects.create_superuser("redaktore", "r@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "lv"
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def edit_index(client, index, slug):
    data = nested_form_data({"title": index.title, "slug": slug, "intro": "", "comments": inline_formset([])})
    return client.post(reverse("wagtailadmin_pages:edit", args=[index.pk]), data)


def test_a_non_ascii_slug_typed_in_the_admin_is_a_latvian_form_error(latvian_editor):
    index = EventReportIndexPageFactory(title="Iedzīvotāju forums", slug="forums")
    response = edit_index(latvian_editor, index, "iedzīvotāju-forums-lūznavā")
    assert response.status_code == 200
    assert response.context["form"].errors["slug"] == [
        "URL identifikatorā drīkst būt tikai latīņu burti bez diakritiskajām zīmēm (a–z), cipari, defises un "
        "apakšsvītras, piemēram, “iedzivotaju-forums-luznava”."
    ]
    index.refresh_from_db()
    assert index.slug == "forums" and not index.revisions.exists()  # nothing saved, not even a draft

    assert edit_index(latvian_editor, index, "iedzivotaju-forums-luznava").status_code == 302
    assert Page.objects.get(pk=index.pk).get_latest_revision().content["slug"] == "iedzivotaju-forums-luznava"


def test_a_slug_of_symbols_is_a_form_error_without_a_proposal(latvian_editor):
    index = EventReportIndexPageFactory()
    response = edit_index(latvian_editor, index, "—…")
    with translation.override("en"):
        assert response.context["form"].errors["slug"] == [
            "The slug may contain only Latin letters without diacritics (a–z), digits, hyphens and underscores."
        ]


def test_the_admins_slug_script_transliterates(latvian_editor):
    index = EventReportIndexPageFactory()
    html = latvian_editor.get(reverse("wagtailadmin_pages:edit", args=[index.pk])).content.decode()
    tag = re.search(r'<input [^>]*name="slug"[^>]*>', html).group(0)
    attributes = {name: unescape(value) for name, value in re.findall(r'([-\w]+)="([^"]*)"', tag)}
    # Leaving the field transliterates (Wagtail's urlify) instead of dropping letters (its slugify) ...
    assert attributes["data-action"].split()[0] == "blur->w-slug#urlify"
    assert "w-slug#slugify" not in attributes["data-action"]
    # ... unicode is off (Django leaves a false attribute out; the script's default is false) ...
    assert "data-w-slug-allow-unicode-value" not in attributes
    # ... and the Latgalian ō, which Wagtail's transliteration tables lack, becomes o.
    assert json.loads(attributes["data-w-slug-formatters-value"]) == [[["ō", "gu"], "o"], [["Ō", "gu"], "O"]]


# --- slugs saved before --------------------------------------------------------------------------------
def test_unicode_slugs_in_the_database_are_listed_not_rewritten():
    index = EventReportIndexPageFactory()
    page = EventReportPageFactory(parent=index, title="Forums")
    assert cms_checks.check_slugs_are_ascii(databases=["default"]) == []
    Page.objects.filter(pk=page.pk).update(slug="iedzīvotāju-forums-lūznavā")

    warnings = cms_checks.check_slugs_are_ascii(databases=["default"])
    assert [(warning.id, warning.level) for warning in warnings] == [("cms.W004", checks.WARNING)]
    assert f"page {page.pk} (lv)" in warnings[0].msg
    assert Page.objects.get(pk=page.pk).slug == "iedzīvotāju-forums-lūznavā"
    # Without a database to look at (``manage.py check``), nothing is queried.
    assert cms_checks.check_slugs_are_ascii() == []
