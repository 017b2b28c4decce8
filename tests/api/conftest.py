import pytest
from django.core.management import call_command
from django.test import Client

from cms.models import EventReportPage


@pytest.fixture
def api():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def demo(db):
    call_command("load_demo_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return EventReportPage.objects.get()
