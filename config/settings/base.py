"""Settings shared by every environment.

Everything that differs between machines comes from environment variables. Our own settings use the
``CMS_`` prefix; Django's well-known ones (``SECRET_KEY``, ``DATABASE_URL``, ``ALLOWED_HOSTS``) keep their
usual names so that hosting platforms can set them without translation.
"""

import datetime
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name, default=None):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    value = value.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {value!r}")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Ours first so that our templates and translations win over the defaults.
    "cms",
    "blocks",
    "api",
    "frontend_hooks",
    "wagtail_localize",
    "wagtail_localize.locales",
    "django_tasks_db",
    "corsheaders",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail.api.v2",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # Admin login throttling (below, "Admin login"): its records of attempts come with its own migrations.
    "axes",
]

MIDDLEWARE = [
    # First: counts and times every request, cached API answers included (api.metrics, exposed at /metrics).
    "api.metrics.RequestMetricsMiddleware",
    # Outermost: every request gets its id before anything can log or fail (api.errors).
    "api.errors.RequestIdMiddleware",
    # The headers every API response carries, errors included, so it sees the final response (api.headers).
    "api.headers.ApiHeadersMiddleware",
    # Errors under /api/ are JSON whatever raised them, in every settings module (api.errors).
    "api.errors.ApiErrorMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Before CommonMiddleware: preflight requests of the front-end's preview calls are answered here.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Turns a refused login (too many failures) into the lockout page. It only looks at responses of login
    # requests, so it sits just inside the cache below (which must stay last, api.E001).
    "axes.middleware.AxesMiddleware",
    # Last: a cached API response passes through every middleware above, exactly as a fresh one does.
    "api.middleware.CachedApiResponseMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's own templates (the admin login's lockout page; the demo's stand-in front-end).
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite is the zero-setup default; PostgreSQL in production and CI via DATABASE_URL.
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CMS_DB_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}


