"""Running a program in a Session to its end, for the engine tests (importable by them).

(In a module of its own, not in conftest.py: ``from conftest import`` finds whichever
conftest pytest loaded last, the dashboard tests' when both directories run together.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass, field

import psutil

from mptui import events as ev
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session
from mptui.engine.views import AlertView, Snapshot


def alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie has ended: it only waits to be reaped)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@dataclass
class Run:
    """What a finished run produced."""

    snapshot: Snapshot
    events: list[dict] = field(default_factory=list)
    exitcode: int | None = None
    alerts: list[AlertView] = field(default_factory=list)
    """Every alert the doctor raised during the run, the first time each."""

    def lines(self, pid: int | None = None, stream: str | None = None) -> list[str]:
        """Every line, in arrival order, optionally of one process and stream."""
        out: list[str] = []
        for e in self.events:
            if e["kind"] not in (ev.LINE, ev.LINES):
                continue
            if (pid is None or e["pid"] == pid) and (stream is None or e["stream"] == stream):
                out.extend(e["texts"] if e["kind"] == ev.LINES else [e["text"]])
        return out

    def by_name(self, name: str):
        matches = [p for p in self.snapshot.processes if p.name == name]
        assert matches, f"no process named {name!r}: {[p.name for p in self.snapshot.processes]}"
        return matches[0]


def run_program(program: Program, timeout: float = 60.0) -> Run:
    """Run a program to its end, as the front ends do (under a RunControl, so with the end
    policy), keeping every event."""
    events: list[dict] = []
    with RunControl(lambda p: Session(p, listeners=[events.extend])) as runs:
        session = runs.start(program)
        assert session.wait(timeout), "the program did not finish in time"
        code = session.exitcode
    return Run(session.store.snapshot(), events, code, session.store.alerts_raised())


def run_plain(script, *args: str, timeout: float = 120.0) -> subprocess.CompletedProcess:
    """``script`` run by plain python, without mptui's environment (what the program
    gives when nobody watches), its output captured as text."""
    return subprocess.run(
        [sys.executable, str(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")},
    )


def wait_until(predicate, timeout: float = 60.0):
    """``predicate()``'s first true value, asked every 50 ms; fails after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out")
