"""The admin speaks Latvian on every screen an editor or a translator meets.

Wagtail's own Latvian catalogue covers about a third of its admin strings and wagtail-localize's almost none, so the
project ships the missing (and corrected) translations in its own catalogue (cms/locale, which wins over theirs).
These tests render the screens of the editors' and translators' day with the Django test client for a Latvian
user and fail, naming the screen and the string, when a visible text or a user-facing attribute is one of the
English source strings of those upstream catalogues. They also hold the catalogues to being complete: every
upstream msgid translated (Latvian), the JavaScript strings of the admin included, and on the translator's screens
nothing left to the Latvian fallback in Latgalian.
"""

import functools
import html
import importlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import polib
import pytest
from bs4 import BeautifulSoup, Comment
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import Locale, Page, Workflow, WorkflowState
from wagtail.users.models import UserProfile
from wagtail_localize.models import Translation
from wagtail_localize.operations import translate_object

from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import (
    ContactCardFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    TopicFactory,
)
from cms.models import EventReportPage

CMS_LOCALE = Path(apps.get_app_config("cms").path) / "locale"


# --- The upstream catalogues ----------------------------------------------------------------------------------
def upstream_apps():
    """The installed apps whose admin strings the project translates: Wagtail's and wagtail-localize's."""
    return [name for name in settings.INSTALLED_APPS if name.split(".")[0] in {"wagtail", "wagtail_localize"}]


def upstream_templates(domain):
    """Each upstream app's English catalogue: its template, listing every msgid of its code and templates."""
    paths = []
    for name in upstream_apps():
        path = Path(importlib.import_module(name).__file__).parent / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
        if path.exists():
            paths.append(path)
    return paths


@functools.cache
def upstream_entries(domain):
    entries = {}
    for path in upstream_templates(domain):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                entries.setdefault((entry.msgctxt, entry.msgid), entry)
    return entries


def catalogue_path(domain, language):
    if domain == "django":
        return CMS_LOCALE / language / "LC_MESSAGES" / "django.po"
    return CMS_LOCALE / "djangojs" / language / "LC_MESSAGES" / "djangojs.po"


@functools.cache
def catalogue(domain, language):
    return {(e.msgctxt, e.msgid): e for e in polib.pofile(str(catalogue_path(domain, language))) if not e.obsolete}


def translated(entry):
    return entry is not None and entry.translated() and "fuzzy" not in entry.flags


# --- Finding English on a screen ---------------------------------------------------------------------------------
# Upstream strings whose Latvian reads the same (names): shown as they are, never flagged. The set is what the
# catalogue translates as itself (test_same_in_latvian_is_what_the_catalogue_says).
SAME_IN_LATVIAN = {"URL", "Wagtail API v2", "Wagtail API v3"}
# English that an upstream template writes without marking it for translation, so no catalogue can change it:
# (element, attribute, text) -> (the template that holds it, the markup there). Overriding the whole template for
# it would cost more than the string (it is read by screen readers only). Each is checked to still be written so
# upstream (test_hard_coded_upstream_english_is_still_hard_coded): once Wagtail marks it for translation, the
# exception goes and the catalogue translates it.
HARD_CODED_UPSTREAM = {
    # The search form's submit button, visually hidden (the form searches as the editor types).
    ("input", "value", "Search"): ("wagtailadmin/shared/header.html", '<input type="submit" value="Search"'),
}
# Placeholders of the three formats upstream uses: %(name)s, %s, {name}/{}.
PLACEHOLDER = re.compile(r"%\([^)]+\)[sdif]|%[sdif]|\{[^{}]*\}")
TAG = re.compile(r"<[^>]+>")
# A template or attribute text that names an English word: what a placeholder-only msgid ("%(a)s: %(b)s") lacks.
ENGLISH_WORD = re.compile(r"[A-Za-z]{3,}")
# Keys of the JSON an admin page carries (telepath data, sidebar, block definitions, wagtailConfig) whose values
# are shown to the user. Everything else there is an icon, a class name, a URL or an identifier.
JSON_TEXT_KEYS = {
    "label",
    "description",
    "heading",
    "helpText",
    "help_text",
    "error_name",
    "footer_text",
    "title",
    "text",
    "placeholder",
    "_val",
    "ariaLabel",
    "addButtonText",
}
ATTRIBUTES = ("title", "placeholder", "aria-label", "alt", "aria-description", "data-w-tooltip-content-value")
BUTTON_INPUTS = {"submit", "button", "reset"}


