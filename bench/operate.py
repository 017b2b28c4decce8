"""Operable in production: the delivery API under load while an editor publishes, its webhooks as a receiver
sees them, and the same with Redis restarted and with the receiver down.

    .venv/bin/python -m bench.operate [--quick] [--duration S] [--concurrency 8 32] [--publish-interval S]
                                      [--workers N] [--fault-duration S] [--generator wrk|python] [--keep]

Everything runs on loopback and stops by itself: a PostgreSQL database of its own (``novads_cms_bench_operate``,
dropped at the end), a redis-server of its own on a free port (the machine's Redis is never touched unless
redis-server is missing, and then only database 14 under the project's key prefixes), gunicorn with
``config.settings.production``, the task worker ``manage.py run_frontend_hooks``, a webhook receiver
(``bench.operate_receiver``) registered as an active endpoint, and an editor (``bench.operate_editor``) that
publishes every ``--publish-interval`` seconds while each load run lasts. Files live under
``/tmp/novads-cms-bench-operate/`` and are removed at the end (``--keep`` keeps them and the database).

A benchmark, not a test: it prints figures and PASS/FAIL lines and always exits 0. This module does not import
Django; everything that needs settings runs in child processes.
"""

import argparse
import base64
import contextlib
import datetime
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from . import load, operate_load, paths
from . import run as bench_run

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/novads-cms-bench-operate")
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "novads_cms_bench_operate"
# Only when redis-server is not installed: a database of the machine's Redis that the other bench modules and
# the test settings do not use (bench.run takes 15).
FALLBACK_REDIS_URL = "redis://127.0.0.1:6379/14"
REDIS_KEY_PREFIXES = ("novads-cms",)  # config.settings.base: novads-cms, novads-cms-api, novads-cms-renditions

# Shortened for the run, so a delivery that fails while the receiver is down is retried within seconds. The
# production default is 5, 300, 1800, ... seconds (frontend_hooks.outbox): with it, a delivery whose retry at
# ~5 s still finds the receiver down waits five minutes more, which a bounded run cannot wait for.
DEFAULT_RETRY_SCHEDULE = "1,2,4,8,16,30"
FRESH_BOUND_S = 5.0  # bench.operate_editor.FRESH_BOUND_S (not imported: that module is for a Django process)
# The cache has recovered when the warm latency is back within this factor (or this many ms) of the latency
# before the fault: a machine shared with the load generator is too noisy for a tighter bound.
RECOVERY_FACTOR = 1.5
RECOVERY_SLACK_MS = 2.0


# --- processes ------------------------------------------------------------------------------------------------
class Child:
    """A child process stopped by its own pid; its stdout read line by line on a thread (for a protocol)."""

    def __init__(self, name, command, env, log_path, protocol=False):
        self.name = name
        self.log = open(log_path, "ab")  # noqa: SIM115 (closed in stop())
        self.lines = queue.Queue()
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE if protocol else subprocess.DEVNULL,
            stdout=subprocess.PIPE if protocol else self.log,
            stderr=self.log,
            text=protocol,
            bufsize=1 if protocol else -1,
        )
        if protocol:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def send(self, text):
        self.process.stdin.write(text + "\n")
        self.process.stdin.flush()

    def receive(self, timeout):
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise SystemExit(f"{self.name} did not answer within {timeout:.0f} s (see {self.log.name})") from None
        if line is None:
            raise SystemExit(f"{self.name} exited ({self.process.poll()}); see {self.log.name}")
        return line

    def ask(self, command, timeout):
        self.send(json.dumps(command))
        return json.loads(self.receive(timeout))

    def alive(self):
        return self.process.poll() is None

    def stop(self, timeout=20):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class RedisServer:
    """A redis-server of our own on a free loopback port, kept in memory only (``--save ""``, no AOF), as a
    cache-only Redis is usually run: a restart starts it empty. ``kill`` is SIGKILL, a crash."""

    def __init__(self, directory):
        self.directory = directory
        self.port = bench_run.free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        command += ["--dir", str(self.directory), "--logfile", str(self.directory / "redis.log"), "--daemonize", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if self.client().ping():
                    return
            time.sleep(0.05)
        raise SystemExit("redis-server did not answer within 20 s")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=1)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def stats(self):
        try:
            info = self.client().info("stats")
        except Exception:  # noqa: BLE001 (down: no figures)
            return None
        return {"hits": info.get("keyspace_hits", 0), "misses": info.get("keyspace_misses", 0)}

    def version(self):
        return self.client().info("server").get("redis_version")

    def cleanup(self):
        self.stop()


class SharedRedis(RedisServer):
    """Without redis-server: a database of the machine's Redis, cleaned of the project's keys afterwards.
    The Redis fault run is skipped (the machine's Redis service is never stopped)."""

    def __init__(self):
        self.url = FALLBACK_REDIS_URL
        self.process = None
        self.port = 6379

    def start(self):
        if not self.client().ping():
            raise SystemExit(f"no Redis answers at {self.url}")

    def kill(self):
        raise RuntimeError("the machine's Redis is not ours to stop")

    def cleanup(self):
        with contextlib.suppress(Exception):
            client = self.client()
            for prefix in REDIS_KEY_PREFIXES:
                for key in client.scan_iter(match=f"{prefix}*", count=1000):
                    client.delete(key)


class Gunicorn(bench_run.Server):
    """``bench.run.Server`` (its command line, CPU accounting, settling and stopping) with the production
    settings, and the application's own log kept (``bench.run`` discards it; here its errors are evidence)."""

    def __init__(self, directory, env, args, ready_path):  # Server.__init__ wants bench.run's Environment
        self.args = args
        self.port = bench_run.free_port()
        self.log_path = directory / "gunicorn.log"
        self.app_log_path = directory / "app.log"
        self.env = env
        self.ready_path = ready_path
        self.process = None

    def __enter__(self):
        self.app_log = open(self.app_log_path, "ab")  # noqa: SIM115 (closed in __exit__)
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=self.app_log, stderr=self.app_log
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited ({self.process.returncode}); see {self.log_path}, {self.app_log_path}"
                )
            with contextlib.suppress(OSError):
                if load.fetch(self.port, self.ready_path)[0] == 200:
                    return self
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.app_log_path}")

    def __exit__(self, *exc):
        super().__exit__(*exc)
        self.app_log.close()


def postgres(*statements):
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        results = [connection.execute(statement) for statement in statements]
        return results[-1].fetchone() if results and results[-1].description else None


