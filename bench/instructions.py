"""Instruction counts (callgrind) next to CPU time for in-process requests: the checkout, and a baseline commit.

Run by ``bench.run`` (phase ``instructions``); no Django import here. Each code version is measured by
``bench.measure`` child processes, twice: natively for CPU time (``process_time``, median of rounds), and under
``valgrind --tool=callgrind --instr-atstart=no`` for instructions, with ``PYTHONHASHSEED=0`` in both. Under
callgrind only the measured windows are instrumented (``bench/callgrind_toggle.c``, compiled here with ``cc``):
each scenario is warmed up, then ``windows`` windows of ``count`` requests are counted, and the figure is
instructions per request (the mean of the windows; their spread is printed as a check of the method).
Instructions are deterministic to well under 1 % run to run, so ratios hold on a noisy machine; they count
this Python process only (SQLite's work included, a PostgreSQL server's not).

The baseline is the code of ``BASELINE_COMMIT`` (``git archive`` into the run's directory), with this
benchmark's own files copied over the tree's ``bench/``: the child runs there with that tree first on
``sys.path``, so ``api``, ``cms``, ``blocks`` and ``config`` are the old ones while the measurement is the same.
It reads the same content: a copy of the SQLite file, or the same PostgreSQL database (requests only read).
The JSON bodies of the detail (10, 50, 200 blocks) and the listing must be byte-identical between the two.
"""

import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from . import paths

ROOT = Path(__file__).resolve().parent.parent
BENCH_SOURCE = Path(__file__).resolve().parent
BASELINE_COMMIT = "46955de"
CALLGRIND_HEADER = Path("/usr/include/valgrind/callgrind.h")
# The benchmark's own files, copied into the baseline tree so that the measurement is the same code.
BENCH_FILES = ("*.py", "*.c", "*.lua")


@dataclass(frozen=True)
class Case:
    """One measured scenario: a path asked for again and again in one process."""

    key: str
    label: str
    path: str
    count: int  # requests per callgrind window
    native_count: int  # requests per native round
    bust: bool = False  # a unique ?_= per request: every request misses the response cache
    conditional: bool = False  # If-None-Match with the current ETag: 304s
    body: str | None = None  # name under which the body is compared with the baseline's
    baseline: bool = True  # measured in the baseline as well (ours; the stock patterns do not change)
    warmup: int = 3
    windows: int | None = None  # callgrind windows; None: --callgrind-windows


def cases(info):
    """The scenarios, in the order they run in one process (``info``: the ids ``prepare`` printed)."""
    detail = {int(blocks): pk for blocks, pk in info["detail_ids"].items()}
    big = info["detail_id"]
    result = [
        Case(
            f"detail-{blocks}-cold",
            f"detail {blocks} blocks: cold",
            paths.API_DETAIL.format(pk=detail[blocks]),
            count={10: 3, 50: 2}.get(blocks, 1),
            native_count=8 if blocks == 10 else 4 if blocks == 50 else 2,
            bust=True,
            body=f"detail-{blocks}",
        )
        for blocks in sorted(detail)
    ]
    result += [
        Case(
            "detail-stock-ids",
            "detail 50 blocks: stock v2, bare ids",
            paths.STOCK_IDS_DETAIL.format(pk=big),
            count=2,
            native_count=4,
            baseline=False,
        ),
        Case(
            "detail-stock",
            "detail 50 blocks: stock + per-block override",
            paths.STOCK_DETAIL.format(pk=big),
            count=1,
            native_count=2,
            baseline=False,
        ),
        Case("detail-warm", "detail 50 blocks: warm", paths.API_DETAIL.format(pk=big), count=40, native_count=200),
        Case(
            "detail-304",
            "detail 50 blocks: 304",
            paths.API_DETAIL.format(pk=big),
            count=40,
            native_count=200,
            conditional=True,
        ),
        Case(
            "listing-cold",
            "listing 20 cards: cold",
            paths.API_LISTING,
            count=3,
            native_count=6,
            bust=True,
            body="listing",
        ),
        Case(
            "listing-stock",
            "listing: stock fields=*",
            paths.STOCK_LISTING,
            count=1,
            native_count=1,
            baseline=False,
            warmup=1,
            windows=1,  # about 4.5 G instructions a request: minutes under callgrind
        ),
        Case("listing-warm", "listing: warm", paths.API_LISTING, count=40, native_count=200),
        Case("listing-304", "listing: 304", paths.API_LISTING, count=40, native_count=200, conditional=True),
        Case("trivial", "trivial view (detail bytes)", paths.TRIVIAL_DETAIL, count=40, native_count=200),
        Case("trivial-304", "trivial view: 304", paths.TRIVIAL_DETAIL, count=40, native_count=200, conditional=True),
    ]
    return result


