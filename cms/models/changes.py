from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeEvent(models.Model):
    """One edit that changed what the public can see, written in the edit's own database transaction.

    It names the edited object, whether the object is public after the edit (``public=False`` is a tombstone:
    unpublished, deleted or made private), and what the edit affects (see ``cms.changes``). The API's cache
    invalidates from committed events, the change feed serves them, and the front-end hooks deliver them;
    the rows are pruned after ``CMS_CHANGE_EVENTS_RETENTION_DAYS`` (``manage.py prune_change_events``).
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=32)
    # ``app_label.model`` in lower case; every page type is ``wagtailcore.page`` (``type`` has the specific one).
    object_type = models.CharField(_("object type"), max_length=100)
    specific_type = models.CharField(_("type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64)
    locale = models.CharField(_("locale"), max_length=16, blank=True)
    translation_key = models.UUIDField(_("translation key"), null=True, blank=True)
    public = models.BooleanField(_("public after the change"))
    # Pages: the url_path the public sees after the change; the next event of the page compares against it.
    url_path = models.TextField(_("URL path"), blank=True)
    affected = models.JSONField(_("affected"), default=dict)

    class Meta:
        verbose_name = _("change event")
        verbose_name_plural = _("change events")
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="cms_change_object_idx")]

    def __str__(self):
        return f"{self.kind} {self.object_type}:{self.object_id}"
