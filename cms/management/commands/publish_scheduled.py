from django.utils import timezone
from wagtail.management.commands import publish_scheduled
from wagtail.models import Revision

from cms.publishing import refuse_scheduled, unpublished_shown_by


class Command(publish_scheduled.Command):
    """Wagtail's scheduled publishing (same name, same options: this app comes first), except that a revision
    showing snippets that are not published is not published: at the scheduled time nobody can be asked, so its
    schedule is cleared and its history says what to publish (``cms.publishing.refuse_scheduled``)."""

    help = (
        "Publish what is scheduled and unpublish what has expired, as Wagtail does; a page or snippet that shows "
        "unpublished snippets is left unpublished, unscheduled, with the reason in its history."
    )

    def handle(self, *args, **options):
        # The same revisions Wagtail's command is about to publish.
        due = Revision.objects.filter(approved_go_live_at__lt=timezone.now()).order_by("approved_go_live_at")
        for revision in due:
            if options["dryrun"]:
                shown = unpublished_shown_by(revision.as_object())
                if shown:
                    names = ", ".join(f"{row._meta.label_lower}:{row.pk}" for row in shown)
                    self.stdout.write(f"Will not be published: {revision.object_str} (shows unpublished {names})")
            elif refuse_scheduled(revision):
                self.stdout.write(f"Not published: {revision.object_str} shows unpublished snippets (see its history).")
        super().handle(*args, **options)
