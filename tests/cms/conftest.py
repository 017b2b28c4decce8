import pytest
from wagtail.models import Locale


@pytest.fixture
def en(db):
    return Locale.objects.get(language_code="en")


@pytest.fixture
def ltg(db):
    return Locale.objects.get(language_code="ltg")


@pytest.fixture
def ru(settings, db):
    """Russian as a fourth content language, as the municipality runs it (CMS_LANGUAGES=lv,en,ltg,ru)."""
    settings.WAGTAIL_CONTENT_LANGUAGES = [*settings.WAGTAIL_CONTENT_LANGUAGES, ("ru", "Русский")]
    settings.LANGUAGES = [*settings.LANGUAGES, ("ru", "Русский")]
    return Locale.objects.get_or_create(language_code="ru")[0]
