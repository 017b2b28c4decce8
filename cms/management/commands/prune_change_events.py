from django.core.management.base import BaseCommand

from cms.changes import prune, retention_days


class Command(BaseCommand):
    help = (
        "Delete change events older than CMS_CHANGE_EVENTS_RETENTION_DAYS (each object's latest event is kept). "
        "Run it daily, e.g. from cron."
    )

    def handle(self, *args, **options):
        deleted = prune()
        self.stdout.write(f"Deleted {deleted} change event(s) older than {retention_days()} days.")
