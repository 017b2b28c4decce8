"""Real-browser journeys: Debian's Chromium, driven by Playwright, against the demo served for real.

Run by ``make journeys`` (part of ``make test``); the default ``pytest`` run leaves them out (the ``journeys``
marker, deselected in pyproject.toml), so the unit tests stay fast. One server for the session (``server.py``),
one fresh browser context per journey. Screenshots of every step go to ``build/journeys/<journey>/``
(``JOURNEYS_ARTIFACTS`` moves them), with ``summary.json``: each journey's steps, their outcome and time.
"""

import json
import os
import shutil
import time
import zlib
from pathlib import Path

import pytest

from .server import ROOT, JourneyServer
from .steps import Journey

ARTIFACTS = Path(os.environ.get("JOURNEYS_ARTIFACTS") or ROOT / "build" / "journeys")
CHROMIUM = os.environ.get("JOURNEYS_CHROMIUM") or "/usr/bin/chromium"
# Headless, and without the background services that call Google's hosts: they fail noisily where there is no
# network, and no journey may depend on them. --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1400, "height": 1000}
# A loaded CI machine serving the admin from runserver: long enough for a save with many blocks.
TIMEOUT_MS = 20_000

_session = {"journeys": [], "server_seconds": None, "started": None}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # Every test here is a journey: marked before the default run's ``-m 'not journeys'`` is applied, so that a
    # new journey cannot slip into the unit tests' run.
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.journeys)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments, pointed at Debian's Chromium (Playwright's own browser download
    cannot work on these machines; ``make browser`` installs Debian's)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"no Chromium at {CHROMIUM}: `make browser` installs Debian's package (as root), "
            "or set JOURNEYS_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts():
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    _session["started"] = time.monotonic()
    return ARTIFACTS


@pytest.fixture(scope="session")
def demo(artifacts):
    """The served demo (see server.py), for the whole session."""
    started = time.monotonic()
    work = artifacts / "server"
    work.mkdir()
    server = JourneyServer(work)
    try:
        prepared = server.prepare()
        server.start()
        _session["server_seconds"] = time.monotonic() - started
        yield prepared
    finally:
        server.stop()


@pytest.fixture
def journey(browser, demo, artifacts):
    """Starts a journey: ``journey("editor")`` is a fresh, logged-out browser window (a context of its own) with
    its screenshots in ``build/journeys/editor/``; ``viewport=`` and Playwright's other context options (e.g.
    ``is_mobile=True``) as keywords."""
    contexts = []

    def new_page(viewport=DESKTOP, **options):
        context = browser.new_context(
            base_url=demo.url, viewport=viewport, locale="lv-LV", timezone_id="Europe/Riga", **options
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    def start(name, **options):
        folder = artifacts / name
        folder.mkdir(parents=True, exist_ok=True)
        started = Journey(name, new_page(**options), folder, new_window=lambda: new_page(**options))
        _session["journeys"].append(started)
        return started

    yield start
    for context in contexts:
        context.close()


@pytest.fixture
def hero_image(tmp_path, request):
    """A picture to upload: blue, with yellow stripes along the bottom (what the journeys' alt text says). Each
    test's differs by a shade, or Wagtail would offer the second upload as a duplicate of the first."""
    from PIL import Image, ImageDraw

    shade = zlib.crc32(request.node.nodeid.encode()) % 64
    picture = Image.new("RGB", (1200, 800), (32, 96, 160 + shade))
    draw = ImageDraw.Draw(picture)
    for left in range(0, 1200, 80):
        draw.rectangle([left, 560, left + 40, 800], fill=(240, 200, 40))
    path = tmp_path / "darbnica.png"
    picture.save(path)
    return path


def pytest_terminal_summary(terminalreporter):
    journeys = _session["journeys"]
    if not journeys:
        return
    terminalreporter.section("journeys")
    total = time.monotonic() - _session["started"]
    summary = {"total_seconds": round(total, 1), "server_seconds": _session["server_seconds"], "journeys": []}
    if _session["server_seconds"] is not None:
        summary["server_seconds"] = round(_session["server_seconds"], 1)
        terminalreporter.write_line(f"server: migrate, demo content, seed, start: {_session['server_seconds']:.0f} s")
    for journey in journeys:
        outcomes = {}
        for step in journey.steps:
            outcomes[step.outcome] = outcomes.get(step.outcome, 0) + 1
        said = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items()))
        terminalreporter.write_line(f"{journey.name}: {len(journey.steps)} steps ({said}), {journey.seconds:.0f} s")
        if journey.page_errors:
            terminalreporter.write_line(f"  script errors in the page: {journey.page_errors}")
        summary["journeys"].append(journey.as_dict())
    terminalreporter.write_line(f"all journeys, server included: {total:.0f} s")
    (ARTIFACTS / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    terminalreporter.write_line(f"screenshots and summary.json: {ARTIFACTS}")
