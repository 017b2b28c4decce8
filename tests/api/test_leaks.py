"""The leak suite: plant every kind of secret, crawl everything public, and find none of them.

Planted (``plant``): drafts, a live page with a draft edit, a page unpublished after being live; pages restricted
by password, login and group, before and after the API first served them (so the response cache held a public
copy), and pages below restricted ones; images and documents in private collections, chosen from a public report
(hero image, image blocks, document blocks, rich-text links, resources, slides, photos, logos) and made private
after being served; unpublished people, organisations, contact cards, projects and topics, live ones with draft
edits, chosen from public reports (speakers, organisers, contacts, projects, topics, bylines, related events);
draft translations, and a live translation with a newer draft; and the editors who made the revisions (their
usernames, e-mails and names).

Crawled (``crawl``): every listing in the served OpenAPI document with ``fields=*``, every page of it, and with
each query parameter it documents (so new filters are covered) set to each secret's id, slug or marker; every
detail URL found in any answer; ``find`` for every front-end address found and for each secret's address; the
change feed from start to end; the webhook payload and purge lists of every change event; the schema and docs
pages; the errors of secret ids. The oracle (``tests.api.leak_support``) is generic: markers, editor data and
secret addresses in the raw bytes, and ids, tags and URLs naming a secret in the JSON. Then a Hypothesis test
edits a small site at random and checks after each step that what is secret is invisible and what is public is
visible.
"""

import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.db import transaction
from django.test import Client, TestCase
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from wagtail.models import Collection, CollectionViewRestriction, Locale, Page, PageViewRestriction, get_page_models
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from api.cache import local_responses
from cms.factories.media import DocumentFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import (
    ContactCardFactory,
    OrganisationFactory,
    PersonFactory,
    ProjectFactory,
    TopicFactory,
)
from cms.factories.streams import ContactsFactory, ReportBodyFactory, ResourcesFactory
from cms.models import ChangeEvent, EventOrganiser, EventProject, EventReportPage, Person, RelatedEvent
from frontend_hooks import events as webhook_events
from frontend_hooks import purge
from frontend_hooks.models import WebhookDelivery, WebhookEndpoint

from .leak_support import (
    API,
    ENDPOINT_FAMILIES,
    FAMILY_ENDPOINTS,
    NONEXISTENT_ID,
    Crawler,
    Register,
    check,
    check_answers,
    comparable,
    find_url,
    frontend_paths,
    next_id,
)

# Every test reads the database (the module's planted site, or a site of its own): pytest-django sets up the
# test database only for marked tests.
pytestmark = pytest.mark.django_db
FEED = f"{API}changes/"
NONEXISTENT_TEXT = "qzx-nonexistent"


class Rollback(Exception):
    pass


