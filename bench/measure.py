"""The child of ``bench.instructions``: in-process requests measured in one code version, natively or under callgrind.

    python -m bench.measure <spec.json>

Run by ``bench.instructions`` with the working tree of the code under test first on ``sys.path`` (the checkout,
or the baseline commit's tree with this benchmark copied into it), so everything Django imports (``api``,
``cms``, ``blocks``, ``config``) is that version's. The spec names the scenarios (path, cache-busting,
conditional, warm-up, requests per window) and the mode:

- ``native``: CPU time (``process_time``) of ``count`` requests, ``rounds`` times after the warm-up; for the
  scenarios that name a body, the answer to the plain URL (the first request for it) is written to
  ``out/bodies/`` for the byte-for-byte comparison; the SQL queries of one more request are counted.
- ``callgrind``: the process runs under ``valgrind --tool=callgrind --instr-atstart=no``; each window of
  ``count`` requests is instrumented on its own (``bench/callgrind_toggle.c``) and dumped with the label
  ``<key>#<window>``. The parent reads the instruction counts from the dump files.

Before each window the garbage collector runs, so every window starts from the same heap state; collections
inside the window are counted, as they would be in production. Prints one JSON line.
"""

import ctypes
import gc
import json
import statistics
import sys
import time
from pathlib import Path

from . import paths
from .inprocess import clear_cache, client, setup


def request_maker(scenario, tag):
    """A function giving the next request's path and headers for the scenario."""
    counter = iter(range(10**9))
    headers = {}
    if scenario.get("conditional"):
        response = client().get(scenario["path"])
        if response.status_code != 200:
            raise RuntimeError(f"{scenario['path']} answered {response.status_code}")
        headers = {"HTTP_IF_NONE_MATCH": response["ETag"]}

    def make():
        if scenario.get("bust"):
            # Unique per request and of a constant length, so that every window builds the same kind of string.
            return paths.with_param(scenario["path"], "_", f"{tag}-{next(counter):09d}"), headers
        return scenario["path"], headers

    return make


def fetch(make, expected):
    path, headers = make()
    response = client().get(path, **headers)
    if response.status_code != expected:
        raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
    return response


def count_queries(make, expected):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fetch(make, expected)
    return len(captured.captured_queries)


def native(spec):
    out = Path(spec["out"])
    (out / "bodies").mkdir(parents=True, exist_ok=True)
    results = {}
    for scenario in spec["scenarios"]:
        expected = 304 if scenario.get("conditional") else 200
        if scenario.get("body"):
            # The plain URL, the same in every code version; the cache was emptied when the process started.
            response = client().get(scenario["path"])
            if response.status_code != 200:
                raise RuntimeError(f"{scenario['path']} answered {response.status_code}")
            (out / "bodies" / f"{scenario['body']}.json").write_bytes(response.content)
        make = request_maker(scenario, f"{spec['tag']}n{scenario['key']}")
        first = fetch(make, expected)
        for _ in range(scenario["warmup"]):
            fetch(make, expected)
        per_request = []
        for _ in range(scenario["rounds"]):
            gc.collect()
            started = time.process_time()
            for _ in range(scenario["count"]):
                fetch(make, expected)
            per_request.append((time.process_time() - started) * 1000 / scenario["count"])
        results[scenario["key"]] = {
            "cpu_ms": statistics.median(per_request),
            "cpu_ms_rounds": per_request,
            "bytes": len(first.content),
            "queries": count_queries(make, expected),
        }
    return results


def callgrind(spec):
    library = ctypes.CDLL(spec["library"])
    library.bench_window_stop.argtypes = [ctypes.c_char_p]
    if not library.bench_on_valgrind():
        raise RuntimeError("callgrind mode, but the process is not running under valgrind")
    labels = {}
    for scenario in spec["scenarios"]:
        expected = 304 if scenario.get("conditional") else 200
        make = request_maker(scenario, f"{spec['tag']}c{scenario['key']}")
        for _ in range(scenario["warmup"] + 1):
            fetch(make, expected)
        labels[scenario["key"]] = []
        for window in range(scenario["windows"]):
            label = f"{scenario['key']}#{window}"
            gc.collect()
            library.bench_window_start()
            for _ in range(scenario["count"]):
                fetch(make, expected)
            library.bench_window_stop(label.encode())
            labels[scenario["key"]].append(label)
    return labels


def main():
    spec = json.loads(Path(sys.argv[1]).read_text())
    setup()
    import api

    # A shared (Redis) cache may hold responses of another code version: every version starts from an empty one.
    clear_cache(None)
    answer = native(spec) if spec["mode"] == "native" else callgrind(spec)
    # Where the code under test was imported from: the parent checks that it is the tree it meant.
    code_root = str(Path(api.__file__).resolve().parent.parent)
    sys.stdout.write(json.dumps({"results": answer, "code_root": code_root}) + "\n")


if __name__ == "__main__":
    main()
