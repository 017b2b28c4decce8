"""The report's editing form (issue 14): the tabs in the order a report is written, with what it needs on the
first; the hero image's alt text; one home for follow-ups and contacts (and the migration that moved those in
bodies); no autosave before a report is first saved; tab badges that count the errors inside blocks.

The last two are behaviour of the admin's JavaScript, checked in Chromium against a live server.
"""

import datetime
import json
import os
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from playwright.sync_api import sync_playwright
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.models import Locale, Page, Revision, Site
from wagtail_localize.models import String, StringSegment, StringTranslation, TranslationContext, TranslationSource
from wagtail_localize.strings import StringValue

from cms.factories.media import ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.models import EventReportPage, EventSession
from tests.cms.form_data import report_form_data

FIRST_TAB_MUST = {"title", "lead"}


def tabs():
    return EventReportPage.get_edit_handler().children


def fields_of(panel):
    return set(panel.get_form_options().get("fields", []))


def panels_within(panel):
    yield panel
    for child in getattr(panel, "children", []):
        yield from panels_within(child)


# --- the tabs --------------------------------------------------------------------------------------------------
def test_what_a_report_must_have_is_on_the_first_tab():
    form = EventReportPage.get_edit_handler().get_form_class()
    first, *others = tabs()
    # A field the editor must fill in: required, with nothing in it until they do. The slug is the exception:
    # Wagtail fills it from the title as it is typed.
    must = {
        name
        for name, field in form.base_fields.items()
        if field.required and field.initial in (None, "") and not _model_default(name) and name != "slug"
    }
    assert must == FIRST_TAB_MUST
    assert must <= fields_of(first)
    for tab in others:
        assert not must & fields_of(tab), tab.heading


def _model_default(name):
    try:
        return EventReportPage._meta.get_field(name).has_default()
    except FieldDoesNotExist:  # a form-only field such as comment_notifications
        return False


def test_the_first_tab_reads_as_a_report_is_written_with_the_dates_together():
    first, event, follow_up, promote, _settings = tabs()
    order = [panel.field_name for panel in panels_within(first) if isinstance(panel, FieldPanel)]
    assert order[:2] == ["title", "lead"]
    assert order.index("start_date") < order.index("hero_image") < order.index("body")
    # The publication date sits with the event's dates, in one panel, no longer on the Promote tab.
    (dates,) = [
        panel
        for panel in panels_within(first)
        if isinstance(panel, MultiFieldPanel) and {"start_date", "publication_date"} <= fields_of(panel)
    ]
    assert {"date_precision", "end_date", "date_text", "publication_date_precision", "publication_date_text"} <= (
        fields_of(dates)
    )
    assert not {"publication_date", "publication_date_precision", "publication_date_text"} & fields_of(promote)
    assert fields_of(follow_up) == {"follow_ups", "contacts_intro", "contacts", "resources"}
    assert "sessions" in event.get_form_options().get("formsets", [])


def test_follow_ups_and_contacts_have_one_home():
    blocks_of = {
        name: set(EventReportPage._meta.get_field(name).stream_block.child_blocks)
        for name in ("body", "follow_ups", "contacts")
    }
    assert not {"follow_up", "contact"} & blocks_of["body"]
    assert blocks_of["follow_ups"] == {"follow_up"}
    assert blocks_of["contacts"] == {"contact"}


# --- the hero image's alt text ---------------------------------------------------------------------------------
@pytest.mark.django_db
def test_a_hero_image_needs_alt_text_unless_it_is_decorative():
    image = ImageFactory()
    page = EventReportPageFactory.build(hero_image=image, hero_image_alt="  ")
    with pytest.raises(ValidationError) as raised:
        page.clean()
    assert raised.value.message_dict["hero_image_alt"] == [
        "Alt text is required unless the image is marked as decorative."
    ]
    page.hero_image_decorative = True
    page.clean()
    page.hero_image_decorative, page.hero_image_alt = False, "Dalībnieki Lūznavas muižā"
    page.clean()
    # No image, nothing to describe.
    EventReportPageFactory.build(hero_image=None, hero_image_alt="").clean()


@pytest.mark.django_db
def test_every_writer_is_held_to_it_a_live_save_included():
    page = EventReportPageFactory(hero_image=ImageFactory(), hero_image_alt="Zāle")
    page.hero_image_alt = ""
    with pytest.raises(ValidationError) as raised:
        page.save()  # a script saving the live page: Wagtail validates it in full
    assert "hero_image_alt" in raised.value.message_dict
    with pytest.raises(ValidationError):
        page.save_revision()
    assert EventReportPage.objects.get(pk=page.pk).hero_image_alt == "Zāle"


