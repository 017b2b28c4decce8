"""Redirects never point at their own address.

Wagtail's redirect middleware answers a 404 with the redirect recorded for the path. A redirect whose target is
its own old path is harmless while the page there is live (the page answers, not the redirect) and an endless
loop once it is not: unpublished, the page's URL answers 301 to itself. Wagtail creates such redirects itself: on
a slug change it records the old URL taken from the database row and the new one from the page object saved, and
when the row is written twice in one transaction (a translation's draft written into the live row and the live
content put back, ``cms.localize.drafts``) the first change is recorded on commit, after the second one has
brought the URL back. A page whose slug goes back to an earlier one, or that moves back, comes back to the
address of its own old redirect the same way; and nothing stops an editor or an import from making one.

``connect()`` guards every way in:

- redirects created automatically on a slug change or a move (``BatchRedirectCreator``, a ``bulk_create`` that
  sends no signals) are checked against the pages' URLs as the database has them when they are made;
- after a page's URL changes, automatically created redirects that now lead to their own address (to the page or
  to one below it) are deleted, as Wagtail deletes the ones a new redirect replaces;
- the redirects form (the admin's add and edit views, the import, API v3) refuses one with a form error;
- saving one from code raises ``ValidationError``;
- the middleware ignores any that is left (made by hand for a page that later moved to that address): the
  visitor gets the 404 rather than a loop.
"""

import contextlib
import functools
import logging
from urllib.parse import urlparse, urlsplit

from django.core.exceptions import DisallowedHost, ImproperlyConfigured, ValidationError
from django.db.models.signals import pre_save
from django.utils.translation import gettext

from cms.localize import guard
from cms.localize.guard import Upstream, mark

logger = logging.getLogger(__name__)

UPSTREAM = (
    Upstream(
        "wagtail.contrib.redirects.signal_handlers:BatchRedirectCreator.pre_process",
        "63938eb66ac59a54",
        "runs on self.items (unsaved Redirect instances) just before they are bulk-created, and deletes the "
        "automatically created redirects they replace",
    ),
    Upstream(
        "wagtail.contrib.redirects.signal_handlers:create_redirects",
        "05a2efb1fe88b3f4",
        "every redirect made on a slug change or a move goes through one BatchRedirectCreator, old URLs from the "
        "page before and the new ones from the page object it is given",
    ),
    Upstream(
        "wagtail.contrib.redirects.forms:RedirectForm.clean",
        "b67efa9d3176f020",
        "the form of the admin's add and edit views, of each imported row and of API v3; cleaned_data has "
        "old_path, site, redirect_page and redirect_link",
    ),
    Upstream(
        "wagtail.contrib.redirects.views:create_redirects_from_dataset",
        "96e8fcf149743781",
        "each imported row is validated by a RedirectForm and reported with the form's errors when invalid",
    ),
    Upstream(
        "wagtail.contrib.redirects.middleware:get_redirect",
        "d2eded3b08659cad",
        "the middleware looks the 404's path up through this module global (arguments request, encoded_path) "
        "and sends the visitor to redirect.link; None means no redirect",
    ),
    Upstream(
        "wagtail.contrib.redirects.models:Redirect.link.func",
        "a2de4bb062de22a8",
        "the URL a redirect sends to: its page's url (with the route path) or redirect_link",
    ),
)
ATTRIBUTES = (
    "wagtail.contrib.redirects.models:Redirect.normalise_path",
    "wagtail.signals:page_slug_changed",
    "wagtail.signals:post_page_move",
)


def _message(path):
    return gettext(
        "This redirect would lead back to its own address (%(path)s): visitors would go round in a circle. "
        "Choose another target."
    ) % {"path": path}


def frontend_hosts():
    from cms.frontend import frontend_base_url

    host = urlsplit(frontend_base_url()).hostname
    return {host.lower()} if host else set()


def site_hosts(site_id=None):
    """The host names a redirect of ``site_id`` (None: every site) answers on, with the front-end's (pages'
    URLs are front-end addresses)."""
    from wagtail.models import Site

    sites = Site.objects.all() if site_id is None else Site.objects.filter(pk=site_id)
    return {hostname.lower() for hostname in sites.values_list("hostname", flat=True)} | frontend_hosts()


def leads_to_itself(old_path, link, hosts):
    """Whether a redirect from ``old_path`` to ``link`` sends the visitor back to ``old_path``."""
    from wagtail.contrib.redirects.models import Redirect

    if not link or not old_path:
        return False
    host = urlsplit(link).hostname
    if host is not None and host.lower() not in hosts:
        return False
    old = Redirect.normalise_path(old_path)
    target = Redirect.normalise_path(link)
    if target == old:
        return True
    # The middleware looks a path up with its query string, then without it: a redirect from a path to the same
    # path with a query string comes back to itself.
    return "?" not in old and ";" not in old and Redirect.normalise_path(urlparse(target).path) == old


def current_link(redirect, page):
    """The redirect's target with ``page`` (as the database has it now) in place of its page."""
    from wagtail.contrib.redirects.models import Redirect

    probe = Redirect(
        old_path=redirect.old_path,
        site_id=redirect.site_id,
        redirect_page=page,
        redirect_page_route_path=redirect.redirect_page_route_path if page is not None else "",
        redirect_link=redirect.redirect_link,
    )
    return probe.link


