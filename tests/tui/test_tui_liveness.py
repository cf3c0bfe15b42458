"""Who holds a lock, who waits and each process's state show in the next frame, not at the
next table refresh (issue 8: within 250 ms; the pty benchmark benchmarks/tui_liveness.py
measures the time). Here the tables refresh once every 1000 s: only the live path can move
the Holder cell from worker to worker."""

from __future__ import annotations

import pytest
from real_engine import wait_for

from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp


def holder(app) -> str:
    table = app.dashboard.query_one("#lock-table")
    rows = list(table.rows)
    return str(table.get_row(rows[0])[1]) if rows else ""


@pytest.mark.timeout(90)
async def test_lock_holders_show_without_waiting_for_the_table_refresh():
    app = MptuiApp(session_factory=Session, lessons=lessons(), autostart="lock",
                   settings={"lock": {"workers": 3, "rounds": 6, "hold": 0.2}},
                   table_hz=0.001)  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        seen: set[str] = set()

        def three_holders() -> bool:
            name = holder(app)
            if name.startswith("worker-"):
                seen.add(name)
            return len(seen) == 3

        # app.tick (not refresh_now, which forces every table): the frame tick alone.
        async def ticking() -> bool:
            for _ in range(600):
                app.tick()
                if three_holders():
                    return True
                await pilot.pause(0.05)
            return False

        assert await ticking(), f"holders seen: {seen}"
        # And the process table shows a worker waiting for the lock, by the same path.
        assert await wait_for(pilot.app, lambda: any(
            str(app.dashboard.processes.table.get_row(key)[-1]).startswith("acquire Lock lock")
            for key in app.dashboard.processes.table.rows))  # fmt: skip
        await pilot.press("q")
