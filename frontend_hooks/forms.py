"""The admin form for a webhook endpoint (Settings → Webhooks)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from . import targets
from .events import EVENT_TYPES
from .models import WebhookEndpoint


def event_type_choices():
    # Evaluated per form, so that the labels follow the administrator's language.
    return [(event_type, f"{label} ({event_type})") for event_type, label in EVENT_TYPES.items()]


class WebhookEndpointForm(WagtailAdminModelForm):
    """What an administrator sets for a receiver: its name, its URL (checked against the networks webhooks may
    reach), the events it wants, and whether it gets anything at all. The signing secret is never a field: the
    CMS generates it and shows it once, when the endpoint is created or its secret rotated."""

    # A URL typed without a scheme is taken as https, the only one production accepts.
    url = forms.URLField(
        label=WebhookEndpoint._meta.get_field("url").verbose_name,
        max_length=WebhookEndpoint._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text=_("Where the CMS POSTs each event, signed per Standard Webhooks. Redirects are not followed."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=event_type_choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The endpoint is sent only these events."),
        error_messages={"required": _("Choose at least one event.")},
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "event_types", "active"]
        help_texts = {
            "name": _("For administrators: which receiver this is, e.g. “Front-end (production)”."),
            "active": _("An inactive endpoint is sent nothing; its pending deliveries wait until it is active again."),
        }

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk and url == self.instance.url and not self["active"].data:
            # Switching an endpoint off must work even while its host cannot be resolved.
            return url
        # The same check every delivery attempt makes: an administrator learns now, not from a failed delivery,
        # that the address is refused (a private network, plain http in production, a name that does not resolve).
        try:
            targets.resolve(url)
        except targets.TargetRefused as exc:
            raise forms.ValidationError(exc.message, code="refused") from None
        return url

    def clean_event_types(self):
        # Stored in the catalogue's order, whatever order the browser posted them in.
        chosen = set(self.cleaned_data["event_types"])
        return [event_type for event_type in EVENT_TYPES if event_type in chosen]
