"""The Wagtail admin for webhooks: the endpoints (Settings → Webhooks) and the delivery log (Settings → Webhook
deliveries), for administrators (active superusers) only.

An endpoint's secret is what receivers trust a webhook by, and its URL decides where the CMS sends requests
from inside the municipality's network; neither is for editors, whatever Django model permissions their groups
hold. ``AdministratorsOnlyPolicy`` says so to Wagtail (menu items, buttons), and every view of both viewsets
answers 403 to anyone else before it does anything (``administrators_only``).
"""

import datetime
import functools
import json
from urllib.parse import urlencode

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.admin_url_finder import ModelAdminURLFinder
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import MediaContainer
from wagtail.admin.ui.side_panels import StatusSidePanel
from wagtail.admin.ui.tables import (
    BooleanColumn,
    BulkActionsCheckboxColumn,
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views import generic
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic.base import BaseObjectMixin, BaseOperationView, WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.log_actions import log
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import policy_registry

from . import delivery, dispatch
from .events import EVENT_TYPES
from .forms import WebhookEndpointForm
from .models import OutboxState, WebhookDelivery, WebhookEndpoint

# How long the secret before a rotation keeps signing beside the new one: a day for the receivers to switch.
ROTATION_OVERLAP = datetime.timedelta(hours=24)

# The viewsets' names: URL prefixes under /admin/ and URL namespaces.
ENDPOINTS = "webhooks"
DELIVERIES = "webhook_deliveries"

ROTATE_SECRET_ACTION = "frontend_hooks.rotate_secret"
REDELIVER_ACTION = "frontend_hooks.redeliver"


# --- who may ----------------------------------------------------------------------------------------------
def is_administrator(user):
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


class AdministratorsOnlyPolicy(BasePermissionPolicy):
    """Lets active superusers do ``actions`` (all, when None) on the model, and nobody anything else: the
    webhook settings are for the CMS's administrators, so Django model permissions granted to editors' groups
    count for nothing here."""

    def __init__(self, model, actions=None):
        super().__init__(model)
        self.actions = None if actions is None else frozenset(actions)

    def _allows(self, action):
        return self.actions is None or action in self.actions

    def user_has_permission(self, user, action):
        return is_administrator(user) and self._allows(action)

    def user_has_any_permission(self, user, actions):
        return is_administrator(user) and any(self._allows(action) for action in actions)

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True, is_superuser=True)
        return users if any(self._allows(action) for action in actions) else users.none()


def forbidden(request):
    """The 403 page for anyone but an administrator (Wagtail would redirect to the dashboard instead)."""
    context = {"page_title": _("Webhooks"), "header_icon": "link"}
    return TemplateResponse(request, "frontend_hooks/forbidden.html", context, status=403)


def administrators_only(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        # Before the view runs at all: not even whether an object exists is told to others.
        if not is_administrator(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapped


class AdministratorsOnlyViewSetMixin:
    def construct_view(self, view_class, **kwargs):
        # Every view of the viewset, the extra ones included, goes through here.
        return administrators_only(super().construct_view(view_class, **kwargs))

    def get_permissions_to_register(self):
        # Django's model permissions grant nothing here, so the group editor offers none for these models.
        return Permission.objects.none()


# --- endpoints ---------------------------------------------------------------------------------------------
def secret_page(request, endpoint, secret, *, rotated=False):
    """The one time a secret is shown: rendered in the answer to the POST that made it, never stored in the
    session or a message, and never cached."""
    title = _("New signing secret") if rotated else _("Webhook endpoint created")
    context = {
        "page_title": title,
        "header_title": title,
        "header_icon": "key",
        "endpoint": endpoint,
        "secret": secret,
        "rotated": rotated,
        "previous_valid_until": endpoint.previous_secret_expires_at if rotated else None,
        "edit_url": reverse(f"{ENDPOINTS}:edit", args=[quote(endpoint.pk)]),
        "index_url": reverse(f"{ENDPOINTS}:index"),
    }
    response = TemplateResponse(request, "frontend_hooks/secret.html", context)
    add_never_cache_headers(response)
    return response


def deliveries_url(**filters):
    return reverse(f"{DELIVERIES}:index") + ("?" + urlencode(filters) if filters else "")


def wake_held_deliveries(endpoint, now=None):
    """The deliveries that waited while the endpoint was switched off: woken after the commit, the ones due at
    once and the others at their time. Returns how many."""
    now = now or timezone.now()
    rows = list(
        WebhookDelivery.objects.filter(endpoint=endpoint, state=OutboxState.PENDING).values_list(
            "pk", "next_attempt_at"
        )
    )
    due = [pk for pk, at in rows if at is None or at <= now]
    later = [(pk, at) for pk, at in rows if at is not None and at > now]

    def wake():
        dispatch.wake_deliveries(due)
        for pk, at in later:
            dispatch.wake_deliveries([pk], at=at)

    if rows:
        transaction.on_commit(wake)
    return len(rows)


def rotate_secret(endpoint, now=None):
    """A new secret; the current one keeps signing beside it for ``ROTATION_OVERLAP`` (one before that, if any,
    stops at once). Returns the new secret."""
    now = now or timezone.now()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
    endpoint.secret = delivery.new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "updated_at"])
    return endpoint.secret


