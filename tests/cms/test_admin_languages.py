"""The admin's languages: Latgalian can be chosen, wagtail-localize's screens speak Latvian and Latgalian, and the
pages' dates follow the active language."""

import datetime
import json
import re
from pathlib import Path

import polib
import pytest
import wagtail_localize
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile
from wagtail_localize.models import Translation
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory

pytestmark = pytest.mark.django_db

UPSTREAM = Path(wagtail_localize.__file__).parent
# wagtail-localize's templates of its admin strings: its English catalogues list every msgid of its Python code
# and templates (the app and its locales app) and of its translation editor's compiled JavaScript.
UPSTREAM_CATALOGUES = {
    "django": [UPSTREAM / "locale/en/LC_MESSAGES/django.po", UPSTREAM / "locales/locale/en/LC_MESSAGES/django.po"],
    "djangojs": [UPSTREAM / "locale/en/LC_MESSAGES/djangojs.po"],
}
CMS_LOCALE = Path(__file__).resolve().parents[2] / "cms" / "locale"
LANGUAGES = ["lv", "ltg"]


def upstream_entries(domain):
    entries = {}
    for path in UPSTREAM_CATALOGUES[domain]:
        for entry in polib.pofile(str(path)):
            entries.setdefault(entry.msgid, entry)
    return list(entries.values())


def catalogue(domain, language):
    if domain == "django":
        return CMS_LOCALE / language / "LC_MESSAGES" / "django.po"
    return CMS_LOCALE / "djangojs" / language / "LC_MESSAGES" / "djangojs.po"


def admin_client(language=None):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    if language:
        profile = UserProfile.get_for_user(user)
        profile.preferred_language = language
        profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client, user


# --- Latgalian in the admin -----------------------------------------------------------------------------
def account_form(language):
    return {
        "name_email-first_name": "Ilze",
        "name_email-last_name": "Ludza",
        "name_email-email": "admin@example.org",
        "locale-preferred_language": language,
        "locale-current_time_zone": "",
        "theme-theme": "system",
        "theme-contrast": "system",
        "theme-density": "default",
        "theme-keyboard_shortcuts": "on",
    }


def test_latgalian_can_be_chosen_in_the_account_settings_and_the_admin_then_speaks_it():
    client, user = admin_client()
    page = client.get(reverse("wagtailadmin_account")).content.decode()
    assert '<option value="ltg">Latgalīšu</option>' in page

    response = client.post(reverse("wagtailadmin_account"), account_form("ltg"))
    assert response.status_code == 302, response.context["panels"] if response.context else response
    assert UserProfile.get_for_user(user).preferred_language == "ltg"

    index = EventReportIndexPageFactory()
    report = EventReportPageFactory(parent=index)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[report.pk])).content.decode()
    assert '<html lang="ltg"' in html
    # The project's labels in Latgalian ...
    assert "Tuoļuokuos aktivitatis i kontakti" in html  # "Follow-up and contacts"
    # ... wagtail-localize's too (its "Translate this page" action) ...
    assert "Tulkuot itū lopu" in html and "Translate this page" not in html
    # ... and Wagtail's own where the catalogue has no Latgalian for it in Latvian (Django falls back to the
    # LANGUAGE_CODE catalogue).
    assert "Saglabāt melnrakstu" in html  # "Save draft"


def test_what_a_latgalian_admin_shows_for_each_kind_of_string():
    with translation.override("ltg"):
        assert translation.gettext("Follow-up and contacts") == "Tuoļuokuos aktivitatis i kontakti"  # ours
        assert translation.gettext("Sync translated pages") == "Sinhronizēt tulkuotuos lopys"  # wagtail-localize's
        assert translation.gettext("Save draft") == "Saglabāt melnrakstu"  # Wagtail's, from its Latvian
        assert translation.gettext("Use server language: %(language_name)s") == (
            "Servera valoda: %(language_name)s"  # Wagtail's, without Latvian of its own: ours, through the fallback
        )


