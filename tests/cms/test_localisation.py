"""The translators' workflow with wagtail-localize: drafts, segments, PO files, machine translation,
synchronisation and per-language rights."""

import io
from urllib.parse import urlsplit

import polib
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants as message_levels
from django.test import Client
from django.urls import reverse
from wagtail.models import Locale, Page
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from cms.factories.media import DocumentFactory, EmbedFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, PersonFactory
from cms.factories.streams import FollowUpsFactory, ReportBodyFactory, ResourcesFactory
from cms.models import EventReportPage, GroupLocalePermission, Person
from cms.translation import DeepLTranslator, DevelopmentTranslator

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def live_report(**kwargs):
    page = EventReportPageFactory(**kwargs)
    page.save_revision().publish()
    return page


def translate_everything(translation, text=lambda s: f"EN {s}"):
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text(segment.string.data)},
        )


def test_all_languages_exist_as_locales():
    assert set(Locale.objects.values_list("language_code", flat=True)) == {"lv", "en", "ltg"}


def test_submitting_a_live_page_creates_drafts_in_the_target_locales(en, ltg, admin_client):
    page = live_report(title="Miniforums")
    translate_object(page, [en, ltg])
    for locale in (en, ltg):
        translated = page.get_translation(locale)
        assert translated.live is False
    listing = admin_client.get("/api/v2/pages/?type=cms.EventReportPage").json()
    assert [item["meta"]["locale"] for item in listing["items"]] == ["lv"]


def test_a_sync_after_the_source_changed_never_writes_into_the_live_translation(
    en, publish, django_capture_on_commit_callbacks
):
    page = live_report(title="Miniforums", lead="Sākotnējais ievads.")
    translate_object(page, [en])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    translate_everything(translation)
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes on commit
        translation.save_target(publish=True)
    english = page.get_translation(en).specific
    english.refresh_from_db()
    assert english.live and english.lead == "EN Sākotnējais ievads."

    page.lead = "Labots ievads."
    publish(page)
    translation.source.update_from_db()
    translation.save_target(publish=False)  # what "sync" and the editor's draft save do

    english.refresh_from_db()
    assert english.live is True
    assert english.lead == "EN Sākotnējais ievads."  # the public still sees the published translation
    assert english.has_unpublished_changes is True
    draft = english.get_latest_revision_as_object()
    assert draft.lead == "Labots ievads."  # untranslated new text waits in the draft


def test_a_sync_never_unpublishes_a_live_snippet_translation(en, django_capture_on_commit_callbacks):
    person = PersonFactory(job_title="Direktore")
    person.save_revision().publish()
    translate_object(person, [en])
    translation = Translation.objects.get(source__object_id=person.translation_key, target_locale=en)
    translate_everything(translation, text=lambda s: "Director")
    with django_capture_on_commit_callbacks(execute=True):  # wagtail-localize publishes on commit
        translation.save_target(publish=True)
    english = Person.objects.get(translation_key=person.translation_key, locale=en)

    person.job_title = "Valdes priekšsēdētāja"
    person.save_revision().publish()
    translation.source.update_from_db()
    translation.save_target(publish=False)

    english.refresh_from_db()
    assert english.live is True and english.job_title == "Director"


