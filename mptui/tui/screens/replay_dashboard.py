"""The dashboard of ``mptui replay FILE``: the same panels, with a player's keys.

Space plays or pauses, n and N step, + and - change the speed, < and > go to the start or
the end; after each move the screen posts :class:`ReplayDashboard.ReplayMoved`, and the
app draws at once. Keys that act on a live program (s, k, e, m) only say why they do
nothing here: a recording shows what happened, and inventing an ending would show what
never did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.message import Message

from mptui.engine.recording import Recording
from mptui.engine.replay import Replay
from mptui.tui.keys import REPLAY_BINDINGS
from mptui.tui.replay import ReplaySession, params_text
from mptui.tui.screens.dashboard import DashboardScreen
from mptui.tui.widgets.lesson_panel import Entry

if TYPE_CHECKING:
    from mptui.engine.run_control import RunControl
    from mptui.engine.session import Program

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

    class ReplayMoved(Message):
        """The player moved the replay (play, pause, step, seek, speed): draw it now."""

    def __init__(self, recording: Recording, entries: Sequence[Entry], runs: RunControl,
                 **options: object) -> None:  # fmt: skip
        """
        Args:
            recording: what the app replays (its header says how it was recorded).
            entries, runs, options: as for DashboardScreen.
        """
        super().__init__(entries, runs, **options)  # type: ignore[arg-type]
        self.recording = recording

    def on_mount(self) -> None:
        # (Textual runs DashboardScreen.on_mount first, as it does for every class.)
        self.log_panel.set_subtitle("")  # a recording has no stdin to speak of
        self.summary.hint = "r or < replays it from the start · space plays or pauses"
        lessons = self.lessons
        lessons.hint = "Enter or r replays it from the start · space pauses · ? every key"
        lessons.start_method_label = f"{self.recording.header.start_method or '?'} (as recorded)"
        lessons.refresh_details()
        if self.recording.problem:
            self.notify(self.recording.problem, severity="warning", timeout=30)

    @property
    def replay_session(self) -> ReplaySession | None:
        session = self.runs.session
        return session if isinstance(session, ReplaySession) else None

    # ------------------------------------------------------------- header

    def update_header(self) -> None:
        program = self.runs.program
        self.header.show(self.header_state(
            start_method=program.start_method if program is not None else None,
            next_start_method=None,
            replay=self.replay_status(),
            python=self.recording.header.python,
        ))  # fmt: skip

    def params_label(self, program: Program | None) -> str:
        return params_text(program) if program is not None else ""

    def watch_start_method(self, method: str | None) -> None:
        """The start method is the recorded one; ``m`` changes nothing here."""

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

    # ------------------------------------------------------------- player keys

    def control(self, move: Callable[[Replay], object]) -> None:
        """Apply a player action to the replay, then have it drawn at once."""
        session = self.replay_session
        if session is None:
            self.notify("Nothing to replay yet.")
            return
        move(session.replay)
        self.post_message(self.ReplayMoved())

    def action_play_pause(self) -> None:
        self.control(lambda replay: replay.toggle())

    def action_step_event(self) -> None:
        self.control(lambda replay: replay.step_event())

    def action_step_batch(self) -> None:
        self.control(lambda replay: replay.step_batch())

    def action_faster(self) -> None:
        self.control(lambda replay: replay.faster())

    def action_slower(self) -> None:
        self.control(lambda replay: replay.slower())

    def action_seek_start(self) -> None:
        self.control(lambda replay: replay.seek_start())

    def action_seek_end(self) -> None:
        self.control(lambda replay: replay.seek_end())

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
