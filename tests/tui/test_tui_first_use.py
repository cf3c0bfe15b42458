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