def new_secret():
    """A Standard Webhooks secret (frontend_hooks.delivery.new_secret, without importing Django)."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- the receiver's record ------------------------------------------------------------------------------------
def read_record(path):
    """webhook-id -> arrival times (every verified request, repeats included), and the rejected requests."""
    arrivals, rejected, events = defaultdict(list), [], {}
    if not path.exists():
        return arrivals, rejected, events
    for line in path.read_text().splitlines():
        item = json.loads(line)
        if "rejected" in item:
            rejected.append(item)
            continue
        arrivals[item["id"]].append(item["arrived"])
        events[item["id"]] = item
    return arrivals, rejected, events


def expected_deliveries(publishes):
    """webhook-id -> commit time, for every delivery a committed publish wrote."""
    return {
        delivery["id"]: publish["commit_time"]
        for publish in publishes
        if publish["committed"]
        for delivery in publish["deliveries"]
    }


def drain(record_path, expected, timeout):
    """Wait until every expected delivery has arrived (or ``timeout``); returns the seconds waited."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        arrivals, _rejected, _events = read_record(record_path)
        if all(webhook_id in arrivals for webhook_id in expected):
            break
        time.sleep(0.2)
    return time.monotonic() - started


@dataclass
class Delivery:
    expected: int = 0
    arrived: int = 0
    missing: int = 0
    duplicated_ids: int = 0  # webhook-ids the receiver was sent more than once
    extra_copies: int = 0
    no_delivery_publishes: int = 0  # committed publishes that wrote no delivery at all
    latencies_ms: list = field(default_factory=list)  # commit -> first arrival
    from_event_ms: list = field(default_factory=list)  # change event written -> first arrival
    missing_ids: list = field(default_factory=list)
    wrong_type: int = 0  # the receiver read another event type than the delivery row says it sent


def summarise_deliveries(publishes, arrivals, events):
    expected = expected_deliveries(publishes)
    written = {d["id"]: d for p in publishes if p["committed"] for d in p["deliveries"]}
    result = Delivery(expected=len(expected))
    result.no_delivery_publishes = sum(1 for p in publishes if p["committed"] and not p["deliveries"])
    for webhook_id, committed_at in expected.items():
        times = arrivals.get(webhook_id)
        if not times:
            result.missing += 1
            result.missing_ids.append(webhook_id)
            continue
        result.arrived += 1
        if len(times) > 1:
            result.duplicated_ids += 1
            result.extra_copies += len(times) - 1
        result.latencies_ms.append((min(times) - committed_at) * 1000)
        result.from_event_ms.append((min(times) - written[webhook_id]["event_time"]) * 1000)
        result.wrong_type += events[webhook_id].get("type") != written[webhook_id]["type"]
    return result


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def ms(value, digits=0):
    return "-" if value is None else f"{value:.{digits}f}"


def print_delivery(title, delivery):
    lat = delivery.latencies_ms
    print(
        f"  {title}: {delivery.expected} expected, {delivery.arrived} arrived, {delivery.missing} missing, "
        f"{delivery.duplicated_ids} webhook-ids received more than once ({delivery.extra_copies} extra copies)"
        + (
            f", {delivery.no_delivery_publishes} committed publishes wrote no delivery"
            if delivery.no_delivery_publishes
            else ""
        )
        + (f", {delivery.wrong_type} with another event type than written" if delivery.wrong_type else "")
    )
    if lat:
        print(
            f"    commit -> received: p50 {ms(percentile(lat, 0.5))} ms, p99 {ms(percentile(lat, 0.99))} ms, "
            f"max {ms(max(lat))} ms   (change event written -> received: p50 "
            f"{ms(percentile(delivery.from_event_ms, 0.5))} ms)"
        )


# --- publishes ------------------------------------------------------------------------------------------------
def summarise_publishes(publishes):
    committed = [p for p in publishes if p["committed"]]
    shown = [p for p in committed if p.get("visible_after_s") is not None]
    return {
        "attempted": len(publishes),
        "committed": len(committed),
        "rolled_back": [p for p in publishes if not p["committed"]],
        "raised_after_commit": [p for p in committed if p["error"]],
        "first_fresh": sum(1 for p in committed if p.get("first_fresh")),
        "shown": len(shown),
        "stale_after_fresh": sum(p.get("stale_after_fresh", 0) for p in committed),
        "visible_ms": [p["visible_after_s"] * 1000 for p in shown],
        "publish_ms": [p["publish_ms"] for p in publishes],
    }


def print_publishes(title, publishes, start=None):
    """The editor's publishes; with ``start`` (a fault run's beginning), one line each, timed from it."""
    s = summarise_publishes(publishes)
    visible = s["visible_ms"]
    print(
        f"  {title}: {s['attempted']} publishes, {s['committed']} committed; the API showed the new title on the "
        f"first request after commit for {s['first_fresh']}, within {FRESH_BOUND_S:g} s for {s['shown']}"
        + (f" (max {max(visible):.0f} ms after commit)" if visible else "")
        + f"; stale answers after it was shown: {s['stale_after_fresh']}"
    )
    if s["publish_ms"]:
        print(
            f"    publish (save revision + publish, one transaction, with its on-commit hooks): median "
            f"{statistics.median(s['publish_ms']):.0f} ms, max {max(s['publish_ms']):.0f} ms"
        )
    if start is not None:
        for p in publishes:
            state = "committed" if p["committed"] else "ROLLED BACK"
            visible = p.get("visible_after_s")
            shown = f"shown {visible * 1000:.0f} ms after commit" if visible is not None else "not shown"
            probes = ", ".join(f"{k}: {v}" for k, v in sorted(p.get("probe_statuses", {}).items()))
            print(
                f"    t {p['started_at'] - start:5.2f} s  {p['kind']:<8} {state:<11} in {p['publish_ms']:5.0f} ms"
                + (f", {shown} (API answers {probes})" if p["committed"] else "")
            )
    for p in s["rolled_back"]:
        print(f"    publish {p['seq']} ({p['kind']}) ROLLED BACK: {p['error']}")
    for p in s["raised_after_commit"]:
        print(f"    publish {p['seq']} ({p['kind']}) committed, then raised: {p['error']}")
    return s


# --- load runs ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    conditional: bool = False


def scenarios(detail_id):
    detail = paths.API_DETAIL.format(pk=detail_id)
    return (
        Scenario("detail", detail),
        Scenario("listing", paths.API_LISTING),
        Scenario("detail 304", detail, conditional=True),
    )


def current_etag(port, path):
    status, headers, _body = load.fetch(port, path)
    if status != 200 or "etag" not in headers:
        raise SystemExit(f"{path} answered {status} without an ETag")
    return headers["etag"]


def timed_run(server, scenario, *, duration, concurrency, generator):
    etag = current_etag(server.port, scenario.path) if scenario.conditional else None
    cpu_before = server.cpu_seconds()
    result = operate_load.run(
        server.port,
        scenario.path,
        duration=duration,
        concurrency=concurrency,
        conditional=scenario.conditional,
        etag=etag,
        generator=generator,
    )
    result.server_cpu_s = server.cpu_seconds() - cpu_before
    return result


def prime(server, scenario, times):
    headers = {}
    for _ in range(times):
        status, response_headers, _ = load.fetch(server.port, scenario.path, headers)
        if scenario.conditional and "etag" in response_headers:
            headers = {"If-None-Match": response_headers["etag"]}
        if status not in (200, 304):
            raise SystemExit(f"{scenario.path} answered {status} before the run")


def statuses_text(result):
    sockets = ",".join(f"{k} {v}" for k, v in result.socket_errors.items()) or "0"
    return f"{result.status_200}/{result.status_304}/{result.status_other}", sockets