def normalise(text):
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


@dataclass(frozen=True)
class Matcher:
    """Recognises the English source strings of the upstream catalogues in rendered text."""

    exact: dict
    patterns: list

    @classmethod
    def for_msgids(cls, msgids):
        exact, patterns = {}, []
        for msgid in msgids:
            text = normalise(TAG.sub("", msgid))
            if not ENGLISH_WORD.search(PLACEHOLDER.sub("", text)) or text in SAME_IN_LATVIAN:
                continue
            if PLACEHOLDER.search(text):
                parts = PLACEHOLDER.split(text)
                regex = "(.+?)".join(re.escape(part) for part in parts)
                patterns.append((re.compile(rf"^{regex}$", re.S), msgid))
            else:
                exact.setdefault(text, msgid)
        return cls(exact, patterns)

    def english(self, text):
        """The msgid that ``text`` shows untranslated, or None."""
        text = normalise(text)
        if not text or not ENGLISH_WORD.search(text):
            return None
        for candidate in (text, text.strip(" :*()…|·"), text.rstrip(".")):
            if candidate in self.exact:
                return self.exact[candidate]
        for pattern, msgid in self.patterns:
            found = pattern.match(text)
            # A placeholder filled with the page's own words is fine; a pattern whose literal parts are all there
            # is Wagtail's English sentence around them.
            if found:
                return msgid
        return None


def texts_of_json(value, key=None):
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from texts_of_json(child, child_key)
    elif isinstance(value, list):
        for child in value:
            yield from texts_of_json(child, key)
    elif isinstance(value, str):
        if "<" in value and ">" in value:
            yield from texts_of_html(value)
        elif key in JSON_TEXT_KEYS or (key and key.isupper()):
            yield value


def texts_of_html(document):
    """What a user reads on a rendered document: text nodes (templates included: they are shown when a block or
    a form is added), the text of elements that hold inline markup, user-facing attributes, the text of buttons,
    and the texts carried in the page's JSON (sidebar, panels, blocks, wagtailConfig)."""
    soup = BeautifulSoup(document, "html.parser")
    for script in soup.find_all("script"):
        if script.get("type") == "application/json" and script.string:
            yield from texts_of_json(json.loads(script.string))
        script.decompose()
    for style in soup.find_all("style"):
        style.decompose()
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    # A side panel's counter shows a number; hidden while there is none, Wagtail renders that empty value as
    # "None" (no text of any catalogue).
    for counter in soup.find_all(attrs={"data-side-panel-toggle-counter": True}):
        counter.decompose()
    # Wagtail's user avatar prints the user itself when there is no name to print: a page published by no one
    # (wagtail-localize's aliases, a scheduled publication) shows the Python value "None" as its publisher.
    for avatar in soup.find_all(class_="avatar"):
        following = avatar.next_sibling
        while following is not None and isinstance(following, str) and not following.strip():
            following = following.next_sibling
        if isinstance(following, str) and following.strip() == "None":
            following.extract()
    for element in soup.find_all(True):
        for attribute in ATTRIBUTES:
            if isinstance(element.get(attribute), str):
                yield element[attribute]
        if (
            element.name == "input"
            and element.get("type") in BUTTON_INPUTS
            and element.get("value")
            and (element.name, "value", element["value"]) not in HARD_CODED_UPSTREAM
        ):
            yield element["value"]
        for name, value in element.attrs.items():
            if name.startswith("data-") and isinstance(value, str) and value[:1] in "[{":
                yield from texts_of_json(json_or_none(value))
        if element.find(True) is not None and element.find(string=True, recursive=False):
            yield element.get_text()
    yield from soup.find_all(string=True)


