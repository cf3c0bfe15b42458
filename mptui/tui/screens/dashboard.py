"""The dashboard screen: every panel, the layout chosen by size, and the keys that act on them.

The screen owns layout and user actions, and never imports the app. What the user asks of
the run (run an entry, stop, kill a process, another start method, new settings) it posts
as messages (:class:`DashboardScreen.RunChosen` ...), which bubble to the app. The app owns
the run control (mptui.engine.run_control) and the frame tick, which calls
:meth:`DashboardScreen.show` with a snapshot and the new log lines; the screen reads the
current run (its program, its clock) from the same RunControl, given when it is made.

UI state is typed reactives with watchers: the layout mode (from the terminal size), the
group of panels shown (a tab on small terminals, in Textual's own Tabs), the run's state,
and the start method of the next run.
"""

from __future__ import annotations

import pathlib
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.screen import Screen
from textual.widget import AwaitMount, Widget
from textual.widgets import Static, Tab, Tabs

from mptui.text import printable
from mptui.tui import layout
from mptui.tui.keys import DASHBOARD_BINDINGS
from mptui.tui.widgets.alert_banner import AlertBanner
from mptui.tui.widgets.channel_panel import ChannelPanel
from mptui.tui.widgets.key_footer import KeyFooter
from mptui.tui.widgets.lesson_panel import SCRIPT_KEY, Entry, LessonPanel, settings_text
from mptui.tui.widgets.lock_panel import LockPanel
from mptui.tui.widgets.log_panel import LogPanel
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.process_panel import ProcessPanel
from mptui.tui.widgets.run_header import HeaderState, RunHeader, method_label
from mptui.tui.widgets.source_panel import SourcePanel
from mptui.tui.widgets.summary_panel import SummaryPanel
from mptui.tui.widgets.timeline_panel import TimelinePanel

if TYPE_CHECKING:
    from mptui.engine.run_control import RunControl
    from mptui.engine.session import Program
    from mptui.engine.views import LogDelta, ProcessView, Snapshot

TABBED_MODES = ("medium", "compact")
"""The layout modes that show one group of panels at a time, under a tab bar."""
TAB_HINT = "Tab: next panel"
"""Beside the tabs: the key that moves on (a click on a tab works too)."""
RUN_PANELS = ("processes", "channels", "locks", "timeline", "log")
"""The panels of a run, in their column; mounted after the first frame when it hides them
(see DashboardScreen.ensure_panels)."""


def tab_id(mode: str, group_id: str) -> str:
    """The id of a group's tab in the tab bar of ``mode``."""
    return f"{mode}-{group_id}"


TABLE_PANELS = ("processes", "channels", "locks")
LIVE_PANELS = ("processes", "locks")
"""The tables that show who holds, who waits and each process's state: refreshed in the
next frame when those change (Snapshot.live_version); the queues' rates can wait."""


class PanelTabs(Horizontal):
    """The tab bar of the medium and compact modes: a Textual Tabs per mode (the current
    mode's shows; app.tcss) and the hint. Tab moves between panels, so the tabs never take
    the focus; a click on a tab shows its group.

    Only the tabs of the mode the dashboard starts in are composed; another mode's are
    mounted when the terminal is first resized into it: each Tabs is ten widgets to style
    and lay out, and the first frame needs at most one of them."""

    def __init__(self, mode: str, *, id: str) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id)
        self.first_mode = mode

    @staticmethod
    def make_tabs(mode: str, active: str | None = None) -> Tabs:
        labels = [Tab(group.label, id=tab_id(mode, group.id)) for group in layout.GROUPS[mode]]
        tabs = Tabs(*labels, active=active, id=f"tabs-{mode}")
        tabs.can_focus = False
        return tabs

    def compose(self) -> ComposeResult:
        if self.first_mode in TABBED_MODES:
            yield self.make_tabs(self.first_mode)
        yield Static(TAB_HINT, id="tab-hint")

    def show(self, mode: str, group_id: str) -> None:
        """Mark ``group_id``'s tab active in the bar of ``mode``."""
        if mode not in TABBED_MODES or not group_id:
            return
        found = self.query(f"#tabs-{mode}").results(Tabs)
        tabs = next(found, None)
        if tabs is None:  # the first time in this mode: its tabs come active as they mount
            self.mount(self.make_tabs(mode, active=tab_id(mode, group_id)), before="#tab-hint")
        else:
            tabs.active = tab_id(mode, group_id)


