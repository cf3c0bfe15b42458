"""s (stop) and k (kill) on the REAL engine: the dashboard shows what the engine reports.

A replay cannot stop or kill anything, so these keys are tested with Pilot on a real
Session running the lock lesson (small settings). The checks compare the panels with the
engine's own Store, and the Store with the operating system: the processes are really
gone, and the table and summary say what the engine decided about them.
"""

from __future__ import annotations

import asyncio

import pytest
from pty_terminal import alive
from real_engine import wait_for
from textual.widgets import DataTable

from mptui.engine import verdict
from mptui.engine.recording import read_recording
from mptui.engine.replay import fold
from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp, recording_sessions
from mptui.tui.screens.kill_screen import KillScreen
from mptui.tui.widgets.process_panel import process_cells
from mptui.tui.widgets.summary_panel import summarize

LONG_LOCK = {"lock": {"workers": 3, "rounds": 400, "hold": 0.02}}
"""Runs until stopped (about 30 s), with turns short enough that every worker shows soon."""


def workers_running(app: MptuiApp) -> bool:
    snap = app.session.store.snapshot() if app.session is not None else None
    return (
        snap is not None
        and sum(p.alive and p.role == "child" for p in snap.processes) == 3
        and snap.lines_total >= 6
    )


def row_cells(app: MptuiApp, pid: int) -> list[str]:
    table: DataTable = app.dashboard.processes.table
    return [str(cell) for cell in table.get_row(str(pid))]


def expected_cells(app: MptuiApp, pid: int) -> list[str]:
    """What the engine's own view of the process makes of the row (uptime aside)."""
    proc = app.session.store.snapshot().process(pid)
    return [str(cell) for cell in process_cells(proc, app.dashboard.now_ns())]


def make_app() -> MptuiApp:
    return MptuiApp(session_factory=Session, lessons=lessons(), autostart="lock",
                    settings=LONG_LOCK)  # fmt: skip


@pytest.mark.timeout(120)
async def test_s_stops_the_real_program_and_the_dashboard_shows_what_the_engine_reports():
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot.app, lambda: workers_running(app)), "the lesson did not start"
        session = app.session
        pids = [p.pid for p in session.store.snapshot().processes]
        assert all(alive(pid) for pid in pids)
        await pilot.press("s")
        assert await wait_for(pilot.app, lambda: not session.running), "s did not stop the run"
        await pilot.pause()
        app.refresh_now()
        snap = session.store.snapshot()
        # The engine's facts: the run ended, every process ended, stopped by the user.
        assert snap.run.state == "ended"
        assert not any(p.alive for p in snap.processes)
        assert all(p.verdict == verdict.STOPPED for p in snap.processes)
        assert snap.verdict == verdict.STOPPED
        # ...and the operating system agrees.
        assert not [pid for pid in pids if alive(pid)]
        # The dashboard shows exactly that: one row per process, as the engine sees it.
        assert sorted(app.dashboard.processes.rows._rows) == sorted(str(p) for p in pids)
        for pid in pids:
            shown, expected = row_cells(app, pid), expected_cells(app, pid)
            assert shown[:6] == expected[:6], pid  # name, pid, state, exit, CPU, RSS
        assert app.dashboard.summary.display
        assert str(app.dashboard.summary.render()) == str(summarize(snap))
        header = str(app.dashboard.header.render())
        assert f"stopped, {verdict.code_words(snap.run.exitcode)}" in header


@pytest.mark.timeout(120)
async def test_k_sigkill_kills_the_selected_real_process_and_only_it():
    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot.app, lambda: workers_running(app)), "the lesson did not start"
        session = app.session
        app.dashboard.focus_panel("processes")
        await pilot.press("down")  # the first worker (the main process is the first row)
        pid = app.dashboard.processes.selected_pid
        victim = session.store.snapshot().process(pid)
        assert victim.role == "child" and victim.alive
        others = [p.pid for p in session.store.snapshot().processes if p.pid != pid]
        await pilot.press("k")
        assert isinstance(app.screen, KillScreen)
        await pilot.press("escape")  # cancelled: nothing sent
        await asyncio.sleep(0.3)
        assert alive(pid)
        await pilot.press("k", "9")
        assert await wait_for(pilot.app, lambda: not session.store.snapshot().process(pid).alive)
        assert not alive(pid)
        killed = session.store.snapshot().process(pid)
        # The engine's facts: killed by SIGKILL, on purpose (from mptui), so not a failure.
        assert (killed.state, killed.signal, killed.exitcode) == ("killed", "SIGKILL", -9)
        assert killed.verdict == verdict.KILLED and not killed.failed
        app.refresh_now()
        await pilot.pause()
        shown = row_cells(app, pid)
        assert shown[:6] == expected_cells(app, pid)[:6]
        assert (shown[2], shown[3]) == ("killed by you", "SIGKILL")
        # Only that one: the program goes on (its other workers may wait on the lock the
        # killed one held, but they are alive), and k offers no ended process again.
        assert session.running and all(alive(p) for p in others)
        await pilot.press("k")
        assert not isinstance(app.screen, KillScreen)
        await pilot.press("q")
        await pilot.pause()
    assert not session.running
    assert not [p for p in others if alive(p)]


@pytest.mark.timeout(120)
async def test_record_in_the_dashboard_writes_one_file_per_run(tmp_path):
    path = tmp_path / "runs.jsonl"
    app = MptuiApp(session_factory=recording_sessions(str(path)), lessons=lessons(),
                   autostart="hello", settings={"hello": {"work": 0.1}})  # fmt: skip
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(
            pilot.app, lambda: app.session is not None and not app.session.running
        )
        assert any("Recording this run to" in n.message for n in app._notifications)
        await pilot.press("r")  # a second run: a second file
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert await wait_for(
            pilot.app, lambda: app.session is not None and not app.session.running
        )
        await pilot.press("q")
        await pilot.pause()
    first, second = read_recording(path), read_recording(tmp_path / "runs.2.jsonl")
    for recording in (first, second):
        assert recording.problem is None and recording.header.lesson == "hello"
        assert fold(recording).snapshot().run.state == "ended"
    assert first.header.t0 != second.header.t0
    assert not (tmp_path / "runs.3.jsonl").exists()