def json_or_none(value):
    # A data attribute that merely starts like JSON (a Stimulus value such as "[0, 0]" is JSON too).
    try:
        return json.loads(value)
    except ValueError:
        return None


def english_on(document, matcher):
    found = {}
    for text in texts_of_html(document):
        msgid = matcher.english(text)
        if msgid is not None:
            found.setdefault(msgid, normalise(text))
    return found


def document_of(response):
    """A screen's HTML: a page, or the modal HTML a chooser answers with (JSON)."""
    if response["Content-Type"].startswith("application/json"):
        data = json.loads(response.content)
        assert "html" in data, data
        return data["html"]
    return response.content.decode()


@functools.cache
def django_matcher():
    return Matcher.for_msgids(msgid for _context, msgid in upstream_entries("django"))


@functools.cache
def latvian_fallback_matcher():
    """Recognises the Latvian translations of upstream strings that Latgalian has none of: what a Latgalian admin
    shows from the Latvian catalogue (Django's fallback to LANGUAGE_CODE)."""
    latvian, latgalian = catalogue("django", "lv"), catalogue("django", "ltg")
    # A Latvian text that is also a Latgalian translation (of the same or another string) reads right in both.
    latgalian_texts = set()
    for entry in latgalian.values():
        latgalian_texts.update([entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values())
    fallback = {}
    for key in upstream_entries("django"):
        lv, ltg = latvian.get(key), latgalian.get(key)
        if translated(lv) and not translated(ltg):
            for text in [lv.msgstr] if not lv.msgid_plural else lv.msgstr_plural.values():
                if text not in latgalian_texts:
                    fallback.setdefault(text, key[1])
    matcher = Matcher.for_msgids(fallback)
    # Report the English msgid, which is what a translator of the catalogue looks for.
    return Matcher(
        {text: fallback[msgid] for text, msgid in matcher.exact.items()},
        [(pattern, fallback[msgid]) for pattern, msgid in matcher.patterns],
    )


# --- The world the screens are rendered in ---------------------------------------------------------------------
@dataclass
class World:
    report: Page
    index: Page
    translation: Translation
    english_report: Page
    snippets: dict
    image: object
    document: object
    revisions: list
    task_state: object
    users: dict


def make_user(name, language):
    user = get_user_model().objects.create_superuser(name, f"{name}@example.org", "pw", first_name=name.title())
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


def build_world():
    en = Locale.objects.get(language_code="en")
    users = {"lv": make_user("redaktore", "lv"), "ltg": make_user("tulkuotuoja", "ltg")}
    index = EventReportIndexPageFactory()
    index.save_revision(user=users["lv"]).publish()
    # Every live page published by someone, as in the admin (a page published by nobody lists its publisher as
    # "None" in the aging pages report).
    home = index.get_parent()
    home.save_revision(user=users["lv"]).publish()
    person = PersonFactory(name="Ilze Kalniņa")
    snippets = {
        "person": person,
        "organisation": OrganisationFactory(name="Rēzeknes novada pašvaldība"),
        "contactcard": ContactCardFactory(name="Maija Hartmane"),
        "project": ProjectFactory(),
        "topic": TopicFactory(name="Uzņēmējdarbība"),
    }
    for snippet in snippets.values():
        if hasattr(snippet, "save_revision"):
            snippet.save_revision(user=users["lv"]).publish()
    report = EventReportPageFactory(
        parent=index,
        title="Iedzīvotāju forums",
        body__0__speaker__person=person,
        body__1__paragraph="<p>Forums notika attālināti.</p>",
    )
    first = report.save_revision(user=users["lv"])
    first.publish()
    report.title = "Iedzīvotāju forums Rēzeknē"
    second = report.save_revision(user=users["lv"])
    # A page in moderation: the workflow's task waits for a decision (the approve/reject dialogs, the dashboard).
    workflow = Workflow.objects.first()
    workflow.start(report, users["lv"])
    task_state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(report.pk)).current_task_state
    # A scheduled publication (the schedule dialog lists it).
    report.go_live_at = timezone.now() + timezone.timedelta(days=7)
    report.save_revision(user=users["lv"], approved_go_live_at=report.go_live_at)
    translate_object(report.get_parent(), [en])
    translate_object(report, [en])
    translation_ = Translation.objects.get(source__object_id=report.translation_key, target_locale=en)
    return World(
        report=report,
        index=index,
        translation=translation_,
        english_report=report.get_translation(en),
        snippets=snippets,
        image=ImageFactory(title="Foruma dalībnieki"),
        document=DocumentFactory(title="Foruma programma"),
        revisions=[first, second],
        task_state=task_state,
        users=users,
    )


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    # Built once for the module, in a transaction rolled back at its end.
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def client_for(user):
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


