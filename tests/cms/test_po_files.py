"""PO uploads (cms/localize/po.py): a file that cannot be imported is refused with a message and changes nothing;
fuzzy entries are never imported, and the translator is told which were left out."""

import io

import polib
import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringTranslation, Translation, UnknownString
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportPageFactory
from cms.localize import po as localize_po

pytestmark = pytest.mark.django_db

NEXT = "/admin/"


@pytest.fixture
def admin_client():
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the assertions read English source messages
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


@pytest.fixture
def report(en, ltg):
    page = EventReportPageFactory(title="Miniforums", lead="Pirmais teikums.", event_name="Forums")
    page.save_revision().publish()
    translate_object(page, [en, ltg])
    return page


def translation_of(obj, locale):
    return Translation.objects.get(source__object_id=obj.translation_key, target_locale=locale)


def download(client, translation):
    response = client.get(reverse("wagtail_localize:download_pofile", args=[translation.id]))
    assert response.status_code == 200
    return polib.pofile(response.content.decode())


def upload(client, translation, content, name="tulkojums.po"):
    data = {"next": NEXT}
    if content is not None:
        file = io.BytesIO(content if isinstance(content, bytes) else content.encode())
        file.name = name
        data["file"] = file
    response = client.post(reverse("wagtail_localize:upload_pofile", args=[translation.id]), data, follow=True)
    assert response.status_code == 200 and response.redirect_chain == [(NEXT, 302)]
    return {
        level: [str(m).strip() for m in response.context["messages"] if m.level == level]
        for level in (message_levels.SUCCESS, message_levels.WARNING, message_levels.ERROR)
    }


def translations(locale):
    return dict(StringTranslation.objects.filter(locale=locale).values_list("translation_of__data", "data"))


def translated_file(po, text=lambda entry: f"EN {entry.msgid}"):
    for entry in po:
        entry.msgstr = text(entry)
    return str(po)


def without_header(po):
    del po.metadata[localize_po.HEADER]
    return str(po)


def with_header(po, name, value):
    po.metadata[name] = value
    return str(po)


def other_translation_file(client, report, en, ltg):
    other = EventReportPageFactory(title="Cits pārskats", parent=report.get_parent())
    other.save_revision().publish()
    translate_object(other, [en])
    return translated_file(download(client, translation_of(other, en)))


BAD_FILES = {
    "no TranslationID header": (lambda c, po, r, en, ltg: without_header(po), "has no X-WagtailLocalize-TranslationID"),
    "empty": (lambda c, po, r, en, ltg: b"", "is empty"),
    "only blank lines": (lambda c, po, r, en, ltg: b"\n\n  \n", "is empty"),
    "not a PO file": (lambda c, po, r, en, ltg: "Sveiki!\nŠis ir parasts teksts.\n", "is not a PO file"),
    "a spreadsheet": (lambda c, po, r, en, ltg: b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), "is not a PO file"),
    "text with NUL": (lambda c, po, r, en, ltg: str(po).replace("EN Forums", "EN\x00Forums"), "is not a PO file"),
    "Latin-1 without saying so": (
        lambda c, po, r, en, ltg: str(po).replace("EN Forums", "EN Forumé").encode("latin-1", "replace"),
        "is not a PO file",
    ),
    "another translation's ID": (
        lambda c, po, r, en, ltg: other_translation_file(c, r, en, ltg),
        "another translation",
    ),
    "an ID that is no ID": (lambda c, po, r, en, ltg: with_header(po, localize_po.HEADER, "../../etc"), "another"),
    "the file of another language": (
        lambda c, po, r, en, ltg: translated_file(download(c, translation_of(r, ltg))),
        "belongs to the translation into",
    ),
    "a Language header of another language": (
        lambda c, po, r, en, ltg: with_header(po, "Language", "ru_RU"),
        "says its language is “ru_RU”",
    ),
    "nothing translated": (
        lambda c, po, r, en, ltg: translated_file(po, text=lambda entry: ""),
        "has no translated texts",
    ),
}


