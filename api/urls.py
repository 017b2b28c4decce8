"""Where pages live on the public front-end. One place, so every shape builds the same URLs."""

from django.conf import settings
from wagtail.models import Site


def frontend_path(page):
    """The page's path on the front-end: below the root of its language tree, with the language prefix
    (none for the source language), e.g. ``/pasakumi/forums/`` and ``/en/pasakumi/forums/``."""
    for root in Site.get_site_root_paths():  # cached by Wagtail; no query once warm
        if page.url_path.startswith(root.root_path):
            code = root.language_code or settings.LANGUAGE_CODE
            prefix = "" if code == settings.LANGUAGE_CODE else f"/{code}"
            return prefix + "/" + page.url_path[len(root.root_path) :]
    return None


def frontend_url(page):
    path = frontend_path(page)
    if path is None:
        return None
    return settings.CMS_FRONTEND_BASE_URL.rstrip("/") + path


def absolute_cms_url(path):
    """Media served by the CMS itself (documents, images) are absolute so any front-end can use them."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.WAGTAILAPI_BASE_URL.rstrip("/") + path