def committed():
    """Run the block's on-commit work (cache invalidation, change-log announcements) as a commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def clear_caches():
    for cache in caches.all():
        cache.clear()
    local_responses.clear()


def publish(obj, user):
    with committed():
        obj.save_revision(user=user).publish(user=user)


def reload(page):
    return Page.objects.get(pk=page.pk).specific


# --- planting --------------------------------------------------------------------------------------------------
class Site:
    """The planted site: public content full of references to secrets, and the register of those secrets."""

    def __init__(self):
        self.register = Register()
        self.former = []  # (what to do after the first crawl, in order)
        self.late_drafts = []

    def users(self):
        User = get_user_model()
        # Superusers: they publish and translate (every permission check passes).
        self.editor = User.objects.create_superuser(
            id=next_id("user"),
            username="leak-user-editor",
            email="leak-mail-editor@leak.example",
            first_name="LEAKFIRST-editor",
            last_name="LEAKLAST-editor",
            password="LEAK-userpassword-editor",
        )
        self.translator = User.objects.create_superuser(
            id=next_id("user"),
            username="leak-user-translator",
            email="leak-mail-translator@leak.example",
            first_name="LEAKFIRST-translator",
            last_name="LEAKLAST-translator",
            password=None,
        )
        for user in (self.editor, self.translator):
            secret = self.register.add_user(
                f"editor {user.username}", user, [user.username, user.email, user.first_name, user.last_name]
            )
            if user is self.editor:
                secret.markers += ("LEAK-userpassword-editor",)
        self.group = Group.objects.create(name="LEAK-group-readers")

    def collections(self):
        root = Collection.get_first_root_node()
        self.public_collection = root.add_child(name="Publiskie materiāli")
        self.private_collection = root.add_child(name="LEAK-collection-private")
        CollectionViewRestriction.objects.create(collection=self.private_collection, restriction_type="login")
        self.later_private = root.add_child(name="Vēlāk iekšējie")

    def image(self, name, collection, former=False):
        image = ImageFactory(
            id=next_id("image"),
            title=f"LEAK-{name}",
            collection=collection,
            file__filename=f"leak-{name}.png",
            uploaded_by_user=self.editor,
        )
        self.register.add(f"image {name}", image, markers=[f"LEAK-{name}"], former=former)
        return image

    def document(self, name, collection, former=False):
        document = DocumentFactory(
            id=next_id("document"),
            title=f"LEAK-{name}",
            collection=collection,
            file__filename=f"leak-{name}.pdf",
            uploaded_by_user=self.editor,
        )
        self.register.add(f"document {name}", document, markers=[f"LEAK-{name}"], paths=[document.url], former=former)
        return document

    def media(self):
        self.public_image = ImageFactory(title="Publisks foto", collection=self.public_collection)
        self.public_document = DocumentFactory(title="Publiska prezentacija", collection=self.public_collection)
        self.private_image = self.image("image-private", self.private_collection)
        self.private_photo = self.image("image-private-photo", self.private_collection)
        self.private_logo = self.image("image-private-logo", self.private_collection)
        self.private_document = self.document("document-private", self.private_collection)
        # Public until the collection is restricted, after the first crawl.
        self.later_image = self.image("image-later-private", self.later_private, former=True)
        self.later_document = self.document("document-later-private", self.later_private, former=True)
        self.moved_document = self.document("document-moved-private", self.public_collection, former=True)
        self.former.append(self.make_media_private)

    def make_media_private(self):
        with committed():
            CollectionViewRestriction.objects.create(
                collection=self.later_private, restriction_type="password", password="LEAK-collection-password"
            )
        with committed():
            self.moved_document.collection = self.private_collection
            self.moved_document.save()

    def snippet(self, factory, family, name, *, live, former=False, **kwargs):
        obj = factory(id=next_id(family), name=f"LEAK-{name}", live=live, **kwargs)
        if live:
            publish(obj, self.editor)
        self.register.add(f"{family} {name}", obj, markers=[f"LEAK-{name}"], former=former)
        if former:
            self.former.append(lambda: self.unpublish(obj))
        return obj

    def unpublish(self, obj):
        with committed():
            obj.refresh_from_db()
            obj.unpublish(user=self.editor)

    def draft_edit(self, obj, field, marker):
        """A draft revision with ``marker`` in ``field``; the live row keeps its value."""
        obj.refresh_from_db()
        setattr(obj, field, marker)
        with committed():
            obj.save_revision(user=self.editor)
        obj.refresh_from_db()
        self.register.add(f"draft edit of {obj}", markers=[marker])

    def snippets(self):
        self.public_organisation = OrganisationFactory(name="Publiska biedriba", logo=self.private_logo)
        publish(self.public_organisation, self.editor)
        self.draft_organisation = self.snippet(OrganisationFactory, "organisation", "organisation-draft", live=False)
        self.former_organisation = self.snippet(
            OrganisationFactory, "organisation", "organisation-former", live=True, former=True
        )
        self.draft_person = self.snippet(
            PersonFactory, "person", "person-draft", live=False, organisation=self.public_organisation
        )
        self.former_person = self.snippet(
            PersonFactory, "person", "person-former", live=True, former=True, organisation=self.public_organisation
        )
        self.draft_card = self.snippet(ContactCardFactory, "contactcard", "card-draft", live=False)
        self.former_card = self.snippet(ContactCardFactory, "contactcard", "card-former", live=True, former=True)
        self.draft_project = self.snippet(ProjectFactory, "project", "project-draft", live=False)
        self.former_project = self.snippet(ProjectFactory, "project", "project-former", live=True, former=True)
        self.draft_topic = TopicFactory(
            id=next_id("topic"), name="LEAK-topic-draft", slug="leak-topic-draft", live=False
        )
        self.register.add("topic draft", self.draft_topic, markers=["LEAK-topic-draft"])
        self.topic_slugs = ["leak-topic-draft"]
        self.public_topic = TopicFactory(name="Publiska tema", slug="publiska-tema")
        publish(self.public_topic, self.editor)

        self.public_person = PersonFactory(
            name="Publiska Runataja",
            organisation=self.draft_organisation,
            photo=self.private_photo,
            links=[],
        )
        publish(self.public_person, self.editor)
        self.public_card = ContactCardFactory(name="Publiska Kontaktpersona", organisation=self.draft_organisation)
        publish(self.public_card, self.editor)
        self.public_project = ProjectFactory(name="Publisks projekts", logo=self.private_logo)
        publish(self.public_project, self.editor)
        # Live, with a draft edit: the public sees the live version only.
        self.edited_person = PersonFactory(name="Publiska Labotaja")
        publish(self.edited_person, self.editor)
        self.draft_edit(self.edited_person, "name", "LEAK-person-draftedit")
        self.edited_organisation = OrganisationFactory(name="Publiska Labota biedriba")
        publish(self.edited_organisation, self.editor)
        self.draft_edit(self.edited_organisation, "name", "LEAK-organisation-draftedit")
        self.edited_card = ContactCardFactory(name="Publiska Labota kontaktpersona")
        publish(self.edited_card, self.editor)
        self.late_drafts.append(lambda: self.draft_edit(self.edited_card, "name", "LEAK-card-draftedit"))
        self.edited_project = ProjectFactory(name="Publisks labots projekts")
        publish(self.edited_project, self.editor)
        self.late_drafts.append(lambda: self.draft_edit(self.edited_project, "name", "LEAK-project-draftedit"))
        # A draft translation of a public person (English).
        english = Locale.objects.get(language_code="en")
        translation = self.public_person.copy_for_translation(english)
        translation.job_title = "LEAK-person-translation-draft"
        translation.live = False
        translation.save()
        self.register.add("draft translation of a person", translation, markers=["LEAK-person-translation-draft"])

    def page(self, name, parent, *, former=False, restrict=None, slug=None, factory=EventReportPageFactory, **kwargs):
        """A secret page: created as a draft, restricted (``restrict``) before its first publish, then published
        unless it is a plain draft. ``former`` pages are published here and made secret after the first crawl
        (their title carries the marker; their slug does not, since the change feed may name their old address)."""
        title = f"LEAK-{name}"
        page = factory(
            parent=parent,
            title=title,
            slug=slug or (f"atsaukta-{len(self.register.secrets)}" if former else f"leak-{name}"),
            live=False,
            owner=self.editor,
            **kwargs,
        )
        if restrict:
            kind, *extra = restrict
            with committed():
                restriction = PageViewRestriction.objects.create(
                    page=page, restriction_type=kind, password=extra[0] if kind == "password" else ""
                )
                if kind == "groups":
                    restriction.groups.add(self.group)
        if restrict or former:
            publish(page, self.editor)
        page = reload(page)
        self.register.add(f"page {name}", page, markers=[title], paths=frontend_paths(page), former=former)
        return page

    def pages(self):
        self.index = EventReportIndexPageFactory(title="Pasakumi", slug="pasakumi", owner=self.editor)
        publish(self.index, self.editor)
        self.draft_page = self.page("page-draft", self.index)
        self.password_page = self.page("page-password", self.index, restrict=("password", "LEAK-page-password"))
        self.register.add("password of a restricted page", markers=["LEAK-page-password"])
        self.group_page = self.page("page-groups", self.index, restrict=("groups",))
        self.login_index = self.page(
            "index-login", self.index.get_parent(), restrict=("login",), factory=EventReportIndexPageFactory
        )
        self.login_child = self.page("page-below-login", self.login_index)
        publish(self.login_child, self.editor)
        self.unpublished_page = self.page("page-unpublished", self.index, former=True)
        self.former.append(lambda: self.unpublish(self.unpublished_page))
        self.restricted_later = self.page("page-restricted-later", self.index, former=True)
        self.later_index = self.page(
            "index-restricted-later", self.index.get_parent(), former=True, factory=EventReportIndexPageFactory
        )
        self.later_child = self.page("page-below-restricted-later", self.later_index, former=True)
        self.former.append(self.restrict_later)

        self.linked_page = EventReportPageFactory(parent=self.index, title="Publiska saistita", slug="saistita")
        publish(self.linked_page, self.editor)
        self.edited_page = EventReportPageFactory(
            parent=self.index, title="Publiska labota", slug="labota", owner=self.editor
        )
        publish(self.edited_page, self.editor)
        self.edited_page.locked, self.edited_page.locked_by = True, self.translator
        self.edited_page.save()
        self.edited_page = reload(self.edited_page)
        self.edited_page.title = "LEAK-page-draftedit"
        self.edited_page.slug = "leak-page-draftedit-slug"
        self.edited_page.lead = "LEAK-page-draftedit-lead"
        with committed():
            self.edited_page.save_revision(user=self.editor)
        self.register.add("draft edit of a page", markers=["LEAK-page-draftedit"])
        self.report = self.public_report()

    def restrict_later(self):
        with committed():
            PageViewRestriction.objects.create(page=self.restricted_later, restriction_type="login")
        with committed():
            PageViewRestriction.objects.create(page=self.later_index, restriction_type="groups").groups.add(self.group)

    def secret_pages(self):
        return [
            self.draft_page,
            self.password_page,
            self.group_page,
            self.login_index,
            self.login_child,
            self.unpublished_page,
            self.restricted_later,
            self.later_index,
            self.later_child,
        ]

    def public_report(self):
        secret_pages = self.secret_pages()
        secret_documents = [self.private_document, self.later_document, self.moved_document]
        page_links = "".join(f'<a linktype="page" id="{page.pk}">saite</a> ' for page in secret_pages)
        document_links = "".join(f'<a linktype="document" id="{doc.pk}">fails</a> ' for doc in secret_documents)
        public_link = f'<a linktype="page" id="{self.linked_page.pk}">publiska saite</a>'
        people = [self.draft_person, self.former_person, self.edited_person]
        body = [
            ("paragraph", f"<p>{page_links}{document_links}{public_link}</p>"),
            *[
                ("image", {"image": image, "alt_text": f"LEAK-alt-{image.pk}"})
                for image in (self.private_image, self.later_image)
            ],
            *[("document", {"document": document}) for document in secret_documents],
            # The roles of hidden people carry markers; the live person's role is public text.
            *[("speaker", {"person": person, "role": f"LEAK-role-{person.pk}"}) for person in people[:2]],
            ("speaker", {"person": self.edited_person, "role": "Publiska loma"}),
            ("speaker", {"person": self.public_person, "organisation": self.draft_organisation}),
            ("speaker", {"person": self.public_person, "organisation": self.former_organisation}),
            (
                "talk",
                {
                    "speakers": [{"person": self.draft_person}, {"person": self.public_person}],
                    "title": "Publiska runa",
                    "slides": self.private_document,
                },
            ),
            (
                "discussion",
                {
                    "title": "Publiska diskusija",
                    "moderators": [{"person": self.draft_person}, {"person": self.public_person}],
                    "summary_document": self.later_document,
                },
            ),
        ]
        self.register.add("speaker roles of hidden people", markers=[f"LEAK-role-{p.pk}" for p in people[:2]])
        self.register.add(
            "alt text of private images",
            markers=[f"LEAK-alt-{self.private_image.pk}", f"LEAK-alt-{self.later_image.pk}"],
        )
        resources = [("resource", {"page": page, "title": f"LEAK-linktitle-{page.pk}"}) for page in secret_pages]
        resources += [("resource", {"document": doc, "title": f"LEAK-linktitle-{doc.pk}"}) for doc in secret_documents]
        self.register.add("titles of links to secrets", markers=[title["title"] for _kind, title in resources])
        report = EventReportPageFactory(
            parent=self.index,
            title="Publisks zinojums",
            slug="publisks-zinojums",
            owner=self.editor,
            hero_image=self.later_image,
            hero_image_alt="LEAK-alt-hero",
            author_organisation=self.draft_organisation,
            body=ReportBodyFactory.stream(body),
            contacts=ContactsFactory.stream(
                [("contact", card) for card in (self.draft_card, self.former_card, self.public_card, self.edited_card)]
            ),
            resources=ResourcesFactory.stream(resources),
            live=False,
        )
        self.register.add("alt text of a hero image made private", markers=["LEAK-alt-hero"])
        for organisation in (self.draft_organisation, self.former_organisation, self.public_organisation):
            EventOrganiser.objects.create(page=report, organisation=organisation, locale=report.locale)
        for project in (self.draft_project, self.former_project, self.public_project, self.edited_project):
            EventProject.objects.create(page=report, project=project, locale=report.locale)
        for page in [page for page in secret_pages if isinstance(page, EventReportPage)]:
            RelatedEvent.objects.create(page=report, report=page, relation="related", locale=report.locale)
        report.topics.add(self.draft_topic, self.public_topic)
        report.save()
        publish(report, self.editor)
        # The public person links to secrets too (bio, links).
        person = Person.objects.get(pk=self.public_person.pk)
        person.bio = f"<p>{page_links}{document_links}</p>"
        person.links = [("link", {"page": page, "title": f"LEAK-linktitle-{page.pk}"}) for page in secret_pages] + [
            ("link", {"document": doc, "title": f"LEAK-linktitle-{doc.pk}"}) for doc in secret_documents
        ]
        publish(person, self.editor)
        return reload(report)

    def translations(self):
        english = Locale.objects.get(language_code="en")
        # A page translated into English and never published: its strings carry the marker.
        self.untranslated = EventReportPageFactory(parent=self.index, title="Tulkojams", slug="tulkojams")
        publish(self.untranslated, self.editor)
        translate_object(self.untranslated, [english])
        translation = Translation.objects.get(
            source__object_id=self.untranslated.translation_key, target_locale=english
        )
        fill(translation, lambda text: f"LEAK-translation-draft {text}", self.translator)
        with committed():
            translation.save_target(user=self.translator, publish=False)
        draft = self.untranslated.get_translation(english)
        assert not draft.live
        self.register.add(
            "draft translation of a page", draft, markers=["LEAK-translation-draft"], paths=frontend_paths(draft)
        )
        # A page translated and published, then a newer draft of the translation.
        self.translated = EventReportPageFactory(parent=self.index, title="Tulkots", slug="tulkots")
        publish(self.translated, self.editor)
        translate_object(self.translated, [english])
        translation = Translation.objects.get(source__object_id=self.translated.translation_key, target_locale=english)
        fill(translation, lambda text: f"EN {text}", self.translator)
        with committed():
            translation.save_target(user=self.translator, publish=True)
        self.translated_english = self.translated.get_translation(english)
        assert self.translated_english.live

        def newer_draft():
            fill(translation, lambda text: f"LEAK-translation-newer-draft {text}", self.translator)
            with committed():
                translation.save_target(user=self.translator, publish=False)

        self.late_drafts.append(newer_draft)
        self.register.add("newer draft of a live translation", markers=["LEAK-translation-newer-draft"])

    def expected(self):
        """What the public must see: (what, the string that shows it)."""
        return [
            ("the public report", "Publisks zinojums"),
            ("a public person", "Publiska Runataja"),
            ("the live name of a person with a draft edit", "Publiska Labotaja"),
            ("the live name of an organisation with a draft edit", "Publiska Labota biedriba"),
            ("the live name of a contact with a draft edit", "Publiska Labota kontaktpersona"),
            ("the live name of a project with a draft edit", "Publisks labots projekts"),
            ("the live title of a page with a draft edit", "Publiska labota"),
            ("a public link", f'data-page-id="{self.linked_page.pk}"'),
            ("a public image", "Publisks foto"),
            ("a public document", "Publiska prezentacija"),
            ("a public topic", "Publiska tema"),
            ("a public project", "Publisks projekts"),
            ("a live translation", "EN Tulkots"),
        ]


def fill(translation, text, user):
    for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
        StringTranslation.objects.update_or_create(
            translation_of=segment.string,
            locale=translation.target_locale,
            context=segment.context,
            defaults={"data": text(segment.string.data), "translation_type": "manual", "last_translated_by": user},
        )


def plant():
    site = Site()
    site.users()
    WebhookEndpoint.objects.create(
        name="Front-end",
        url="https://hooks.example.org/",
        event_types=list(webhook_events.EVENT_TYPES),
        secret="whsec_" + "A" * 44,
    )
    site.collections()
    site.media()
    site.snippets()
    site.pages()
    site.translations()
    return site


# --- crawling --------------------------------------------------------------------------------------------------
def schema_listings(crawler):
    """The listings of the served OpenAPI document and their query parameters (name -> schema)."""
    document = crawler.get(f"{API}schema/").data
    listings = {}
    for path, item in document["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        listings[path] = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", []) if p["in"] == "query"}
    return listings


def _schemas(schema):
    yield schema
    for key in ("oneOf", "anyOf", "allOf"):
        for option in schema.get(key, []):
            yield from _schemas(option)


# Query parameters whose values name objects of a family (else: the family of the endpoint they filter).
PARAMETER_FAMILIES = {"person": "person", "organisation": "organisation", "project": "project", "topic": "topic"}


def values_for(name, schema, site, family):
    """(values naming a secret, the value naming nothing) for one query parameter of a listing of ``family``,
    or None to skip it; plain values (enums, dates) come with a None reference."""
    register = site.register
    options = list(_schemas(schema))
    if name in ("limit", "offset", "fields", "after", "order", "token", "content_type"):
        return None
    family = PARAMETER_FAMILIES.get(name, family)
    secrets = [s for s in register.secrets if s.tag and s.tag.rsplit("-", 1)[0] == family]
    if name == "search":
        # The family's own secrets, drafts of public objects, and editors.
        texts = [s for s in register.secrets if s.tag is None or s.tag.startswith("user-")]
        # The reference shares no word with any marker: every marker word must find nothing either.
        return sorted({m for s in secrets + texts for m in s.markers}), "qzxnonexistentqzx"
    if name == "html_path":
        return sorted({path for s in register.by_family("page") for path in s.paths}), "/leak-nonexistent/"
    enum = [value for option in options for value in option.get("enum", [])]
    if enum:
        return enum, None
    if any(option.get("type") == "integer" for option in options):
        # A parameter whose family is unknown gets every secret id.
        secrets = secrets or [s for s in register.secrets if s.tag]
        return sorted({int(s.tag.rsplit("-", 1)[1]) for s in secrets}), NONEXISTENT_ID
    if any(option.get("format") == "date" for option in options):
        return ["1900-01-01", "2100-01-01"], None
    if name == "type":
        return sorted({model._meta.label for model in get_page_models() if model._meta.app_label == "cms"}), None
    if name == "locale":
        return ["lv", "en", "ltg"], None
    if family == "topic":
        return site.topic_slugs, NONEXISTENT_TEXT
    return sorted({m for s in secrets for m in s.markers}) or ["LEAK"], NONEXISTENT_TEXT


def crawl(client, site):
    """Everything the public can ask, after the secrets are in place. Returns the crawler and the pairs of
    answers that must be indistinguishable: (what, answer about a secret, answer about nothing)."""
    crawler = Crawler(client)
    pairs = []
    listings = schema_listings(crawler)
    page_types = sorted({m._meta.label for m in get_page_models() if m._meta.app_label == "cms"})
    for path, parameters in listings.items():
        if path in (f"{API}schema/", f"{API}docs/", FEED):
            continue
        endpoint = path[len(API) :].split("/")[0]
        family = ENDPOINT_FAMILIES.get(endpoint)
        star = {"fields": "*"} if "fields" in parameters else {}
        for context in [{}, *({"type": label} for label in page_types)] if "type" in parameters else [{}]:
            for locale in [None, *("lv", "en", "ltg")] if "locale" in parameters else [None]:
                crawler.listing_pages(_url(path, {**context, **star, **({"locale": locale} if locale else {})}), 20)
        for name, schema in parameters.items():
            values = values_for(name, schema, site, family)
            if values is None:
                continue
            secret_values, reference = values
            # A filter that needs a type (the event filters) is asked again with each type.
            contexts = [star]
            if name == "search" and "search_operator" in parameters:
                # Each word of a marker alone (or) and all of them (and): "and" tells which text is indexed.
                contexts += [{**star, "search_operator": op} for op in parameters["search_operator"].get("enum", [])]
            probe = crawler.get(_url(path, {**star, name: reference if reference else secret_values[0]}))
            if probe.status == 400 and "type" in parameters and name != "type":
                contexts += [{**star, "type": label} for label in page_types]
            for base in contexts:
                reference_answer = crawler.get(_url(path, {**base, name: reference})) if reference else None
                for value in secret_values:
                    answer = crawler.get(_url(path, {**base, name: value}))
                    if reference_answer is not None:
                        pairs.append((f"{_url(path, base)} {name}={value}", answer, reference_answer))
    # Field filters of the pages endpoint (stock v2's exact matches on stored fields; not all in the schema).
    for name, values in (
        ("id", [int(s.tag.rsplit("-", 1)[1]) for s in site.register.by_family("page")]),
        ("slug", [page.slug for page in site.secret_pages()]),
        ("title", [page.title for page in site.secret_pages()]),
    ):
        base = {"type": "cms.EventReportPage"}
        reference = crawler.get(_url(f"{API}pages/", {**base, name: NONEXISTENT_ID if name == "id" else "x-none"}))
        for value in values:
            pairs.append((f"pages {name}={value}", crawler.get(_url(f"{API}pages/", {**base, name: value})), reference))
    # Every secret's own address, and what a non-existent one answers.
    for secret in site.register.secrets:
        family = secret.tag.rsplit("-", 1)[0] if secret.tag else None
        if family not in FAMILY_ENDPOINTS:
            continue
        endpoint, pk = FAMILY_ENDPOINTS[family], secret.tag.rsplit("-", 1)[1]
        for suffix in ("", "?fields=*") if endpoint in ("pages", "images", "documents") else ("",):
            pairs.append(
                (
                    f"detail of {secret.name}{suffix}",
                    crawler.get(f"{API}{endpoint}/{pk}/{suffix}"),
                    crawler.get(f"{API}{endpoint}/{NONEXISTENT_ID}/{suffix}"),
                )
            )
        for path in secret.paths if family == "page" else ():
            pairs.append((f"find {path}", crawler.get(find_url(path)), crawler.get(find_url("/leak-nonexistent/"))))
    # The previews without a token, the schema and the docs; then everything any answer points at.
    crawler.crawl([f"{API}page_preview/", f"{API}snippet_preview/", f"{API}docs/", *list(crawler.answers)])
    return crawler, pairs


def _url(path, query):
    from urllib.parse import urlencode

    return path + ("?" + urlencode(query) if query else "")


def read_feed(client, limit=20):
    """The change feed from its start to its end, and the first page of each of its filters."""
    crawler = Crawler(client)
    for name, values in (
        (
            "type",
            [
                "cms.EventReportPage",
                "cms.Person",
                "cms.Organisation",
                "cms.ContactCard",
                "cms.Project",
                "cms.Topic",
                "wagtailimages.Image",
                "wagtaildocs.Document",
            ],
        ),
        ("locale", ["lv", "en", "ltg"]),
    ):
        for value in values:
            crawler.get(_url(FEED, {name: value, "limit": limit}))
    answers, cursor = list(crawler.answers.values()), None
    while True:
        url = f"{FEED}?limit={limit}" + (f"&after={cursor}" if cursor else "")
        crawler = Crawler(client)
        answer = crawler.get(url)
        answers.append(answer)
        data = answer.data
        assert answer.status == 200, answer.text()
        cursor = data["meta"]["next"]
        if not data["meta"]["has_more"]:
            return answers


def push_side():
    """What the push side sends: the webhook payload of every change event (built as the outbox does, and the
    stored delivery bodies), and the purge URLs and tags of every event. (where, text) pairs."""
    sent = []
    for event in ChangeEvent.objects.order_by("pk"):
        event_type = webhook_events.webhook_type(event)
        if event_type is not None:
            sent.append((f"webhook payload of event {event.pk} ({event.kind})", webhook_events.body(event, event_type)))
        urls, tags = purge.purge_targets(event)
        sent.append((f"purge list of event {event.pk} ({event.kind})", json.dumps({"urls": urls, "tags": tags})))
    for delivery in WebhookDelivery.objects.order_by("pk"):
        sent.append((f"webhook delivery {delivery.pk} ({delivery.event_type})", delivery.body))
    return sent


@pytest.fixture(scope="module")
def planted(django_db_setup, django_db_blocker):
    """Plant, crawl once to fill the caches, turn the formerly public things secret, crawl everything; all in
    one transaction rolled back at the end. Only plain data leaves it."""
    result = {}
    with django_db_blocker.unblock():
        clear_caches()
        try:
            with transaction.atomic():
                client = Client(HTTP_HOST="localhost", raise_request_exception=False)
                site = plant()
                warm = Crawler(client)
                warm.crawl(
                    [f"{API}{name}/?limit=20" for name in FAMILY_ENDPOINTS.values()]
                    + [f"{API}pages/?fields=*&limit=20&type=cms.EventReportPage"]
                    + [
                        f"{API}{FAMILY_ENDPOINTS[s.tag.rsplit('-', 1)[0]]}/{s.tag.rsplit('-', 1)[1]}/"
                        for s in site.register.secrets
                        if s.former
                    ]
                )
                for step in site.former + site.late_drafts:
                    step()
                crawler, pairs = crawl(client, site)
                result.update(
                    register=site.register,
                    warm=list(warm.answers.values()),
                    answers=list(crawler.answers.values()),
                    pairs=pairs,
                    feed=read_feed(client),
                    pushed=push_side(),
                    expected=site.expected(),
                    event_count=ChangeEvent.objects.count(),
                    public_document_title=site.public_document.title,
                    document_search=crawler.get(_url(f"{API}documents/", {"search": site.public_document.title})),
                )
                raise Rollback
        except Rollback:
            pass
        clear_caches()
    return result


def report(findings, limit=60):
    lines = sorted({str(finding) for finding in findings})
    more = f"\n… and {len(lines) - limit} more" if len(lines) > limit else ""
    return f"{len(lines)} leaks:\n" + "\n".join(lines[:limit]) + more


# --- the crawl's own sanity: it saw what it had to see ---------------------------------------------------------
def test_the_crawl_reaches_every_endpoint_and_everything_public(planted):
    answers = planted["answers"]
    assert len(answers) > 300
    requested = {answer.url.split("?")[0] for answer in answers}
    for endpoint in FAMILY_ENDPOINTS.values():
        assert any(url.startswith(f"{API}{endpoint}/") and url != f"{API}{endpoint}/" for url in requested), endpoint
    text = "".join(answer.shown() for answer in answers if answer.status == 200)
    missing = [what for what, shown in planted["expected"] if shown not in text]
    assert not missing, f"the crawl never saw: {missing}"


def test_formerly_public_secrets_were_served_before_they_became_secret(planted):
    """Otherwise "after it was first requested" would test nothing: the cache held each of them."""
    text = "".join(answer.text() for answer in planted["warm"]).lower()
    unseen = [s.name for s in planted["register"].secrets if s.former and s.markers[0].lower() not in text]
    assert not unseen


def test_no_answer_is_a_server_error(planted):
    errors = [f"{a.url}: {a.status}" for a in planted["answers"] if a.status >= 500]
    assert not errors


# --- the oracle ------------------------------------------------------------------------------------------------
def test_no_api_answer_shows_any_secret(planted):
    findings = check_answers(planted["register"], planted["answers"])
    assert not findings, report(findings)


def test_the_change_feed_names_no_secret(planted):
    feed = planted["feed"]
    items = sum(
        len(answer.data["items"]) for answer in feed if "after=" in answer.url or answer.url == f"{FEED}?limit=20"
    )
    assert items == planted["event_count"] > 10
    findings = check_answers(planted["register"], feed, history=True)
    assert not findings, report(findings)


def test_webhook_payloads_and_purge_lists_name_no_secret(planted):
    pushed = planted["pushed"]
    assert any(where.startswith("webhook delivery") for where, _text in pushed)
    findings = []
    for where, text in pushed:
        findings += check(planted["register"], where, text, history=True)
    assert not findings, report(findings)


def differences(pairs):
    found = []
    for what, secret, nothing in pairs:
        if comparable(secret) != comparable(nothing):
            found.append(f"{what}: {secret.status} {secret.body[:160]!r} vs {nothing.status} {nothing.body[:160]!r}")
    return found


def test_a_secret_is_answered_exactly_like_something_that_does_not_exist(planted):
    """Errors of secret ids and addresses, every filter set to a secret, and every search for a secret's
    words, equal those of nothing at all (status, headers but the request id, body): no existence oracle."""
    found = differences(planted["pairs"])
    assert not found, f"{len(found)} differences:\n" + "\n".join(found[:200])


def test_public_documents_are_found_by_search_with_private_collections_present(planted):
    answer = planted["document_search"]
    assert answer.status == 200, answer.text()
    assert planted["public_document_title"] in answer.text()


# --- random edits ----------------------------------------------------------------------------------------------
EXAMPLES = int(os.environ.get("CMS_LEAK_EXAMPLES", "15"))


class World:
    """A small site and a model of what is public in it. Each operation edits the site and the model."""

    def __init__(self, editor):
        self.editor = editor
        self.step = 0
        root = Collection.get_first_root_node()
        self.collection = root.add_child(name="Materiali")
        self.image = ImageFactory(title="Attels-publisks", collection=self.collection)
        self.document = DocumentFactory(title="Dokuments-publisks", collection=self.collection)
        self.person = PersonFactory(name="Persona-0")
        publish(self.person, editor)
        self.index = EventReportIndexPageFactory(title="Pasakumi", slug="pasakumi")
        publish(self.index, editor)
        self.target = EventReportPageFactory(parent=self.index, title="Merkis-0", slug="merkis")
        publish(self.target, editor)
        self.report = EventReportPageFactory(
            parent=self.index,
            title="Zinojums",
            slug="zinojums",
            hero_image=self.image,
            body=ReportBodyFactory.stream(
                [
                    ("paragraph", f'<p><a linktype="page" id="{self.target.pk}">merkis</a></p>'),
                    ("speaker", {"person": self.person}),
                    ("document", {"document": self.document}),
                ]
            ),
        )
        publish(self.report, editor)
        # The model: what the public should see of each object now, and every text each has had.
        self.state = {
            "target_live": True,
            "target_restricted": False,
            "collection_private": False,
            "person_live": True,
            "target_title": "Merkis-0",
            "target_draft": None,
            "person_name": "Persona-0",
            "person_draft": None,
        }
        self.titles, self.names = {"Merkis-0"}, {"Persona-0"}

    def marker(self, kind):
        self.step += 1
        return f"LEAK-{kind}-{self.step}"

    # --- operations -----------------------------------------------------------------------------------------
    def publish_target(self):
        page = reload(self.target)
        publish(page, self.editor)
        self.state["target_live"] = True
        self.state["target_title"] = page.title
        self.state["target_draft"] = None

    def unpublish_target(self):
        page = reload(self.target)
        if page.live:
            with committed():
                page.unpublish(user=self.editor)
        self.state["target_live"] = False

    def draft_edit_target(self):
        page = reload(self.target)
        page.title = self.marker("pagedraft")
        with committed():
            page.save_revision(user=self.editor)
        self.titles.add(page.title)
        self.state["target_draft"] = page.title
        if not self.state["target_live"]:
            # An unpublished page shows nothing anyway; its next publish publishes this draft.
            pass

    def toggle_restriction(self):
        restriction = PageViewRestriction.objects.filter(page=self.target).first()
        with committed():
            if restriction:
                restriction.delete()
            else:
                PageViewRestriction.objects.create(page=self.target, restriction_type="login")
        self.state["target_restricted"] = restriction is None

    def toggle_collection(self):
        restriction = CollectionViewRestriction.objects.filter(collection=self.collection).first()
        with committed():
            if restriction:
                restriction.delete()
            else:
                CollectionViewRestriction.objects.create(collection=self.collection, restriction_type="login")
        self.state["collection_private"] = restriction is None

    def draft_edit_person(self):
        self.person.refresh_from_db()
        self.person.name = self.marker("persondraft")
        with committed():
            self.person.save_revision(user=self.editor)
        self.names.add(self.person.name)
        self.state["person_draft"] = self.person.name
        self.person.refresh_from_db()

    def publish_person(self):
        self.person.refresh_from_db()
        latest = self.person.get_latest_revision()
        with committed():
            latest.publish(user=self.editor)
        self.person.refresh_from_db()
        self.state["person_live"] = True
        self.state["person_name"] = self.person.name
        self.state["person_draft"] = None

    def unpublish_person(self):
        self.person.refresh_from_db()
        if self.person.live:
            with committed():
                self.person.unpublish(user=self.editor)
        self.state["person_live"] = False

    OPERATIONS = (
        "publish_target",
        "unpublish_target",
        "draft_edit_target",
        "toggle_restriction",
        "toggle_collection",
        "draft_edit_person",
        "publish_person",
        "unpublish_person",
    )

    # --- the oracle -----------------------------------------------------------------------------------------
    def register(self):
        """What is secret now, as the model says, in the leak oracle's terms."""
        register, state = Register(), self.state
        target_public = state["target_live"] and not state["target_restricted"]
        hidden_titles = self.titles - ({state["target_title"]} if target_public else set())
        register.add("target page", self.target if not target_public else None, markers=sorted(hidden_titles))
        hidden_names = self.names - ({state["person_name"]} if state["person_live"] else set())
        register.add("person", self.person if not state["person_live"] else None, markers=sorted(hidden_names))
        if state["collection_private"]:
            register.add("image", self.image, markers=[self.image.title])
            register.add("document", self.document, markers=[self.document.title])
        return register

    def visible(self):
        """(url, text) pairs: each public object where the public must find it."""
        state, report = self.state, f"{API}pages/{self.report.pk}/"
        shown = [(report, "Zinojums"), (f"{API}pages/?type=cms.EventReportPage&fields=*", "Zinojums")]
        if state["target_live"] and not state["target_restricted"]:
            shown += [
                (f"{API}pages/{self.target.pk}/", state["target_title"]),
                (f"{API}pages/?type=cms.EventReportPage&fields=*", state["target_title"]),
                (report, f'data-page-id="{self.target.pk}"'),
            ]
        if state["person_live"]:
            shown += [(report, state["person_name"]), (f"{API}people/", state["person_name"])]
        if not state["collection_private"]:
            shown += [
                (f"{API}images/", self.image.title),
                (report, self.image.title),
                (f"{API}documents/", self.document.title),
                (f"{API}documents/?search=Dokuments", self.document.title),
                (report, self.document.title),
            ]
        return shown

    def urls(self):
        return [
            f"{API}pages/?type=cms.EventReportPage&fields=*",
            f"{API}pages/{self.report.pk}/",
            f"{API}pages/{self.target.pk}/",
            f"{API}pages/?search=Merkis",
            f"{API}people/",
            f"{API}people/{self.person.pk}/",
            f"{API}images/",
            f"{API}images/{self.image.pk}/",
            f"{API}documents/",
            f"{API}documents/?search=Dokuments",
            f"{API}documents/{self.document.pk}/",
            find_url("/pasakumi/merkis/"),
        ]


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(World.OPERATIONS), min_size=1, max_size=6))
def test_after_any_edits_what_is_secret_is_invisible_and_what_is_public_is_visible(steps):
    clear_caches()
    client = Client(HTTP_HOST="localhost", raise_request_exception=False)
    try:
        with transaction.atomic():
            editor = get_user_model().objects.create_superuser(
                "leak-stateful-editor", "leak-stateful@leak.example", None
            )
            world = World(editor)
            for url in world.urls():
                client.get(url)  # the caches hold the public state before the first edit
            for number, operation in enumerate(steps, 1):
                getattr(world, operation)()
                where = f"after {', '.join(steps[:number])}"
                crawler = Crawler(client)
                crawler.crawl(world.urls())
                answers = list(crawler.answers.values())
                findings = check_answers(world.register(), answers)
                assert not findings, f"{where}: {report(findings)}"
                missing = [
                    (url, text)
                    for url, text in world.visible()
                    if crawler.answers[url].status != 200 or text not in crawler.answers[url].shown()
                ]
                assert not missing, f"{where}: not shown: {missing}"
            raise Rollback
    except Rollback:
        pass
    finally:
        clear_caches()


def test_the_stateful_oracle_sees_a_leak_when_there_is_one():
    """The stateful test's oracle is not vacuous: a title the model calls secret is found when it is shown."""
    register = Register()
    register.add("target page", markers=["LEAK-pagedraft-1"])
    body = b'{"items":[{"id":1,"title":"LEAK-pagedraft-1"}]}'
    assert check(register, "/api/v2/pages/", body)
    assert not check(register, "/api/v2/pages/", b'{"items":[]}')