@pytest.mark.parametrize("bad_file", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_is_refused_with_a_message_and_changes_nothing(admin_client, report, en, ltg, bad_file):
    make, reason = bad_file
    translation = translation_of(report, en)
    po = download(admin_client, translation)
    translated_file(po)
    content = make(admin_client, po, report, en, ltg)
    StringTranslation.objects.create(
        translation_of=StringTranslation._meta.get_field("translation_of").related_model.objects.get(data="Forums"),
        locale=en,
        context=translation.source.stringsegment_set.get(string__data="Forums").context,
        data="The forum",
    )
    before = {locale.language_code: translations(locale) for locale in (en, ltg)}

    messages = upload(admin_client, translation, content)

    [error] = messages[message_levels.ERROR]
    assert "tulkojums.po" in error and reason in error and "nothing was imported" in error, error
    assert messages[message_levels.SUCCESS] == []
    assert {locale.language_code: translations(locale) for locale in (en, ltg)} == before


def test_an_upload_without_a_file_asks_for_one(admin_client, report, en):
    messages = upload(admin_client, translation_of(report, en), None)
    assert messages[message_levels.ERROR] == ["Choose a PO file to upload."]
    assert translations(en) == {}


def test_a_file_too_large_is_refused(admin_client, report, en, monkeypatch):
    translation = translation_of(report, en)
    content = translated_file(download(admin_client, translation))
    monkeypatch.setattr(localize_po, "MAX_BYTES", len(content.encode()) - 1)
    [error] = upload(admin_client, translation, content)[message_levels.ERROR]
    assert "larger than" in error
    assert translations(en) == {}


def test_a_good_file_is_imported(admin_client, report, en):
    translation = translation_of(report, en)
    messages = upload(admin_client, translation, translated_file(download(admin_client, translation)))
    assert messages[message_levels.ERROR] == [] and messages[message_levels.WARNING] == []
    assert messages[message_levels.SUCCESS] == ["Successfully imported translations from PO File."]
    assert translations(en)["Miniforums"] == "EN Miniforums"


def test_fuzzy_entries_are_not_imported_and_the_translator_is_told_which(admin_client, report, en):
    translation = translation_of(report, en)
    segment = translation.source.stringsegment_set.get(string__data="Forums")
    StringTranslation.objects.create(translation_of=segment.string, locale=en, context=segment.context, data="Forum")
    po = download(admin_client, translation)
    translated_file(po)
    for entry in po:
        if entry.msgid in ("Forums", "Pirmais teikums."):
            entry.flags.append("fuzzy")  # the translator's unreviewed guesses (Poedit's "Needs work")

    messages = upload(admin_client, translation, str(po))

    [warning] = messages[message_levels.WARNING]
    assert warning.startswith("2 translations in the file were not imported because they are marked as fuzzy")
    assert "“Forums”" in warning and "“Pirmais teikums.”" in warning
    imported = translations(en)
    assert imported["Miniforums"] == "EN Miniforums"
    assert imported["Forums"] == "Forum"  # the reviewed translation is not replaced by the guess
    assert "Pirmais teikums." not in imported


def test_a_file_whose_translations_are_all_fuzzy_imports_nothing(admin_client, report, en):
    translation = translation_of(report, en)
    po = download(admin_client, translation)
    translated_file(po)
    for entry in po:
        entry.flags.append("fuzzy")

    messages = upload(admin_client, translation, str(po))

    [error] = messages[message_levels.ERROR]
    assert f"The translations in the file “tulkojums.po” are all marked as fuzzy ({len(po)}," in error
    assert translations(en) == {}


def test_import_po_leaves_fuzzy_entries_out_even_when_deleting_what_the_file_does_not_mention(report, en):
    translation = translation_of(report, en)
    segment = translation.source.stringsegment_set.get(string__data="Forums")
    StringTranslation.objects.create(translation_of=segment.string, locale=en, context=segment.context, data="Forum")
    po = translation.export_po()
    translated_file(po)
    po.insert(0, polib.POEntry(msgid="Vairs nav avotā", msgctxt="title", msgstr="Gone"))
    for entry in po:
        if entry.msgid == "Forums":
            entry.flags.append("fuzzy")

    warnings = translation.import_po(po, delete=True)

    assert translations(en)["Forums"] == "Forum"  # neither replaced nor deleted
    assert translations(en)["Miniforums"] == "EN Miniforums"
    fuzzy = [w for w in warnings if isinstance(w, localize_po.FuzzyEntry)]
    assert [(w.index, w.string) for w in fuzzy] == [(po.index(next(e for e in po if e.msgid == "Forums")), "Forums")]
    # Warnings of wagtail-localize keep their place in the file the caller gave.
    assert [w for w in warnings if isinstance(w, UnknownString)] == [UnknownString(0, "Vairs nav avotā")]


def test_the_upload_address_takes_only_posts(admin_client, report, en):
    response = admin_client.get(reverse("wagtail_localize:upload_pofile", args=[translation_of(report, en).id]))
    assert response.status_code == 405
