"""URLs in API output: front-end page URLs (from ``cms.frontend``) and absolute URLs of media the CMS serves."""

import functools

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from cms.frontend import frontend_path, frontend_url  # noqa: F401  (re-exported for the shapes)


def absolute_cms_url(path):
    """Media served by the CMS itself (documents, images) are absolute so any front-end can use them."""
    if path.startswith(("http://", "https://")):
        return path
    return api_base_url() + path


@functools.cache
def api_base_url():
    """``WAGTAILAPI_BASE_URL`` without a trailing slash; unset, the CMS's own address (``WAGTAILADMIN_BASE_URL``).
    Worked out once (a response asks for it for every rendition and document it shows), again when either
    setting changes."""
    base = getattr(settings, "WAGTAILAPI_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return base.rstrip("/")


@receiver(setting_changed)
def _base_url_changed(setting, **kwargs):
    if setting in {"WAGTAILAPI_BASE_URL", "WAGTAILADMIN_BASE_URL"}:
        api_base_url.cache_clear()


def document_url(doc):
    return absolute_cms_url(doc.url)
