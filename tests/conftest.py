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
    from django.core.cache import caches

    from api.cache import local_responses

    for cache in caches.all():
        cache.clear()
    local_responses.clear()
    yield
    for cache in caches.all():
        cache.clear()
    local_responses.clear()


@pytest.fixture
def publish(django_capture_on_commit_callbacks):
    """Publish like the admin does: through a revision, with on-commit work (cache invalidation) run after."""

    def _publish(obj):
        with django_capture_on_commit_callbacks(execute=True):
            obj.save_revision().publish()

    return _publish