@pytest.mark.django_db
def test_the_api_gives_a_decorative_hero_image_an_empty_alt_in_the_same_shape(client):
    image, index = ImageFactory(title="IMG_2041.jpg"), EventReportIndexPageFactory()
    described = EventReportPageFactory(parent=index, hero_image=image, hero_image_alt="Dalībnieki darba grupās")
    decorative = EventReportPageFactory(parent=index, hero_image=image, hero_image_alt="", hero_image_decorative=True)
    # Written before decorative was ticked: kept in the database, but not what the image is said to show.
    ticked_later = EventReportPageFactory(
        parent=index, hero_image=image, hero_image_alt="Vecs apraksts", hero_image_decorative=True
    )

    def hero(page):
        return client.get(f"/api/v2/pages/{page.pk}/").json()["hero_image"]

    assert hero(described)["alt"] == "Dalībnieki darba grupās"
    assert hero(decorative)["alt"] == ""
    assert hero(ticked_later)["alt"] == ""
    assert set(hero(decorative)) == set(hero(described))
    listing = client.get("/api/v2/pages/", {"type": "cms.EventReportPage"}).json()["items"]
    assert {item["id"]: item["hero_image"]["alt"] for item in listing} == {
        described.pk: "Dalībnieki darba grupās",
        decorative.pk: "",
        ticked_later.pk: "",
    }
    assert decorative.hero_image_alt_text == ""


# --- through the admin -----------------------------------------------------------------------------------------
@pytest.fixture
def editor(db):
    """A superuser in the Latvian admin (the product's default language)."""
    return get_user_model().objects.create_superuser("redaktore", "redaktore@example.org", "pw")


@pytest.fixture
def editor_client(editor):
    client = Client()
    client.force_login(editor)
    return client


@pytest.mark.django_db
def test_publishing_without_hero_alt_text_is_refused_in_latvian(editor_client):
    index = EventReportIndexPageFactory()
    image = ImageFactory()
    url = reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk])
    data = {**report_form_data(hero_image=str(image.pk)), "action-publish": "action-publish"}
    response = editor_client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors["hero_image_alt"] == [
        "Alternatīvais teksts ir obligāts, ja vien attēls nav atzīmēts kā dekoratīvs."
    ]
    assert not EventReportPage.objects.exists()

    response = editor_client.post(url, {**data, "hero_image_decorative": "on"})
    assert response.status_code == 302
    page = EventReportPage.objects.get()
    assert page.live and page.hero_image_decorative and page.hero_image_alt == ""


def form_tag(html):
    start = html.index('id="page-edit-form"')
    return html[start : html.index(">", start)]


@pytest.mark.django_db
def test_a_new_report_is_not_autosaved_until_it_is_first_saved(editor_client):
    index = EventReportIndexPageFactory()
    create = editor_client.get(reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]))
    html = create.content.decode()
    assert "w-autosave" not in form_tag(html)
    assert 'id="w-autosave-indicator"' not in html
    # Wagtail's own warning stands in for autosave until then (its template for edits not autosaved).
    assert 'data-type="edits"' in html

    page = EventReportPageFactory(parent=index)
    edit = editor_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert "w-autosave" in form_tag(edit)
    assert 'id="w-autosave-indicator"' in edit


# --- the migration that moved follow-ups and contacts out of bodies --------------------------------------------
BEFORE = ("cms", "0009_safe_content")  # the state before 0010, which moved them


@pytest.fixture
def site_tree():
    """What the migrations create and a transactional test's flush removes: the locales, the tree's root, the
    home page and the default site."""
    from cms.apps import ensure_locales

    ensure_locales(sender=None)
    if not Site.objects.filter(is_default_site=True).exists():
        root = Page.get_first_root_node() or Page.add_root(
            instance=Page(title="Root", slug="root", locale=Locale.get_default())
        )
        home = root.add_child(instance=Page(title="Sākums", slug="home", locale=Locale.get_default()))
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)


