"""Abuse of the admin: sign-in throttling (django-axes) and no calls to outside services from the admin."""

import datetime
import struct

import pytest
from axes.backends import AxesBackend, AxesStandaloneBackend
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import F
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from config.settings import base
from config.settings.base import client_ip_address

PASSWORD = "a long and correct passphrase"
LATVIAN = {
    "Too many failed sign-in attempts.": "Pārāk daudz neveiksmīgu pieteikšanās mēģinājumu.",
    "Try again in %(minutes)s minute.\x00Try again in %(minutes)s minutes.": (
        "Mēģiniet vēlreiz pēc %(minutes)s minūtes.\x00Mēģiniet vēlreiz pēc %(minutes)s minūtēm."
        "\x00Mēģiniet vēlreiz pēc %(minutes)s minūtēm."
    ),
    "Ask an administrator to unlock your account.": "Lūdziet administratoram atbloķēt jūsu kontu.",
}
LATVIAN_PLURALS = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n != 0 ? 1 : 2);"


@pytest.fixture
def editor(db):
    return get_user_model().objects.create_superuser("editor", "editor@example.lv", PASSWORD)


@pytest.fixture
def latvian_lockout_messages(tmp_path):
    """The lockout page's messages in Latvian, as the project's catalogue is to carry them: proves the page
    takes them through the translation machinery with exactly these msgids (LOCALE_PATHS wins over apps)."""
    write_mo(tmp_path / "lv" / "LC_MESSAGES" / "django.mo", LATVIAN, LATVIAN_PLURALS)
    with override_settings(LOCALE_PATHS=[tmp_path, *settings.LOCALE_PATHS]):
        yield


def write_mo(path, messages, plural_forms):
    """A GNU gettext catalogue (the .mo format: a header, two tables of (length, offset), the strings)."""
    entries = {"": f"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: {plural_forms}\n", **messages}
    keys = sorted(entries)
    originals = [key.encode() for key in keys]
    translations = [entries[key].encode() for key in keys]
    count = len(keys)
    offset = 7 * 4 + 2 * count * 8
    tables, blob = [[], []], b""
    for table, strings in zip(tables, (originals, translations), strict=True):
        for string in strings:
            table.append(struct.pack("<II", len(string), offset + len(blob)))
            blob += string + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, count, 7 * 4, 7 * 4 + count * 8, 0, 0)
    path.parent.mkdir(parents=True)
    path.write_bytes(header + b"".join(tables[0]) + b"".join(tables[1]) + blob)


def sign_in(username, password, address="198.51.100.7", **headers):
    client = Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="lv", **headers)
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def signed_in(response):
    return response.status_code == 302 and "_auth_user_id" in response.client.session


def fail(times, username="editor", **kwargs):
    """Wrong passwords: the form again with its error, and the lockout page from the failure that reaches
    the limit on."""
    statuses = [sign_in(username, "wrong", **kwargs).status_code for _ in range(times)]
    limit = settings.AXES_FAILURE_LIMIT
    assert statuses == [200] * min(times, limit - 1) + [429] * max(0, times - limit + 1)


def age_attempts(by):
    """Time passes for the recorded failures (axes compares their time with now minus the cool-off)."""
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - by)


