"""What the dashboard does not pay for (issue 7: first frame within 250 ms; keys during a
flood within 25% of a core).

Times are measured by benchmarks/tui_first_frame.py and tui_cpu.py, not here: these tests
check the causes. Importing the dashboard loads no engine (collector, Store, psutil), no
syntax highlighter and no dialog; the first file the Source panel shows is highlighted
after the first frame, and a file is highlighted once, not at every layout; the footer is
not rebuilt when a key moves the focus. The first frame: no second pass restyles every
widget; the lesson list's first frame leaves out the run's hidden panels (mounted just
after it) and the other mode's tabs; a lesson named on the command line is drawn starting
in the first frame, not after a frame of the lesson list.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

from textual.widgets import Footer, Static, Tabs
from textual.widgets._footer import FooterKey

from mptui.tui import layout
from mptui.tui.screens.dashboard import tab_id
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.source_panel import HighlightedSource

WIDE = (160, 48)
DEFERRED = (
    "psutil",
    "mptui.engine.collector",
    "mptui.engine.store",
    "mptui.engine.metrics",
    "rich.syntax",
    "pygments",
    "mptui.tui.screens.help_screen",
    "mptui.tui.screens.kill_screen",
    "mptui.tui.screens.settings_screen",
)


def loaded_after(code: str) -> set[str]:
    """The modules of DEFERRED that a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    return set(json.loads(out.splitlines()[-1])) & set(DEFERRED)


def test_importing_the_dashboard_loads_no_engine_highlighter_or_dialog():
    assert loaded_after("import mptui.cli, mptui.tui.app, mptui.scenarios") == set()


def test_a_program_can_be_described_without_loading_the_collector():
    # `mptui lock` and `mptui run` build the Program in the CLI, before the first frame.
    code = "from mptui.engine.session import Program, Session, default_start_method"
    assert loaded_after(code) == set()


def test_a_session_loads_the_engine_when_it_is_made():
    code = "from mptui.engine.session import Program, Session\nimport mptui.engine.collector"
    assert "mptui.engine.collector" in loaded_after(code)  # the probe itself works


async def test_the_first_source_is_highlighted_after_the_first_frame(make_app, settled):
    app = make_app()
    async with app.run_test(size=WIDE) as pilot:
        code = app.dashboard.source.query_one("#source-code", Static)
        assert not isinstance(code.content, HighlightedSource)  # plain in the first frame...
        await settled(pilot)
        assert isinstance(code.content, HighlightedSource)  # ...highlighted once it is out
        await pilot.press("down")  # the next lesson's source: highlighted at once
        assert isinstance(code.content, HighlightedSource)


