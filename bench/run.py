"""Serve the delivery API with gunicorn on loopback and print what it sustains, next to its baselines.

    .venv/bin/python -m bench.run [--db sqlite|postgres|both] [--only PHASES] [--duration SECONDS] [--rounds N]

Per database: a fresh database (SQLite file under /tmp, or PostgreSQL ``novads_cms_bench``), migrations and the
benchmark content, then the phases (``--only`` picks some):

- ``queries``: SQL queries per request, in-process.
- ``instructions``: instruction counts (callgrind) and CPU ms of in-process requests, the checkout next to the
  baseline commit's code on the same content, bodies compared byte for byte (``bench.instructions``).
- ``throughput``: gunicorn and timed runs of every scenario, alternated in rounds (A, B, A, B, ...) so that slow
  phases of a noisy machine hit every scenario alike; figures are medians over the rounds, ratios medians of the
  per-round ratios of scenarios that ran next to each other. Then a publish in a worker and a check that the
  next detail responses show it, and, when a target is missed, a profile.
- ``publishing``: what a publish costs (time, SQL queries) when the person changed is shown on 0, 100 and 1,000
  reports; the change feed's throughput.
- ``archive``: on a copy of the freshly prepared database, listings, filters and search as the archive grows to
  100, 1,000 and 10,000 reports (``bench.archive``).

This module does not import Django: everything that needs settings runs in ``bench.inprocess`` child processes.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from . import archive, instructions, load, paths

ROOT = Path(__file__).resolve().parent.parent
BENCH_ROOT = Path(os.environ.get("BENCH_ROOT", "/tmp/novads-cms-bench"))
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_DATABASE = "novads_cms_bench"
PG_ARCHIVE_DATABASE = "novads_cms_bench_archive"
CODE_DIRS = ("api", "blocks", "cms", "config")
PHASES = ("queries", "instructions", "throughput", "publishing", "archive")
# The publish fan-out targets: a person shown on this many reports, compared with the smaller archive.
FAN_OUT, FAN_OUT_BASE, FAN_OUT_INVALIDATION_MS = 1000, 100, 25.0


# --- scenarios --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scenario:
    group: str  # "detail" or "listing"
    kind: str  # cold, warm, 304, stock, trivial, trivial-304
    label: str
    path: str
    bust: bool = False  # a unique ?_= per request: every request misses the response cache
    conditional: bool = False  # If-None-Match with the current ETag: expects 304

    @property
    def key(self):
        return (self.group, self.kind)

    @property
    def expected_status(self):
        return 304 if self.conditional else 200


def scenarios(detail_id):
    """In run order: each of ours right after the baseline it is compared with."""
    detail, listing = paths.API_DETAIL.format(pk=detail_id), paths.API_LISTING
    result = []
    for group, ours, stock, trivial, stock_label in (
        ("detail", detail, paths.STOCK_DETAIL.format(pk=detail_id), paths.TRIVIAL_DETAIL, "stock + per-block override"),
        ("listing", listing, paths.STOCK_LISTING, paths.TRIVIAL_LISTING, "stock fields=*"),
    ):
        result += [
            Scenario(group, "trivial", f"{group}: trivial view", trivial),
            Scenario(group, "warm", f"{group}: warm", ours),
            Scenario(group, "trivial-304", f"{group}: trivial 304", trivial, conditional=True),
            Scenario(group, "304", f"{group}: 304", ours, conditional=True),
            Scenario(group, "stock", f"{group}: {stock_label}", stock),
            Scenario(group, "cold", f"{group}: cold", ours, bust=True),
        ]
    return result


# The stock pattern serves a few requests per second (a listing takes about a second): its runs are longer, so that
# its figures rest on more than a handful of requests.
STOCK_DURATION_FACTOR = 2

TABLE_ORDER = ("cold", "warm", "304", "stock", "trivial", "trivial-304")
# Which baseline each scenario's ratios are taken against.
VS_TRIVIAL = {"cold": "trivial", "warm": "trivial", "304": "trivial-304", "stock": "trivial"}
VS_STOCK = {"cold": "stock", "warm": "stock", "304": "stock"}


@dataclass(frozen=True)
class Target:
    text: str
    ours: tuple
    baseline: tuple
    minimum: float
    needs_invalidation: bool = False


TARGETS = (
    Target(
        "warm detail >= 80 % of the trivial view, with correct invalidation",
        ("detail", "warm"),
        ("detail", "trivial"),
        0.80,
        needs_invalidation=True,
    ),
    Target("304 detail >= 90 % of the trivial view's 304", ("detail", "304"), ("detail", "trivial-304"), 0.90),
    Target("304 listing >= 90 % of the trivial view's 304", ("listing", "304"), ("listing", "trivial-304"), 0.90),
    Target("cold detail >= 3 x stock + per-block override", ("detail", "cold"), ("detail", "stock"), 3.0),
    Target("cold listing >= 2 x stock fields=*", ("listing", "cold"), ("listing", "stock"), 2.0),
)


# --- child processes --------------------------------------------------------------------------------------
class Environment:
    """One database under test: its directory, its URL and the environment every child process gets."""

    def __init__(self, db, args):
        self.db = db
        self.dir = BENCH_ROOT / db
        if db == "sqlite":
            self.database_url = f"sqlite:///{self.dir / 'bench.sqlite3'}"
            self.archive_url = f"sqlite:///{self.dir / 'archive.sqlite3'}"
        else:
            self.database_url = f"{PG_SERVER}/{PG_DATABASE}"
            self.archive_url = f"{PG_SERVER}/{PG_ARCHIVE_DATABASE}"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DATABASE_URL": self.database_url,
            "BENCH_DIR": str(self.dir),
            "BENCH_REDIS": "1" if args.redis else "0",
            "PYTHONPATH": str(ROOT),
        }

    def create(self):
        shutil.rmtree(self.dir, ignore_errors=True)
        (self.dir / "static").mkdir(parents=True)
        if self.db == "postgres":
            self._postgres(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)', f'CREATE DATABASE "{PG_DATABASE}"')

    def destroy(self):
        if self.db == "postgres":
            self._postgres(
                f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)',
                f'DROP DATABASE IF EXISTS "{PG_ARCHIVE_DATABASE}" WITH (FORCE)',
            )
        shutil.rmtree(self.dir, ignore_errors=True)

    def copy_for_archive(self):
        """The archive phase adds thousands of reports: it gets a copy of the freshly prepared database, so that
        its smallest size is the benchmark content and nothing else, and the other phases are not affected."""
        if self.db == "postgres":
            # Nobody is connected to the prepared database between the child processes, as a template needs.
            self._postgres(
                f'DROP DATABASE IF EXISTS "{PG_ARCHIVE_DATABASE}" WITH (FORCE)',
                f'CREATE DATABASE "{PG_ARCHIVE_DATABASE}" TEMPLATE "{PG_DATABASE}"',
            )
        else:
            instructions.copy_sqlite(self.database_url, self.dir / "archive.sqlite3")

    @staticmethod
    def _postgres(*statements):
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)

    def django(self, task, info=None, database_url=None, timeout=900):
        """Run a ``bench.inprocess`` task and return its JSON answer."""
        command = [sys.executable, "-m", "bench.inprocess", task]
        if info is not None:
            command.append(json.dumps(info))
        env = {**self.env, "DATABASE_URL": database_url} if database_url else self.env
        completed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        if completed.returncode != 0:
            sys.stderr.write(completed.stderr)
            raise SystemExit(f"bench.inprocess {task} failed on {self.db}")
        return json.loads(completed.stdout.strip().splitlines()[-1])


class Server:
    """gunicorn serving config.wsgi with the bench settings on a free loopback port; stopped by its own pid."""

    def __init__(self, environment, args, info):
        self.environment, self.args = environment, args
        self.port = free_port()
        self.log_path = environment.dir / "gunicorn.log"
        self.env = {
            **environment.env,
            "BENCH_DETAIL_PATH": paths.API_DETAIL.format(pk=info["detail_id"]),
            "BENCH_LISTING_PATH": paths.API_LISTING,
        }
        self.ready_path = self.env["BENCH_DETAIL_PATH"]
        self.process = None

    def command(self):
        args = self.args
        threads = args.threads if args.worker_class == "gthread" else 1
        return [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi:application",
            f"--bind=127.0.0.1:{self.port}",
            f"--workers={args.workers}",
            f"--worker-class={args.worker_class}",
            f"--threads={threads}",
            "--keep-alive=5",
            "--timeout=60",
            "--log-level=warning",
            f"--error-logfile={self.log_path}",
        ]

    def __enter__(self):
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.process.returncode}); see {self.log_path}")
            try:
                if load.fetch(self.port, self.ready_path)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit(f"gunicorn did not answer within 60 s; see {self.log_path}")

    def cpu_seconds(self):
        """User + system CPU time of the gunicorn master and its workers so far (from /proc).

        The machine is shared and noisy; CPU time per request is what the server itself spent, whatever else
        was running, so it is a steadier comparison than requests per second.
        """
        pids = [self.process.pid]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                pids.append(int(stat.parent.name))
        ticks = 0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def settle(self, timeout=30):
        """Wait until the workers are idle: requests still in flight when the load generator stopped (a slow
        stock listing takes seconds) must not spill their CPU into the next scenario."""
        deadline, quiet, last = time.monotonic() + timeout, 0, self.cpu_seconds()
        while time.monotonic() < deadline and quiet < 2:
            time.sleep(0.25)
            now = self.cpu_seconds()
            quiet = quiet + 1 if now - last <= 0.011 else 0
            last = now

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- measuring ----------------------------------------------------------------------------------------------
def check_baselines(port, detail_id):
    """The comparisons are only fair if the trivial view serves our exact bytes and every endpoint works."""
    notes, etags = [], {}
    for group, ours, trivial in (
        ("detail", paths.API_DETAIL.format(pk=detail_id), paths.TRIVIAL_DETAIL),
        ("listing", paths.API_LISTING, paths.TRIVIAL_LISTING),
    ):
        answers = [load.fetch(port, ours) for _ in range(6)]
        if {status for status, _, _ in answers} != {200} or len({body for _, _, body in answers}) != 1:
            raise SystemExit(f"{ours} is not stable: statuses {[a[0] for a in answers]}")
        etags[group] = answers[0][1]["etag"]
        same = all(load.fetch(port, trivial)[2] == answers[0][2] for _ in range(4))
        if not same:
            raise SystemExit(f"{trivial} does not serve the bytes of {ours}")
        notes.append(
            f"{group}: trivial view serves the same {len(answers[0][2]):,} bytes as our API (ETag {etags[group]})"
        )
    for path in (paths.STOCK_DETAIL.format(pk=detail_id), paths.STOCK_LISTING):
        status, _, body = load.fetch(port, path)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        notes.append(f"stock {path}: {len(body):,} bytes (indented JSON, as stock API v2 renders it)")
    return etags, notes


def prime(port, all_scenarios, etags, times):
    """Fill every worker's caches (and its copy of the trivial bytes) before anything is timed."""
    for scenario in all_scenarios:
        for n in range(times):
            path = paths.with_param(scenario.path, "_", f"prime-{n}") if scenario.bust else scenario.path
            load.fetch(port, path, headers_for(scenario, etags))


