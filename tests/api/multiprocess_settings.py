"""Settings of the gunicorn workers in ``test_cache_oracle_workers``: the test settings, with Redis caches
and file storage shared with the test process (the names come from its environment)."""

import os
from pathlib import Path

from config.settings.test import *  # noqa: F403

CACHES = {
    name: {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": os.environ["CMS_TEST_REDIS_URL"],
        "KEY_PREFIX": f"{os.environ['CMS_TEST_CACHE_PREFIX']}-{name}",
    }
    for name in ("default", "api", "renditions")
}
MEDIA_ROOT = Path(os.environ["CMS_TEST_MEDIA_ROOT"])
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
