"""Rows loaded without the constructors (``cms.models.loading``): the same instances as Django's own loading."""

import datetime

import pytest
from django.db.models import Model, signals
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.factories.pages import EventReportPageFactory
from cms.factories.snippets import ContactCardFactory, OrganisationFactory, PersonFactory, ProjectFactory, TopicFactory
from cms.models import (
    ContactCard,
    EventAudienceGroup,
    EventOrganiser,
    EventProject,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    Organisation,
    Person,
    Project,
    RelatedEvent,
    Topic,
)
from cms.models.loading import RowLoaded, constructors, load_plan

pytestmark = pytest.mark.django_db

ROW_LOADED = (
    Organisation,
    Person,
    ContactCard,
    Topic,
    Project,
    EventReportIndexPage,
    EventReportPage,
    EventSession,
    EventAudienceGroup,
    EventOrganiser,
    EventProject,
    RelatedEvent,
)


def stock(model, queryset):
    """The rows of ``queryset`` as Django loads them (``Model.from_db``, through the constructors)."""
    assert "from_db" not in model.__dict__, "the models inherit from_db from RowLoaded"
    model.from_db = classmethod(Model.from_db.__func__)
    try:
        return list(queryset.all())  # a new evaluation, not the rows ``queryset`` may hold already
    finally:
        del model.from_db


def plain(value):
    # A StreamField's value compares by identity: its type, raw data and block are what was loaded.
    if hasattr(value, "raw_data"):
        return (type(value), list(value.raw_data), value.stream_block)
    return value


def state(obj):
    attributes = {key: plain(value) for key, value in obj.__dict__.items() if key != "_state"}
    return attributes, obj._state.adding, obj._state.db, dict(obj._state.fields_cache)


@pytest.fixture
def content():
    organisation = OrganisationFactory(name="Rēzeknes novada pašvaldība", website="https://rezeknesnovads.lv/")
    person = PersonFactory(name="Anna Bērziņa", organisation=organisation, bio="<p>Ekonomiste.</p>")
    ContactCardFactory(name="Jānis Ozols", organisation=organisation, email="janis@example.lv")
    TopicFactory(name="Jaunatne", slug="jaunatne")
    project = ProjectFactory(name="Erasmus+")
    earlier = EventReportPageFactory(title="Seminārs", start_date=datetime.date(2020, 3, 1))
    report = EventReportPageFactory(parent=earlier.get_parent(), title="Forums", start_date=datetime.date(2021, 5, 4))
    report.sessions.create(title="Pirmā diena", date=datetime.date(2021, 5, 4))
    report.organisers.create(organisation=organisation)
    report.projects.create(project=project)
    report.audience_groups.create(name="jaunieši")
    report.related_events.create(report=earlier, name="Seminārs")
    report.save()
    return {"person": person, "report": report}


def test_every_row_loaded_model_takes_the_fast_path():
    """A base class with a constructor of its own (a library upgrade, a new mixin) would load the stock way:
    this says so, rather than letting the loading become slow, or wrong, unnoticed."""
    for model in ROW_LOADED:
        assert issubclass(model, RowLoaded)
        assert load_plan(model) is not None, (model, constructors(model))


@pytest.mark.parametrize("model", ROW_LOADED, ids=lambda model: model.__name__)
def test_loaded_rows_equal_djangos(content, model):
    queryset = model._base_manager.order_by("pk")
    fast = list(queryset.all())
    assert fast, f"no {model.__name__} rows to compare"
    assert [state(obj) for obj in fast] == [state(obj) for obj in stock(model, queryset)]


@pytest.mark.parametrize("model", (Person, EventReportPage), ids=lambda model: model.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_rows_with_deferred_fields_equal_djangos(content, model, data):
    """Whichever fields are deferred, the instance holds what Django's would, and the others load on access."""
    names = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
    deferred = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)))
    queryset = model._base_manager.order_by("pk").defer(*deferred)
    fast, slow = list(queryset.all()), stock(model, queryset)
    assert [state(obj) for obj in fast] == [state(obj) for obj in slow]
    for obj, other in zip(fast, slow, strict=True):
        assert obj.get_deferred_fields() == other.get_deferred_fields()
        for name in deferred:
            assert plain(getattr(obj, name)) == plain(getattr(other, name))


def test_a_model_init_listener_gets_every_row(content):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Person)
    try:
        people = list(Person.objects.all())
    finally:
        signals.post_init.disconnect(receiver, sender=Person)
    assert seen == [person.pk for person in people] and seen


def test_loaded_rows_behave_as_models(content):
    person = Person.objects.get(pk=content["person"].pk)
    assert person._state.adding is False and person._state.db == "default"
    assert person.organisation.name == "Rēzeknes novada pašvaldība"
    person.job_title = "ekonomiste"
    person.save()
    assert Person.objects.get(pk=person.pk).job_title == "ekonomiste"
    report = EventReportPage.objects.get(pk=content["report"].pk)
    assert [session.title for session in report.sessions.all()] == ["Pirmā diena"]
    assert report.body.stream_block is EventReportPage._meta.get_field("body").stream_block
