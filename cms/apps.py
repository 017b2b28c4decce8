from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def ensure_locales(sender, using="default", **kwargs):
    """Every content language in settings has a Locale (CMS_LANGUAGES is the single source of truth)."""
    from django.conf import settings
    from wagtail.models import Locale

    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.using(using).get_or_create(language_code=code)


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Event reports")

    def ready(self):
        from . import changes, localize

        localize.install()
        changes.connect()
        post_migrate.connect(ensure_locales, sender=self, dispatch_uid="cms-ensure-locales")