# --- The screens -------------------------------------------------------------------------------------------------
def editor_screens(w):
    report, index = w.report, w.index
    first, second = w.revisions
    screens = {
        "dashboard": reverse("wagtailadmin_home"),
        "page explorer (root)": reverse("wagtailadmin_explore_root"),
        "page explorer (event reports)": reverse("wagtailadmin_explore", args=[index.pk]),
        "page search": reverse("wagtailadmin_pages:search") + "?q=forums",
        "create an event report (every tab)": reverse(
            "wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]
        ),
        "edit an event report (every tab, schedule dialog)": reverse("wagtailadmin_pages:edit", args=[report.pk]),
        "edit the event report index": reverse("wagtailadmin_pages:edit", args=[index.pk]),
        "page history": reverse("wagtailadmin_pages:history", args=[report.pk]),
        "compare revisions": reverse("wagtailadmin_pages:revisions_compare", args=[report.pk, first.pk, second.pk]),
        "revert to a revision": reverse("wagtailadmin_pages:revisions_revert", args=[report.pk, first.pk]),
        "page usage": reverse("wagtailadmin_pages:usage", args=[report.pk]),
        "copy a page": reverse("wagtailadmin_pages:copy", args=[report.pk]),
        "move a page": reverse("wagtailadmin_pages:move", args=[report.pk]),
        "delete a page": reverse("wagtailadmin_pages:delete", args=[report.pk]),
        # The report is in moderation (unpublishing it waits for the workflow): its index is not.
        "unpublish a page": reverse("wagtailadmin_pages:unpublish", args=[index.pk]),
        "page privacy": reverse("wagtailadmin_pages:set_privacy", args=[report.pk]),
        "workflow history": reverse("wagtailadmin_pages:workflow_history", args=[report.pk]),
        "approve in moderation": reverse(
            "wagtailadmin_pages:workflow_action", args=[report.pk, "approve", w.task_state.pk]
        ),
        "request changes in moderation": reverse(
            "wagtailadmin_pages:workflow_action", args=[report.pk, "reject", w.task_state.pk]
        ),
        "cancel a workflow": reverse("wagtailadmin_pages:confirm_workflow_cancellation", args=[report.pk]),
        "workflows": reverse("wagtailadmin_workflows:index"),
        "workflow tasks": reverse("wagtailadmin_workflows:task_index"),
        "page chooser": reverse("wagtailadmin_choose_page"),
        "external link chooser": reverse("wagtailadmin_choose_page_external_link"),
        "image listing": reverse("wagtailimages:index"),
        "image edit": reverse("wagtailimages:edit", args=[w.image.pk]),
        "image upload": reverse("wagtailimages:add_multiple"),
        "image chooser": reverse("wagtailimages_chooser:choose"),
        "document listing": reverse("wagtaildocs:index"),
        "document edit": reverse("wagtaildocs:edit", args=[w.document.pk]),
        "document upload": reverse("wagtaildocs:add_multiple"),
        "document chooser": reverse("wagtaildocs_chooser:choose"),
        "embed chooser": reverse("wagtailembeds:chooser"),
        "account": reverse("wagtailadmin_account"),
        "report: workflows": reverse("wagtailadmin_reports:workflow"),
        "report: workflow tasks": reverse("wagtailadmin_reports:workflow_tasks"),
        "report: locked pages": reverse("wagtailadmin_reports:locked_pages"),
        "report: site history": reverse("wagtailadmin_reports:site_history"),
        "report: aging pages": reverse("wagtailadmin_reports:aging_pages"),
        "report: page types": reverse("wagtailadmin_reports:page_types_usage"),
        "collections": reverse("wagtailadmin_collections:index"),
        "redirects": reverse("wagtailredirects:index"),
    }
    for name, snippet in w.snippets.items():
        label = snippet._meta.verbose_name
        screens[f"{label}: listing"] = reverse(f"wagtailsnippets_cms_{name}:list")
        screens[f"{label}: create"] = reverse(f"wagtailsnippets_cms_{name}:add")
        screens[f"{label}: edit"] = reverse(f"wagtailsnippets_cms_{name}:edit", args=[snippet.pk])
        screens[f"{label}: history"] = reverse(f"wagtailsnippets_cms_{name}:history", args=[snippet.pk])
        # As a Latvian report opens it: in the report's language (cms.choosers).
        screens[f"{label}: chooser"] = reverse(f"wagtailsnippetchoosers_cms_{name}:choose") + "?locale=lv"
    return screens


