"""The administrators' view of webhooks: Settings → Webhooks (endpoints) and Settings → Webhook deliveries (the
log), through the Wagtail admin as a logged-in user would use them.

Host names are resolved by a stand-in for DNS (``targets.socket``), so that the URL checks run offline and a
name can be made to point anywhere.
"""

import datetime
import socket
import types

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django_tasks_db.models import DBTaskResult
from wagtail.models import ModelLogEntry
from wagtail.users.models import UserProfile

from frontend_hooks import delivery, targets, tasks
from frontend_hooks.models import DeliveryAttempt, OutboxState, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

DELIVER_TASK = "frontend_hooks.tasks.deliver_webhook"
# Names the stand-in DNS knows; anything else is not found.
HOSTS = {"hooks.example.org": "93.184.215.14", "internal.example.org": "10.0.0.5"}


@pytest.fixture(autouse=True)
def _dns(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        address = HOSTS.get(host, host)
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "not found") from None
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    fake = types.SimpleNamespace(getaddrinfo=getaddrinfo, SOCK_STREAM=socket.SOCK_STREAM, gaierror=socket.gaierror)
    monkeypatch.setattr(targets, "socket", fake)


@pytest.fixture(autouse=True)
def _production_rules(settings):
    # What a production site has: https required (DEBUG is off), no private network let in.
    settings.DEBUG = False
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = None
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = []


def with_language(user, language):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = language
    profile.save()
    return user


@pytest.fixture
def administrator():
    user = get_user_model().objects.create_superuser("admin", "admin@example.org", "pw")
    # Assertions read English source messages; the Latvian admin has its own test.
    return with_language(user, "en")


@pytest.fixture
def editor():
    """Staff with access to the admin and every Django permission on the webhook models: still not an
    administrator."""
    user = get_user_model().objects.create_user("editor", "editor@example.org", "pw", is_staff=True)
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        *Permission.objects.filter(content_type__app_label="frontend_hooks"),
    )
    return with_language(user, "en")


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what a request queued for after its commit (the worker's wake-ups)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def make_endpoint(**kwargs):
    fields = {
        "name": "Front-end",
        "url": "https://hooks.example.org/cms",
        "event_types": ["page.published"],
        "secret": delivery.new_secret(),
        **kwargs,
    }
    return WebhookEndpoint.objects.create(**fields)


def make_delivery(endpoint, state=OutboxState.PENDING, **kwargs):
    fields = {
        "endpoint": endpoint,
        "webhook_id": delivery.new_webhook_id(),
        "event_type": "page.published",
        "body": "{}",
        "state": state,
        **kwargs,
    }
    return WebhookDelivery.objects.create(**fields)


def wake_ups():
    """The delivery tasks queued on the front-end hooks' backend: (delivery id, run after)."""
    rows = DBTaskResult.objects.filter(task_path=DELIVER_TASK, backend_name=tasks.backend_alias())
    return [(row.args_kwargs["args"][0], row.run_after) for row in rows.order_by("enqueued_at")]


def form_data(**overrides):
    data = {
        "name": "Front-end",
        "url": "https://hooks.example.org/cms",
        "event_types": ["person.deleted", "page.published"],
        "active": "on",
    }
    data.update(overrides)
    return data


def form_errors(response):
    """The form's errors in English. Read under the override: a request leaves its own language active."""
    with translation.override("en"):
        return {field: [str(error) for error in errors] for field, errors in response.context["form"].errors.items()}


def messages_of(response):
    # Wagtail renders its messages through a template (in the request's language), with whitespace around them.
    return [message.message.strip() for message in response.context["messages"]]


# --- endpoints ---------------------------------------------------------------------------------------------
def test_administrator_creates_an_endpoint_and_sees_its_secret_once(admin_client):
    response = admin_client.post(reverse("webhooks:add"), form_data())

    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.url == "https://hooks.example.org/cms"
    assert endpoint.event_types == ["page.published", "person.deleted"]  # the catalogue's order
    assert endpoint.active
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert ModelLogEntry.objects.filter(action="wagtail.create", object_id=str(endpoint.pk)).exists()

    # Never again: not on the endpoint's page, not in the list.
    for url in (reverse("webhooks:edit", args=[endpoint.pk]), reverse("webhooks:index")):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert endpoint.secret not in page.content.decode()
        assert "whsec_" not in page.content.decode()


def test_an_endpoint_needs_at_least_one_event(admin_client):
    response = admin_client.post(reverse("webhooks:add"), form_data(event_types=[]))

    assert response.status_code == 200
    assert form_errors(response) == {"event_types": ["Choose at least one event."]}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hook", "private or local network address (127.0.0.1)"),
        ("https://10.0.0.5/hook", "private or local network address (10.0.0.5)"),
        ("https://169.254.169.254/latest/meta-data/", "private or local network address (169.254.169.254)"),
        ("https://internal.example.org/hook", "private or local network address (10.0.0.5)"),
        ("http://hooks.example.org/cms", "Webhook URLs must use https."),
        ("https://nowhere.example.org/hook", "The host name of this URL cannot be found."),
        ("https://user:secret@hooks.example.org/cms", "Put no user name or password in the URL"),
    ],
)
def test_urls_webhooks_may_not_reach_are_refused(admin_client, url, message):
    response = admin_client.post(reverse("webhooks:add"), form_data(url=url))

    assert response.status_code == 200
    errors = form_errors(response)
    assert list(errors) == ["url"]
    assert message in errors["url"][0]
    assert not WebhookEndpoint.objects.exists()