# --- tools ------------------------------------------------------------------------------------------------
def toolchain_problem():
    """Why instructions cannot be counted here, or None."""
    missing = [tool for tool in ("valgrind", "cc") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (make bench-tools)"
    if not CALLGRIND_HEADER.exists():
        return f"{CALLGRIND_HEADER} missing (valgrind's development headers; make bench-tools)"
    return None


def build_library(directory):
    """Compile the client-request helper into the run's directory (a shared library for ctypes)."""
    directory.mkdir(parents=True, exist_ok=True)
    library = directory / "callgrind_toggle.so"
    subprocess.run(
        ["cc", "-shared", "-fPIC", "-O2", "-o", str(library), str(BENCH_SOURCE / "callgrind_toggle.c")],
        check=True,
        capture_output=True,
        text=True,
    )
    return library


def baseline_tree(commit, directory):
    """The commit's files under ``directory`` (``git archive``), with this benchmark copied over its ``bench/``.

    Returns (path, None), or (None, why not). Nothing in the repository changes: no worktree, no checkout.
    """
    if shutil.which("git") is None:
        return None, "git not installed"
    resolved = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], cwd=ROOT, capture_output=True, text=True
    )
    if resolved.returncode != 0:
        return None, f"commit {commit} not in this repository"
    full = resolved.stdout.strip()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", full], cwd=ROOT, capture_output=True)
    if archive.returncode != 0:
        return None, f"git archive {commit} failed: {archive.stderr.decode(errors='replace')[:200]}"
    with tempfile.TemporaryFile() as buffer:
        buffer.write(archive.stdout)
        buffer.seek(0)
        with tarfile.open(fileobj=buffer) as tar:
            tar.extractall(directory, filter="data")
    bench = directory / "bench"
    shutil.rmtree(bench, ignore_errors=True)
    bench.mkdir()
    for pattern in BENCH_FILES:
        for source in BENCH_SOURCE.glob(pattern):
            shutil.copy2(source, bench / source.name)
    return directory, None


def copy_sqlite(source_url, target):
    """A consistent copy of the SQLite database (the backup API, so a WAL is taken in too)."""
    source = source_url.removeprefix("sqlite:///")
    target.unlink(missing_ok=True)
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


# --- running one code version -----------------------------------------------------------------------------
def spec_for(version_cases, mode, out, library, tag, windows, rounds):
    return {
        "mode": mode,
        "library": str(library),
        "out": str(out),
        "tag": tag,
        "scenarios": [
            {
                "key": case.key,
                "path": case.path,
                "bust": case.bust,
                "conditional": case.conditional,
                "body": case.body,
                "warmup": case.warmup,
                "count": case.count if mode == "callgrind" else case.native_count,
                "windows": case.windows or windows,
                "rounds": rounds,
            }
            for case in version_cases
        ],
    }