def block(block_type, value, block_id):
    return {"type": block_type, "value": value, "id": block_id}


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_body_follow_ups_and_contacts_to_their_own_streams(site_tree):
    en = Locale.objects.get(language_code="en")
    kept, already = ContactCardFactory(name="Maija Hartmane"), ContactCardFactory(name="Sanita Vjaksa")
    page = EventReportPageFactory(title="Miniforums")
    paragraph = block("paragraph", "<p>Notika miniforums.</p>", "p-1")
    heading = block("heading", {"text": "Turpmāk", "level": "h2"}, "h-1")
    webinar = block(
        "follow_up",
        {
            "kind": "webinar",
            "title": "Vebināri",
            "description": "",
            "date": None,
            "end_date": None,
            "period": "rudenī",
            "free_of_charge": True,
            "registration_url": "",
        },
        "f-1",
    )
    body = [paragraph, webinar, block("contact", kept.pk, "c-1"), block("contact", already.pk, "c-2"), heading]
    contacts = [block("contact", already.pk, "c-0")]
    revision = page.save_revision()
    source, _created = TranslationSource.get_or_create_from_instance(page)

    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        # As stored before: the body held them (written with that state of the model, which knew the types).
        old_model = executor.loader.project_state([BEFORE]).apps.get_model("cms", "EventReportPage")
        old_model._base_manager.filter(pk=page.pk).update(body=body, contacts=contacts, follow_ups=[])
        Revision.objects.filter(pk=revision.pk).update(
            content={**revision.content, "body": json.dumps(body), "contacts": json.dumps(contacts)}
        )
        serialized = json.loads(source.content_json)
        serialized.update(body=json.dumps(body), contacts=json.dumps(contacts), follow_ups="[]")
        TranslationSource.objects.filter(pk=source.pk).update(content_json=json.dumps(serialized))
        # The English translation of the webinar's title, made when it was in the body.
        context = TranslationContext.objects.create(
            object_id=page.translation_key, path="body.f-1.title", field_path="body.follow_up.title"
        )
        title = String.from_value(page.locale, StringValue.from_plaintext(webinar["value"]["title"]))
        StringTranslation.objects.create(translation_of=title, locale=en, context=context, data="Webinars")
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    expected = {
        "body": [paragraph, heading],
        # After what was there, in the body's order, with their ids; the card already listed is not repeated.
        "contacts": [*contacts, block("contact", kept.pk, "c-1")],
        "follow_ups": [webinar],
    }
    page = EventReportPage.objects.get(pk=page.pk)
    assert {name: list(getattr(page, name).raw_data) for name in expected} == expected
    content = Revision.objects.get(pk=revision.pk).content
    assert {name: json.loads(content[name]) for name in expected} == expected
    serialized = json.loads(TranslationSource.objects.get(pk=source.pk).content_json)
    assert {name: json.loads(serialized[name]) for name in expected} == expected
    assert page.follow_ups[0].value["title"] == "Vebināri"
    assert page.contacts[1].value == kept

    # The translation made in the body is found where the block now is, when wagtail-localize reads the source.
    source = TranslationSource.objects.get(pk=source.pk)
    source.update_from_db()
    segment = StringSegment.objects.get(source=source, string=title)
    assert segment.context.path == "follow_ups.f-1.title"
    assert segment.context_id == context.pk
    assert StringTranslation.objects.get(translation_of=title, locale=en, context=segment.context).data == "Webinars"


