"""The engine's ``Program`` class, imported when the dashboard first needs it.

The dashboard receives a *session factory* (``Program -> SessionLike``, see
:mod:`mptui.engine.run_control`): :func:`mptui.tui.app.run_app` passes the real ``Session``
(or a ``RecordingSession`` with ``--record``); ``mptui replay``, the tests and the
screenshots pass :class:`mptui.tui.replay.ReplaySession`, a recording of a real run.
"""

from __future__ import annotations

from typing import Any


def program_class() -> Any:
    """The engine's ``Program`` class (what to run: a script or a lesson, with settings)."""
    from mptui.engine.session import Program

    return Program
