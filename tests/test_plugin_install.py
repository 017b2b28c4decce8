"""The plugin installs into a Wagtail site of its own, as the README's "Add to an existing Wagtail site" says.

Builds the wheel from this repository, installs it into a fresh virtualenv (from the package index pip uses
here), creates a throwaway site with ``wagtail start``, appends the README's settings and URL blocks to it as
they are, migrates SQLite, publishes an event report there and reads it back from the API over HTTP.
Nothing of this repository is on that site's path: every command runs in the temporary directory with a
clean environment, and the site proves that ``config`` cannot be imported and that ``cms`` comes from the
virtualenv.
"""

import ast
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from django.conf import global_settings

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("cms", "blocks", "api", "frontend_hooks")
# Never copied for the build: the site's working files, caches and earlier build output.
TOP_LEVEL_SKIP = {".git", ".venv", "media", "static", ".test-media", ".hypothesis", "build", "dist", "db.sqlite3"}
ANYWHERE_SKIP = ("__pycache__", "*.pyc", "*.egg-info", ".import_linter_cache")

README_SECTION = "Add to an existing Wagtail site"


def readme_site_changes(api_base_url):
    """The README's two Python blocks of that section, as they are: the settings a site appends to its
    settings, and its URL patterns; only WAGTAILAPI_BASE_URL becomes this test's server."""
    text = (REPO / "README.md").read_text()
    assert f"\n## {README_SECTION}\n" in text, f"README.md has no section {README_SECTION!r}"
    section = text.split(f"\n## {README_SECTION}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 2, "the README section shows the settings, then the URLs, as two Python blocks"
    settings, urls = blocks
    settings, count = re.subn(
        r"^WAGTAILAPI_BASE_URL = .*$", f'WAGTAILAPI_BASE_URL = "{api_base_url}"', settings, flags=re.M
    )
    assert count == 1, "the README's settings set WAGTAILAPI_BASE_URL"
    frontend = re.search(r'^CMS_FRONTEND_BASE_URL = "([^"]+)"', settings, re.M)
    assert frontend, "the README's settings set CMS_FRONTEND_BASE_URL"
    return settings, urls, frontend.group(1).rstrip("/")


# Run in the site with ``manage.py shell -c``: where the code comes from, the catalogues and formats the wheel
# carries, and a published report under the site's home page.
CREATE_REPORT = """
import datetime, importlib.util, json, sys
import cms
from django.utils import formats, translation
from wagtail.models import Site
from cms.models import EventReportIndexPage, EventReportPage

home = Site.objects.get(is_default_site=True).root_page
index = home.add_child(instance=EventReportIndexPage(title="Pasākumi", slug="pasakumi"))
index.save_revision().publish()
report = index.add_child(instance=EventReportPage(
    title="Sociālā uzņēmējdarbība", slug="socialais-forums", lead="Tiešsaistes mini forums.",
    start_date=datetime.date(2020, 10, 28), event_format="online",
    body=[("paragraph", "<p>Forumā runāja par sociālo uzņēmējdarbību.</p>")],
))
report.save_revision().publish()
with translation.override("lv"):
    follow_up = translation.gettext("Follow-up activity")
with translation.override("ltg"):
    ltg_date = formats.date_format(datetime.date(2020, 10, 28))
print(json.dumps({
    "report": report.pk,
    "cms_file": cms.__file__,
    "config_importable": importlib.util.find_spec("config") is not None,
    "sys_path": sys.path,
    "lv_follow_up": follow_up,
    "ltg_known": translation.check_for_language("ltg"),
    "ltg_date": ltg_date,
}))
"""


def clean_env():
    """The environment of every command here, less anything that would point into this repository or its
    settings (PYTHONPATH, DJANGO_SETTINGS_MODULE, DATABASE_URL, CMS_*, an activated virtualenv)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTHON", "DJANGO_", "CMS_", "VIRTUAL_ENV")) and name != "DATABASE_URL"
    }
    path = [entry for entry in env.get("PATH", "").split(os.pathsep) if entry and not entry.startswith(str(REPO))]
    env["PATH"] = os.pathsep.join(path)
    env["PYTHONNOUSERSITE"] = "1"
    return env


def run(args, cwd, env, timeout=300):
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(map(str, args))} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def copy_source(target):
    def ignore(directory, names):
        skipped = set(shutil.ignore_patterns(*ANYWHERE_SKIP)(directory, names))
        if Path(directory) == REPO:
            skipped |= TOP_LEVEL_SKIP & set(names)
        return skipped

    shutil.copytree(REPO, target, ignore=ignore)


def package_files(root):
    """Every file of the four packages under ``root``, as it should appear in the wheel."""
    return {
        path.relative_to(root).as_posix()
        for package in PACKAGES
        for path in (root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url):
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.status == 200, url
        return json.loads(response.read())


def wait_for_server(process, port, log, deadline=60):
    start = time.monotonic()
    while time.monotonic() - start < deadline:
        if process.poll() is not None:
            pytest.fail(f"runserver exited with {process.returncode}:\n{log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"runserver did not answer on port {port} within {deadline} s:\n{log.read_text()}")


def stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


# Read without a default although Django has none: every site sets them (Django serves no request without
# ROOT_URLCONF; Wagtail's admin reads WAGTAIL_SITE_NAME without a default).
EVERY_SITE_HAS = {"ROOT_URLCONF", "WAGTAIL_SITE_NAME"}


def settings_read_without_default(path):
    """``settings.NAME`` and two-argument ``getattr(settings, "NAME")`` in a module, for names Django has no
    default for."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        name = None
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "settings":
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) == 2
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "settings"
            and isinstance(node.args[1], ast.Constant)
        ):
            name = node.args[1].value
        if name and name.isupper() and not hasattr(global_settings, name) and name not in EVERY_SITE_HAS:
            found.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}")
    return found


