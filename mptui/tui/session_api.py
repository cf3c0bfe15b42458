"""What the dashboard needs from a session, so that it can show a live run or a recording.

The app never imports :mod:`mptui.engine.session` at module level: it receives a
*session factory* (``Program -> SessionLike``). :func:`run_app` passes the real
``Session`` (or a ``RecordingSession`` with ``--record``); ``mptui replay``, the tests and
the screenshots pass :class:`mptui.tui.replay.ReplaySession`, a recording of a real run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    # Types only: the Store's module loads with the first run, not before the first frame.
    from mptui.engine.store import Store


class SessionLike(Protocol):
    """One run of one program, feeding a Store (``mptui.engine.session.Session``)."""

    program: Any
    store: Store

    def start(self) -> None: ...

    def stop(self, grace: float = 1.0) -> None: ...

    def signal_process(self, pid: int, sig: int) -> bool: ...

    @property
    def running(self) -> bool: ...

    def wait(self, timeout: float | None = None) -> bool: ...

    def close(self) -> None: ...


SessionFactory = Callable[[Any], SessionLike]


def program_class() -> Any:
    """The engine's ``Program`` class (what to run: a script or a lesson, with settings)."""
    from mptui.engine.session import Program

    return Program