class FailedDeliveriesColumn(Column):
    """The count of an endpoint's failed deliveries, linking to them in the delivery log."""

    cell_template_name = "frontend_hooks/tables/failed_deliveries_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["log_url"] = deliveries_url(endpoint=instance.pk, state=OutboxState.FAILED)
        return context


class EndpointIndexView(generic.IndexView):
    """The list of receivers: whether each is on, why the CMS switched it off if it did (a 410 Gone), and how
    many of its deliveries failed for good."""

    # Wagtail's "Add %(model_name)s" puts the name in the nominative, which Latvian cannot use after "add".
    add_item_label = _("Add webhook endpoint")

    def get_base_queryset(self):
        failed = Count("deliveries", filter=Q(deliveries__state=OutboxState.FAILED))
        return super().get_base_queryset().annotate(failed_deliveries=failed)

    @cached_property
    def columns(self):
        field = WebhookEndpoint._meta.get_field
        return [
            self._get_title_column("name"),
            Column("url", label=capfirst(field("url").verbose_name), sort_key="url"),
            BooleanColumn("active", label=capfirst(field("active").verbose_name), sort_key="active"),
            Column("disabled_reason", label=capfirst(field("disabled_reason").verbose_name)),
            FailedDeliveriesColumn("failed_deliveries", label=_("Failed deliveries"), sort_key="failed_deliveries"),
        ]


class EndpointCreateView(generic.CreateView):
    """Adds a receiver; its signing secret is generated here and shown once, on the page this answers with."""

    def save_instance(self):
        self.form.instance.secret = delivery.new_secret()
        return super().save_instance()

    def save_action(self):
        messages.success(self.request, self.get_success_message(self.object))
        return secret_page(self.request, self.object, self.object.secret)


class EndpointStatusSidePanel(StatusSidePanel):
    """Whether the endpoint is sent anything (and why the CMS switched it off), in place of Wagtail's live/draft
    status, which endpoints do not have."""

    def get_status_templates(self, context):
        return ["frontend_hooks/side_panels/endpoint_status.html"]


class EndpointEditView(generic.EditView):
    """Changes a receiver. Making an inactive endpoint active again sends what waited for it meanwhile and
    forgets why it was switched off."""

    rotate_secret_url_name = None
    woken = 0

    def save_instance(self):
        endpoint = self.form.instance
        # The stored value, not the form's initial one: the worker may have switched it off since the form loaded.
        was_active = WebhookEndpoint.objects.filter(pk=endpoint.pk).values_list("active", flat=True).first()
        reactivated = endpoint.active and not was_active
        if reactivated:
            endpoint.disabled_reason = ""
        endpoint = super().save_instance()
        if reactivated:
            self.woken = wake_held_deliveries(endpoint)
        return endpoint

    def save_action(self):
        response = super().save_action()
        if self.woken:
            messages.info(
                self.request,
                ngettext(
                    "%(count)d delivery that waited for this endpoint is being sent.",
                    "%(count)d deliveries that waited for this endpoint are being sent.",
                    self.woken,
                )
                % {"count": self.woken},
            )
        return response

    def get_side_panels(self):
        panel = EndpointStatusSidePanel(
            self.object,
            self.request,
            history_url=self.get_history_url(),
            last_updated_info=self.get_last_updated_info(),
        )
        return MediaContainer([panel])

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if self.rotate_secret_url_name and self.user_has_permission("change"):
            url = reverse(self.rotate_secret_url_name, args=[quote(self.object.pk)])
            buttons.append(Button(_("Rotate secret"), url=url, icon_name="key", priority=40))
        buttons.append(
            Button(_("Delivery log"), url=deliveries_url(endpoint=self.object.pk), icon_name="history", priority=50)
        )
        return buttons


