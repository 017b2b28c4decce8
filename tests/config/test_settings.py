"""Production settings refuse to start half-configured and pass Django's deployment checks; logs name the
request they belong to (JSON lines in production, plain text elsewhere)."""

import json
import os
import re
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 64 + "-a-long-random-production-key-for-the-deploy-check",
    "DATABASE_URL": "sqlite:////tmp/novads-cms-deploy-check.sqlite3",
    "ALLOWED_HOSTS": "cms.example.org",
    "CMS_ADMIN_BASE_URL": "https://cms.example.org",
    "CMS_FRONTEND_BASE_URL": "https://www.example.org",
    "CMS_REDIS_URL": "redis://127.0.0.1:6379/9",
}


def run_manage(*args, env):
    clean_env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_required_variables():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "Missing required environment variable(s) for production: SECRET_KEY, DATABASE_URL" in result.stderr


def test_deploy_check_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


PLAIN_HTTP = """
from django.test import Client
client = Client(HTTP_HOST="cms.example.org")
print(" ".join(str(client.get(path).status_code) for path in ("/healthz", "/api/v2/pages/", "/admin/login/")))
"""


def test_health_checks_are_not_redirected_to_https_but_the_site_is():
    result = run_manage("shell", "-c", PLAIN_HTTP, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["200", "301", "301"], result.stdout


LOG_A_FAULT = """
import logging
from api import logging as request_ids
request_ids.bind("req-0123456789")
try:
    raise RuntimeError("the fault")
except RuntimeError:
    logging.getLogger("api.errors").exception("Internal Server Error: %s", "/api/v2/pages/")
"""


def test_production_logs_are_json_lines_with_the_request_id():
    result = run_manage("shell", "-c", LOG_A_FAULT, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    fault = next(record for record in records if record["logger"] == "api.errors")
    assert fault["level"] == "ERROR"
    assert fault["message"] == "Internal Server Error: /api/v2/pages/"
    assert fault["request_id"] == "req-0123456789"
    assert "RuntimeError: the fault" in fault["exception"] and "Traceback" in fault["exception"]
    assert fault["time"].startswith(("20", "19"))
    # Records outside a request say so.
    assert {record["request_id"] for record in records if record is not fault} <= {"-"}


def test_plain_text_logs_show_the_request_id():
    result = run_manage("shell", "-c", LOG_A_FAULT, env={"DJANGO_SETTINGS_MODULE": "config.settings.dev"})
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if "Internal Server Error" in line)
    assert re.search(r" ERROR api\.errors \[req-0123456789\] Internal Server Error: /api/v2/pages/$", line), line
    assert "RuntimeError: the fault" in result.stderr
