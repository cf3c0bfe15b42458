"""Fixtures for the dashboard tests: fixed lessons, recorded runs, nothing that varies.

No test here starts a process except the end-to-end test: runs are replayed from
recordings (mptui/tui/recordings.py) with fixed pids and times, and the lessons are
short fixed copies (tests/tui/fixtures/), so the snapshots do not change when a lesson's
text is polished.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import pytest
from textual.widgets import Input

from mptui.engine.session import Program as StandInProgram
from mptui.scenarios import Lesson, Param
from mptui.tui import app as app_module
from mptui.tui import glyphs
from mptui.tui.app import MptuiApp
from mptui.tui.replay import ReplaySession
from mptui.tui.widgets import run_header

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _lesson(name: str, title: str, file: str, *params: Param) -> Lesson:
    return Lesson(
        name=name,
        title=title,
        explanation=f"What the {name} lesson shows, in one fixed sentence for the tests.",
        path=FIXTURES / file,
        params=params,
    )


def _int(name: str, default: int, help_text: str, high: int = 1000) -> Param:
    return Param(name, int, default, help_text, None, low=1, high=high)


def _float(name: str, default: float, help_text: str) -> Param:
    return Param(name, float, default, help_text, None, low=0, high=60)


LESSONS = (
    _lesson("hello", "Start a process and join it", "hello.py", _float("work", 0.1, "seconds")),
    _lesson("args", "Pass arguments to a process", "hello.py", _int("times", 3, "greetings")),
    _lesson("squares", "Compute in a child process", "hello.py", _int("count", 5, "numbers")),
    _lesson("two-processes", "Run two processes at once", "hello.py", _int("count", 6, "n")),
    _lesson("queue", "Collect results through a Queue", "queue_evens.py",
            _int("count", 8, "check the numbers 1 to count", high=100_000),
            _float("delay", 0.05, "seconds between two results")),
    _lesson("pipe", "Send a message through a Pipe", "hello.py"),
    _lesson("lock", "Take turns with a Lock", "lock.py",
            _int("workers", 4, "how many processes share the lock", high=32),
            _int("rounds", 3, "how many times each worker takes it"),
            _float("hold", 0.05, "seconds a worker holds the lock")),
    _lesson("logging", "Log from several processes", "hello.py",
            Param("level", str, "INFO", "lowest level printed",
                  ("DEBUG", "INFO", "WARNING", "ERROR"))),
)  # fmt: skip
"""The eight lessons, by their real names, with fixed texts and small fixed sources."""


@pytest.fixture(autouse=True)
def deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same screen on every machine: Python version, default start method, no cursor blink."""
    monkeypatch.setattr(run_header, "PYTHON_VERSION", "3.x")
    monkeypatch.setattr(app_module, "default_start_method", lambda: "fork")
    monkeypatch.setattr(app_module, "start_methods", lambda: (None, "fork", "spawn", "forkserver"))
    monkeypatch.setattr(app_module, "program_class", lambda: StandInProgram)
    monkeypatch.setattr(Input, "cursor_blink", False)
    # Unicode glyphs whatever terminal runs the tests (TERM=linux or dumb would pick ASCII).
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("MPTUI_GLYPHS", raising=False)
    glyphs.use(glyphs.UNICODE)


class Sessions:
    """A session factory that remembers every session it made."""

    def __init__(self, until_ms: float | None) -> None:
        self.until_ms = until_ms
        self.made: list[ReplaySession] = []

    def __call__(self, program: Any) -> ReplaySession:
        session = ReplaySession(program, until_ms=self.until_ms)
        self.made.append(session)
        return session

    @property
    def last(self) -> ReplaySession:
        return self.made[-1]


@pytest.fixture
def make_app() -> Callable[..., MptuiApp]:
    """``make_app(autostart="lock", until_ms=300, ...)``: an app on replayed sessions.

    ``app.sessions`` is the factory, so a test can reach every session the app made.
    """

    def make(until_ms: float | None = 300, **options: Any) -> MptuiApp:
        sessions = Sessions(until_ms)
        options.setdefault("lessons", LESSONS)
        app = MptuiApp(session_factory=sessions, **options)
        app.sessions = sessions  # type: ignore[attr-defined]
        return app

    return make


async def settle(pilot: Any) -> None:
    """Wait until the app has started what a key asked for, then draw a frame."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.refresh_now()
    await pilot.pause()


@pytest.fixture
def settled() -> Callable[[Any], Any]:
    """``await settled(pilot)``: see :func:`settle`."""
    return settle