def translator_screens(w):
    return {
        "translate a page (submit)": reverse("wagtail_localize:submit_page_translation", args=[w.report.pk]),
        "translate a snippet (submit)": reverse(
            "wagtail_localize:submit_snippet_translation", args=["cms", "person", w.snippets["person"].pk]
        ),
        "sync translations (update)": reverse("wagtail_localize:update_translations", args=[w.translation.source.pk]),
        "translation editor": reverse("wagtailadmin_pages:edit", args=[w.english_report.pk]),
        "report: translations": reverse("wagtail_localize:translations_report"),
        "locales": reverse("wagtaillocales:index"),
        "page explorer (English)": reverse("wagtailadmin_explore", args=[w.english_report.get_parent().pk]),
    }


def render(client, screens):
    documents, failures = {}, []
    for name, url in screens.items():
        response = client.get(url)
        if response.status_code != 200:
            failures.append(f"{name} ({url}): HTTP {response.status_code}")
            continue
        documents[name] = document_of(response)
    assert not failures, failures
    return documents


def english_by_screen(documents):
    matcher = django_matcher()
    found = {name: english_on(document, matcher) for name, document in documents.items()}
    return {name: sorted(strings.values()) for name, strings in found.items() if strings}


def report(found):
    return "English on Latvian screens:\n" + "\n".join(
        f"  {name}: {', '.join(repr(text) for text in texts)}" for name, texts in found.items()
    )


# --- The tests ---------------------------------------------------------------------------------------------------
pytestmark = pytest.mark.django_db


def test_the_matcher_finds_english_wherever_an_editor_reads_it():
    # What the screen tests rely on: an English msgid is found in text, in attributes, around placeholders,
    # across inline markup and in the JSON the admin's scripts render; Latvian is not.
    matcher = Matcher.for_msgids(
        ["Add %(label)s", "Collapse all", 'Sorry, no images match "<em>%(query_string)s</em>"', "Bold", "Locale"]
    )
    document = """
        <button>Add Sesija</button><button aria-label="Collapse all"></button>
        <p>Sorry, no images match "<em>kaķi</em>"</p>
        <script type="application/json">{"_args": [{"label": "Bold", "icon_name": "bold"}]}</script>
        <div data-w-block-data-value='{"helpText": "Locale"}'></div>
        <button>Pievienot: Sesija</button><button aria-label="Sakļaut visus"></button><span>bold</span>
    """
    assert english_on(document, matcher) == {
        "Add %(label)s": "Add Sesija",
        "Collapse all": "Collapse all",
        'Sorry, no images match "<em>%(query_string)s</em>"': 'Sorry, no images match "kaķi"',
        "Bold": "Bold",
        "Locale": "Locale",
    }


