"""Every key of the dashboard, driven with Pilot on replays of recorded real runs.

What s and k do to a live program is tested on the real engine (test_tui_live_control.py);
here the dialog k opens is tested, not what it sends.
"""

from __future__ import annotations

import signal

from dashboard_fixtures import ALL_RECORDED
from recorded import lock_busy, run_until
from textual.widgets import Input, Tabs

from mptui.tui.screens.help_screen import HelpScreen
from mptui.tui.screens.kill_screen import KillScreen
from mptui.tui.screens.settings_screen import SettingsScreen

WIDE = (160, 48)


def pids(app) -> list[str]:
    """The pids the engine reported, in the Store's order, as the table's row keys."""
    return [str(p.pid) for p in app.session.store.snapshot().processes]


def name_of(app, pid: int | None) -> str:
    proc = app.session.store.snapshot().process(pid) if pid is not None else None
    assert proc is not None, f"no process {pid}"
    return proc.name


def table_pids(app) -> list[str]:
    table = app.dashboard.processes.table
    return [key.value for key in table.rows]


def log_lines(app) -> list[str]:
    return list(app.dashboard.log_panel.log_view.lines)


async def test_opens_on_the_lesson_list_with_nothing_running(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        assert app.session is None
        assert app.sessions.made == []
        assert app.screen.focused is app.dashboard.lessons.list
        assert "no program running" in str(app.dashboard.header.render())


async def test_enter_runs_the_highlighted_lesson_and_j_k_move(make_app, settled):
    app = make_app(moment=lock_busy)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("j", "j", "k")  # hello -> args -> squares -> args
        assert app.dashboard.lessons.selected.key == "args"
        await pilot.press("down", "down", "down", "down", "down")  # -> lock
        assert app.dashboard.lessons.selected.key == "lock"
        await pilot.press("enter")
        await settled(pilot)
        assert app.program.lesson == "lock"
        assert len(table_pids(app)) == 5  # the runner and its four workers
        assert table_pids(app) == pids(app)
        assert any("round 1: begin" in line for line in log_lines(app))


async def test_number_keys_switch_lessons_and_stop_the_previous_run(make_app, settled):
    app = make_app(autostart="lock", moment=lock_busy)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        first = app.session
        assert len(table_pids(app)) == 5
        await pilot.press("tab")  # leave the lesson list, so digits are not list keys
        await pilot.press("5")  # queue
        await settled(pilot)
        assert app.program.lesson == "queue"
        assert first.closed
        assert app.dashboard.lessons.selected.key == "queue"
        # The old run's rows and lines are gone; the new run's are there.
        assert len(table_pids(app)) == 2 and table_pids(app) == pids(app)
        assert all("worker" not in line for line in log_lines(app))
        assert app.dashboard.query_one("#queue-table").display
        await pilot.press("9")  # there are only 8 lessons
        await settled(pilot)
        assert app.program.lesson == "queue"


async def test_r_restarts(make_app, settled):
    app = make_app(autostart="hello")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        first = app.session
        await pilot.press("r")
        await settled(pilot)
        assert app.session is not first and first.closed
        assert app.sessions.made == [first, app.session]
        assert table_pids(app) == pids(app)


async def test_k_asks_first_and_escape_cancels(make_app, settled):
    app = make_app(autostart="lock", moment=lock_busy)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        await pilot.press("tab")  # to the process table
        assert app.dashboard.focused_panel() == "processes"
        await pilot.press("down", "down")  # the second worker
        pid = app.dashboard.processes.selected_pid
        await pilot.press("k")
        assert isinstance(app.screen, KillScreen)
        assert (app.screen.pid, app.screen.process_name) == (pid, name_of(app, pid))
        await pilot.press("escape")
        assert not isinstance(app.screen, KillScreen)
        assert app.session.store.snapshot().process(pid).alive


async def test_k_does_not_offer_an_ended_process(make_app, settled):
    app = make_app(autostart="lock", recordings={"lock": "lock-killed"}, moment=None)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        await pilot.press("tab", "down")
        pid = app.dashboard.processes.selected_pid
        assert not app.session.store.snapshot().process(pid).alive
        await pilot.press("k")
        assert not isinstance(app.screen, KillScreen)


async def test_p_pauses_and_resumes_the_log(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        panel = app.dashboard.log_panel
        before = panel.shown
        await pilot.press("p")
        assert panel.paused
        replay = app.session.replay
        replay.advance_to(replay.position + 2_000_000_000)
        await settled(pilot)
        assert panel.shown == before  # nothing written while paused...
        assert panel.pending > 0  # ...but counted
        assert "PAUSED" in str(app.dashboard.query_one("#log-status").render())
        await pilot.press("p")
        assert not panel.paused and panel.shown > before


async def test_slash_filters_substring_and_regex_and_survives_a_bad_regex(make_app, settled):
    app = make_app(autostart="lock", moment=2.5)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        panel = app.dashboard.log_panel
        total = panel.shown
        await pilot.press("slash")
        assert isinstance(app.screen.focused, Input)
        await pilot.press(*"working", "enter")
        assert 0 < panel.shown < total
        assert all("working" in line for line in log_lines(app))
        await pilot.press("slash", "ctrl+u", *"re:round [12]: end$", "enter")
        assert all(line.endswith("end") for line in log_lines(app))
        assert panel.shown > 0
        shown = panel.shown
        await pilot.press("slash", "ctrl+u", *"re:([", "enter")
        error = app.dashboard.query_one("#log-filter-error")
        assert error.display and "bad regular expression" in str(error.render())
        assert panel.shown == shown  # the previous filter still applies
        await pilot.press("escape")
        assert not panel.filter_open
        await pilot.press("slash", "ctrl+u", "enter")  # empty clears
        assert panel.shown == total


async def test_o_shows_only_the_selected_process_and_f_c_toggle(make_app, settled):
    app = make_app(autostart="lock", moment=2.5)
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        await pilot.press("tab", "down", "down")  # the second worker
        name = name_of(app, app.dashboard.processes.selected_pid)
        await pilot.press("o")
        lines = log_lines(app)
        assert lines and all(line.startswith(f"{name} ") for line in lines)
        await pilot.press("o")  # again: everyone
        assert any(not line.startswith(f"{name} ") for line in log_lines(app))
        await pilot.press("enter")  # Enter on a process row does the same as o
        assert all(line.startswith(f"{name} ") for line in log_lines(app))
        panel = app.dashboard.log_panel
        assert panel.follow
        await pilot.press("f")
        assert not panel.follow
        await pilot.press("f", "c")
        assert panel.follow and panel.shown == 0 and panel.received > 0


async def test_e_edits_settings_refuses_bad_values_and_runs(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        app.dashboard.lessons.select("lock")
        await pilot.press("e")
        assert isinstance(app.screen, SettingsScreen)
        field = app.screen.query_one("#param-workers", Input)
        field.value = "many"
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, SettingsScreen)  # refused
        error = app.screen.query_one("#error-workers")
        assert error.display and "expected an integer" in str(error.render())
        field.value = "2"
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert not isinstance(app.screen, SettingsScreen)
        assert app.program.params["workers"] == 2
        assert app.sessions.last.program is app.program  # the run got the new settings
        assert "workers=2" in str(app.dashboard.header.render())
        # The setting sticks for the next run of that lesson.
        await pilot.press("r")
        await settled(pilot)
        assert app.program.params["workers"] == 2


async def test_e_escape_cancels(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        app.dashboard.lessons.select("lock")
        await pilot.press("e", "escape")
        await settled(pilot)
        assert app.session is None and app.settings["lock"] == ALL_RECORDED["lock"]


async def test_m_cycles_the_start_method_for_the_next_run(make_app, settled):
    app = make_app(autostart="hello")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        assert app.program.start_method is None
        await pilot.press("m")
        assert app.start_method == "fork"
        await pilot.press("m")
        assert app.start_method == "spawn"
        header = str(app.dashboard.header.render())
        assert "(next: spawn)" in header
        await pilot.press("r")
        await settled(pilot)
        assert app.program.start_method == "spawn"
        assert "(next:" not in str(app.dashboard.header.render())
        await pilot.press("m", "m")  # forkserver, then back to the default
        assert app.start_method is None


async def test_question_mark_shows_help_and_escape_closes_it(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("question_mark", "q")  # q closes the help, it does not quit
        assert not isinstance(app.screen, HelpScreen)
        assert app.is_running


async def test_q_stops_the_program_before_quitting(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        session = app.session
        await pilot.press("q")
        await pilot.pause()
        assert session.closed
    assert app.return_code == 0


async def test_ctrl_c_quits_even_from_the_filter_input(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        session = app.session
        await pilot.press("slash")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert session.closed
    assert not app.is_running


async def test_sigterm_and_sighup_stop_the_program_and_exit(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        session = app.session
        app.on_terminate(signal.SIGHUP)
        await pilot.pause()
        assert session.closed
    assert app.exit_status == 128 + signal.SIGHUP


async def test_tab_visits_every_panel(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        seen = [app.dashboard.focused_panel()]
        for _ in range(7):
            await pilot.press("tab")
            seen.append(app.dashboard.focused_panel())
        assert seen == ["lessons", "processes", "channels", "locks", "timeline", "log", "source",
                        "lessons"]  # fmt: skip
        await pilot.press("shift+tab")
        assert app.dashboard.focused_panel() == "source"


async def test_tab_switches_tabs_at_80x24(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        dash = app.dashboard
        assert dash.layout_mode == "compact"
        assert dash.panel_group == "run"  # a run started: processes and log in front...
        assert dash.focused_panel() == "processes"  # ...and the hidden list lost the focus
        seen = []
        for _ in range(7):
            await pilot.press("tab")
            seen.append((dash.panel_group, dash.focused_panel()))
            assert dash.panel(dash.focused_panel()).display
        assert seen == [
            ("run", "log"), ("channels", "channels"), ("locks", "locks"),
            ("timeline", "timeline"), ("source", "source"), ("lessons", "lessons"),
            ("run", "processes"),
        ]  # fmt: skip
        await pilot.press("slash")  # the filter brings the log to the front
        assert dash.panel_group == "run" and dash.log_panel.filter_open


async def test_a_click_on_a_tab_shows_its_panels_and_tab_follows_the_focus(make_app, settled):
    app = make_app(autostart="lock")
    activated: list[Tabs.TabActivated] = []

    def hook(message: object) -> None:
        # Once per message: the hook sees it again at each node it bubbles through.
        if isinstance(message, Tabs.TabActivated) and all(m is not message for m in activated):
            activated.append(message)

    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settled(pilot)
        dash = app.dashboard
        tabs = dash.query_one("#tabs-compact", Tabs)
        assert tabs.active == "compact-run"
        await pilot.click("#compact-locks")
        await settled(pilot)
        assert dash.panel_group == "locks" and dash.focused_panel() == "locks"
        assert tabs.active == "compact-locks"
        assert not dash.panel("processes").display
        await pilot.press("tab")  # on to the timeline, and its tab with it
        await settled(pilot)
        assert (dash.panel_group, tabs.active) == ("timeline", "compact-timeline")
        assert not tabs.has_focus  # Tab moves between panels, never into the tab bar
        # Groups changed quickly, one after another, come to rest on the last (a tab made
        # active from the code is announced a moment later: it must not switch back).
        activated.clear()
        for panel in ("channels", "lessons", "log", "locks"):
            dash.focus_panel(panel)
        await settled(pilot)
        await settled(pilot)
        assert (dash.panel_group, tabs.active) == ("locks", "compact-locks")
        assert [message.tab.id for message in activated] == [
            "compact-channels", "compact-lessons", "compact-run", "compact-locks"
        ]  # fmt: skip


async def test_layout_follows_the_terminal_size(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot)
        dash = app.dashboard
        assert dash.layout_mode == "full"
        assert all(dash.panel(p).display for p in ("lessons", "processes", "log", "source"))
        await pilot.resize_terminal(120, 40)
        await settled(pilot)
        # The focused panel (the lesson list) stays in front: the "lesson" tab.
        assert dash.layout_mode == "medium" and dash.panel_group == "lesson"
        assert dash.panel("source").display and not dash.panel("processes").display
        await pilot.press("tab", "tab")  # lessons -> source -> processes
        assert dash.panel_group == "dashboard" and not dash.panel("source").display
        await pilot.resize_terminal(40, 12)
        await settled(pilot)
        assert dash.layout_mode == "tiny"
        too_small = dash.query_one("#too-small")
        assert too_small.display and "at least 60x16" in str(too_small.render())
        assert not dash.query_one("#body").display
        await pilot.resize_terminal(80, 24)
        await settled(pilot)
        assert dash.layout_mode == "compact" and dash.query_one("#body").display


async def test_command_palette_lists_actions_and_lessons(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        for expected in ("Run / restart", "Stop", "Kill process", "Pause log", "Filter log",
                         "Lesson settings", "Start method", "Help", "Theme", "Quit",
                         "Lesson: lock", "Lesson: queue", "Show log"):  # fmt: skip
            assert expected in titles
        run_lock = next(c for c in app.get_system_commands(app.screen)
                        if c.title == "Lesson: lock")  # fmt: skip
        run_lock.callback()
        await settled(pilot)
        assert app.program.lesson == "lock"


async def test_zero_runs_the_users_script(make_app, settled):
    from mptui.engine.session import Program as StandInProgram

    script = StandInProgram.from_script("tests/tui/fixtures/hello.py", ("--n", "3"))
    app = make_app(script=script, autostart="script")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        assert app.program.lesson is None
        assert app.program.argv == ("tests/tui/fixtures/hello.py", "--n", "3")
        assert "hello.py" in str(app.dashboard.header.render())
        await pilot.press("tab", "3")  # a lesson
        await settled(pilot)
        assert app.program.lesson == "squares"
        await pilot.press("0")  # back to the script
        await settled(pilot)
        assert app.program.lesson is None


async def test_restart_keeps_the_focus_on_the_process_table(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        assert app.dashboard.focused_panel() == "processes"
        app.sessions.moment = 0.0  # the new run has no process yet when it is first shown
        await pilot.press("r")
        await settled(pilot)
        assert app.screen.focused is app.dashboard.processes.table
        run_until(app.sessions.last.replay, lock_busy)
        await settled(pilot)
        await pilot.press("down", "down")
        name = name_of(app, app.dashboard.processes.selected_pid)
        await pilot.press("k")
        assert app.screen.process_name == name


async def test_scrolling_up_stops_following_and_end_resumes(make_app, settled):
    app = make_app(autostart="lock", moment=5.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await settled(pilot)
        panel = app.dashboard.log_panel
        log = panel.log_view
        assert panel.follow and log.scroll_y == log.max_scroll_y > 0
        app.dashboard.focus_panel("log")
        await pilot.press("pageup")
        assert not panel.follow
        top = log.scroll_y
        app.sessions.last.replay.advance_to(7_000_000_000)
        await settled(pilot)
        assert log.scroll_y == top  # new lines did not pull the view away
        assert "follow off" in str(app.dashboard.query_one("#log-status").render())
        await pilot.press("end")
        await settled(pilot)
        assert panel.follow and log.scroll_y == log.max_scroll_y
