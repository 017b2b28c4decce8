"""URLs in API output: front-end page URLs (from ``cms.frontend``) and absolute URLs of media the CMS serves."""

from django.conf import settings

from cms.frontend import frontend_path, frontend_url  # noqa: F401  (re-exported for the shapes)


def absolute_cms_url(path):
    """Media served by the CMS itself (documents, images) are absolute so any front-end can use them."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILAPI_BASE_URL.rstrip("/") + path
