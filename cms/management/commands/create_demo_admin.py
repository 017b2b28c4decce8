import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create (or reset) the demo superuser with a fresh random password and print the credentials."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        # A demo account with a printed password must never exist on a public server.
        if not settings.DEBUG:
            raise CommandError("create_demo_admin only runs with DEBUG settings (the local demo).")
        password = secrets.token_urlsafe(12)
        user, created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = user.is_active = True
        user.email = user.email or f"{username}@localhost"
        user.set_password(password)
        user.save()
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "Demo admin " + ("created" if created else "reset") + ":",
                    f"  URL:      {getattr(settings, 'WAGTAILADMIN_BASE_URL', '').rstrip('/')}/admin/",
                    f"  user:     {username}",
                    f"  password: {password}",
                    "",
                ]
            )
        )
