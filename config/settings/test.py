"""Fast, isolated settings for the test suite (SQLite in memory unless DATABASE_URL says otherwise)."""

import os

import dj_database_url

from .base import *  # noqa: F403
from .base import BASE_DIR

SECRET_KEY = "test-only-key"
ALLOWED_HOSTS = ["*"]
DEBUG = False

if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"])}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
DATABASES["default"]["ATOMIC_REQUESTS"] = True

# Static files are served by runserver/WhiteNoise only outside tests; without collectstatic it only warns.
MIDDLEWARE = [m for m in MIDDLEWARE if not m.startswith("whitenoise.")]  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {
    name: {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": name,
        "OPTIONS": {"MAX_ENTRIES": 20000},
    }
    for name in ("default", "api", "renditions")
}
# Events are served by the change feed as soon as they are committed (tests commit one at a time).
CMS_CHANGE_FEED_SETTLE_SECONDS = 0
MEDIA_ROOT = BASE_DIR / ".test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple_unaccent"},
}
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Sign-in throttling stays on in tests (tests/config/test_security.py), with the combined backend first:
# Wagtail's test helpers (WagtailPageTestCase) log in with AUTHENTICATION_BACKENDS[0] and then need it to load
# users, which the standalone one cannot. It refuses locked-out sign-ins exactly as the standalone one does.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesBackend", "django.contrib.auth.backends.ModelBackend"]
