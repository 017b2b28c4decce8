"""What the CMS sends out, kept in the database until it has been sent.

A delivery (one change event for one webhook endpoint) and a purge job (one change event's URLs and cache
tags) are written in the transaction that writes the change event: a rolled-back edit sends nothing, and a
committed one is never lost, whatever happens to the worker or the receiver afterwards. Both are *outbox*
rows with the same life (``OutboxItem``): pending until done, claimed by one worker at a time through a lease
that expires, tried again on a schedule, given up after the last try.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxState(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("delivered")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("cancelled")


class OutboxItem(models.Model):
    state = models.CharField(_("state"), max_length=16, choices=OutboxState.choices, default=OutboxState.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    # Counted when an attempt starts, so an attempt cut short (a killed worker) counts as well.
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    # A worker holds the item until then; past it, another worker may take it again.
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    event = models.ForeignKey(
        "cms.ChangeEvent", verbose_name=_("change event"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        abstract = True


class WebhookEndpoint(models.Model):
    """A receiver of the CMS's webhooks, usually the front-end: where to send which events, and the secret
    they are signed with (Standard Webhooks). Managed by administrators in the admin's settings."""

    name = models.CharField(_("name"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    event_types = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    # ``whsec_`` and base64; shown once when created or rotated. The previous one keeps signing until
    # ``previous_secret_expires_at`` so that receivers can switch without losing a delivery.
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(_("previous secret"), max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(_("previous secret valid until"), null=True, blank=True)
    # Why the CMS switched the endpoint off itself (the receiver answered 410 Gone).
    disabled_reason = models.CharField(_("disabled because"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def signing_secrets(self, now=None):
        now = now or timezone.now()
        secrets = [self.secret]
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            secrets.append(self.previous_secret)
        return secrets


class WebhookDelivery(OutboxItem):
    """One change event for one endpoint. ``body`` is the exact JSON sent, and ``webhook_id`` the Standard
    Webhooks message id: both are the same on every retry, so a receiver can drop repeats."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    webhook_id = models.CharField(_("webhook id"), max_length=64, unique=True)
    event_type = models.CharField(_("event"), max_length=64)
    body = models.TextField(_("body"))
    last_status = models.PositiveIntegerField(_("last HTTP status"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="fh_delivery_due_idx")]

    def __str__(self):
        return f"{self.event_type} → {self.endpoint}"


class DeliveryAttempt(models.Model):
    """One try of a delivery: when, how it went, how long it took. Response bodies are never kept."""

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("delivery"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    started_at = models.DateTimeField(_("time"))
    status_code = models.PositiveIntegerField(_("HTTP status"), null=True, blank=True)
    latency_ms = models.PositiveIntegerField(_("latency (ms)"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    succeeded = models.BooleanField(_("succeeded"), default=False)

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "started_at", "pk"]

    def __str__(self):
        return f"{self.delivery_id} @ {self.started_at:%Y-%m-%d %H:%M:%S}"


class PurgeJob(OutboxItem):
    """The front-end and API URLs (and cache tags) one change event made stale, for the configured
    front-end cache backends (``WAGTAILFRONTENDCACHE``)."""

    urls = models.JSONField(_("URLs"), default=list)
    tags = models.JSONField(_("cache tags"), default=list)

    class Meta:
        verbose_name = _("cache purge")
        verbose_name_plural = _("cache purges")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="fh_purge_due_idx")]

    def __str__(self):
        return f"purge of {len(self.urls)} URL(s), {len(self.tags)} tag(s)"


class WorkerHeartbeat(models.Model):
    """When each task worker last showed it was alive: written by the worker's sweep (every
    ``CMS_FRONTEND_HOOKS_SWEEP_SECONDS``) and when it starts. ``/readyz`` and the metrics read it."""

    worker = models.CharField(_("worker"), max_length=200, primary_key=True)
    started_at = models.DateTimeField(_("started"))
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        ordering = ["-seen_at"]

    def __str__(self):
        return self.worker
