"""The Latvian catalogue: complete, compilable, and what the running site actually loads."""

import gettext
from pathlib import Path

import polib
from django.conf import settings
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "lv" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def test_catalogue_is_complete_and_not_fuzzy():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert po.fuzzy_entries() == []


def test_catalogue_compiles(tmp_path):
    po = polib.pofile(str(PO))
    target = tmp_path / "django.mo"
    po.save_as_mofile(str(target))
    with target.open("rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    assert compiled.gettext("event report") == po.find("event report").msgstr


def test_committed_mo_matches_the_po():
    # A .po edited without recompiling would silently show stale labels.
    po = polib.pofile(str(PO))
    with MO.open("rb") as fh:
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
