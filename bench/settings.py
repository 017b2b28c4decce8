"""Settings for the benchmark: production-like serving, loopback only, nothing shared with a real deployment.

What matters for the figures is set explicitly here rather than inherited from ``dev``:

- ``DEBUG = False``: with DEBUG on, Django keeps every SQL query in memory and the numbers mean nothing.
- Persistent database connections (``CONN_MAX_AGE=600`` plus health checks): with ``CONN_MAX_AGE=0`` every
  request opens a new PostgreSQL connection, which roughly halves throughput.
- Quiet logging: a log line per request costs more than a warm response.
- The caches are local memory (one per gunicorn worker process) unless ``BENCH_REDIS=1``, which uses a Redis
  database and key prefixes of their own. Everything the run writes lives under ``BENCH_DIR`` (``/tmp`` by default).
"""

import os
from pathlib import Path

import dj_database_url

from config.settings.base import *  # noqa: F403
from config.settings.base import sqlite_for_several_processes

BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/novads-cms-bench"))

DEBUG = False
SECRET_KEY = "bench-only-key-never-used-to-serve-anyone"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BENCH_DIR / 'bench.sqlite3'}"),
        conn_max_age=600,
        conn_health_checks=True,
    )
}
sqlite_for_several_processes(DATABASES["default"])

# The project's three aliases (see config.settings.base): default, api (responses), renditions.
CACHE_ALIASES = ("default", "api", "renditions")
if os.environ.get("BENCH_REDIS") == "1":
    CACHES = {
        name: {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "KEY_PREFIX": f"novads-cms-bench-{name}",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 2, "SOCKET_TIMEOUT": 2},
        }
        for name in CACHE_ALIASES
    }
else:
    # Local memory with the project's options, never a Redis the environment may point at.
    CACHES = {
        name: {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"bench-{name}",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
        for name in CACHE_ALIASES
    }

# Cold runs store one response per request; keep them from piling up in Redis after the run.
CMS_API_CACHE_TIMEOUT = 600

MEDIA_ROOT = BENCH_DIR / "media"
STATIC_ROOT = BENCH_DIR / "static"
WAGTAILADMIN_BASE_URL = "http://127.0.0.1:8000"
WAGTAILAPI_BASE_URL = "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
    },
}
