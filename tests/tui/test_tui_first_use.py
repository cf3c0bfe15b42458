"""What a new user meets first: the settings form, a terminal too small, the header at 80
columns, and where the program's stdin goes.

Each test here failed before its fix (issue item 9); no program runs in them but where
the dashboard's run is the point.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from screen_text import screen_lines
from textual.widgets import Input

from mptui.engine.session import Session
from mptui.engine.views import RunView
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp
from mptui.tui.screens.settings_screen import SettingsScreen
from mptui.tui.widgets import run_header
from mptui.tui.widgets.run_header import HeaderState, header_text


def make_app(**options) -> MptuiApp:
    return MptuiApp(session_factory=Session, lessons=lessons(), **options)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_settings_form_opens_with_its_first_field_focused(size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        app.dashboard.lessons.select("lock")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, SettingsScreen)
        focused = app.focused
        assert isinstance(focused, Input) and focused.id == "param-workers"
        # The user types at once: the value replaces nothing by surprise, it is edited.
        await pilot.press("backspace", "8", "enter")
        await pilot.pause()
        assert app.settings["lock"]["workers"] == 8
        await app.action_quit()


OUT_OF_SIGHT = (["1"], ["enter"], ["down", "enter"], ["r"], ["tab", "enter"], ["e"], ["m"],
                ["question_mark"], ["ctrl+p"], ["k"], ["s"])  # fmt: skip
"""Keys that acted on hidden panels below 60x16 (k and s only said so in a notice)."""


@pytest.mark.parametrize("keys", OUT_OF_SIGHT)
async def test_below_the_smallest_size_keys_do_nothing_out_of_sight(keys):
    app = make_app()
    async with app.run_test(size=(59, 20)) as pilot:
        dashboard = app.dashboard
        assert dashboard.layout_mode == "tiny"
        method = app.start_method
        await pilot.press(*keys)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.session is None, f"{keys} started a program behind the 'too small' message"
        assert app.screen is dashboard, f"{keys} opened {app.screen} over the message"
        assert app.start_method == method
        # Once the terminal is large enough, the keys work again, and the lesson list has
        # the focus back.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert dashboard.layout_mode == "compact"
        assert dashboard.focused_panel() == "lessons"
        await pilot.press("1")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.session is not None and app.program.lesson == "hello"
        await app.action_quit()


async def test_below_the_smallest_size_q_still_quits():
    app = make_app()
    async with app.run_test(size=(70, 12)) as pilot:
        assert app.dashboard.layout_mode == "tiny"
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


def header_at(width: int, run: RunView, next_method: str | None = None) -> str:
    """The lock lesson's header line at ``width`` columns, 6 s into a run or 3.33 s long."""
    state = HeaderState(
        name="lock",
        title="Take turns with a Lock",
        params="workers=4 rounds=3 hold=0.25",
        start_method="default (fork)",
        next_start_method=next_method,
        run=run,
        now_ns=7_000_000_000,
        verdict="ok",
    )
    text = header_text(state, width)
    assert text.cell_len <= width
    return text.plain


ENDED = RunView(state="ended", started_ns=1, ended_ns=3_330_000_001, exitcode=0)
RUNNING = RunView(state="running", started_ns=1)


@pytest.mark.parametrize("run", [ENDED, RUNNING], ids=["ended", "running"])
@pytest.mark.parametrize("next_method", [None, "spawn"])
def test_the_header_at_80_columns_keeps_name_state_settings_and_no_cut_version(run, next_method):
    line = header_at(80, run, next_method)
    assert line.lstrip(" mptui").startswith("lock ")
    assert ("finished, exit 0 after 3.33s" if run is ENDED else "running 6s") in line
    assert "workers=4" in line
    assert "fork" in line
    if next_method:
        assert "next: spawn" in line
    # The version shows whole, or not at all (the lesson details show it): never "Py".
    assert f"Python {run_header.PYTHON_VERSION}" in line or "Py" not in line


def test_the_header_shows_the_python_version_where_there_is_room():
    assert f"│ Python {run_header.PYTHON_VERSION}" in header_at(120, RUNNING)
    assert "lock: Take turns with a Lock" in header_at(160, ENDED)
    assert "… │ fork" in header_at(72, ENDED)  # long settings are cut before the method


async def test_the_lesson_details_show_the_python_version():
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        details = str(app.dashboard.query_one("#lesson-text").render())
        assert f"Python: {run_header.PYTHON_VERSION}" in details
        await app.action_quit()


@pytest.mark.timeout(60)
async def test_the_header_at_80x24_on_a_real_run():
    app = make_app(autostart="lock", settings={"lock": {"hold": 0.02}})
    async with app.run_test(size=(80, 24)) as pilot:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (app.session is None or app.session.running):
            app.refresh_now()
            await asyncio.sleep(0.05)
        app.refresh_now()
        await pilot.pause()
        header = screen_lines(app)[0]
        assert "lock ✓ finished, exit 0" in header
        assert "workers=4 rounds=15 hold=0.02" in header and header.endswith("fork")
        await app.action_quit()
