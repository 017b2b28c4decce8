"""A backup restores: the same API answers, byte for byte, and the same media files (deploy/backup.sh,
deploy/restore.sh, run as they are, against a site of their own).

The site is outside the test database: a database migrated and loaded with the demo content, an image (a
person's photo, so that the API makes renditions) and a document, served by gunicorn with
deploy/gunicorn.conf.py. Its API answers and media files are recorded, the backup is taken while it serves, an
edit is published after it, and a restore without ``--yes`` and one of a damaged backup are refused. Then the data
is destroyed (the database dropped or deleted, the media directory removed), restored and served again: every
answer must be what it was before the backup (only what differs per request, the request id, is left out).

Always on SQLite (the demo's dev settings; the backup uses the sqlite3 program where there is one, the restore
Python's sqlite3 module). On PostgreSQL too when ``DATABASE_URL`` names one, as in CI: a database of its own,
``novads_cms_restore_test``, created and dropped here (never the one in ``DATABASE_URL``), with production settings
and Redis (database 12, ``CMS_TEST_RESTORE_REDIS_URL``) when Redis answers. There the edit after the backup fills
Redis with answers newer than the backup, which only the restore's cache step removes; and PostgreSQL is first
restored over the live, edited database (with a table a newer release would have added) before it is dropped
and restored from nothing.
"""

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BACKUP = ROOT / "deploy" / "backup.sh"
RESTORE = ROOT / "deploy" / "restore.sh"
GUNICORN_CONF = ROOT / "deploy" / "gunicorn.conf.py"
RESTORE_DATABASE = "novads_cms_restore_test"
REDIS_URL = os.environ.get("CMS_TEST_RESTORE_REDIS_URL", "redis://127.0.0.1:6379/12")
# Migrating a fresh database takes 15-25 s here; a loaded CI machine may need much longer.
COMMAND_TIMEOUT = 600

pytestmark = pytest.mark.slow

# Headers that differ per request or per connection; every other header must come back the same.
PER_REQUEST_HEADERS = frozenset({"x-request-id", "date", "server", "connection", "keep-alive"})

# Run in the site with ``manage.py shell -c``: the demo content, then an image that a published person shows as
# photo (the people listing carries its renditions) and a document. Prints the ids as JSON on its last line.
BUILD = """
import json
from django.core.files.base import ContentFile
from django.core.management import call_command
from wagtail.models import Collection
from cms.factories.media import DocumentFactory, ImageFactory
from cms.models import Person

call_command("load_demo_content", verbosity=0)
root = Collection.get_first_root_node()
image = ImageFactory(collection=root, title="Miniforuma dalībnieki", file__width=640, file__height=480,
                     file__color="green", file__filename="dalibnieki.png")
document = DocumentFactory(collection=root, title="Programma")
document.file.save("programma.pdf", ContentFile(b"%PDF-1.4 programma\\n%%EOF\\n"), save=True)
person = Person.objects.filter(live=True, locale__language_code="lv").order_by("pk").first()
person.photo = image
person.save_revision().publish()
print(json.dumps({"image": image.pk, "document": document.pk, "person": person.pk}))
"""

# An editor's change after the backup: the restore must take it back.
EDIT = """
from cms.models import Person
person = Person.objects.get(pk={person})
person.name = person.name + " (labots pēc rezerves kopijas)"
person.save_revision().publish()
"""