def print_result_header():
    print(
        f"  {'conc':>4} {'scenario':<12} {'s':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'200/304/other':>15} "
        f"{'socket err':>10} {'errors':>6} {'CPU ms/req':>10} {'cache hits':>10} {'publishes':>9}"
    )


def print_result(concurrency, name, result, publishes, hits):
    status_text, sockets = statuses_text(result)
    flag = "  FAIL" if result.errors else ""
    flag += "  CAPPED" if result.capped else ""
    print(
        f"  {concurrency:>4} {name:<12} {result.seconds:4.1f} {result.rps:8.1f} {result.p50_ms:8.2f} "
        f"{result.p99_ms:8.2f} {status_text:>15} {sockets:>10} {result.errors:>6} {result.cpu_ms_per_request:10.2f} "
        f"{hits or '-':>10} {publishes:>9}{flag}",
        flush=True,
    )


# --- fault runs: one continuous load, seen from the server's access log ----------------------------------------
class Prober(threading.Thread):
    """Asks for the detail every 100 ms on a new connection (and /readyz every 500 ms when the application has
    it), and samples the gunicorn processes' CPU time every 500 ms: the outage and the recovery are seen to the
    tenth of a second, from outside the load generator."""

    def __init__(self, server, path, readyz, stop):
        super().__init__(daemon=True)
        self.server, self.path, self.readyz, self.stop_event = server, path, readyz, stop
        self.samples = []  # (time, status, seconds)
        self.ready_samples = []  # (time, status)
        self.cpu = []  # (time, CPU seconds of gunicorn so far)

    def run(self):
        # CPU and /readyz on a thread of their own: a slow answer of the detail must not thin them out.
        sampler = threading.Thread(target=self.sample, daemon=True)
        sampler.start()
        while not self.stop_event.is_set():
            started = time.time()
            try:
                status = load.fetch(self.server.port, self.path)[0]
            except OSError as exc:
                status = type(exc).__name__
            self.samples.append((started, status, time.time() - started))
            self.stop_event.wait(0.1)
        sampler.join(timeout=35)

    def sample(self):
        while not self.stop_event.is_set():
            self.cpu.append((time.time(), self.server.cpu_seconds()))
            if self.readyz:
                self.ready_samples.append((time.time(), self.ready()))
            self.stop_event.wait(0.5)
        self.cpu.append((time.time(), self.server.cpu_seconds()))

    def ready(self):
        return readiness(self.server.port)[1]

    def cpu_at(self, moment):
        """CPU seconds at ``moment``, interpolated between the samples around it."""
        if not self.cpu:
            return 0.0
        if moment <= self.cpu[0][0]:
            return self.cpu[0][1]
        for (t0, c0), (t1, c1) in itertools.pairwise(self.cpu):
            if t0 <= moment <= t1:
                return c0 + (c1 - c0) * ((moment - t0) / (t1 - t0) if t1 > t0 else 0)
        return self.cpu[-1][1]


def readiness(port):
    """/readyz's status code, and a text: the code, the overall status and any failing check its JSON names."""
    try:
        status, _headers, body = load.fetch(port, "/readyz")
    except OSError as exc:
        return None, type(exc).__name__
    try:
        data = json.loads(body)
    except ValueError:
        return status, str(status)
    if not isinstance(data, dict):
        return status, str(status)
    checks = data.get("checks") if isinstance(data.get("checks"), dict) else {}
    names = ", ".join(sorted(checks))
    failing = sorted(name for name, check in checks.items() if isinstance(check, dict) and not check.get("ok"))
    text = f"{status} {data.get('status', '')}" + (f" (failing: {', '.join(failing)})" if failing else "")
    return status, text + (f" [checks: {names}]" if names and not failing else "")


@dataclass
class Access:
    time: float  # when the response was done (the log record's time)
    status: int
    duration_ms: float  # inside Django: queueing in gunicorn is not in it


def read_access(log_path, offset, path):
    """The access log's records of ``path`` written after ``offset`` (production logs JSON lines, api.access)."""
    records = []
    with open(log_path, "rb") as log:
        log.seek(offset)
        for line in log:
            if b'"api.access"' not in line:
                continue
            with contextlib.suppress(ValueError, KeyError, TypeError):
                record = json.loads(line)
                if record.get("path") == path:
                    moment = datetime.datetime.fromisoformat(record["time"]).timestamp()
                    records.append(Access(moment, int(record["status_code"]), float(record["duration_ms"])))
    return records


@dataclass
class FaultRun:
    result: operate_load.Result  # the load generator's view of the whole run
    publishes: list
    marks: dict  # action name -> wall-clock time it completed (name + ":begin": when it started)
    prober: Prober
    access: list
    start: float
    end: float
    metrics: dict  # action name (and "start", "end") -> the API cache counters then, when /metrics has them


def window_figures(run, records, begin, end):
    """Server-side figures of the requests done in [begin, end)."""
    if not records or end <= begin:
        return None
    durations = [r.duration_ms for r in records]
    cpu = run.prober.cpu_at(end) - run.prober.cpu_at(begin)
    return {
        "requests": len(records),
        "rps": len(records) / (end - begin),
        "p50": percentile(durations, 0.5),
        "p99": percentile(durations, 0.99),
        "errors": sum(1 for r in records if r.status not in (200, 304)),
        "statuses": Counter(r.status for r in records),
        "cpu": cpu * 1000 / len(records),
    }


def phase_windows(run, begin, end):
    return {
        "before": (run.start, begin),
        "during": (begin, end),
        "after (all)": (end, run.end),
        "after (+1 s on)": (end + 1.0, run.end),
    }


def phases(run, begin, end):
    result = {}
    for name, (low, high) in phase_windows(run, begin, end).items():
        records = [r for r in run.access if low <= r.time < high]
        result[name] = window_figures(run, records, low, high)
    return result


def print_timeline(run, begin, end):
    """One line per second of the run, from the access log (requests done in that second)."""
    print(f"    {'t s':>5} {'done/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'statuses':<22} {'CPU ms/req':>10}  phase")
    second = 0
    # A last sliver of a second (the load generator's run is a little longer than whole seconds) is left out.
    while run.start + second + 0.5 < run.end:
        low, high = run.start + second, min(run.start + second + 1, run.end)
        records = [r for r in run.access if low <= r.time < high]
        figures = window_figures(run, records, low, high)
        phase = "before" if high <= begin else "after" if low >= end else "during"
        if figures is None:
            print(f"    {second:5.0f} {0:>7} {'-':>8} {'-':>8} {'(nothing done)':<22} {'-':>10}  {phase}")
        else:
            statuses = ", ".join(f"{status}: {n}" for status, n in sorted(figures["statuses"].items()))
            print(
                f"    {second:5.0f} {figures['requests']:>7} {figures['p50']:8.2f} {figures['p99']:8.2f} "
                f"{statuses:<22} {figures['cpu']:10.2f}  {phase}"
            )
        second += 1


