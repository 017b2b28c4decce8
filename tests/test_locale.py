"""Our catalogues (Latvian, Latgalian): complete, compilable, and what the running site actually loads.

They ship inside the cms app (cms/locale, in the wheel) and are loaded as its catalogue, not through
LOCALE_PATHS: a site that installs the plugin gets them by listing cms before Wagtail's apps.
"""

import gettext
from pathlib import Path

import polib
import pytest
from django.apps import apps
from django.conf import settings
from django.utils import formats, translation

LANGUAGES = ["lv", "ltg"]


def locale_dir():
    return Path(apps.get_app_config("cms").path) / "locale"


def po_path(language):
    return locale_dir() / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete_and_not_fuzzy(language):
    po = polib.pofile(str(po_path(language)))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_compiles(tmp_path, language):
    po = polib.pofile(str(po_path(language)))
    target = tmp_path / "django.mo"
    po.save_as_mofile(str(target))
    with target.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    assert compiled.gettext("event report") == po.find("event report").msgstr


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_mo_matches_the_po(language):
    # A .po edited without recompiling would silently show stale labels.
    po = polib.pofile(str(po_path(language)))
    with po_path(language).with_suffix(".mo").open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert compiled.ngettext(entry.msgid, entry.msgid_plural, 1) == entry.msgstr_plural[0], entry.msgid
        elif entry.msgctxt:
            assert compiled.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr, entry.msgid
        else:
            assert compiled.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_django_loads_the_catalogue():
    with translation.override("lv"):
        assert translation.gettext("Follow-up activity") != "Follow-up activity"
        assert translation.ngettext("%(counter)s group", "%(counter)s groups", 21) % {"counter": 21} == "21 grupa"


def test_latgalian_is_a_known_language_with_its_own_formats():
    info = translation.get_language_info("ltg")
    assert info["name_local"] == "Latgalīšu"
    with translation.override("ltg"):
        assert translation.get_language() == "ltg"
        assert translation.gettext("Follow-up activity") not in ("Follow-up activity", "Turpmākā aktivitāte")
        import datetime

        day = datetime.date(2020, 10, 28)
        assert formats.date_format(day) == "2020. goda 28. oktobris"
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == "28.10.2020"
        assert formats.number_format(1234.5, 1, force_grouping=True) == "1\xa0234,5"


def test_the_catalogue_is_the_cms_apps_and_wins_over_wagtails():
    # Found as an app catalogue (as in any site that installs the plugin), not through this site's settings.
    assert not [path for path in settings.LOCALE_PATHS if Path(path).resolve() == locale_dir().resolve()]
    assert str(locale_dir()) in translation.trans_real.all_locale_paths()
    # Django merges app catalogues so that an app listed earlier wins: cms comes before every Wagtail app.
    installed = list(settings.INSTALLED_APPS)
    wagtail_apps = [name for name in installed if name.split(".")[0] in {"wagtail", "wagtail_localize"}]
    assert wagtail_apps and all(installed.index("cms") < installed.index(name) for name in wagtail_apps)


def test_latgalian_is_found_by_its_path_prefix():
    # Without a compiled ltg catalogue on some locale path, Django would not accept ltg: /ltg/ would fall
    # back to Latvian (and redirect to /lv/ltg/).
    assert translation.check_for_language("ltg")
    assert translation.get_language_from_path("/ltg/pasakumi/") == "ltg"
    assert translation.get_supported_language_variant("ltg") == "ltg"
