"""Webhook deliveries: written with each change event, signed per Standard Webhooks, sent by the worker.

A publish never waits for a receiver: ``record_deliveries`` only writes rows (in the edit's transaction) and
wakes the worker after commit. The worker (``attempt``) signs the stored body with the endpoint's secrets
(both during a rotation) using the ``standardwebhooks`` package, POSTs it with a timeout and without following
redirects, and records the attempt. Receivers see the same ``webhook-id`` on every retry of a delivery.

What the receiver's answer means:
- 2xx: delivered.
- 410 Gone: the receiver is gone for good; the endpoint is switched off and administrators are told.
- 429 / 503 with ``Retry-After``: tried again no sooner than asked (and at least as late as the schedule says).
- anything else, a timeout, a refused connection, a redirect (never followed): tried again on the schedule
  (``frontend_hooks.outbox``), given up after the last try.
"""

import base64
import datetime
import logging
import secrets
import time
import uuid

import urllib3
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.http import parse_http_date_safe
from standardwebhooks.webhooks import Webhook

from . import events, outbox, targets
from .metrics import observe_delivery
from .models import DeliveryAttempt, OutboxState, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)

USER_AGENT = "novads-cms-webhooks/1"
# At most this much of a Retry-After is honoured (a receiver cannot park a delivery for weeks).
MAX_RETRY_AFTER = 24 * 3600


