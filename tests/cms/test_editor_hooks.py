"""The editor's additions (cms.editor_hooks): the scripts on the page editor, and wagtail-localize's translation
editor without the English its script writes (cms/static/cms/localize/editor-language.js)."""

import datetime
import html
import json
import re
from pathlib import Path

import pytest
import wagtail_localize
from django.conf import settings
from django.utils import translation
from wagtail_localize.models import StringTranslation

from cms.editor_hooks import TRANSLATION_NOTES, translation_editor_in_the_admins_language


def script_data(rendered):
    return {name: html.unescape(value) for name, value in re.findall(r'data-([a-z-]+)="([^"]*)"', str(rendered))}


def test_the_translation_editor_script_is_given_the_admins_language():
    with translation.override("lv"):
        data = script_data(translation_editor_in_the_admins_language())
    assert data["heading"] == "Tulkojums: %(source)s → %(target)s"
    assert json.loads(data["notes"]) == [
        "Tulkots manuāli {date}",
        "Tulkots ar {tool_name} {date}",
        "Mašīntulkots {date}",
    ]
    assert data["date-format"] == settings.WAGTAIL_DATE_FORMAT == "%d.%m.%Y"


@pytest.mark.parametrize(
    ("fields", "note"),
    [
        ({"translation_type": "manual"}, "Translated manually on {date}"),
        ({"translation_type": "machine"}, "Machine translated on {date}"),
        ({"translation_type": "machine", "tool_name": "DeepL"}, "Translated with {tool_name} on {date}"),
    ],
)
def test_the_notes_rewritten_are_the_ones_wagtail_localize_writes(fields, note):
    # The script recognises a note by the catalogue's translation of wagtail-localize's msgid, its date written
    # “7 December 2026”. Should either change upstream, the script would leave the note alone: this fails first.
    assert note in TRANSLATION_NOTES
    written = StringTranslation(updated_at=datetime.datetime(2026, 12, 7, 10, 0, tzinfo=datetime.UTC), **fields)
    with translation.override("lv"):
        comment = written.get_comment()
        expected = translation.gettext(note).format(tool_name=fields.get("tool_name"), date="7 December 2026")
    assert comment == expected


def test_the_heading_rewritten_is_still_written_in_english_by_wagtail_localize():
    # When wagtail-localize translates its heading itself, editor-language.js has nothing left to do there.
    bundle = Path(wagtail_localize.__file__).parent / "static" / "wagtail_localize" / "js" / "wagtail-localize.js"
    assert "sourceLocale.displayName} to ${" in bundle.read_text()
    assert "displayName} translation`" in bundle.read_text()
