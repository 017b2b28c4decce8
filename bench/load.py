"""Load generators: ``wrk`` when installed, otherwise a Python keep-alive client. Both stop by themselves.

Every run is bounded twice: by its duration and by a request cap (``MAX_RPS`` x duration, far above what
Django can serve on this machine, so reaching it means something is wrong and the figure is flagged).
Traffic goes to 127.0.0.1 only.
"""

import http.client
import json
import shutil
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
MAX_RPS = 20_000
HOST = "127.0.0.1"


@dataclass
class Measurement:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    capped: bool = False
    server_cpu_s: float = 0.0  # CPU time the gunicorn processes spent on this run (set by bench.run)

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms_per_request(self):
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0


def wrk_available():
    return shutil.which("wrk") is not None


def run(port, path, *, duration, concurrency, headers=None, bust=False, tag="run", generator="wrk"):
    """One timed run against ``http://127.0.0.1:<port><path>``."""
    runner = run_wrk if generator == "wrk" else run_python
    return runner(port, path, duration=duration, concurrency=concurrency, headers=headers or {}, bust=bust, tag=tag)


def run_wrk(port, path, *, duration, concurrency, headers, bust, tag):
    # One wrk thread: it is event-driven and fast, and every core it does not take is left to the server.
    cap = MAX_RPS * duration
    command = ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{duration}s", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command += ["-s", str(WRK_SCRIPT), f"http://{HOST}:{port}", "--", path, "1" if bust else "0", str(cap), tag]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=True)
    summary = json.loads(next(line for line in completed.stdout.splitlines() if line.startswith("{")))
    errors = sum(summary["errors"].values())
    return Measurement(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=errors,
        capped=summary["requests"] >= cap - 1,
    )


def run_python(port, path, *, duration, concurrency, headers, bust, tag):
    """Threads with one keep-alive connection each. Slower than wrk, and it takes CPU from the server (the GIL
    and the JSON bodies), so absolute numbers are lower; ratios between scenarios remain comparable."""
    cap = MAX_RPS * duration
    deadline = time.perf_counter() + duration
    lock = threading.Lock()
    state = {"sent": 0, "errors": 0}
    latencies = [[] for _ in range(concurrency)]
    separator = "&" if "?" in path else "?"

    def worker(index):
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        n = 0
        while time.perf_counter() < deadline:
            with lock:
                if state["sent"] >= cap:
                    break
                state["sent"] += 1
            n += 1
            target = f"{path}{separator}_={tag}-{index}-{n}" if bust else path
            started = time.perf_counter()
            try:
                connection.request("GET", target, headers=headers)
                response = connection.getresponse()
                response.read()
                failed = response.status >= 400
            except (OSError, http.client.HTTPException):
                connection.close()
                failed = True
            latencies[index].append(time.perf_counter() - started)
            if failed:
                with lock:
                    state["errors"] += 1
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    samples = sorted(sample for per_thread in latencies for sample in per_thread)
    if not samples:
        return Measurement(0, seconds, 0.0, 0.0, state["errors"])
    centiles = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 1 else samples * 99
    return Measurement(
        requests=len(samples),
        seconds=seconds,
        p50_ms=centiles[49] * 1000,
        p99_ms=centiles[98] * 1000,
        errors=state["errors"],
        capped=state["sent"] >= cap,
    )


def fetch(port, path, headers=None, method="GET", body=None):
    """One request on a fresh connection: (status, headers, body). For probes, priming and checks."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()
