"""Steps of a journey: each one named, timed and photographed.

``journey.step("…")`` wraps what an editor does in one step. When it succeeds, a screenshot of the browser is
written as ``<nn>-<step>.png`` in the journey's folder; when it fails, ``<nn>-<step>-failed.png``, and the error
is raised again as ``StepFailed`` naming the journey, the step and the screenshot, so a red CI run says where the
editor got stuck and what the screen showed.
"""

import re
import time
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


class StepFailed(AssertionError):
    """A journey step failed; the message names the step and its screenshot."""


def file_name(title):
    """A step title as a file name: ASCII, lower case, words joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60]


@dataclass
class StepRecord:
    number: int
    title: str
    seconds: float
    screenshot: Path | None
    outcome: str  # passed, failed


@dataclass
class Journey:
    """One journey: its browser page, its artifacts folder and the steps taken so far."""

    name: str
    page: object
    folder: Path
    # Opens another browser window with its own session (a second user in the same journey).
    new_window: Callable[[], object]
    steps: list[StepRecord] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)
    ended: float | None = None

    def __post_init__(self):
        self.watch(self.page)

    def window(self):
        """A second window (another user), whose uncaught script errors are recorded with this journey's."""
        return self.watch(self.new_window())

    def watch(self, page):
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        return page

    @contextmanager
    def step(self, title, *, page=None):
        """One step of the journey. ``page``: the window to photograph, when not the journey's first one."""
        number = len(self.steps) + 1
        started = time.monotonic()
        target = page or self.page
        try:
            yield
        except Exception as error:
            shot = self.screenshot(target, f"{number:02d}-{file_name(title)}-failed.png")
            self.record(StepRecord(number, title, time.monotonic() - started, shot, "failed"))
            where = f"screenshot {shot}" if shot else "no screenshot"
            message = f"{self.name}, step {number:02d} “{title}” failed ({where}): {type(error).__name__}: {error}"
            raise StepFailed(message) from error
        shot = self.screenshot(target, f"{number:02d}-{file_name(title)}.png")
        self.record(StepRecord(number, title, time.monotonic() - started, shot, "passed"))

    def record(self, step):
        self.steps.append(step)
        self.ended = time.monotonic()

    def screenshot(self, page, name):
        path = self.folder / name
        try:
            page.screenshot(path=path, animations="disabled", timeout=10_000)
        except Exception:  # a crashed or closed page: the step's own error matters more than the picture
            return None
        return path

    @property
    def seconds(self):
        return (self.ended or time.monotonic()) - self.started

    def as_dict(self):
        return {
            "journey": self.name,
            "seconds": round(self.seconds, 1),
            "steps": [
                {
                    "step": f"{step.number:02d}",
                    "title": step.title,
                    "outcome": step.outcome,
                    "seconds": round(step.seconds, 1),
                    # Relative to the artifacts folder, which CI may hand on elsewhere.
                    "screenshot": str(step.screenshot.relative_to(self.folder.parent)) if step.screenshot else None,
                }
                for step in self.steps
            ],
            "page_errors": self.page_errors,
        }
