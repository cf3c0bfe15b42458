"""What a new user meets first: the settings form, a terminal too small, the header at 80
columns, and where the program's stdin goes.

Each test here failed before its fix (issue item 9); no program runs in them but where
the dashboard's run is the point.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input

from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp
from mptui.tui.screens.settings_screen import SettingsScreen


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
        assert dashboard.mode == "tiny"
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
        assert dashboard.mode == "compact"
        assert dashboard.focused_panel() == "lessons"
        await pilot.press("1")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.session is not None and app.program.lesson == "hello"
        await app.action_quit()


async def test_below_the_smallest_size_q_still_quits():
    app = make_app()
    async with app.run_test(size=(70, 12)) as pilot:
        assert app.dashboard.mode == "tiny"
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0
