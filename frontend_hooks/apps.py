from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FrontendHooksConfig(AppConfig):
    """Push: everything the CMS sends to the front-end (webhooks and cache purges, fed by the change log)."""

    name = "frontend_hooks"
    verbose_name = _("Front-end hooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from cms import health as cms_health
        from cms import metrics as cms_metrics
        from cms.models import ChangeEvent

        from . import (
            checks,  # noqa: F401  (registers the system checks)
            health,
            metrics,
        )

        # Without a worker or with the outbox behind, the API still answers: degraded, not unavailable.
        cms_health.register("worker", health.worker_check, critical=False)
        cms_health.register("outbox", health.outbox_check, critical=False)
        cms_metrics.register_collector(metrics.OutboxCollector())

        post_save.connect(_on_change_event, sender=ChangeEvent, dispatch_uid="frontend-hooks-change-event")


def _on_change_event(sender, instance, created=False, raw=False, **kwargs):
    # In the edit's own transaction: the outbox rows commit with the event, or not at all.
    if created and not raw:
        from .dispatch import on_change_event

        on_change_event(instance)
