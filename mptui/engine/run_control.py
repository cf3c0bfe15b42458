"""Run control: one observed program at a time, started, stopped, signalled and ended alike
by every front end.

Both front ends (the dashboard, mptui.tui.app, and headless, mptui.headless) drive their
runs through a :class:`RunControl`, so they cannot drift apart on what start, stop,
restart, kill and quit mean:

* ``start(program)`` ends the current run, if any, then starts ``program`` in a new session
  (a restart is a start of the same program);
* ``stop()`` ends every process of the run (SIGINT, SIGTERM, then SIGKILL; see
  :meth:`mptui.engine.session.Session.stop`);
* ``signal(pid, sig)`` sends one signal to one process of the run (the dashboard's ``k``);
* the *end policy*: processes still running ``session.linger`` seconds after the main
  process ended are stopped, and their verdict says so (``left running``), where a shell
  would leave them running: mptui leaves nothing behind;
* ``close()`` ends the run and frees it; every way out of mptui calls it.

Sessions come from a *session factory* (``Program -> SessionLike``): the real
:class:`~mptui.engine.session.Session`, a ``RecordingSession`` (``--record``), or a replay
of a recording (mptui.tui.replay.ReplaySession: the tests and screenshots replay real
runs). This module imports no Textual, and the Session only when a factory is not given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from mptui.engine import verdict

if TYPE_CHECKING:
    from mptui.engine.session import Program
    from mptui.engine.stacks import StackDump
    from mptui.engine.store import Store

STOP_GRACE = 1.0
"""Seconds from SIGINT to SIGKILL when stopping a run (SIGTERM halfway)."""
POLICY_POLL = 0.5
"""How often the end policy looks whether a run ended before its main process did (a
collector that failed): it then has nothing left to do."""


class SessionLike(Protocol):
    """One run of one program, feeding a Store (:class:`mptui.engine.session.Session`)."""

    program: Program
    linger: float | None
    """Seconds the rest of the program may run on after its main process ended (the end
    policy); None: no end policy (a recording, which shows what happened)."""

    @property
    def store(self) -> Store: ...

    def start(self) -> None: ...

    def stop(self, grace: float = STOP_GRACE, reason: str = verdict.STOP_BY_USER) -> None: ...

    def signal_process(self, pid: int, sig: int) -> bool: ...

    def stacks(self, pid: int) -> StackDump: ...

    @property
    def running(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...

    def wait_main_ended(self, timeout: float | None = None) -> bool: ...

    def now_ns(self) -> int:
        """The run's clock (a replay's is the recorded run's, at the position shown)."""
        ...

    def close(self) -> None: ...


SessionFactory = Callable[["Program"], SessionLike]


class RunControl:
    """The current run of a front end; see the module docstring."""

    def __init__(
        self, session_factory: SessionFactory | None = None, *, stop_grace: float = STOP_GRACE
    ) -> None:
        """
        Args:
            session_factory: makes the session for a Program (default: the real Session).
            stop_grace: seconds from SIGINT to SIGKILL when a run is stopped.
        """
        if session_factory is None:
            from mptui.engine.session import Session

            session_factory = Session
        self.session_factory = session_factory
        self.stop_grace = stop_grace
        self.session: SessionLike | None = None
        """The current (or last) run; None before the first, and after ``end_current``."""
        self._closed = False
        self._lock = threading.Lock()
        self._ending = threading.Lock()
        """Held while a run is ended: a quit (the event loop) and a restart (a worker
        thread) may end the same run at once; the second waits, then finds it ended."""

    # ------------------------------------------------------------------ state

    @property
    def program(self) -> Program | None:
        """What the current (or last) run runs."""
        return self.session.program if self.session is not None else None

    @property
    def store(self) -> Store | None:
        """The current run's Store (what the front ends show)."""
        return self.session.store if self.session is not None else None

    @property
    def running(self) -> bool:
        return self.session is not None and self.session.running

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called: nothing starts any more."""
        return self._closed

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the current run to end (the end policy included); True once it has."""
        return self.session is None or self.session.wait(timeout)

    # ------------------------------------------------------------------ control

    def start(self, program: Program) -> SessionLike:
        """End the current run, then start ``program``; return its session.

        Ending a run blocks up to the stop grace: a front end that must stay responsive
        calls :meth:`end_current` off its event loop first. ``start`` itself must run on a
        long-lived thread (the main one): the parent-death signal of the program's main
        process fires when the thread that started it exits. Raises what the session's
        start raised (bad start method, no such file...), with nothing left running; and
        RuntimeError once closed."""
        self.end_current()
        with self._lock:
            if self._closed:
                raise RuntimeError("run control closed: mptui is quitting")
            self.session = None  # a failed start leaves no run behind, not the old one
            # Current before it starts: whatever interrupts the start (a signal raising in
            # this thread), close() then ends what was started.
            session = self.session = self.session_factory(program)
        try:
            session.start()
        except BaseException:
            self.session = None
            session.close()
            raise
        if session.linger is not None:
            threading.Thread(target=self._enforce_end_policy, args=(session,),
                             name="mptui-end-policy", daemon=True).start()  # fmt: skip
        return session

    def restart(self) -> SessionLike | None:
        """Start the current (or last) program again; None if nothing ran yet."""
        program = self.program
        return self.start(program) if program is not None else None

    def stop(self) -> bool:
        """Stop the current run as Ctrl+C would, then firmer; False if nothing runs."""
        session = self.session
        if session is None or not session.running:
            return False
        session.stop(self.stop_grace, reason=verdict.STOP_BY_USER)
        return True

    def stacks(self, pid: int) -> StackDump:
        """The Python stacks of one process of the current run (may take a second)."""
        session = self.session
        if session is None:
            from mptui.engine.stacks import StackDump

            return StackDump(pid, "No stack: nothing is running.", "none", "")
        return session.stacks(pid)

    def signal(self, pid: int, sig: int) -> bool:
        """Send ``sig`` to one process of the run; False if it is not ours or has ended."""
        session = self.session
        return session is not None and session.signal_process(pid, sig)

    def end_current(self) -> None:
        """Stop and free the current run, if any (the last one's Store stays readable)."""
        session = self.session
        if session is not None:
            with self._ending:
                session.close()

    def close(self) -> None:
        """End the current run and start nothing more. Idempotent."""
        with self._lock:
            self._closed = True
        self.end_current()

    def __enter__(self) -> RunControl:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ the end policy

    def _enforce_end_policy(self, session: SessionLike) -> None:
        """Stop what is left ``session.linger`` seconds after the main process ended."""
        while not session.wait_main_ended(POLICY_POLL):
            if session.wait(0):
                return  # ended without a main-process end (the collector failed)
        linger = session.linger or 0.0
        if not session.wait(linger) and session is self.session and not self._closed:
            session.stop(self.stop_grace, reason=verdict.STOP_LEFT_RUNNING)