def test_every_visible_string_of_every_block_is_offered_to_translators():
    person = PersonFactory()
    marker = iter(range(1000))

    def text(kind):
        return f"{kind} {next(marker)}"

    expected = set()

    def visible(kind):
        value = text(kind)
        expected.add(value)
        return value

    image, document, embed = ImageFactory(), DocumentFactory(), EmbedFactory()
    body = ReportBodyFactory.stream(
        [
            ("paragraph", f"<p>{visible('paragraph')}</p>"),
            ("heading", {"text": visible("heading")}),
            (
                "image",
                {
                    "image": image,
                    "alt_text": visible("alt"),
                    "caption": visible("caption"),
                    "credit": visible("credit"),
                },
            ),
            ("quote", {"text": visible("quote"), "attribution": visible("attribution")}),
            ("speaker", {"person": person, "role": visible("role"), "contribution": visible("contribution")}),
            (
                "talk",
                {
                    "speakers": [{"person": person, "role": visible("talk role"), "contribution": visible("said")}],
                    "title": visible("talk title"),
                    "summary": f"<p>{visible('summary')}</p>",
                    "slides": document,
                    "recording_url": "https://example.org/ieraksts",
                },
            ),
            (
                "discussion",
                {
                    "title": visible("discussion"),
                    "group_count": 2,
                    "moderators": [{"person": person, "parts": ("moderator",), "role": visible("moderator role")}],
                    "description": f"<p>{visible('description')}</p>",
                    "questions": [
                        {"question": visible("question"), "outcomes": [visible("outcome"), visible("outcome")]},
                        {"question": visible("question"), "outcomes": [visible("outcome")]},
                    ],
                    "conclusions": f"<p>{visible('conclusions')}</p>",
                },
            ),
            ("document", {"document": document, "title": visible("document"), "description": visible("doc about")}),
            ("video", {"embed": embed.url, "title": visible("video"), "caption": visible("video caption")}),
        ]
    )
    follow_ups = FollowUpsFactory.stream(
        [
            (
                "follow_up",
                {
                    "kind": "webinar",
                    "title": visible("follow-up"),
                    "description": visible("about"),
                    "period": visible("when"),
                },
            )
        ]
    )
    resources = ResourcesFactory.stream(
        [("resource", {"kind": "slides", "title": visible("resource"), "url": "https://example.org/slaidi"})]
    )
    page = live_report(
        body=body,
        follow_ups=follow_ups,
        contacts__0__contact=ContactCardFactory(),
        resources=resources,
        lead=visible("lead"),
        event_name=visible("event name"),
    )
    source, _created = TranslationSource.get_or_create_from_instance(page)
    offered = set(StringSegment.objects.filter(source=source).values_list("string__data", flat=True))
    missing = expected - offered
    assert not missing, f"not offered for translation: {sorted(missing)}"


def test_po_round_trip_and_a_stale_po_imports_what_still_matches(en, admin_client, publish):
    page = live_report(title="Miniforums", lead="Pirmais teikums.", event_name="Forums")
    translate_object(page, [en])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)

    download = admin_client.get(reverse("wagtail_localize:download_pofile", args=[translation.id]))
    po = polib.pofile(download.content.decode())
    for entry in po:
        entry.msgstr = f"EN {entry.msgid}"
    stale = str(po)

    # The source changes after the translator downloaded the file.
    page.lead = "Pilnīgi cits teikums."
    publish(page)
    translation.source.update_from_db()

    upload = admin_client.post(
        reverse("wagtail_localize:upload_pofile", args=[translation.id]),
        {"file": io.BytesIO(stale.encode()), "next": "/admin/"},
        follow=True,
    )
    warnings = [str(m) for m in upload.context["messages"] if m.level == message_levels.WARNING]
    assert len(warnings) == 1 and "“Pirmais teikums.”" in warnings[0], warnings
    translated = dict(StringTranslation.objects.filter(locale=en).values_list("translation_of__data", "data"))
    assert translated["Miniforums"] == "EN Miniforums"
    assert translated["Forums"] == "EN Forums"
    assert "Pilnīgi cits teikums." not in translated  # nothing invented for the new text


def test_machine_translation_fills_only_the_gaps(en, admin_client):
    page = live_report(title="Sociālā uzņēmējdarbība", lead="Vairāk nekā divdesmit dalībnieku.")
    translate_object(page, [en])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=en)
    title = StringSegment.objects.get(source=translation.source, context__path="title")
    StringTranslation.objects.create(
        translation_of=title.string, locale=en, context=title.context, data="Social entrepreneurship"
    )
    response = admin_client.post(reverse("wagtail_localize:machine_translate", args=[translation.id]))
    assert response.status_code == 302
    translated = dict(StringTranslation.objects.filter(locale=en).values_list("translation_of__data", "data"))
    assert translated["Sociālā uzņēmējdarbība"] == "Social entrepreneurship"  # the human translation stays
    assert translated["Vairāk nekā divdesmit dalībnieku."] == "dalībnieku. divdesmit nekā Vairāk"


