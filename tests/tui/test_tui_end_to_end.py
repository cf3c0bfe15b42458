"""The dashboard on the real engine: a lesson starts, rows and lines arrive, q leaves nothing.

Slower than the replayed tests (real processes); kept to one run of a short lesson.
"""

from __future__ import annotations

import asyncio

import psutil
import pytest
from real_engine import wait_for

from mptui.tui.app import MptuiApp

session_module = pytest.importorskip(
    "mptui.engine.session", reason="the engine's Session (issue 2) is not importable yet"
)
from mptui.scenarios import lessons  # noqa: E402 - after the importorskip above


def descendants() -> set[int]:
    """Pids of our living descendants (zombies have ended: they only wait to be reaped)."""
    pids = set()
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                pids.add(child.pid)
        except psutil.NoSuchProcess:
            pass
    return pids


@pytest.mark.timeout(90)
async def test_real_lock_lesson_end_to_end(monkeypatch):
    before = descendants()
    app = MptuiApp(
        session_factory=session_module.Session,
        lessons=lessons(),
        autostart="lock",
        settings={"lock": {"workers": 3, "rounds": 40, "hold": 0.05}},
    )
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot.app, lambda: app.session is not None)
        dash = app.dashboard
        # Rows for the runner and its three workers.
        assert await wait_for(pilot.app, lambda: len(dash.processes.rows) >= 4), (
            f"process rows: {len(dash.processes.rows)}"
        )
        # Lines from the workers reach the log panel.
        assert await wait_for(pilot.app, lambda: any("round" in line for line in
                                                 dash.log_panel.log_view.lines))  # fmt: skip
        # The lock shows up with acquisitions.
        assert await wait_for(pilot.app, lambda: any(
            lock.acquisitions > 0 for lock in app.session.store.snapshot().locks))  # fmt: skip
        children = descendants() - before
        assert children, "the lesson's processes should be running now"
        session = app.session
        await pilot.press("q")
        await pilot.pause()
    assert not session.running
    for _ in range(50):  # processes may take a moment to be reaped after the stop
        if not descendants() - before:
            break
        await asyncio.sleep(0.1)
    assert not (descendants() - before), "quitting must leave no process of the program"