def fresh_pages(page_ids):
    from wagtail.models import Page

    page_ids = {page_id for page_id in page_ids if page_id is not None}
    if not page_ids:
        return {}
    return {page.pk: page for page in Page.objects.filter(pk__in=page_ids).specific(defer=True)}


def leading_to_themselves(redirects, extra_hosts=()):
    """Those of ``redirects`` that lead to their own address, with their pages' URLs read from the database
    (the page objects they hold may be older than the rows)."""
    redirects = list(redirects)
    pages = fresh_pages(redirect.redirect_page_id for redirect in redirects)
    hosts = {}
    found = []
    for redirect in redirects:
        if redirect.site_id not in hosts:
            hosts[redirect.site_id] = site_hosts(redirect.site_id) | set(extra_hosts)
        page = pages.get(redirect.redirect_page_id) if redirect.redirect_page_id else None
        if redirect.redirect_page_id and page is None:
            continue  # the page is gone; the row will go with it
        if leads_to_itself(redirect.old_path, current_link(redirect, page), hosts[redirect.site_id]):
            found.append(redirect)
    return found


def _batch_pre_process(original):
    @mark
    @functools.wraps(original)
    def pre_process(self):
        looping = {id(item) for item in leading_to_themselves(self.items)}
        if looping:
            logger.info(
                "Not creating %d redirects that would lead to their own address: %s",
                len(looping),
                ", ".join(item.old_path for item in self.items if id(item) in looping),
            )
            self.items = [item for item in self.items if id(item) not in looping]
        return original(self)

    return pre_process


def _form_clean(original):
    @mark
    @functools.wraps(original)
    def clean(self):
        from wagtail.contrib.redirects.models import Redirect

        result = original(self)
        data = self.cleaned_data
        old_path = data.get("old_path")
        if self.errors or not old_path:
            return result
        page, link = data.get("redirect_page"), data.get("redirect_link") or ""
        site = data.get("site")
        probe = Redirect(old_path=Redirect.normalise_path(old_path), site=site, redirect_link=link)
        probe.redirect_page_id = page.pk if page is not None else None
        if leading_to_themselves([probe]):
            self.add_error("redirect_page" if page is not None else "redirect_link", _message(probe.old_path))
        return result

    return clean


def _middleware_get_redirect(original):
    @mark
    @functools.wraps(original)
    def get_redirect(request, encoded_path):
        redirect = original(request, encoded_path)
        if redirect is None:
            return None
        hosts = site_hosts(redirect.site_id)
        with contextlib.suppress(DisallowedHost):
            hosts.add(request.get_host().rsplit(":", 1)[0].lower())
        if leads_to_itself(redirect.old_path, redirect.link, hosts):
            logger.warning("Ignoring redirect %s (id %s): it leads to its own address", redirect.old_path, redirect.pk)
            return None
        return redirect

    return get_redirect


def refuse_redirect_to_itself(sender, instance, raw=False, **kwargs):
    """pre_save: a redirect that leads to its own address is never saved, whatever code saves it."""
    if raw:
        return
    if leading_to_themselves([instance]):
        field = "redirect_page" if instance.redirect_page_id else "redirect_link"
        raise ValidationError({field: _message(instance.old_path)}, code="redirect_to_itself")


def drop_redirects_to_themselves(instance, **kwargs):
    """After a page's URL changed (slug, move): its and its descendants' automatically created redirects that now
    lead to their own address are deleted."""
    from wagtail.contrib.redirects.models import Redirect

    candidates = Redirect.objects.filter(automatically_created=True, redirect_page__path__startswith=instance.path)
    looping = [redirect.pk for redirect in leading_to_themselves(candidates)]
    if looping:
        logger.info("Deleting %d automatically created redirects that now lead to their own address", len(looping))
        Redirect.objects.filter(pk__in=looping).delete()


def upstream_problems():
    return guard.code_problems(UPSTREAM, ATTRIBUTES)


def _wrap(owner, name, make):
    current = getattr(owner, name)
    if not getattr(current, "installed_by_cms", False):
        setattr(owner, name, make(current))


def connect():
    problems = upstream_problems()
    if problems:
        raise ImproperlyConfigured(
            "cms.redirects wraps wagtail.contrib.redirects code that is not as it was verified:\n- "
            + "\n- ".join(problems)
            + "\nRe-verify each wrapper against the new code (tests/cms/test_redirects.py exercises them), then "
            "update cms.redirects.UPSTREAM with the values found."
        )
    from wagtail.contrib.redirects import forms, middleware, signal_handlers
    from wagtail.contrib.redirects.models import Redirect
    from wagtail.signals import page_slug_changed, post_page_move

    _wrap(signal_handlers.BatchRedirectCreator, "pre_process", _batch_pre_process)
    _wrap(forms.RedirectForm, "clean", _form_clean)
    _wrap(middleware, "get_redirect", _middleware_get_redirect)
    pre_save.connect(refuse_redirect_to_itself, sender=Redirect, dispatch_uid="cms-redirect-to-itself")
    page_slug_changed.connect(drop_redirects_to_themselves, dispatch_uid="cms-redirects-after-slug-change")
    post_page_move.connect(drop_redirects_to_themselves, dispatch_uid="cms-redirects-after-move")
