"""The settings form shows each parameter's range and refuses values outside it.

These tests use the real lessons from the registry (not the fixed copies in conftest), so
they follow the ranges the lesson files declare; nothing is run: a refused form starts no
session.
"""

from __future__ import annotations

import pytest
from textual.widgets import Input, Static

from mptui.scenarios import lessons
from mptui.tui.screens.settings_screen import SettingsScreen, describe

WIDE = (160, 48)
WITH_NUMBERS = [lesson for lesson in lessons() if any(p.low is not None for p in lesson.params)]


def text_of(widget: Static) -> str:
    return str(widget.render())


def test_describe_names_the_range_the_choices_and_the_default():
    lock = {lesson.name: lesson for lesson in lessons()}["lock"]
    assert (
        describe(lock.param("workers")) == "how many processes share the lock (1 to 32); default 4"
    )
    assert describe(lock.param("hold")) == "seconds a worker holds the lock (0 to 60); default 0.25"
    level = {lesson.name: lesson for lesson in lessons()}["logging"].param("level")
    assert (
        describe(level)
        == "lowest level that is printed (DEBUG, INFO, WARNING, ERROR); default INFO"
    )


@pytest.mark.parametrize("lesson", WITH_NUMBERS, ids=[lesson.name for lesson in WITH_NUMBERS])
async def test_form_shows_ranges_and_refuses_values_outside_them(make_app, lesson):
    app = make_app(lessons=lessons(), settings={})
    async with app.run_test(size=WIDE) as pilot:
        app.dashboard.lessons.select(lesson.name)
        await pilot.press("e")
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        hints = [text_of(hint) for hint in screen.query(".settings-help").results(Static)]
        ranged = [param for param in lesson.params if param.low is not None]
        for param, hint in zip(lesson.params, hints, strict=True):
            if param.low is not None:
                assert f"({param.low} to {param.high})" in hint
        # Every numeric field just above its range at once: each gets its own message.
        for param in ranged:
            screen.query_one(f"#param-{param.name}", Input).value = str(param.high + 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen, "an out-of-range value was accepted"
        kind = {int: "an integer", float: "a number"}
        for param in ranged:
            error = screen.query_one(f"#error-{param.name}", Static)
            assert error.display
            assert text_of(error) == (
                f"✗ bad value '{param.high + 1}' for {param.name}: "
                f"expected {kind[param.type]} from {param.low} to {param.high}"
            )
            assert screen.query_one(f"#param-{param.name}", Input).has_class("-invalid")
        # The first refused field has the focus, so the user can fix it at once.
        assert screen.focused is screen.query_one(f"#param-{ranged[0].name}", Input)
        # Enter refuses too, and Escape leaves without running or keeping anything.
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        await pilot.press("escape")
        await pilot.pause()
        assert app.session is None and app.sessions.made == []
        assert lesson.name not in app.settings


async def test_fixing_the_value_clears_the_message_and_runs(make_app, settled):
    app = make_app()  # the fixed lessons of conftest: lock's workers go from 1 to 32
    async with app.run_test(size=WIDE) as pilot:
        app.dashboard.lessons.select("lock")
        await pilot.press("e")
        screen = app.screen
        field = screen.query_one("#param-workers", Input)
        field.value = "100000"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is screen
        error = screen.query_one("#error-workers", Static)
        assert "expected an integer from 1 to 32" in text_of(error)
        field.value = "32"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert not isinstance(app.screen, SettingsScreen)
        assert app.program.params["workers"] == 32