def headers_for(scenario, etags):
    return {"If-None-Match": etags[scenario.group]} if scenario.conditional else {}


def measure(server, all_scenarios, etags, args, run_id):
    results = defaultdict(list)
    port = server.port
    for round_number in range(1, args.rounds + 1):
        for scenario in all_scenarios:
            headers = headers_for(scenario, etags)
            status = load.fetch(port, scenario.path, headers)[0]
            if status != scenario.expected_status:
                raise SystemExit(f"{scenario.label}: expected {scenario.expected_status}, got {status}")
            server.settle()
            cpu_before = server.cpu_seconds()
            result = load.run(
                port,
                scenario.path,
                duration=args.duration * (STOCK_DURATION_FACTOR if scenario.kind == "stock" else 1),
                concurrency=args.concurrency,
                headers=headers,
                bust=scenario.bust,
                tag=f"{run_id}-{round_number}-{scenario.group}-{scenario.kind}",
                generator=args.generator,
            )
            server.settle()
            result.server_cpu_s = server.cpu_seconds() - cpu_before
            results[scenario.key].append(result)
            flags = (f"  {result.errors} ERRORS" if result.errors else "") + ("  CAPPED" if result.capped else "")
            print(
                f"  round {round_number}/{args.rounds}  {scenario.label:<38} {result.rps:9.1f} req/s"
                f"  p50 {result.p50_ms:7.2f} ms  p99 {result.p99_ms:7.2f} ms"
                f"  CPU {result.cpu_ms_per_request:7.2f} ms/req{flags}",
                flush=True,
            )
    return results