POSTGRES_URL = os.environ.get("DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL.startswith(("postgres://", "postgresql://")) else [])


@pytest.fixture(scope="module")
def sites(request, tmp_path_factory):
    """The sites of the backends this run tests, all built at once in the background: migrating a fresh
    database is most of this test's time, so the PostgreSQL site migrates while the SQLite one is tested."""
    selected = {
        item.callspec.params["backend"]
        for item in request.session.items
        if item.module.__name__ == __name__ and hasattr(item, "callspec")
    }
    built = {backend: Site(backend, tmp_path_factory.mktemp(backend)) for backend in BACKENDS if backend in selected}
    try:
        for site in built.values():
            site.open()
            site.start_building()
        yield built
    finally:
        for site in built.values():
            site.close()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_restored_backup_answers_as_the_site_did(backend, sites):
    site = sites[backend]
    site.wait_built()
    with site.serving():
        before = site.answers()
    media_before = tree(site.media)
    assert any(path.startswith("original_images/") for path in media_before), "the image is on disk"
    assert any(path.startswith("images/") for path in media_before), "its renditions are on disk"

    with site.serving():  # backups are taken while the site serves
        made = site.script(BACKUP, str(site.tmp / "backups"))
    backup = Path(made.stdout.strip().splitlines()[-1])
    assert backup.parent == site.tmp / "backups" and (backup / "SHA256SUMS").is_file()
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["engine"] == backend
    assert manifest["media"]["files"] == len(media_before)

    site.manage("shell", "--no-imports", "-c", EDIT.format(person=site.ids["person"]))
    if site.redis:
        # The shared cache now holds the edited answers, under the generations of after the edit.
        with site.serving():
            edited = site.answers()
        assert edited["/api/v2/people/"] != before["/api/v2/people/"]

    refused = site.script(RESTORE, str(backup), check=False)
    assert refused.returncode == 2, refused.stderr
    assert "--yes" in refused.stderr
    damaged = site.tmp / "damaged"
    shutil.copytree(backup, damaged)
    with (damaged / "media.tar").open("ab") as file:
        file.write(b"\0")
    refused = site.script(RESTORE, "--yes", str(damaged), check=False)
    assert refused.returncode == 3, refused.stderr
    assert "damaged" in refused.stderr

    if backend == "postgresql":
        # Over the live database: the edit goes, and so does what a newer release would have added.
        site.sql("CREATE TABLE newer_release_table (id integer)")
        restored = site.script(RESTORE, "--yes", str(backup))
        assert "emptied" in restored.stdout
        assert site.sql("SELECT to_regclass('newer_release_table')") is None
        assert tree(site.media) == media_before
        with site.serving():
            assert site.answers() == before

    site.destroy()
    restored = site.script(RESTORE, str(backup), sqlite_cli=False)
    assert "created" in restored.stdout
    assert "manage.py migrate --noinput" in restored.stdout
    assert tree(site.media) == media_before
    with site.serving():
        after = site.answers()
    assert after.keys() == before.keys()
    for path in before:
        assert after[path] == before[path], path
    assert tree(site.media) == media_before, "serving the restored site made no new files"


def tree(directory):
    """Every file under ``directory`` (relative path -> SHA-256)."""
    return {
        str(path.relative_to(directory)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def without_request_id(status, body):
    """As tests/api/test_cache_oracle.py's ``comparable``: an error's body names its own request."""
    if status >= 400 and body.startswith(b"{"):
        data = json.loads(body)
        data.pop("request_id", None)
        return data
    return body


class Site:
    """The site under test: its settings (environment), database, media directory and server."""

    def __init__(self, backend, tmp_path):
        self.backend = backend
        self.tmp = tmp_path
        self.media = tmp_path / "media"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.ids = {}
        self.redis = False
        self._builder = None
        self._build_error = None
        self.env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("CMS_", "PG", "PROMETHEUS_", "DJANGO_", "DATABASE_URL", "SECRET_KEY"))
        }
        self.env.update(
            {
                "CMS_MEDIA_ROOT": str(self.media),
                "CMS_STATIC_ROOT": str(tmp_path / "static"),
                "CMS_ADMIN_BASE_URL": self.base_url,
                "CMS_API_BASE_URL": self.base_url,
                # The change feed shows events at once: the first answers come seconds after the content.
                "CMS_CHANGE_FEED_SETTLE_SECONDS": "0",
                "CMS_LOG_LEVEL": "WARNING",
                "CMS_ACCESS_LOG_LEVEL": "WARNING",
                "CMS_PYTHON": sys.executable,
                "CMS_BIND": f"127.0.0.1:{self.port}",
                "CMS_WEB_WORKERS": "1",
                "CMS_WEB_THREADS": "2",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if backend == "sqlite":
            self.database = tmp_path / "site.sqlite3"
            self.env.update(
                {"DJANGO_SETTINGS_MODULE": "config.settings.dev", "DATABASE_URL": f"sqlite:///{self.database}"}
            )
        else:
            for tool in ("pg_dump", "pg_restore", "psql", "createdb"):
                assert shutil.which(tool), f"{tool} is missing: apt-get install postgresql-client"
            self.database_url = urllib.parse.urlunsplit(
                urllib.parse.urlsplit(POSTGRES_URL)._replace(path=f"/{RESTORE_DATABASE}")
            )
            self.env["DATABASE_URL"] = self.database_url
            self.redis = redis_answers()
            if self.redis:
                self.env.update(
                    {
                        "DJANGO_SETTINGS_MODULE": "config.settings.production",
                        "SECRET_KEY": "test-only-restore-key-" + "x" * 40,
                        "ALLOWED_HOSTS": "127.0.0.1,localhost",
                        "CMS_FRONTEND_BASE_URL": "http://127.0.0.1:3000",
                        "CMS_REDIS_URL": REDIS_URL,
                        "CMS_SECURE_SSL_REDIRECT": "false",
                    }
                )
            else:
                self.env["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"

    # --- the data ----------------------------------------------------------------------------------------
    def open(self):
        if self.backend == "postgresql":
            self._maintenance("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            self._maintenance("CREATE DATABASE {}")
        if self.redis:
            flush_redis()

    def close(self):
        if self._builder is not None:
            self._builder.join()
        if self.backend == "postgresql":
            self._maintenance("DROP DATABASE IF EXISTS {} WITH (FORCE)")
        if self.redis:
            flush_redis()

    def start_building(self):
        self._builder = threading.Thread(target=self._build, name=f"build-{self.backend}")
        self._builder.start()

    def _build(self):
        try:
            self.manage("migrate", "--noinput", "--skip-checks")
            output = self.manage("shell", "--no-imports", "-c", BUILD).stdout
            self.ids = json.loads(output.strip().splitlines()[-1])
        except BaseException as error:  # re-raised in the test that waits for this site
            self._build_error = error

    def wait_built(self):
        self._builder.join()
        if self._build_error is not None:
            raise self._build_error

    def destroy(self):
        if self.backend == "postgresql":
            self._maintenance("DROP DATABASE {} WITH (FORCE)")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.database}{suffix}").unlink(missing_ok=True)
        shutil.rmtree(self.media)

    def sql(self, statement):
        """Run ``statement`` in the site's PostgreSQL database; the first value of its first row, if any."""
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(statement)
            return cursor.fetchone()[0] if cursor.description else None

    def _maintenance(self, statement):
        import psycopg
        from psycopg import sql

        maintenance = urllib.parse.urlunsplit(urllib.parse.urlsplit(self.database_url)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(sql.SQL(statement).format(sql.Identifier(RESTORE_DATABASE)))

    # --- commands ----------------------------------------------------------------------------------------
    def manage(self, *arguments):
        return run([sys.executable, "manage.py", *arguments], self.env)

    def script(self, script, *arguments, check=True, sqlite_cli=True):
        env = dict(self.env)
        if not sqlite_cli:
            env["CMS_SQLITE3"] = ""  # Python's sqlite3 module instead of the sqlite3 program
        return run(["bash", str(script), *arguments], env, check=check)

    # --- serving -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def serving(self):
        log = (self.tmp / "gunicorn.log").open("a")
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF), "config.wsgi:application"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                assert process.poll() is None, f"gunicorn exited: {(self.tmp / 'gunicorn.log').read_text()[-3000:]}"
                with contextlib.suppress(OSError):
                    if self.get("/healthz")[0] == 200:
                        break
                assert time.monotonic() < deadline, "gunicorn did not answer /healthz within 60 s"
                time.sleep(0.2)
            yield
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            log.close()

    def get(self, path):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request("GET", path, headers={"Accept": "application/json"})
            response = connection.getresponse()
            body = response.read()
            headers = tuple(
                sorted(
                    (name.lower(), value)
                    for name, value in response.getheaders()
                    if name.lower() not in PER_REQUEST_HEADERS
                )
            )
            return response.status, headers, body
        finally:
            connection.close()

    def answers(self):
        """path -> (status, headers, body) of what a front-end asks for: listings and details of reports, people,
        organisations, an image, a document, the change feed, a 404; the files they link to."""
        paths = [
            "/api/v2/pages/?type=cms.EventReportPage",
            "/api/v2/pages/?type=cms.EventReportPage&locale=en",
            "/api/v2/people/",
            f"/api/v2/people/{self.ids['person']}/",
            "/api/v2/organisations/",
            f"/api/v2/images/{self.ids['image']}/",
            f"/api/v2/documents/{self.ids['document']}/",
            "/api/v2/changes/?limit=100",
            "/api/v2/pages/999999/",
        ]
        answers = {}
        for path in paths:
            status, headers, body = self.get(path)
            answers[path] = (status, headers, without_request_id(status, body))
        listing = json.loads(answers[paths[0]][2])
        assert listing["items"], "the demo report is listed"
        detail = f"/api/v2/pages/{listing['items'][0]['id']}/"
        status, headers, body = self.get(detail)
        assert status == 200, body
        answers[detail] = (status, headers, body)
        # The document's file, served by the CMS (private documents are checked there).
        document = json.loads(answers[f"/api/v2/documents/{self.ids['document']}/"][2])
        download = urllib.parse.urlsplit(document["meta"]["download_url"]).path
        answers[download] = self.get(download)
        assert answers[download][0] == 200 and answers[download][2].startswith(b"%PDF")
        if self.env["DJANGO_SETTINGS_MODULE"].endswith(".dev"):
            # The demo serves media itself (in production the proxy does): a rendition's bytes.
            image = json.loads(answers[f"/api/v2/images/{self.ids['image']}/"][2])
            rendition = urllib.parse.urlsplit(first_rendition_url(image)).path
            answers[rendition] = self.get(rendition)
            assert answers[rendition][0] == 200
        return answers


def first_rendition_url(data):
    """The first rendition URL anywhere in an image's JSON."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "url" and isinstance(value, str) and "/images/" in value:
                return value
            found = first_rendition_url(value)
            if found:
                return found
    elif isinstance(data, list):
        for value in data:
            found = first_rendition_url(value)
            if found:
                return found
    return None


def run(command, env, check=True):
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False
    )
    if check and completed.returncode:
        name = " ".join(command[:3])
        output = f"{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}"
        raise AssertionError(f"{name} failed ({completed.returncode}):\n{output}")
    return completed


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CMS_TEST_REQUIRE_REDIS") == "1":
            pytest.fail(f"CMS_TEST_REQUIRE_REDIS=1 but Redis at {REDIS_URL} does not answer")
        return False
    return True


def flush_redis():
    """Database 12 is this test's own: what an earlier run cached (other ids) must not be served."""
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).flushdb()
