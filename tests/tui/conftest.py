"""Fixtures for the dashboard tests: recordings of real runs, fixed lessons, fixed clocks.

Most tests here start no process: each run is a replay of a recording of a real lesson run
kept in tests/tui/recordings/ (made, and re-made after the engine's events change, by
``python scripts/record_fixtures.py``). A replay feeds the same Store a live run feeds, so
the panels show what the engine really reported. Tests that check what the dashboard does
with a live program (s, k, the end-to-end run) use the real engine instead.

What keeps snapshots stable:

* the events: a committed recording, with pids and times normalised by the script;
* the lesson list and sources: in ``make_app``, short fixed lessons (tests/tui/fixtures/),
  so polishing a lesson's text changes no snapshot; a replay app (``replay_app``) shows
  the source stored in the recording, which changes only when the fixture is re-recorded;
* the clock: uptimes are read from the replay's position, never the wall clock; the
  Python version and default start method are fixed below; cursors do not blink.

Re-recording the fixtures changes timings and CPU figures, so the snapshots must then be
reviewed and updated (``pytest tests/tui --snapshot-update``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from dashboard_fixtures import ALL_RECORDED, LESSONS, recorded_settings, settle
from recorded import Moment, position, recording, started
from textual.widgets import Input

from mptui.engine.recording import Recording
from mptui.tui import app as app_module
from mptui.tui import glyphs
from mptui.tui.app import MptuiApp
from mptui.tui.replay import ReplaySession
from mptui.tui.replay_app import ReplayApp
from mptui.tui.widgets import run_header


@pytest.fixture(autouse=True)
def deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Same screen on every machine: Python version, default start method, no cursor blink."""
    monkeypatch.setattr(run_header, "PYTHON_VERSION", "3.x")
    monkeypatch.setattr(run_header, "default_start_method", lambda: "fork")
    monkeypatch.setattr(app_module, "start_methods", lambda: (None, "fork", "spawn", "forkserver"))
    monkeypatch.setattr(Input, "cursor_blink", False)
    # Unicode glyphs whatever terminal runs the tests (TERM=linux or dumb would pick ASCII).
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("MPTUI_GLYPHS", raising=False)
    glyphs.use(glyphs.UNICODE)


class Sessions:
    """A session factory: each program gets a replay of its lesson's recording, stopped
    at ``moment``; remembers every session it made."""

    def __init__(self, moment: Moment | float | None, recordings: dict[str, str]) -> None:
        self.moment = moment
        self.recordings = recordings
        """Recording name per lesson, where it is not the lesson's own name."""
        self.made: list[ReplaySession] = []

    def __call__(self, program: Any) -> ReplaySession:
        name = self.recordings.get(program.lesson or "script", program.lesson or "hello")
        session = ReplaySession(recording(name), program)
        position(session, self.moment)
        self.made.append(session)
        return session

    @property
    def last(self) -> ReplaySession:
        return self.made[-1]


@pytest.fixture
def make_app() -> Callable[..., MptuiApp]:
    """``make_app(autostart="lock", moment=started, ...)``: the dashboard app, its runs
    replayed from recordings of real runs (see Sessions).

    ``recordings={"lock": "lock-killed"}`` picks another recording for a lesson. Settings
    default to those the recordings were made with. ``app.sessions`` is the factory.
    """

    def make(moment: Moment | float | None = started, recordings: dict | None = None,
             **options: Any) -> MptuiApp:  # fmt: skip
        sessions = Sessions(moment, recordings or {})
        options.setdefault("lessons", LESSONS)
        options.setdefault(
            "settings", {**ALL_RECORDED, **recorded_settings(*(recordings or {}).values())}
        )
        app = MptuiApp(session_factory=sessions, **options)
        app.sessions = sessions  # type: ignore[attr-defined]
        return app

    return make


class FakeClock:
    """A wall clock that moves only when told (replay pace tests)."""

    def __init__(self) -> None:
        self.ns = 0

    def __call__(self) -> int:
        return self.ns

    def advance(self, seconds: float) -> None:
        self.ns += int(seconds * 1e9)


@pytest.fixture
def replay_app() -> Callable[..., ReplayApp]:
    """``replay_app("lock", autoplay=False)``: ``mptui replay`` on a recording, with a fake
    wall clock (``app.clock``), so nothing moves unless the test says so."""

    def make(name: str | Recording = "lock", **options: Any) -> ReplayApp:
        clock = FakeClock()
        options.setdefault("autoplay", False)
        rec = recording(name) if isinstance(name, str) else name
        app = ReplayApp(rec, clock=clock, **options)
        app.clock = clock  # type: ignore[attr-defined]
        return app

    return make


@pytest.fixture
def settled() -> Callable[[Any], Any]:
    """``await settled(pilot)``: see :func:`settle`."""
    return settle
