"""Translators' language limits hold for every action, on pages and on snippets (contact cards): who may do what,
in which language, driven over HTTP through the admin.

The matrix below is the rule. Each cell is one test: the role does the action on the object in that language, and
the outcome is checked in the database (and, for a refusal, in the response).
"""

import datetime
from dataclasses import dataclass, field

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from wagtail.fields import StreamField
from wagtail.models import GroupPagePermission, Locale, Page
from wagtail.test.utils.form_data import querydict_from_html
from wagtail.users.models import UserProfile
from wagtail_localize.models import StringSegment, StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.localize import rights
from cms.models import ContactCard, EventReportPage, GroupLocalePermission

pytestmark = pytest.mark.django_db

A = "A"  # allowed: the change happened
R = "R"  # refused: a 403, or a redirect with a message; nothing changed
P = "P"  # the sync ran, but the translation into that language was left as it was (and the user is told)
N = "N"  # not offered (404) to anyone: machine translation has no Latgalian

# Roles: superuser; editor: every right on pages and contact cards, no language limits; translator: limited to
# English, may edit (pages: add and change under the English root; contact cards: add and change); publisher:
# limited to English, may edit, publish and delete. Every group may submit translations.
#
# Columns: the language of what the action changes.
# - edit, publish, unpublish, delete, revert: the object in that language (lv: the Latvian source; en, ltg: its
#   translations; translations are edited in wagtail-localize's editor, reverted once their sync is stopped);
# - convert (to alias), PO download and upload, machine translation, stop: the translation into that language
#   (lv: the Latvian translation of an English original);
# - submit: submitting a new object for translation into that language;
# - sync, sync+publish: syncing the source of the translation into that language (en, ltg: the Latvian source;
#   lv: the English original), the source having changed; the cell says what happened to that translation.
EXPECTED = """
                              superuser   editor      translator  publisher
                              lv en ltg   lv en ltg   lv en ltg   lv en ltg
page     edit                 A  A  A     A  A  A     R  A  R     R  A  R
page     publish              A  A  A     A  A  A     R  R  R     R  A  R
page     unpublish            A  A  A     A  A  A     R  R  R     R  A  R
page     delete               A  A  A     A  A  A     R  R  R     R  A  R
page     revert               A  A  A     A  A  A     R  A  R     R  A  R
page     convert              A  A  A     A  A  A     R  R  R     R  A  R
page     sync                 A  A  A     A  A  A     A  R  R     A  R  R
page     sync+publish         A  A  A     A  A  A     P  R  R     P  R  R
page     po-download          A  A  A     A  A  A     R  A  R     R  A  R
page     po-upload            A  A  A     A  A  A     R  A  R     R  A  R
page     machine              A  A  N     A  A  N     R  A  R     R  A  R
page     submit               A  A  A     A  A  A     R  A  R     R  A  R
page     stop                 A  A  A     A  A  A     R  A  R     R  A  R
snippet  edit                 A  A  A     A  A  A     R  A  R     R  A  R
snippet  publish              A  A  A     A  A  A     R  R  R     R  A  R
snippet  unpublish            A  A  A     A  A  A     R  R  R     R  A  R
snippet  delete               A  A  A     A  A  A     R  R  R     R  A  R
snippet  revert               A  A  A     A  A  A     R  A  R     R  A  R
snippet  sync                 A  A  A     A  A  A     A  R  R     A  R  R
snippet  sync+publish         A  A  A     A  A  A     P  R  R     P  R  R
snippet  po-download          A  A  A     A  A  A     R  A  R     R  A  R
snippet  po-upload            A  A  A     A  A  A     R  A  R     R  A  R
snippet  machine              A  A  N     A  A  N     R  A  R     R  A  R
snippet  submit               A  A  A     A  A  A     R  A  R     R  A  R
snippet  stop                 A  A  A     A  A  A     R  A  R     R  A  R
"""
ROLES = ("superuser", "editor", "translator", "publisher")
LANGUAGES = ("lv", "en", "ltg")