async def test_moving_the_focus_does_not_rebuild_the_footer(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        app.dashboard.focus_panel("processes")
        await settled(pilot)
        footer = app.dashboard.query_one(Footer)
        keys = list(footer.query(FooterKey))
        focused = []
        for _ in range(5):  # the panels after the processes, whose keys are the same
            await pilot.press("tab")
            focused.append(app.dashboard.focused_panel())
        await settled(pilot)
        assert focused == ["channels", "locks", "timeline", "log", "source"]
        assert list(footer.query(FooterKey)) == keys  # the very same widgets
        # Keys that do change still show: the lesson list has no k (Kill).
        await pilot.press("tab")
        await settled(pilot)
        assert app.dashboard.focused_panel() == "lessons"
        shown = [key.key for key in footer.query(FooterKey)]
        assert "k" not in shown and "q" in shown


async def test_a_file_is_highlighted_once_whatever_the_layout_does(make_app, settled, monkeypatch):
    from rich.syntax import Syntax

    highlights = []
    highlight = Syntax.highlight
    monkeypatch.setattr(Syntax, "highlight", lambda self, *a, **k: highlights.append(1)
                        or highlight(self, *a, **k))  # fmt: skip
    app = make_app(autostart="lock")
    async with app.run_test(size=(120, 40)) as pilot:  # tabs: Tab changes what is shown
        await settled(pilot)
        for _ in range(2 * len(layout.PANELS)):  # twice round: the lesson tab shown twice
            await pilot.press("tab")
        await settled(pilot)
        assert app.dashboard.panel_group == "dashboard"
        assert len(highlights) == 1


async def test_tab_and_p_restyle_a_panel_or_a_line_not_all_they_hold(make_app, settled):
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        app.dashboard.focus_panel("processes")
        await settled(pilot)
        restyled: list[object] = []
        update_nodes = app.stylesheet.update_nodes

        def noted(nodes, *args, **kwargs):
            nodes = list(nodes)
            restyled.extend(nodes)
            return update_nodes(nodes, *args, **kwargs)

        app.stylesheet.update_nodes = noted
        await pilot.press("tab")  # processes -> channels
        await pilot.press("p")  # pause the log
        await settled(pilot)
        assert app.dashboard.focused_panel() == "channels" and app.dashboard.log_panel.paused
        # The frames of the two panels, what took or lost the focus (Textual restyles
        # those for :focus) and the log's status line; not what the other panels hold.
        dashboard = app.dashboard
        processes, channels = dashboard.panel("processes"), dashboard.panel("channels")
        assert processes in restyled and channels in restyled
        assert not processes.has_class("-focus") and channels.has_class("-focus")
        assert dashboard.query_one("#log-status") in restyled
        log = dashboard.log_panel
        untouched = [log, log.log_view, log.query_one("#log-filter"), dashboard.lessons,
                     dashboard.panel("locks").table]  # fmt: skip
        assert not [node for node in untouched if node in restyled]


async def test_the_header_and_the_log_status_change_without_a_reflow(make_app, settled):
    # Static.update() asks for a layout by default, and a layout makes Textual reflow and
    # redraw the whole screen: ten times a second while the header's clock ticks, and at
    # every p. Both are one row whatever they say, so neither needs one.
    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        dashboard = app.dashboard
        header, status = dashboard.header, dashboard.query_one("#log-status")
        layouts: list[object] = []
        for widget in (header, status):
            refresh = widget.refresh

            def noted(*regions, refresh=refresh, widget=widget, **kwargs):
                if kwargs.get("layout"):
                    layouts.append(widget)
                return refresh(*regions, **kwargs)

            widget.refresh = noted
        before = header._text.plain
        state = dashboard.header_state(start_method="spawn", next_start_method=None)
        header.show(dataclasses.replace(state, now_ns=state.now_ns + 75 * 10**9))  # a later clock
        assert header._text.plain != before
        await pilot.press("p")  # the status line says PAUSED
        await settled(pilot)
        assert dashboard.log_panel.paused
        assert "PAUSED" in str(status.render())
        assert layouts == []


# ------------------------------------------------------------------ the first frame


def first_frame_of(app) -> dict[str, object]:
    """Notes what the dashboard holds when its first frame is drawn (``App._display``, which
    the headless driver runs too), in a dict filled once that frame is drawn."""
    seen: dict[str, object] = {}
    display = app._display

    def noted(screen, *args, **kwargs):
        if not seen and screen is getattr(app, "dashboard", None):
            dash = app.dashboard
            seen.update(
                group=dash.panel_group,
                header=dash.header._text.plain,
                mounted={panel.id for panel in dash.query(Panel)},
                tabs={tabs.id for tabs in dash.query(Tabs)},
            )
        return display(screen, *args, **kwargs)

    app._display = noted
    return seen


async def test_the_lesson_lists_first_frame_leaves_the_hidden_run_panels_out(make_app, settled):
    # 120x40 opens on the lesson tab: the run's panels (four tables, the log, its filter)
    # are hidden; they are mounted just after the first frame, and the other mode's tabs
    # only when the terminal is resized into that mode.
    app = make_app()
    first = first_frame_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        dash = app.dashboard
        assert first["group"] == "lesson"
        assert first["mounted"] == {"lessons", "source"}
        assert first["tabs"] == {"tabs-medium"}
        assert {panel.id for panel in dash.query(Panel)} == {*layout.PANELS}  # all, after
        await pilot.press("p")  # acts on the log once it is there
        await settled(pilot)
        assert dash.log_panel.paused
        await pilot.resize_terminal(80, 24)
        await settled(pilot)
        assert dash.query_one("#tabs-compact", Tabs).active == tab_id("compact", dash.panel_group)


async def test_a_key_pressed_before_the_run_panels_are_mounted_waits_for_them(make_app, settled):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        dash = app.dashboard
        # As fast as a key can come: before the mount that follows the first frame.
        await dash.action_pause_log()
        await dash.action_filter_log()
        await settled(pilot)
        assert dash.log_panel.paused and dash.log_panel.filter_open


async def test_a_lesson_named_on_the_command_line_is_in_the_first_frame(make_app, settled):
    # `mptui lock`: the first frame shows the lesson starting, with its panels; it is not
    # drawn first with the lesson list, then again a moment later for the run.
    app = make_app(autostart="lock")
    first = first_frame_of(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert first["group"] == "dashboard"
        assert "lock: Take turns with a Lock starting" in str(first["header"])


async def test_no_second_pass_restyles_every_widget_before_the_first_frame(make_app, settled):
    # Textual restyles a whole screen when it is resumed; on the first resume every widget
    # was styled as it mounted, a moment before. Widgets that change (focus, a class) are
    # restyled on their own; the header, the source and the footer do not change.
    app = make_app()
    restyled: list[object] = []
    update_nodes = app.stylesheet.update_nodes

    def noted(nodes, *args, **kwargs):
        nodes = list(nodes)
        restyled.extend(nodes)
        return update_nodes(nodes, *args, **kwargs)

    app.stylesheet.update_nodes = noted
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        dash = app.dashboard
        assert dash.header not in restyled
        assert dash.query_one("#source-code") not in restyled
        assert dash.query_one(Footer) not in restyled


async def test_the_log_growing_asks_for_no_layout(make_app, settled, monkeypatch):
    # Each write makes the view longer; Textual asks for a layout (a reflow of the whole
    # screen) when a virtual size changes. The view's size is the stylesheet's, so only its
    # scrollbar follows its length, updated without one.
    from textual.widget import Widget

    from mptui.engine.views import LogLine

    def lines(first: int, count: int = 20) -> list[LogLine]:
        return [LogLine(1, 7, "worker-1", "stdout", f"line {n}", 0, False, -1)
                for n in range(first, first + count)]  # fmt: skip

    app = make_app(autostart="lock")
    async with app.run_test(size=WIDE) as pilot:
        await settled(pilot)
        panel = app.dashboard.log_panel
        view = panel.log_view
        panel.add_lines(lines(0, 100))  # enough to overflow: the scrollbar comes (with a layout)
        panel.flush(force=True)
        await settled(pilot)
        layouts: list[object] = []
        refresh = Widget.refresh

        def noted(widget, *regions, **kwargs):
            if kwargs.get("layout"):
                layouts.append(widget)
            return refresh(widget, *regions, **kwargs)

        monkeypatch.setattr(Widget, "refresh", noted)
        for n in range(1, 6):
            panel.add_lines(lines(100 * n))
            panel.flush(force=True)
            await pilot.pause()
        await settled(pilot)
        assert layouts == []
        assert view.line_count == view.virtual_size.height > view.size.height
        assert view.scroll_y == view.max_scroll_y  # still following the end
        assert view.vertical_scrollbar.window_virtual_size == view.line_count