def paired_ratio(results, ours, baseline, by_cpu=False):
    """Median of per-round ratios: each round's pair ran minutes apart at most, under the same machine noise.

    By requests per second, or (``by_cpu``) by the server CPU time per request: baseline CPU / ours CPU is the
    throughput ratio the two would have if each had the cores to itself.
    """
    pairs = zip(results.get(ours, []), results.get(baseline, []), strict=False)
    if by_cpu:
        ratios = [b.cpu_ms_per_request / a.cpu_ms_per_request for a, b in pairs if a.cpu_ms_per_request]
    else:
        ratios = [a.rps / b.rps for a, b in pairs if b.rps]
    return statistics.median(ratios) if ratios else None


# --- invalidation -------------------------------------------------------------------------------------------
def check_invalidation(port, info, args):
    """Publish a new name for a person shown in the report (inside one worker, as an editor's publish would be),
    then ask for the detail from many connections at once so that every worker answers.

    Right before the publish, the same burst makes sure every worker holds the current response in its cache
    (after the cold runs a worker's generation key may have been evicted, which would hide a stale cache).
    """
    detail = paths.API_DETAIL.format(pk=info["detail_id"])
    parallel = max(4, 2 * args.workers * (args.threads if args.worker_class == "gthread" else 1))
    with ThreadPoolExecutor(parallel) as pool:
        warm = list(pool.map(lambda _: load.fetch(port, detail), range(parallel * 5)))
    before_headers = warm[-1][1]
    if len({answer[1]["etag"] for answer in warm}) != 1:
        raise SystemExit("the workers disagree about the detail response before the publish")
    marker = f"Runātāja Nr. 0 (labots {uuid.uuid4().hex[:8]})"
    status, _, body = load.fetch(
        port,
        paths.PUBLISH_PERSON.format(pk=info["person_id"]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        method="POST",
        body=urllib.parse.urlencode({"name": marker}),
    )
    if status != 200:
        raise SystemExit(f"publishing the change failed: {status} {body[:200]!r}")
    encoded = marker.encode()
    first = load.fetch(port, detail)[2]
    with ThreadPoolExecutor(parallel) as pool:
        answers = list(pool.map(lambda _: load.fetch(port, detail), range(parallel * 5)))
    fresh = sum(encoded in answer[2] for answer in answers)
    old_validator = [load.fetch(port, detail, {"If-None-Match": before_headers["etag"]})[0] for _ in range(parallel)]
    return {
        "next_shows_change": encoded in first,
        "fresh": fresh,
        "total": len(answers),
        "old_etag_statuses": sorted(set(old_validator)),
        "ok": encoded in first and fresh == len(answers) and set(old_validator) == {200},
    }


# --- reporting ----------------------------------------------------------------------------------------------
def ratio_text(value):
    return f"{value:6.2f}x" if value is not None else "      -"


def print_table(results, all_scenarios):
    by_key = {scenario.key: scenario for scenario in all_scenarios}
    print(
        f"\n  {'scenario':<38} {'req/s':>8} {'(min-max)':>13} {'p50 ms':>8} {'p99 ms':>8} {'CPU ms/req':>10}"
        f" {'vs trivial':>10} {'vs stock':>9}"
    )
    for group in ("detail", "listing"):
        for kind in TABLE_ORDER:
            runs = results.get((group, kind))
            if not runs:
                continue
            rps = [run.rps for run in runs]
            vs_trivial = paired_ratio(results, (group, kind), (group, VS_TRIVIAL[kind])) if kind in VS_TRIVIAL else None
            vs_stock = paired_ratio(results, (group, kind), (group, VS_STOCK[kind])) if kind in VS_STOCK else None
            errors = sum(run.errors for run in runs)
            spread = f"({min(rps):.0f}-{max(rps):.0f})"
            p50 = statistics.median(run.p50_ms for run in runs)
            p99 = statistics.median(run.p99_ms for run in runs)
            cpu = statistics.median(run.cpu_ms_per_request for run in runs)
            print(
                f"  {by_key[(group, kind)].label:<38} {statistics.median(rps):8.1f} {spread:>13} {p50:8.2f} {p99:8.2f}"
                f" {cpu:10.2f} {ratio_text(vs_trivial):>10} {ratio_text(vs_stock):>9}"
                + (f"  {errors} errors" if errors else "")
            )
    print(
        "  (medians over the rounds; ratios are medians of per-round ratios of req/s; 304 rows are compared with the"
        "\n   trivial view's 304; CPU ms/req is the gunicorn processes' own CPU time per request)"
    )


def evaluate(results, invalidation):
    verdicts = []
    for target in TARGETS:
        ratio = paired_ratio(results, target.ours, target.baseline)
        by_cpu = paired_ratio(results, target.ours, target.baseline, by_cpu=True)
        passed = ratio is not None and ratio >= target.minimum
        if ratio is None:
            detail = "not measured"
        else:
            detail = f"{ratio:.2f}x by req/s (needs {target.minimum:.2f}x); {by_cpu:.2f}x by server CPU per request"
        if target.needs_invalidation:
            passed = passed and invalidation["served"]["ok"] and invalidation["in_process"]["ok"]
            detail += "; invalidation " + ("correct" if invalidation["served"]["ok"] else "NOT correct when served")
        verdicts.append((target.text, passed, detail))
    return verdicts


def print_invalidation(invalidation, args):
    local, served = invalidation["in_process"], invalidation["served"]
    print("\n  Invalidation (publish a new name for a person shown in the report, then ask for the detail):")
    print(
        f"    in one process:   cached before {yes(local['cached_before'])}, next response shows the change "
        f"{yes(local['shows_change'])}, new ETag {yes(local['etag_changed'])}, old ETag gets 200 "
        f"{yes(local['old_etag_gets_200'])}"
    )
    print(
        f"    through gunicorn: next response shows the change {yes(served['next_shows_change'])}; "
        f"{served['fresh']}/{served['total']} parallel responses show it; old ETag answered "
        f"{served['old_etag_statuses']}"
    )
    if not args.redis and not served["ok"]:
        print(
            "    -> the local-memory cache is per worker process: the publish bumped the generation in one worker's\n"
            "       memory only, the other workers keep serving (and 304-ing) the old response until it expires.\n"
            "       Any deployment with more than one process needs a shared cache (CMS_REDIS_URL; here --redis)."
        )


def print_publishing(figures):
    print("\n  Publishing (rename a person and publish through a revision, in-process; medians of 5):")
    print(
        f"    {'shown on':>9} {'pages affected':>15} {'publish ms':>11} {'change log ms':>14} {'share':>6} "
        f"{'cache ms':>9} {'queries':>8} {'change log q':>13} {'cache q':>8}"
    )
    for row in figures["publishing"]:
        share = row["change_log_ms"] / row["publish_ms"] if row["publish_ms"] else 0
        print(
            f"    {row['shown_on']:>9} {row['pages_affected']:>15} {row['publish_ms']:>11.1f} "
            f"{row['change_log_ms']:>14.1f} {share:>6.0%} {row['invalidation_ms']:>9.1f}"
            f" {queries_text(row.get('publish_queries')):>8} {queries_text(row.get('change_log_queries')):>13}"
            f" {queries_text(row.get('invalidation_queries')):>8}"
        )
    print("    (change log = computing the affected set and writing the change event; cache = the invalidation")
    print("     after commit; both are inside the publish time. Queries: SQL statements of one publish, of the")
    print("     change log's part and of the invalidation's; several values when the publishes differed)")
    feed = figures["feed"]
    print(
        f"  Change feed (in-process, pages of 100, {feed['events_in_log']} events in the log): "
        f"{feed['requests_per_s']:.0f} requests/s, {feed['events_per_s']:.0f} events/s"
    )


def queries_text(values):
    if not values:
        return "-"
    return "/".join(str(value) for value in values)


def evaluate_publishing(figures):
    """The fan-out target: a person shown on FAN_OUT reports, invalidation time and queries against FAN_OUT_BASE."""
    rows = {row["shown_on"]: row for row in figures["publishing"]}
    text = (
        f"publish of a person shown on {FAN_OUT:,} reports: invalidation <= {FAN_OUT_INVALIDATION_MS:.0f} ms and the "
        f"same number of queries as on {FAN_OUT_BASE:,}"
    )
    if FAN_OUT not in rows or FAN_OUT_BASE not in rows:
        return [(text, None, "not measured")]
    big, base = rows[FAN_OUT], rows[FAN_OUT_BASE]
    same = big["publish_queries"] == base["publish_queries"] and len(big["publish_queries"]) == 1
    fast = big["invalidation_ms"] <= FAN_OUT_INVALIDATION_MS
    return [
        (
            text,
            fast and same,
            f"invalidation {big['invalidation_ms']:.1f} ms; queries {queries_text(big['publish_queries'])} vs "
            f"{queries_text(base['publish_queries'])} (invalidation {queries_text(big['invalidation_queries'])} vs "
            f"{queries_text(base['invalidation_queries'])})",
        )
    ]


def code_timestamp():
    """The code under test changes while people work; the figures belong to the code of this moment."""
    newest = max(path.stat().st_mtime for name in CODE_DIRS for path in (ROOT / name).rglob("*.py"))
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(newest))