def matrix():
    cells = []
    for line in EXPECTED.strip().splitlines()[2:]:
        kind, action, *outcomes = line.split()
        assert len(outcomes) == len(ROLES) * len(LANGUAGES), line
        for index, outcome in enumerate(outcomes):
            role, language = ROLES[index // len(LANGUAGES)], LANGUAGES[index % len(LANGUAGES)]
            cells.append(pytest.param(kind, action, role, language, outcome, id=f"{kind}-{action}-{role}-{language}"))
    return cells


# --- The world: a Latvian source translated into English and Latgalian, an English original translated into
# Latvian, for pages and for contact cards; everything translated and live. -------------------------------------


@dataclass
class Family:
    source: object
    translations: dict = field(default_factory=dict)  # language code → Translation


@dataclass
class World:
    locales: dict
    indexes: dict  # language code → the report index in that language
    latvian: dict  # kind → Family of a Latvian source (translated into en, ltg)
    english: dict  # kind → Family of an English original (translated into lv)
    users: dict  # role → user

    def client(self, role):
        # A new client for each test: no message left over from an earlier test.
        return client_for(self.users[role])

    @property
    def admin(self):
        return self.client("superuser")

    def instance(self, kind, language):
        """The object in ``language``: the Latvian source, or its translation."""
        family = self.latvian[kind]
        if language == "lv":
            return refetch(family.source)
        return family.translations[language].get_target_instance()

    def translation(self, kind, language):
        """The translation into ``language`` (into Latvian: of the English original)."""
        family = self.english[kind] if language == "lv" else self.latvian[kind]
        return Translation.objects.get(pk=family.translations[language].pk)


def refetch(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def fill(translation, text=None):
    """Translates every string of ``translation``'s source, as a translator would."""
    prefix = translation.target_locale.language_code.upper()
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text or f"{prefix} {segment.string.data}"},
        )


def translated_and_live(obj, locales):
    translate_object(obj, locales)
    family = Family(source=obj)
    for locale in locales:
        translation = Translation.objects.get(source__object_id=obj.translation_key, target_locale=locale)
        fill(translation)
        with after_commit():
            translation.save_target(publish=True)
        family.translations[locale.language_code] = translation
    return family


