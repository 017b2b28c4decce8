"""Builds the demo content in code. Idempotent: objects are found by a natural key and never duplicated.

Existing demo objects are left as they are, so running the loader again never overwrites an editor's
changes; delete an object to have it recreated.
"""

import datetime
import functools
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site, Task, Workflow
from wagtail_localize.models import StringSegment, StringTranslation, Translation
from wagtail_localize.operations import translate_object

from cms.factories.streams import ContactsFactory, FollowUpsFactory, ReportBodyFactory
from cms.models import (
    ContactCard,
    EventAudienceGroup,
    EventOrganiser,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    Organisation,
    Person,
    Topic,
)

from . import seed_report as seed
from . import seed_report_en

# Block ids are derived from their place in the report ("body/6/speakers/0") so that reloading on a fresh database
# yields the same JSON, and the same ids in the API.
_ID_NAMESPACE = uuid.UUID("7726c926-e300-4191-a000-000000000000")

# What Wagtail's own first migrations create, in English: the page tree's root, the site's home page, and the
# default workflow with its one task (both called the same). The loader gives them Latvian names, but only while
# they still have these names, so that a name an editor chose is never overwritten.
WAGTAIL_ROOT_TITLE = "Root"
WAGTAIL_HOME_TITLE = "Welcome to your new Wagtail site!"
WAGTAIL_WORKFLOW_NAME = "Moderators approval"
# "Sakne", as the admin's Latvian note on the root level calls it ("Saknes līmenī ... var pievienot jaunas vietnes").
ROOT_TITLE = "Sakne"
HOME_TITLE = "Sākumlapa"
SITE_NAME = "Rēzeknes novads"
WORKFLOW_NAME = "Moderatoru apstiprināšana"


def _block_id(*parts):
    return str(uuid.uuid5(_ID_NAMESPACE, "/".join(str(p) for p in parts)))


@dataclass
class LoadReport:
    created: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    # Objects Wagtail created that were given their Latvian names (not demo content: not counted above).
    renamed: list = field(default_factory=list)

    def add(self, obj, created):
        (self.created if created else self.kept).append(f"{obj._meta.verbose_name}: {obj}")


def _publish(obj):
    revision = obj.save_revision()
    revision.publish()
    obj.refresh_from_db()
    return obj


def _snippet(model, locale, lookup, defaults, report):
    obj = model.objects.filter(locale=locale, **lookup).first()
    if obj is not None:
        report.add(obj, created=False)
        return obj
    obj = model(locale=locale, **lookup, **defaults)
    obj.full_clean()
    obj.save()
    _publish(obj)
    report.add(obj, created=True)
    return obj


