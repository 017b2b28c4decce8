import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.models import EventReportIndexPage, EventReportPage

pytestmark = pytest.mark.django_db


def build_report(**overrides):
    values = {
        "title": "Miniforums",
        "slug": "miniforums",
        "lead": "Ievads.",
        "start_date": datetime.date(2020, 10, 28),
        "event_format": "online",
    }
    values.update(overrides)
    return EventReportPage(**values)


def clean_errors(obj):
    with pytest.raises(ValidationError) as excinfo:
        obj.clean()
    return excinfo.value.message_dict


class TestEventReportPage:
    def test_a_valid_report_passes(self):
        build_report(participant_count=20, participant_count_qualifier="more_than").clean()

    def test_end_date_before_start_is_rejected_on_the_end_date(self):
        errors = clean_errors(build_report(end_date=datetime.date(2020, 10, 27)))
        assert errors == {"end_date": ["The end date cannot be before the start date."]}

    def test_one_day_and_multi_day_events_are_valid(self):
        build_report(end_date=datetime.date(2020, 10, 28)).clean()
        build_report(end_date=datetime.date(2020, 10, 30)).clean()

    def test_negative_participant_count_is_rejected(self):
        page = build_report(participant_count=-1, participant_count_qualifier="exact")
        with pytest.raises(ValidationError) as excinfo:
            page.full_clean(exclude=["path", "depth"])
        assert "participant_count" in excinfo.value.message_dict

    def test_count_and_qualifier_must_agree(self):
        assert "participant_count" in clean_errors(build_report(participant_count_qualifier="more_than"))
        assert "participant_count_qualifier" in clean_errors(build_report(participant_count=20))

    def test_online_event_has_no_venue_and_on_site_event_no_platform(self):
        assert "venue_name" in clean_errors(build_report(event_format="online", venue_name="Lūznavas muiža"))
        assert "online_platform" in clean_errors(build_report(event_format="on_site", online_platform="Zoom"))
        build_report(event_format="hybrid", venue_name="Lūznavas muiža", online_platform="Zoom").clean()

    def test_reports_live_only_under_the_index(self):
        report = EventReportPageFactory()
        assert isinstance(report.get_parent().specific, EventReportIndexPage)
        assert EventReportPage.parent_page_types == ["cms.EventReportIndexPage"]
        assert EventReportPage.subpage_types == []


class TestContactCard:
    @pytest.mark.parametrize("phone", ["+371 64607181", "64607181", "+371 (646) 07-181"])
    def test_common_phone_formats_are_accepted(self, phone):
        ContactCardFactory.build(phone=phone).full_clean(exclude=["translation_key"])

    @pytest.mark.parametrize("phone", ["12345", "tālr. 64607181", "+371 6460718112345678", "++37164607181"])
    def test_bad_phone_numbers_are_rejected(self, phone):
        card = ContactCardFactory.build(phone=phone)
        with pytest.raises(ValidationError) as excinfo:
            card.full_clean(exclude=["translation_key"])
        assert "phone" in excinfo.value.message_dict

    def test_bad_email_is_rejected(self):
        card = ContactCardFactory.build(email="maija.hartmane@")
        with pytest.raises(ValidationError) as excinfo:
            card.full_clean(exclude=["translation_key"])
        assert "email" in excinfo.value.message_dict

    def test_a_card_with_a_position_or_organisation_needs_no_way_to_get_in_touch(self):
        # Issue 12: reports name a contact and their position and give no phone; that is still worth showing.
        ContactCardFactory.build(web_page="", phone="", email="", unit="").clean()
        ContactCardFactory.build(web_page="", phone="", email="", position="", unit="IUK").clean()

    def test_a_name_alone_says_too_little(self):
        card = ContactCardFactory.build(web_page="", phone="", email="", position="", unit="")
        assert list(clean_errors(card)) == ["position"]
        # ... unless there is a way to reach them.
        ContactCardFactory.build(web_page="", phone="64607181", email="", position="", unit="").clean()

    def test_a_card_must_say_whom_to_contact(self):
        card = ContactCardFactory.build(name="", unit="", organisation=None)
        assert list(clean_errors(card)) == ["name"]

    def test_last_verified_cannot_be_in_the_future(self):
        card = ContactCardFactory.build(last_verified=timezone.localdate() + datetime.timedelta(days=1))
        assert "last_verified" in clean_errors(card)


def test_view_live_opens_the_front_end(client, django_user_model):
    """The CMS has no public pages of its own: Wagtail's links to a page ("View live", the page URL) lead to the
    front-end, in the page's language."""
    from django.urls import reverse

    report = EventReportPageFactory(slug="forums")
    assert report.full_url == "http://127.0.0.1:3000/pasakumi/forums/"
    client.force_login(django_user_model.objects.create_superuser("editor", "editor@example.org", "pw"))
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[report.pk])).content.decode()
    assert 'href="http://127.0.0.1:3000/pasakumi/forums/"' in edit