def test_every_setting_the_plugin_reads_has_a_default():
    # A site of its own sets none of this site's settings (config/): each read needs a default, e.g.
    # getattr(settings, "CMS_API_MAX_AGE", 300), or Wagtail's own accessor (get_content_languages()).
    modules = [
        path for package in PACKAGES for path in (REPO / package).rglob("*.py") if "migrations" not in path.parts
    ]
    assert [read for path in sorted(modules) for read in settings_read_without_default(path)] == []


@pytest.mark.slow
def test_the_wheel_installs_into_a_fresh_wagtail_site_and_serves_the_api(tmp_path):
    started = time.monotonic()
    env = clean_env()

    # 1. The wheel, built from a copy so that the working tree gets no build/ or *.egg-info.
    source, wheels = tmp_path / "source", tmp_path / "wheels"
    copy_source(source)
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, source], tmp_path, env)
    (wheel,) = wheels.glob("novads_cms-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = [name for name in archive.namelist() if ".dist-info/" not in name]
    assert {name.split("/")[0] for name in names} == set(PACKAGES)
    # Everything the apps hold is shipped: templates, catalogues (.po and .mo), migrations, formats.
    assert set(names) == package_files(source)
    for required in (
        "cms/locale/lv/LC_MESSAGES/django.mo",
        "cms/locale/ltg/LC_MESSAGES/django.mo",
        "cms/locale/ltg/LC_MESSAGES/django.po",
        "cms/templates/cms/event_report_page.html",
        "blocks/templates/blocks/speaker.html",
        "api/templates/api/docs.html",
        "cms/migrations/0001_initial.py",
        "cms/formats/ltg/formats.py",
    ):
        assert required in names

    # 2. A fresh virtualenv with the wheel and its dependencies, and a new site made by Wagtail's own template.
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path, env)
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", wheel], tmp_path, env, timeout=600)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    run([venv / "bin" / "wagtail", "start", "reports_site"], tmp_path, env)
    site = tmp_path / "reports_site"
    port = free_port()
    site_settings, site_urls, frontend = readme_site_changes(f"http://127.0.0.1:{port}")
    with (site / "reports_site" / "settings" / "base.py").open("a") as settings:
        settings.write("\n" + site_settings)
    with (site / "reports_site" / "urls.py").open("a") as urls:
        urls.write("\n" + site_urls)

    manage = [python, "manage.py"]
    run([*manage, "check", "--fail-level", "WARNING"], site, env)
    # The plugin's migrations fit its models whatever the site's DEFAULT_AUTO_FIELD.
    run([*manage, "makemigrations", "--check", "--dry-run"], site, env)
    run([*manage, "migrate", "--noinput"], site, env)
    created = json.loads(run([*manage, "shell", "-c", CREATE_REPORT], site, env).strip().splitlines()[-1])

    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    assert Path(created["cms_file"]).is_relative_to(site_packages)
    assert created["config_importable"] is False
    assert not [entry for entry in created["sys_path"] if entry and Path(entry).is_relative_to(REPO)]
    # The catalogues are found as the cms app's, Latgalian included (LANG_INFO from the app, formats too).
    assert created["lv_follow_up"] not in ("", "Follow-up activity")
    assert created["ltg_known"] is True
    assert created["ltg_date"] == "2020. goda 28. oktobris"

    # 3. The API, served by the site over HTTP.
    log = tmp_path / "runserver.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=site,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_server(server, port, log)
        base = f"http://127.0.0.1:{port}/api/v2"
        listing = get_json(f"{base}/pages/?type=cms.EventReportPage")
        assert listing["meta"]["total_count"] == 1
        (item,) = listing["items"]
        assert item["id"] == created["report"]
        assert item["title"] == "Sociālā uzņēmējdarbība"
        assert item["meta"]["detail_url"] == f"{base}/pages/{created['report']}/"
        detail = get_json(item["meta"]["detail_url"])
        assert detail["title"] == "Sociālā uzņēmējdarbība"
        assert "Forumā runāja par sociālo uzņēmējdarbību." in json.dumps(detail["body"], ensure_ascii=False)
        assert detail["meta"]["html_url"] == f"{frontend}/pasakumi/socialais-forums/"
        # The API's description, and its page rendered from the template the wheel carries.
        assert "/api/v2/pages/" in get_json(f"{base}/schema/")["paths"]
        with urllib.request.urlopen(f"{base}/docs/", timeout=30) as response:
            assert response.status == 200
            assert "/api/v2/schema/" in response.read().decode()
    finally:
        stop(server)
    print(f"plugin install test: {time.monotonic() - started:.0f} s")
