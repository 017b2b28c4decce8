"""Translators are e-mailed when a source they translated is published with changed translatable content: after the
commit, in their own admin language, never the one who made the change, never for changes translators do not see,
and a failure never breaks the publish."""

import datetime
import logging
import smtplib

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from wagtail.log_actions import LogContext
from wagtail.models import Locale, PageLogEntry
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.localize import notifications
from cms.models import ContactCard, EventReportIndexPage, GroupLocalePermission

pytestmark = pytest.mark.django_db


def make_translator(username, *locales, language="en", permissions=("access_admin",)):
    group, _created = Group.objects.get_or_create(name=" + ".join(locale.language_code for locale in locales))
    group.permissions.add(*Permission.objects.filter(codename__in=permissions))
    for locale in locales:
        GroupLocalePermission.objects.get_or_create(group=group, locale=locale)
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(group)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def live_report(**kwargs):
    index = EventReportIndexPage.objects.filter(locale=Locale.get_default()).first() or EventReportIndexPageFactory()
    page = EventReportPageFactory(parent=index, **kwargs)
    page.save_revision().publish()
    return page


def translated_report(locales, **kwargs):
    page = live_report(**kwargs)
    translate_object(page, locales)
    return page


def mails_to(user):
    return [message for message in mail.outbox if message.to == [user.email]]


def test_changed_text_tells_each_languages_translators(en, ltg, publish):
    page = translated_report([en, ltg], title="Miniforums", lead="Sākotnējais ievads.", event_name="Forums")
    english = make_translator("anglu", en)
    latgalian = make_translator("latgalu", ltg)
    outsider = get_user_model().objects.create_user("cits", "cits@example.org", "pw")

    page.lead = "Labots ievads."
    page.event_name = "Lielais forums"
    publish(page)

    [to_english] = mails_to(english)
    [to_latgalian] = mails_to(latgalian)
    assert not mails_to(outsider)
    assert "Miniforums" in to_english.subject and "English" in to_english.subject
    assert "Latgalīšu" in to_latgalian.subject
    assert "2 strings are new or changed compared with the version that was translated." in to_english.body
    editor = reverse("wagtailadmin_pages:edit", args=[page.get_translation(en).pk])
    assert f"http://127.0.0.1:8000{editor}" in to_english.body
    latgalian_editor = reverse("wagtailadmin_pages:edit", args=[page.get_translation(ltg).pk])
    assert latgalian_editor in to_latgalian.body and editor not in to_latgalian.body
    assert to_english.extra_headers["Auto-Submitted"] == "auto-generated"  # Wagtail's notification mail


def test_each_translator_reads_it_in_their_admin_language(en, publish):
    page = translated_report([en], title="Miniforums", lead="Sākotnējais ievads.")
    latvian_speaker = make_translator("latviete", en, language="lv")
    english_speaker = make_translator("anglis", en, language="en")

    page.lead = "Labots ievads."
    publish(page)

    [in_latvian] = mails_to(latvian_speaker)
    [in_english] = mails_to(english_speaker)
    assert in_latvian.body.startswith("Labdien, latviete!")
    assert in_english.body.startswith("Hello anglis,")