def print_phases(figures, hit_ratios=None):
    print(
        f"    {'phase':<16} {'done/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'CPU ms/req':>10}"
        + (f" {'cache hits':>10}" if hit_ratios else "")
    )
    for name, f in figures.items():
        if f is None:
            print(f"    {name:<16} {'(nothing done)':>8}")
            continue
        hits = (hit_ratios or {}).get(name)
        print(
            f"    {name:<16} {f['rps']:8.1f} {f['p50']:8.2f} {f['p99']:8.2f} {f['errors']:>7} {f['cpu']:10.2f}"
            + (f" {hits or '-':>10}" if hit_ratios else "")
        )
    print("    (server side, from the access log: time inside Django, without gunicorn's queue; CPU: all workers')")


def probe_summary(prober, begin, end):
    """What the prober saw before, during and after the window [begin, end]."""
    result = {}
    for name, test in (
        ("before", lambda t: t < begin),
        ("during", lambda t: begin <= t <= end),
        ("after", lambda t: t > end),
    ):
        samples = [(status, seconds) for t, status, seconds in prober.samples if test(t)]
        result[name] = dict(Counter(str(status) for status, _s in samples))
        result[name + " ms"] = percentile([seconds * 1000 for _status, seconds in samples], 0.5)
    first_ok_after = next((t for t, status, _s in prober.samples if t > end and status == 200), None)
    first_bad = next((t for t, status, _s in prober.samples if t >= begin and status != 200), None)
    last_bad = max((t for t, status, _s in prober.samples if status != 200), default=None)
    result["first_error_after_begin_s"] = first_bad - begin if first_bad else None
    result["answered_after_end_s"] = first_ok_after - end if first_ok_after else None
    result["last_error_after_end_s"] = last_bad - end if last_bad and last_bad > end else None
    result["ready"] = Counter(
        ("before" if t < begin else "during" if t <= end else "after", str(status))
        for t, status in prober.ready_samples
    )
    return result


def print_probes(summary):
    def text(name):
        counts = ", ".join(f"{status}: {n}" for status, n in sorted(summary[name].items())) or "none"
        return f"{counts} (median {ms(summary[name + ' ms'])} ms)"

    print(
        f"    prober (the detail every 100 ms, new connection each): before {text('before')}; during "
        f"{text('during')}; after {text('after')}"
    )
    if summary["first_error_after_begin_s"] is not None:
        print(f"      first non-200 answer {summary['first_error_after_begin_s']:.2f} s after the fault began")
    if summary["answered_after_end_s"] is not None:
        print(f"      first 200 answer {summary['answered_after_end_s']:.2f} s after the fault ended")
    if summary["last_error_after_end_s"] is not None:
        print(f"      last non-200 answer {summary['last_error_after_end_s']:.2f} s after the fault ended")
    if summary["ready"]:
        order = {"before": 0, "during": 1, "after": 2}
        ready = "; ".join(
            f"{phase} {status}: {n}"
            for (phase, status), n in sorted(summary["ready"].items(), key=lambda i: (order[i[0][0]], i[0][1]))
        )
        print(f"    /readyz (every 500 ms): {ready}")


def parse_cache_metrics(text):
    """``cms_api_cache_total{result="..."}`` from a Prometheus exposition: result -> count."""
    found = {}
    for line in text.splitlines():
        if line.startswith("cms_api_cache_total{"):
            labels, _, value = line.rpartition(" ")
            result = labels.split('result="', 1)[1].split('"', 1)[0] if 'result="' in labels else "?"
            found[result] = found.get(result, 0.0) + float(value)
    return found or None


def hit_ratio(before, after):
    if not before or not after:
        return None
    delta = {name: after.get(name, 0) - before.get(name, 0) for name in set(before) | set(after)}
    lookups = delta.get("hit", 0) + delta.get("miss", 0) + delta.get("unavailable", 0)
    if not lookups:
        return "no lookups"
    text = f"{delta.get('hit', 0) / lookups:.1%} ({delta.get('miss', 0):.0f} miss"
    if delta.get("unavailable"):
        text += f", {delta['unavailable']:.0f} unavailable"
    return text + ")"


# --- the run -------------------------------------------------------------------------------------------------
class Verdicts(list):
    def add(self, text, passed, detail=""):
        self.append((text, passed, detail))


