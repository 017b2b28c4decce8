"""The editor of ``bench.operate``: a Django process with the production settings that publishes while the load
runs, as an editor in the admin would, and checks that the API shows each change.

    python -m bench.operate_editor '<json: port, receiver_url, secret, detail_id, person_id>'

At start it registers the receiver as an active webhook endpoint for every event type and prints ``{"ready":
...}``. Then it answers JSON commands on stdin, one JSON line each on stdout:

- ``{"cmd": "run", "seconds": S, "interval": I, "label": L}``: publish at I/2, 3I/2, ... until S seconds have
  passed. Each publish renames, in turn, the detail report, a person shown in it, or a report of the listing,
  and publishes a revision, all in one transaction (an admin request is one: ``ATOMIC_REQUESTS``). Noted for
  each: when it committed (an ``on_commit`` hook registered first, so it runs right after the commit, before
  the project's own hooks), the webhook deliveries it wrote, any error (before or after the commit), and how
  long after the commit the API showed the new title (the detail or the listing is asked again every 20 ms,
  from a new connection each time, up to ``FRESH_BOUND_S``; then ``CONFIRM`` more requests, which may reach
  other gunicorn workers, must show it too).
- ``{"cmd": "stats"}``: the outbox as the worker left it (deliveries by state, attempts, failed attempts and
  their errors, the task queue).
- ``{"cmd": "quit"}``.

The protocol uses a copy of the original stdout; the process's own stdout goes to stderr, so that nothing
Django or Wagtail prints can break a line of JSON.
"""

import json
import os
import secrets
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

# After the commit, the API must show the change within this bound. The cache is invalidated before the
# publish returns, so it is normally the very first request; the bound leaves room for a loaded machine.
FRESH_BOUND_S = 5.0
CONFIRM = 4
PROBE_PAUSE_S = 0.02
ROOT = str(Path(__file__).resolve().parent.parent)