def test_removed_strings_are_counted(en, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.", event_name="Forums", seo_title="Forums 2020")
    translator = make_translator("anglu", en)
    page.event_name = ""
    page.seo_title = ""
    publish(page)
    [message] = mails_to(translator)
    assert "2 strings of the translated version are no longer used." in message.body
    assert "new or changed" not in message.body


def test_only_untranslatable_changes_tell_nobody(en, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.", start_date=datetime.date(2020, 10, 28))
    make_translator("anglu", en)
    page.start_date = datetime.date(2020, 11, 4)
    page.event_format = "hybrid"
    publish(page)
    assert mail.outbox == []
    assert not PageLogEntry.objects.filter(page=page, action=notifications.SOURCE_CHANGED).exists()


def test_a_later_untranslatable_change_does_not_repeat_the_news(en, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.", start_date=datetime.date(2020, 10, 28))
    translator = make_translator("anglu", en)
    page.lead = "Labots ievads."
    publish(page)
    assert len(mails_to(translator)) == 1

    # Not synchronised yet, so the source still differs from what was translated; but this publish changes no text.
    page.start_date = datetime.date(2020, 11, 4)
    publish(page)
    assert len(mails_to(translator)) == 1

    # A draft with new text, published later: the text changed since the last live version.
    page.lead = "Vēlreiz labots ievads."
    page.save_revision()
    page.start_date = datetime.date(2020, 11, 5)
    publish(page)
    assert len(mails_to(translator)) == 2
    assert "1 string is new or changed" in mails_to(translator)[-1].body


def test_the_person_who_made_the_change_is_not_told(en, django_capture_on_commit_callbacks):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    author = make_translator("autore", en)
    publisher = make_translator("publicetaja", en)
    colleague = make_translator("kolegis", en)

    page.lead = "Labots ievads."
    revision = page.save_revision(user=author)
    # The admin sets up a log context for the request's user: here the one who approves and publishes.
    with django_capture_on_commit_callbacks(execute=True), LogContext(user=publisher):
        revision.publish()
    assert not mails_to(author) and not mails_to(publisher)
    assert len(mails_to(colleague)) == 1


def test_the_preference_for_submitted_notifications_is_respected(en, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    wants = make_translator("grib", en)
    declines = make_translator("negrib", en)
    profile = UserProfile.get_for_user(declines)
    profile.submitted_notifications = False
    profile.save()
    page.lead = "Labots ievads."
    publish(page)
    assert len(mails_to(wants)) == 1 and not mails_to(declines)


def test_mail_goes_only_after_the_commit(en, django_capture_on_commit_callbacks):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    translator = make_translator("anglu", en)
    page.lead = "Labots ievads."
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        page.save_revision().publish()
    assert mail.outbox == []  # the transaction has not committed
    for callback in callbacks:
        callback()
    assert len(mails_to(translator)) == 1


class FailingBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("the mail server went away")


class UnreachableBackend(BaseEmailBackend):
    def open(self):
        raise smtplib.SMTPConnectError(421, "no mail server")

    def send_messages(self, messages):
        raise AssertionError("never reached")


@pytest.mark.parametrize("backend", [FailingBackend, UnreachableBackend])
def test_a_mail_failure_is_logged_and_the_publish_stands(en, settings, publish, caplog, backend):
    settings.EMAIL_BACKEND = f"{__name__}.{backend.__name__}"
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    make_translator("anglu", en)
    page.lead = "Labots ievads."
    with caplog.at_level(logging.ERROR):
        publish(page)
    page.refresh_from_db()
    assert page.live and page.lead == "Labots ievads." and not page.has_unpublished_changes
    assert any(record.levelno == logging.ERROR and record.exc_info for record in caplog.records)


def test_a_failure_to_compare_is_logged_and_the_publish_stands(en, publish, monkeypatch, caplog):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    translator = make_translator("anglu", en)

    def broken(instance):
        raise RuntimeError("extraction crashed")

    monkeypatch.setattr(notifications, "string_segments", broken)
    page.lead = "Labots ievads."
    with caplog.at_level(logging.ERROR, logger="cms.localize.notifications"):
        publish(page)
    page.refresh_from_db()
    assert page.live and page.lead == "Labots ievads."
    assert not mails_to(translator)
    assert "changed what translators translate" in caplog.text


def test_translations_that_were_stopped_or_never_made_tell_nobody(en, ltg, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    make_translator("anglu", en)
    latgalian = make_translator("latgalu", ltg)
    Translation.objects.filter(source__object_id=page.translation_key, target_locale=en).update(enabled=False)
    page.lead = "Labots ievads."
    publish(page)
    assert mail.outbox == []
    assert not mails_to(latgalian)


def test_publishing_a_translation_tells_nobody(en, publish, django_capture_on_commit_callbacks):
    page = translated_report([en], title="Miniforums", lead="Ievads.")
    make_translator("anglu", en)
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    for segment in StringSegment.objects.filter(source=translation.source):
        StringTranslation.objects.create(
            translation_of=segment.string, locale=en, context=segment.context, data=f"EN {segment.string.data}"
        )
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes on commit
        translation.save_target(publish=True)
    english = page.get_translation(en).specific
    assert english.live and english.lead == "EN Ievads."
    assert mail.outbox == []


def test_russian_translators_are_told_in_russian_terms(settings, publish):
    settings.WAGTAIL_CONTENT_LANGUAGES = settings.LANGUAGES = [
        ("lv", "Latviešu"),
        ("en", "English"),
        ("ltg", "Latgalīšu"),
        ("ru", "Русский"),
    ]
    ru, _created = Locale.objects.get_or_create(language_code="ru")
    page = translated_report([ru], title="Miniforums", lead="Ievads.")
    translator = make_translator("perevodchik", ru)
    page.lead = "Labots ievads."
    publish(page)
    [message] = mails_to(translator)
    assert "Русский" in message.subject


def test_an_editor_publishing_a_snippet_in_the_admin(en, ltg, django_capture_on_commit_callbacks):
    card = ContactCardFactory(name="Sanita Vjakse", position="Speciāliste", unit="IUK")
    card.save_revision().publish()
    translate_object(card, [en, ltg])
    # An editor who also translates into English: not told of their own change; the Latgalian translators are.
    editor = make_translator("redaktore", en, permissions=("access_admin", "change_contactcard", "publish_contactcard"))
    editor.is_superuser = True
    editor.save()
    latgalian = make_translator("latgalu", ltg)
    english = make_translator("anglu", en)
    client = Client(HTTP_HOST="localhost")
    client.force_login(editor)
    data = {
        "name": "Sanita Vjakse",
        "position": "Vadītāja",
        "unit": "IUK",
        "web_page": "https://example.org/kontakti/",
        "phone": "",
        "email": "",
        "address": "",
        "last_verified": "",
        "organisation": "",
        "action-publish": "action-publish",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wagtailsnippets_cms_contactcard:edit", args=[card.pk]), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.position == "Vadītāja"
    assert not mails_to(editor)
    [message] = mails_to(latgalian)
    assert "1 string is new or changed" in message.body
    latgalian_card = ContactCard.objects.get(translation_key=card.translation_key, locale=ltg)
    assert reverse("wagtailsnippets_cms_contactcard:edit", args=[latgalian_card.pk]) in message.body
    assert len(mails_to(english)) == 1


def test_the_count_is_against_the_translated_version_until_it_is_synchronised(en, publish):
    page = translated_report([en], title="Miniforums", lead="Ievads.", event_name="Forums")
    translator = make_translator("anglu", en)
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    segment = StringSegment.objects.get(source=translation.source, context__path="lead")
    StringTranslation.objects.create(translation_of=segment.string, locale=en, context=segment.context, data="Intro.")

    page.lead = "Labots ievads."
    publish(page)
    page.event_name = "Lielais forums"
    publish(page)
    assert "2 strings are new or changed" in mails_to(translator)[-1].body

    translation.source.update_from_db()  # synchronised: translators now have both
    page.event_name = "Vislielākais forums"
    publish(page)
    assert "1 string is new or changed" in mails_to(translator)[-1].body
