"""Dates in the admin: day first in every interface language, and nothing an editor types is replaced.

An editor types 15.03.2026 (or 15.03.2026., 15.3.2026, 14/03/2026, 2026-03-15) into any date field: the form
reads that day whatever language the admin is in, shows it back as 15.03.2026, and refuses what it cannot read
(32.13.2026, "maijs") with an error instead of saving another date. What the picker does in the browser is
cms/static/cms/dates/date-input.js (it no longer turns unreadable text into today's date).
"""

import datetime
import zoneinfo

import pytest
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation
from wagtail import blocks
from wagtail.admin.widgets import AdminDateInput, AdminDateTimeInput, AdminTimeInput
from wagtail.fields import StreamField
from wagtail.models import Page, get_page_models
from wagtail.snippets.models import get_snippet_models
from wagtail.test.utils.form_data import inline_formset, streamfield
from wagtail.users.models import UserProfile

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from cms.factories.snippets import ContactCardFactory
from cms.models import ContactCard, EventReportPage
from config.settings.base import KNOWN_LANGUAGES
from tests.cms.form_data import new_page_form_data

RIGA = zoneinfo.ZoneInfo("Europe/Riga")
DAY = datetime.date(2026, 3, 15)

# Every way of writing 15 March 2026 the admin reads, in every language (cms.formats.day_first).
DATES = {
    "15.03.2026": DAY,
    "15.03.2026.": DAY,
    "15.3.2026": DAY,
    "15/03/2026": DAY,
    "2026-03-15": DAY,
    "15.03.26": DAY,
    " 15.03.2026 ": DAY,
}
# Day first in English too: Django's English formats would read this as the 4th of March.
DAY_FIRST = {"03/04/2026": datetime.date(2026, 4, 3), "3.4.2026.": datetime.date(2026, 4, 3)}
NOT_DATES = [
    "32.13.2026",
    "31.02.2026",
    "maijs",
    "15. marts",
    "15.03",
    "03/15/2026",
    "15-03-2026",
    "2026-15-03",
    "15.03.20266",
    "15..03.2026",
]
DATETIMES = {
    "15.03.2026 14:30": datetime.datetime(2026, 3, 15, 14, 30),
    "15.03.2026. 14.30": datetime.datetime(2026, 3, 15, 14, 30),
    "15/03/2026 9:05": datetime.datetime(2026, 3, 15, 9, 5),
    "2026-03-15 14:30": datetime.datetime(2026, 3, 15, 14, 30),
    "15.03.2026": datetime.datetime(2026, 3, 15, 0, 0),
}
NOT_DATETIMES = ["15.03.2026 25:00", "32.13.2026 10:00", "maijs", "03/15/2026 10:00", "15.03.2026 pusdienlaikā"]
TIMES = {"14:30": datetime.time(14, 30), "9:05": datetime.time(9, 5), "14.30": datetime.time(14, 30)}
NOT_TIMES = ["25:00", "14:60", "pusdienlaikā", "14,30"]

ADMIN_LANGUAGES = list(KNOWN_LANGUAGES)


# --- the formats ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", ADMIN_LANGUAGES)
def test_what_the_pickers_write_is_read_in_every_language(language):
    """Wagtail checks this itself only with USE_L10N, which Django 5 no longer has (wagtailadmin.E003)."""
    for wagtail_setting, input_formats in [
        ("WAGTAIL_DATE_FORMAT", "DATE_INPUT_FORMATS"),
        ("WAGTAIL_DATETIME_FORMAT", "DATETIME_INPUT_FORMATS"),
        ("WAGTAIL_TIME_FORMAT", "TIME_INPUT_FORMATS"),
    ]:
        assert getattr(settings, wagtail_setting) in formats.get_format(input_formats, lang=language)


def test_the_pickers_are_day_first():
    assert settings.WAGTAIL_DATE_FORMAT == "%d.%m.%Y"
    assert settings.WAGTAIL_DATETIME_FORMAT == "%d.%m.%Y %H:%M"
    assert settings.WAGTAIL_TIME_FORMAT == "%H:%M"
    assert AdminDateInput().get_config()["format"] == "d.m.Y"
    assert AdminDateTimeInput().get_config()["format"] == "d.m.Y H:i"