def test_the_defaults():
    # Every settings module refuses a locked-out user name before any password is checked (the tests with the
    # combined backend, which Wagtail's test helpers need).
    assert base.AUTHENTICATION_BACKENDS == [
        "axes.backends.AxesStandaloneBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesBackend"
    assert issubclass(AxesBackend, AxesStandaloneBackend)
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    # Just inside the response cache, which stays last (api.E001).
    assert settings.MIDDLEWARE[-2:] == ["axes.middleware.AxesMiddleware", "api.middleware.CachedApiResponseMiddleware"]


def test_a_correct_password_is_refused_after_too_many_failures_until_the_cool_off_has_passed(
    editor, latvian_lockout_messages
):
    assert signed_in(sign_in("editor", PASSWORD))
    fail(settings.AXES_FAILURE_LIMIT - 1)
    # One failure short of the limit the right password still works, and forgets the failures.
    assert signed_in(sign_in("editor", PASSWORD))
    fail(settings.AXES_FAILURE_LIMIT)

    refused = sign_in("editor", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session
    html = refused.content.decode()
    assert "Pārāk daudz neveiksmīgu pieteikšanās mēģinājumu." in html
    assert "Mēģiniet vēlreiz pēc 15 minūtēm." in html
    assert 'class="login' in html and "wagtailadmin/css/core.css" in html  # the sign-in page's look
    assert 'name="password"' not in html  # no form to keep guessing with

    # Trying again during the lockout does not restart it.
    age_attempts(datetime.timedelta(minutes=10))
    assert sign_in("editor", PASSWORD).status_code == 429
    age_attempts(datetime.timedelta(minutes=5, seconds=1))
    assert signed_in(sign_in("editor", PASSWORD))
    # Forgotten: a full allowance of failures again.
    fail(settings.AXES_FAILURE_LIMIT - 1)
    assert signed_in(sign_in("editor", PASSWORD))


@override_settings(AXES_COOLOFF_TIME=None)
def test_without_a_cool_off_an_administrator_unlocks(editor, latvian_lockout_messages):
    fail(settings.AXES_FAILURE_LIMIT)
    refused = sign_in("editor", PASSWORD)
    assert refused.status_code == 429
    assert "Lūdziet administratoram atbloķēt jūsu kontu." in refused.content.decode()
    age_attempts(datetime.timedelta(days=365))
    assert sign_in("editor", PASSWORD).status_code == 429


def test_the_lock_is_on_the_user_name_and_address_together(editor):
    colleague = get_user_model().objects.create_user("colleague", "colleague@example.lv", PASSWORD)
    fail(settings.AXES_FAILURE_LIMIT, address="203.0.113.66")
    assert sign_in("editor", PASSWORD, address="203.0.113.66").status_code == 429
    # The attacker cannot lock the editor out from the editor's own address ...
    assert signed_in(sign_in("editor", PASSWORD, address="198.51.100.7"))
    # ... nor another user from the attacker's.
    assert signed_in(sign_in(colleague.username, PASSWORD, address="203.0.113.66"))


@override_settings(CMS_TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_the_address_it_saw_counts_and_a_forged_header_changes_nothing(editor):
    # The proxy (192.0.2.1) appends the address it saw; the client forges the entries in front of it.
    statuses = [
        sign_in("editor", "wrong", address="192.0.2.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{forged}, 203.0.113.66")
        for forged in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert [response.status_code for response in statuses] == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    refused = sign_in("editor", PASSWORD, address="192.0.2.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.66")
    assert refused.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.66"}
    # The editor behind the same proxy, from elsewhere, is not locked out.
    assert signed_in(sign_in("editor", PASSWORD, address="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.7"))


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", "192.0.2.1"),
        (0, "203.0.113.66", "192.0.2.1"),  # no trusted proxy: the header is the client's own invention
        (1, "10.0.0.1, 203.0.113.66", "203.0.113.66"),
        (2, "10.0.0.1, 203.0.113.66, 198.51.100.20", "203.0.113.66"),
        (2, "203.0.113.66", "192.0.2.1"),  # fewer entries than proxies: reached past them, the peer is true
        (1, "not-an-address", "192.0.2.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_address(count, forwarded, expected):
    request = RequestFactory().post("/admin/login/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(CMS_TRUSTED_PROXY_COUNT=count):
        assert client_ip_address(request) == expected


# --- no outside services -------------------------------------------------------------------------------
OUTSIDE = ("gravatar", "releases.wagtail", "w-upgrade")


def dashboard(user):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_admin_calls_no_gravatar_and_no_release_check(editor):
    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert settings.WAGTAIL_ENABLE_UPDATE_CHECK is False
    html = dashboard(editor)
    assert not [word for word in OUTSIDE if word in html]


def test_the_dashboard_check_would_see_them(editor):
    # Wagtail's defaults, for contrast: the avatar URL and the upgrade check are in the dashboard's HTML.
    with override_settings(WAGTAIL_GRAVATAR_PROVIDER_URL="//www.gravatar.com/avatar", WAGTAIL_ENABLE_UPDATE_CHECK=True):
        html = dashboard(editor)
    assert "gravatar" in html and "w-upgrade" in html