# --- wagtail-localize's strings ----------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_wagtail_localize_string_is_translated_in_our_catalogue(domain, language):
    po = polib.pofile(str(catalogue(domain, language)))
    ours = {entry.msgid: entry for entry in po if not entry.obsolete}
    missing = [
        entry.msgid
        for entry in upstream_entries(domain)
        if entry.msgid not in ours or not ours[entry.msgid].translated() or "fuzzy" in ours[entry.msgid].flags
    ]
    assert not missing, f"untranslated in {catalogue(domain, language)} (`make messages`, translate, compile)"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_running_site_shows_our_translations_of_wagtail_localizes_python_strings(language):
    with translation.override(language):
        for entry in upstream_entries("django"):
            if entry.msgid_plural:
                shown = translation.ngettext(entry.msgid, entry.msgid_plural, 5)
                assert shown not in (entry.msgid, entry.msgid_plural), entry.msgid
            else:
                assert translation.gettext(entry.msgid) != entry.msgid, entry.msgid


def test_our_catalogue_wins_over_wagtail_localizes_own():
    # wagtail-localize's own Latvian catalogue says "Viss" for "All" (a filter of its report); cms comes first.
    own = {entry.msgid: entry.msgstr for entry in polib.pofile(str(UPSTREAM / "locale/lv/LC_MESSAGES/django.po"))}
    assert own["All"] == "Viss"
    with translation.override("lv"):
        assert translation.gettext("All") == "Visi"


def javascript_catalogue(client):
    """What wagtail-localize's translation editor loads as its ``gettext`` catalogue."""
    response = client.get(reverse("wagtail_localize:javascript_catalog"))
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    return json.loads(found.group(1))


@pytest.mark.parametrize(("language", "saving"), [("lv", "Saglabā..."), ("ltg", "Saglobuo...")])
def test_the_translation_editors_javascript_strings_are_translated(language, saving):
    client, _user = admin_client(language)
    shown = javascript_catalogue(client)
    assert shown["Saving..."] == saving
    untranslated = [entry.msgid for entry in upstream_entries("djangojs") if shown.get(entry.msgid) in (None, "")]
    assert not untranslated
    # Ours win over wagtail-localize's own Latvian ("Labot šo %s").
    assert shown["Edit this %s"] == ("Labot: %s" if language == "lv" else "Lobuot: %s")


def test_the_translation_editor_page_loads_that_catalogue_in_latgalian():
    client, _user = admin_client("ltg")
    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    report.save_revision().publish()
    ltg = report.locale.__class__.objects.get(language_code="ltg")
    translate_object(report, [ltg])
    assert Translation.objects.filter(target_locale=ltg).exists()
    html = client.get(reverse("wagtailadmin_pages:edit", args=[report.get_translation(ltg).pk])).content.decode()
    assert reverse("wagtail_localize:javascript_catalog") in html
    # The editor's props, made by wagtail-localize's Python code, are in Latgalian too.
    assert "Tulkuojums volūdā" in html or "tulkuojums volūdā" in html


def test_the_javascript_catalogue_is_on_locale_paths():
    # wagtail-localize's catalogue view reads its own app's catalogue and LOCALE_PATHS only.
    assert CMS_LOCALE / "djangojs" in [Path(path) for path in settings.LOCALE_PATHS]


# --- dates in the pages' templates --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "dates", "published"),
    [
        ("", "2025. gada 1. maijs – 2025. gada 3. maijs", "2.05.2025"),
        ("/en", "May 1, 2025 – May 3, 2025", "05/02/2025"),
        ("/ltg", "2025. goda 1. majs – 2025. goda 3. majs", "02.05.2025"),
    ],
)
def test_dates_follow_the_active_language(prefix, dates, published):
    index = EventReportIndexPageFactory()
    index.save_revision().publish()
    report = EventReportPageFactory(
        parent=index,
        title="Iedzīvotāju forums",
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 3),
        publication_date=datetime.date(2025, 5, 2),
    )
    report.save_revision().publish()
    client = Client(HTTP_HOST="localhost")

    for path in (f"{prefix}/pasakumi/{report.slug}/", f"{prefix}/pasakumi/"):
        html = client.get(path).content.decode()
        assert "2025" in html, path
        assert "May 2025" not in html and "maijs 2025" not in html, path
        assert " – ".join(dates.split(" – ")[:1]) in html, path
    report_html = client.get(f"{prefix}/pasakumi/{report.slug}/").content.decode()
    assert dates in report_html
    assert published in report_html