@pytest.mark.parametrize("language", ADMIN_LANGUAGES)
def test_calendars_start_on_monday_in_every_language(language):
    with translation.override(language):
        assert AdminDateInput().get_config()["dayOfWeekStart"] == 1


def test_public_pages_keep_their_own_formats():
    # Only the input formats are shared: the English pages still print dates the English way.
    assert formats.get_format("SHORT_DATE_FORMAT", lang="en") == "m/d/Y"
    assert formats.get_format("DATE_FORMAT", lang="lv") == r"Y. \g\a\d\a j. F"


# --- every date field of the admin -------------------------------------------------------------------------------
def _stream_blocks(block, path):
    """(path, block) for every date, time and date-time block under ``block``, however deep."""
    if isinstance(block, (blocks.DateBlock, blocks.DateTimeBlock, blocks.TimeBlock)):
        yield path, block
    if isinstance(block, blocks.ListBlock):
        yield from _stream_blocks(block.child_block, f"{path}[]")
    for name, child in getattr(block, "child_blocks", {}).items():
        yield from _stream_blocks(child, f"{path}.{name}")


def _form_fields(label, form_class):
    for name, field in form_class.base_fields.items():
        if isinstance(field, (forms.DateField, forms.DateTimeField, forms.TimeField)):
            yield f"{label}.{name}", field
        block = getattr(field, "block", None)
        if block is not None:
            for path, date_block in _stream_blocks(block, f"{label}.{name}"):
                yield path, date_block.field
    for name, formset in getattr(form_class, "formsets", {}).items():
        yield from _form_fields(f"{label}.{name}", formset.form)


def admin_date_fields():
    """Every date, time and date-time form field an editor meets in the admin's edit forms: pages, their inline
    panels, snippets, and the StreamField blocks in them, found from the edit handlers (no instance needed), so
    that a date field added later is checked without being listed here."""
    found = {}
    for model in get_page_models():
        if model is Page:
            continue
        form_class = model.get_edit_handler().get_form_class()
        found.update(_form_fields(model.__name__, form_class))
    for model in get_snippet_models():
        form_class = model.snippet_viewset.get_edit_handler().get_form_class()
        found.update(_form_fields(model.__name__, form_class))
    return found


FIELDS = admin_date_fields()
DATE_FIELDS = {label: field for label, field in FIELDS.items() if type(field) is forms.DateField}
DATETIME_FIELDS = {label: field for label, field in FIELDS.items() if isinstance(field, forms.DateTimeField)}
TIME_FIELDS = {label: field for label, field in FIELDS.items() if isinstance(field, forms.TimeField)}


def test_the_search_finds_the_date_fields_we_know():
    # Were the search to miss a kind of field (an inline panel, a block in a list), the tests below would pass
    # on nothing.
    for label in [
        "EventReportPage.start_date",
        "EventReportPage.end_date",
        "EventReportPage.publication_date",
        "EventReportPage.sessions.date",
        "EventReportPage.related_events.date",
        "ContactCard.last_verified",
    ]:
        assert label in DATE_FIELDS, label
    assert any(label.endswith("follow_up.date") for label in DATE_FIELDS), sorted(DATE_FIELDS)
    assert any(label.endswith("follow_up.end_date") for label in DATE_FIELDS), sorted(DATE_FIELDS)
    assert "EventReportPage.go_live_at" in DATETIME_FIELDS
    assert "EventReportPage.expire_at" in DATETIME_FIELDS
    assert "EventReportPage.sessions.start_time" in TIME_FIELDS
    assert "EventReportPage.sessions.end_time" in TIME_FIELDS
    assert set(FIELDS) == set(DATE_FIELDS) | set(DATETIME_FIELDS) | set(TIME_FIELDS)


WIDGETS = [
    (DATE_FIELDS, AdminDateInput, "WAGTAIL_DATE_FORMAT", DAY),
    (DATETIME_FIELDS, AdminDateTimeInput, "WAGTAIL_DATETIME_FORMAT", datetime.datetime(2026, 3, 15, 14, 30)),
    (TIME_FIELDS, AdminTimeInput, "WAGTAIL_TIME_FORMAT", datetime.time(14, 30)),
]


