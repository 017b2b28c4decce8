"""The push side, measured: how long a publish takes with 0 and with 5 webhook endpoints subscribed, and how
long after its commit a webhook reaches a receiver through the real worker.

    .venv/bin/python -m bench.hooks [--db sqlite|postgres] [--publishes 100] [--interval 1.0]

A fresh database (SQLite file under /tmp, or PostgreSQL ``novads_cms_bench_hooks``), migrations, a report
index; a receiver on loopback that verifies every signature with the ``standardwebhooks`` library and notes
when each delivery arrived; ``manage.py run_frontend_hooks`` as its own process (polling every ``--interval``
seconds, as configured in production). Each publish commits on its own; its latency is the time from the end of
its commit to the receiver's answer being sent. Publish times are the median and p95 of ``--publishes``
publishes each, with 0 endpoints and with 5 (whose deliveries are written in the publish's transaction).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "novads_cms_bench_hooks"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def setup_environment(db):
    directory = Path("/tmp/novads-cms-bench-hooks")
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "static").mkdir(parents=True)
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{PG_DATABASE}"')
        url = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        url = f"sqlite:///{directory / 'bench.sqlite3'}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": url,
            "BENCH_DIR": str(directory),
            "BENCH_REDIS": "0",
            "PYTHONPATH": str(ROOT),
        }
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--publishes", type=int, default=100)
    parser.add_argument("--interval", type=float, default=1.0)
    args = parser.parse_args(argv)
    setup_environment(args.db)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    settings.CMS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.CMS_WEBHOOK_REQUIRE_HTTPS = False
    call_command("migrate", verbosity=0)

    from cms.factories.pages import EventReportIndexPageFactory, EventReportPageFactory
    from frontend_hooks.delivery import new_secret
    from frontend_hooks.events import EVENT_TYPES
    from frontend_hooks.models import WebhookDelivery, WebhookEndpoint
    from tests.frontend_hooks.receiver import Receiver

    index = EventReportIndexPageFactory()
    drafts = [EventReportPageFactory(parent=index, live=False) for _ in range(3 * args.publishes)]

    def publish(page):
        started = time.perf_counter()
        with transaction.atomic():
            page.save_revision().publish()
        return time.perf_counter() - started, time.time()

    figures = {"db": args.db, "publishes": args.publishes, "interval": args.interval}
    figures["publish_0_endpoints_ms"] = [publish(page)[0] * 1000 for page in drafts[: args.publishes]]

    arrivals = {}

    class Arrivals(list):
        """The receiver's record, noting when each delivery arrived."""

        def append(self, item):
            arrivals[item[0]] = time.time()
            super().append(item)

    receiver = Receiver(new_secret())
    receiver.received = Arrivals()
    receiver.start()
    for n in range(5):
        WebhookEndpoint.objects.create(
            name=f"E{n}", url=receiver.url, event_types=list(EVENT_TYPES), secret=receiver.secret
        )

    environment = {**os.environ, "CMS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8", "CMS_WEBHOOK_REQUIRE_HTTPS": "false"}
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_frontend_hooks", "--interval", str(args.interval)],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(2)  # the worker starts
        committed = {}
        timings = []
        for page in drafts[args.publishes : 2 * args.publishes]:
            took, at = publish(page)
            timings.append(took * 1000)
            for webhook_id in WebhookDelivery.objects.filter(event__object_id=str(page.pk)).values_list(
                "webhook_id", flat=True
            ):
                committed[webhook_id] = at
            time.sleep(0.05)  # one editor at a time, not a bulk import
        figures["publish_5_endpoints_ms"] = timings
        deadline = time.time() + 120
        while len(arrivals) < len(committed) and time.time() < deadline:
            time.sleep(0.2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        receiver.stop()
    latencies = [(arrivals[i] - committed[i]) * 1000 for i in committed if i in arrivals]
    figures["deliveries"] = len(committed)
    figures["arrived"] = len(latencies)
    figures["rejected_signatures"] = len(receiver.rejected)
    report = {
        "db": args.db,
        "worker poll interval (s)": args.interval,
        "publish, 0 endpoints (ms, median / p95)": _pair(figures["publish_0_endpoints_ms"]),
        "publish, 5 endpoints (ms, median / p95)": _pair(figures["publish_5_endpoints_ms"]),
        "deliveries arrived / written": f"{figures['arrived']} / {figures['deliveries']}",
        "signatures rejected by the receiver": figures["rejected_signatures"],
        "latency after commit (ms, median / p99)": (
            f"{statistics.median(latencies):.0f} / {percentile(latencies, 0.99):.0f}" if latencies else "n/a"
        ),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


def _pair(values):
    return f"{statistics.median(values):.1f} / {percentile(values, 0.95):.1f}"


if __name__ == "__main__":
    main()
