"""Where pages live on the public front-end. One place, so the API's shapes and the change log build the same
URLs."""

from django.conf import settings
from wagtail.models import Site


def site_roots():
    """The site roots of every language tree. Wagtail keeps them in the cache, a network round trip with
    Redis: code that builds many URLs asks once and passes them on."""
    return Site.get_site_root_paths()


def frontend_path_for(url_path, roots=None):
    """The front-end path of a page's ``url_path``: below the root of its language tree, with the language
    prefix (none for the source language), e.g. ``/pasakumi/forums/`` and ``/en/pasakumi/forums/``."""
    for root in site_roots() if roots is None else roots:
        if url_path.startswith(root.root_path):
            code = root.language_code or settings.LANGUAGE_CODE
            prefix = "" if code == settings.LANGUAGE_CODE else f"/{code}"
            return prefix + "/" + url_path[len(root.root_path) :]
    return None


def frontend_url_for(url_path, roots=None):
    path = frontend_path_for(url_path, roots)
    if path is None:
        return None
    return frontend_base_url() + path


def frontend_base_url():
    """The public front-end that consumes the API (``CMS_FRONTEND_BASE_URL``), without a trailing slash."""
    return getattr(settings, "CMS_FRONTEND_BASE_URL", "http://127.0.0.1:3000").rstrip("/")


def frontend_path(page):
    return frontend_path_for(page.url_path)


def frontend_url(page):
    return frontend_url_for(page.url_path)
