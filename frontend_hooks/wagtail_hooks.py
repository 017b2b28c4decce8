"""Admin registration: Settings → Webhooks and Settings → Webhook deliveries, for administrators only."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import WebhookDelivery, WebhookEndpoint
from .views import (
    REDELIVER_ACTION,
    ROTATE_SECRET_ACTION,
    AdministratorsOnlyPolicy,
    RedeliverBulkAction,
    WebhookDeliveryViewSet,
    WebhookEndpointViewSet,
)

# Registered as this module is imported, before anything asks Wagtail for these models' policy (it would
# otherwise make up one from Django's model permissions, which editors' groups may hold).
register_permission_policy(WebhookEndpoint, AdministratorsOnlyPolicy(WebhookEndpoint), exact_class=True)
# The delivery log is read-only: it may be looked at and redelivered from, nothing else.
register_permission_policy(
    WebhookDelivery, AdministratorsOnlyPolicy(WebhookDelivery, actions={"view", "redeliver"}), exact_class=True
)


@hooks.register("register_admin_viewset")
def register_webhook_viewsets():
    return [WebhookEndpointViewSet(), WebhookDeliveryViewSet()]


hooks.register("register_bulk_action", RedeliverBulkAction)


@hooks.register("register_log_actions")
def register_webhook_log_actions(actions):
    # Who rotated a secret or resent a delivery, in the objects' history and the site history report.
    actions.register_action(ROTATE_SECRET_ACTION, _("Rotate webhook secret"), _("Webhook secret rotated"))
    actions.register_action(REDELIVER_ACTION, _("Redeliver webhook"), _("Webhook delivery sent again"))
