from django.utils.translation import gettext_lazy as _

from . import targets
from .choosers import SnippetChooserBlock


class ContactCardBlock(SnippetChooserBlock):
    """Whom readers should contact about the topic: a reusable contact card kept up to date in one place."""

    def __init__(self, **kwargs):
        super().__init__(targets.CONTACT_CARD, **kwargs)

    class Meta:
        icon = "mail"
        label = _("Contact card")
        template = "blocks/contact.html"
