"""Webhook targets: the CMS must not become a scanner of the municipality's own network."""

import socket

import pytest
from django.core import checks

from frontend_hooks import targets


def resolving_to(monkeypatch, *addresses):
    def fake(host, port, type=0):
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses
        ]

    monkeypatch.setattr(targets.socket, "getaddrinfo", fake)


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = None
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.5",
        "172.16.3.4",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(monkeypatch, address):
    resolving_to(monkeypatch, address)
    with pytest.raises(targets.TargetRefused, match="private or local"):
        targets.resolve("https://hooks.example.lv/cms")


def test_a_name_with_one_private_address_among_public_ones_is_refused(monkeypatch):
    resolving_to(monkeypatch, "93.184.216.34", "10.1.2.3")
    with pytest.raises(targets.TargetRefused):
        targets.resolve("https://hooks.example.lv/cms")


def test_a_public_address_is_used_as_checked(monkeypatch):
    resolving_to(monkeypatch, "93.184.216.34")
    target = targets.resolve("https://hooks.example.lv:8443/cms?x=1")
    assert (target.scheme, target.host, target.port, target.path, target.address) == (
        "https",
        "hooks.example.lv",
        8443,
        "/cms?x=1",
        "93.184.216.34",
    )


def test_allow_listed_networks_may_receive(monkeypatch, settings):
    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    resolving_to(monkeypatch, "10.20.1.5")
    assert targets.resolve("https://frontend.internal/hooks").address == "10.20.1.5"
    resolving_to(monkeypatch, "10.21.1.5")
    with pytest.raises(targets.TargetRefused):
        targets.resolve("https://frontend.internal/hooks")


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://hooks.example.lv/", "https"),
        ("ftp://hooks.example.lv/", "http and https"),
        ("https:///nohost", "http and https"),
        ("https://user:secret@hooks.example.lv/", "user name or password"),
        ("https://hooks.example.lv:99999/", "not a valid URL"),
    ],
)
def test_bad_urls_are_refused_before_any_lookup(monkeypatch, url, message):
    monkeypatch.setattr(targets.socket, "getaddrinfo", lambda *a, **k: pytest.fail("looked up"))
    with pytest.raises(targets.TargetRefused, match=message):
        targets.resolve(url)


def test_http_is_allowed_only_when_debugging_or_configured(monkeypatch, settings):
    resolving_to(monkeypatch, "93.184.216.34")
    settings.DEBUG = True
    assert targets.resolve("http://hooks.example.lv/").scheme == "http"
    settings.DEBUG, settings.CMS_WEBHOOK_REQUIRE_HTTPS = False, False
    assert targets.resolve("http://hooks.example.lv/").scheme == "http"


def test_an_unknown_host_is_refused(monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(targets.socket, "getaddrinfo", fail)
    with pytest.raises(targets.TargetRefused, match="cannot be found"):
        targets.resolve("https://nosuch.example.lv/")


def test_the_worker_needs_a_deferring_task_backend(settings):
    from frontend_hooks.checks import check_task_backend

    assert check_task_backend() == []
    settings.CMS_FRONTEND_HOOKS_TASK_BACKEND = "missing"
    assert [error.id for error in check_task_backend()] == ["frontend_hooks.E001"]
    settings.TASKS = {**settings.TASKS, "missing": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    errors = check_task_backend()
    assert [error.id for error in errors] == ["frontend_hooks.E002"]
    assert all(isinstance(error, checks.Error) for error in errors)