@pytest.mark.parametrize("language", ADMIN_LANGUAGES)
@pytest.mark.parametrize(("fields", "widget_class", "setting", "value"), WIDGETS)
def test_every_admin_date_field_uses_the_admin_format(fields, widget_class, setting, value, language):
    """Each field shows its value in the admin's format (a block or panel given a format or widget of its own
    fails here), and reads back what it shows, in every interface language."""
    with translation.override(language):
        for label, field in fields.items():
            assert type(field.widget) is widget_class, label
            assert field.widget.format == getattr(settings, setting), label
            shown = field.widget.format_value(value)
            if isinstance(value, datetime.datetime):
                assert field.clean(shown).replace(tzinfo=None) == value, label
            else:
                assert field.clean(shown) == value, label


@pytest.mark.parametrize("language", ADMIN_LANGUAGES)
def test_every_admin_date_field_reads_each_way_of_writing_a_date(language):
    with translation.override(language):
        for label, field in DATE_FIELDS.items():
            for text, day in {**DATES, **DAY_FIRST}.items():
                assert field.clean(text) == day, (label, text)
            for text in NOT_DATES:
                with pytest.raises(forms.ValidationError) as refused:
                    field.clean(text)
                assert refused.value.code == "invalid", (label, text)


@pytest.mark.parametrize("language", ADMIN_LANGUAGES)
def test_every_admin_date_time_field_reads_day_first(language):
    with translation.override(language):
        for label, field in DATETIME_FIELDS.items():
            for text, moment in DATETIMES.items():
                assert field.clean(text).replace(tzinfo=None) == moment, (label, text)
            for text in NOT_DATETIMES:
                with pytest.raises(forms.ValidationError):
                    field.clean(text)
        for label, field in TIME_FIELDS.items():
            for text, time in TIMES.items():
                assert field.clean(text) == time, (label, text)
            for text in NOT_TIMES:
                with pytest.raises(forms.ValidationError):
                    field.clean(text)


@pytest.mark.parametrize("language", ["lv", "ltg"])
def test_an_unreadable_date_is_refused_in_the_editors_language(language):
    field = DATE_FIELDS["EventReportPage.start_date"]
    with translation.override(language):
        with pytest.raises(forms.ValidationError) as refused:
            field.clean("32.13.2026")
        # Django's Latvian until our catalogues say more (test_the_error_says_how_to_write_the_date).
        assert refused.value.messages == [translation.gettext("Enter a valid date.")]
        assert refused.value.messages != ["Enter a valid date."]


@pytest.mark.parametrize("language", ["lv", "ltg"])
def test_the_error_says_how_to_write_the_date(language):
    """Our catalogues (cms.formats.messages) say more than Django's "Jāievada derīgs datums."."""
    with translation.override(language):
        assert "dd.mm.gggg" in translation.gettext("Enter a valid date.")
        assert "hh:mm" in translation.gettext("Enter a valid time.")
        assert "dd.mm.gggg hh:mm" in translation.gettext("Enter a valid date/time.")


def test_the_api_still_speaks_iso_only(db):
    # The delivery API follows none of the admin's formats: its dates and its date filters are ISO 8601.
    report = EventReportPageFactory(start_date=DAY)
    report.save_revision().publish()
    api = Client(HTTP_HOST="localhost")
    reports = "/api/v2/pages/?type=cms.EventReportPage&fields=start_date"
    with translation.override("lv"):
        response = api.get(f"{reports}&date_from=2026-03-15", HTTP_ACCEPT_LANGUAGE="lv")
        assert response.status_code == 200, response.content
        assert [item["start_date"] for item in response.json()["items"]] == ["2026-03-15"]
        assert api.get(f"{reports}&date_from=15.03.2026").status_code == 400


# --- the admin, end to end ---------------------------------------------------------------------------------------
@pytest.fixture
def editor(db):
    """A Latvian editor's client (the admin's default language)."""
    user = get_user_model().objects.create_superuser("redaktore", "redaktore@example.org", "pw")
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "lv"
    profile.save()
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client, user


def follow_up(**values):
    return {
        "kind": "webinar",
        "title": "Vebinārs",
        "description": "",
        "date": "",
        "end_date": "",
        "period": "",
        "registration_url": "",
        **values,
    }


def session(**values):
    return {
        "date_precision": "day",
        "date": "",
        "date_text": "",
        "start_time": "",
        "end_time": "",
        "part_of_day": "",
        "title": "",
        "place": "",
        "recording_url": "",
        **values,
    }


