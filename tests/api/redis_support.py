"""What the Redis tests share: the Redis to use, an API cache of its own on it, and a publishing process.

Redis is taken from ``CMS_TEST_REDIS_URL`` (database 14 on 127.0.0.1 by default); without one the tests are
skipped, unless ``CMS_TEST_REQUIRE_REDIS=1`` (set by CI when Redis answers), which turns a missing Redis into
a failure.
"""

import contextlib
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches

from api import cache as api_cache
from api import generations

REDIS_URL = os.environ.get("CMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
ALIAS = "api-redis"
ROOT = Path(__file__).resolve().parents[2]


def redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CMS_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"CMS_TEST_REQUIRE_REDIS=1 but Redis at {REDIS_URL} does not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")


def redis_api_cache(settings, mirror):
    """Generator for a fixture: a Redis cache of its own (a fresh key prefix) serving the API cache, with
    the generations mirrored in this process or not; mirrors are closed afterwards."""
    redis_or_skip()
    prefix = f"novads-cms-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        **settings.CACHES,
        ALIAS: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": f"{prefix}-api"},
    }
    settings.CMS_API_CACHE = ALIAS
    settings.CMS_API_GENERATIONS_MIRROR = mirror
    api_cache.local_responses.clear()
    cache = caches[ALIAS]  # kept for the clean-up: a test may point the alias elsewhere
    yield cache
    generations.close_mirrors()
    cache.delete_pattern("*")
    api_cache.local_responses.clear()


PUBLISHER = """
import sys, django
django.setup()
from api import cache
for line in sys.stdin:
    cache.bump(*line.split())
    print("bumped", flush=True)
"""


@contextlib.contextmanager
def publishing_process(cache):
    """Another server process on the same Redis: ``bump(scope)`` runs ``api.cache.bump`` there (announcing
    it, as a publish does) and returns once it has."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.api.multiprocess_settings",
        "CMS_TEST_REDIS_URL": REDIS_URL,
        # tests.api.multiprocess_settings names its caches' prefixes "<prefix>-<alias>".
        "CMS_TEST_CACHE_PREFIX": cache.key_prefix.removesuffix("-api"),
        "CMS_TEST_MEDIA_ROOT": "/nonexistent",
    }
    process = subprocess.Popen(
        [sys.executable, "-c", PUBLISHER], cwd=ROOT, env=environment, stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )

    def bump(scope):
        process.stdin.write(f"{scope}\n".encode())
        process.stdin.flush()
        assert process.stdout.readline() == b"bumped\n"

    try:
        yield bump
    finally:
        process.stdin.close()
        process.wait(timeout=30)
