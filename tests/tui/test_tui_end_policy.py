"""The dashboard applies the same end policy as headless, on the real engine.

Found: processes left running by an ended main process were never stopped in the
dashboard (``✓ ended … 1 still running`` forever; headless stopped them after 3 s). The
policy now lives in the engine's RunControl, and the header says what it is doing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from real_engine import wait_for

from mptui.engine import verdict
from mptui.engine.session import Program, Session
from mptui.tui.app import MptuiApp

ORPHAN = Path(__file__).resolve().parents[1] / "programs" / "orphan.py"
"""A main process that leaves its child running (the end policy stops it)."""


@pytest.mark.timeout(60)
async def test_a_child_left_running_is_counted_down_then_stopped():
    program = Program.from_script(ORPHAN)
    app = MptuiApp(
        session_factory=lambda p: Session(p, linger=2.0), script=program, autostart="script"
    )
    async with app.run_test(size=(120, 40)):
        header = app.dashboard.header
        assert await wait_for(app, lambda: "still running" in header.render().plain)
        assert "stopped in" in header.render().plain
        assert await wait_for(app, lambda: not app.session.running)
        snap = app.session.store.snapshot()
        lingerer = next(p for p in snap.processes if p.name == "lingerer")
        assert lingerer.verdict == verdict.LEFT_RUNNING
        table = app.dashboard.processes.table
        cells = [str(cell) for cell in table.get_row(str(lingerer.pid))]
        assert "left running" in cells
        assert "finished" in header.render().plain
        await app.action_quit()
