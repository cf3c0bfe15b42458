"""After a run, the log shows its last line, at 80x24 too, on the real engine.

Found: at 80x24 the lock lesson's last line (``parent: 4 workers took 12 turns at the
lock``) was hidden once the run ended, and End did not bring it back. The Summary panel
appears above the log at the end and leaves the log panel five rows; the Log widget
inside had the panel's own id, so the panel's ``min-height: 6`` applied to it too, and its
sixth row, the newest line, lay under the panel's bottom border.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from screen_text import screen_lines

from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp

LAST_LINE = "parent: 4 workers took 12 turns at the lock"


async def wait_for(app: MptuiApp, predicate, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.refresh_now()
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


def log_rows(app: MptuiApp) -> list[str]:
    """The rows of the screen inside the log panel's border."""
    region = app.dashboard.log_panel.region
    rows = screen_lines(app)[region.y + 1 : region.bottom - 1]
    return [row[region.x + 1 : region.right - 1] for row in rows]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_last_line_of_the_program_is_shown_when_the_run_ends(size):
    app = MptuiApp(session_factory=Session, lessons=lessons(), autostart="lock",
                   settings={"lock": {"hold": 0.02}})  # fmt: skip
    async with app.run_test(size=size) as pilot:
        assert await wait_for(app, lambda: app.session is not None and not app.session.running)
        summary = app.dashboard.summary
        assert await wait_for(app, lambda: summary.display and summary.region.height > 0)
        await pilot.pause()
        app.refresh_now()
        await pilot.pause()
        log = app.dashboard.log_panel.log_view
        assert log.lines[-1].endswith(LAST_LINE)  # the line arrived...
        assert any(row.rstrip().endswith(LAST_LINE) for row in log_rows(app)), (
            "...but is not on the screen:\n" + "\n".join(log_rows(app))
        )
        # The view lies inside its panel: nothing of it is drawn under the border.
        panel = app.dashboard.log_panel
        assert log.region.bottom <= panel.region.bottom - 1
        # End (on the log) keeps it in view.
        app.dashboard.focus_panel("log")
        await pilot.press("end")
        await pilot.pause()
        assert any(row.rstrip().endswith(LAST_LINE) for row in log_rows(app))
        await app.action_quit()