def related_event(**values):
    return {"relation": "related", "report": "", "name": "Iepriekšējais forums", "date_precision": "day", **values}


def report_form(index, user, **values):
    return new_page_form_data(
        EventReportPage,
        index,
        user,
        title="Iedzīvotāju forums",
        slug="iedzivotaju-forums",
        lead="Forums par novada attīstību.",
        **values,
    )


def follow_ups_stream(*items):
    """The follow-up blocks, in whichever of the report's StreamFields offers them."""
    for name in ("follow_ups", "body"):
        field = EventReportPage._meta.get_field(name)
        if "follow_up" in field.stream_block.child_blocks:
            return {name: streamfield([("follow_up", item) for item in items])}
    raise AssertionError("no StreamField of the report offers follow-up blocks")


def test_a_report_takes_dates_typed_the_latvian_way(editor):
    client, user = editor
    index = EventReportIndexPageFactory()
    data = report_form(
        index,
        user,
        date_precision="day",
        start_date="15.03.2026.",
        end_date="16.3.2026",
        publication_date="14/03/2026",
        publication_date_precision="day",
        go_live_at="01.04.2030 9.00",
        sessions=inline_formset(
            [
                session(date="15.03.2026", start_time="10.00", end_time="12:30"),
                session(date="2026-03-16", start_time="9:30"),
            ]
        ),
        related_events=inline_formset([related_event(date="01.03.26.")]),
        **follow_ups_stream(follow_up(date="20.03.2026", end_date="21.03.2026.")),
    )
    response = client.post(reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = EventReportPage.objects.get(slug="iedzivotaju-forums")
    assert (page.start_date, page.end_date, page.publication_date) == (
        DAY,
        datetime.date(2026, 3, 16),
        datetime.date(2026, 3, 14),
    )
    assert page.go_live_at == datetime.datetime(2030, 4, 1, 9, 0, tzinfo=RIGA)
    sessions = list(page.sessions.order_by("sort_order"))
    assert [(s.date, s.start_time, s.end_time) for s in sessions] == [
        (DAY, datetime.time(10, 0), datetime.time(12, 30)),
        (datetime.date(2026, 3, 16), datetime.time(9, 30), None),
    ]
    assert page.related_events.get().date == datetime.date(2026, 3, 1)
    stream = page.follow_ups if len(page.follow_ups) else page.body
    assert (stream[0].value["date"], stream[0].value["end_date"]) == (
        datetime.date(2026, 3, 20),
        datetime.date(2026, 3, 21),
    )


def test_the_edit_form_shows_dates_day_first(editor):
    client, _user = editor
    report = EventReportPageFactory(start_date=DAY, publication_date=datetime.date(2026, 3, 14))
    report.sessions.create(date=DAY, start_time=datetime.time(10, 0))
    field = "follow_ups" if "follow_up" in EventReportPage.follow_ups.field.stream_block.child_blocks else "body"
    setattr(
        report, field, [("follow_up", {"kind": "webinar", "title": "Vebinārs", "date": datetime.date(2026, 3, 20)})]
    )
    report.save()
    html = client.get(reverse("wagtailadmin_pages:edit", args=[report.pk])).content.decode()
    assert 'name="start_date" value="15.03.2026"' in html
    assert 'name="publication_date" value="14.03.2026"' in html
    assert 'name="sessions-0-date" value="15.03.2026"' in html
    assert 'name="sessions-0-start_time" value="10:00"' in html
    # The StreamField's state, which the browser renders into the block's date field.
    assert "20.03.2026" in html
    assert '"format": "d.m.Y"' in html
    # The picker keeps what is typed (cms.admin_dates), in every admin page.
    assert 'src="/static/cms/dates/date-input.js' in html
    assert 'data-date-format="d.m.Y" data-datetime-format="d.m.Y H:i"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [("start_date", "32.13.2026"), ("start_date", "maijs"), ("publication_date", "31.02.2026")],
)
def test_a_report_with_an_unreadable_date_is_refused(editor, field, value):
    client, user = editor
    index = EventReportIndexPageFactory()
    data = report_form(index, user, **{"start_date": "15.03.2026", field: value, "action-publish": "action-publish"})
    response = client.post(reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]), data)
    assert response.status_code == 200
    assert not EventReportPage.objects.filter(slug="iedzivotaju-forums").exists()
    with translation.override("lv"):
        assert response.context["form"].errors[field] == [translation.gettext("Enter a valid date.")]
    # The editor's text is still in the field, to correct.
    assert f'name="{field}" value="{value}"' in response.content.decode()