class RotateSecretView(BaseObjectMixin, PermissionCheckedMixin, WagtailAdminTemplateMixin, TemplateView):
    """Replaces an endpoint's secret (a receiver's copy leaked, or it is simply time): asks first, then shows
    the new secret once. The old one goes on signing beside it for a day, so receivers can switch over."""

    model = WebhookEndpoint
    permission_required = "change"
    template_name = "frontend_hooks/confirm_rotate.html"
    page_title = _("Rotate secret")
    index_url_name = None
    edit_url_name = None

    def get_page_subtitle(self):
        return str(self.object)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": capfirst(WebhookEndpoint._meta.verbose_name_plural)},
            {"url": reverse(self.edit_url_name, args=[quote(self.object.pk)]), "label": str(self.object)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A secret from an earlier rotation still signing stops at once: the administrator is told first.
        if len(self.object.signing_secrets()) > 1:
            context["previous_valid_until"] = self.object.previous_secret_expires_at
        context["overlap_hours"] = int(ROTATION_OVERLAP.total_seconds() // 3600)
        context["edit_url"] = reverse(self.edit_url_name, args=[quote(self.object.pk)])
        return context

    def post(self, request, *args, **kwargs):
        with transaction.atomic():
            # Locked, so that two administrators rotating at once cannot lose the secret one of them was shown.
            endpoint = WebhookEndpoint.objects.select_for_update().get(pk=self.object.pk)
            secret = rotate_secret(endpoint)
            log(endpoint, ROTATE_SECRET_ACTION, user=request.user)
        return secret_page(request, endpoint, secret, rotated=True)


class WebhookEndpointViewSet(AdministratorsOnlyViewSetMixin, ModelViewSet):
    """Settings → Webhooks: the receivers of the CMS's webhooks, for administrators to add, change, switch off
    and on, rotate the secret of, and delete."""

    model = WebhookEndpoint
    name = ENDPOINTS
    icon = "link"
    menu_label = _("Webhooks")
    menu_order = 850
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    index_view_class = EndpointIndexView
    add_view_class = EndpointCreateView
    edit_view_class = EndpointEditView
    rotate_secret_view_class = RotateSecretView
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("url"), FieldPanel("event_types"), FieldPanel("active")],
        base_form_class=WebhookEndpointForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # Nothing refers to an endpoint: no "used 0 times" to show.
        return super().get_common_view_kwargs(**{"usage_url_name": None, **kwargs})

    def get_edit_view_kwargs(self, **kwargs):
        return super().get_edit_view_kwargs(rotate_secret_url_name=self.get_url_name("rotate_secret"), **kwargs)

    @property
    def rotate_secret_view(self):
        return self.construct_view(self.rotate_secret_view_class)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("rotate-secret/<int:pk>/", self.rotate_secret_view, name="rotate_secret"),
        ]


# --- the delivery log --------------------------------------------------------------------------------------
def event_type_choices():
    return list(EVENT_TYPES.items())


class DeliveryFilterSet(WagtailFilterSet):
    state = django_filters.MultipleChoiceFilter(
        label=_("State"), choices=OutboxState.choices, widget=forms.CheckboxSelectMultiple
    )
    endpoint = django_filters.ModelChoiceFilter(
        label=_("Endpoint"), queryset=lambda request: WebhookEndpoint.objects.all()
    )
    event_type = django_filters.ChoiceFilter(label=_("Event type"), choices=event_type_choices)

    class Meta:
        model = WebhookDelivery
        fields = []


