"""URLs in API output: front-end page URLs (from ``cms.frontend``) and absolute URLs of media the CMS serves."""

from django.conf import settings

from cms.frontend import frontend_path, frontend_url  # noqa: F401  (re-exported for the shapes)


def absolute_cms_url(path):
    """Media served by the CMS itself (documents, images) are absolute so any front-end can use them."""
    if path.startswith(("http://", "https://")):
        return path
    return api_base_url() + path


def api_base_url():
    """``WAGTAILAPI_BASE_URL`` without a trailing slash; unset, the CMS's own address (``WAGTAILADMIN_BASE_URL``)."""
    base = getattr(settings, "WAGTAILAPI_BASE_URL", None) or getattr(settings, "WAGTAILADMIN_BASE_URL", "")
    return base.rstrip("/")


def document_url(doc):
    return absolute_cms_url(doc.url)
