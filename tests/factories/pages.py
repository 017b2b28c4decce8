import datetime

import factory
import wagtail_factories
from wagtail.models import Site

from cms.models import EventReportIndexPage, EventReportPage


def site_root():
    return Site.objects.get(is_default_site=True).root_page


class EventReportIndexPageFactory(wagtail_factories.PageFactory):
    title = "Pasākumi"
    slug = "pasakumi"
    parent = factory.LazyFunction(site_root)

    class Meta:
        model = EventReportIndexPage


class EventReportPageFactory(wagtail_factories.PageFactory):
    title = factory.Sequence(lambda n: f"Seminārs {n}")
    lead = "Īss ievads sarakstiem."
    start_date = datetime.date(2020, 10, 28)
    event_format = "online"
    parent = factory.SubFactory(EventReportIndexPageFactory)

    class Meta:
        model = EventReportPage
