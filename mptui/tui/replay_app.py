"""``mptui replay FILE``: the dashboard on a recording, with a player's keys.

The replay app is the dashboard app whose only "program" is the recording: its one entry
in the lesson list replays it (Enter or r: from the start), and the frame tick moves the
replay on by the wall time elapsed, at the chosen speed, before reading its Store. Going
back gives the replay a fresh Store (see mptui.engine.replay); the tick then clears the
panels and draws from that Store, as after a restart.

Keys that act on a live program (s, k, e, m) only say why they do nothing here: a
recording shows what happened, and inventing an ending would show what never did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from rich.text import Text
from textual.app import SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen

from mptui.engine.recording import Recording
from mptui.tui.app import MptuiApp
from mptui.tui.keys import REPLAY_BINDINGS
from mptui.tui.replay import ReplaySession, explanation_of, recorded_program
from mptui.tui.screens.dashboard import DashboardScreen
from mptui.tui.widgets.lesson_panel import Entry

REPLAY_KEY = "replay"
"""Id of the recording's entry in the lesson list."""
NO_CONTROL = "A replay shows what happened; it cannot stop or kill."


def position_text(ns: int) -> str:
    """``3.2s``, ``1m05.3s``: a position in a recording, to a tenth of a second."""
    tenths = max(0, ns) // 100_000_000
    minutes, tenths = divmod(tenths, 600)
    secs = f"{tenths // 10}.{tenths % 10}s"
    return f"{minutes}m{tenths // 10:02d}.{tenths % 10}s" if minutes else secs


def speed_text(speed: float) -> str:
    return f"{speed:g}x"


class ReplayDashboard(DashboardScreen):
    """The dashboard with the replay's keys; s, k, e and m explain themselves."""

    BINDINGS = REPLAY_BINDINGS
    """Added to the dashboard's keys (mptui/tui/keys.py; the help screen lists them)."""

    @property
    def replay_app(self) -> ReplayApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        # (Textual runs DashboardScreen.on_mount first, as it does for every class.)
        self.log_panel.set_subtitle("")  # a recording has no stdin to speak of
        self.summary.hint = "r or < replays it from the start · space plays or pauses"

    def update_header(self) -> None:
        app = self.replay_app
        program = app.program
        self.header.show(self.header_state(
            start_method=program.start_method if program is not None else None,
            next_start_method=None,
            replay=app.replay_status(),
            python=app.recording.header.python,
        ))  # fmt: skip

    # ------------------------------------------------------------- player keys

    def action_play_pause(self) -> None:
        self.replay_app.control(lambda replay: replay.toggle())

    def action_step_event(self) -> None:
        self.replay_app.control(lambda replay: replay.step_event())

    def action_step_batch(self) -> None:
        self.replay_app.control(lambda replay: replay.step_batch())

    def action_faster(self) -> None:
        self.replay_app.control(lambda replay: replay.faster())

    def action_slower(self) -> None:
        self.replay_app.control(lambda replay: replay.slower())

    def action_seek_start(self) -> None:
        self.replay_app.control(lambda replay: replay.seek_start())

    def action_seek_end(self) -> None:
        self.replay_app.control(lambda replay: replay.seek_end())

    # ------------------------------------------------------------- keys with no meaning here

    def action_stop(self) -> None:
        self.app.notify(NO_CONTROL, severity="warning")

    def action_kill(self) -> None:
        self.app.notify(NO_CONTROL, severity="warning")

    def action_edit_settings(self) -> None:
        self.app.notify("A replay shows the run with the settings it had; to change them, "
                        "run the program again (mptui LESSON --param NAME=VALUE).")  # fmt: skip

    def action_cycle_start_method(self) -> None:
        self.app.notify("A replay shows the run with the start method it had.")

    def action_lesson(self, number: int) -> None:
        self.app.notify("A replay plays one recording; run  mptui  for the lessons.")


