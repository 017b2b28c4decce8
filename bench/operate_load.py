"""Load for ``bench.operate``: like ``bench.load``, but every status is counted and conditional requests follow
the ETag the API sends, as a revalidating client does (content changes during these runs, so a fixed ETag
would turn the 304 scenario into a 200 scenario after the first publish).

``wrk`` with ``bench/operate.lua`` when installed, otherwise a Python keep-alive client. Every run is bounded by
its duration and by a request cap (``bench.load.MAX_RPS`` x duration). Traffic goes to 127.0.0.1 only.
"""

import http.client
import json
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .load import HOST, MAX_RPS, wrk_available

LUA_SCRIPT = Path(__file__).with_name("operate.lua")

__all__ = ["Result", "run", "wrk_available"]


@dataclass
class Result:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    status_200: int = 0
    status_304: int = 0
    status_other: int = 0  # anything but 200 and 304: an error for these URLs
    socket_errors: dict = field(default_factory=dict)  # connect / read / write / timeout
    capped: bool = False
    started: float = 0.0  # wall clock (time.time()) when the run began
    server_cpu_s: float = 0.0  # set by the caller: CPU time the gunicorn processes spent on this run

    @property
    def rps(self):
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def errors(self):
        return self.status_other + sum(self.socket_errors.values())

    @property
    def cpu_ms_per_request(self):
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0


def run(port, path, *, duration, concurrency, conditional=False, etag=None, generator="wrk"):
    runner = run_wrk if generator == "wrk" else run_python
    started = time.time()
    result = runner(port, path, duration=duration, concurrency=concurrency, conditional=conditional, etag=etag)
    result.started = started
    return result


def run_wrk(port, path, *, duration, concurrency, conditional, etag):
    # One wrk thread: event-driven and fast; every core it does not take is left to the server.
    cap = MAX_RPS * duration
    command = ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{duration}s", "--timeout", "10s"]
    command += ["-s", str(LUA_SCRIPT), f"http://{HOST}:{port}", "--", path, "1" if conditional else "0", str(cap)]
    command.append(etag or "-")
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 30, check=True)
    summary = json.loads(next(line for line in completed.stdout.splitlines() if line.startswith("{")))
    return Result(
        requests=summary["requests"],
        seconds=summary["duration_us"] / 1e6,
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        status_200=summary["status_200"],
        status_304=summary["status_304"],
        status_other=summary["status_other"],
        socket_errors={name: count for name, count in summary["errors"].items() if count},
        capped=summary["requests"] >= cap - 1,
    )


def run_python(port, path, *, duration, concurrency, conditional, etag):
    """Threads with one keep-alive connection each. It takes CPU from the server (the GIL, the JSON bodies),
    so its absolute figures are lower than wrk's."""
    cap = MAX_RPS * duration
    deadline = time.perf_counter() + duration
    lock = threading.Lock()
    state = {"sent": 0, "200": 0, "304": 0, "other": 0, "connect": 0, "read": 0, "timeout": 0}
    latencies = [[] for _ in range(concurrency)]

    def count(name):
        with lock:
            state[name] += 1

    def worker(index):
        connection = http.client.HTTPConnection(HOST, port, timeout=10)
        current = etag
        while time.perf_counter() < deadline:
            with lock:
                if state["sent"] >= cap:
                    break
                state["sent"] += 1
            headers = {"If-None-Match": current} if conditional and current else {}
            started = time.perf_counter()
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                response.read()
            except ConnectionRefusedError:
                connection.close()
                count("connect")
                time.sleep(0.01)  # a refused connection returns at once: do not spin
                continue
            except TimeoutError:
                connection.close()
                count("timeout")
                continue
            except (OSError, http.client.HTTPException):
                connection.close()
                count("read")
                continue
            latencies[index].append(time.perf_counter() - started)
            if response.status == 200:
                count("200")
                if conditional and response.getheader("ETag"):
                    current = response.getheader("ETag")
            elif response.status == 304:
                count("304")
            else:
                count("other")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    samples = sorted(sample for per_thread in latencies for sample in per_thread)
    if len(samples) > 1:
        centiles = statistics.quantiles(samples, n=100, method="inclusive")
        p50, p99 = centiles[49] * 1000, centiles[98] * 1000
    else:
        p50 = p99 = samples[0] * 1000 if samples else 0.0
    return Result(
        requests=len(samples),
        seconds=seconds,
        p50_ms=p50,
        p99_ms=p99,
        status_200=state["200"],
        status_304=state["304"],
        status_other=state["other"],
        socket_errors={name: state[name] for name in ("connect", "read", "timeout") if state[name]},
        capped=state["sent"] >= cap,
    )
