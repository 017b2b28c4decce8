"""Local development and the demo: SQLite by default, debug on, bound to 127.0.0.1 by the Makefile."""

from .base import *  # noqa: F403
from .base import WAGTAILADMIN_BASE_URL, env

DEBUG = True
# A fixed development key is fine here: dev settings are never used to serve the public.
SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-not-for-production")
ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
# No front-end runs beside the demo: previews open a stand-in served by this CMS (config.demo_frontend).
CMS_FRONTEND_PREVIEW_URL = env("CMS_FRONTEND_PREVIEW_URL", WAGTAILADMIN_BASE_URL + "/demo-frontend/preview/")