def test_the_login_screens_are_latvian():
    client = Client(HTTP_HOST="localhost")
    documents = render(
        client,
        {
            "login": reverse("wagtailadmin_login"),
            "password reset": reverse("wagtailadmin_password_reset"),
            "password reset sent": reverse("wagtailadmin_password_reset_done"),
        },
    )
    response = client.post(reverse("wagtailadmin_login"), {"username": "nav", "password": "nepareiza"})
    documents["login refused"] = response.content.decode()
    found = english_by_screen(documents)
    assert not found, report(found)
    login = BeautifulSoup(documents["login"], "html.parser")
    labels = [normalise(label.get_text()) for label in login.find_all("label")]
    assert labels[:2] == ["Lietotājvārds*", "Parole*"] and "Atcerēties mani" in labels[2]
    # Wagtail's own Latvian said "Lietotājvārds lietotājvārds neatbilda parole".
    refused = normalise(BeautifulSoup(documents["login refused"], "html.parser").get_text())
    assert "Nepareizs lietotājvārds vai parole. Mēģiniet vēlreiz." in refused


def test_the_editors_screens_are_latvian(world):
    documents = render(client_for(world.users["lv"]), editor_screens(world))
    found = english_by_screen(documents)
    assert not found, report(found)
    # Names keep the case they are written in: "Izvēlēties: persona", never "Izvēlēties persona".
    contact_card = documents["contact card: create"]
    assert "Izvēlēties: organizācija" in contact_card and "Izvēlēties organizācija" not in contact_card


def test_screens_first_shown_to_an_english_admin_are_latvian_for_the_next_editor(world):
    # Menus, choosers and block widgets are built once per process, at their first use: what an English-speaking
    # translator opens first must not stay English for everyone after (cms.admin_menu, blocks.widgets).
    from wagtail.admin.menu import admin_menu, help_menu, reports_menu, settings_menu

    for menu in (admin_menu, settings_menu, reports_menu, help_menu):
        # Built again at the next request, the English one (Menu.registered_menu_items, a cached_property).
        assert "registered_menu_items" in vars(type(menu)), "Wagtail's menus no longer cache their items this way"
        menu.__dict__.pop("registered_menu_items", None)
    report_block = EventReportPage.body.field.stream_block
    person_chooser = report_block.child_blocks["speaker"].child_blocks["person"]
    person_chooser.__dict__.pop("widget", None)  # made again at its next use, for the English admin
    screens = editor_screens(world)
    first = {name: screens[name] for name in ("dashboard", "edit an event report (every tab, schedule dialog)")}
    render(client_for(make_user("translator", "en")), first)
    found = english_by_screen(render(client_for(world.users["lv"]), first))
    assert not found, report(found)


def test_the_translators_screens_are_latvian(world):
    documents = render(client_for(world.users["lv"]), translator_screens(world))
    found = english_by_screen(documents)
    assert not found, report(found)


def test_the_latgalian_translators_screens_are_latgalian(world):
    """A Latgalian translator's screens show wagtail-localize's strings and Wagtail's around them in Latgalian;
    the rest of Wagtail's admin (settings, users, images ...) falls back to Latvian."""
    documents = render(client_for(world.users["ltg"]), translator_screens(world))
    found = english_by_screen(documents)
    assert not found, report(found)
    matcher = latvian_fallback_matcher()
    fallback = {name: sorted(english_on(document, matcher)) for name, document in documents.items()}
    fallback = {name: msgids for name, msgids in fallback.items() if msgids}
    assert not fallback, "Latvian fallback on Latgalian screens (msgids to translate in ltg):\n" + "\n".join(
        f"  {name}: {msgids}" for name, msgids in fallback.items()
    )


# --- The catalogues ------------------------------------------------------------------------------------------------
# The strings the issue found in English, wrongly translated or wrongly inflected.
ISSUE_EXAMPLES = {
    ("djangojs", "Collapse all"): "Sakļaut visus",
    ("djangojs", "More actions"): "Citas darbības",
    ("django", "More actions"): "Citas darbības",
    ("django", "Set schedule"): "Iestatīt grafiku",
    ("django", "Draft saved"): "Melnraksts saglabāts",
    ("django", "Compare"): "Salīdzināt",
    ("django", "Locale"): "Valoda",
    ("django", "Password"): "Parole",
    ("django", "Remember me"): "Atcerēties mani",
    ("django", "Your %(username_field)s and password didn't match. Please try again."): (
        "Nepareizs %(username_field)s vai parole. Mēģiniet vēlreiz."
    ),
    ("django", "Choose %(object)s"): "Izvēlēties: %(object)s",
    ("django", "Add %(label)s"): "Pievienot: %(label)s",
    ("django", "%(time_period)s ago"): "pirms %(time_period)s",
    # Wagtail's "Reports" (its statistics) is not "Pārskati", which is what the event reports are called.
    ("django", "Reports"): "Atskaites",
}


