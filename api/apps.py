from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Pull: everything the front-end asks for (headless JSON delivery on Wagtail API v2)."""

    name = "api"
    verbose_name = _("Delivery API")

    def ready(self):
        from cms import health as cms_health
        from cms.changes import change_committed, private_structure_changed

        from . import cache as api_cache
        from . import checks  # noqa: F401  (registers the system checks)

        # Without the shared cache the API answers uncached (``api.cache``): degraded, not unavailable.
        cms_health.register("cache", api_cache.health_check, critical=False)

        # The response cache invalidates from committed change events, and from nothing else.
        change_committed.connect(api_cache.invalidate, dispatch_uid="api-cache-invalidate")
        # ... and from a private subtree that moved or changed restrictions without a public event: the restricted
        # paths the API keeps are read again.
        private_structure_changed.connect(api_cache.invalidate_privacy, dispatch_uid="api-cache-privacy")
