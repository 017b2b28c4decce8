import io

import pytest
from django.core.management import call_command
from django.test import Client

from cms.models import EventReportPage


@pytest.fixture
def api():
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def demo(db, django_capture_on_commit_callbacks):
    """The demo content; translations are published after commit, so callbacks run here."""
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo_content", stdout=io.StringIO())
    return EventReportPage.objects.get(locale__language_code="lv")