@pytest.mark.parametrize(("key", "latvian"), list(ISSUE_EXAMPLES.items()), ids=[k[1] for k in ISSUE_EXAMPLES])
def test_what_the_issue_found_reads_right(key, latvian):
    domain, msgid = key
    assert catalogue(domain, "lv")[(None, msgid)].msgstr == latvian


@pytest.mark.parametrize("domain", ["django", "djangojs"])
@pytest.mark.parametrize("language", ["lv", "ltg"])
def test_every_catalogue_counts_in_latvian(domain, language):
    # The forms of every plural entry are written in this order (1, 21 …; other; 0), whatever the order of the
    # upstream catalogue they come from (Django's Latvian has its forms in another order than its formula).
    header = polib.pofile(str(catalogue_path(domain, language))).metadata["Plural-Forms"]
    assert header == "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_upstream_admin_string_has_a_latvian_translation(domain):
    ours = catalogue(domain, "lv")
    missing = [msgid for key in upstream_entries(domain) if not translated(ours.get(key)) for msgid in [key[1]]]
    assert upstream_entries(domain) and not missing, (
        f"{len(missing)} upstream msgids untranslated in {catalogue_path(domain, 'lv')} "
        f"(`make messages`, translate, `make compilemessages`): {missing}"
    )


# What the admin's scripts ask their catalogue for: Wagtail's and wagtail-localize's (their templates list every
# msgid of their compiled JavaScript), and the project's own admin scripts.
PROJECT_APPS = ["cms", "blocks", "api", "frontend_hooks"]
GETTEXT_CALL = re.compile(r"""\b(?:gettext|gettext_noop|ngettext|pgettext|npgettext)\(\s*(['"`])((?:\\.|(?!\1).)*)\1""")


def project_javascript_msgids():
    msgids = set()
    for app in PROJECT_APPS:
        for path in (Path(apps.get_app_config(app).path) / "static").rglob("*.js"):
            for match in GETTEXT_CALL.finditer(path.read_text()):
                msgids.add(match.group(2).encode().decode("unicode_escape"))
    return msgids