def where(exc):
    """Where an error came from: the innermost frames of the project's own code, then of any library."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(ROOT) and "/.venv/" not in f.filename]
    theirs = [f for f in frames if "site-packages" in f.filename]
    parts = [f"{os.path.relpath(f.filename, ROOT)}:{f.lineno} {f.name}" for f in ours[-3:]]
    if theirs:
        library = theirs[-1].filename.split("site-packages/", 1)[1]
        parts.append(f"... {library}:{theirs[-1].lineno} {theirs[-1].name}")
    return " > ".join(parts)


class Editor:
    def __init__(self, config):
        from cms.models import EventReportPage

        self.port = config["port"]
        self.detail_id = config["detail_id"]
        self.person_id = config["person_id"]
        detail_ids = set(config.get("detail_ids", [])) | {self.detail_id}
        # The first 20 reports by tree order are the listing's 20 cards (``?type=cms.EventReportPage&limit=20``).
        self.listing_ids = [
            pk
            for pk in EventReportPage.objects.live().order_by("path").values_list("pk", flat=True)[:20]
            if pk not in detail_ids
        ]
        self.seq = 0

    # --- publishing ----------------------------------------------------------------------------------------
    def target(self, seq):
        from . import paths

        detail = paths.API_DETAIL.format(pk=self.detail_id)
        kind = ("report", "person", "listing")[seq % 3]
        if kind == "report":
            return kind, self.detail_id, detail
        if kind == "person":
            return kind, self.person_id, detail
        return kind, self.listing_ids[(seq // 3) % len(self.listing_ids)], paths.API_LISTING

    def publish(self, label):
        from django.db import transaction
        from django.db.models import Max

        from cms.models import EventReportPage, Person
        from frontend_hooks.models import WebhookDelivery

        seq, self.seq = self.seq, self.seq + 1
        kind, pk, url = self.target(seq)
        # ASCII, so it is found in the JSON however the API escapes text.
        marker = f"op{seq:04d}{secrets.token_hex(3)}"
        before = WebhookDelivery.objects.aggregate(last=Max("pk"))["last"] or 0
        committed = {}
        error = None
        started_at = time.time()
        started = time.perf_counter()
        try:
            with transaction.atomic():
                transaction.on_commit(lambda: committed.setdefault("at", time.time()))
                if kind == "person":
                    obj = Person.objects.get(pk=pk)
                    obj.name = f"{obj.name.split(' (')[0]} ({marker})"
                else:
                    obj = EventReportPage.objects.get(pk=pk)
                    obj.title = f"{obj.title.split(' (')[0]} ({marker})"
                obj.save_revision().publish()
        except Exception as exc:  # noqa: BLE001 (a benchmark notes what went wrong and goes on)
            error = f"{type(exc).__name__}: {str(exc)[:200]} [{where(exc)}]"
        publish_ms = (time.perf_counter() - started) * 1000
        record = {
            "seq": seq,
            "label": label,
            "kind": kind,
            "object_id": pk,
            "marker": marker,
            "started_at": started_at,
            "committed": "at" in committed,
            "commit_time": committed.get("at"),
            "publish_ms": publish_ms,
            "error": error,
            "deliveries": [],
        }
        if "at" not in committed:
            return record  # rolled back: nothing changed, nothing is owed to anyone
        try:
            record["deliveries"] = [
                {"id": webhook_id, "type": event_type, "event_time": created.timestamp()}
                for webhook_id, event_type, created in WebhookDelivery.objects.filter(pk__gt=before).values_list(
                    "webhook_id", "event_type", "event__created_at"
                )
            ]
        except Exception as exc:  # noqa: BLE001
            record["error"] = (record["error"] or "") + f"; reading deliveries: {type(exc).__name__}: {exc}"
        record.update(self.probe(url, marker, committed["at"]))
        return record

    def probe(self, url, marker, committed_at):
        from .load import fetch

        wanted = marker.encode()
        statuses = Counter()
        first = None
        seen_at = None
        while True:
            try:
                status, _headers, body = fetch(self.port, url)
            except OSError as exc:
                status, body = type(exc).__name__, b""
            statuses[str(status)] += 1
            fresh = status == 200 and wanted in body
            if first is None:
                first = fresh
            if fresh:
                seen_at = time.time()
                break
            if time.time() - committed_at > FRESH_BOUND_S:
                break
            time.sleep(PROBE_PAUSE_S)
        stale_after = 0
        if seen_at is not None:
            for _ in range(CONFIRM):
                try:
                    status, _headers, body = fetch(self.port, url)
                except OSError as exc:
                    status, body = type(exc).__name__, b""
                statuses[str(status)] += 1
                stale_after += not (status == 200 and wanted in body)
        return {
            "first_fresh": bool(first),
            "visible_after_s": seen_at - committed_at if seen_at is not None else None,
            "stale_after_fresh": stale_after,
            "probe_statuses": dict(statuses),
        }

    def run(self, seconds, interval, label):
        start = time.monotonic()
        records = []
        k = 0
        while True:
            at = start + (k + 0.5) * interval
            if at > start + seconds:
                break
            pause = at - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            records.append(self.publish(label))
            k += 1
        return {"publishes": records}

    # --- the outbox ----------------------------------------------------------------------------------------
    def stats(self):
        from django.db.models import Count
        from django_tasks_db.models import DBTaskResult

        from frontend_hooks.models import DeliveryAttempt, WebhookDelivery

        states = dict(WebhookDelivery.objects.values_list("state").annotate(n=Count("pk")))
        attempts = Counter(WebhookDelivery.objects.values_list("attempts", flat=True))
        failures = Counter(
            error.split(":")[0] + (":" + error.split(":")[1] if ":" in error else "")
            for error in DeliveryAttempt.objects.filter(succeeded=False).values_list("error", flat=True)
        )
        tasks = dict(
            DBTaskResult.objects.filter(backend_name="frontend_hooks").values_list("status").annotate(n=Count("pk"))
        )
        return {
            "deliveries_by_state": states,
            "attempts_histogram": {str(key): value for key, value in sorted(attempts.items())},
            "failed_attempts": sum(failures.values()),
            "failure_kinds": dict(failures.most_common(5)),
            "tasks_by_status": tasks,
        }


def setup_endpoint(config):
    from frontend_hooks.events import EVENT_TYPES
    from frontend_hooks.models import WebhookEndpoint

    WebhookEndpoint.objects.all().delete()
    endpoint = WebhookEndpoint.objects.create(
        name="bench.operate receiver",
        url=config["receiver_url"],
        event_types=list(EVENT_TYPES),
        secret=config["secret"],
    )
    return endpoint.pk


def main():
    config = json.loads(sys.argv[1])
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    import django

    django.setup()
    from django.db import close_old_connections

    endpoint = setup_endpoint(config)
    editor = Editor(config)
    protocol.write(json.dumps({"ready": True, "endpoint": endpoint, "listing_ids": editor.listing_ids}) + "\n")
    for line in sys.stdin:
        command = json.loads(line)
        close_old_connections()
        if command["cmd"] == "run":
            answer = editor.run(command["seconds"], command["interval"], command["label"])
        elif command["cmd"] == "stats":
            answer = editor.stats()
        else:
            break
        protocol.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    main()
