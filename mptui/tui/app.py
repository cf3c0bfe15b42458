"""The mptui application: one run at a time, one frame tick, clean exits.

The app owns what outlives a screen: the run control (mptui.engine.run_control: start,
stop, kill and the end policy, as headless has them), the settings the user chose per
lesson, and the frame tick that reads the current run's Store and hands the dashboard one
snapshot and one batch of log lines per frame. The dashboard screen never calls the app:
it posts what the user asked for (:class:`DashboardScreen.RunChosen` ...), handled here.

Every way out stops the observed program first: ``q``, Ctrl+C, SIGINT, SIGTERM, SIGHUP (a
dropped SSH connection) and a terminal that went away without a signal (checked every few
seconds).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, NoReturn

from textual import work
from textual.app import App, ScreenStackError, SystemCommand
from textual.command import CommandPalette
from textual.content import Content
from textual.css.query import NoMatches
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver
from textual.screen import Screen

from mptui.engine.program import Program  # light: a dataclass, no engine machinery
from mptui.engine.run_control import RunControl, SessionFactory, SessionLike
from mptui.text import printable
from mptui.tui import glyphs, layout
from mptui.tui.driver import QuickExitDriver
from mptui.tui.keys import APP_BINDINGS
from mptui.tui.palette import Palette
from mptui.tui.screens.dashboard import DashboardScreen
from mptui.tui.widgets.lesson_panel import SCRIPT_KEY, Entry
from mptui.tui.widgets.run_header import method_label

if TYPE_CHECKING:
    from mptui.scenarios import Lesson

LOG_BATCH = 5000
"""At most this many new log lines per frame; older ones in a burst are counted as dropped."""
TTY_CHECK_SECONDS = 5.0
"""How often to check that the terminal still exists (Dolphie does the same)."""


def start_methods() -> tuple[str | None, ...]:
    """What ``m`` cycles through: the platform's default first, then each available one."""
    import multiprocessing  # here, not at the top: the first frame does not need it

    return (None, *multiprocessing.get_all_start_methods())


