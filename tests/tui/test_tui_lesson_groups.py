"""The lesson list grouped under headings (Basics, Synchronisation, ...): the headings are
shown in order, the cursor passes over them, and the number keys still count lessons."""

from __future__ import annotations

import pytest
from screen_text import screen_lines

from mptui.engine.session import Program, Session
from mptui.scenarios import GROUPS, lessons
from mptui.tui.app import MptuiApp
from mptui.tui.widgets.lesson_panel import HEADING_PREFIX, LessonList


def make_app(**options) -> MptuiApp:
    return MptuiApp(session_factory=Session, lessons=lessons(), **options)


def option_ids(app: MptuiApp) -> list[str]:
    found = app.dashboard.query_one(LessonList)
    return [found.get_option_at_index(i).id for i in range(found.option_count)]


def highlighted_id(app: MptuiApp) -> str:
    found = app.dashboard.query_one(LessonList)
    return found.get_option_at_index(found.highlighted).id


async def test_each_group_has_a_heading_before_its_first_lesson():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        expected = []
        group = None
        for lesson in lessons():
            if lesson.group != group:
                group = lesson.group
                expected.append(HEADING_PREFIX + group)
            expected.append(lesson.name)
        assert option_ids(app) == expected
        assert [i.removeprefix(HEADING_PREFIX) for i in expected if ":" in i] == list(GROUPS)
        found = app.dashboard.query_one(LessonList)
        headings = [found.get_option(HEADING_PREFIX + g) for g in GROUPS]
        assert all(option.disabled for option in headings)  # never highlighted nor chosen
        # The list starts on the first lesson, not on the heading above it.
        assert highlighted_id(app) == "hello"
        assert app.dashboard.lessons.selected.key == "hello"
        # On screen: the heading, then the lessons with their numbers.
        rows = [line for line in screen_lines(app) if "Basics" in line or " hello " in line]
        assert "Basics" in rows[0] and "1 hello" in rows[1], rows
        await app.action_quit()


async def test_the_cursor_steps_over_headings():
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.dashboard.lessons.focus_target.focus()
        await pilot.press(*["down"] * 7)  # hello -> logging, the last of the basics
        assert highlighted_id(app) == "logging"
        await pilot.press("down")  # over the Synchronisation heading
        assert highlighted_id(app) == "deadlock"
        assert app.dashboard.lessons.selected.key == "deadlock"
        await pilot.press("up")
        assert app.dashboard.lessons.selected.key == "logging"
        await pilot.press("end")
        assert app.dashboard.lessons.selected.key == lessons()[-1].name
        await app.action_quit()


@pytest.mark.parametrize(("key", "name"), [("2", "args"), ("9", "deadlock")])
async def test_number_keys_pick_the_nth_lesson_not_the_nth_row(key, name):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.dashboard.lessons.focus_target.focus()
        await pilot.press(key)
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert app.session is not None and app.program.lesson == name
        assert highlighted_id(app) == name  # the list shows the lesson that runs
        await app.action_quit()


async def test_a_script_is_listed_first_without_a_heading(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text("print('hi')\n")
    app = make_app(script=Program.from_script(str(script), (), None))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        ids = option_ids(app)
        assert ids[:3] == ["script", HEADING_PREFIX + "basics", "hello"]
        assert highlighted_id(app) == "script"
        await app.action_quit()
