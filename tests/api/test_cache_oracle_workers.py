"""The cache invariant across processes: two gunicorn workers sharing Redis serve what a fresh build gives.

The edits happen in this process, committed for real, as an editor's request would commit them; the workers
learn of them only through Redis (the generations and their pub/sub announcements). Every URL is asked of the
workers several times, so that both answer, and compared with a fresh response built here with no cache.
Needs PostgreSQL (the workers must see the test database) and Redis; skipped otherwise, except that with
``CMS_TEST_REQUIRE_REDIS=1`` (CI) a missing Redis fails.
"""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from api import generations
from api.cache import local_responses
from tests.api.redis_support import REDIS_URL, redis_or_skip
from tests.api.test_cache_oracle import OPERATIONS, World, comparable, fresh

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = int(os.environ.get("CMS_HYPOTHESIS_WORKER_EXAMPLES", "3"))
ASKS = 4  # requests per URL: with two workers, both answer


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(port, url):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{url}", timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture
def shared(settings, tmp_path):
    """Redis caches and file storage that this process and the workers share."""
    if connection.vendor != "postgresql":
        pytest.skip("the workers need a database they can share: PostgreSQL (DATABASE_URL)")
    redis_or_skip()
    prefix = f"novads-cms-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        **{
            name: {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": f"{prefix}-{name}"}
            for name in ("default", "api", "renditions")
        },
        "nocache": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    local_responses.clear()
    yield {"prefix": prefix, "media": tmp_path}
    generations.close_mirrors()
    for name in ("default", "api", "renditions"):
        caches[name].delete_pattern("*")
    local_responses.clear()


@pytest.fixture
def workers(shared):
    database = connection.settings_dict
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.api.multiprocess_settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CMS_TEST_REDIS_URL": REDIS_URL,
        "CMS_TEST_CACHE_PREFIX": shared["prefix"],
        "CMS_TEST_MEDIA_ROOT": str(shared["media"]),
    }
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--workers=2",
        "--worker-class=gthread",
        "--threads=2",
        "--log-level=warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            pytest.fail("gunicorn exited: " + process.stderr.read().decode()[-2000:])
        try:
            if get(port, "/api/v2/people/")[0] == 200:
                break
        except OSError:
            pass
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("gunicorn did not answer within 60 s")
        time.sleep(0.2)
    yield port
    process.terminate()
    process.wait(timeout=30)


@hypothesis_settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=5))
def test_two_workers_sharing_redis_serve_what_a_fresh_build_gives(steps, api, shared, workers, settings):
    world = World(suffix=f"-{uuid.uuid4().hex[:6]}")
    urls = world.pages_urls()
    for url in urls:
        for _ in range(ASKS):
            get(workers, url)  # cached in both workers before any edit
    for number, step in enumerate(steps, 1):
        step(world)  # committed at once: no transaction is open around the test
        for url in urls:
            expected = fresh(api, settings, url)
            for ask in range(ASKS):
                status, body = get(workers, url)
                where = f"after step {number} ({', '.join(s.__name__ for s in steps[:number])}), ask {ask}: {url}"
                assert status == expected.status_code, where
                assert comparable(status, body) == comparable(expected.status_code, expected.content), where
