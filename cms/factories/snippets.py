import factory
import wagtail_factories
from wagtail.models import Locale

from cms.models import ContactCard, Organisation, Person, Project, Topic

from .streams import PersonLinksFactory


class SnippetFactory(factory.django.DjangoModelFactory):
    """Snippets are live by default; pass ``live=False`` for an unpublished one."""

    locale = factory.LazyFunction(Locale.get_default)
    live = True

    class Meta:
        abstract = True


class OrganisationFactory(SnippetFactory):
    name = factory.Sequence(lambda n: f"Biedrība {n}")
    acronym = ""

    class Meta:
        model = Organisation


class PersonFactory(SnippetFactory):
    name = factory.Sequence(lambda n: f"Runātāja {n}")
    job_title = "Projektu vadītāja"
    organisation = factory.SubFactory(OrganisationFactory)
    links = wagtail_factories.StreamFieldFactory(PersonLinksFactory)

    class Meta:
        model = Person


class ContactCardFactory(SnippetFactory):
    name = factory.Sequence(lambda n: f"Speciāliste {n}")
    position = "Komercdarbības speciāliste"
    unit = "IUK"
    web_page = "https://example.org/kontakti/"

    class Meta:
        model = ContactCard


class TopicFactory(SnippetFactory):
    name = factory.Sequence(lambda n: f"Tēma {n}")
    slug = factory.Sequence(lambda n: f"tema-{n}")

    class Meta:
        model = Topic


class ProjectFactory(SnippetFactory):
    name = factory.Sequence(lambda n: f"Projekts {n}")
    kind = "project"
    code = factory.Sequence(lambda n: f"2020-1-LV01-KA204-{n:06d}")
    funding_programme = "Erasmus+"

    class Meta:
        model = Project
