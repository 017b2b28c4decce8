"""The server the journeys drive: the README's demo, served for real on a free loopback port.

The demo's dev settings on a throwaway SQLite file, with the demo content, the demo admin (``create_demo_admin``,
its printed password read back) and the people ``seed.py`` adds (translators limited to their languages, a report
waiting for translation), then ``manage.py runserver`` as ``make demo`` starts it. The webhook and purge worker is
not started: no journey looks at deliveries, and without it their tasks simply wait in the database.

Everything the server writes (database, media, the log of each command and of the server) stays in the work
directory, so a failed run can be read afterwards.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Migrating on a loaded CI machine takes a minute or two: a hang must still end the run.
COMMAND_TIMEOUT = 600
START_TIMEOUT = 90
# Settings a caller's environment may carry that would change what the journeys meet: the journeys run the
# README's demo (three languages, no Redis, this work directory's database and media).
CLEARED = ("CMS_REDIS_URL", "CMS_LANGUAGES", "CMS_DEEPL_API_KEY", "CMS_FRONTEND_PREVIEW_URL", "CMS_FRONTEND_BASE_URL")


class ServerError(RuntimeError):
    """The server could not be prepared or started; the message names the command and ends with its output."""


@dataclass
class Account:
    username: str
    password: str


@dataclass
class Demo:
    """What the journeys need to know about the served demo."""

    url: str
    accounts: dict[str, Account]
    # Ids and titles of the objects the seed made (see seed.py).
    objects: dict = field(default_factory=dict)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JourneyServer:
    def __init__(self, work: Path):
        self.work = work
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = work / "server.log"
        self.process = None
        self.env = {
            **{name: value for name, value in os.environ.items() if name not in CLEARED},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": f"sqlite:///{work / 'journeys.sqlite3'}",
            "CMS_MEDIA_ROOT": str(work / "media"),
            "CMS_STATIC_ROOT": str(work / "static"),
            # Absolute URLs (API links, the preview route of the dev settings) point at this server.
            "CMS_ADMIN_BASE_URL": self.url,
            "CMS_API_BASE_URL": self.url,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
        }

    def prepare(self) -> Demo:
        self.manage("migrate", "--noinput")
        self.manage("load_demo_content")
        admin_log = self.manage("create_demo_admin")
        password = re.search(r"^\s*password:\s*(\S+)\s*$", admin_log, re.MULTILINE)
        if not password:
            raise ServerError(f"create_demo_admin printed no password:\n{admin_log[-2000:]}")
        seeded = self.manage("shell", "--no-imports", "-c", "from tests.journeys.seed import main; main()")
        line = next((line for line in seeded.splitlines() if line.startswith("JOURNEYS ")), None)
        if line is None:
            raise ServerError(f"the journeys' seed printed nothing:\n{seeded[-2000:]}")
        data = json.loads(line.removeprefix("JOURNEYS "))
        accounts = {"editor": Account("admin", password.group(1))}
        accounts.update({role: Account(**account) for role, account in data["accounts"].items()})
        return Demo(url=self.url, accounts=accounts, objects=data["objects"])

    def manage(self, command, *options):
        """``manage.py command`` in the server's environment; its output (also kept in the work directory)."""
        log, started = self.work / f"{command}.log", time.monotonic()
        with log.open("w") as out:
            try:
                completed = subprocess.run(
                    [sys.executable, "manage.py", command, *options],
                    cwd=ROOT,
                    env=self.env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=COMMAND_TIMEOUT,
                )
            except subprocess.TimeoutExpired:
                raise ServerError(f"manage.py {command} did not finish within {COMMAND_TIMEOUT} s ({log})") from None
        output = log.read_text(errors="replace")
        if completed.returncode:
            raise ServerError(f"manage.py {command} failed ({completed.returncode}, {log}):\n{output[-4000:]}")
        print(f"journeys: manage.py {command} ({time.monotonic() - started:.0f} s)", flush=True)
        return output

    def start(self):
        # The demo's server (make demo), threaded as there: a browser asks for many files at once.
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        with self.log_path.open("a") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=log, start_new_session=True
            )
        started = time.monotonic()
        while time.monotonic() < started + START_TIMEOUT:
            if self.process.poll() is not None:
                log = self.log_path.read_text(errors="replace")
                raise ServerError(f"the server exited ({self.process.returncode}):\n{log[-4000:]}")
            try:
                with urllib.request.urlopen(self.url + "/admin/login/", timeout=10) as response:
                    if response.status == 200:
                        print(f"journeys: serving on {self.url} ({time.monotonic() - started:.0f} s)", flush=True)
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.stop()
        raise ServerError(f"the server did not answer within {START_TIMEOUT} s ({self.log_path})")

    def stop(self):
        if self.process and self.process.poll() is None:
            # Its own session: the signal reaches the server and nothing else.
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
