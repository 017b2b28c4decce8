import pytest


@pytest.fixture(autouse=True)
def _media_in_memory(settings, tmp_path):
    # Renditions and uploads never touch the working tree.
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(autouse=True)
def _english_messages():
    # The product's default language is Latvian; tests assert on the English source messages.
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache():
    # API responses are cached server-side; every test starts cold.
    from django.core.cache import cache

    from api.cache import local_responses

    cache.clear()
    local_responses.clear()
    yield
    cache.clear()
    local_responses.clear()
