"""gunicorn in production: ``gunicorn --config deploy/gunicorn.conf.py config.wsgi:application``.

Every value can be set from the environment (the same file systemd passes as ``EnvironmentFile``); the defaults
fit one machine behind a reverse proxy on the same host or the same private network. docs/deployment.md has the
table of variables and how they combine across machines.
"""

import logging
import os

# gunicorn reads the module's globals below; these helpers are not settings (underscore names are ignored).


def _int(name, default):
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {value!r}") from None


def _cores():
    # The CPUs this process may run on (taskset, cpusets), not the machine's total: os.cpu_count() would
    # size a container limited to two cores as if it had all of the host's.
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# --- Where and how many ----------------------------------------------------------------------------------

# Loopback by default: gunicorn must only be reachable by the proxy, because Django trusts X-Forwarded-Proto
# (SECURE_PROXY_SSL_HEADER) from whoever connects. Several addresses may be given, comma-separated
# (e.g. "unix:/run/novads-cms-web/web.sock,127.0.0.1:8000").
bind = [part.strip() for part in os.environ.get("CMS_BIND", "127.0.0.1:8000").split(",") if part.strip()]

# The classic 2 x cores + 1, capped: each worker is a whole Django and Wagtail (about 150-250 MB), and each of
# its threads holds a database connection (persistent, CMS_DB_CONN_MAX_AGE), so workers x threads is this
# instance's share of PostgreSQL's max_connections. Beyond 8 processes a single machine gains little that
# threads do not already give; set CMS_WEB_WORKERS to go past it deliberately.
workers = _int("CMS_WEB_WORKERS", min(2 * _cores() + 1, 8))

# Threads: requests mostly wait on PostgreSQL and Redis, so a few threads per process serve more at once
# without another copy of the application in memory. Django is thread-safe; the API cache's per-process parts
# (api.cache, api.generations) lock what they share.
worker_class = "gthread"
threads = _int("CMS_WEB_THREADS", 4)

# --- Time limits -------------------------------------------------------------------------------------------

# With gthread this is not a per-request limit: the worker's main loop reports to the arbiter while its threads
# serve, so only a process that stops responding altogether (stuck in C code, out of memory and swapping) is
# killed after this many seconds. Per-request limits belong to the proxy (proxy_read_timeout in nginx).
timeout = _int("CMS_WEB_TIMEOUT", 30)
# On SIGTERM (systemctl stop, a deployment), requests in flight get this long to finish. systemd's
# TimeoutStopSec in novads-cms-web.service is longer, so gunicorn, not systemd, decides when to give up.
graceful_timeout = _int("CMS_WEB_GRACEFUL_TIMEOUT", 30)
# Idle keep-alive connections are kept longer than nginx keeps idle upstream connections (60 s by default):
# when the backend closes first, the proxy may send a request on a connection that is being closed and answer
# 502. gthread parks idle connections in its poller, so they hold no thread.
keepalive = _int("CMS_WEB_KEEPALIVE", 75)

