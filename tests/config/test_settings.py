"""Production settings refuse to start half-configured and pass Django's deployment checks."""

import os
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