def test_a_changed_url_is_checked_too(admin_client):
    endpoint = make_endpoint()

    response = admin_client.post(reverse("webhooks:edit", args=[endpoint.pk]), form_data(url="https://10.0.0.5/"))

    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    endpoint.refresh_from_db()
    assert endpoint.url == "https://hooks.example.org/cms"


def test_an_endpoint_whose_host_is_gone_can_still_be_switched_off(admin_client):
    endpoint = make_endpoint(url="https://gone.example.org/hook")

    data = form_data(url="https://gone.example.org/hook")
    del data["active"]
    response = admin_client.post(reverse("webhooks:edit", args=[endpoint.pk]), data)

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active
    # Switched on again, it is checked.
    response = admin_client.post(reverse("webhooks:edit", args=[endpoint.pk]), form_data(url=endpoint.url))
    assert "url" in response.context["form"].errors


def test_an_allowed_network_may_receive_webhooks_over_http(admin_client, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = False

    response = admin_client.post(reverse("webhooks:add"), form_data(url="http://127.0.0.1:8081/hooks"))

    assert response.status_code == 200
    assert WebhookEndpoint.objects.get().url == "http://127.0.0.1:8081/hooks"


def test_rotating_the_secret_keeps_the_old_one_signing_for_a_day(admin_client):
    endpoint = make_endpoint()
    old = endpoint.secret
    url = reverse("webhooks:rotate_secret", args=[endpoint.pk])

    confirmation = admin_client.get(url)
    assert confirmation.status_code == 200
    assert old not in confirmation.content.decode()

    before = timezone.now()
    response = admin_client.post(url)

    assert response.status_code == 200
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.secret.startswith("whsec_")
    assert endpoint.previous_secret == old
    expected = before + datetime.timedelta(hours=24)
    assert expected <= endpoint.previous_secret_expires_at <= expected + datetime.timedelta(minutes=1)
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    html = response.content.decode()
    assert endpoint.secret in html and old not in html
    assert "no-store" in response["Cache-Control"]
    assert ModelLogEntry.objects.filter(action="frontend_hooks.rotate_secret", object_id=str(endpoint.pk)).exists()
    # The edit page links to the rotation and shows neither secret.
    edit = admin_client.get(reverse("webhooks:edit", args=[endpoint.pk])).content.decode()
    assert url in edit
    assert endpoint.secret not in edit and old not in edit


def test_reactivating_an_endpoint_sends_what_waited_for_it(admin_client, commit):
    endpoint = make_endpoint(active=False, disabled_reason="HTTP 410 Gone on 2026-11-27 10:00 UTC")
    now = timezone.now()
    due = make_delivery(endpoint, next_attempt_at=now - datetime.timedelta(minutes=5))
    later = make_delivery(endpoint, next_attempt_at=now + datetime.timedelta(hours=2))
    make_delivery(endpoint, state=OutboxState.FAILED)
    make_delivery(endpoint, state=OutboxState.DONE)

    with commit():
        response = admin_client.post(
            reverse("webhooks:edit", args=[endpoint.pk]), form_data(event_types=["page.published"])
        )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active
    assert endpoint.disabled_reason == ""
    queued = dict(wake_ups())
    assert set(queued) == {due.pk, later.pk}
    assert queued[later.pk] == later.next_attempt_at


def test_saving_an_active_endpoint_wakes_nothing(admin_client, commit):
    endpoint = make_endpoint()
    make_delivery(endpoint, next_attempt_at=timezone.now())

    with commit():
        response = admin_client.post(reverse("webhooks:edit", args=[endpoint.pk]), form_data(name="Renamed"))

    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().name == "Renamed"
    assert wake_ups() == []


def test_the_endpoint_list_shows_why_an_endpoint_is_off_and_its_failed_deliveries(admin_client):
    gone = make_endpoint(name="Old front-end", active=False, disabled_reason="HTTP 410 Gone on 2026-11-27 10:00 UTC")
    make_delivery(gone, state=OutboxState.FAILED)
    make_delivery(gone, state=OutboxState.FAILED)
    make_delivery(gone, state=OutboxState.DONE)
    make_endpoint(name="New front-end")

    response = admin_client.get(reverse("webhooks:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Old front-end" in html and "New front-end" in html
    assert "HTTP 410 Gone on 2026-11-27 10:00 UTC" in html
    rows = {endpoint.name: endpoint.failed_deliveries for endpoint in response.context["object_list"]}
    assert rows == {"New front-end": 0, "Old front-end": 2}
    log_url = reverse("webhook_deliveries:index") + f"?endpoint={gone.pk}&amp;state=failed"
    assert log_url in html


# --- who may -----------------------------------------------------------------------------------------------
def test_only_administrators_see_the_menu_items(client, administrator, editor):
    urls = [reverse("webhooks:index"), reverse("webhook_deliveries:index")]
    client.force_login(administrator)
    home = client.get(reverse("wagtailadmin_home")).content.decode()
    assert all(url in home for url in urls)

    client.force_login(editor)
    home = client.get(reverse("wagtailadmin_home"))
    assert home.status_code == 200
    assert not any(url in home.content.decode() for url in urls)


def test_editors_get_403_everywhere_whatever_their_model_permissions(editor_client, commit):
    endpoint = make_endpoint()
    failed = make_delivery(endpoint, state=OutboxState.FAILED, attempts=8)
    bulk = reverse("wagtail_bulk_action", args=["frontend_hooks", "webhookdelivery", "redeliver"])
    gets = [
        reverse("webhooks:index"),
        reverse("webhooks:index_results"),
        reverse("webhooks:add"),
        reverse("webhooks:edit", args=[endpoint.pk]),
        reverse("webhooks:delete", args=[endpoint.pk]),
        reverse("webhooks:history", args=[endpoint.pk]),
        reverse("webhooks:rotate_secret", args=[endpoint.pk]),
        reverse("webhook_deliveries:index"),
        reverse("webhook_deliveries:index_results"),
        reverse("webhook_deliveries:inspect", args=[failed.pk]),
        f"{bulk}?id={failed.pk}",
    ]
    posts = [
        (reverse("webhooks:add"), form_data()),
        (reverse("webhooks:edit", args=[endpoint.pk]), form_data(name="Taken over")),
        (reverse("webhooks:delete", args=[endpoint.pk]), {}),
        (reverse("webhooks:rotate_secret", args=[endpoint.pk]), {}),
        (reverse("webhook_deliveries:redeliver", args=[failed.pk]), {}),
        (f"{bulk}?id={failed.pk}", {}),
        (f"{bulk}?id=all", {}),
    ]

    for url in gets:
        response = editor_client.get(url)
        assert response.status_code == 403, url
        assert endpoint.secret not in response.content.decode()
    with commit():
        for url, data in posts:
            assert editor_client.post(url, data).status_code == 403, url

    assert WebhookEndpoint.objects.get() == endpoint
    unchanged = WebhookEndpoint.objects.get()
    assert (unchanged.name, unchanged.secret, unchanged.previous_secret) == ("Front-end", endpoint.secret, "")
    failed.refresh_from_db()
    assert (failed.state, failed.attempts) == (OutboxState.FAILED, 8)
    assert wake_ups() == []


def test_the_403_page_says_why(editor_client):
    response = editor_client.get(reverse("webhooks:index"))

    assert response.status_code == 403
    assert "Only administrators can manage webhooks" in response.content.decode()


def test_inactive_superusers_are_refused(client, administrator):
    client.force_login(administrator)
    administrator.is_active = False
    administrator.save()

    response = client.get(reverse("webhooks:index"))

    assert response.status_code != 200


# --- the delivery log --------------------------------------------------------------------------------------
def test_the_log_shows_failed_deliveries_first_and_filters(admin_client):
    front, other = make_endpoint(name="Front-end"), make_endpoint(name="Search index")
    now = timezone.now()
    old_failure = make_delivery(
        front, state=OutboxState.FAILED, created_at=now - datetime.timedelta(days=2), last_status=500
    )
    recent = make_delivery(front, state=OutboxState.DONE, created_at=now, last_status=204)
    retrying = make_delivery(
        other,
        created_at=now - datetime.timedelta(hours=1),
        event_type="person.deleted",
        attempts=2,
        last_error="HTTP 503",
        next_attempt_at=now + datetime.timedelta(minutes=30),
    )
    index = reverse("webhook_deliveries:index")

    def listed(query=""):
        response = admin_client.get(index + query)
        assert response.status_code == 200
        return [item.pk for item in response.context["object_list"]]

    assert listed() == [old_failure.pk, recent.pk, retrying.pk]
    assert listed("?ordering=-created_at") == [recent.pk, retrying.pk, old_failure.pk]
    assert listed("?state=failed") == [old_failure.pk]
    assert listed("?state=failed&state=pending") == [old_failure.pk, retrying.pk]
    assert listed(f"?endpoint={other.pk}") == [retrying.pk]
    assert listed("?event_type=person.deleted") == [retrying.pk]

    html = admin_client.get(index).content.decode()
    for text in (retrying.webhook_id, "HTTP 503", "Search index", "person.deleted"):
        assert text in html
    # Read-only: no forms to add or edit deliveries.
    for name in ("add", "edit", "delete"):
        with pytest.raises(NoReverseMatch):
            reverse(f"webhook_deliveries:{name}", args=[] if name == "add" else [recent.pk])


def test_the_delivery_page_lists_every_attempt(admin_client):
    endpoint = make_endpoint()
    item = make_delivery(endpoint, state=OutboxState.FAILED, attempts=2, last_status=503, last_error="HTTP 503")
    started = timezone.now() - datetime.timedelta(hours=1)
    DeliveryAttempt.objects.create(
        delivery=item, started_at=started, status_code=None, latency_ms=15001, error="timed out after 15 s"
    )
    DeliveryAttempt.objects.create(
        delivery=item,
        started_at=started + datetime.timedelta(seconds=5),
        status_code=503,
        latency_ms=87,
        error="HTTP 503",
    )

    response = admin_client.get(reverse("webhook_deliveries:inspect", args=[item.pk]))

    assert response.status_code == 200
    assert [attempt.status_code for attempt in response.context["attempts"]] == [None, 503]
    html = response.content.decode()
    for text in (item.webhook_id, "timed out after 15 s", "15001", "503", "87", "Front-end"):
        assert text in html
    assert reverse("webhook_deliveries:redeliver", args=[item.pk]) in html


def test_redelivering_a_failed_delivery_queues_it_again(admin_client, commit):
    endpoint = make_endpoint()
    item = make_delivery(endpoint, state=OutboxState.FAILED, attempts=8, finished_at=timezone.now())

    with commit():
        response = admin_client.post(reverse("webhook_deliveries:redeliver", args=[item.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("webhook_deliveries:inspect", args=[item.pk])
    item.refresh_from_db()
    assert (item.state, item.attempts, item.finished_at) == (OutboxState.PENDING, 0, None)
    assert [pk for pk, _ in wake_ups()] == [item.pk]
    assert "1 delivery will be sent again." in messages_of(response)
    assert ModelLogEntry.objects.filter(action="frontend_hooks.redeliver", object_id=str(item.pk)).exists()


def test_redeliver_is_a_post(admin_client):
    item = make_delivery(make_endpoint(), state=OutboxState.FAILED)

    assert admin_client.get(reverse("webhook_deliveries:redeliver", args=[item.pk])).status_code == 405


def test_redelivering_to_a_switched_off_endpoint_says_it_waits(admin_client, commit):
    item = make_delivery(make_endpoint(name="Old front-end", active=False), state=OutboxState.FAILED)

    with commit():
        response = admin_client.post(reverse("webhook_deliveries:redeliver", args=[item.pk]), follow=True)

    messages = " ".join(messages_of(response))
    assert "Switched off" in messages and "Old front-end" in messages


def test_redelivering_in_bulk(admin_client, commit):
    endpoint = make_endpoint()
    first, second = (make_delivery(endpoint, state=OutboxState.FAILED, attempts=8) for _ in range(2))
    untouched = make_delivery(endpoint, state=OutboxState.DONE, attempts=1)
    url = reverse("wagtail_bulk_action", args=["frontend_hooks", "webhookdelivery", "redeliver"])
    query = f"?id={first.pk}&id={second.pk}&next={reverse('webhook_deliveries:index')}"

    confirmation = admin_client.get(url + query)
    assert confirmation.status_code == 200
    assert first.webhook_id in confirmation.content.decode() and second.webhook_id in confirmation.content.decode()

    with commit():
        response = admin_client.post(url + query, follow=True)

    assert response.redirect_chain[-1][0] == reverse("webhook_deliveries:index")
    assert "2 deliveries will be sent again." in messages_of(response)
    for item in (first, second):
        item.refresh_from_db()
        assert (item.state, item.attempts) == (OutboxState.PENDING, 0)
    untouched.refresh_from_db()
    assert (untouched.state, untouched.attempts) == (OutboxState.DONE, 1)
    assert sorted(pk for pk, _ in wake_ups()) == sorted([first.pk, second.pk])


def test_select_all_in_the_listing_means_what_the_filters_show(admin_client, commit):
    endpoint = make_endpoint()
    failed = [make_delivery(endpoint, state=OutboxState.FAILED) for _ in range(3)]
    done = make_delivery(endpoint, state=OutboxState.DONE)
    url = reverse("wagtail_bulk_action", args=["frontend_hooks", "webhookdelivery", "redeliver"])

    with commit():
        admin_client.post(url + "?state=failed&id=all")

    assert sorted(pk for pk, _ in wake_ups()) == sorted(item.pk for item in failed)
    done.refresh_from_db()
    assert done.state == OutboxState.DONE


def test_the_delivery_log_offers_bulk_redelivery(admin_client):
    item = make_delivery(make_endpoint(), state=OutboxState.FAILED)

    html = admin_client.get(reverse("webhook_deliveries:index")).content.decode()

    assert reverse("wagtail_bulk_action", args=["frontend_hooks", "webhookdelivery", "redeliver"]) in html
    assert f'data-object-id="{item.pk}"' in html


# --- in Latvian --------------------------------------------------------------------------------------------
def test_the_admin_speaks_latvian(client, administrator):
    client.force_login(with_language(administrator, "lv"))
    endpoint = make_endpoint()
    make_delivery(endpoint, state=OutboxState.FAILED)
    with translation.override("lv"):
        expected = {
            "endpoints": translation.gettext("webhook endpoints"),
            "event": translation.gettext("Page published"),
            "failed": translation.gettext("failed"),
            "https": translation.gettext("Webhook URLs must use https."),
            "rotate": translation.gettext("Rotate secret"),
        }
    assert expected["endpoints"] != "webhook endpoints", "the Latvian catalogue was not loaded"
    assert expected["event"] != "Page published"

    index = client.get(reverse("webhooks:index")).content.decode()
    assert capfirst(expected["endpoints"]) in index
    add = client.get(reverse("webhooks:add")).content.decode()
    assert expected["event"] in add and "Page published" not in add
    edit = client.get(reverse("webhooks:edit", args=[endpoint.pk])).content.decode()
    assert expected["rotate"] in edit
    log = client.get(reverse("webhook_deliveries:index")).content.decode()
    assert expected["failed"] in log
    refused = client.post(reverse("webhooks:add"), form_data(url="http://hooks.example.org/cms"))
    assert expected["https"] in refused.content.decode()
