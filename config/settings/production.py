"""Production settings: refuse to start without the values that must not have defaults."""

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

from .base import *  # noqa: F403
from .base import env, env_bool, env_int, env_list

# CMS_REDIS_URL: API responses are cached and invalidated on publish; with several server processes only a
# shared cache sees every invalidation (a per-process cache would keep serving old content).
REQUIRED = [
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CMS_ADMIN_BASE_URL",
    "CMS_FRONTEND_BASE_URL",
    "CMS_REDIS_URL",
]
_missing = [name for name in REQUIRED if not env(name)]
if _missing:
    raise ImproperlyConfigured("Missing required environment variable(s) for production: " + ", ".join(_missing))

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")

# Persistent connections: with CONN_MAX_AGE=0 PostgreSQL throughput halves.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CMS_DB_CONN_MAX_AGE", 600)  # noqa: F405
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # noqa: F405

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("CMS_SECURE_SSL_REDIRECT", True)
# Health checks and metric scrapes reach each instance directly, over plain HTTP on the private network:
# redirected to HTTPS they would fail (cms.health, cms.metrics).
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_HSTS_SECONDS = env_int("CMS_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CMS_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CMS_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Wagtail's live preview shows the page in a same-origin iframe: DENY would break it, so W019 is
# silenced on purpose rather than left as noise.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]

# Logs are JSON lines (python-json-logger), one object per record, for the log collector: time, level,
# logger, message, request_id (api.logging) and, for an error, the exception with its traceback; the extra
# values of a record too (the access log's method, path, status_code, duration_ms). Django's ``request``
# extra is left out: its repr holds the query string, and a preview token is a query parameter.
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "json"},
    },
}