def after_commit():
    """Runs what waits for the transaction to commit (wagtail-localize publishes then), as a real request would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def send(client, method, url, *args, **kwargs):
    with after_commit():
        return getattr(client, method)(url, *args, **kwargs)


def live(obj):
    obj.save_revision().publish()
    return refetch(obj)


PAGE_RIGHTS = {
    "editor": ("add", "change", "publish", "bulk_delete", "lock", "unlock"),
    "translator": ("add", "change"),
    "publisher": ("add", "change", "publish"),
}
CONTACT_CARD_RIGHTS = {
    "editor": ("add", "change", "delete", "publish"),
    "translator": ("add", "change"),
    "publisher": ("add", "change", "delete", "publish"),
}


def make_user(name, *, superuser=False):
    users = get_user_model().objects
    if superuser:
        user = users.create_superuser(name, f"{name}@example.org", "pw")
    else:
        user = users.create_user(name, f"{name}@example.org", "pw")
    # The assertions read the English source messages.
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


def role_user(role, page_root, locales=()):
    if role == "superuser":
        return make_user("superuser", superuser=True)
    group = Group.objects.create(name=role)
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="submit_translation"),
        *Permission.objects.filter(codename__in=[f"{right}_contactcard" for right in CONTACT_CARD_RIGHTS[role]]),
    )
    for right in PAGE_RIGHTS[role]:
        GroupPagePermission.objects.create(group=group, page=page_root, permission_type=right)
    for locale in locales:
        GroupLocalePermission.objects.create(group=group, locale=locale)
    user = make_user(role)
    user.groups.add(group)
    return user


def client_for(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def build_world():
    locales = {code: Locale.objects.get(language_code=code) for code in LANGUAGES}
    lv, en, ltg = locales["lv"], locales["en"], locales["ltg"]
    lv_index = live(EventReportIndexPageFactory())
    translated_and_live(lv_index, [en, ltg])
    indexes = {"lv": lv_index, **{code: lv_index.get_translation(locales[code]) for code in ("en", "ltg")}}
    latvian = {
        "page": translated_and_live(live(EventReportPageFactory(parent=lv_index, title="Forums")), [en, ltg]),
        "snippet": translated_and_live(live(ContactCardFactory()), [en, ltg]),
    }
    english = {
        "page": translated_and_live(live(EventReportPageFactory(parent=indexes["en"], locale=en, title="Forum")), [lv]),
        "snippet": translated_and_live(live(ContactCardFactory(locale=en)), [lv]),
    }
    root = Page.get_first_root_node()
    english_root = indexes["en"].get_parent()
    users = {
        "superuser": role_user("superuser", root),
        "editor": role_user("editor", root),
        "translator": role_user("translator", english_root, [en]),
        "publisher": role_user("publisher", english_root, [en]),
    }
    return World(locales=locales, indexes=indexes, latvian=latvian, english=english, users=users)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Built once for the module, in a transaction rolled back at its end; each test runs in a savepoint inside it.
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


# --- The actions. Each does its request as the role and says whether the change happened. ----------------------


@dataclass
class Done:
    response: object
    changed: bool  # the action did what it is for
    touched: bool = None  # anything changed at all (a sync: the source was synced); by default ``changed``
    untouched_translation: bool = False  # for a sync: the translation in the cell's language was left as it was

    def __post_init__(self):
        if self.touched is None:
            self.touched = self.changed


def messages_of(response):
    return list(get_messages(response.wsgi_request))


def edit_url(obj):
    if isinstance(obj, Page):
        return reverse("wagtailadmin_pages:edit", args=[obj.pk])
    return reverse("wagtailsnippets_cms_contactcard:edit", args=[obj.pk])


def snippet_url(name, *args):
    return reverse(f"wagtailsnippets_cms_contactcard:{name}", args=args)


def scraped_form(world, url):
    """The form of an admin page as the browser would send it (read as the superuser, who may see it)."""
    response = world.admin.get(url)
    assert response.status_code == 200, url
    soup = BeautifulSoup(response.content, "html.parser")
    form = soup.find("form", attrs={"id": ["page-edit-form", "w-editor-form"]})
    assert form is not None, url
    data = querydict_from_html(str(form)).copy()
    # StreamFields are filled in by the browser's script; the pages here have them empty.
    obj = response.context["object"] if "object" in response.context else response.context["page"]
    for stream in (f for f in type(obj)._meta.get_fields() if isinstance(f, StreamField)):
        assert not getattr(obj, stream.name), f"{stream.name} is not empty: post it by hand"
        data[f"{stream.name}-count"] = "0"
    return form.get("action") or url, data


TEXT_FIELD = {"page": "lead", "snippet": "position"}
SYNCED_FIELD = {
    "page": ("start_date", datetime.date(2021, 3, 4)),
    "snippet": ("web_page", "https://example.org/jauna/"),
}


def segment_of(translation, kind):
    return StringSegment.objects.select_related("string", "context").get(
        source=translation.source, context__path=TEXT_FIELD[kind]
    )


def do_edit(world, client, kind, language):
    field_name = TEXT_FIELD[kind]
    if language == "lv":
        obj = world.instance(kind, language)
        url, data = scraped_form(world, edit_url(obj))
        data[field_name] = "Labots teksts"
        response = send(client, "post", url, data)
        changed = getattr(refetch(obj).get_latest_revision_as_object(), field_name) == "Labots teksts"
        return Done(response, changed)
    # A synced translation is edited string by string in wagtail-localize's editor.
    translation = world.translation(kind, language)
    segment = segment_of(translation, kind)
    url = reverse("wagtail_localize:edit_string_translation", args=[translation.pk, segment.pk])
    response = send(client, "put", url, "value=Edited", content_type="application/x-www-form-urlencoded")
    changed = StringTranslation.objects.filter(
        translation_of=segment.string, context=segment.context, locale=translation.target_locale, data="Edited"
    ).exists()
    return Done(response, changed)


def do_publish(world, client, kind, language):
    field_name = TEXT_FIELD[kind]
    obj = world.instance(kind, language)
    if language == "lv":
        url, data = scraped_form(world, edit_url(obj))
        data[field_name] = "Jauns teksts"
        data["action-publish"] = "action-publish"
        response = send(client, "post", url, data)
    else:
        translation = world.translation(kind, language)
        segment = segment_of(translation, kind)
        StringTranslation.objects.filter(
            translation_of=segment.string, context=segment.context, locale=translation.target_locale
        ).update(data="Jauns teksts")
        response = send(client, "post", edit_url(obj), {"action": "publish"})
    return Done(response, getattr(refetch(obj), field_name) == "Jauns teksts")


def do_unpublish(world, client, kind, language):
    obj = world.instance(kind, language)
    url = reverse("wagtailadmin_pages:unpublish", args=[obj.pk]) if kind == "page" else snippet_url("unpublish", obj.pk)
    response = send(client, "post", url)
    return Done(response, not refetch(obj).live)


def do_delete(world, client, kind, language):
    obj = world.instance(kind, language)
    url = reverse("wagtailadmin_pages:delete", args=[obj.pk]) if kind == "page" else snippet_url("delete", obj.pk)
    response = send(client, "post", url)
    return Done(response, not type(obj)._default_manager.filter(pk=obj.pk).exists())


def do_revert(world, client, kind, language):
    field_name = TEXT_FIELD[kind]
    if language != "lv":
        # Wagtail's own views edit a translation whose sync was stopped.
        Translation.objects.filter(pk=world.translation(kind, language).pk).update(enabled=False)
    obj = world.instance(kind, language)
    published = obj.live_revision
    original = getattr(obj, field_name)
    setattr(obj, field_name, "Vēlāks teksts")
    obj.save_revision()
    if kind == "page":
        url = reverse("wagtailadmin_pages:revisions_revert", args=[obj.pk, published.pk])
    else:
        url = snippet_url("revisions_revert", obj.pk, published.pk)
    action, data = scraped_form(world, url)
    response = send(client, "post", action, data)
    latest = refetch(obj).get_latest_revision_as_object()
    return Done(response, getattr(latest, field_name) == original)


def do_convert(world, client, kind, language):
    page = world.translation(kind, language).get_target_instance()
    response = send(client, "post", reverse("wagtail_localize:convert_to_alias", args=[page.pk]))
    return Done(response, refetch(page).alias_of_id is not None)


def changed_source(world, kind, language):
    """The source of the translation into ``language``, changed (in a synchronised field) and published."""
    translation = world.translation(kind, language)
    source = translation.source.get_source_instance()
    name, value = SYNCED_FIELD[kind]
    setattr(source, name, value)
    live(source)
    return translation


def do_sync(world, client, kind, language, publish=False):
    translation = changed_source(world, kind, language)
    name, value = SYNCED_FIELD[kind]
    url = reverse("wagtail_localize:update_translations", args=[translation.source_id])
    response = send(client, "post", url, {"publish_translations": "on"} if publish else {})
    source = TranslationSource.objects.get(pk=translation.source_id)
    synced = str(value) in source.content_json
    target_value = getattr(translation.get_target_instance(), name)
    if not publish:
        return Done(response, synced)
    return Done(
        response,
        synced and target_value == value,
        touched=synced or target_value == value,
        untouched_translation=synced and target_value != value,
    )


def do_sync_and_publish(world, client, kind, language):
    return do_sync(world, client, kind, language, publish=True)


def do_po_download(world, client, kind, language):
    translation = world.translation(kind, language)
    response = send(client, "get", reverse("wagtail_localize:download_pofile", args=[translation.pk]))
    served = response.status_code == 200 and response["Content-Type"].startswith("text/x-gettext-translation")
    return Done(response, served)


def do_po_upload(world, client, kind, language):
    translation = world.translation(kind, language)
    po = translation.export_po()
    for entry in po:
        entry.msgstr = f"Augšupielādēts {entry.msgid}"
    upload = SimpleUploadedFile("translation.po", str(po).encode(), content_type="text/x-gettext-translation")
    response = send(
        client,
        "post",
        reverse("wagtail_localize:upload_pofile", args=[translation.pk]),
        {"file": upload, "next": "/admin/"},
    )
    changed = StringTranslation.objects.filter(
        locale=translation.target_locale, data__startswith="Augšupielādēts"
    ).exists()
    return Done(response, changed)


def do_machine(world, client, kind, language):
    translation = world.translation(kind, language)
    segment = segment_of(translation, kind)
    StringTranslation.objects.filter(
        translation_of=segment.string, context=segment.context, locale=translation.target_locale
    ).delete()
    response = send(
        client, "post", reverse("wagtail_localize:machine_translate", args=[translation.pk]), {"next": "/admin/"}
    )
    changed = StringTranslation.objects.filter(
        translation_of=segment.string, context=segment.context, locale=translation.target_locale
    ).exists()
    return Done(response, changed)


def do_submit(world, client, kind, language):
    target = world.locales[language]
    # A new object in another language than the target: an English original for Latvian, else a Latvian one.
    if kind == "page":
        if language == "lv":
            obj = EventReportPageFactory(parent=refetch(world.indexes["en"]), locale=world.locales["en"])
        else:
            obj = EventReportPageFactory(parent=refetch(world.indexes["lv"]))
        url = reverse("wagtail_localize:submit_page_translation", args=[obj.pk])
        model = EventReportPage
    else:
        obj = ContactCardFactory(locale=world.locales["en"]) if language == "lv" else ContactCardFactory()
        url = reverse("wagtail_localize:submit_snippet_translation", args=["cms", "contactcard", obj.pk])
        model = ContactCard
    response = send(client, "post", url, {"locales": [target.pk]})
    return Done(response, model.objects.filter(translation_key=obj.translation_key, locale=target).exists())


def do_stop(world, client, kind, language):
    translation = world.translation(kind, language)
    response = send(
        client, "post", reverse("wagtail_localize:stop_translation", args=[translation.pk]), {"next": "/admin/"}
    )
    return Done(response, not Translation.objects.get(pk=translation.pk).enabled)


ACTIONS = {
    "edit": do_edit,
    "publish": do_publish,
    "unpublish": do_unpublish,
    "delete": do_delete,
    "revert": do_revert,
    "convert": do_convert,
    "sync": do_sync,
    "sync+publish": do_sync_and_publish,
    "po-download": do_po_download,
    "po-upload": do_po_upload,
    "machine": do_machine,
    "submit": do_submit,
    "stop": do_stop,
}


def refused(response):
    if response.status_code == 403:
        return True
    errors = [m for m in messages_of(response) if m.level == message_levels.ERROR]
    return response.status_code == 302 and bool(errors)


@pytest.mark.parametrize(("kind", "action", "role", "language", "expected"), matrix())
def test_rights_matrix(world, kind, action, role, language, expected):
    done = ACTIONS[action](world, world.client(role), kind, language)
    response = done.response
    if expected == A:
        assert done.changed, f"{role} could not {action} the {kind} in {language} ({response.status_code})"
        assert response.status_code < 400
    elif expected == R:
        assert not done.touched, f"{role} could {action} the {kind} in {language}"
        assert refused(response), f"no refusal: {response.status_code} {messages_of(response)}"
    elif expected == P:
        assert done.untouched_translation, "the sync should run and leave the translation as it was"
        language_name = {"lv": "Latvian", "en": "English", "ltg": "Latgalian"}[language]
        warnings = [str(m) for m in messages_of(response) if m.level == message_levels.WARNING]
        assert any(warning.startswith(f"{language_name}: you may not publish") for warning in warnings), warnings
    else:
        assert expected == N
        assert response.status_code == 404 and not done.changed


# --- Beyond the matrix: every snippet view, creation, bulk actions, page rights, what the sync says ---------------


def error_messages(response):
    return [str(m) for m in messages_of(response) if m.level == message_levels.ERROR]


def snapshot(card):
    """Everything an action could change about a contact card."""
    row = ContactCard.objects.filter(pk=card.pk).values().first()
    return row, card.revisions.count(), list(card.revisions.values_list("approved_go_live_at", flat=True))


def object_urls(card):
    """Every URL of the contact cards' admin that names an object, with its view's name."""
    viewset = ContactCard.snippet_viewset
    known = {
        "pk": card.pk,
        "revision_id": card.live_revision_id,
        "revision_id_a": "earliest",
        "revision_id_b": "latest",
    }
    for entry in viewset.get_urlpatterns():
        pattern = entry.pattern
        names = pattern.converters if hasattr(pattern, "converters") else pattern.regex.groupindex
        if "pk" in names:
            # Views a later Wagtail adds get placeholder arguments: the language check comes first.
            kwargs = {name: known.get(name, 1) for name in names}
            yield entry.name, reverse(viewset.get_url_name(entry.name), kwargs=kwargs)


@pytest.mark.parametrize("language", ["lv", "ltg", "ru"])
def test_every_snippet_view_that_changes_an_object_refuses_other_languages(world, language, request):
    if language == "ru":
        ru = request.getfixturevalue("ru")
        card = refetch(world.latvian["snippet"].source)
        translated_and_live(card, [ru])
        card = ContactCard.objects.get(translation_key=card.translation_key, locale=ru)
    else:
        card = world.instance("snippet", language)
    views = dict(object_urls(card))
    assert {"edit", "delete", "unpublish", "revisions_revert", "revisions_unschedule", "copy"} <= set(views)
    before = snapshot(card)
    for name, url in views.items():
        if name in rights.READ_ONLY_VIEWS:
            # Not refused for its language (a revision's preview still needs a preview token, see
            # cms.models.preview: only those who may edit the object get one).
            response = send(world.client("publisher"), "get", url)
            assert response.status_code in (200, 403) and not error_messages(response), name
            continue
        for method in ("get", "post"):
            # The publisher has every right on contact cards, in English only.
            response = send(world.client("publisher"), method, url)
            assert response.status_code == 302, (name, method, response.status_code)
            assert response["Location"] == reverse("wagtailsnippets_cms_contactcard:list")
            (message,) = error_messages(response)
            assert message.startswith("You may only change content in English; this is in "), message
    assert snapshot(card) == before


def card_form(**overrides):
    return {"name": "Jana", "position": "Speciāliste", "unit": "", "web_page": "https://example.org/", **overrides}


def test_snippets_are_created_only_in_the_users_languages(world):
    client = world.client("publisher")
    add = reverse("wagtailsnippets_cms_contactcard:add")
    before = ContactCard.objects.count()
    for query in ("?locale=lv", "?locale=ltg", ""):  # without ?locale=, Wagtail creates in Latvian
        response = send(client, "post", add + query, card_form(name=f"Kartīte{query}"))
        assert response.status_code == 302 and error_messages(response), query
        assert send(client, "get", add + query).status_code == 302
    assert ContactCard.objects.count() == before
    assert send(client, "get", add + "?locale=en").status_code == 200
    response = send(client, "post", add + "?locale=en", card_form(name="Jane"))
    assert response.status_code == 302 and not error_messages(response)
    assert ContactCard.objects.get(name="Jane").locale == world.locales["en"]


def test_bulk_deletion_leaves_other_languages_alone(world):
    latvian, english = world.instance("snippet", "lv"), world.instance("snippet", "en")
    url = reverse("wagtail_bulk_action", args=["cms", "contactcard", "delete"])
    response = send(world.client("publisher"), "post", f"{url}?id={latvian.pk}&id={english.pk}")
    assert response.status_code == 302
    assert ContactCard.objects.filter(pk=latvian.pk).exists()
    assert not ContactCard.objects.filter(pk=english.pk).exists()


def test_a_bulk_action_over_other_languages_is_refused_whole(world, rf):
    from django.contrib.messages.storage.fallback import FallbackStorage

    request = rf.post("/admin/bulk/")
    request.user = world.users["publisher"]
    request.session = {}
    request._messages = FallbackStorage(request)
    pages = [world.instance("page", "en"), world.instance("page", "lv")]

    class Action:
        next_url = "/admin/pages/"

    response = rights.refuse_bulk_action(request, "unpublish", pages, Action())
    assert response.status_code == 302 and response["Location"] == "/admin/pages/"
    assert [str(m) for m in request._messages] == ["You may only change content in English; this is in Latvian."]
    assert rights.refuse_bulk_action(request, "unpublish", pages[:1], Action()) is None
    request.user = world.users["editor"]
    assert rights.refuse_bulk_action(request, "unpublish", pages, Action()) is None


def test_translators_cannot_move_copy_or_bulk_change_pages_of_other_languages(world):
    client = world.client("publisher")
    latvian, english = world.instance("page", "lv"), world.instance("page", "en")
    # Move the Latvian report into the English index, the English one into the Latvian index.
    move = reverse("wagtailadmin_pages:move_confirm", args=[latvian.pk, world.indexes["en"].pk])
    assert send(client, "post", move).status_code == 302
    move = reverse("wagtailadmin_pages:move_confirm", args=[english.pk, world.indexes["lv"].pk])
    assert send(client, "post", move).status_code == 302
    copy = reverse("wagtailadmin_pages:copy", args=[latvian.pk])
    response = send(
        client, "post", copy, {"new_title": "Kopija", "new_slug": "kopija", "new_parent_page": english.get_parent().pk}
    )
    assert response.status_code == 302 and error_messages(response)
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    send(client, "post", f"{url}?id={latvian.pk}")
    assert refetch(latvian).get_parent().pk == world.indexes["lv"].pk and refetch(latvian).live
    assert refetch(english).get_parent().pk == world.indexes["en"].pk
    assert not Page.objects.filter(slug="kopija").exists()
    # The same user may move and unpublish in English.
    send(client, "post", f"{url}?id={english.pk}")
    assert not refetch(english).live


def test_page_rights_granted_above_the_language_trees_count_for_no_language(world):
    group = Group.objects.create(name="English translators with rights on the root")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for right in ("add", "change", "publish"):
        GroupPagePermission.objects.create(group=group, page=Page.get_first_root_node(), permission_type=right)
    GroupLocalePermission.objects.create(group=group, locale=world.locales["en"])
    user = make_user("root-translator")
    user.groups.add(group)
    client = client_for(user)
    for language in ("lv", "en"):
        page = world.instance("page", language)
        assert not page.permissions_for_user(get_user_model().objects.get(pk=user.pk)).can_edit()
        response = send(client, "post", reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
        assert response.status_code == 302 and refetch(page).live
    # Without the language limit, the same rights reach every tree.
    GroupLocalePermission.objects.filter(group=group).delete()
    assert world.instance("page", "lv").permissions_for_user(get_user_model().objects.get(pk=user.pk)).can_edit()


def test_the_policy_offers_no_links_into_other_languages(world):
    from wagtail.admin.admin_url_finder import AdminURLFinder

    finder = AdminURLFinder(world.users["translator"])
    assert finder.get_edit_url(world.instance("snippet", "lv")) is None
    assert finder.get_edit_url(world.instance("snippet", "en")) == edit_url(world.instance("snippet", "en"))
    policy = ContactCard.snippet_viewset.permission_policy
    assert isinstance(policy, rights.LanguagePermissionPolicy)
    editable = policy.instances_user_has_permission_for(world.users["translator"], "change")
    assert set(editable.values_list("locale__language_code", flat=True)) == {"en"}


def test_a_translatable_snippet_without_language_limits_stops_the_site(monkeypatch):
    from wagtail.snippets.views.snippets import SnippetViewSet

    assert rights.check_snippet_viewsets() == []
    monkeypatch.setattr(ContactCard, "snippet_viewset", SnippetViewSet(model=ContactCard))
    (error,) = rights.check_snippet_viewsets()
    assert error.id == "cms.E101" and "cms.ContactCard" in error.msg


def test_wagtail_localizes_addresses_are_served_by_the_checked_views():
    from django.urls import resolve

    from cms.localize import po, views

    served = {
        reverse("wagtail_localize:update_translations", args=[1]): views.update_translations,
        reverse("wagtail_localize:convert_to_alias", args=[1]): views.convert_to_alias,
        reverse("wagtail_localize:upload_pofile", args=[1]): po.upload_pofile,
    }
    for url, view in served.items():
        # The admin's URLs are decorated (admin access): the view is the one below the decorators.
        assert resolve(url)._func_path == f"{view.__module__}.{view.__qualname__}", url
    page = resolve(reverse("wagtail_localize:submit_page_translation", args=[1])).func
    snippet = resolve(reverse("wagtail_localize:submit_snippet_translation", args=["cms", "contactcard", 1])).func
    assert page.view_class is views.SubmitPageTranslationView
    assert snippet.view_class is views.SubmitSnippetTranslationView


def test_the_submit_form_offers_only_the_users_languages(world):
    card = ContactCardFactory()
    url = reverse("wagtail_localize:submit_snippet_translation", args=["cms", "contactcard", card.pk])
    offered = send(world.client("translator"), "get", url).context["form"].fields["locales"].queryset
    assert [locale.language_code for locale in offered] == ["en"]
    offered = send(world.client("editor"), "get", url).context["form"].fields["locales"].queryset
    assert {locale.language_code for locale in offered} == {"en", "ltg"}
    response = send(world.client("translator"), "post", url, {"locales": [world.locales["ltg"].pk]})
    assert error_messages(response) == ["You may not create translations in Latgalian."]
    assert response["Location"] == url


def test_converting_to_an_alias_tells_an_editing_translator_why_not(world):
    page = world.translation("page", "en").get_target_instance()
    response = send(world.client("translator"), "post", reverse("wagtail_localize:convert_to_alias", args=[page.pk]))
    assert response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert error_messages(response) == [
        "Converting this page into an alias replaces its English content with the source's and publishes it: "
        "only those who may publish and unpublish this page may do it."
    ]
    assert refetch(page).alias_of_id is None


def test_a_sync_publishes_only_where_the_user_may_and_says_where_not(world):
    group = Group.objects.create(name="Latvian and English editors")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="submit_translation"),
        *Permission.objects.filter(codename__in=["change_contactcard", "publish_contactcard"]),
    )
    for code in ("lv", "en"):
        GroupLocalePermission.objects.create(group=group, locale=world.locales[code])
    user = make_user("bilingual")
    user.groups.add(group)
    translation = changed_source(world, "snippet", "en")
    url = reverse("wagtail_localize:update_translations", args=[translation.source_id])
    response = send(client_for(user), "post", url, {"publish_translations": "on"})
    assert response.status_code == 302
    warnings = [str(m) for m in messages_of(response) if m.level == message_levels.WARNING]
    assert warnings == ["Latgalian: you may not publish in this language; the translation was left as it was."]
    new_address = SYNCED_FIELD["snippet"][1]
    assert world.instance("snippet", "en").web_page == new_address
    assert world.instance("snippet", "ltg").web_page != new_address


def test_a_sync_says_which_languages_were_not_published_for_want_of_translations(world):
    source = refetch(world.latvian["snippet"].source)
    source.position = "Jauns amats"
    source.address = "Atbrīvošanas aleja 95"
    live(source)
    translation = world.translation("snippet", "en")
    url = reverse("wagtail_localize:update_translations", args=[translation.source_id])
    response = send(world.client("editor"), "post", url, {"publish_translations": "on"})
    warnings = sorted(str(m) for m in messages_of(response) if m.level == message_levels.WARNING)
    assert warnings == [
        "English: 2 strings are not translated yet; the translation was not published.",
        "Latgalian: 2 strings are not translated yet; the translation was not published.",
    ]
    assert world.instance("snippet", "en").position != "Jauns amats"


def test_machine_translation_in_a_sync_needs_every_language_of_the_sync(world):
    translation = changed_source(world, "snippet", "lv")  # the English original, translated into Latvian
    segment = segment_of(translation, "snippet")
    StringTranslation.objects.filter(translation_of=segment.string, locale=world.locales["lv"]).delete()
    source_before = TranslationSource.objects.get(pk=translation.source_id).content_json
    url = reverse("wagtail_localize:update_translations", args=[translation.source_id])
    response = send(world.client("translator"), "post", url, {"use_machine_translation": "on"})
    assert response.status_code == 302
    (message,) = error_messages(response)
    assert message.startswith(
        "Machine translation in a sync fills in every language of the sync, and you may not change content in Latvian."
    )
    assert TranslationSource.objects.get(pk=translation.source_id).content_json == source_before
    assert not StringTranslation.objects.filter(translation_of=segment.string, locale=world.locales["lv"]).exists()
