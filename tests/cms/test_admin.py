"""The editor's view: creating reports and snippets through the Wagtail admin forms."""

import re

from django.contrib.auth import get_user_model
from django.test import TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield
from wagtail.users.models import UserProfile

from cms.factories.media import DocumentFactory, EmbedFactory, ImageFactory
from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, TopicFactory
from cms.factories.streams import ContactsFactory, FollowUpsFactory, ReportBodyFactory, ResourcesFactory
from cms.models import ContactCard, EventReportIndexPage, EventReportPage, Person, Project


def without_ids(data):
    """Stored StreamField JSON without what differs on every save: block ids, Draftail's block keys."""
    if isinstance(data, dict):
        return {key: without_ids(value) for key, value in data.items() if key != "id"}
    if isinstance(data, list):
        return [without_ids(value) for value in data]
    return re.sub(r' data-block-key="\w+"', "", data) if isinstance(data, str) else data


def listblock(values):
    data = {str(i): {"value": value, "deleted": "", "order": str(i), "id": ""} for i, value in enumerate(values)}
    data["count"] = str(len(values))
    return data


def speaker(person=None, organisation=None, part="speaker", role="Direktore", description=""):
    return {
        "person": str(person.pk) if person else "",
        "description": description,
        # A multiple choice is posted as a repeated key: nested_form_data passes a tuple through as it is.
        "parts": (part,) if isinstance(part, str) else tuple(part),
        "role": role,
        "organisation": str(organisation.pk) if organisation else "",
        "contribution": "",
    }


def session(day, precision="day", **fields):
    return {"date_precision": precision, "date": day, "date_text": "", "title": "", "place": "", **fields}