def failed_first(queryset):
    # Failed deliveries wait for an administrator (nothing retries them), so they come before the rest.
    failed = Case(When(state=OutboxState.FAILED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return queryset.order_by(failed, "-created_at", "-pk")


class DeliveryIndexView(generic.IndexView):
    """The delivery log: every webhook sent or still to send, failed ones first; filtered by state, endpoint
    and event, and selected for a redelivery in bulk."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("endpoint")

    def order_queryset(self, queryset):
        if self.is_explicitly_ordered and self.ordering:
            return super().order_queryset(queryset)
        return failed_first(queryset)

    @cached_property
    def columns(self):
        field = WebhookDelivery._meta.get_field

        def label(name):
            return capfirst(field(name).verbose_name)

        return [
            BulkActionsCheckboxColumn("bulk_actions", obj_type="webhookdelivery"),
            self._get_title_column_class(TitleColumn)(
                "created_at",
                label=_("Time"),
                sort_key="created_at",
                get_url=self.get_inspect_url,
                get_title_id=lambda instance: f"webhookdelivery_{quote(instance.pk)}_title",
            ),
            Column("endpoint", label=label("endpoint"), sort_key="endpoint__name"),
            Column("event_type", label=_("Event type"), sort_key="event_type"),
            Column("webhook_id", label=label("webhook_id")),
            StatusTagColumn(
                "state",
                accessor="get_state_display",
                label=label("state"),
                sort_key="state",
                primary=lambda instance: instance.state == OutboxState.DONE,
            ),
            Column("attempts", label=label("attempts"), sort_key="attempts"),
            Column("last_status", label=label("last_status")),
            Column("last_error", label=label("last_error")),
            DateColumn("next_attempt_at", label=label("next_attempt_at"), sort_key="next_attempt_at"),
        ]


class DeliveryInspectView(generic.InspectView):
    """One delivery: what was sent where, its state, and every attempt (when, the HTTP status, how long it
    took, the error). Receivers' answers are never stored, so none are shown. Redelivered from here."""

    page_title = _("Webhook delivery")
    redeliver_url_name = None

    def get_object(self, queryset=None):
        return get_object_or_404(WebhookDelivery.objects.select_related("endpoint", "event"), pk=self.pk)

    def get_field_display_value(self, field_name, field):
        value = super().get_field_display_value(field_name, field)
        if isinstance(value, datetime.datetime):
            # In the site's time zone, as in the listing (the generic template shows them in UTC).
            return timezone.localtime(value)
        return "—" if value is None or value == "" else value

    def get_event_type_display_value(self):
        label = EVENT_TYPES.get(self.object.event_type)
        return f"{self.object.event_type} ({label})" if label else self.object.event_type

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["attempts"] = self.object.attempt_log.all()
        context["body"] = pretty_json(self.object.body)
        if self.redeliver_url_name and self.user_has_permission("redeliver"):
            context["redeliver_url"] = reverse(self.redeliver_url_name, args=[quote(self.object.pk)])
        return context


def pretty_json(text):
    try:
        return json.dumps(json.loads(text), ensure_ascii=False, indent=2, sort_keys=True)
    except ValueError:
        return text


def redeliver(request, deliveries):
    """Sends the deliveries again (pending from now, attempts counted afresh, woken after the commit), logs who
    asked, and tells them what happens. Returns how many."""
    count = dispatch.redeliver(deliveries)
    for item in deliveries:
        log(item, REDELIVER_ACTION, user=request.user)
    held = sorted({item.endpoint.name for item in deliveries if not item.endpoint.active})
    if held:
        messages.warning(
            request,
            _("Switched off, so their deliveries wait until they are active again: %(endpoints)s.")
            % {"endpoints": ", ".join(held)},
        )
    return count


def redelivered_message(count):
    return ngettext("%(count)d delivery will be sent again.", "%(count)d deliveries will be sent again.", count) % {
        "count": count
    }


class RedeliverView(PermissionCheckedMixin, BaseOperationView):
    """The "Redeliver" button of one delivery (a POST): sends it again with its own webhook id."""

    model = WebhookDelivery
    permission_required = "redeliver"

    def get_base_object_queryset(self):
        return WebhookDelivery.objects.select_related("endpoint")

    def perform_operation(self):
        self.count = redeliver(self.request, [self.object])

    def get_success_message(self):
        return redelivered_message(self.count)


class RedeliverBulkAction(BulkAction):
    """Redeliver for the deliveries selected in the delivery log (or all that its filters show)."""

    display_name = _("Redeliver")
    action_type = "redeliver"
    aria_label = _("Redeliver the selected deliveries")
    template_name = "frontend_hooks/bulk_actions/confirm_redeliver.html"
    action_priority = 10
    models = [WebhookDelivery]

    def dispatch(self, request, *args, **kwargs):
        # Wagtail's bulk action address is shared by every model: the check is made here.
        if not policy_registry.get_by_type(WebhookDelivery).user_has_permission(request.user, "redeliver"):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    @classmethod
    def get_queryset(cls, model, object_ids):
        if isinstance(object_ids, list):  # from the query string: whatever was typed there
            object_ids = [pk for pk in object_ids if pk.isdigit()]
        return list(WebhookDelivery.objects.filter(pk__in=object_ids).select_related("endpoint"))

    def get_all_objects_in_listing_query(self, parent_id):
        # "Select all" means all that the listing's filters show, not every delivery ever made.
        filters = DeliveryFilterSet(self.request.GET, queryset=WebhookDelivery.objects.all(), request=self.request)
        return filters.qs.values_list("pk", flat=True)

    def object_context(self, obj):
        return {"item": obj, "inspect_url": reverse(f"{DELIVERIES}:inspect", args=[quote(obj.pk)])}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "header_icon": "history"}

    def get_execution_context(self):
        return {"request": self.request}

    @classmethod
    def execute_action(cls, objects, request=None, **kwargs):
        return redeliver(request, objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return redelivered_message(num_parent_objects)


class DeliveryURLFinder(ModelAdminURLFinder):
    """Where Wagtail's reports link a delivery to: its page in the log (a delivery has no edit form)."""

    edit_url_name = f"{DELIVERIES}:inspect"

    def get_edit_url(self, instance):
        if self.user and not policy_registry.get(instance).user_has_permission(self.user, "view"):
            return None
        return self.construct_edit_url(instance)


class WebhookDeliveryViewSet(AdministratorsOnlyViewSetMixin, ModelViewSet):
    """Settings → Webhook deliveries: the read-only log of what the CMS sent to which endpoint and how each
    attempt went, where administrators find failed deliveries and send them again."""

    model = WebhookDelivery
    name = DELIVERIES
    icon = "history"
    menu_label = _("Webhook deliveries")
    menu_order = 851
    add_to_settings_menu = True
    add_to_reference_index = False
    copy_view_enabled = False
    inspect_view_enabled = True
    list_per_page = 50
    filterset_class = DeliveryFilterSet
    index_view_class = DeliveryIndexView
    inspect_view_class = DeliveryInspectView
    redeliver_view_class = RedeliverView
    url_finder_class = DeliveryURLFinder
    index_template_name = "frontend_hooks/deliveries/index.html"
    inspect_template_name = "frontend_hooks/deliveries/inspect.html"
    # The body has a section of its own on the page; the lease is the worker's business.
    inspect_view_fields = [
        "created_at",
        "endpoint",
        "event_type",
        "webhook_id",
        "state",
        "attempts",
        "last_status",
        "last_error",
        "next_attempt_at",
        "finished_at",
        "event",
    ]

    def get_common_view_kwargs(self, **kwargs):
        # A log: no add, edit, delete, history or usage views to link to.
        no_views = dict.fromkeys(
            ["add_url_name", "edit_url_name", "delete_url_name", "history_url_name", "usage_url_name"]
        )
        return super().get_common_view_kwargs(**{**no_views, **kwargs})

    def get_inspect_view_kwargs(self, **kwargs):
        return super().get_inspect_view_kwargs(redeliver_url_name=self.get_url_name("redeliver"), **kwargs)

    @property
    def redeliver_view(self):
        return self.construct_view(self.redeliver_view_class, success_url_name=self.get_url_name("inspect"))

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<int:pk>/", self.inspect_view, name="inspect"),
            path("redeliver/<int:pk>/", self.redeliver_view, name="redeliver"),
        ]
