from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendHooksConfig(AppConfig):
    """Push: everything the CMS sends to the front-end (webhooks, cache purges, preview hand-off)."""

    name = "frontend_hooks"
    verbose_name = _("Front-end hooks")
