"""Our catalogues (Latvian, Latgalian): complete, compilable, and what the running site actually loads."""

import gettext
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import formats, translation

LANGUAGES = ["lv", "ltg"]


def po_path(language):
    return Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po"


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
