"""The worker that sends webhooks and cache purges: django-tasks-db's worker on the front-end hooks' backend
and queue, with the sweep chain started (it wakes what a killed worker left behind)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from frontend_hooks.health import beat
from frontend_hooks.tasks import QUEUE, backend_alias, schedule_sweep


class Command(BaseCommand):
    help = "Send webhook deliveries and cache purges (runs until stopped; --batch: until nothing is due)."

    def add_arguments(self, parser):
        parser.add_argument("--batch", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")

    def handle(self, *args, batch=False, interval=1.0, verbosity=1, **options):
        if not batch:
            # Ready from its start, not only from its first sweep (``/readyz`` reads the heartbeat).
            beat(started=True)
            schedule_sweep()
        arguments = ["--backend", backend_alias(), "--queue-name", QUEUE, "--interval", str(interval)]
        arguments += ["--no-startup-delay", "--no-reload"]
        if batch:
            arguments.append("--batch")
        call_command("db_worker", *arguments, verbosity=verbosity)
