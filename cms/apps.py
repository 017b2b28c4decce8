from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Django does not know Latgalian. Registered by the app so that a site that lists ``ltg`` in LANGUAGES gets
# get_language_info(), LocaleMiddleware and the /ltg/ prefix without settings of its own; the catalogue is
# cms/locale/ltg, the date and number formats cms.formats.ltg (FORMAT_MODULE_PATH).
LATGALIAN = {"bidi": False, "code": "ltg", "name": "Latgalian", "name_local": "Latgalīšu"}


def ensure_locales(sender, using="default", **kwargs):
    """Every content language in settings has a Locale (WAGTAIL_CONTENT_LANGUAGES is the single source of
    truth; Wagtail's default when unset is the one language of LANGUAGE_CODE)."""
    from wagtail.coreutils import get_content_languages
    from wagtail.models import Locale

    for code in get_content_languages():
        Locale.objects.using(using).get_or_create(language_code=code)


class CmsConfig(AppConfig):
    name = "cms"
    label = "cms"
    verbose_name = _("Event reports")
    # What the migrations were made with, whatever the site's DEFAULT_AUTO_FIELD.
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf.locale import LANG_INFO

        from . import changes, checks, health, localize, redirects, stream_formats  # noqa: F401  (checks, health: register theirs)

        LANG_INFO.setdefault("ltg", LATGALIAN)
        localize.install()
        changes.connect()
        redirects.connect()
        stream_formats.connect()
        post_migrate.connect(ensure_locales, sender=self, dispatch_uid="cms-ensure-locales")