class Operate:
    def __init__(self, args):
        self.args = args
        self.verdicts = Verdicts()
        self.stack = contextlib.ExitStack()
        self.all_publishes = []
        self.timings = {}

    # --- setting up ---------------------------------------------------------------------------------------
    def environment(self, redis_url):
        return {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "bench-operate-" + secrets.token_hex(24),
            "DATABASE_URL": f"{PG_SERVER}/{PG_DATABASE}",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CMS_ADMIN_BASE_URL": "http://127.0.0.1:8000",
            "CMS_FRONTEND_BASE_URL": "http://127.0.0.1:3000",
            "CMS_REDIS_URL": redis_url,
            # Plain HTTP on loopback: no proxy in front terminates TLS here.
            "CMS_SECURE_SSL_REDIRECT": "false",
            "CMS_STATIC_ROOT": str(WORK / "static"),
            "CMS_MEDIA_ROOT": str(WORK / "content" / "media"),
            # The receiver is on loopback, over http: allowed for this run only.
            "CMS_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
            "CMS_WEBHOOK_REQUIRE_HTTPS": "false",
            "CMS_WEBHOOK_RETRY_SCHEDULE": self.args.retry_schedule,
            # As deploy/ runs it: every process counts into files here, and /metrics adds them up (read when the
            # application serves it: the API cache's hits and misses per phase).
            "PROMETHEUS_MULTIPROC_DIR": str(WORK / "prometheus"),
            # The production default, set in case the calling shell turned it down: the fault timelines are read
            # from the access log.
            "CMS_ACCESS_LOG_LEVEL": "INFO",
        }

    def prepare_content(self):
        """The content of ``bench.run`` (bench/content.py, through ``bench.inprocess prepare``): people with photos,
        organisations, 24 short reports for the listing and reports of 10, 50 and 200 blocks, renditions made.
        Built with the bench settings (local-memory cache: nothing lands in Redis before the run)."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": f"{PG_SERVER}/{PG_DATABASE}",
            "BENCH_DIR": str(WORK / "content"),
            "BENCH_REDIS": "0",
        }
        completed = subprocess.run(
            [sys.executable, "-m", "bench.inprocess", "prepare"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr[-5000:])
            raise SystemExit("bench.inprocess prepare failed")
        return json.loads(completed.stdout.strip().splitlines()[-1])

    def start(self):
        args = self.args
        shutil.rmtree(WORK, ignore_errors=True)
        for directory in ("static", "content", "redis", "logs", "prometheus"):
            (WORK / directory).mkdir(parents=True)
        self.logs = WORK / "logs"
        started = time.monotonic()
        postgres(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{PG_DATABASE}"')
        self.stack.callback(self.drop_database)
        self.info = self.prepare_content()
        self.timings["content"] = time.monotonic() - started

        if shutil.which("redis-server"):
            self.redis = RedisServer(WORK / "redis")
            self.redis_note = f"redis-server {{version}} of its own on 127.0.0.1:{self.redis.port} (in memory only)"
        else:
            self.redis = SharedRedis()
            self.redis_note = (
                f"redis-server not installed: the machine's Redis, database 14 ({FALLBACK_REDIS_URL}); "
                "the Redis fault run is skipped"
            )
        self.redis.start()
        self.stack.callback(self.redis.cleanup)
        self.redis_note = self.redis_note.format(version=self.redis.version())
        self.env = self.environment(self.redis.url)

        self.secret = new_secret()
        self.record_path = WORK / "received.jsonl"
        receiver_port = bench_run.free_port()
        self.receiver = Child(
            "receiver",
            [sys.executable, "-m", "bench.operate_receiver", str(receiver_port), self.secret, str(self.record_path)],
            self.env,
            self.logs / "receiver.log",
            protocol=True,
        )
        self.stack.callback(self.receiver.stop)
        ready = self.receiver.receive(30).split()
        self.receiver_url = f"http://127.0.0.1:{ready[1]}/hooks"

        detail = paths.API_DETAIL.format(pk=self.info["detail_id"])
        self.server = Gunicorn(self.logs, self.env, args, detail)
        self.stack.enter_context(self.server)

        self.worker = Child(
            "task worker",
            [sys.executable, "manage.py", "run_frontend_hooks", "--interval", str(args.worker_interval)],
            self.env,
            self.logs / "worker.log",
        )
        self.stack.callback(self.worker.stop)

        config = {
            "port": self.server.port,
            "receiver_url": self.receiver_url,
            "secret": self.secret,
            "detail_id": self.info["detail_id"],
            "detail_ids": list(self.info["detail_ids"].values()),
            "person_id": self.info["person_id"],
        }
        self.editor = Child(
            "editor",
            [sys.executable, "-m", "bench.operate_editor", json.dumps(config)],
            self.env,
            self.logs / "editor.log",
            protocol=True,
        )
        self.stack.callback(self.stop_editor)
        self.editor_ready = json.loads(self.editor.receive(60))
        self.readyz = self.check_readyz()
        # Asked once here; when /metrics has no API cache counters, they are not asked for again.
        self.metrics_available = True
        self.metrics_available = self.cache_metrics() is not None
        self.timings["setup"] = time.monotonic() - started

    def stop_editor(self):
        if self.editor.alive():
            with contextlib.suppress(Exception):
                self.editor.send(json.dumps({"cmd": "quit"}))
                self.editor.process.wait(timeout=10)
        self.editor.stop()

    def drop_database(self):
        if self.args.keep:
            return
        with contextlib.suppress(Exception):
            postgres(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')

    def check_readyz(self):
        """The application may serve /readyz: followed during the faults when it answers like a readiness check
        (200 or 503), left alone otherwise."""
        status, text = readiness(self.server.port)
        return text if status in (200, 503) else None

    # --- phases -------------------------------------------------------------------------------------------
    def publish_during(self, seconds, label, action):
        """Run ``action`` while the editor publishes for ``seconds``; returns (action's result, publishes)."""
        self.editor.send(
            json.dumps({"cmd": "run", "seconds": seconds, "interval": self.args.publish_interval, "label": label})
        )
        try:
            outcome = action()
        finally:
            # Each publish is bounded (the API probe stops at FRESH_BOUND_S): the answer comes soon after.
            answer = json.loads(self.editor.receive(seconds + 120))
        publishes = answer["publishes"]
        self.all_publishes += publishes
        return outcome, publishes

    def normal_load(self):
        args = self.args
        print(
            f"\n--- Load under publishing: {args.duration} s per run, an editor publishing every "
            f"{args.publish_interval:g} s during each run"
        )
        print_result_header()
        threads = args.threads if args.worker_class == "gthread" else 1
        results, publishes = [], []
        # First the detail with nobody publishing: what the runs under publishing are compared with.
        quiet = Scenario("detail quiet", paths.API_DETAIL.format(pk=self.info["detail_id"]))
        runs = [(quiet, False), *((scenario, True) for scenario in scenarios(self.info["detail_id"]))]
        for concurrency in args.concurrency:
            for scenario, publishing in runs:
                prime(self.server, scenario, 2 * args.workers * threads)
                self.server.settle()
                metrics_before = self.cache_metrics()
                label = f"c{concurrency} {scenario.name}"

                def run(scenario=scenario, concurrency=concurrency):
                    return timed_run(
                        self.server, scenario, duration=args.duration, concurrency=concurrency, generator=args.generator
                    )

                if publishing:
                    result, run_publishes = self.publish_during(args.duration, label, run)
                else:
                    result, run_publishes = run(), []
                hits = hit_ratio(metrics_before, self.cache_metrics())
                print_result(concurrency, scenario.name, result, len(run_publishes), hits)
                results.append((concurrency, scenario, result))
                publishes += run_publishes
        expected = expected_deliveries(publishes)
        waited = drain(self.record_path, expected, args.drain)
        arrivals, rejected, events = read_record(self.record_path)
        print(
            "  (200/304/other: statuses; errors = other statuses + socket errors; CPU ms/req: gunicorn's own; cache"
            "\n   hits: API response cache lookups that hit, from /metrics, all workers)"
        )
        s = print_publishes("publishing", publishes)
        delivery = summarise_deliveries(publishes, arrivals, events)
        print_delivery(f"webhooks (drained {waited:.1f} s after the last run)", delivery)

        errors = [(c, sc.name, r.errors) for c, sc, r in results if r.errors]
        self.verdicts.add(
            "errors 0 under normal load (non-2xx/304 and socket errors)",
            not errors,
            "all runs 0" if not errors else "; ".join(f"c{c} {name}: {n}" for c, name, n in errors),
        )
        self.verdicts.add(
            "every publish committed under load",
            s["committed"] == s["attempted"] and not s["raised_after_commit"],
            f"{s['committed']}/{s['attempted']} committed, {len(s['raised_after_commit'])} raised after commit",
        )
        self.verdicts.add(
            f"the API showed every publish within {FRESH_BOUND_S:g} s, and kept showing it",
            s["shown"] == s["committed"] and s["stale_after_fresh"] == 0,
            f"{s['shown']}/{s['committed']} shown ({s['first_fresh']} on the first request), "
            f"{s['stale_after_fresh']} stale answers after",
        )
        self.add_delivery_verdicts("normal load", delivery, rejected)
        return results

    def add_delivery_verdicts(self, where, delivery, rejected=()):
        self.verdicts.add(
            f"every publish delivered, none missing after the drain ({where})",
            delivery.missing == 0
            and delivery.no_delivery_publishes == 0
            and delivery.wrong_type == 0
            and delivery.expected > 0,
            f"{delivery.arrived}/{delivery.expected} arrived, {delivery.missing} missing"
            + (f", {delivery.no_delivery_publishes} publishes wrote none" if delivery.no_delivery_publishes else ""),
        )
        self.verdicts.add(
            f"exactly once: no webhook-id received twice ({where})",
            delivery.duplicated_ids == 0,
            f"{delivery.duplicated_ids} ids repeated ({delivery.extra_copies} extra copies; repeats are allowed by the"
            " Standard Webhooks at-least-once contract, receivers deduplicate by webhook-id)",
        )
        if rejected:
            self.verdicts.add(f"every signature verified ({where})", False, f"{len(rejected)} rejected")

    def cache_metrics(self):
        """The API cache's counters, added up over the workers (``PROMETHEUS_MULTIPROC_DIR``), when the
        application serves /metrics; None otherwise (the figures are then left out, nothing depends on them)."""
        if not self.metrics_available:
            return None
        try:
            status, _headers, body = load.fetch(self.server.port, "/metrics")
        except OSError:
            return None
        return parse_cache_metrics(body.decode(errors="replace")) if status == 200 else None

    def fault_run(self, label, path, seconds, actions):
        """The detail under one continuous load for ``seconds`` while the editor publishes and ``actions``
        ((offset, name, callable)) fire at their offsets; the prober and the access log give the timeline."""
        args = self.args
        prime(self.server, Scenario("detail", path), 12)
        self.server.settle()
        offset = self.server.app_log_path.stat().st_size
        marks, metrics = {}, {"start": self.cache_metrics()}
        start_wall, start = time.time(), time.monotonic()

        failures = []

        def fire():
            try:
                for at, name, action in actions:
                    pause = start + at - time.monotonic()
                    if pause > 0:
                        time.sleep(pause)
                    metrics[name + ":begin"] = self.cache_metrics()
                    marks[name + ":begin"] = time.time()
                    action()
                    marks[name] = time.time()
                    metrics[name] = self.cache_metrics()
            except BaseException as exc:  # noqa: BLE001 (handed to the main thread, which stops the run)
                failures.append(exc)

        stop = threading.Event()
        prober = Prober(self.server, path, self.readyz is not None, stop)
        firing = threading.Thread(target=fire, daemon=True)
        prober.start()
        firing.start()
        try:
            result, publishes = self.publish_during(
                seconds,
                label,
                lambda: timed_run(
                    self.server,
                    Scenario("detail", path),
                    duration=seconds,
                    concurrency=args.fault_concurrency,
                    generator=args.generator,
                ),
            )
        finally:
            firing.join(timeout=60)
            stop.set()
            prober.join(timeout=10)
        if failures:
            raise SystemExit(f"a fault action failed: {failures[0]!r}")
        end_wall = start_wall + result.seconds
        metrics["end"] = self.cache_metrics()
        # Requests in flight when the load stopped finish within a moment; their records belong to the run.
        time.sleep(0.5)
        access = read_access(self.server.app_log_path, offset, path)
        return FaultRun(result, publishes, marks, prober, access, start_wall, end_wall, metrics)

    def print_fault_load(self, run):
        r = run.result
        status_text, sockets = statuses_text(r)
        print(
            f"  load generator, whole run: {r.rps:.1f} req/s, p50 {r.p50_ms:.2f} ms, p99 {r.p99_ms:.2f} ms, "
            f"200/304/other {status_text}, socket errors {sockets}, errors {r.errors}"
        )

    def fault_deliveries(self, run, drain_timeout):
        expected = expected_deliveries(run.publishes)
        waited = drain(self.record_path, expected, drain_timeout)
        arrivals, rejected, events = read_record(self.record_path)
        delivery = summarise_deliveries(run.publishes, arrivals, events)
        print_delivery(f"webhooks (drained {waited:.1f} s after the run)", delivery)
        return expected, arrivals, rejected, delivery

    # --- fault: Redis restarted ------------------------------------------------------------------------------
    def fault_redis(self):
        args = self.args
        seconds = args.fault_duration
        # A third of the way in, leaving at least 2 s after Redis is back to see the recovery.
        kill_at = max(1.0, min(round(seconds / 3), seconds - args.redis_down - 2))
        down = args.redis_down
        print(
            f"\n--- Fault: Redis killed (SIGKILL) at {kill_at:g} s and started again {down:g} s later (empty: in "
            f"memory only); {seconds} s at concurrency {args.fault_concurrency}, detail, editor publishing"
        )
        if isinstance(self.redis, SharedRedis):
            print("  SKIPPED: redis-server is not installed, and the machine's Redis service is not ours to stop")
            self.verdicts.add("API answered during the Redis restart", None, "skipped: no redis-server")
            return
        path = paths.API_DETAIL.format(pk=self.info["detail_id"])
        stats = {}

        def kill():
            stats["before"] = self.redis.stats()
            self.redis.kill()

        def end_stats():
            stats["after"] = self.redis.stats()

        actions = [
            (kill_at, "kill", kill),
            (kill_at + down, "restart", self.redis.start),
            (seconds - 0.3, "stats", end_stats),
        ]
        run = self.fault_run("redis", path, seconds, actions)
        begin, end = run.marks["kill"], run.marks["restart"]
        print(
            f"  Redis down from {begin - run.start:.2f} s to {end - run.start:.2f} s (answering PING again; its "
            f"start took {end - run.marks['restart:begin']:.2f} s)"
        )
        self.print_fault_load(run)
        print_timeline(run, begin, end)
        figures = phases(run, begin, end)
        m = run.metrics
        hit_ratios = {
            "before": hit_ratio(m.get("start"), m.get("kill:begin")),
            "during": hit_ratio(m.get("kill:begin"), m.get("restart:begin")),
            "after (all)": hit_ratio(m.get("restart:begin"), m.get("end")),
            "after (+1 s on)": None,
        }
        print_phases(figures, hit_ratios if any(hit_ratios.values()) else None)
        probes = probe_summary(run.prober, begin, end)
        print_probes(probes)
        if stats.get("before") is not None and stats.get("after") is not None:
            b, a = stats["before"], stats["after"]
            print(
                "    Redis GETs, hits/misses (a warm hit rarely reaches Redis: each worker keeps recent responses and"
                " mirrors the generations):"
                f"\n      before the kill, since Redis started: {b['hits']}/{b['misses']} ({ratio(b)}); after the "
                f"restart (a new, empty Redis): {a['hits']}/{a['misses']} ({ratio(a)})"
            )
        # Back to full service: the first 1 s window after the restart that serves at least half the requests per
        # second of before, with its median within the recovery bound and no errors. (A median alone recovers at
        # once: the few requests that get through first are cache hits.)
        before_p50 = (figures["before"] or {}).get("p50")
        before_rps = (figures["before"] or {}).get("rps", 0)
        bound = max(before_p50 * RECOVERY_FACTOR, before_p50 + RECOVERY_SLACK_MS) if before_p50 else None
        back_after = None
        if bound is not None:
            second = 0.0
            while end + second + 1 <= run.end:
                window = [r for r in run.access if end + second <= r.time < end + second + 1]
                if (
                    window
                    and len(window) >= before_rps / 2
                    and percentile([r.duration_ms for r in window], 0.5) <= bound
                    and all(r.status in (200, 304) for r in window)
                ):
                    back_after = second
                    break
                second += 0.25
        print(
            "    back to full service (a 1 s window with >= half the requests/s of before, median <= "
            f"{ms(bound, 2)} ms, no errors): "
            + (f"{back_after:.2f} s after the restart" if back_after is not None else "NOT within the run")
        )
        publishing = print_publishes("publishing", run.publishes, run.start)
        in_outage = [p for p in run.publishes if p["commit_time"] and begin <= p["commit_time"] <= end]
        _expected, _arrivals, rejected, delivery = self.fault_deliveries(run, args.drain)

        during = figures["during"] or {}
        probe_errors = sum(n for status, n in probes["during"].items() if status != "200")
        self.verdicts.add(
            "API answered during the Redis restart (no errors while Redis was down)",
            during.get("errors", 0) == 0 and probe_errors == 0 and run.result.errors == 0,
            f"during the outage: {during.get('errors', 0)} of {during.get('requests', 0)} requests answered an "
            f"error ({dict(during.get('statuses', {}))}), p50 {ms(during.get('p50'), 1)} ms, prober "
            f"{probes['during']}; whole run: {run.result.errors} errors by the load generator",
        )
        settled = figures["after (+1 s on)"]
        self.verdicts.add(
            "cache recovered after Redis came back (full service again within the run)",
            back_after is not None,
            f"back {ms(back_after, 2)} s after the restart; from 1 s after it: p50 "
            f"{ms((settled or {}).get('p50'), 2)} ms (before {ms(before_p50, 2)}), {ms((settled or {}).get('rps'))} "
            f"done/s (before {ms(before_rps)}), CPU ms/req {ms((settled or {}).get('cpu'), 2)} (before "
            f"{ms((figures['before'] or {}).get('cpu'), 2)}), errors {(settled or {}).get('errors')}",
        )
        self.verdicts.add(
            f"every publish that committed was shown by the API within {FRESH_BOUND_S:g} s (Redis restart)",
            publishing["shown"] == publishing["committed"] and publishing["stale_after_fresh"] == 0,
            f"{publishing['shown']}/{publishing['committed']} shown; {len(publishing['rolled_back'])} of "
            f"{publishing['attempted']} publishes rolled back, {len(publishing['raised_after_commit'])} raised after"
            f" commit, {len(in_outage)} committed while Redis was down",
        )
        self.add_delivery_verdicts("Redis restart", delivery, rejected)

    # --- fault: receiver down ----------------------------------------------------------------------------
    def fault_receiver(self):
        args = self.args
        seconds = args.fault_duration
        # A quarter of the way in, leaving at least 2 s after the receiver is back.
        down_at = max(1.0, min(round(seconds / 4), seconds - args.receiver_down - 2))
        down = args.receiver_down
        print(
            f"\n--- Fault: webhook receiver refusing connections from {down_at:g} s for {down:g} s; {seconds} s at "
            f"concurrency {args.fault_concurrency}, detail, editor publishing"
        )
        path = paths.API_DETAIL.format(pk=self.info["detail_id"])

        def receiver(command):
            def act():
                self.receiver.send(command)
                answer = self.receiver.receive(30)
                if answer != f"ok {command}":
                    raise SystemExit(f"receiver answered {answer!r} to {command}")

            return act

        run = self.fault_run(
            "receiver", path, seconds, [(down_at, "down", receiver("down")), (down_at + down, "up", receiver("up"))]
        )
        begin, end = run.marks["down"], run.marks["up"]
        print(f"  receiver down from {begin - run.start:.2f} s to {end - run.start:.2f} s")
        self.print_fault_load(run)
        figures = phases(run, begin, end)
        del figures["after (+1 s on)"]
        print_phases(figures)
        print_publishes("publishing", run.publishes, run.start)
        expected, arrivals, rejected, delivery = self.fault_deliveries(run, args.drain_fault)
        # The deliveries the outage held back: committed before the receiver came back, arrived after it.
        held = {i: min(arrivals[i]) for i, committed_at in expected.items() if committed_at < end and i in arrivals}
        held = {i: t for i, t in held.items() if t > end}
        if held:
            catch_up = max(held.values()) - end
            print(
                f"    held back by the outage: {len(held)} deliveries; the last arrived {catch_up:.2f} s after the "
                f"receiver came back (retry schedule {args.retry_schedule} s with 10 % jitter, worker polling every "
                f"{args.worker_interval:g} s)"
            )
        else:
            catch_up = None
            print("    no delivery was held back by the outage (no publish committed while the receiver was down)")
        stats = self.editor.ask({"cmd": "stats"}, 60)
        print(
            f"    outbox: deliveries by state {stats['deliveries_by_state']}, attempts per delivery "
            f"{stats['attempts_histogram']}, failed attempts {stats['failed_attempts']} {stats['failure_kinds']}"
        )
        self.verdicts.add(
            "no delivery lost while the receiver was down (all arrived after it returned)",
            delivery.missing == 0 and delivery.expected > 0 and bool(held),
            f"{delivery.arrived}/{delivery.expected} arrived; {len(held)} held back by the outage, the last "
            f"{ms(catch_up, 2)} s after it returned"
            + ("" if held else "; NOTHING was held back, so the retry path was not exercised"),
        )
        self.verdicts.add(
            "exactly once: no webhook-id received twice (receiver down)",
            delivery.duplicated_ids == 0,
            f"{delivery.duplicated_ids} ids repeated ({delivery.extra_copies} extra copies)",
        )
        self.verdicts.add(
            "errors 0 under load while the receiver was down",
            run.result.errors == 0,
            f"{run.result.errors} errors by the load generator",
        )
        if rejected:
            self.verdicts.add("every signature verified (receiver down)", False, f"{len(rejected)} rejected")

    # --- the whole ----------------------------------------------------------------------------------------
    def execute(self):
        args = self.args
        started = time.monotonic()
        self.fault_results = {}
        threads = args.threads if args.worker_class == "gthread" else 1
        print("=== bench.operate: the delivery API under load while an editor publishes, webhooks, and faults")
        print(
            f"    machine: {os.cpu_count()} cores, load average {bench_run.load_average()}, "
            f"Python {sys.version.split()[0]}"
        )
        print(f"    load generator: {generator_text(args.generator)}, on the same cores as everything else")
        print(
            f"    application code as of {bench_run.code_timestamp()} (newest file under api/, blocks/, cms/, config/)"
        )
        self.start()
        pg_version = postgres("SHOW server_version")[0]
        print(
            f"    PostgreSQL {pg_version} (database {PG_DATABASE}); {self.redis_note}\n"
            f"    gunicorn: {args.workers} x {args.worker_class} ({threads} thread(s) each), "
            "config.settings.production; task worker: manage.py run_frontend_hooks "
            f"(polling every {args.worker_interval:g} s)\n"
            f"    webhook receiver {self.receiver_url} (its own process; verifies every signature); webhook retry "
            f"schedule for this run: {args.retry_schedule} s (production default: 5, 300, 1800, ... s)\n"
            f"    content ready in {self.timings['content']:.0f} s (bench/content.py: 24 listing reports, reports of"
            f" 10/50/200 blocks, 20 people); everything up in {self.timings['setup']:.0f} s"
        )
        if self.readyz:
            print(f"    /readyz answers {self.readyz}")
        else:
            print("    /readyz: not served by the application (readiness taken from the detail answering 200)")

        phase_started = time.monotonic()
        self.normal_load()
        self.timings["load"] = time.monotonic() - phase_started
        phase_started = time.monotonic()
        self.fault_redis()
        self.timings["fault: redis"] = time.monotonic() - phase_started
        phase_started = time.monotonic()
        self.fault_receiver()
        self.timings["fault: receiver"] = time.monotonic() - phase_started

        arrivals, rejected, _events = read_record(self.record_path)
        expected = expected_deliveries(self.all_publishes)
        unexpected = [i for i in arrivals if i not in expected]
        print(
            f"\n  Whole run: {len(self.all_publishes)} publishes, {len(expected)} deliveries expected, "
            f"{sum(1 for i in expected if i in arrivals)} arrived, {len(unexpected)} unexpected webhook-ids, "
            f"{len(rejected)} signatures rejected"
        )
        print(f"  load average after: {bench_run.load_average()}")
        print_log_summary(self.logs)
        self.timings["total"] = time.monotonic() - started

    def report(self):
        print("\n=== Results")
        for text, passed, detail in self.verdicts:
            word = "SKIP" if passed is None else ("PASS" if passed else "FAIL")
            print(f"  {word}  {text}: {detail}")
        if self.timings:
            parts = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in self.timings.items() if name != "total")
            total = self.timings.get("total")
            print(f"\n  timings: {parts}" + (f"; total {total:.0f} s" if total else ""))