def test_unreadable_dates_in_inline_panels_and_blocks_are_refused(editor):
    client, user = editor
    index = EventReportIndexPageFactory()
    data = report_form(
        index,
        user,
        start_date="15.03.2026",
        sessions=inline_formset([session(date="31.02.2026", start_time="25:00")]),
        related_events=inline_formset([related_event(date="maijs")]),
        **follow_ups_stream(follow_up(date="32.13.2026")),
    )
    response = client.post(reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]), data)
    assert response.status_code == 200
    assert not EventReportPage.objects.filter(slug="iedzivotaju-forums").exists()
    form = response.context["form"]
    with translation.override("lv"):
        assert form.formsets["sessions"].errors[0]["date"] == [translation.gettext("Enter a valid date.")]
        assert form.formsets["sessions"].errors[0]["start_time"] == [translation.gettext("Enter a valid time.")]
        assert form.formsets["related_events"].errors[0]["date"] == [translation.gettext("Enter a valid date.")]
    stream = next(name for name in ("follow_ups", "body") if name in form.errors)
    block_error = form.errors.as_data()[stream][0].block_errors[0].block_errors["date"]
    assert block_error.code == "invalid"


def test_a_contact_card_takes_a_date_typed_the_latvian_way_and_refuses_nonsense(editor):
    client, _user = editor
    url = reverse("wagtailsnippets_cms_contactcard:add")
    data = {
        "name": "Sanita Vjakse",
        "position": "Speciāliste",
        "unit": "",
        "web_page": "",
        "phone": "",
        "email": "",
        "address": "",
    }
    response = client.post(url, {**data, "organisation": "", "last_verified": "maijs"})
    assert response.status_code == 200
    assert not ContactCard.objects.filter(name="Sanita Vjakse").exists()
    with translation.override("lv"):
        assert response.context["form"].errors == {"last_verified": [translation.gettext("Enter a valid date.")]}
    response = client.post(url, {**data, "organisation": "", "last_verified": "15.03.2026."})
    assert response.status_code == 302, response.context["form"].errors
    card = ContactCard.objects.get(name="Sanita Vjakse")
    assert card.last_verified == DAY
    html = client.get(reverse("wagtailsnippets_cms_contactcard:edit", args=[card.pk])).content.decode()
    assert 'name="last_verified" value="15.03.2026"' in html


def test_the_contact_card_listing_filters_by_a_day_first_date(editor):
    client, _user = editor
    ContactCardFactory(name="Pārbaudīta martā", last_verified=DAY)
    ContactCardFactory(name="Pārbaudīta aprīlī", last_verified=datetime.date(2026, 4, 3))
    response = client.get(reverse("wagtailsnippets_cms_contactcard:list"), {"last_verified": "03/04/2026"})
    assert [card.name for card in response.context["object_list"]] == ["Pārbaudīta aprīlī"]


@pytest.mark.parametrize("language", ["en", "ru", "ltg"])
def test_editors_in_other_languages_type_the_same_dates(editor, language):
    client, user = editor
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    index = EventReportIndexPageFactory()
    data = report_form(index, user, start_date="03/04/2026", end_date="4.4.2026.")
    response = client.post(reverse("wagtailadmin_pages:add", args=["cms", "eventreportpage", index.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    page = EventReportPage.objects.get(slug="iedzivotaju-forums")
    assert (page.start_date, page.end_date) == (datetime.date(2026, 4, 3), datetime.date(2026, 4, 4))
    html = client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'name="start_date" value="03.04.2026"' in html


def test_every_stream_field_of_the_project_is_searched():
    # admin_date_fields() reaches blocks through the edit forms: every StreamField of ours with a date block in
    # it is among them.
    from django.apps import apps

    for app in ("cms", "blocks", "api", "frontend_hooks"):
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.get_fields():
                if isinstance(field, StreamField) and any(_stream_blocks(field.stream_block, field.name)):
                    prefix = f"{model.__name__}.{field.name}."
                    assert any(label.startswith(prefix) for label in FIELDS), prefix
