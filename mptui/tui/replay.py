"""A session made of a recording: the dashboard plays it as it would show a live run.

:class:`ReplaySession` has the interface of ``mptui.engine.session.Session`` (see
:class:`mptui.engine.run_control.SessionLike`) over a :class:`mptui.engine.replay.Replay`: its
``store`` is the replay's Store, its clock the recorded run's. It starts nothing and can
stop or kill nothing: a recording shows what happened, so ``stop`` and ``signal_process``
change nothing (the replay's dashboard says so: mptui.tui.screens.replay_dashboard).
"""

from __future__ import annotations

import ast
import time
from collections.abc import Callable
from pathlib import Path

from mptui.engine.recording import Header, Recording
from mptui.engine.replay import Replay
from mptui.engine.session import Program
from mptui.engine.store import Store
from mptui.scenarios import title_and_explanation


def recorded_program(header: Header) -> Program:
    """What a recording says ran, with the source text it ran (the Source panel shows
    that, not the file as it is today)."""
    text = header.source
    if text is None:
        text = "# The recording holds no source text for this program."
    return Program(
        header.title,
        header.argv,
        Path(header.source_path or (header.argv[0] if header.argv else "program")),
        header.start_method,
        dict(header.params),
        header.lesson,
        text,
    )


def params_text(program: Program) -> str:
    """``workers=4 hold=0.05`` as recorded (the lesson may have changed since), or the
    program's arguments."""
    params = dict(program.params or {})
    if params:
        return " ".join(f"{name}={value}" for name, value in params.items())
    return " ".join(program.argv[1:])


def explanation_of(header: Header) -> str:
    """The program's docstring after its first line (a lesson's explanation), if any."""
    try:
        doc = ast.get_docstring(ast.parse(header.source or ""))
    except (SyntaxError, ValueError):
        doc = None
    return title_and_explanation(doc or "")[1]


class ReplaySession:
    """A recording, played into a Store; see the module docstring."""

    def __init__(
        self,
        recording: Recording,
        program: Program | None = None,
        *,
        autoplay: bool = False,
        clock: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        """
        Args:
            recording: what to play.
            program: what the app says runs (default: the recording's own program).
            autoplay: start playing at ``start()``; otherwise stay at the start, paused.
            clock: the wall clock the replay's pace follows (tests pass a fake one).
        """
        self.recording = recording
        self.replay = Replay(recording, clock=clock)
        self.program = program if program is not None else \
            recorded_program(recording.header)  # fmt: skip
        self.autoplay = autoplay
        self.closed = False
        self.linger: float | None = None
        """No end policy: what the recorded run left running, the recording shows ending."""

    # ------------------------------------------------------------- Session interface

    @property
    def store(self) -> Store:
        """The replay's Store; a fresh one after going back (see ``generation``)."""
        return self.replay.store

    @property
    def generation(self) -> int:
        return self.replay.generation

    def start(self) -> None:
        if self.autoplay:
            self.replay.play()

    def stop(self, grace: float = 1.0, reason: str = "") -> None:
        """A recording cannot be stopped: what happened next is in it. Pauses."""
        self.replay.pause()

    def signal_process(self, pid: int, sig: int) -> bool:
        """Nothing to signal in a recording."""
        return False

    def stacks(self, pid: int):
        """A recording holds no stacks: its processes are gone."""
        from mptui.engine.stacks import StackDump

        return StackDump(pid, "No stack: this is a recording; its processes have ended.",
                         "none", "")  # fmt: skip

    @property
    def running(self) -> bool:
        """The recorded run is running at the position shown."""
        return self.store.snapshot().run.state == "running"

    def wait(self, timeout: float | None = None) -> bool:
        return True

    def wait_main_ended(self, timeout: float | None = None) -> bool:
        return True

    def close(self) -> None:
        self.closed = True
        self.replay.pause()

    # ------------------------------------------------------------- replay

    def now_ns(self) -> int:
        """The recorded run's clock at the position: uptimes are measured against it."""
        return self.replay.now_ns

    def update(self) -> None:
        """Move on by the wall time since the last frame (while playing)."""
        self.replay.update()