def ratio(stats):
    total = stats["hits"] + stats["misses"]
    return f"{stats['hits'] / total:.0%} hits" if total else "no GETs"


def generator_text(generator):
    if generator != "wrk":
        why = "chosen" if load.wrk_available() else "wrk not installed"
        return f"Python client ({why}; it competes harder with the server for the CPU than wrk)"
    with contextlib.suppress(Exception):
        version = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
        return (version.stdout or version.stderr).splitlines()[0].split(" [")[0] + " (bench/operate.lua)"
    return "wrk"


def print_log_summary(directory):
    """The application's own account: access-log statuses and the errors it logged (JSON lines, production)."""
    statuses, errors, levels = Counter(), Counter(), Counter()
    for name in ("app.log", "worker.log", "editor.log"):
        path = directory / name
        if not path.exists():
            continue
        with open(path, encoding="utf-8", errors="replace") as lines:
            for line in lines:
                try:
                    record = json.loads(line)
                except ValueError:
                    if line.strip():
                        levels[(name, "non-JSON")] += 1
                    continue
                if not isinstance(record, dict):
                    continue
                level = record.get("level", "?")
                if record.get("logger") == "api.access":
                    statuses[record.get("status_code")] += 1
                    continue
                levels[(name, level)] += 1
                if level in ("ERROR", "CRITICAL", "WARNING"):
                    message = str(record.get("message", ""))[:90]
                    lines = str(record.get("exception") or "").strip().splitlines()
                    # The innermost frame of the project's own code: where the error entered it.
                    ours = [
                        line.strip().replace(f'File "{ROOT}/', "").replace('", line ', ":")
                        for line in lines
                        if line.strip().startswith(f'File "{ROOT}/') and "/.venv/" not in line
                    ]
                    origin = (ours[-1] + " > " if ours else "") + (lines[-1][:110] if lines else "")
                    errors[(name, level, message, origin)] += 1
    print(
        "  application logs: access-log statuses "
        + (", ".join(f"{status}: {n}" for status, n in sorted(statuses.items(), key=str)) or "none")
    )
    if levels:
        print("    other records: " + ", ".join(f"{name} {level}: {n}" for (name, level), n in sorted(levels.items())))
    for (name, level, message, origin), n in errors.most_common(8):
        print(f"    {n:>6} x {name} {level} {message}" + (f"\n             [{origin}]" if origin else ""))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 s loads, shorter faults: a few minutes")
    parser.add_argument("--duration", type=int, help="seconds per load run (default 10; 3 with --quick)")
    parser.add_argument(
        "--concurrency", nargs="+", help="open connections of the load runs, several allowed (default 8 32)"
    )
    parser.add_argument("--publish-interval", type=float, default=2.0, help="seconds between publishes (default 2)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes (default 3)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="gthread")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    parser.add_argument("--fault-duration", type=int, help="seconds per fault run (default 15; 12 with --quick)")
    parser.add_argument("--fault-concurrency", type=int, default=8)
    parser.add_argument("--redis-down", type=float, default=3.0, help="seconds Redis stays down (default 3)")
    parser.add_argument("--receiver-down", type=float, default=5.0, help="seconds the receiver refuses (default 5)")
    parser.add_argument("--retry-schedule", default=DEFAULT_RETRY_SCHEDULE, help="CMS_WEBHOOK_RETRY_SCHEDULE")
    parser.add_argument("--worker-interval", type=float, default=1.0, help="task worker's poll interval (default 1)")
    parser.add_argument("--drain", type=float, default=30.0, help="max seconds to wait for deliveries after load")
    parser.add_argument("--drain-fault", type=float, default=60.0, help="max seconds to wait after the receiver fault")
    parser.add_argument("--generator", choices=("wrk", "python"), default="wrk" if load.wrk_available() else "python")
    parser.add_argument("--keep", action="store_true", help=f"keep the database and {WORK}")
    args = parser.parse_args(argv)
    args.duration = args.duration or (3 if args.quick else 10)
    args.fault_duration = args.fault_duration or (12 if args.quick else 15)
    values = args.concurrency or ["8", "32"]
    args.concurrency = [int(part) for value in values for part in str(value).split(",") if part]
    for name, down in (("--redis-down", args.redis_down), ("--receiver-down", args.receiver_down)):
        if args.fault_duration < down + 3:
            parser.error(f"--fault-duration must be at least {name} + 3 s (time before and after the fault)")
    if args.generator == "wrk" and not load.wrk_available():
        parser.error("wrk is not installed (apt-get install -y wrk), use --generator python")
    return args


def stop_on_signal(signum, _frame):
    """SIGTERM ends the run like an error: the processes are stopped and the database dropped."""
    raise SystemExit(f"bench.operate stopped by signal {signum}")


def main(argv=None):
    signal.signal(signal.SIGTERM, stop_on_signal)
    args = parse_args(argv)
    operate = Operate(args)
    try:
        with operate.stack:
            operate.execute()
    except SystemExit as exc:
        print(f"\n  run ended early: {exc}")
        operate.verdicts.add("run completed", False, str(exc))
    except Exception as exc:  # noqa: BLE001 (a benchmark reports and cleans up; exit status stays 0)
        import traceback

        traceback.print_exc()
        operate.verdicts.add("run completed", False, f"{type(exc).__name__}: {exc}")
    finally:
        if not args.keep:
            shutil.rmtree(WORK, ignore_errors=True)
    operate.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
