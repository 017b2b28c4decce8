"""Is this instance up, and can it serve? ``/healthz`` and ``/readyz`` for the proxy, the orchestrator and the
on-call engineer.

- ``/healthz``: the process answers. It touches nothing (no database, no cache), so a slow database never makes
  a supervisor restart healthy processes.
- ``/readyz``: each check of what serving depends on, as JSON, never cached. A check is *critical* when this
  instance cannot serve without it (the database, the schema its code expects): failing, the answer is 503 and
  the proxy should send traffic elsewhere. The others (the shared cache, the task worker, the outbox) fail
  without stopping the API from answering — correct, only slower or with webhooks late — and taking every
  instance out of the proxy for them would turn a late webhook into an outage: the answer is then 200 with
  ``"status": "degraded"``, for monitoring to alert on.

Checks are registered by the apps that own what they check (``register``): the cache by ``api``, the worker
and the outbox by ``frontend_hooks``; the database and migrations here. Each returns a dict with ``ok`` and what
it measured; an exception in a check is its failure (its type only: messages may hold connection strings).
"""

import time
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_safe


@dataclass(frozen=True)
class Check:
    name: str
    run: object
    critical: bool


_checks: dict[str, Check] = {}


def register(name, run, *, critical):
    """Add (or replace) the check ``name``: ``run()`` returns a dict with at least ``ok``."""
    _checks[name] = Check(name, run, critical)


def registered():
    return dict(_checks)


def run_checks():
    """``(status, results)``: status is ``ok``, ``degraded`` (a non-critical check failed) or ``unavailable``."""
    results = {}
    status = "ok"
    for check in _checks.values():
        started = time.perf_counter()
        try:
            result = dict(check.run())
        except Exception as error:  # noqa: BLE001 - any failure of a dependency is that check's answer
            result = {"ok": False, "error": type(error).__name__}
        result["ok"] = bool(result.get("ok"))
        result["critical"] = check.critical
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[check.name] = result
        if not result["ok"]:
            status = "unavailable" if check.critical else ("degraded" if status == "ok" else status)
    return status, results


def non_atomic(view):
    """Outside ``ATOMIC_REQUESTS`` on every database: no transaction to open (``/healthz`` opens no
    connection at all), and a check that fails must not leave one broken."""
    for alias in connections:
        view = transaction.non_atomic_requests(using=alias)(view)
    return view


def _json(data, status=200):
    response = JsonResponse(data, status=status)
    add_never_cache_headers(response)
    return response


@non_atomic
@require_safe
def healthz(request):
    return _json({"status": "ok"})


@non_atomic
@require_safe
def readyz(request):
    status, checks = run_checks()
    return _json({"status": status, "checks": checks}, status=503 if status == "unavailable" else 200)


# --- The checks of what every instance needs -------------------------------------------------------------


def database():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connections[DEFAULT_DB_ALIAS].vendor}


# Migrations are never unapplied under a running instance: once all are applied, the answer stays true and the
# check costs nothing more (reading the migration graph costs ~0.1 s). Until then it is asked each time.
_migrations_applied = False


def migrations():
    global _migrations_applied
    if not _migrations_applied:
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        unapplied = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if unapplied:
            return {"ok": False, "unapplied": len(unapplied)}
        _migrations_applied = True
    return {"ok": True, "unapplied": 0}


def forget_migrations():
    """For tests: ask the database again."""
    global _migrations_applied
    _migrations_applied = False


register("database", database, critical=True)
register("migrations", migrations, critical=True)