def run_child(command, cwd, env, spec, out, timeout=3600):
    out.mkdir(parents=True, exist_ok=True)
    spec_path = out / f"spec-{spec['mode']}.json"
    spec_path.write_text(json.dumps(spec))
    completed = subprocess.run(
        [*command, sys.executable, "-m", "bench.measure", str(spec_path)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stderr[-6000:])
        raise SystemExit(f"bench.measure ({spec['mode']}) failed in {cwd}")
    answer = json.loads(completed.stdout.strip().splitlines()[-1])
    if Path(answer["code_root"]) != Path(cwd).resolve():
        raise SystemExit(f"bench.measure in {cwd} imported the code under {answer['code_root']}")
    return answer["results"]


TRIGGER = "desc: Trigger: Client Request: "


def read_dumps(directory):
    """label -> instruction count, from callgrind's dump files (one per window, ``Client Request: <label>``)."""
    totals = {}
    for dump in directory.glob("callgrind.out.*"):
        label = total = None
        with dump.open(errors="replace") as lines:
            for line in lines:
                if line.startswith(TRIGGER):
                    label = line[len(TRIGGER) :].strip()
                elif line.startswith("totals: ") or (line.startswith("summary: ") and total is None):
                    total = int(line.split()[1])
                if line.startswith("fn=") or line.startswith("fl="):
                    break  # the header is over
        if label is not None and total is not None:
            totals[label] = total
    return totals


def measure_version(name, cwd, env, version_cases, directory, library, windows, rounds):
    """CPU ms (native) and instructions (callgrind) per request of each case, in the code under ``cwd``."""
    env = {**env, "PYTHONHASHSEED": "0", "PYTHONPATH": str(cwd)}
    out = directory / name
    shutil.rmtree(out, ignore_errors=True)
    tag = f"{name[:1]}{int(time.time()) % 100000:05d}"
    started = time.monotonic()
    native = run_child([], cwd, env, spec_for(version_cases, "native", out, library, tag, windows, rounds), out)
    native_s = time.monotonic() - started
    dumps = out / "callgrind"
    dumps.mkdir(parents=True)
    valgrind = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        "--vgdb=no",  # no gdbserver, so no pipes left in /tmp when a run is stopped
        f"--callgrind-out-file={dumps}/callgrind.out.%p",
        "--log-file=" + str(out / "valgrind.log"),
    ]
    started = time.monotonic()
    labels = run_child(
        valgrind, cwd, env, spec_for(version_cases, "callgrind", out, library, tag, windows, rounds), out
    )
    callgrind_s = time.monotonic() - started
    totals = read_dumps(dumps)
    results = {}
    for case in version_cases:
        per_window = [totals[label] / case.count for label in labels[case.key]]
        results[case.key] = {
            **native[case.key],
            "instructions": statistics.fmean(per_window),
            "windows": per_window,
        }
    return results, {"native_s": native_s, "callgrind_s": callgrind_s, "bodies": out / "bodies"}


# --- the phase --------------------------------------------------------------------------------------------
def phase(environment, info, args):
    """Measure the checkout and the baseline commit; print the table; return the target lines."""
    problem = toolchain_problem()
    if problem:
        print(f"\n  Instructions: SKIP ({problem})")
        return [(text, None, problem) for text in TARGET_TEXTS]
    directory = environment.dir / "instructions"
    library = build_library(directory)
    all_cases = cases(info)
    env = {
        **environment.env,
        "BENCH_DETAIL_PATH": paths.API_DETAIL.format(pk=info["detail_id"]),
        "BENCH_LISTING_PATH": paths.API_LISTING,
    }
    print(
        f"\n  Instructions per request (callgrind, in-process test client, {args.callgrind_windows} windows per "
        f"scenario) and CPU ms (native, median of {args.cpu_rounds} rounds):",
        flush=True,
    )
    ours, ours_times = measure_version(
        "checkout", ROOT, env, all_cases, directory, library, args.callgrind_windows, args.cpu_rounds
    )
    print(
        f"    checkout measured in {ours_times['native_s']:.0f} s native + {ours_times['callgrind_s']:.0f} s under"
        " callgrind",
        flush=True,
    )
    baseline, baseline_note, baseline_times = None, None, None
    commit = args.baseline_commit
    if commit:
        tree, baseline_note = baseline_tree(commit, environment.dir / f"baseline-{commit}")
        if tree is not None:
            baseline_env = dict(env)
            if environment.db == "sqlite":
                baseline_env["DATABASE_URL"] = copy_sqlite(environment.database_url, directory / "baseline.sqlite3")
            baseline, baseline_times = measure_version(
                "baseline",
                tree,
                baseline_env,
                [case for case in all_cases if case.baseline],
                directory,
                library,
                args.callgrind_windows,
                args.cpu_rounds,
            )
            print(
                f"    {commit} measured in {baseline_times['native_s']:.0f} s native + "
                f"{baseline_times['callgrind_s']:.0f} s under callgrind",
                flush=True,
            )
    else:
        baseline_note = "no baseline commit (--baseline-commit '')"
    identical = compare_bodies(all_cases, ours_times["bodies"], baseline_times and baseline_times["bodies"])
    print_table(all_cases, ours, baseline, commit)
    if baseline is None:
        print(f"    baseline: SKIP ({baseline_note})")
    for name, same in identical.items():
        print(f"    body {name}: {'byte-identical to' if same else 'DIFFERENT from'} {commit}'s")
    return evaluate(ours, baseline, identical, baseline_note, commit)