def test_machine_translation_is_never_offered_for_latgalian(ltg, en, admin_client):
    lv = Locale.objects.get(language_code="lv")
    assert DevelopmentTranslator({}).can_translate(lv, ltg) is False
    assert DeepLTranslator({"AUTH_KEY": "test"}).can_translate(lv, ltg) is False
    assert DeepLTranslator({"AUTH_KEY": "test"}).can_translate(lv, en) is True
    page = live_report()
    translate_object(page, [ltg])
    translation = Translation.objects.get(source__object_id=page.translation_key, target_locale=ltg)
    response = admin_client.post(reverse("wagtail_localize:machine_translate", args=[translation.id]))
    assert response.status_code == 404
    assert not StringTranslation.objects.filter(locale=ltg).exists()


def test_translators_are_limited_to_their_language(en, ltg):
    group = Group.objects.create(name="English translators")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="change_person"),
        Permission.objects.get(codename="add_person"),
    )
    GroupLocalePermission.objects.create(group=group, locale=en)
    translator = get_user_model().objects.create_user("tulkotaja", "t@example.org", "pw")
    translator.groups.add(group)
    client = Client(HTTP_HOST="localhost")
    client.force_login(translator)

    person = PersonFactory()
    person.save_revision().publish()
    translate_object(person, [en, ltg])
    english = Person.objects.get(translation_key=person.translation_key, locale=en)
    latgalian = Person.objects.get(translation_key=person.translation_key, locale=ltg)

    def can_open(obj):
        response = client.get(reverse("wagtailsnippets_cms_person:edit", args=[obj.pk]))
        # Wagtail answers a refused admin page with a redirect to the dashboard and a message.
        assert response.status_code in (200, 302)
        return response.status_code == 200

    assert can_open(english)
    assert not can_open(latgalian)
    assert not can_open(person)
    ltg_translation = Translation.objects.get(source__object_id=person.translation_key, target_locale=ltg)
    upload = client.post(reverse("wagtail_localize:upload_pofile", args=[ltg_translation.id]), {})
    assert upload.status_code in (302, 403) and not StringTranslation.objects.filter(locale=ltg).exists()
    assert upload.status_code == 403 or upload["Location"].rstrip("/").endswith("/admin")


def test_latgalian_pages_are_served_under_ltg_with_latgalian_dates(ltg, django_capture_on_commit_callbacks):
    index = EventReportIndexPageFactory()
    index.save_revision().publish()
    page = live_report(parent=index, slug="forums")
    with django_capture_on_commit_callbacks(execute=True):
        # Submitted together, as the admin's "translate this page and its subpages" does.
        for obj in (index, page):
            translate_object(obj, [ltg])
        for obj in (index, page):
            translation = Translation.objects.get(source__object_id=obj.translation_key, target_locale=ltg)
            translate_everything(translation, text=lambda s: s)
            translation.save_target(publish=True)
    latgalian = page.get_translation(ltg)
    assert latgalian.live
    # Its URL is its front-end address; the CMS serves the same path under its own host (templates, previews).
    path = urlsplit(latgalian.url).path
    assert path.startswith("/ltg/")
    response = Client(HTTP_HOST="localhost").get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ltg">' in html
    assert "2020. goda 28. oktobris" in html  # the Latgalian DATE_FORMAT (cms.formats.ltg)


def test_api_does_not_redirect_to_a_language_prefix():
    response = Client(HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="en").get("/api/v2/pages/999999/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert Page.objects.filter(pk=999999).count() == 0
    assert EventReportPage.objects.count() == 0
