"""What the dashboard does not pay for (issue 7: first frame within 250 ms; keys during a
flood within 25% of a core).

Times are measured by benchmarks/tui_first_frame.py and tui_cpu.py, not here: these tests
check the causes. Importing the dashboard loads no engine (collector, Store, psutil), no
syntax highlighter and no dialog; the first file the Source panel shows is highlighted
after the first frame, and a file is highlighted once, not at every layout; the footer is
not rebuilt when a key moves the focus.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

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
        for _ in range(4):  # the panels after the processes, whose keys are the same
            await pilot.press("tab")
            focused.append(app.dashboard.focused_panel())
        await settled(pilot)
        assert focused == ["channels", "locks", "log", "source"]
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
        for _ in range(12):  # twice round, the lesson and source tab shown twice
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