class AdminTestCase(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")
        # Assertions below read English source messages; the Latvian admin has its own test.
        profile = UserProfile.get_for_user(cls.user)
        profile.preferred_language = "en"
        profile.save()

    def setUp(self):
        self.client.force_login(self.user)


class TestEventReportPageAdmin(AdminTestCase):
    def setUp(self):
        super().setUp()
        self.index = EventReportIndexPageFactory()
        self.org = OrganisationFactory(name="Latvijas Sociālās uzņēmējdarbības asociācija", acronym="LSUA")
        self.person = PersonFactory(name="Regita Zeiļa", organisation=self.org)
        self.contact = ContactCardFactory(name="Maija Hartmane")
        self.topic = TopicFactory(name="Sociālā uzņēmējdarbība")
        self.image = ImageFactory()
        self.document = DocumentFactory()
        self.embed = EmbedFactory()

    def every_block(self):
        return streamfield(
            [
                ("paragraph", rich_text('<p>Notika <a href="https://example.org/">miniforums</a>.</p>')),
                ("heading", {"text": "Atklāšana", "level": "h2"}),
                (
                    "image",
                    {
                        "image": str(self.image.pk),
                        "alt_text": "Dalībnieki",
                        "decorative": "",
                        "caption": "Darba grupa",
                        "credit": "Foto: pašvaldība",
                    },
                ),
                ("quote", {"text": "Sadarbība ir svarīga.", "attribution": "Dana Bārbale"}),
                ("speaker", speaker(self.person, self.org, part="opening", role="LSUA projektu vadītāja")),
                (
                    "talk",
                    {
                        "kind": "presentation",
                        "speakers": listblock([speaker(self.person)]),
                        "title": "Pieredze",
                        "summary": rich_text("<p>Kopsavilkums.</p>"),
                        "slides": str(self.document.pk),
                        "recording_url": "https://example.org/ieraksts",
                    },
                ),
                (
                    "discussion",
                    {
                        "title": "Diskusijas grupās",
                        "method": "breakout_groups",
                        "group_count": "4",
                        "question_count": "",
                        "moderators": listblock([speaker(self.person, part="moderator")]),
                        "panellists": listblock([]),
                        "description": rich_text("<p>Četras grupas.</p>"),
                        "questions": listblock(
                            [{"question": "Kā atbalstīt?", "outcomes": listblock(["Telpas", "Konsultācijas"])}]
                        ),
                        "conclusions": rich_text("<p>Secinājumi.</p>"),
                        "summary_document": str(self.document.pk),
                    },
                ),
                ("document", {"document": str(self.document.pk), "title": "", "description": ""}),
                ("video", {"embed": self.embed.url, "title": "Ieraksts", "caption": ""}),
            ]
        )

    def form_data(self, **overrides):
        data = {
            "title": "Miniforums",
            "slug": "miniforums",
            "lead": "Tiešsaistes miniforums.",
            "event_kind": "forum",
            "event_kind_text": "miniforums",
            "date_precision": "day",
            "start_date": "2020-10-28",
            "end_date": "",
            "date_text": "",
            "publication_date_precision": "day",
            "event_format": "online",
            "online_platform": "Zoom",
            "participant_count": "20",
            "participant_count_qualifier": "more_than",
            "topics": [str(self.topic.pk)],
            "body": self.every_block(),
            "sessions": inline_formset([session("2020-10-28", part_of_day="afternoon")]),
            "audience_groups": inline_formset([{"name": "Uzņēmēji"}, {"name": "NVO pārstāvji"}]),
            "organisers": inline_formset([{"organisation": str(self.org.pk), "part": "organiser"}]),
            "projects": inline_formset([]),
            "related_events": inline_formset([]),
            "contacts": streamfield([("contact", str(self.contact.pk))]),
            "follow_ups": streamfield(
                [
                    (
                        "follow_up",
                        {"kind": "webinar", "title": "Vebināri", "period": "rudenī", "date": "", "end_date": ""},
                    ),
                    (
                        "follow_up",
                        {
                            "kind": "consultation",
                            "title": "Bezmaksas konsultācijas",
                            "description": "",
                            "date": "",
                            "end_date": "",
                            "period": "2020. gada rudenī",
                            "free_of_charge": "on",
                            "registration_url": "",
                        },
                    ),
                ]
            ),
            "resources": streamfield(
                [
                    (
                        "resource",
                        {"kind": "slides", "title": "", "page": "", "document": str(self.document.pk), "url": ""},
                    )
                ]
            ),
            "contacts_intro": "Sazinieties ar speciālistēm.",
            "comments": inline_formset([]),
        }
        data.update(overrides)
        topics = data.pop("topics")
        # A multiple-choice field is posted as a repeated key, which nested_form_data cannot express.
        return {**nested_form_data(data), "topics": topics}

    def test_can_create_report_with_every_block_type(self):
        data = self.form_data()
        self.assertCanCreate(self.index, EventReportPage, data)
        page = EventReportPage.objects.get(slug="miniforums")
        assert page.live
        assert [block.block_type for block in page.body] == [
            "paragraph",
            "heading",
            "image",
            "quote",
            "speaker",
            "talk",
            "discussion",
            "document",
            "video",
        ]
        discussion = page.body[6].value
        assert list(discussion["questions"][0]["outcomes"]) == ["Telpas", "Konsultācijas"]
        assert discussion["moderators"][0]["person"] == self.person
        assert page.body[4].value["role"] == "LSUA projektu vadītāja"
        assert [s.part_of_day for s in page.sessions.all()] == ["afternoon"]
        assert [g.name for g in page.audience_groups.all()] == ["Uzņēmēji", "NVO pārstāvji"]
        assert page.organisers.get().organisation == self.org
        assert list(page.topics.all()) == [self.topic]
        assert page.contacts[0].value == self.contact
        assert page.resources[0].value["document"] == self.document
        assert page.body[8].value["embed"].url == self.embed.url

    def test_the_stream_builder_writes_what_the_admin_saves(self):
        """The demo, the benchmark and the tests build StreamFields with cms.factories: the content of
        ``form_data()`` built by it is stored exactly as the admin's form stores it (block ids aside, and the
        block keys Draftail adds to rich text)."""
        self.assertCanCreate(self.index, EventReportPage, self.form_data())
        saved = EventReportPage.objects.get(slug="miniforums")
        speaker = {"person": self.person, "role": "Direktore"}
        built = {
            "body": ReportBodyFactory.stream(
                [
                    ("paragraph", '<p>Notika <a href="https://example.org/">miniforums</a>.</p>'),
                    ("heading", {"text": "Atklāšana"}),
                    (
                        "image",
                        {
                            "image": self.image,
                            "alt_text": "Dalībnieki",
                            "caption": "Darba grupa",
                            "credit": "Foto: pašvaldība",
                        },
                    ),
                    ("quote", {"text": "Sadarbība ir svarīga.", "attribution": "Dana Bārbale"}),
                    (
                        "speaker",
                        {**speaker, "parts": ("opening",), "role": "LSUA projektu vadītāja", "organisation": self.org},
                    ),
                    (
                        "talk",
                        {
                            "kind": "presentation",
                            "speakers": [speaker],
                            "title": "Pieredze",
                            "summary": "<p>Kopsavilkums.</p>",
                            "slides": self.document,
                            "recording_url": "https://example.org/ieraksts",
                        },
                    ),
                    (
                        "discussion",
                        {
                            "title": "Diskusijas grupās",
                            "group_count": 4,
                            "moderators": [{**speaker, "parts": ("moderator",)}],
                            "description": "<p>Četras grupas.</p>",
                            "questions": [{"question": "Kā atbalstīt?", "outcomes": ["Telpas", "Konsultācijas"]}],
                            "conclusions": "<p>Secinājumi.</p>",
                            "summary_document": self.document,
                        },
                    ),
                    ("document", {"document": self.document}),
                    ("video", {"embed": self.embed.url, "title": "Ieraksts"}),
                ]
            ),
            "contacts": ContactsFactory.stream([("contact", self.contact)]),
            "follow_ups": FollowUpsFactory.stream(
                [
                    ("follow_up", {"kind": "webinar", "title": "Vebināri", "period": "rudenī"}),
                    (
                        "follow_up",
                        {
                            "kind": "consultation",
                            "title": "Bezmaksas konsultācijas",
                            "period": "2020. gada rudenī",
                            "free_of_charge": True,
                        },
                    ),
                ]
            ),
            "resources": ResourcesFactory.stream([("resource", {"kind": "slides", "document": self.document})]),
        }
        for name, value in built.items():
            field = EventReportPage._meta.get_field(name)
            assert without_ids(field.get_prep_value(value)) == without_ids(list(getattr(saved, name).raw_data)), name

    def post_add(self, data):
        url = reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", self.index.pk])
        return self.client.post(url, data)

    def test_end_before_start_is_a_form_error_not_a_500(self):
        response = self.post_add(self.form_data(end_date="2020-10-01"))
        assert response.status_code == 200
        with translation.override("en"):  # the request's LocaleMiddleware leaves Latvian active
            assert response.context["form"].errors["end_date"] == ["The end date cannot be before the start date."]
        assert not EventReportPage.objects.filter(slug="miniforums").exists()

    def test_session_outside_the_event_dates_is_a_form_error(self):
        response = self.post_add(self.form_data(sessions=inline_formset([session("2020-11-05")])))
        assert response.status_code == 200
        session_form = response.context["form"].formsets["sessions"].forms[0]
        with translation.override("en"):
            assert session_form.errors["date"] == ["The session must fall within the event's start and end dates."]

    def test_session_outside_the_dates_is_shown_on_the_session_and_nothing_typed_is_lost(self):
        """The rule is the model's (a non-field error of EventReportPage.clean()); the form puts it on the session
        the editor has to change, and re-renders everything they entered."""
        sessions = inline_formset(
            [
                session("2020-10-28", title="Atklāšana", place="Lūznavas muiža"),
                session("2020-11-05", title="Darba grupas", place="Rēzeknes novada pašvaldība"),
            ]
        )
        response = self.post_add(self.form_data(sessions=sessions, event_kind_text="izbraukuma miniforums"))
        assert response.status_code == 200
        assert not EventReportPage.objects.filter(slug="miniforums").exists()
        form = response.context["form"]
        first, second = form.formsets["sessions"].forms
        assert not first.errors and list(second.errors) == ["date"]
        # The model's own message (which sessions are outside) is shown once, at the top of the form.
        assert [e.code for e in form.non_field_errors().as_data()] == ["session_outside_event"]
        with translation.override("en"):
            assert "2020-11-05" in form.non_field_errors()[0]
        html = response.content.decode()
        # Both messages reach the editor: the model's at the top, the form's beside the session's date.
        # In the language the admin page was rendered in (its <html lang>).
        with translation.override(re.search(r'<html lang="([^"]+)"', html).group(1)):
            assert escape(form.non_field_errors()[0]) in html
            assert escape(second.errors["date"][0]) in html
        for typed in ("Darba grupas", "Rēzeknes novada pašvaldība", "2020-11-05", "izbraukuma miniforums"):
            assert typed in html, typed

    def test_can_create_a_report_known_to_the_month_with_an_unnamed_speaker(self):
        body = streamfield(
            [
                ("paragraph", rich_text("<p>Maijā notika seminārs.</p>")),
                (
                    "speaker",
                    speaker(None, self.org, part=("welcome", "lecturer"), role="", description="bankas speciāliste"),
                ),
            ]
        )
        data = self.form_data(
            body=body,
            event_kind="seminar",
            event_kind_text="",
            date_precision="month",
            start_date="2021-05-01",
            date_text="2021. gada maijā",
            sessions=inline_formset([session("2021-05-01", precision="month", part_of_day="", date_text="maijā")]),
        )
        self.assertCanCreate(self.index, EventReportPage, data)
        page = EventReportPage.objects.get(slug="miniforums")
        assert (page.date_precision, page.start_date.isoformat(), page.date_text) == (
            "month",
            "2021-05-01",
            "2021. gada maijā",
        )
        assert (page.starts_on.isoformat(), page.ends_on.isoformat()) == ("2021-05-01", "2021-05-31")
        assert page.event_kind == "seminar"
        unnamed = page.body[1].value
        assert unnamed["person"] is None and unnamed["description"] == "bankas speciāliste"
        assert list(unnamed["parts"]) == ["welcome", "lecturer"] and unnamed["organisation"] == self.org
        assert [(s.date_precision, s.date_text) for s in page.sessions.all()] == [("month", "maijā")]

    def test_a_month_precision_date_not_on_the_first_is_a_form_error(self):
        response = self.post_add(
            self.form_data(date_precision="month", start_date="2021-05-17", sessions=inline_formset([]))
        )
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["start_date"]

    def test_image_without_alt_text_is_a_form_error(self):
        data = self.form_data()
        data["body-2-value-alt_text"] = ""
        response = self.post_add(data)
        assert response.status_code == 200
        assert "body" in response.context["form"].errors
        assert not EventReportPage.objects.filter(slug="miniforums").exists()

    def test_page_type_rules(self):
        self.assertCanCreateAt(EventReportIndexPage, EventReportPage)
        self.assertCanNotCreateAt(EventReportPage, EventReportPage)
        self.assertCanNotCreateAt(Page, EventReportPage)

    def test_editors_can_preview_a_report(self):
        page = EventReportPageFactory(parent=self.index)
        # The edit form's StreamFields are built by JavaScript, so the preview data is given explicitly.
        self.assertPageIsPreviewable(page, post_data=self.form_data(slug=page.slug))

    def test_edit_view_has_the_tabs(self):
        page = EventReportPageFactory(parent=self.index)
        response = self.client.get(reverse("wagtailadmin_pages:edit", args=[page.pk]))
        assert response.status_code == 200
        tabs = re.findall(r'role="tab"[^>]*>\s*([^<]+?)\s*<', response.content.decode())
        # The settings tab holds only the scheduling dialog and comments, which Wagtail shows elsewhere.
        assert tabs == ["Content", "Event", "Follow-up and contacts", "Promote"]


class TestSnippetAdmin(AdminTestCase):
    def test_snippets_are_grouped_in_one_menu(self):
        response = self.client.get(reverse("wagtailadmin_home"))
        self.assertContains(response, "Event content")

    def test_listings_filter_and_search(self):
        PersonFactory(name="Dana Bārbale")
        PersonFactory(name="Iveta Balčūne", live=False)
        url = reverse("wagtailsnippets_cms_person:list")
        response = self.client.get(url, {"q": "Bārbale"})
        assert response.status_code == 200
        names = [str(obj) for obj in response.context["object_list"]]
        assert names == ["Dana Bārbale"]
        response = self.client.get(url, {"live": "false"})
        assert [str(obj) for obj in response.context["object_list"]] == ["Iveta Balčūne"]
        for model in ("organisation", "contactcard", "topic"):
            assert self.client.get(reverse(f"wagtailsnippets_cms_{model}:list")).status_code == 200

    def test_saving_a_draft_does_not_make_it_live(self):
        url = reverse("wagtailsnippets_cms_person:add")
        response = self.client.post(url, {"name": "Madara Ūlande", "job_title": "Direktore", "links-count": "0"})
        assert response.status_code == 302
        person = Person.objects.get(name="Madara Ūlande")
        assert person.live is False
        assert person.live_revision is None
        assert not Person.objects.filter(live=True, name="Madara Ūlande").exists()

    def test_draft_changes_to_a_published_snippet_stay_off_the_live_object(self):
        card = ContactCardFactory(name="Sanita Vjakse", position="Speciāliste")
        card.save_revision().publish()
        url = reverse("wagtailsnippets_cms_contactcard:edit", args=[card.pk])
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
        }
        response = self.client.post(url, data)
        assert response.status_code == 302
        card.refresh_from_db()
        assert card.live is True
        assert card.position == "Speciāliste"
        assert card.has_unpublished_changes is True
        assert card.latest_revision.as_object().position == "Vadītāja"

    def test_can_create_a_project(self):
        """A project or series is entered once in the snippet admin and chosen on each report."""
        response = self.client.post(
            reverse("wagtailsnippets_cms_project:add"),
            {
                "name": "Sociālās uzņēmējdarbības forumi",
                "kind": "series",
                "code": "2020-1-LV01-KA204-077543",
                "funding_programme": "Erasmus+",
                "website": "https://example.org/projekts/",
                "logo": "",
                "action-publish": "action-publish",
            },
        )
        assert response.status_code == 302, response.context["form"].errors if response.context else response
        project = Project.objects.get(code="2020-1-LV01-KA204-077543")
        assert project.live and project.kind == "series" and project.funding_programme == "Erasmus+"
        assert project.locale.language_code == "lv"
        assert self.client.get(reverse("wagtailsnippets_cms_project:list")).status_code == 200
        edit = self.client.get(reverse("wagtailsnippets_cms_project:edit", args=[project.pk]))
        assert edit.status_code == 200

    def test_a_project_needs_a_name_to_be_published(self):
        # A draft may be saved unfinished (Wagtail defers required fields for drafts); publishing checks them.
        data = {"name": "", "kind": "project", "action-publish": "action-publish"}
        response = self.client.post(reverse("wagtailsnippets_cms_project:add"), data)
        assert response.status_code == 200
        assert list(response.context["form"].errors) == ["name"]
        assert not Project.objects.exists()

    def test_a_contact_card_with_only_a_name_and_position_and_a_written_phone(self):
        response = self.client.post(
            reverse("wagtailsnippets_cms_contactcard:add"),
            {"name": "Maija Hartmane", "position": "Komercdarbības speciāliste", "phone": "(+371) 640-00000"},
        )
        assert response.status_code == 302
        card = ContactCard.objects.get(name="Maija Hartmane")
        assert (card.phone, card.phone_e164) == ("(+371) 640-00000", "+37164000000")

    def test_invalid_contact_card_is_a_form_error(self):
        url = reverse("wagtailsnippets_cms_contactcard:add")
        response = self.client.post(url, {"name": "Maija Hartmane", "phone": "zvanīt", "email": "nav-epasts"})
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert set(errors) >= {"phone", "email"}
        assert not ContactCard.objects.exists()


class TestLatvianAdmin(TestCase):
    def test_admin_speaks_latvian_by_default(self):
        user = get_user_model().objects.create_superuser("redaktore", "r@example.org", "pw")
        self.client.force_login(user)
        index = EventReportIndexPageFactory()
        url = reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk])
        response = self.client.get(url)
        assert response.status_code == 200
        # Our own labels come from the project's catalogue, Wagtail's from its own.
        with translation.override("lv"):
            expected = [
                str(EventReportPage._meta.get_field("publication_date").help_text),
                translation.gettext("Follow-up and contacts"),
            ]
        assert expected[1] != "Follow-up and contacts", "the Latvian catalogue was not loaded"
        html = response.content.decode()
        for text in expected:
            assert text in html
        assert "Follow-up and contacts" not in html