class MptuiApp(App[int]):
    """The dashboard on one observed program at a time."""

    CSS_PATH = "app.tcss"
    TITLE = "mptui"
    BINDINGS = APP_BINDINGS
    """q and Ctrl+C quit from anywhere; the dashboard's keys are on its screen."""

    def __init__(
        self,
        *,
        session_factory: SessionFactory,
        lessons: Sequence[Lesson] = (),
        script: Program | None = None,
        autostart: str | None = None,
        start_method: str | None = None,
        settings: Mapping[str, Mapping[str, object]] | None = None,
        fps: float = 10.0,
        table_hz: float = 1.0,
        log_hz: float = 2.0,
        watch_terminal: bool = False,
    ) -> None:
        """
        Args:
            session_factory: makes a session for a Program (the real Session, or a replay).
            lessons: the lessons to list (``mptui.scenarios.lessons()``).
            script: a Program for the user's own script, listed first, if any.
            autostart: the entry to run at once: a lesson name, or ``"script"``.
            start_method: the start method of the first run (None: the platform default).
            settings: parameter values per lesson name.
            fps: frames per second of the tick that moves data into the widgets.
            table_hz: refreshes per second of the tables (each redraws all its rows).
            log_hz: writes per second to the log view while lines keep coming (each
                scrolls, so redraws, the whole view).
            watch_terminal: exit if the terminal disappears (off in tests: no tty there).
        """
        # Before Textual reads the stylesheet's variables (get_css_variables), in __init__.
        glyphs.use(glyphs.for_environment(os.environ))
        super().__init__()
        self.runs = RunControl(session_factory)
        """The current run: start, stop, kill and the end policy (as headless has them)."""
        self.lessons = tuple(lessons)
        self.script = script
        self.autostart = autostart
        self.first_start_method = start_method
        self.settings: dict[str, dict[str, object]] = {k: dict(v) for k, v in
                                                        (settings or {}).items()}  # fmt: skip
        """Parameter values per lesson, used by every later run of that lesson."""
        self.fps = fps
        self.table_hz = table_hz
        self.log_hz = log_hz
        self.watch_terminal = watch_terminal
        self.running_key: str | None = None
        self.exit_status = 0
        self._cursor = 0
        self._starting = False
        """A run is being started: the frame tick waits for it (see run_program)."""
        self._quitting = False
        self._first_program: Program | None = None
        """The program the dashboard's first frame shows starting (see make_dashboard)."""
        self.dashboard: DashboardScreen

    # ------------------------------------------------------------- set-up

    def get_driver_class(self) -> type[Driver]:
        """Textual's own, but for a quit that does not wait for its input thread."""
        driver_class = super().get_driver_class()
        return QuickExitDriver if driver_class is LinuxDriver else driver_class

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables, and the border types for this terminal (mptui.tui.glyphs)."""
        return {**super().get_css_variables(), **glyphs.active().css_variables()}

    def entries(self) -> list[Entry]:
        entries = []
        if self.script is not None:
            entries.append(Entry(
                SCRIPT_KEY, f"your script: {printable(self.script.title)}",
                "Your own program, run unmodified with mptui's agent installed:\n"
                + " ".join(printable(arg) for arg in self.script.argv), None,
            ))  # fmt: skip
        entries += [Entry(lesson.name, lesson.title, lesson.explanation, lesson)
                    for lesson in self.lessons]  # fmt: skip
        return entries

    def make_dashboard(self) -> DashboardScreen:
        """The dashboard screen (a replay has its own)."""
        self._first_program = self.first_program()
        return DashboardScreen(self.entries(), self.runs, settings=self.settings,
                               start_method=self.first_start_method, autostart=self.autostart,
                               starting=self._first_program, table_hz=self.table_hz,
                               log_hz=self.log_hz)  # fmt: skip

    def first_program(self) -> Program | None:
        """The program ``autostart`` names, as :meth:`program_for` will make it: the
        dashboard's first frame shows it starting (None: not known, or not valid)."""
        entry = next((e for e in self.entries() if e.key == self.autostart), None)
        if entry is None:
            return None
        try:
            return self.program_for(entry, self.first_start_method)
        except ValueError:  # BadParam: the run says so when it is tried
            return None

    def get_default_screen(self) -> Screen:
        self.dashboard = self.make_dashboard()
        return self.dashboard

    def on_mount(self) -> None:
        self.set_class(glyphs.active() is glyphs.ASCII, "-ascii")  # see app.tcss
        self.set_interval(1.0 / self.fps, self.tick, name="frame")
        loop = asyncio.get_running_loop()
        # SIGINT too: in raw mode Ctrl+C is a key (a quit with status 0), so a SIGINT comes
        # from kill and, like SIGTERM and SIGHUP, ends mptui with 128 + its number.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            try:
                loop.add_signal_handler(sig, self.on_terminate, sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass  # not the main thread (some test runners): nothing to install
        if self.watch_terminal:
            self.set_interval(TTY_CHECK_SECONDS, self.check_terminal, name="tty-check")

    def on_unmount(self) -> None:
        # Last line of defence; run_app closes again after the loop, close() is idempotent.
        self.runs.close()

    # ------------------------------------------------------------- the run

    @property
    def session(self) -> SessionLike | None:
        """The current (or last) run; None before the first."""
        return self.runs.session

    @property
    def program(self) -> Program | None:
        """The current (or last) run's Program."""
        return self.runs.program

    @property
    def start_method(self) -> str | None:
        """The start method of the next run (the dashboard shows it; ``m`` cycles it)."""
        return self.dashboard.start_method

    @start_method.setter
    def start_method(self, method: str | None) -> None:
        self.dashboard.start_method = method

    # ------------------------------------------------------------- running programs

    def program_for(self, entry: Entry, start_method: str | None = "") -> Program:
        """The Program to run for an entry, with the user's settings and start method (by
        default the one the dashboard shows for the next run)."""
        method = self.start_method if start_method == "" else start_method
        if entry.lesson is not None:
            return Program.from_lesson(
                entry.lesson, self.settings.get(entry.key, {}), start_method=method
            )
        return self.script.with_start_method(method)

    def run_entry(self, entry: Entry) -> None:
        """Run (or restart) an entry of the lesson list."""
        try:
            program = self.program_for(entry)
        except ValueError as error:  # BadParam from a lesson's argv()
            self.notify(str(error), severity="error", markup=False)
            return
        self.run_program(program, entry.key)

    @work(exclusive=True, group="session")
    async def run_program(self, program: Program, key: str | None) -> None:
        """Stop the current run, if any, then start ``program`` (on the main thread)."""
        if self.runs.session is not None:
            # Stopping blocks up to the grace period; keep the UI answering meanwhile.
            # (Nothing to stop on the first run: no thread hop before its first frame.)
            await asyncio.to_thread(self.runs.end_current)
        if self._quitting:
            return
        dashboard = self.dashboard
        await dashboard.ensure_panels()  # left out of the first frame if it was the lessons'
        self.running_key = key
        self._cursor = 0
        # Until the new run exists, the frame tick must not read the last run's Store (it
        # stays readable) into the panels just emptied for the new one.
        self._starting = True
        try:
            if program != self._first_program or self.runs.session is not None:
                dashboard.run_started(program, key)
            # else the dashboard showed it starting from its first frame (make_dashboard)
            self._first_program = None
            # Let the program's name and "starting..." be drawn (the first frame, when the
            # program was named on the command line) before the engine loads and the
            # program forks: the screen comes sooner.
            dashboard.update_header()
            await dashboard.wait_for_refresh()
            if self._quitting:
                return
            # start() must run on the main thread (PR_SET_PDEATHSIG is per thread);
            # async workers run on the event loop, which is the main thread.
            session = self.runs.start(program)
        except Exception as error:  # noqa: BLE001 - a failed start is shown, never a crash
            # markup=False here and wherever a notice holds the program's text ("[b]").
            self.notify(printable(f"Could not start {program.title}: {error}"),
                        severity="error", timeout=10, markup=False)  # fmt: skip
            self.dashboard.update_header()
            return
        finally:
            self._starting = False
        recorder = getattr(session, "recorder", None)
        if recorder is not None:
            self.notify(f"Recording this run to {recorder.path}", timeout=4)
        self.tick(force=True)

    def stop_session(self) -> None:
        if not self.runs.running:
            self.notify("Nothing is running.")
            return
        self.notify("Stopping: SIGINT, then SIGTERM, then SIGKILL.", timeout=3)
        self._stop()

    @work(group="stop")
    async def _stop(self) -> None:
        await asyncio.to_thread(self.runs.stop)
        self.tick(force=True)

    def signal_process(self, pid: int, name: str, sig: int) -> None:
        sig_name = signal.Signals(sig).name
        if self.runs.signal(pid, sig):
            self.notify(f"Sent {sig_name} to {printable(name)} (pid {pid}).", timeout=3,
                        markup=False)  # fmt: skip
        else:
            self.notify(f"{printable(name)} (pid {pid}) is not running any more.",
                        severity="warning", markup=False)  # fmt: skip
        self.tick(force=True)

    def cycle_start_method(self) -> None:
        methods = start_methods()
        index = methods.index(self.start_method) if self.start_method in methods else -1
        self.start_method = methods[(index + 1) % len(methods)]
        label = method_label(self.start_method)
        self.notify(f"Start method for the next run: {label} (r runs it)", timeout=3)

    # ------------------------------------------------------------- what the dashboard asks

    def on_dashboard_screen_run_chosen(self, message: DashboardScreen.RunChosen) -> None:
        self.run_entry(message.entry)

    def on_dashboard_screen_stop_pressed(self, message: DashboardScreen.StopPressed) -> None:
        self.stop_session()

    def on_dashboard_screen_kill_confirmed(self, message: DashboardScreen.KillConfirmed) -> None:
        self.signal_process(message.pid, message.name, message.signal)

    def on_dashboard_screen_stacks_asked(self, message: DashboardScreen.StacksAsked) -> None:
        self.show_stacks(message.pid, message.name)

    @work(group="stacks", exclusive=True)
    async def show_stacks(self, pid: int, name: str) -> None:
        """Take the stacks off the UI thread (py-spy or the agent take up to a second)."""
        self.notify(f"Reading the stacks of {printable(name)} (pid {pid})...", timeout=2,
                    markup=False)  # fmt: skip
        dump = await asyncio.to_thread(self.runs.stacks, pid)
        if not dump.ok:
            self.notify(dump.text, severity="warning", timeout=8, markup=False)
            return
        from mptui.tui.screens.stack_screen import StackScreen

        await self.push_screen(StackScreen(name, dump))

    def on_dashboard_screen_start_method_cycled(
        self, message: DashboardScreen.StartMethodCycled
    ) -> None:
        self.cycle_start_method()

    def on_dashboard_screen_settings_saved(self, message: DashboardScreen.SettingsSaved) -> None:
        self.settings[message.entry.key] = message.values
        self.dashboard.lessons.refresh_details()
        self.run_entry(message.entry)

    # ------------------------------------------------------------- the frame tick

    def tick(self, force: bool = False) -> None:
        """Move what changed in the Store into the widgets, in one batch."""
        store = self.runs.store
        if store is None or self._starting:
            return
        snapshot = store.snapshot()
        delta = store.log_since(self._cursor, limit=LOG_BATCH)
        self._cursor = delta.cursor
        try:
            if self.screen is not self.dashboard:
                # A dialog covers the dashboard: keep the lines, draw nothing until it closes.
                self.dashboard.log_panel.add_lines(delta.lines, delta.skipped)
                return
            with self.batch_update():
                self.dashboard.show(snapshot, delta, self.dashboard.now_ns(), force=force)
        except (NoMatches, ScreenStackError):
            pass  # the app is exiting and its widgets are being removed: nothing to draw

    def refresh_now(self) -> None:
        """Tick at once and refresh every visible panel (tests and screenshots use it)."""
        self.tick(force=True)

    def on_screen_resume(self) -> None:
        self.tick(force=True)

    # ------------------------------------------------------------- leaving

    async def action_quit(self) -> None:
        """Stop the observed program, then exit."""
        if self._quitting:
            return
        self._quitting = True
        # Submitted now (run_in_executor starts the thread at once; to_thread would wait
        # for the loop, which the line below holds).
        loop = asyncio.get_running_loop()
        closing = loop.run_in_executor(None, self.runs.close)
        if isinstance(self._driver, QuickExitDriver):
            self._driver.stop_input()  # no key is read from here on (mptui.tui.driver)
        await closing
        self.exit(self.exit_status)

    def on_terminate(self, sig: int) -> None:
        """SIGINT, SIGTERM or SIGHUP: stop the program before anything touches the terminal."""
        self.exit_status = 128 + sig
        self._quitting = True
        self.runs.close()  # blocks up to the grace period; we are leaving anyway
        if isinstance(self._driver, QuickExitDriver):
            self._driver.stop_input()  # not waited for at exit (mptui.tui.driver)
        self.exit(self.exit_status)

    def check_terminal(self) -> None:
        """A terminal can vanish without a SIGHUP reaching us (e.g. a killed multiplexer)."""
        try:
            alive = os.isatty(sys.__stdin__.fileno()) and os.isatty(sys.__stdout__.fileno())
        except (OSError, ValueError, AttributeError):
            alive = False
        if not alive:
            self.on_terminate(signal.SIGHUP)

    # ------------------------------------------------------------- keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Below the smallest size (the "too small" message) only quitting acts: the palette,
        Tab and the rest would act on panels nobody can see."""
        dashboard = getattr(self, "dashboard", None)
        if dashboard is not None and self.screen is dashboard and dashboard.layout_mode == "tiny":
            return action == "quit"
        return True

    # ------------------------------------------------------------- command palette

    def action_command_palette(self) -> None:
        """Textual's palette, with this terminal's glyphs (mptui.tui.palette)."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(Palette())

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        dash = self.dashboard
        actions: list[tuple[str, str, Callable[[], object]]] = [
            ("Run / restart", "Run the highlighted lesson (r)", dash.action_run),
            ("Stop", "Stop the observed program (s)", dash.action_stop),
            ("Kill process", "Send SIGTERM or SIGKILL to the selected process (k)",
             dash.action_kill),
            ("Pause log", "Pause or resume the log (p)", dash.action_pause_log),
            ("Filter log", "Show only lines with some text or matching re:regex (/)",
             dash.action_filter_log),
            ("Follow log", "Follow the end of the log on or off (f)", dash.action_follow_log),
            ("Clear log", "Empty the log view (c)", dash.action_clear_log),
            ("Only this process", "Log only the selected process (o)", dash.action_only_process),
            ("Lesson settings", "Edit the highlighted lesson's parameters (e)",
             dash.action_edit_settings),
            ("Start method", "Cycle fork / spawn / forkserver for the next run (m)",
             dash.action_cycle_start_method),
            ("Help", "Every key (?)", dash.action_help),
        ]  # fmt: skip
        for title, help_text, callback in actions:
            yield SystemCommand(title, help_text, callback)
        for panel_id in layout.PANELS:
            yield SystemCommand(
                f"Show {panel_id}",
                f"Move to the {panel_id} panel",
                lambda panel_id=panel_id: dash.focus_panel(panel_id),
            )
        for entry in self.entries():
            yield SystemCommand(
                f"Lesson: {entry.key}" if entry.lesson is not None else "Your script",
                # Content, not a str: the palette reads a str help as markup, and a
                # script's title is the user's.
                Content(entry.title),  # type: ignore[arg-type]
                lambda entry=entry: (dash.lessons.select(entry.key), self.run_entry(entry)),
            )


def run_app(*, program: Program | None = None, fps: float = 10.0, record: str | None = None) -> int:
    """Run the dashboard until the user quits; return the exit status.

    ``program`` (an ``engine.program.Program``, as the command line built it) opens the
    dashboard with it running: a lesson's, with its parameters, or the user's own program,
    as it is; None opens on the lesson list. ``record``: every run is recorded, the first
    to that file, later ones (r, another lesson) to numbered files beside it
    (``lock.jsonl``, ``lock.2.jsonl``, ...).
    """
    from mptui.engine.session import Session
    from mptui.scenarios import lessons as all_lessons

    lesson = program.lesson if program is not None else None
    app = MptuiApp(
        session_factory=Session if record is None else recording_sessions(record),
        lessons=all_lessons(),
        script=program if program is not None and lesson is None else None,
        autostart=lesson if lesson is not None else SCRIPT_KEY if program is not None else None,
        start_method=program.start_method if program is not None else None,
        settings={lesson: dict(program.params)} if lesson is not None else None,
        fps=fps,
        # What crosses an SSH link is mostly redraws: a scrolled log repaints every visible
        # row, a changed table every cell. At the default 10 fps the log scrolls once a
        # second and tables refresh every two (as btop does), about 7 kB/s during a lesson
        # at 120x40; a higher --fps makes both livelier, and costs bytes in proportion.
        log_hz=fps / 10,
        table_hz=fps / 20,
        watch_terminal=True,
    )
    try:
        status = app.run()
    finally:
        app.runs.close()
    return status if isinstance(status, int) else app.exit_status


def leave(status: int) -> NoReturn:
    """End the process at once with ``status``, after the dashboard has returned.

    By then the program is stopped, its files removed and the terminal restored: what is
    left is tearing the interpreter down, freeing every object one by one (the log ring,
    the widgets' caches), which took 150-250 ms after a flood. The user waits for none of it.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def recording_sessions(path: str) -> SessionFactory:
    """A session factory recording run N of this dashboard to ``numbered(path, N)``."""
    import itertools

    from mptui.engine.recorded_session import RecordingSession
    from mptui.engine.recording import numbered

    runs = itertools.count(1)

    def make(program: Program) -> SessionLike:
        return RecordingSession(program, numbered(path, next(runs)))

    return make