def compare_bodies(all_cases, ours_dir, baseline_dir):
    if baseline_dir is None:
        return {}
    result = {}
    for case in all_cases:
        if case.body and case.baseline:
            result[case.body] = (ours_dir / f"{case.body}.json").read_bytes() == (
                baseline_dir / f"{case.body}.json"
            ).read_bytes()
    return result


def spread_text(windows):
    """How far the windows of one scenario are apart (a check of the method); "-" for a single window."""
    mean = statistics.fmean(windows)
    if len(windows) < 2 or not mean:
        return "-"
    return f"{(max(windows) - min(windows)) / mean:.2%}"


def print_table(all_cases, ours, baseline, commit):
    head = f"{commit[:9]} M" if baseline else ""
    print(
        f"\n    {'scenario':<44} {'M instr':>9} {'spread':>7} {'CPU ms':>8} {'queries':>7} {'bytes':>9}"
        + (f" {head:>12} {'CPU ms':>8} {'instr':>7}" if baseline else "")
    )
    for case in all_cases:
        row = ours[case.key]
        line = (
            f"    {case.label:<44} {row['instructions'] / 1e6:9.2f} {spread_text(row['windows']):>7}"
            f" {row['cpu_ms']:8.2f} {row['queries']:7d} {row['bytes']:9,d}"
        )
        if baseline and case.key in baseline:
            old = baseline[case.key]
            ratio = row["instructions"] / old["instructions"]
            line += f" {old['instructions'] / 1e6:12.2f} {old['cpu_ms']:8.2f} {ratio:6.2f}x"
        print(line)
    print(
        "    (M instr: millions of instructions per request, this process only; spread: between the windows;"
        "\n     CPU ms: process_time per request run natively; last column: ours / the baseline's instructions)"
    )


TARGET_TEXTS = (
    "cold 50-block detail <= 0.75 x the instructions of stock v2 with bare ids",
    "cold 50-block detail >= 6 x cheaper (instructions) than stock + per-block override",
    "<= 0.5 M instructions per additional block ((I200 - I50) / 150)",
    "cold detail and listing bodies byte-identical to the baseline's",
    "cold listing of 20 cards >= 2 x cheaper (instructions) than the baseline's",
    "warm detail, warm listing, 304 detail and 304 listing <= 1.02 x the baseline's instructions",
)


def evaluate(ours, baseline, identical, baseline_note, commit):
    """Target lines: (text, passed or None for SKIP, detail)."""

    def instr(results, key):
        return results[key]["instructions"]

    verdicts = []
    cold, ids, stock = instr(ours, "detail-50-cold"), instr(ours, "detail-stock-ids"), instr(ours, "detail-stock")
    verdicts.append(
        (TARGET_TEXTS[0], cold <= 0.75 * ids, f"{cold / ids:.2f} x ({cold / 1e6:.1f} M vs {ids / 1e6:.1f} M)")
    )
    verdicts.append(
        (
            TARGET_TEXTS[1],
            stock >= 6 * cold,
            f"{stock / cold:.2f} x cheaper ({cold / 1e6:.1f} M vs {stock / 1e6:.1f} M)",
        )
    )
    per_block = (instr(ours, "detail-200-cold") - cold) / 150
    verdicts.append((TARGET_TEXTS[2], per_block <= 0.5e6, f"{per_block / 1e6:.3f} M per block"))
    if baseline is None:
        for text in TARGET_TEXTS[3:]:
            verdicts.append((text, None, baseline_note))
        return verdicts
    different = [name for name, same in identical.items() if not same]
    verdicts.append(
        (
            TARGET_TEXTS[3] + f" ({commit})",
            not different and bool(identical),
            "all identical: " + ", ".join(identical) if not different else "DIFFERENT: " + ", ".join(different),
        )
    )
    listing, old_listing = instr(ours, "listing-cold"), instr(baseline, "listing-cold")
    verdicts.append(
        (
            TARGET_TEXTS[4] + f" ({commit})",
            old_listing >= 2 * listing,
            f"{old_listing / listing:.2f} x cheaper ({listing / 1e6:.1f} M vs {old_listing / 1e6:.1f} M)",
        )
    )
    ratios = {
        key: instr(ours, key) / instr(baseline, key)
        for key in ("detail-warm", "listing-warm", "detail-304", "listing-304")
    }
    verdicts.append(
        (
            TARGET_TEXTS[5] + f" ({commit})",
            all(ratio <= 1.02 for ratio in ratios.values()),
            ", ".join(f"{key} {ratio:.3f} x" for key, ratio in ratios.items()),
        )
    )
    return verdicts