def javascript_catalogue(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    found = re.search(r"const newcatalog = (\{.*?\});\n", response.content.decode(), re.S)
    return json.loads(found.group(1)) if found else {}


@pytest.mark.parametrize("language", ["lv", "ltg"])
def test_the_admin_javascript_has_a_translation_for_every_string_it_uses(language):
    user = make_user(f"js-{language}", language)
    client = client_for(user)
    upstream = {msgid for _context, msgid in upstream_entries("djangojs")} | project_javascript_msgids()
    # Wagtail's scripts read the admin's catalogue view, the translation editor its own; both include our
    # catalogue (LOCALE_PATHS), and a Latgalian one falls back to Latvian.
    for url_name in ("wagtailadmin_javascript_catalog", "wagtail_localize:javascript_catalog"):
        shown = javascript_catalogue(client, url_name)
        untranslated = sorted(msgid for msgid in upstream if shown.get(msgid) in (None, "", [], [""]))
        assert not untranslated, f"{url_name} ({language}): no translation for {untranslated}"
    shown = javascript_catalogue(client, "wagtailadmin_javascript_catalog")
    assert shown["Collapse all"] == ("Sakļaut visus" if language == "lv" else "Sakļaut vysus")


# The placeholders upstream fills with a model's or a field's name (in the nominative: "persona", "Sesija").
NAME_PLACEHOLDER = re.compile(
    r"%\((model_name|object|label|snippet_type_name|snippet_plural_name|page_type|task_type|related_model_name|"
    r"model|setting_type|site_setting|classname|block_label)\)s|\{model_name\}|%s"
)


@pytest.mark.parametrize("language", ["lv", "ltg"])
@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_names_are_never_put_where_latvian_would_inflect_them(domain, language):
    """Latvian inflects a noun after a verb ("Izvēlēties personu"); a name filled into a placeholder stays in the
    nominative, so the catalogue never puts it straight after a word: "Izvēlēties: persona", "Pievienot:
    Sesija", "Ieraksts (persona) … izveidots", "Labot: %s"."""
    wrong = []
    for entry in catalogue(domain, language).values():
        for text in [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values():
            for found in NAME_PLACEHOLDER.finditer(text):
                before = text[: found.start()]
                if before and before[-1] == " " and before.rstrip()[-1:].isalpha():
                    wrong.append((entry.msgid, text))
    assert not wrong


def test_same_in_latvian_is_what_the_catalogue_says():
    ours = catalogue("django", "lv")
    same = {
        key[1]
        for key in upstream_entries("django")
        if translated(ours.get(key)) and ours[key].msgstr == key[1] and ENGLISH_WORD.search(PLACEHOLDER.sub("", key[1]))
    }
    assert same == SAME_IN_LATVIAN


@pytest.mark.parametrize(("element", "text"), list(HARD_CODED_UPSTREAM.items()))
def test_hard_coded_upstream_english_is_still_hard_coded(element, text):
    from django.template.loader import get_template

    template_name, source = text
    assert source in get_template(template_name).template.source, (
        f"{template_name} no longer hard-codes {element}: drop it from HARD_CODED_UPSTREAM"
    )


# --- Dates and counts in Latvian -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ago", "shown"),
    [
        (timezone.timedelta(seconds=20), "tikko"),
        (timezone.timedelta(minutes=1), "pirms 1 minūtes"),
        (timezone.timedelta(minutes=2), "pirms 2 minūtēm"),  # Wagtail's and Django's Latvian: "2 minūte ago"
        (timezone.timedelta(minutes=11), "pirms 11 minūtēm"),
        (timezone.timedelta(minutes=21), "pirms 21 minūtes"),
        (timezone.timedelta(hours=5), "pirms 5 stundām"),
        (timezone.timedelta(days=1, hours=2), "pirms 1 dienas"),
        (timezone.timedelta(days=3), "pirms 3 dienām"),
        (timezone.timedelta(days=60), "pirms 1 mēneša"),
        (timezone.timedelta(days=800), "pirms 2 gadiem"),
    ],
)
def test_how_long_ago_reads_as_latvian(ago, shown):
    from wagtail.admin.templatetags.wagtailadmin_tags import timesince_simple

    with translation.override("lv"):
        assert normalise(str(timesince_simple(timezone.now() - ago))).replace("\xa0", " ") == shown


@pytest.mark.parametrize(
    ("ago", "shown"),
    [(timezone.timedelta(seconds=6), "pirms 6 sekundēm"), (timezone.timedelta(hours=21), "pirms 21 stundas")],
)
def test_a_workflow_step_says_how_long_ago_in_latvian(ago, shown):
    # Wagtail's workflow status uses Django's humanize (not an installed app, so its catalogue is not loaded).
    from django.contrib.humanize.templatetags.humanize import naturaltime

    with translation.override("lv"):
        assert naturaltime(timezone.now() - ago).replace("\xa0", " ") == shown


@pytest.mark.parametrize(("count", "word"), [(1, "rakstzīme"), (21, "rakstzīme"), (255, "rakstzīmes")])
def test_djangos_plural_forms_follow_the_catalogues_plural_rule(count, word):
    # Django's Latvian catalogue lists its forms in another order than its own Plural-Forms formula.
    with translation.override("lv"):
        shown = translation.ngettext(
            "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
            "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
            count,
        ) % {"limit_value": count, "show_value": count + 4}
    assert f"ne vairāk kā {count} {word} " in shown
