from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    """Pull: everything the front-end asks for (headless JSON delivery on Wagtail API v2)."""

    name = "api"
    verbose_name = _("Delivery API")

    def ready(self):
        from wagtail.models import CollectionViewRestriction, PageViewRestriction

        from . import cache as api_cache
        from .privacy import forget_restrictions

        for model in (PageViewRestriction, CollectionViewRestriction):
            post_save.connect(forget_restrictions, sender=model, dispatch_uid=f"api-restrictions-save-{model.__name__}")
            post_delete.connect(
                forget_restrictions, sender=model, dispatch_uid=f"api-restrictions-delete-{model.__name__}"
            )
        api_cache.connect_signals()
