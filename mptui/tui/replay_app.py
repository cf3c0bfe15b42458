"""``mptui replay FILE``: the dashboard on a recording, with a player's keys.

The replay app is the dashboard app whose only "program" is the recording: its one entry
in the lesson list replays it (Enter or r: from the start), and the frame tick moves the
replay on by the wall time elapsed, at the chosen speed, before reading its Store. Going
back gives the replay a fresh Store (see mptui.engine.replay); the tick then clears the
panels and draws from that Store, as after a restart. The player's keys are the screen's
(mptui.tui.screens.replay_dashboard).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from textual.app import ScreenStackError, SystemCommand
from textual.css.query import NoMatches
from textual.screen import Screen

from mptui.engine.recording import Recording
from mptui.tui.app import MptuiApp
from mptui.tui.replay import ReplaySession, explanation_of, params_text, recorded_program
from mptui.tui.screens.replay_dashboard import NO_CONTROL, ReplayDashboard, position_text
from mptui.tui.widgets.lesson_panel import Entry

if TYPE_CHECKING:
    from mptui.engine.session import Program

REPLAY_KEY = "replay"
"""Id of the recording's entry in the lesson list."""


class ReplayApp(MptuiApp):
    """The dashboard on one recording; see the module docstring."""

    dashboard: ReplayDashboard

    def __init__(
        self,
        recording: Recording,
        *,
        autoplay: bool = True,
        clock: Callable[[], int] = time.monotonic_ns,
        **options: object,
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
        super().__init__(session_factory=self._make_session, autostart=REPLAY_KEY,
                         **options)  # type: ignore[arg-type]  # fmt: skip

    def _make_session(self, program: Program) -> ReplaySession:
        return ReplaySession(self.recording, program, autoplay=self.autoplay, clock=self._clock)

    @property
    def replay_session(self) -> ReplaySession | None:
        return self.dashboard.replay_session

    # ------------------------------------------------------------- set-up

    def entries(self) -> list[Entry]:
        header = self.recording.header
        settings = params_text(self.recorded)
        with_settings = f", settings {settings}" if settings else ""
        events, duration = self.recording.event_count, position_text(self.recording.duration)
        facts = (
            f"Recorded {header.recorded_at or 'at an unknown time'} with mptui {header.mptui} "
            f"on Python {header.python}, start method {header.start_method or '?'}"
            f"{with_settings}. {events:,} events over {duration}."
        )
        text = "\n\n".join(filter(None, [explanation_of(header), facts]))
        return [Entry(REPLAY_KEY, f"recording: {header.title}", text, None)]

    def make_dashboard(self) -> ReplayDashboard:
        return ReplayDashboard(self.recording, self.entries(), self.runs,
                               autostart=self.autostart, table_hz=self.table_hz,
                               log_hz=self.log_hz)  # fmt: skip

    def program_for(self, entry: Entry) -> Program:
        return self.recorded

    # ------------------------------------------------------------- the player

    def on_replay_dashboard_replay_moved(self, message: ReplayDashboard.ReplayMoved) -> None:
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
        if session is None:
            return
        try:
            if self.screen is self.dashboard:
                # The position moves every frame; the header repaints only if its text
                # changed.
                self.dashboard.update_header()
        except (NoMatches, ScreenStackError):
            pass  # the app is exiting and its screens and widgets are being removed

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
