"""The dashboard screen: every panel, the layout chosen by size, and the keys that act on them.

The screen owns layout and user actions; the app owns the session and the frame tick,
which calls :meth:`DashboardScreen.show` with a snapshot and the new log lines.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from mptui.text import printable
from mptui.tui import glyphs, layout
from mptui.tui.keys import DASHBOARD_BINDINGS
from mptui.tui.widgets.channel_panel import ChannelPanel
from mptui.tui.widgets.key_footer import KeyFooter
from mptui.tui.widgets.lesson_panel import SCRIPT_KEY, Entry, LessonPanel
from mptui.tui.widgets.lock_panel import LockPanel
from mptui.tui.widgets.log_panel import LogPanel
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.process_panel import ProcessPanel
from mptui.tui.widgets.run_header import HeaderState, RunHeader
from mptui.tui.widgets.source_panel import SourcePanel
from mptui.tui.widgets.summary_panel import SummaryPanel

if TYPE_CHECKING:
    from mptui.engine.store import LogDelta, Snapshot
    from mptui.tui.app import MptuiApp


class PanelTabs(Static):
    """One line of tab labels for small screens; Tab or a click switches."""

    def show_tabs(self, groups: Sequence[layout.Group], active: str) -> None:
        text = Text(no_wrap=True, overflow=glyphs.active().overflow)
        for group in groups:
            selected = group.id == active
            label = f" {group.label} "
            text.append(label, style="bold reverse" if selected else "")
            text.append(" ")
        text.append(" Tab: next panel", style="dim")
        self.update(text)
        self._groups = [(group.id, len(group.label) + 3) for group in groups]

    def on_click(self, event: events.Click) -> None:
        x = 0
        for group_id, width in getattr(self, "_groups", []):
            if x <= event.x < x + width:
                self.screen.show_group(group_id, focus=True)  # type: ignore[attr-defined]
                return
            x += width


class DashboardScreen(Screen):
    """All panels; on small terminals they are grouped into tabs."""

    BINDINGS = DASHBOARD_BINDINGS
    """See mptui/tui/keys.py; the help screen lists the same keys."""

    def __init__(self, entries: Sequence[Entry], table_hz: float = 1.0,
                 log_hz: float = 2.0) -> None:  # fmt: skip
        super().__init__(id="dashboard")
        self.entries = tuple(entries)
        self.mode = ""
        """Layout mode: full, medium, compact or tiny (see mptui.tui.layout)."""
        self.group = ""
        """The tab shown in the medium and compact modes."""
        self.table_interval = 1.0 / table_hz
        """Seconds between two table refreshes: tables re-render every visible cell on any
        update, so they refresh at 1-2 Hz while the log follows every frame."""
        self.log_interval = 1.0 / log_hz
        """Least seconds between two writes to the log view (see LogPanel.flush)."""
        self._tables_at = 0.0
        self._snapshot: Snapshot | None = None
        self._focus_before_tiny: str | None = None
        """The panel that had the focus when the terminal became too small."""

    @property
    def mptui(self) -> MptuiApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------- composition

    def compose(self) -> ComposeResult:
        # The layout's class before the children mount: added after, it would restyle every
        # widget a second time before the first frame (on_mount's apply_mode then finds it).
        self.add_class(f"-{layout.choose_mode(self.app.size.width, self.app.size.height)}")
        yield RunHeader()
        yield PanelTabs(id="panel-tabs")
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield LessonPanel(self.entries, id="lessons")
                yield SourcePanel(id="source")
            with Vertical(id="main"):
                yield SummaryPanel(id="summary")
                yield ProcessPanel(id="processes")
                yield ChannelPanel(id="channels")
                yield LockPanel(id="locks")
                yield LogPanel(id="log")
        yield Static(id="too-small")
        # The palette key is in the help screen; at 80 columns the main keys need the room.
        yield KeyFooter()  # compact, no palette key; rebuilt only when its keys change

    def on_mount(self) -> None:
        self.log_panel.write_interval = self.log_interval
        self.apply_mode(layout.choose_mode(self.app.size.width, self.app.size.height))
        if self.mode == "tiny":
            self._focus_before_tiny = "lessons"  # where the focus goes once there is room
        else:
            self.lessons.focus_target.focus()
        self.mptui.dashboard_mounted()

    def on_resize(self, event: events.Resize) -> None:
        self.apply_mode(layout.choose_mode(event.size.width, event.size.height))

    # typed accessors
    @property
    def lessons(self) -> LessonPanel:
        return self.query_one(LessonPanel)

    @property
    def processes(self) -> ProcessPanel:
        return self.query_one(ProcessPanel)

    @property
    def log_panel(self) -> LogPanel:
        return self.query_one(LogPanel)

    @property
    def source(self) -> SourcePanel:
        return self.query_one(SourcePanel)

    @property
    def header(self) -> RunHeader:
        return self.query_one(RunHeader)

    @property
    def summary(self) -> SummaryPanel:
        return self.query_one(SummaryPanel)

    def panel(self, panel_id: str) -> Panel:
        return self.query_one(f"#{panel_id}", Panel)

    # ------------------------------------------------------------- layout

    def apply_mode(self, mode: str) -> None:
        """Switch layout mode (on resize); keeps the focused panel's tab in front."""
        if mode != self.mode:
            was_tiny = self.mode == "tiny"
            for old in ("full", "medium", "compact", "tiny"):
                self.set_class(old == mode, f"-{old}")
            self.mode = mode
            if mode == "tiny":
                # Nothing is on screen to act on: keys must not reach a hidden widget (Enter
                # in the lesson list would start a lesson out of sight).
                self._focus_before_tiny = self.focused_panel()
                self.set_focus(None)
            current = self._focus_before_tiny if was_tiny else self.focused_panel()
            group = layout.group_of(mode, current) if current else None
            if group is None:
                group = self.default_group()
            self.show_group(group.id if group else "", focus=False)
            if was_tiny and group is not None:
                panel_id = current if current in group.panels else group.panels[0]
                self.panel(panel_id).focus_target.focus()
            self.refresh_bindings()  # the footer shows only the keys that act now
        size = self.app.size
        self.query_one("#too-small", Static).update(
            f"mptui needs a terminal of at least {layout.MIN_WIDTH}x{layout.MIN_HEIGHT}; "
            f"this one is {size.width}x{size.height}.\nEnlarge it, or press q to quit."
        )

    def default_group(self) -> layout.Group | None:
        """Where to look first: the lesson list before a run, the processes during one."""
        wanted = "processes" if self.mptui.session is not None else "lessons"
        return layout.group_of(self.mode, wanted)

    def show_group(self, group_id: str, focus: bool = False) -> None:
        """Show the panels of one tab (all panels in the full mode)."""
        group = layout.group_by_id(self.mode, group_id)
        if group is None:
            groups = layout.GROUPS[self.mode]
            group = groups[0] if groups else None
        shown = set(group.panels) if group else set()
        self.group = group.id if group else ""
        for panel_id in layout.PANELS:
            self.panel(panel_id).display = panel_id in shown
        self.query_one("#left").display = bool(shown & {"lessons", "source"})
        self.query_one("#main").display = bool(shown - {"lessons", "source"})
        self._show_summary(shown)
        self.query_one(PanelTabs).show_tabs(layout.GROUPS[self.mode], self.group)
        if self._snapshot is not None:
            # Fill the panels just shown first, so focus goes to their tables, not to an
            # empty panel that fills a moment later.
            self.show_tables(force=True)
        if focus and group is not None and self.focused_panel() not in shown:
            self.panel(group.panels[0]).focus_target.focus()
        if "log" in shown:
            self.call_after_refresh(self.log_panel.show_end)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below the smallest size only quitting works (an app key): nothing else is seen."""
        return self.mode != "tiny"

    def visible_panels(self) -> set[str]:
        group = layout.group_by_id(self.mode, self.group)
        return set(group.panels) if group else set()

    def focused_panel(self) -> str | None:
        """The id of the panel holding the focus, if any."""
        node: Widget | None = self.focused
        while node is not None:
            if isinstance(node, Panel):
                return node.id
            node = node.parent if isinstance(node.parent, Widget) else None
        return None

    def focus_panel(self, panel_id: str) -> None:
        group = layout.group_of(self.mode, panel_id)
        if group is not None and group.id != self.group:
            self.show_group(group.id)
        self.panel(panel_id).focus_target.focus()

    def _run_ended(self) -> bool:
        return self._snapshot is not None and self._snapshot.run.state == "ended"

    def _show_summary(self, visible: set[str]) -> None:
        """The Summary shows above the processes once the run ended, if there is room; the
        panels under it then leave it rows (app.tcss, ``-summary``)."""
        room = layout.summary_fits(self.mode, self.app.size.height)
        shown = room and "processes" in visible and self._run_ended()
        self.summary.display = shown
        self.set_class(shown, "-summary")

    # ------------------------------------------------------------- data

    def reset_run(self, key: str | None) -> None:
        """A new run starts: empty the panels that belong to the previous one."""
        for panel_id in ("processes", "channels", "locks", "log"):
            self.panel(panel_id).reset()
        self.summary.reset()
        self.set_class(False, "-summary")
        self._snapshot = None
        self.lessons.set_running(key)

    def show(self, snapshot: Snapshot, delta: LogDelta | None, now_ns: int,
             force: bool = False) -> None:  # fmt: skip
        """Called by the frame tick; the app wraps it in ``batch_update()``."""
        self._snapshot = snapshot
        if delta is not None:
            self.log_panel.add_lines(delta.lines, delta.skipped)
        self.log_panel.set_received(snapshot.lines_total)
        self.log_panel.flush(force=force)
        wall = time.monotonic()
        if force or wall - self._tables_at >= self.table_interval:
            self._tables_at = wall
            self.show_tables(force=force)  # updates the header too
        else:
            # One line, repainted only when its text changes (about once a second): the
            # run's state, the end policy's countdown and the verdict show without delay.
            self.update_header()

    def show_tables(self, force: bool = False) -> None:
        """Refresh the visible panels that have something new (or a clock to move)."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        now_ns = self.mptui.now_ns()
        running = snapshot.run.state == "running"
        visible = self.visible_panels()
        for panel_id in ("processes", "channels", "locks"):
            panel = self.panel(panel_id)
            if panel_id not in visible:
                continue  # a hidden panel catches up when shown (its version lags)
            if force or panel.version != snapshot.version or running:
                panel.show_snapshot(snapshot, now_ns)
                panel.version = snapshot.version
        if self.focused is None and self.mode != "tiny" and self.group:
            # Safety net: a widget that had the focus was hidden; keys must go somewhere seen.
            group = layout.group_by_id(self.mode, self.group)
            if group is not None:
                self.panel(group.panels[0]).focus_target.focus()
        ended = snapshot.run.state == "ended"
        self._show_summary(visible)
        if ended and self.summary.version != snapshot.version:
            self.summary.show_snapshot(snapshot, now_ns)
            self.summary.version = snapshot.version
        self.update_header()

    def update_header(self) -> None:
        app = self.mptui
        program = app.program
        method = app.method_label(program.start_method) if program is not None else None
        self.header.show(self.header_state(
            start_method=method,
            next_start_method=app.method_label(app.start_method) if program else None,
        ))  # fmt: skip

    def header_state(self, **facts: object) -> HeaderState:
        """What the header shows of the program and its run, with ``facts`` added."""
        app = self.mptui
        program = app.program
        snapshot = self._snapshot
        return HeaderState(
            name=(program.lesson or program.title) if program is not None else None,
            title=program.title if program is not None else None,
            params=app.params_label(),
            run=snapshot.run if snapshot else None,
            now_ns=app.now_ns(),
            verdict=snapshot.verdict if snapshot else None,
            still_running=sum(p.alive for p in snapshot.processes) if snapshot else 0,
            **facts,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------- messages

    def on_lesson_panel_chosen(self, message: LessonPanel.Chosen) -> None:
        self.mptui.run_entry(message.entry)

    def on_lesson_panel_highlighted(self, message: LessonPanel.Highlighted) -> None:
        # Before anything runs, the Source panel shows the code of the lesson under the
        # cursor; once a program runs, it shows what runs.
        lesson = message.entry.lesson
        if self.mptui.session is None and lesson is not None:
            self.source.show_file(pathlib.Path(lesson.path))

    def on_process_panel_chosen(self, message: ProcessPanel.Chosen) -> None:
        self._only_process(message.pid)

    def on_log_panel_filter_closed(self, message: LogPanel.FilterClosed) -> None:
        self.log_panel.focus_target.focus()

    # ------------------------------------------------------------- actions

    def action_next_panel(self) -> None:
        self._step_panel(+1)

    def action_previous_panel(self) -> None:
        self._step_panel(-1)

    def _step_panel(self, step: int) -> None:
        order = layout.tab_order(self.mode) or layout.PANELS
        current = self.focused_panel()
        index = order.index(current) if current in order else -step
        self.focus_panel(order[(index + step) % len(order)])

    def action_run(self) -> None:
        entry = self.lessons.selected
        if entry is None:
            self.app.notify("Nothing to run: no lessons and no script.", severity="warning")
            return
        self.mptui.run_entry(entry)

    def action_stop(self) -> None:
        self.mptui.stop_session()

    def action_kill(self) -> None:
        pid = self.processes.selected_pid
        snapshot = self._snapshot
        proc = snapshot.process(pid) if snapshot is not None and pid is not None else None
        if proc is None:
            self.app.notify("No process selected: pick one in the Processes panel.",
                            severity="warning")  # fmt: skip
            self.focus_panel("processes")
            return
        if not proc.alive:
            self.app.notify(f"{printable(proc.name)} (pid {proc.pid}) has already ended.",
                            markup=False)  # fmt: skip
            return

        from mptui.tui.screens.kill_screen import KillScreen  # lazily: see action_help

        def send(sig: int | None) -> None:
            if sig is not None:
                self.mptui.signal_process(proc.pid, proc.name, sig)

        self.app.push_screen(KillScreen(proc.name, proc.pid), send)

    def action_filter_log(self) -> None:
        self.focus_panel("log")
        self.log_panel.open_filter()

    def action_pause_log(self) -> None:
        self.log_panel.toggle_pause()

    def action_follow_log(self) -> None:
        self.log_panel.toggle_follow()

    def action_clear_log(self) -> None:
        self.log_panel.clear()

    def action_only_process(self) -> None:
        pid = self.processes.selected_pid
        if pid is None and self.log_panel.filter.pid is None:
            self.app.notify("No process selected: pick one in the Processes panel.",
                            severity="warning")  # fmt: skip
            return
        self._only_process(pid)

    def _only_process(self, pid: int | None) -> None:
        snapshot = self._snapshot
        proc = snapshot.process(pid) if snapshot is not None and pid is not None else None
        self.log_panel.toggle_process(pid, proc.name if proc else "")
        what = self.log_panel.filter.describe() or "all processes"
        self.app.notify(f"Log: {what}", timeout=2, markup=False)

    def action_edit_settings(self) -> None:
        entry = self.lessons.selected
        if entry is None or entry.lesson is None:
            self.app.notify("Your script's arguments are set on the command line "
                            "(mptui run SCRIPT ARGS...).")  # fmt: skip
            return
        if not entry.lesson.params:
            self.app.notify(f"The lesson {entry.key!r} has no settings.")
            return

        from mptui.tui.screens.settings_screen import SettingsScreen  # see action_help

        def save(values: dict[str, object] | None) -> None:
            if values is not None:
                self.mptui.settings[entry.key] = values
                self.lessons.refresh_details()
                self.mptui.run_entry(entry)

        self.app.push_screen(SettingsScreen(entry.lesson, self.mptui.settings.get(entry.key, {})),
                             save)  # fmt: skip

    def action_cycle_start_method(self) -> None:
        self.mptui.cycle_start_method()

    def action_help(self) -> None:
        # The dialogs are imported when first opened: the first frame does not need them.
        from mptui.tui.screens.help_screen import HelpScreen

        self.app.push_screen(HelpScreen())

    def action_lesson(self, number: int) -> None:
        if number == 0:
            entry = self.lessons.select(SCRIPT_KEY)
            if entry is None:
                self.app.notify("No script: start mptui with  mptui run SCRIPT  to list one.")
                return
        else:
            entry = self.lessons.lesson_number(number)
            if entry is None:
                self.app.notify(f"There is no lesson {number}.", severity="warning")
                return
            self.lessons.select(entry.key)
        self.mptui.run_entry(entry)
