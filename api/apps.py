from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Pull: everything the front-end asks for (headless JSON delivery on Wagtail API v2)."""

    name = "api"
    verbose_name = _("Delivery API")