# Recycle each worker after about this many requests, the jitter spreading the restarts so that workers never
# restart together: a long-running Django/Wagtail process grows slowly (caches, fragmentation). High enough
# that the restarts stay rare: a worker answers about 1,000 cached requests a second (bench.operate), and a new
# one starts without the responses and cache generations the old one kept in memory, and leaves files in
# PROMETHEUS_MULTIPROC_DIR that each scrape reads until the next start of this server. 0 turns it off.
max_requests = _int("CMS_WEB_MAX_REQUESTS", 1_000_000)
max_requests_jitter = _int("CMS_WEB_MAX_REQUESTS_JITTER", max(max_requests // 10, 0))

# Request line and header limits stay at gunicorn's defaults: the OpenAPI document promises the 414 and 431
# that gunicorn answers beyond them.

# Each worker imports the application itself (no preload): a reload (HUP) then loads new code, and nothing
# that must not cross a fork (database connections, the Redis subscription of api.generations) is opened in
# the master.
preload_app = False

# The heartbeat file each worker touches for the arbiter: in memory, so that a slow disk never makes a healthy
# worker look stuck. /dev/shm stays writable under systemd's ProtectSystem=strict.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None

# gunicorn's control socket would default to $HOME/.gunicorn, which the service user may not have, and is
# shared by every instance on the machine: systemd drives the server instead (HUP reloads, TERM stops, TTIN and
# TTOU add and remove workers).
control_socket_disable = True

proc_name = os.environ.get("CMS_WEB_PROC_NAME", "novads-cms-web")

# --- Behind the proxy --------------------------------------------------------------------------------------

# The proxies whose X-Forwarded-Proto gunicorn believes for wsgi.url_scheme: the proxy's address (or
# addresses, comma-separated, CIDR allowed). The client's own address is a matter for Django
# (CMS_TRUSTED_PROXY_COUNT), which reads X-Forwarded-For itself.
forwarded_allow_ips = os.environ.get("CMS_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# Only the header Django reads as well (SECURE_PROXY_SSL_HEADER). gunicorn's default also honours
# X-Forwarded-Ssl and X-Forwarded-Protocol, and refuses a request (400) when they disagree: a client could
# then break its own requests through a proxy that passes those headers on.
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"}

# --- Logs --------------------------------------------------------------------------------------------------

# No access log from gunicorn: the application writes one line per request itself (logger api.access: method,
# path, status, duration and the request id, as JSON in production), and gunicorn's line would repeat it with
# the query string, where preview tokens travel. Requests gunicorn refuses before Django sees them (the 400,
# 414 and 431 of its parser) are in the proxy's access log.
accesslog = None

# gunicorn's own messages (start, stop, worker timeouts, a worker killed for memory) as JSON lines with the
# same fields as the application's (config.settings.production), so that one log collector reads both.
errorlog = "-"
loglevel = os.environ.get("CMS_LOG_LEVEL", "INFO").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message"],
            "timestamp": "time",
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            # No request: the application's lines say "-" there too.
            "static_fields": {"request_id": "-"},
        },
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
    },
    "root": {"level": loglevel.upper(), "handlers": ["stderr"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}

# --- Prometheus, several processes -------------------------------------------------------------------------
# With PROMETHEUS_MULTIPROC_DIR set, every process (these workers, and the task worker on the same machine)
# writes its counters to files there, and /metrics adds them up. The import of prometheus_client stays inside
# the hooks: without the variable this file needs nothing beyond gunicorn.


def _metrics_dir():
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip() or None


def _pid_of(file_name):
    # prometheus_client names its files <kind>_<pid>.db (counter_1234.db, gauge_livesum_1234.db, ...).
    stem = file_name.removesuffix(".db")
    _kind, _sep, pid = stem.rpartition("_")
    return int(pid) if pid.isdigit() else None


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive, and not ours to judge
    return True


def on_starting(server):
    """Empty the metrics directory of what earlier runs left: files of processes that are gone would be added
    to the new counts (old totals, gauges of dead workers), and a new worker that happens to get a pid of the
    last run would continue its file. The files of processes still alive are kept: the task worker shares the
    directory and keeps its files open, so deleting them would hide its counts until it restarts."""
    path = _metrics_dir()
    if path is None:
        return
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        server.log.warning("PROMETHEUS_MULTIPROC_DIR is set but prometheus_client is not installed")
    os.makedirs(path, exist_ok=True)
    removed = kept = 0
    for entry in os.scandir(path):
        if not entry.name.endswith(".db") or not entry.is_file():
            continue
        pid = _pid_of(entry.name)
        if pid is not None and pid != os.getpid() and _alive(pid):
            kept += 1
            continue
        try:
            os.unlink(entry.path)
            removed += 1
        except FileNotFoundError:
            pass
    server.log.info("Prometheus metrics directory %s: %d stale file(s) removed, %d kept", path, removed, kept)


def child_exit(server, worker):
    """A worker is gone (recycled, killed, crashed): drop its live gauges, or /metrics would keep adding the
    last values of a process that no longer exists. Its counters stay: they are part of the totals."""
    if _metrics_dir() is None:
        return
    try:
        from prometheus_client import multiprocess
    except ImportError:
        return
    try:
        multiprocess.mark_process_dead(worker.pid)
    except OSError as error:
        logging.getLogger("gunicorn.error").warning("Could not mark worker %s dead for metrics: %s", worker.pid, error)