class DemoLoader:
    def __init__(self):
        self.report = LoadReport()
        self.locale = Locale.get_default()
        self.orgs, self.people, self.contacts, self.topics = {}, {}, {}, {}

    def load(self):
        with transaction.atomic():
            self.name_wagtail_defaults()
            self.load_snippets()
            index = self.load_index_page()
            page = self.load_report_page(index)
            if Locale.objects.filter(language_code="en").exists():
                self.load_translation("en", seed_report_en.STRINGS, [index, page, *self.topics.values()])
        return self.report

    # --- what Wagtail created ------------------------------------------------------------------------
    def name_wagtail_defaults(self):
        """The page tree's root, the home page (the site's root page) and the default workflow, in Latvian."""
        root = Page.get_first_root_node()
        if WAGTAIL_ROOT_TITLE in (root.title, root.draft_title):
            # The root is no page anyone sees or publishes: only its name in the admin changes.
            root.title = root.draft_title = ROOT_TITLE
            root.save(update_fields=["title", "draft_title"])
            self.report.renamed.append(f"{root._meta.verbose_name}: {root.title}")
        home = self.site_root()
        if WAGTAIL_HOME_TITLE in (home.title, home.draft_title):
            home.title = home.draft_title = HOME_TITLE
            # Published, so that the page tree, the live page and its aliases in other languages agree.
            _publish(home)
            self.report.renamed.append(f"{home._meta.verbose_name}: {home.title}")
        site = Site.objects.get(root_page=home, is_default_site=True)
        if not site.site_name:
            site.site_name = SITE_NAME
            site.save(update_fields=["site_name"])
        for model in (Workflow, Task):
            for obj in model.objects.filter(name=WAGTAIL_WORKFLOW_NAME):
                obj.name = WORKFLOW_NAME
                obj.save(update_fields=["name"])
                self.report.renamed.append(f"{obj._meta.verbose_name}: {obj.name}")

    # --- translation --------------------------------------------------------------------------------
    def load_translation(self, language, strings, objects):
        """Translate through wagtail-localize, as a translator would: submit the objects (the pages take the
        people, organisations and contact cards they use along), enter each string, publish."""
        locale = Locale.objects.get(language_code=language)
        missing = [obj for obj in objects if obj.get_translation_or_none(locale) is None]
        for obj in missing:
            translate_object(obj, [locale])
        if not missing:
            self.report.add(objects[-1].get_translation(locale), created=False)
            return
        translations = Translation.objects.filter(target_locale=locale).select_related("source")
        # Snippets first: the pages refer to them.
        ordered = sorted(translations, key=lambda t: issubclass(t.source.specific_content_type.model_class(), Page))
        for translation in ordered:
            for segment in StringSegment.objects.filter(source=translation.source).select_related("string", "context"):
                text = strings.get(segment.string.data)
                if text is not None:
                    StringTranslation.objects.update_or_create(
                        translation_of=segment.string,
                        locale=locale,
                        context=segment.context,
                        defaults={"data": text, "translation_type": StringTranslation.TRANSLATION_TYPE_MANUAL},
                    )
            translation.save_target(publish=True)
            self.report.add(translation.source.get_translated_instance(locale), created=True)

    # --- snippets -----------------------------------------------------------------------------------
    def load_snippets(self):
        for row in seed.ORGANISATIONS:
            self.orgs[row["key"]] = _snippet(
                Organisation,
                self.locale,
                {"name": row["name"]},
                {"acronym": row["acronym"], "aliases": row["aliases"]},
                self.report,
            )
        for row in seed.PEOPLE:
            self.people[row["key"]] = _snippet(
                Person,
                self.locale,
                {"name": row["name"]},
                {"job_title": row["job_title"], "organisation": self.orgs[row["org"]]},
                self.report,
            )
        defaults = dict(seed.CONTACT_DEFAULTS)
        organisation = self.orgs[defaults.pop("org")]
        for row in seed.CONTACT_CARDS:
            self.contacts[row["key"]] = _snippet(
                ContactCard,
                self.locale,
                {"name": row["name"]},
                {**defaults, "organisation": organisation},
                self.report,
            )
        for row in seed.TOPICS:
            self.topics[row["key"]] = _snippet(
                Topic, self.locale, {"slug": row["slug"]}, {"name": row["name"]}, self.report
            )

    # --- pages --------------------------------------------------------------------------------------
    def site_root(self):
        site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
        if site is None:
            root = Page.get_first_root_node()
            home = root.get_children().first()
            site = Site.objects.create(hostname="localhost", port=80, root_page=home, is_default_site=True)
        return site.root_page.specific

    def load_index_page(self):
        home = self.site_root()
        index = EventReportIndexPage.objects.child_of(home).filter(slug=seed.INDEX_PAGE["slug"]).first()
        if index is not None:
            self.report.add(index, created=False)
            return index
        index = EventReportIndexPage(
            title=seed.INDEX_PAGE["title"],
            slug=seed.INDEX_PAGE["slug"],
            intro=seed.INDEX_PAGE["intro"],
            locale=home.locale,
        )
        home.add_child(instance=index)
        _publish(index)
        self.report.add(index, created=True)
        return index

    def load_report_page(self, index):
        data = seed.REPORT
        page = EventReportPage.objects.child_of(index).filter(slug=data["slug"]).first()
        if page is not None:
            self.report.add(page, created=False)
            return page
        page = EventReportPage(
            title=data["title"],
            slug=data["slug"],
            lead=data["lead"],
            event_name=data["event_name"],
            locale=index.locale,
            event_kind=data["event_kind"],
            event_kind_text=data["event_kind_text"],
            publication_date=data["publication_date"],
            publication_date_precision=data["publication_date_precision"],
            author_name=data["author_name"],
            author_position=data["author_position"],
            author_organisation=self.orgs[data["author_organisation"]],
            date_precision=data["date_precision"],
            start_date=data["start_date"],
            event_format=data["event_format"],
            free_of_charge=data["free_of_charge"],
            participant_count=data["participant_count"],
            participant_count_qualifier=data["participant_count_qualifier"],
            contacts_intro=data["contacts_intro"],
            # The stream builder writes what the admin saves: ListBlock items with ids, every child present.
            body=ReportBodyFactory.stream(
                [(kind, self.with_objects(kind, value)) for kind, value in data["body"]],
                block_id=functools.partial(_block_id, "body"),
            ),
            contacts=ContactsFactory.stream(
                [("contact", self.contacts[key], _block_id("contacts", key)) for key in data["contacts"]]
            ),
            follow_ups=FollowUpsFactory.stream(
                [("follow_up", value) for value in data["follow_ups"]],
                block_id=functools.partial(_block_id, "follow_ups"),
            ),
        )
        page.sessions = [EventSession(locale=index.locale, **row) for row in data["sessions"]]
        page.audience_groups = [EventAudienceGroup(locale=index.locale, name=name) for name in data["audience_groups"]]
        page.organisers = [
            EventOrganiser(locale=index.locale, organisation=self.orgs[key], part=part)
            for key, part in data["organisers"]
        ]
        page.topics = [self.topics[key] for key in data["topics"]]
        # The article's own date, so listings and feeds show when it really appeared.
        page.first_published_at = _as_datetime(data["publication_date"])
        # Validate like the admin form would (tree fields are set by add_child).
        page.full_clean(exclude=["path", "depth", "numchild"])
        index.add_child(instance=page)
        _publish(page)
        self.report.add(page, created=True)
        return page

    def speaker(self, value):
        """A speaker of the seed, its keys replaced by the people and organisations they name."""
        organisation = value.get("organisation")
        return {
            **value,
            "person": self.people[value["person"]],
            "organisation": self.orgs[organisation] if organisation else None,
        }

    def with_objects(self, kind, value):
        if kind == "speaker":
            return self.speaker(value)
        if kind == "talk":
            return {**value, "speakers": [self.speaker(speaker) for speaker in value["speakers"]]}
        return value


def _as_datetime(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12, 0)))
