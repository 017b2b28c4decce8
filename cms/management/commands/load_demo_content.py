from django.core.management.base import BaseCommand

from cms.demo.loader import DemoLoader


class Command(BaseCommand):
    help = "Load the demo content (the seed event report and the people, organisations and contacts it uses)."

    def handle(self, *args, **options):
        report = DemoLoader().load()
        for line in report.created:
            self.stdout.write(f"  created  {line}")
        for line in report.kept:
            self.stdout.write(f"  kept     {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Demo content: {len(report.created)} created, {len(report.kept)} already present.")
        )