class DashboardScreen(Screen):
    """All panels; on small terminals they are grouped into tabs."""

    BINDINGS = DASHBOARD_BINDINGS
    """See mptui/tui/keys.py; the help screen lists the same keys."""

    layout_mode: Reactive[str] = reactive("", init=False)
    """Layout mode: full, medium, compact or tiny (see mptui.tui.layout), from the size."""
    panel_group: Reactive[str] = reactive("", init=False, always_update=True)
    """The group of panels shown (a tab in the medium and compact modes); set again after
    a change of mode, the panels are shown again."""
    run_state: Reactive[str] = reactive("idle", init=False)
    """The shown run's state: idle (none yet), running, or ended (its main process)."""
    start_method: Reactive[str | None] = reactive(None, init=False)
    """The start method of the next run (None: the platform's default); ``m`` cycles it."""

    # ------------------------------------------------------------- what it asks of the app

    class RunChosen(Message):
        """Run (or restart) an entry of the lesson list."""

        def __init__(self, entry: Entry) -> None:
            super().__init__()
            self.entry = entry

    class StopPressed(Message):
        """Stop the observed program."""

    class KillConfirmed(Message):
        """Send ``signal`` to one process of the run (confirmed in the kill dialog)."""

        def __init__(self, pid: int, name: str, signal: int) -> None:
            super().__init__()
            self.pid, self.name, self.signal = pid, name, signal

    class StacksAsked(Message):
        """Show the Python stacks of one process (the ``t`` key)."""

        def __init__(self, pid: int, name: str) -> None:
            super().__init__()
            self.pid, self.name = pid, name

    class StartMethodCycled(Message):
        """The next run should use the next start method."""

    class SettingsSaved(Message):
        """New parameter values for a lesson: run it with them now, and from now on."""

        def __init__(self, entry: Entry, values: dict[str, object]) -> None:
            super().__init__()
            self.entry, self.values = entry, values

    def __init__(
        self,
        entries: Sequence[Entry],
        runs: RunControl,
        *,
        settings: Mapping[str, Mapping[str, object]] | None = None,
        start_method: str | None = None,
        autostart: str | None = None,
        starting: Program | None = None,
        table_hz: float = 1.0,
        log_hz: float = 2.0,
    ) -> None:
        """
        Args:
            entries: what the lesson list offers (lessons, the user's script, a recording).
            runs: the app's run control: the current run's program, Store and clock.
            settings: parameter values per lesson (the app's, which it updates).
            start_method: the start method of the first run (None: the default).
            autostart: the entry to run as soon as the screen is mounted (a lesson's name,
                the script's key), so that its name is in the first frame; None: none.
            starting: the Program the app will run for ``autostart``, if it knows it now:
                the first frame then shows it starting (name, settings, its panels), and
                is not drawn a second time when the app starts it a moment later.
            table_hz: refreshes per second of the tables.
            log_hz: writes per second to the log view while lines keep coming.
        """
        super().__init__(id="dashboard")
        self.entries = tuple(entries)
        self.runs = runs
        self.settings: Mapping[str, Mapping[str, object]] = settings if settings is not None \
            else {}  # fmt: skip
        self.set_reactive(DashboardScreen.start_method, start_method)
        self.autostart = autostart
        self.starting = starting
        self._program: Program | None = None
        """The program the app last asked to start (see run_started)."""
        self.table_interval = 1.0 / table_hz
        """Seconds between two table refreshes: tables re-render every visible cell on any
        update, so they refresh at 1-2 Hz while the log follows every frame."""
        self.log_interval = 1.0 / log_hz
        """Least seconds between two writes to the log view (see LogPanel.flush)."""
        self._tables_at = 0.0
        self._live_shown = -1
        self._snapshot: Snapshot | None = None
        self._panels: dict[str, Panel] = {}
        """Every panel by id, mounted or not yet (see ensure_panels)."""
        self._deferred: tuple[str, ...] = ()
        """The panels left out of the first frame, mounted right after it."""
        self._mounting: AwaitMount | None = None
        self._panels_ready = True
        """Every panel is mounted, with its tables and views."""
        self._resumed = False
        """The screen was shown once (see _on_screen_resume)."""
        self._focus_before_tiny: str | None = None
        """The panel that had the focus when the terminal became too small."""

    # ------------------------------------------------------------- composition

    def compose(self) -> ComposeResult:
        # The layout's class before the children mount: added after, it would restyle every
        # widget a second time before the first frame (on_mount's apply_mode then finds it).
        mode = layout.choose_mode(self.app.size.width, self.app.size.height)
        self.add_class(f"-{mode}")
        yield RunHeader()
        yield AlertBanner(id="alerts")
        yield PanelTabs(mode, id="panel-tabs")
        panels: list[Panel] = [
            LessonPanel(self.entries, id="lessons"), SourcePanel(id="source"),
            ProcessPanel(id="processes"), ChannelPanel(id="channels"), LockPanel(id="locks"),
            TimelinePanel(id="timeline"), LogPanel(id="log"),
        ]  # fmt: skip
        self._panels = {panel.id or "": panel for panel in panels}
        if self.autostart is None and mode in TABBED_MODES:
            # Nothing runs yet, and a tabbed mode opens on the lesson list: the run's panels
            # (four tables, the log and its filter input: a third of the widgets, about
            # 25 ms of CPU at 120x40) are hidden. They are mounted right after that frame.
            self._deferred = RUN_PANELS
            self._panels_ready = False
        with Horizontal(id="body"):
            with Vertical(id="left"):
                yield self.lessons
                yield self.source
            with Vertical(id="main"):
                yield SummaryPanel(id="summary")
                for panel_id in RUN_PANELS:
                    if panel_id not in self._deferred:
                        yield self._panels[panel_id]
        yield Static(id="too-small")
        # The palette key is in the help screen; at 80 columns the main keys need the room.
        yield KeyFooter()  # compact, no palette key; rebuilt only when its keys change

    def on_mount(self) -> None:
        self.log_panel.write_interval = self.log_interval
        self.lessons.settings = self.settings
        self.lessons.start_method_label = method_label(self.start_method)
        self.lessons.refresh_details()
        self.layout_mode = layout.choose_mode(self.app.size.width, self.app.size.height)
        if self.layout_mode == "tiny":
            self._focus_before_tiny = "lessons"  # where the focus goes once there is room
        else:
            self.lessons.focus_target.focus()
        if self.autostart is not None:
            # Asked for now, before the first frame: the app shows the program's name and
            # panels at once, then lets that frame be drawn before it starts the engine.
            entry = self.lessons.select(self.autostart)
            if entry is not None:
                if self.starting is not None:
                    self.run_started(self.starting, entry.key)
                self.post_message(self.RunChosen(entry))
        self.update_header()
        if self._deferred:
            self.call_after_refresh(self.ensure_panels)

    async def ensure_panels(self) -> None:
        """Mount the panels the first frame left out, if not yet done, and wait until they
        are mounted (their tables and views exist). Whatever acts on them before they are
        (a key pressed right after the first frame, a run starting) waits for this."""
        if self._panels_ready:
            return
        if self._mounting is None:
            deferred = [self._panels[panel_id] for panel_id in self._deferred]
            self._mounting = self.query_one("#main", Vertical).mount_all(deferred)
        await self._mounting
        self._panels_ready = True

    def _focus(self, panel_id: str) -> None:
        """Give the focus to a panel (its table or view), once it is mounted."""
        panel = self.panel(panel_id)
        if self._panels_ready or panel_id not in self._deferred:
            panel.focus_target.focus()
            return

        async def when_mounted() -> None:
            await self.ensure_panels()
            panel.focus_target.focus()

        self.call_next(when_mounted)

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        """Runs before Textual's own handler (Screen._on_screen_resume), which restyles every
        widget of the screen on a resume. On the first one, every widget was styled as it
        mounted, moments ago, and nothing changed since (classes and focus restyle what
        they touch): a second pass over all of them only delays the first frame."""
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False

    def on_resize(self, event: events.Resize) -> None:
        self.layout_mode = layout.choose_mode(event.size.width, event.size.height)
        self._say_too_small()

    # typed accessors (the panels may not be mounted yet: see ensure_panels)
    @property
    def lessons(self) -> LessonPanel:
        return cast(LessonPanel, self._panels["lessons"])

    @property
    def processes(self) -> ProcessPanel:
        return cast(ProcessPanel, self._panels["processes"])

    @property
    def log_panel(self) -> LogPanel:
        return cast(LogPanel, self._panels["log"])

    @property
    def source(self) -> SourcePanel:
        return cast(SourcePanel, self._panels["source"])

    @property
    def header(self) -> RunHeader:
        return self.query_one(RunHeader)

    @property
    def summary(self) -> SummaryPanel:
        return self.query_one(SummaryPanel)

    def panel(self, panel_id: str) -> Panel:
        return self._panels[panel_id]

    # ------------------------------------------------------------- layout

    def watch_layout_mode(self, previous: str, mode: str) -> None:
        """Switch layout mode (on resize); keeps the focused panel's tab in front."""
        was_tiny = previous == "tiny"
        for old in ("full", "medium", "compact", "tiny"):
            self.set_class(old == mode, f"-{old}")
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
            self._focus(panel_id)
        self.refresh_bindings()  # the footer shows only the keys that act now
        self._say_too_small()

    def _say_too_small(self) -> None:
        size = self.app.size
        self.query_one("#too-small", Static).update(
            f"mptui needs a terminal of at least {layout.MIN_WIDTH}x{layout.MIN_HEIGHT}; "
            f"this one is {size.width}x{size.height}.\nEnlarge it, or press q to quit."
        )

    def default_group(self) -> layout.Group | None:
        """Where to look first: the lesson list before a run, the processes during one."""
        wanted = "processes" if self.runs.session is not None else "lessons"
        return layout.group_of(self.layout_mode, wanted)

    def show_group(self, group_id: str, focus: bool = False) -> None:
        """Show the panels of one group (all panels in the full mode); with ``focus``, move
        the focus into it unless it is there already."""
        group = layout.group_by_id(self.layout_mode, group_id)
        if group is None:
            groups = layout.GROUPS[self.layout_mode]
            group = groups[0] if groups else None
        self.panel_group = group.id if group else ""
        if focus and group is not None and self.focused_panel() not in group.panels:
            self._focus(group.panels[0])

    def watch_panel_group(self) -> None:
        """Show the group's panels, hide the others, and mark its tab."""
        shown = self.visible_panels()
        for panel_id in layout.PANELS:
            self.panel(panel_id).display = panel_id in shown
        self.query_one("#left").display = bool(shown & {"lessons", "source"})
        self.query_one("#main").display = bool(shown - {"lessons", "source"})
        self._show_summary(shown)
        self.query_one(PanelTabs).show(self.layout_mode, self.panel_group)
        if self._snapshot is not None:
            # Fill the panels just shown first, so focus goes to their tables, not to an
            # empty panel that fills a moment later.
            self.show_tables(force=True)
        if shown & set(self._deferred) and not self._panels_ready:
            self.call_next(self.ensure_panels)  # shown before they were mounted (a resize)
        elif "log" in shown:
            self.call_after_refresh(self.log_panel.show_end)

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        """A click on a tab. A tab made active from here comes back too, a moment later:
        then it is the group shown, or (the group changed again since) no longer the active
        tab; acting on it would switch back and forth for ever."""
        event.stop()
        prefix = f"{self.layout_mode}-"
        tab = event.tab.id or ""
        if tab != event.tabs.active:
            return
        if tab.startswith(prefix) and tab[len(prefix) :] != self.panel_group:
            self.show_group(tab[len(prefix) :], focus=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below the smallest size only quitting works (an app key): nothing else is seen."""
        return self.layout_mode != "tiny"

    def visible_panels(self) -> set[str]:
        group = layout.group_by_id(self.layout_mode, self.panel_group)
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
        group = layout.group_of(self.layout_mode, panel_id)
        if group is not None and group.id != self.panel_group:
            self.show_group(group.id)
        self._focus(panel_id)

    def _show_summary(self, visible: set[str]) -> None:
        """The Summary shows above the processes once the run ended, if there is room; the
        panels under it then leave it rows (app.tcss, ``-summary``)."""
        room = layout.summary_fits(self.layout_mode, self.app.size.height)
        shown = room and "processes" in visible and self.run_state == "ended"
        self.summary.display = shown
        self.set_class(shown, "-summary")

    def watch_run_state(self) -> None:
        self._show_summary(self.visible_panels())

    # ------------------------------------------------------------- data

    def reset_run(self, key: str | None) -> None:
        """A new run starts: empty the panels that belong to the previous one."""
        for panel_id in RUN_PANELS:
            self.panel(panel_id).reset()
        self.summary.reset()
        self.query_one(AlertBanner).clear()
        self.set_class(False, "-summary")
        self._snapshot = None
        self.run_state = "idle"
        self.lessons.set_running(key)

    def run_started(self, program: Program, key: str | None) -> None:
        """The app is starting ``program`` (the entry ``key``): show it from the start,
        its name in the header before the engine has even started it."""
        self.reset_run(key)
        self._program = program
        # A recorded program brings the text that ran; a live one is read from its file.
        self.source.show_file(program.source_path, program.source_text)
        if self.panel_group in ("lessons", "lesson") and self.layout_mode != "full":
            # focus=True: the lesson list is hidden now; keys must not go to it unseen.
            self.show_group("run" if self.layout_mode == "compact" else "dashboard", focus=True)

    def now_ns(self) -> int:
        """The clock uptimes are measured against: the session's (a replay brings the
        recorded run's, for snapshots); the wall clock before any run."""
        session = self.runs.session
        return session.now_ns() if session is not None else time.monotonic_ns()

    def show(self, snapshot: Snapshot, delta: LogDelta | None, now_ns: int,
             force: bool = False) -> None:  # fmt: skip
        """Called by the frame tick; the app wraps it in ``batch_update()``."""
        self._snapshot = snapshot
        self.run_state = snapshot.run.state
        if delta is not None:
            self.log_panel.add_lines(delta.lines, delta.skipped)
            self.log_panel.set_pending(delta.pending)
        self.log_panel.set_received(snapshot.lines_total)
        self.log_panel.flush(force=force)
        wall = time.monotonic()
        # Who holds, who waits, a process's state and the alerts show in the next frame
        # (issue 8: within 250 ms); counts and rates wait for the table refresh.
        live = snapshot.live_version != self._live_shown
        self._live_shown = snapshot.live_version
        if force or wall - self._tables_at >= self.table_interval:
            self._tables_at = wall
            self.show_tables(force=force)  # updates the header too
        elif live:
            self.show_tables(panels=LIVE_PANELS)
        else:
            # One line, repainted only when its text changes (about once a second): the
            # run's state, the end policy's countdown and the verdict show without delay.
            self.update_header()
        self.show_timeline(snapshot)  # (forced above, by show_tables, when force is)

    def show_timeline(self, snapshot: Snapshot, force: bool = False) -> None:
        """The timeline, if shown: it redraws only when a slice has passed (every frame
        asks; most frames it returns at once)."""
        store = self.runs.store
        if store is None or "timeline" not in self.visible_panels():
            return
        if not self._panels_ready and "timeline" in self._deferred:
            return
        panel = cast(TimelinePanel, self.panel("timeline"))
        panel.show_timeline(store, snapshot, self.now_ns(), force=force)

    def show_tables(self, force: bool = False, panels: tuple[str, ...] = TABLE_PANELS) -> None:
        """Refresh the visible panels that have something new (or a clock to move)."""
        snapshot = self._snapshot
        if snapshot is None:
            return
        now_ns = self.now_ns()
        running = snapshot.run.state == "running"
        visible = self.visible_panels()
        for panel_id in panels:
            panel = self.panel(panel_id)
            if panel_id not in visible:
                continue  # a hidden panel catches up when shown (its version lags)
            if force or panel.version != snapshot.version or running:
                panel.show_snapshot(snapshot, now_ns)
                panel.version = snapshot.version
        if "source" in visible:  # where processes wait: as live as the tables of who waits
            self.source.show_marks(snapshot)
        if self.focused is None and self.layout_mode != "tiny" and self.panel_group:
            # Safety net: a widget that had the focus was hidden; keys must go somewhere seen.
            group = layout.group_by_id(self.layout_mode, self.panel_group)
            if group is not None:
                self._focus(group.panels[0])
        if force:
            self.show_timeline(snapshot, force=True)
        self.query_one(AlertBanner).show_snapshot(snapshot, now_ns)
        ended = snapshot.run.state == "ended"
        self._show_summary(visible)
        if ended and self.summary.version != snapshot.version:
            self.summary.show_snapshot(snapshot, now_ns)
            self.summary.version = snapshot.version
        self.update_header()

    @property
    def program(self) -> Program | None:
        """The program shown: the one being started, else the run's (or a replay's)."""
        return self._program if self._program is not None else self.runs.program

    def update_header(self) -> None:
        program = self.program
        method = method_label(program.start_method) if program is not None else None
        self.header.show(self.header_state(
            start_method=method,
            next_start_method=method_label(self.start_method) if program else None,
        ))  # fmt: skip

    def header_state(self, **facts: object) -> HeaderState:
        """What the header shows of the program and its run, with ``facts`` added."""
        program = self.program
        snapshot = self._snapshot
        return HeaderState(
            name=(program.lesson or program.title) if program is not None else None,
            title=program.title if program is not None else None,
            params=self.params_label(program),
            run=snapshot.run if snapshot else None,
            now_ns=self.now_ns(),
            verdict=snapshot.verdict if snapshot else None,
            still_running=sum(p.alive for p in snapshot.processes) if snapshot else 0,
            **facts,  # type: ignore[arg-type]
        )

    def params_label(self, program: Program | None) -> str:
        """A lesson's settings (every parameter), or a script's arguments."""
        if program is None:
            return ""
        lessons = (entry.lesson for entry in self.entries if entry.lesson is not None)
        lesson = next((x for x in lessons if x.name == program.lesson), None)
        if lesson is not None:
            return settings_text(lesson, dict(program.params or {}))
        return " ".join(program.argv[1:])

    def watch_start_method(self, method: str | None) -> None:
        self.lessons.start_method_label = method_label(method)
        self.lessons.refresh_details()
        self.update_header()

    # ------------------------------------------------------------- messages

    def on_lesson_panel_chosen(self, message: LessonPanel.Chosen) -> None:
        self.post_message(self.RunChosen(message.entry))

    def on_lesson_panel_highlighted(self, message: LessonPanel.Highlighted) -> None:
        # Before anything runs, the Source panel shows the code of the lesson under the
        # cursor; once a program runs, it shows what runs.
        lesson = message.entry.lesson
        if self.runs.session is None and lesson is not None:
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
        order = layout.tab_order(self.layout_mode) or layout.PANELS
        current = self.focused_panel()
        index = order.index(current) if current in order else -step
        self.focus_panel(order[(index + step) % len(order)])

    def action_run(self) -> None:
        entry = self.lessons.selected
        if entry is None:
            self.app.notify("Nothing to run: no lessons and no script.", severity="warning")
            return
        self.post_message(self.RunChosen(entry))

    def action_stop(self) -> None:
        self.post_message(self.StopPressed())

    async def _live_selected_process(self) -> ProcessView | None:
        """The running process under the Processes panel's cursor; else None, and the
        user is told why (nothing selected, or it has ended)."""
        await self.ensure_panels()
        pid = self.processes.selected_pid
        snapshot = self._snapshot
        proc = snapshot.process(pid) if snapshot is not None and pid is not None else None
        if proc is None:
            self.app.notify("No process selected: pick one in the Processes panel.",
                            severity="warning")  # fmt: skip
            self.focus_panel("processes")
            return None
        if not proc.alive:
            self.app.notify(f"{printable(proc.name)} (pid {proc.pid}) has already ended.",
                            markup=False)  # fmt: skip
            return None
        return proc

    async def action_kill(self) -> None:
        proc = await self._live_selected_process()
        if proc is None:
            return

        from mptui.tui.screens.kill_screen import KillScreen  # lazily: see action_help

        def send(sig: int | None) -> None:
            if sig is not None:
                self.post_message(self.KillConfirmed(proc.pid, proc.name, sig))

        self.app.push_screen(KillScreen(proc.name, proc.pid), send)

    async def action_stacks(self) -> None:
        proc = await self._live_selected_process()
        if proc is not None:
            self.post_message(self.StacksAsked(proc.pid, proc.name))

    async def action_filter_log(self) -> None:
        await self.ensure_panels()
        self.focus_panel("log")
        self.log_panel.open_filter()

    async def action_pause_log(self) -> None:
        await self.ensure_panels()
        self.log_panel.toggle_pause()

    async def action_follow_log(self) -> None:
        await self.ensure_panels()
        self.log_panel.toggle_follow()

    async def action_clear_log(self) -> None:
        await self.ensure_panels()
        self.log_panel.clear()

    async def action_only_process(self) -> None:
        await self.ensure_panels()
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
                self.post_message(self.SettingsSaved(entry, values))

        self.app.push_screen(SettingsScreen(entry.lesson, self.settings.get(entry.key, {})),
                             save)  # fmt: skip

    def action_cycle_start_method(self) -> None:
        self.post_message(self.StartMethodCycled())

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
        self.post_message(self.RunChosen(entry))
