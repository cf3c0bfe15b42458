"""The doctor in the dashboard, on the real engine: the deadlock lesson's alert shows in
the banner with its wait-for graph, each process's row says what it waits on, and the
banner goes once the deadlock ends."""

from __future__ import annotations

import pytest
from real_engine import wait_for

from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp
from mptui.tui.widgets.alert_banner import AlertBanner


def banner_text(app) -> str:
    banner = app.dashboard.query_one(AlertBanner)
    return str(banner.render()) if banner.has_class("-shown") else ""


def waiting_cells(app) -> dict[str, str]:
    """Process name -> its Waiting on cell."""
    table = app.dashboard.processes.table
    out = {}
    for row_key in table.rows:
        cells = table.get_row(row_key)
        out[str(cells[0])] = str(cells[-1])
    return out


@pytest.mark.timeout(90)
async def test_the_deadlock_lesson_shows_its_alert_graph_and_waits():
    app = MptuiApp(session_factory=Session, lessons=lessons(), autostart="deadlock",
                   settings={"deadlock": {"give_up": 4}})  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_for(pilot.app, lambda: "DEADLOCK" in banner_text(app))
        text = banner_text(app)
        assert "worker-1 and worker-2 wait on each other" in text
        assert "acquire Lock b (deadlock.py:" in text and "held by worker-2" in text
        assert "What to do: Take the locks in the same order" in text
        assert "Who waits on whom:" in text
        assert "MainProcess (pid" in text and "-> join worker-1 ->" in text
        waits = waiting_cells(app)
        assert waits["worker-1"].startswith("acquire Lock b (deadlock.py:")
        assert waits["worker-2"].startswith("acquire Lock a (deadlock.py:")
        assert waits["MainProcess"].startswith("join worker-1")
        # worker-1 gives up after 4 s: the cycle opens and the banner goes.
        assert await wait_for(pilot.app, lambda: banner_text(app) == "", timeout=30)
        await pilot.press("q")


@pytest.mark.timeout(90)
async def test_t_shows_the_stacks_of_the_selected_process():
    from mptui.tui.screens.stack_screen import StackScreen

    app = MptuiApp(session_factory=Session, lessons=lessons(), autostart="deadlock",
                   settings={"deadlock": {"give_up": 20}})  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_for(pilot.app, lambda: "DEADLOCK" in banner_text(app))
        dash = app.dashboard
        dash.focus_panel("processes")
        table = dash.processes.table
        names = [str(table.get_row(key)[0]) for key in table.rows]
        table.move_cursor(row=names.index("worker-1"))
        await pilot.press("t")
        assert await wait_for(pilot.app, lambda: isinstance(app.screen, StackScreen))
        text = str(app.screen.query_one("#stack-text").render())
        assert "Taken with" in text
        assert "work" in text and "deadlock.py" in text  # where worker-1 waits
        await pilot.press("escape")
        assert await wait_for(pilot.app, lambda: not isinstance(app.screen, StackScreen))
        await pilot.press("q")