def new_secret():
    """A Standard Webhooks secret: ``whsec_`` and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def new_webhook_id():
    return f"msg_{uuid.uuid4().hex}"


# --- writing (inside the edit's transaction) -----------------------------------------------------------
def record_deliveries(event, now=None):
    """One delivery per active endpoint subscribed to the event's type (``dispatch`` wakes them after
    commit). Returns their ids."""
    active = list(WebhookEndpoint.objects.filter(active=True))
    if not active:
        return []  # (before naming the type: telling a slug change from a publish costs a query)
    event_type = events.webhook_type(event)
    endpoints = [endpoint for endpoint in active if event_type is not None and event_type in endpoint.event_types]
    if not endpoints:
        return []
    now = now or timezone.now()
    body = events.body(event, event_type)
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            webhook_id=new_webhook_id(),
            event_type=event_type,
            body=body,
            next_attempt_at=now,
            created_at=now,
        )
        for endpoint in endpoints
    )
    ids = [delivery.pk for delivery in deliveries if delivery.pk is not None]
    if len(ids) != len(deliveries):  # a backend that does not return ids from bulk_create
        ids = list(WebhookDelivery.objects.filter(event=event).values_list("pk", flat=True))
    return ids


def reset(deliveries, now=None):
    """Make these deliveries pending again from now, with a fresh schedule and their own ids (what an
    administrator's "redeliver" does; ``dispatch.redeliver`` wakes them). Returns their ids."""
    now = now or timezone.now()
    ids = [delivery.pk for delivery in deliveries]
    WebhookDelivery.objects.filter(pk__in=ids).update(
        state=OutboxState.PENDING,
        attempts=0,
        next_attempt_at=now,
        leased_until=None,
        finished_at=None,
        last_error="",
        last_status=None,
    )
    return ids


# --- sending (in the worker) ---------------------------------------------------------------------------
def signature_headers(delivery, secrets_, now):
    """The Standard Webhooks headers for ``delivery``'s body, signed with each secret."""
    signatures = [Webhook(secret).sign(delivery.webhook_id, now, delivery.body) for secret in secrets_]
    return {
        "webhook-id": delivery.webhook_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


def post(target, body, headers, timeout):
    """POST to the checked address of ``target`` (the host name goes in Host and in TLS's SNI), without
    redirects or urllib3's own retries. Returns (status, headers); the body is never read beyond need."""
    timeout = urllib3.Timeout(connect=timeout, read=timeout, total=timeout)
    common = {"port": target.port, "timeout": timeout, "retries": False, "maxsize": 1}
    if target.scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            target.address,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
            **common,
        )
    else:
        pool = urllib3.HTTPConnectionPool(target.address, **common)
    host = target.host if target.port in (80, 443) else f"{target.host}:{target.port}"
    try:
        response = pool.urlopen(
            "POST",
            target.path,
            body=body.encode(),
            headers={**headers, "Host": host, "Content-Type": "application/json", "User-Agent": USER_AGENT},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        status, response_headers = response.status, dict(response.headers)
        response.drain_conn()
        response.release_conn()
        return status, response_headers
    finally:
        pool.close()


def retry_after_seconds(value, now):
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        when = parse_http_date_safe(value)
        if when is None:
            return None
        seconds = when - int(now.timestamp())
    return min(max(seconds, 0), MAX_RETRY_AFTER)


def attempt(delivery_id, now=None):
    """One try of a delivery, if it is due and free. Returns what happened: ``delivered``, ``retry`` (at
    ``next_attempt_at``; the task queues the wake-up), ``failed`` (no tries left), ``gone`` or ``skipped``."""
    now = now or timezone.now()
    if not outbox.claim(WebhookDelivery, delivery_id, now, extra=Q(endpoint__active=True)):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = time.monotonic()
    status, error, retry_after = None, "", None
    try:
        target = targets.resolve(endpoint.url)
        headers = signature_headers(delivery, endpoint.signing_secrets(now), now)
        status, response_headers = post(target, delivery.body, headers, outbox.attempt_timeout())
    except targets.TargetRefused as exc:
        error = f"refused: {exc.message}"
    except urllib3.exceptions.NewConnectionError as exc:  # (urllib3 counts it as a connect timeout too)
        error = f"connection failed: {exc}"
    except urllib3.exceptions.TimeoutError:
        error = f"timed out after {outbox.attempt_timeout():g} s"
    except (urllib3.exceptions.HTTPError, OSError) as exc:
        error = f"{type(exc).__name__}: {exc}"
    else:
        if status in (429, 503):
            retry_after = retry_after_seconds(response_headers.get("Retry-After"), now)
        if 300 <= status < 400:
            error = f"HTTP {status}: redirects are not followed"
        elif not 200 <= status < 300:
            error = f"HTTP {status}"
    latency = int((time.monotonic() - started) * 1000)
    succeeded = status is not None and 200 <= status < 300
    gone = status == 410
    finished_at = now + datetime.timedelta(milliseconds=latency)
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            started_at=now,
            status_code=status,
            latency_ms=latency,
            error=error[:500],
            succeeded=succeeded,
        )
        next_at = outbox.finish(
            delivery,
            finished_at,
            succeeded=succeeded,
            error=error,
            retry_after=retry_after,
            give_up=gone,
            last_status=status,
        )
        if gone:
            disable(endpoint, delivery, finished_at)
    if succeeded:
        observe_delivery(max(0.0, (finished_at - delivery.created_at).total_seconds()))
        return "delivered"
    logger.warning("Webhook %s to %s failed (%s); next attempt %s", delivery.webhook_id, endpoint.url, error, next_at)
    return "gone" if gone else ("retry" if next_at else "failed")


def disable(endpoint, delivery, now):
    """The receiver said 410 Gone: stop sending, and tell the administrators (by e-mail and in the admin)."""
    reason = f"HTTP 410 Gone on {now:%Y-%m-%d %H:%M} UTC ({delivery.event_type}, {delivery.webhook_id})"
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False, disabled_reason=reason[:300])
    logger.error("Webhook endpoint %s (%s) answered 410 Gone and was switched off", endpoint.name, endpoint.url)
    from django.contrib.auth import get_user_model

    admins = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(email="")
    recipients = list(admins.values_list("email", flat=True))
    if recipients:
        site = getattr(settings, "WAGTAIL_SITE_NAME", "CMS")
        transaction.on_commit(
            lambda: send_mail(
                f"[{site}] Webhook endpoint “{endpoint.name}” switched off",
                f"{endpoint.url} answered 410 Gone to {delivery.webhook_id}.\n"
                "The CMS sends it nothing more until an administrator makes it active again.",
                None,
                recipients,
                fail_silently=True,
            )
        )


def sweep(now=None, grace=datetime.timedelta(seconds=60)):
    """Deliveries that are due but have no wake-up coming: their worker died mid-attempt (the lease has
    passed), or their task was lost. Returns their ids, for the sweep task to wake."""
    now = now or timezone.now()
    return list(
        outbox.due(WebhookDelivery, now, grace).filter(endpoint__active=True).values_list("pk", flat=True)[:1000]
    )
