"""Which languages a group of translators may work in.

Page permissions in Wagtail follow the page tree, and each language has its own tree, so a translators'
group is given edit rights on its language's root page. Snippets have no tree: this table limits a group's
snippet (and page) editing to its languages. A user in any group listed here may edit only the listed
languages; users in no listed group (editors) and superusers are not limited.
"""

from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Locale


class GroupLocalePermission(models.Model):
    """Lets a group (e.g. English translators) edit content in one language."""

    group = models.ForeignKey(
        Group, verbose_name=_("group"), on_delete=models.CASCADE, related_name="locale_permissions"
    )
    locale = models.ForeignKey(Locale, verbose_name=_("language"), on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("language permission")
        verbose_name_plural = _("language permissions")
        constraints = [
            models.UniqueConstraint(fields=["group", "locale"], name="cms_group_locale_permission_unique"),
        ]

    def __str__(self):
        return f"{self.group} → {self.locale.get_display_name()}"


# Asked many times per request (a listing asks once per row, page permissions once per page): kept on the user
# object, as Django keeps its permission cache, so a request sees one answer.
_CACHE_ATTRIBUTE = "_cms_allowed_locale_ids"


def allowed_locale_ids(user):
    """The locale ids ``user`` may edit, or None when not limited."""
    if not user.is_active:
        return frozenset()
    if user.is_superuser:
        return None
    cached = getattr(user, _CACHE_ATTRIBUTE, False)
    if cached is not False:
        return cached
    rows = GroupLocalePermission.objects.filter(group__user=user).values_list("locale_id", flat=True)
    allowed = frozenset(rows) or None
    setattr(user, _CACHE_ATTRIBUTE, allowed)
    return allowed


def user_can_edit_locale(user, locale_id):
    allowed = allowed_locale_ids(user)
    return allowed is None or locale_id in allowed