def sqlite_for_several_processes(database):
    """The demo's SQLite is shared by the server and the worker: transactions take the write lock when they
    begin (a reader upgraded to a writer mid-transaction fails at once with "database is locked" instead of
    waiting), wait up to 20 s for it, and readers never wait for writers (WAL)."""
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("OPTIONS", {}).update(
            {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
        )
    return database


sqlite_for_several_processes(DATABASES["default"])
# An admin request is one transaction: an edit and the change event it writes (cms.changes) commit together
# or not at all. The delivery API only reads and opts out (api.urls).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Internationalisation -------------------------------------------------------------------------
# On from the first migration: every page and snippet carries a locale, Latvian is the source language.
# Content languages come from CMS_LANGUAGES (codes, comma-separated, the first is the source).
KNOWN_LANGUAGES = {
    "lv": "Latviešu",
    "en": "English",
    "ltg": "Latgalīšu",
    "ru": "Русский",
}
# Django does not know Latgalian: the cms app registers it (LANG_INFO, in CmsConfig.ready) and ships its
# catalogue (cms/locale/ltg) and formats (cms.formats.ltg, FORMAT_MODULE_PATH below).

_codes = env_list("CMS_LANGUAGES", "lv,en,ltg")
_unknown = [code for code in _codes if code not in KNOWN_LANGUAGES]
if _unknown or not _codes:
    raise ImproperlyConfigured(
        f"CMS_LANGUAGES has unsupported codes {_unknown}; choose from {', '.join(KNOWN_LANGUAGES)}"
    )
LANGUAGE_CODE = _codes[0]
LANGUAGES = [(code, KNOWN_LANGUAGES[code]) for code in _codes]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Europe/Riga"
# Our catalogues ship inside the cms app (cms/locale) and are found as its catalogue: cms is the first of
# INSTALLED_APPS, so they win over Wagtail's and wagtail-localize's (`make messages` uses
# config.settings.messages to write into cms/locale). One catalogue cannot be found that way: wagtail-localize's
# translation editor reads its JavaScript strings from wagtail-localize's own catalogue and LOCALE_PATHS only,
# so their translations are on LOCALE_PATHS (cms/locale/djangojs). A site's own overrides go before it.
LOCALE_PATHS = [BASE_DIR / "cms" / "locale" / "djangojs"]
FORMAT_MODULE_PATH = ["cms.formats"]
# The admin's date and time pickers show and write dates day first in every interface language, as editors
# write them (cms.formats.day_first: what else may be typed; each language's input formats include these).
# The picker itself no longer rewrites what it cannot read (left alone, it puts today's date in its place):
# such text stays as typed and the form refuses it (cms.admin_dates).
WAGTAIL_DATE_FORMAT = "%d.%m.%Y"
WAGTAIL_DATETIME_FORMAT = "%d.%m.%Y %H:%M"
WAGTAIL_TIME_FORMAT = "%H:%M"
# An approved workflow publishes through cms.publishing, which refuses while the content shows unpublished
# snippets the API would leave out (the approval is undone and the task stays waiting).
WAGTAIL_FINISH_WORKFLOW_ACTION = "cms.workflows.publish_workflow_state"
# The admin follows each user's preference; the source language is what new users get. Every content
# language is offered: a Latgalian admin shows the project's and wagtail-localize's strings in Latgalian
# (cms/locale), Wagtail's on the translators' screens too, and the rest of Wagtail's in Latvian (Django falls back
# to LANGUAGE_CODE's catalogue, which cms/locale/lv completes for every installed Wagtail app).
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Slugs are ASCII in every language: the admin transliterates titles and refuses other letters in a slug typed
# by hand, and cms.localize.slugs transliterates wagtail-localize's translated slugs.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Translating a live page must never publish untranslated Latvian text on another locale.
WAGTAILLOCALIZE_SYNC_LIVE_STATUS_ON_TRANSLATE = False
# Machine translation: DeepL when a key is configured, otherwise a dummy backend for development.
CMS_DEEPL_API_KEY = env("CMS_DEEPL_API_KEY")
if CMS_DEEPL_API_KEY:
    WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {
        "CLASS": "cms.translation.DeepLTranslator",
        "OPTIONS": {"AUTH_KEY": CMS_DEEPL_API_KEY},
    }
else:
    WAGTAILLOCALIZE_MACHINE_TRANSLATOR = {"CLASS": "cms.translation.DevelopmentTranslator"}

# --- Static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("CMS_STATIC_ROOT", BASE_DIR / "static"))
MEDIA_URL = env("CMS_MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env("CMS_MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Cache ------------------------------------------------------------------------------------------
# Local memory by default; Redis when CMS_REDIS_URL is set (production). Three aliases, so that no kind of
# entry can push out another: ``default`` (site roots, sessions' neighbours), ``api`` (API responses and
# their generations, CMS_API_CACHE) and ``renditions`` (Wagtail's rendition lookups, found by that name).
CMS_REDIS_URL = env("CMS_REDIS_URL")
CMS_API_CACHE = "api"
CMS_API_CACHE_TIMEOUT = env_int("CMS_API_CACHE_TIMEOUT", 24 * 3600)
CMS_API_LOCAL_RESPONSES = env_int("CMS_API_LOCAL_RESPONSES", 256)
# The best matches a ``?search=`` considers before the endpoint's filters (api.search).
CMS_API_SEARCH_CANDIDATES = env_int("CMS_API_SEARCH_CANDIDATES", 1000)


def _redis_cache(location, prefix, *, ignore_errors):
    return {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": prefix,
        "OPTIONS": {
            # A Redis that stops answering must not hang every request.
            "SOCKET_CONNECT_TIMEOUT": env_int("CMS_REDIS_CONNECT_TIMEOUT", 2),
            "SOCKET_TIMEOUT": env_int("CMS_REDIS_TIMEOUT", 2),
            # While Redis is down, what Wagtail keeps in the default and renditions caches (site root paths,
            # renditions) is read from the database instead: django-redis answers "not cached" rather than
            # raising, which would fail every request and every publish. Not for the API's cache: a missed
            # invalidation there must be noticed and paid (api.cache does that itself).
            "IGNORE_EXCEPTIONS": ignore_errors,
        },
    }


def _local_cache(name, entries):
    return {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": name,
        "OPTIONS": {"MAX_ENTRIES": entries},
    }


def redis_caches(location):
    """The site's caches on the Redis at ``location``."""
    return {
        "default": _redis_cache(location, "novads-cms", ignore_errors=True),
        "api": _redis_cache(location, "novads-cms-api", ignore_errors=False),
        "renditions": _redis_cache(location, "novads-cms-renditions", ignore_errors=True),
    }


if CMS_REDIS_URL:
    CACHES = redis_caches(CMS_REDIS_URL)
else:
    CACHES = {
        "default": _local_cache("default", 5000),
        "api": _local_cache("api", 20000),
        "renditions": _local_cache("renditions", 20000),
    }

# --- Change log -------------------------------------------------------------------------------------
# Change events (cms.changes) are kept this many days; each object's latest event is kept regardless.
CMS_CHANGE_EVENTS_RETENTION_DAYS = env_int("CMS_CHANGE_EVENTS_RETENTION_DAYS", 30)
# The change feed holds back events younger than this many seconds: an event id is taken when a transaction
# writes it, and a transaction that began earlier may commit a smaller id later.
CMS_CHANGE_FEED_SETTLE_SECONDS = env_int("CMS_CHANGE_FEED_SETTLE_SECONDS", 5)

# --- Wagtail ----------------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = env("CMS_SITE_NAME", "Rēzeknes novads")
WAGTAILADMIN_BASE_URL = env("CMS_ADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILAPI_BASE_URL = env("CMS_API_BASE_URL", WAGTAILADMIN_BASE_URL)
# The public front-end that consumes the API (used for links in API output and previews).
CMS_FRONTEND_BASE_URL = env("CMS_FRONTEND_BASE_URL", "http://127.0.0.1:3000")
# Delivery API: public responses may be cached this many seconds by browsers and CDNs.
CMS_API_MAX_AGE = env_int("CMS_API_MAX_AGE", 300)
# With Redis, each server process mirrors the cache generations and hears of changes over pub/sub; this bounds
# how long a mirrored generation is trusted should that subscription die without the connection failing.
CMS_API_GENERATIONS_MAX_AGE = env_int("CMS_API_GENERATIONS_MAX_AGE", 10)
# Off for a Redis that offers no pub/sub (some proxies): every cache hit then reads the generations from Redis.
CMS_API_GENERATIONS_MIRROR = env_bool("CMS_API_GENERATIONS_MIRROR", True)
WAGTAILAPI_LIMIT_MAX = env_int("CMS_API_LIMIT_MAX", 100)
# Wagtail's database search: on PostgreSQL its full-text backend with the text search configuration that migration
# cms.0012 creates (lower case, unaccented, no stemming: see api.search); SQLite's FTS5 backend ignores the option.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple_unaccent"},
}
WAGTAILDOCS_SERVE_METHOD = "serve_view"
WAGTAIL_MODERATION_ENABLED = True
WAGTAILIMAGES_EXTENSIONS = ["gif", "jpg", "jpeg", "png", "webp", "avif"]
# The admin calls no outside service on its own: no gravatar (it would send a hash of every editor's e-mail
# address, which identifies them) and no release check from the dashboard (releases.wagtail.org), which
# CMS_WAGTAIL_UPDATE_CHECK turns back on ("true", or "lts" for long-term-support releases only).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
_update_check = env("CMS_WAGTAIL_UPDATE_CHECK", "false").strip().lower()
WAGTAIL_ENABLE_UPDATE_CHECK = "lts" if _update_check == "lts" else env_bool("CMS_WAGTAIL_UPDATE_CHECK", False)

# The default backend must run tasks at once: Wagtail updates its reference index through it, and the change
# log reads that index while an edit is saved (check cms.E001). Background work gets an alias of its own.
TASKS = {
    "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    # Webhook deliveries and cache purges (frontend_hooks), run by `manage.py run_frontend_hooks`.
    "frontend_hooks": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["frontend_hooks"]},
}

# --- Front-end hooks: preview, webhooks, cache purges -------------------------------------------------
# Preview: the front-end's preview route (may contain {locale}); a token lasts this many seconds.
CMS_FRONTEND_PREVIEW_URL = env("CMS_FRONTEND_PREVIEW_URL", CMS_FRONTEND_BASE_URL.rstrip("/") + "/preview")
CMS_PREVIEW_TOKEN_MAX_AGE = env_int("CMS_PREVIEW_TOKEN_MAX_AGE", 30 * 60)
# CORS (django-cors-headers): only the front-end's origins may read the API from a browser, every /api/v2/ URL
# (the preview endpoints too: their token is in the URL, nothing else is needed), read-only and without
# credentials (the API ignores sessions). Another origin's scripts get no Access-Control-Allow-Origin, so they
# cannot read an answer; errors carry the headers as well, so the front-end can read their JSON.
CMS_FRONTEND_ORIGINS = env_list("CMS_FRONTEND_ORIGINS") or [
    "{0.scheme}://{0.netloc}".format(urlsplit(CMS_FRONTEND_BASE_URL))
]
CORS_ALLOWED_ORIGINS = CMS_FRONTEND_ORIGINS
CORS_URLS_REGEX = r"^/api/v2/"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_CREDENTIALS = False
# Request headers beyond the CORS-safelisted ones: revalidation (conditional GET) and a request id of the
# front-end's own.
CORS_ALLOW_HEADERS = ["accept", "accept-language", "if-none-match", "if-modified-since", "x-request-id"]
# Response headers scripts may read beyond the safelisted ones (Cache-Control, Content-Language, Content-Type,
# Last-Modified and a few more): the validator and the request id to quote in a bug report.
CORS_EXPOSE_HEADERS = ["ETag", "X-Request-ID"]
# Browsers cap this themselves (Chromium at two hours); an hour keeps a changed origin list from lingering.
CORS_PREFLIGHT_MAX_AGE = 3600
# Webhooks: seconds allowed per attempt, the retry schedule (seconds after each failed attempt), private
# networks that may receive them after all (CIDR, comma-separated), and whether http is refused (default: off
# only with DEBUG).
CMS_WEBHOOK_TIMEOUT = env_int("CMS_WEBHOOK_TIMEOUT", 15)
CMS_WEBHOOK_RETRY_SCHEDULE = [
    int(seconds) for seconds in env_list("CMS_WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,36000")
]
CMS_WEBHOOK_ALLOWED_NETWORKS = env_list("CMS_WEBHOOK_ALLOWED_NETWORKS")
CMS_WEBHOOK_REQUIRE_HTTPS = env_bool("CMS_WEBHOOK_REQUIRE_HTTPS", None)
CMS_FRONTEND_HOOKS_TASK_BACKEND = "frontend_hooks"
CMS_FRONTEND_HOOKS_SWEEP_SECONDS = env_int("CMS_FRONTEND_HOOKS_SWEEP_SECONDS", 60)

# --- Operations: /healthz, /readyz, /metrics (cms.health, cms.metrics; docs/deployment.md) -------------
# /readyz reports "degraded" when no task worker has beaten for this long (its sweep beats every
# CMS_FRONTEND_HOOKS_SWEEP_SECONDS), or when the oldest due delivery or purge has waited this long.
CMS_READY_WORKER_MAX_AGE_SECONDS = env_int("CMS_READY_WORKER_MAX_AGE_SECONDS", 3 * CMS_FRONTEND_HOOKS_SWEEP_SECONDS)
CMS_READY_OUTBOX_MAX_LAG_SECONDS = env_int("CMS_READY_OUTBOX_MAX_LAG_SECONDS", 300)
# /metrics answers a request with "Authorization: Bearer <token>", or one made directly (not through a proxy)
# from these networks; anything else gets a 404.
CMS_METRICS_TOKEN = env("CMS_METRICS_TOKEN", "")
CMS_METRICS_ALLOWED_NETWORKS = env_list("CMS_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
# The release this code is, in the API cache's response keys (api.cache.release): a commit id set by the
# deployment. Unset, a fingerprint of the apps' code, templates and catalogues is used.
CMS_RELEASE = env("CMS_RELEASE", "")
# After the shared cache failed to take an invalidation, how often its process tries again (api.cache).
CMS_API_BUMP_RETRY_SECONDS = env_int("CMS_API_BUMP_RETRY_SECONDS", 1)

# --- Admin login -------------------------------------------------------------------------------------
# Throttling with django-axes: after CMS_LOGIN_FAILURE_LIMIT failed sign-ins, a user name is refused from that
# client address for CMS_LOGIN_COOLOFF_MINUTES (0: until an administrator unlocks it with
# `manage.py axes_reset_username`), even with the right password, and the sign-in answers the lockout page
# (config/templates/security/lockout.html, status 429). The lock is on the pair of user name and address: an
# attacker guessing an editor's password is stopped, but cannot lock that editor out from their own address.
# Guessing many user names from one address is not limited by it (a limit per address alone would lock out
# a whole office behind one NAT); strong passwords stop that.
CMS_LOGIN_FAILURE_LIMIT = env_int("CMS_LOGIN_FAILURE_LIMIT", 5)
CMS_LOGIN_COOLOFF_MINUTES = env_int("CMS_LOGIN_COOLOFF_MINUTES", 15)
# Reverse proxies in front of the CMS that append the client address to X-Forwarded-For (a load balancer and
# nginx: 2). 0: the peer address is the client's. Too high a number lets clients choose their own address by
# sending the header, too low one makes every client look like the proxy (and share its locks).
CMS_TRUSTED_PROXY_COUNT = env_int("CMS_TRUSTED_PROXY_COUNT", 0)
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out user name before any password is checked. Needs the request, so code that
    # signs users in calls authenticate(request, ...) (tests use force_login).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]


def client_ip_address(request):
    """The address a sign-in comes from: the peer's, or behind CMS_TRUSTED_PROXY_COUNT proxies the one the
    outermost proxy saw. Each proxy appends its peer to X-Forwarded-For, so the entries the trusted proxies
    wrote are the last ones; anything a client sends in the header itself lies further left and is ignored."""
    import ipaddress

    from django.conf import settings

    count = getattr(settings, "CMS_TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if count and len(forwarded) >= count:
        try:
            return str(ipaddress.ip_address(forwarded[-count]))
        except ValueError:
            pass  # not an address (a proxy that adds ports, or garbage): the peer's is still true
    return request.META.get("REMOTE_ADDR")


AXES_FAILURE_LIMIT = CMS_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = datetime.timedelta(minutes=CMS_LOGIN_COOLOFF_MINUTES) if CMS_LOGIN_COOLOFF_MINUTES else None
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = client_ip_address
AXES_LOCKOUT_TEMPLATE = "security/lockout.html"
# Wagtail's sign-in form with its password field labelled in the editor's language (cms.admin_login).
WAGTAILADMIN_USER_LOGIN_FORM = "cms.admin_login.AdminLoginForm"
# A sign-in tried during a lockout does not restart it: an editor who tries again with the right password
# after a few minutes is let in when the cool-off ends, not locked out for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# A successful sign-in forgets the failures before it.
AXES_RESET_ON_SUCCESS = True
# Only failures are recorded (and deleted at the next sign-in after they have cooled off): no record of
# every sign-in's address.
AXES_DISABLE_ACCESS_LOG = True

REST_FRAMEWORK = {
    # Public delivery is JSON only: no browsable HTML API.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

# Plain text here, JSON lines in production (config.settings.production). Every line names the request it
# belongs to (api.logging.RequestIdFilter, on the handler: a filter on a logger misses records propagated
# from its children), "-" outside a request; api.access writes one line per request.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "api.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": env("CMS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": ["console"], "level": env("CMS_LOG_LEVEL", "INFO"), "propagate": False},
        # Every background task logs its start and end at INFO: one line per save is noise, not news.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": env("CMS_WAGTAIL_LOG_LEVEL", "WARNING")},
        # One line per request (method, path, status, duration); CMS_ACCESS_LOG_LEVEL=WARNING turns it off
        # where the proxy in front already keeps an access log.
        "api.access": {"level": env("CMS_ACCESS_LOG_LEVEL", "INFO")},
    },
}
