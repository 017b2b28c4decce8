"""``/metrics`` (cms.metrics): who may read it, and that what it counts is what happened."""

import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
from frontend_hooks import health as hooks_health
from frontend_hooks.models import OutboxState, PurgeJob, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def scrape(**extra):
    response = Client(HTTP_HOST="localhost").get("/metrics", **extra)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain; version=")
    return response.content.decode()


def value(text, name, **labels):
    """The sample ``name{labels}``, 0.0 when absent (a counter not yet counted)."""
    wanted = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        metric, _, number = line.rpartition(" ")
        sample, _, given = metric.partition("{")
        given = ",".join(sorted(given.rstrip("}").split(","))) if given else ""
        if sample == name and given == wanted:
            return float(number)
    return 0.0


# --- access -----------------------------------------------------------------------------------------------


def test_this_machine_may_read_the_metrics():
    assert "cms_http_requests_total" in scrape()  # the test client's REMOTE_ADDR is 127.0.0.1


@pytest.mark.parametrize(
    "extra",
    [
        {"REMOTE_ADDR": "10.1.2.3"},
        # Through a proxy on this machine, every visitor's address is local: never let in by address.
        {"HTTP_X_FORWARDED_FOR": "203.0.113.5"},
        {"HTTP_FORWARDED": "for=203.0.113.5"},
        {"REMOTE_ADDR": "10.1.2.3", "HTTP_AUTHORIZATION": "Bearer wrong"},
        {"REMOTE_ADDR": "not an address"},
    ],
)
def test_anyone_else_gets_a_plain_404(extra, settings):
    settings.CMS_METRICS_TOKEN = "s3cret-token"
    response = Client(HTTP_HOST="localhost").get("/metrics", **extra)
    assert response.status_code == 404
    assert response.content == b"Not Found" and b"cms_" not in response.content


def test_a_bearer_token_opens_it_from_anywhere(settings):
    settings.CMS_METRICS_TOKEN = "s3cret-token"
    text = scrape(REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="203.0.113.5", HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert "cms_outbox_items" in text


def test_without_a_token_set_no_token_opens_it(settings):
    settings.CMS_METRICS_TOKEN = ""
    response = Client(HTTP_HOST="localhost").get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 404


def test_allowed_networks_are_settings(settings):
    settings.CMS_METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert "cms_" in scrape(REMOTE_ADDR="10.1.2.3")
    assert Client(HTTP_HOST="localhost").get("/metrics").status_code == 404  # 127.0.0.1 is no longer in


# --- what is counted --------------------------------------------------------------------------------------


def test_requests_are_counted_by_endpoint_kind_and_status():
    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    client = Client(HTTP_HOST="localhost")
    before = scrape()
    client.get("/api/v2/pages/?type=cms.EventReportPage")
    client.get(f"/api/v2/pages/{report.pk}/")
    client.get(f"/api/v2/pages/{report.pk}/")  # a cache hit, answered before the URL is resolved
    client.get("/api/v2/pages/999999/")
    client.get("/api/v2/people/")
    after = scrape()

    def grew(**labels):
        return value(after, "cms_http_requests_total", **labels) - value(before, "cms_http_requests_total", **labels)

    assert grew(kind="pages_listing", method="GET", status="200") == 1
    assert grew(kind="pages_detail", method="GET", status="200") == 2
    assert grew(kind="pages_detail", method="GET", status="404") == 1
    assert grew(kind="people", method="GET", status="200") == 1
    durations = value(after, "cms_http_request_duration_seconds_count", kind="pages_detail")
    assert durations - value(before, "cms_http_request_duration_seconds_count", kind="pages_detail") == 3


def test_cache_hits_misses_and_304s_are_counted():
    report = EventReportPageFactory(parent=EventReportIndexPageFactory())
    client = Client(HTTP_HOST="localhost")
    before = scrape()
    first = client.get(f"/api/v2/pages/{report.pk}/")
    client.get(f"/api/v2/pages/{report.pk}/")
    client.get(f"/api/v2/pages/{report.pk}/", HTTP_IF_NONE_MATCH=first["ETag"])
    after = scrape()

    def grew(result):
        return value(after, "cms_api_cache_total", result=result) - value(before, "cms_api_cache_total", result=result)

    assert (grew("miss"), grew("hit"), grew("not_modified")) == (1, 2, 1)


def test_change_events_are_counted_when_committed(django_capture_on_commit_callbacks):
    index = EventReportIndexPageFactory()
    before = scrape()
    with django_capture_on_commit_callbacks(execute=True):
        EventReportPageFactory(parent=index, live=False).save_revision().publish()
    grown = value(scrape(), "cms_change_events_total", type="page.published")
    assert grown - value(before, "cms_change_events_total", type="page.published") == 1


def test_the_outbox_is_read_from_the_database_at_each_scrape():
    endpoint = WebhookEndpoint.objects.create(name="Front-end", url="https://front.example/", event_types=[])
    old = timezone.now() - datetime.timedelta(minutes=10)
    for number, state in enumerate([OutboxState.PENDING, OutboxState.PENDING, OutboxState.FAILED, OutboxState.DONE]):
        WebhookDelivery.objects.create(
            endpoint=endpoint,
            webhook_id=f"msg_{number}",
            event_type="page.published",
            body="{}",
            state=state,
            created_at=old,
            next_attempt_at=old,
        )
    PurgeJob.objects.create(urls=["https://front.example/"], created_at=old, next_attempt_at=old)
    hooks_health.beat(started=True)
    text = scrape()
    assert value(text, "cms_outbox_items", queue="webhook", state="pending") == 2
    assert value(text, "cms_outbox_items", queue="webhook", state="failed") == 1
    assert value(text, "cms_outbox_items", queue="purge", state="pending") == 1
    assert value(text, "cms_webhook_deliveries", endpoint="Front-end", state="pending") == 2
    assert value(text, "cms_webhook_deliveries", endpoint="Front-end", state="failed") == 1
    assert 600 <= value(text, "cms_outbox_oldest_due_seconds", queue="webhook") < 700
    assert 600 <= value(text, "cms_outbox_oldest_due_seconds", queue="purge") < 700
    assert 0 <= value(text, "cms_worker_heartbeat_age_seconds") < 5


def test_every_metric_name_is_documented():
    documented = (ROOT / "docs" / "deployment.md").read_text()
    names = set(re.findall(r"^(cms_[a-z_]+?)(?:_bucket|_count|_sum)?[{ ]", scrape(), re.MULTILINE))
    assert names, "no metric was exposed"
    assert sorted(name for name in names if name not in documented) == []


MULTIPROCESS = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
import django
django.setup()
from api import metrics
from cms import metrics as cms_metrics
if sys.argv[1] == "count":
    metrics.requests.labels(kind="pages_detail", method="GET", status="200").inc(int(sys.argv[2]))
else:
    from prometheus_client import generate_latest
    # The counters only: this process has no database to read the outbox from.
    sys.stdout.write(generate_latest(cms_metrics.scrape_registry(collectors=False)).decode())
"""


def test_several_processes_add_up_through_the_shared_directory(tmp_path):
    # gunicorn's workers and the task worker each count apart; a scrape of any one reports them all.
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)

    def run(*args):
        return subprocess.run(
            [sys.executable, "-c", MULTIPROCESS, *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout

    run("count", "2")
    run("count", "3")
    assert value(run("scrape"), "cms_http_requests_total", kind="pages_detail", method="GET", status="200") == 5