def load_average():
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def yes(flag):
    return "yes" if flag else "NO"


def print_profile(profile):
    print(
        "\n  Where the time goes: cProfile of in-process requests (test client, no HTTP). CPU ms/request is this"
        "\n  process only (a PostgreSQL server's own work is not in it); shares are of the profiled time."
    )
    for entry in profile["profiles"]:
        print(f"\n    {entry['label']}: {entry['cpu_ms_per_request']:.3f} CPU ms/request")
        for share, phase in entry["phases"]:
            if share >= 0.005:
                print(f"      {share * 100:5.1f}%  {phase}")
        buckets = ", ".join(f"{share * 100:.0f}% {name}" for share, name in entry["buckets"] if share >= 0.03)
        print(f"      self time by package: {buckets}")
        top = "; ".join(f"{name} {share * 100:.1f}%" for share, name in entry["top_self"][:4])
        print(f"      top self time: {top}")


# --- main -----------------------------------------------------------------------------------------------------
def bench_database(db, args):
    environment = Environment(db, args)
    if args.redis:
        mirrored = os.environ.get("CMS_API_GENERATIONS_MIRROR", "true").strip().lower() in {"1", "true", "yes", "on"}
        cache = "Redis (shared by all workers), " + (
            "generations mirrored in each worker over pub/sub"
            if mirrored
            else "generations read from Redis on every hit (CMS_API_GENERATIONS_MIRROR off)"
        )
    else:
        cache = "local memory, one per gunicorn worker process"
    threads = args.threads if args.worker_class == "gthread" else 1
    print(f"\n=== {db}: phases {', '.join(args.phases)}")
    if "throughput" in args.phases:
        print(f"    gunicorn {args.workers} x {args.worker_class} ({threads} thread(s) each), cache: {cache}")
        print(
            f"    load: {args.generator}, {args.concurrency} connections, {args.rounds} rounds x {args.duration} s "
            f"per scenario, same machine ({os.cpu_count()} cores) as the server"
        )
    print(f"    load average before: {load_average()} (other processes on this machine share the 2 cores)")
    print(f"    application code as of {code_timestamp()} (newest file under api/, blocks/, cms/, config/)")
    environment.create()
    verdicts, took = [], {}
    try:
        started = time.monotonic()
        info = environment.django("prepare")
        if "archive" in args.phases:
            environment.copy_for_archive()
        took["prepare"] = time.monotonic() - started
        print(f"    database, content and renditions ready in {took['prepare']:.0f} s: {info}", flush=True)
        if "queries" in args.phases:
            started = time.monotonic()
            print_queries(environment.django("queries", info))
            took["queries"] = time.monotonic() - started
        if "instructions" in args.phases:
            started = time.monotonic()
            verdicts += instructions.phase(environment, info, args)
            took["instructions"] = time.monotonic() - started
        if "throughput" in args.phases:
            started = time.monotonic()
            verdicts += throughput(environment, info, args)
            took["throughput"] = time.monotonic() - started
        elif args.profile:
            print_profile(environment.django("profile", info))
        if "publishing" in args.phases:
            started = time.monotonic()
            figures = environment.django("publishing", info)
            print_publishing(figures)
            verdicts += evaluate_publishing(figures)
            took["publishing"] = time.monotonic() - started
        if "archive" in args.phases:
            started = time.monotonic()
            figures = environment.django(
                "archive",
                {"sizes": args.archive_sizes, "repeat": args.archive_repeat},
                database_url=environment.archive_url,
                timeout=4 * 3600,
            )
            archive.print_results(figures)
            verdicts += archive.evaluate(figures, args.archive_judge)
            took["archive"] = time.monotonic() - started
        if args.redis:
            environment.django("clear-cache")
        print(f"\n  [{db}] time per phase: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in took.items()))
        return verdicts
    finally:
        if not args.keep:
            environment.destroy()


def print_queries(counts):
    print("\n  SQL queries per request (in-process, steady state):")
    print(f"    {'':<22} {'ours cold':>10} {'ours warm':>10} {'stock':>8}")
    for row in counts["rows"]:
        print(f"    {row['what']:<22} {row['cold']:>10} {row['warm']:>10} {row['stock']:>8}")


def throughput(environment, info, args):
    """gunicorn, the timed rounds, the invalidation check (and the profile when a target is missed)."""
    all_scenarios = scenarios(info["detail_id"])
    with Server(environment, args, info) as server:
        etags, notes = check_baselines(server.port, info["detail_id"])
        for note in notes:
            print(f"    {note}")
        threads = args.threads if args.worker_class == "gthread" else 1
        prime(server.port, all_scenarios, etags, times=4 * args.workers * threads)
        print()
        results = measure(server, all_scenarios, etags, args, run_id=uuid.uuid4().hex[:8])
        served = check_invalidation(server.port, info, args)
    in_process = environment.django("invalidate", info)
    invalidation = {"served": served, "in_process": {**in_process, "ok": all(in_process.values())}}
    print_table(results, all_scenarios)
    print(f"  load average after: {load_average()}")
    print_invalidation(invalidation, args)
    verdicts = evaluate(results, invalidation)
    if args.profile or not all(passed for _, passed, _ in verdicts):
        print_profile(environment.django("profile", info))
    return verdicts


def phase_list(text):
    phases = [name.strip() for name in text.split(",") if name.strip()]
    unknown = sorted(set(phases) - set(PHASES))
    if unknown or not phases:
        raise argparse.ArgumentTypeError(f"phases are {', '.join(PHASES)} (got {text!r})")
    return [name for name in PHASES if name in phases]


def size_list(text):
    try:
        sizes = sorted({int(value.replace("_", "")) for value in text.split(",") if value.strip()})
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"sizes are numbers of reports, e.g. 100,1000,10000 (got {text!r})") from e
    if not sizes or sizes[0] < 1:
        raise argparse.ArgumentTypeError("give at least one size above 0")
    return sizes


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument(
        "--only",
        type=phase_list,
        default=list(PHASES),
        dest="phases",
        help=f"comma-separated phases to run, of {','.join(PHASES)} (default: all)",
    )
    parser.add_argument("--duration", type=int, default=8, help="seconds per timed run (default 8)")
    parser.add_argument("--rounds", type=int, default=5, help="runs per scenario, alternated (default 5)")
    parser.add_argument("--concurrency", type=int, default=4, help="open connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--worker-class", choices=("sync", "gthread"), default="gthread")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker (default 2)")
    parser.add_argument("--redis", action="store_true", help="shared Redis cache instead of local memory")
    parser.add_argument("--generator", choices=("wrk", "python"), default="wrk" if load.wrk_available() else "python")
    parser.add_argument("--profile", action="store_true", help="print the profile even when every target is met")
    parser.add_argument("--keep", action="store_true", help=f"keep the database and files under {BENCH_ROOT}")
    parser.add_argument(
        "--baseline-commit",
        default=instructions.BASELINE_COMMIT,
        help=f"the code the instruction counts are compared with (default {instructions.BASELINE_COMMIT}; '' skips)",
    )
    parser.add_argument(
        "--callgrind-windows", type=int, default=2, help="callgrind windows per scenario (default 2; >= 1)"
    )
    parser.add_argument("--cpu-rounds", type=int, default=5, help="native CPU-time rounds per scenario (default 5)")
    parser.add_argument(
        "--archive-sizes",
        type=size_list,
        default=list(archive.SIZES),
        help="event reports in all at each archive step (default 100,1000,10000)",
    )
    parser.add_argument(
        "--archive-repeat", type=int, default=archive.REPEAT, help="requests per archive figure (default 5)"
    )
    parser.add_argument(
        "--archive-judge",
        choices=archive.JUDGES,
        default="cpu",
        help="archive targets by CPU ms (this process + the database server's backend; default) or wall ms",
    )
    parser.add_argument("--no-archive", action="store_true", help="leave out the archive phase")
    args = parser.parse_args(argv)
    if os.environ.get("BENCH_REDIS") == "1":
        args.redis = True
    if args.no_archive:
        args.phases = [name for name in args.phases if name != "archive"]
    if args.callgrind_windows < 1 or args.cpu_rounds < 1 or args.archive_repeat < 1:
        parser.error("--callgrind-windows, --cpu-rounds and --archive-repeat must be at least 1")
    return args


def stop_on_signal(signum, _frame):
    """SIGTERM ends the run like an error: gunicorn is stopped and the bench database dropped."""
    raise SystemExit(f"bench.run stopped by signal {signum}")


def main(argv=None):
    signal.signal(signal.SIGTERM, stop_on_signal)
    args = parse_args(argv)
    databases = ("sqlite", "postgres") if args.db == "both" else (args.db,)
    if args.generator == "python" and "throughput" in args.phases:
        print("wrk not found: using the Python client, which competes harder with the server for the CPU.")
    verdicts = {db: bench_database(db, args) for db in databases}
    print("\n=== Targets")
    for db, lines in verdicts.items():
        for text, passed, detail in lines:
            status = "SKIP" if passed is None else "PASS" if passed else "FAIL"
            print(f"  {status}  [{db}] {text}: {detail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
