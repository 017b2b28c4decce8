"""Delete what the push side no longer needs: finished webhook deliveries (with their attempt logs) and purge
jobs older than ``CMS_CHANGE_EVENTS_RETENTION_DAYS``, and the worker's finished task rows. Run it daily, next
to ``prune_change_events``."""

import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from frontend_hooks import outbox
from frontend_hooks.models import PurgeJob, WebhookDelivery
from frontend_hooks.tasks import QUEUE, backend_alias


class Command(BaseCommand):
    help = "Delete finished webhook deliveries, purge jobs and worker task rows past the retention period."

    def handle(self, *args, **options):
        days = int(getattr(settings, "CMS_CHANGE_EVENTS_RETENTION_DAYS", 30))
        before = timezone.now() - datetime.timedelta(days=days)
        deliveries = outbox.prune(WebhookDelivery, before)
        purges = outbox.prune(PurgeJob, before)
        # The wake-ups are rows of django-tasks-db; a day is plenty (the deliveries keep their own record).
        call_command(
            "prune_db_task_results",
            "--backend",
            backend_alias(),
            "--queue-name",
            QUEUE,
            "--min-age-days",
            "1",
            verbosity=0,
        )
        self.stdout.write(f"Deleted {deliveries} webhook deliveries and {purges} purge jobs older than {days} days.")