class ReplayApp(MptuiApp):
    """The dashboard on one recording; see the module docstring."""

    def __init__(
        self,
        recording: Recording,
        *,
        autoplay: bool = True,
        clock: Callable[[], int] = time.monotonic_ns,
        **options: Any,
    ) -> None:
        """
        Args:
            recording: what to show (mptui.engine.recording.read_recording).
            autoplay: play at once (tests and screenshots start paused, at the start).
            clock: the wall clock the replay's pace follows.
            options: as for MptuiApp (fps, table_hz, log_hz, watch_terminal...).
        """
        self.recording = recording
        self.recorded = recorded_program(recording.header)
        self.autoplay = autoplay
        self._clock = clock
        self._seen: tuple[object, int] = (None, 0)  # (session, generation) last drawn
        super().__init__(session_factory=self._make_session, autostart=REPLAY_KEY, **options)

    def _make_session(self, program: Any) -> ReplaySession:
        return ReplaySession(self.recording, program, autoplay=self.autoplay, clock=self._clock)

    @property
    def replay_session(self) -> ReplaySession | None:
        return self.session  # type: ignore[return-value]

    # ------------------------------------------------------------- set-up

    def entries(self) -> list[Entry]:
        header = self.recording.header
        settings = self.params_label(self.recorded)
        with_settings = f", settings {settings}" if settings else ""
        events, duration = self.recording.event_count, position_text(self.recording.duration)
        facts = (
            f"Recorded {header.recorded_at or 'at an unknown time'} with mptui {header.mptui} "
            f"on Python {header.python}, start method {header.start_method or '?'}"
            f"{with_settings}. {events:,} events over {duration}."
        )
        text = "\n\n".join(filter(None, [explanation_of(header), facts]))
        return [Entry(REPLAY_KEY, f"recording: {header.title}", text, None)]

    def get_default_screen(self) -> Screen:
        self.dashboard = ReplayDashboard(self.entries(), table_hz=self.table_hz,
                                         log_hz=self.log_hz)  # fmt: skip
        return self.dashboard

    def dashboard_mounted(self) -> None:
        lessons = self.dashboard.lessons
        lessons.hint = "Enter or r replays it from the start · space pauses · ? every key"
        super().dashboard_mounted()
        lessons.start_method_label = f"{self.recorded.start_method or '?'} (as recorded)"
        lessons.refresh_details()
        if self.recording.problem:
            self.notify(self.recording.problem, severity="warning", timeout=30)

    def program_for(self, entry: Entry) -> Any:
        return self.recorded

    # ------------------------------------------------------------- labels

    def params_label(self, program: Any = None) -> str:
        program = program if program is not None else self.program
        if program is None:
            return ""
        params = dict(program.params or {})
        if params:
            return " ".join(f"{name}={value}" for name, value in params.items())
        return " ".join(program.argv[1:])

    def replay_status(self) -> Text | None:
        """``replay ▶ 2x 3.2s/12.5s``, ``‖ paused``, or ``■ end``, for the header."""
        session = self.replay_session
        if session is None:
            return None
        replay = session.replay
        text = Text()
        text.append(" replay ", style="bold reverse yellow")
        if replay.playing:
            text.append(f" ▶ {speed_text(replay.speed)}", style="bold green")
        elif replay.at_end:
            text.append(f" ■ end {speed_text(replay.speed)}", style="bold")
        else:
            text.append(f" ‖ paused {speed_text(replay.speed)}", style="bold yellow")
        text.append(f" {position_text(replay.position)}/{position_text(replay.duration)}")
        return text

    # ------------------------------------------------------------- the player

    def control(self, move: Callable[[Any], object]) -> None:
        """Apply a player action to the replay, then draw at once."""
        session = self.replay_session
        if session is None:
            self.notify("Nothing to replay yet.")
            return
        move(session.replay)
        self.tick(force=True)

    def tick(self, force: bool = False) -> None:
        session = self.replay_session
        if session is not None:
            session.update()
            seen = (session, session.generation)
            if seen != self._seen and self._seen[0] is session:
                # Went back: the Store is a fresh one; what was drawn belongs to the old.
                self._cursor = 0
                self.dashboard.reset_run(self.running_key)
                force = True
            self._seen = seen
        super().tick(force=force)
        if session is not None and self.screen is self.dashboard:
            # The position moves every frame; the header repaints only if its text changed.
            try:
                self.dashboard.update_header()
            except NoMatches:
                pass  # the app is exiting and its widgets are being removed

    # ------------------------------------------------------------- no live control

    def stop_session(self) -> None:
        self.notify(NO_CONTROL, severity="warning")

    def signal_process(self, pid: int, name: str, sig: int) -> None:
        self.notify(NO_CONTROL, severity="warning")

    def cycle_start_method(self) -> None:
        self.dashboard.action_cycle_start_method()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        dash = self.dashboard
        yield SystemCommand("Play / pause", "Play or pause the replay (space)",
                            dash.action_play_pause)  # fmt: skip
        yield SystemCommand("Step one event", "Fold the next event (n)", dash.action_step_event)
        yield SystemCommand("Step one batch", "Fold the next batch (N)", dash.action_step_batch)
        yield SystemCommand("Faster", "Play faster, up to 8x (+)", dash.action_faster)
        yield SystemCommand("Slower", "Play slower, down to 0.25x (-)", dash.action_slower)
        yield SystemCommand("Go to the start", "The recording's start (<)", dash.action_seek_start)
        yield SystemCommand("Go to the end", "The recording's end (>)", dash.action_seek_end)


def run_replay(recording: Recording, *, path: str = "", fps: float = 10.0) -> int:
    """Show ``recording`` in the dashboard until the user quits; return the exit status."""
    app = ReplayApp(
        recording,
        fps=fps,
        log_hz=fps / 10,  # as run_app: the same bytes per second as a live run
        table_hz=fps / 20,
        watch_terminal=True,
    )
    status = app.run()
    return status if isinstance(status, int) else app.exit_status