# --- in Chromium -----------------------------------------------------------------------------------------------
CHROMIUM = os.environ.get("JOURNEYS_CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class AdminWindow:
    """The browser window of a test, and what it has asked the live server that is not answered yet.

    The live server shares the test's in-memory database and its connection: the test reads the database only
    when nothing is in flight (``settle``), and so does the database's emptying after the test."""

    def __init__(self, page):
        self.page = page
        self.in_flight = set()
        page.on("request", lambda request: self.in_flight.add(request))
        page.on("requestfinished", lambda request: self.in_flight.discard(request))
        page.on("requestfailed", lambda request: self.in_flight.discard(request))

    def settle(self, timeout=10):
        deadline = time.monotonic() + timeout
        while self.in_flight and not self.page.is_closed():
            assert time.monotonic() < deadline, f"still waiting for {[r.url for r in self.in_flight]}"
            self.page.wait_for_timeout(50)


@pytest.fixture
def admin_window(live_server, site_tree, editor, monkeypatch):
    """A window of Chromium (Debian's: Playwright's own browser download cannot work on these machines) signed in
    to the admin of the live server as ``editor``, in the Latvian admin.

    Playwright's synchronous API runs an event loop under the test for as long as the browser is open, which
    Django takes for async code: the browser is opened here, after the database is set up, and closed at the end
    of each test (pytest-playwright's browser would stay open for the whole session, and every later test would
    meet that loop), and the test's own database reads are allowed meanwhile."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"no Chromium at {CHROMIUM}: `make browser` installs Debian's package", pytrace=False)
    client = Client()
    client.force_login(editor)
    session = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value}
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.add_cookies([{**session, "url": live_server.url}])
            page = context.new_page()
            page.set_default_timeout(20_000)
            window = AdminWindow(page)
            yield window
            window.settle()
        finally:
            browser.close()


def tab_badges(page):
    """Each tab's heading and the number its error badge shows ("" for none)."""
    return dict(
        page.eval_on_selector_all(
            ".w-tabs__tab",
            "tabs => tabs.map(t => [t.childNodes[0].textContent.trim(),"
            " t.querySelector('[data-w-count-target=total]').textContent.trim()])",
        )
    )


def save_draft(page):
    page.locator("footer button:has-text('Saglabāt melnrakstu')").first.click()
    page.wait_for_load_state("networkidle")


@pytest.mark.django_db(transaction=True)
def test_tab_badges_count_the_errors_inside_blocks(admin_window, live_server):
    admin = admin_window.page
    report = EventReportPageFactory(
        # Stored without the admin's validation: the editor meets each error on saving.
        body__0__speaker__person=None,
        body__0__speaker__description="",
        follow_ups__0__follow_up__title="Vebināri",
        follow_ups__0__follow_up__date=datetime.date(2020, 11, 5),
        follow_ups__0__follow_up__period="rudenī",
    )
    EventSession.objects.create(page=report, date=datetime.date(2019, 1, 1), locale=report.locale)  # not that day

    admin.goto(live_server.url + reverse("wagtailadmin_pages:edit", args=[report.pk]))
    save_draft(admin)
    admin.wait_for_selector(".w-tabs__errors.\\!w-flex")
    admin.wait_for_timeout(300)  # the badges count again on the next frame
    assert tab_badges(admin) == {
        "Saturs": "1",  # the speaker block with nobody in it
        "Pasākums": "1",  # the session (an inline panel, drawn by the server)
        "Turpmākās aktivitātes un kontakti": "1",  # the follow-up with a date and a period
        "Veicināšana": "",
    }


@pytest.mark.django_db(transaction=True)
def test_a_new_report_leaves_nothing_behind_until_saved_and_is_autosaved_after(admin_window, live_server):
    admin = admin_window.page
    # The live server shares the test's in-memory database (and its connection): the test reads it only while
    # the admin waits for nothing from the server.
    index = EventReportIndexPageFactory()
    posts = []
    admin.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    add_url = reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk])
    admin.goto(live_server.url + add_url)

    # Written with pauses longer than the autosave interval, the lead before the title.
    admin.locator("#id_lead").press_sequentially("Seminārā runāja par sociālo uzņēmējdarbību.", delay=60)
    admin.wait_for_timeout(1500)
    admin.locator("#id_title").press_sequentially("Seminārs Lūznavā", delay=60)
    admin.wait_for_timeout(1500)
    assert posts == []
    admin_window.settle()
    assert not EventReportPage.objects.exists()
    # Wagtail's warning of unsaved edits, in place of autosave's indicator.
    assert admin.locator(".footer__save-warning").is_visible()
    assert admin.locator("#w-autosave-indicator").count() == 0

    with admin.expect_navigation(url="**/edit/"):
        admin.locator("footer button:has-text('Saglabāt melnrakstu')").first.click()
    page_id = int(admin.url.rstrip("/").split("/")[-2])

    # From now on Wagtail autosaves: a revision of the same page, no page more.
    admin.wait_for_timeout(1500)  # Wagtail's editor watches for edits once its form has settled
    edit_url = reverse("wagtailadmin_pages:edit", args=[page_id])
    with admin.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(edit_url)) as autosave:
        admin.locator("#id_lead").press("Control+End")
        admin.keyboard.type(" Otrais teikums.", delay=60)
    assert autosave.value.json()["success"] is True
    admin_window.settle()

    page = EventReportPage.objects.get()
    assert page.pk == page_id and not page.live
    assert page.latest_revision.content["lead"] == "Seminārā runāja par sociālo uzņēmējdarbību. Otrais teikums."
