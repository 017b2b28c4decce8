import datetime

import factory
import wagtail_factories
from wagtail.models import Site

from cms.localize.slugs import slugify
from cms.models import EventReportIndexPage, EventReportPage

from .media import DocumentFactory, ImageFactory
from .snippets import OrganisationFactory, PersonFactory
from .streams import ContactsFactory, FollowUpsFactory, ReportBodyFactory, ResourcesFactory


def site_root():
    return Site.objects.get(is_default_site=True).root_page


class EventReportIndexPageFactory(wagtail_factories.PageFactory):
    title = "Pasākumi"
    slug = "pasakumi"
    parent = factory.LazyFunction(site_root)

    class Meta:
        model = EventReportIndexPage


class EventReportPageFactory(wagtail_factories.PageFactory):
    """A report; its StreamFields take wagtail-factories' declarations (``body__0__speaker__person=person``) or a
    StreamValue (``body=ReportBodyFactory.stream([...])``)."""

    title = factory.Sequence(lambda n: f"Seminārs {n}")
    # As the admin and wagtail-localize make them: ASCII in every language.
    slug = factory.LazyAttribute(lambda page: slugify(page.title))
    lead = "Īss ievads sarakstiem."
    hero_image = None
    # A hero image needs its alt text (EventReportPage.clean), as an editor must write it.
    hero_image_alt = factory.LazyAttribute(lambda page: "Pasākuma dalībnieki" if page.hero_image else "")
    start_date = datetime.date(2020, 10, 28)
    event_format = "online"
    parent = factory.SubFactory(EventReportIndexPageFactory)
    body = wagtail_factories.StreamFieldFactory(ReportBodyFactory)
    contacts = wagtail_factories.StreamFieldFactory(ContactsFactory)
    follow_ups = wagtail_factories.StreamFieldFactory(FollowUpsFactory)
    resources = wagtail_factories.StreamFieldFactory(ResourcesFactory)

    class Meta:
        model = EventReportPage


def blocks_of_every_kind(count, link_target=None):
    """``count`` report body children for ``ReportBodyFactory.stream()``, cycling through the block types that
    refer to other objects; each block refers to objects of its own (with photos, logos and slides), so the
    number of distinct referenced objects grows with the report."""
    link = f'<a linktype="page" id="{link_target.pk}">see also</a>' if link_target else "no link"

    def person(**kwargs):
        return PersonFactory(photo=ImageFactory(), **kwargs)

    makers = [
        lambda i: ("paragraph", f"<p>Paragraph {i} with a {link}.</p>"),
        lambda i: (
            "speaker",
            {
                "person": person(organisation=OrganisationFactory(logo=ImageFactory())),
                "role": f"Role {i}",
                "organisation": OrganisationFactory(),
            },
        ),
        lambda i: (
            "talk",
            {
                "speakers": [{"person": person()}],
                "title": f"Talk {i}",
                "summary": "<p>Summary.</p>",
                "slides": DocumentFactory(),
            },
        ),
        lambda i: (
            "discussion",
            {
                "title": f"Discussion {i}",
                "group_count": 2,
                "moderators": [{"person": person(), "parts": ("moderator",)}],
                "description": "<p>How it went.</p>",
                "questions": [{"question": "Why?", "outcomes": ["Because.", "Also this."]}],
                "conclusions": "<p>Done.</p>",
                "summary_document": DocumentFactory(),
            },
        ),
        lambda i: ("image", {"image": ImageFactory(), "alt_text": f"Image {i}"}),
        lambda i: ("document", {"document": DocumentFactory()}),
    ]
    return [makers[i % len(makers)](i) for i in range(count)]
