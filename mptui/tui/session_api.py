"""What the dashboard needs from a session, so that tests can hand it a recorded one.

The app never imports :mod:`mptui.engine.session` at module level: it receives a
*session factory* (``Program -> SessionLike``). :func:`run_app` passes the real
``Session``; tests, screenshots and the demo pass :class:`mptui.tui.demo.ReplaySession`.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

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


@dataclass(frozen=True)
class StandInProgram:
    """Used only while ``mptui.engine.session.Program`` is not importable; same fields."""

    title: str
    argv: tuple[str, ...]
    source_path: pathlib.Path
    start_method: str | None = None
    params: Mapping[str, object] = field(default_factory=dict)
    lesson: str | None = None

    @classmethod
    def from_lesson(
        cls,
        lesson: Any,
        values: Mapping[str, object] | None = None,
        start_method: str | None = None,
    ) -> StandInProgram:
        values = dict(values or {})
        shown = {p.name: values.get(p.name, p.default) for p in lesson.params}
        return cls(
            title=lesson.title,
            argv=tuple(lesson.argv(values)),
            source_path=pathlib.Path(lesson.path),
            start_method=start_method,
            params=shown,
            lesson=lesson.name,
        )

    @classmethod
    def from_script(
        cls, path: str | pathlib.Path, args: Sequence[str] = (), start_method: str | None = None
    ) -> StandInProgram:
        path = pathlib.Path(path)
        return cls(
            title=path.name,
            argv=(str(path), *args),
            source_path=path,
            start_method=start_method,
            params={},
            lesson=None,
        )


def program_class() -> Any:
    """The engine's ``Program`` class, or the stand-in while the engine lacks it."""
    try:
        from mptui.engine.session import Program
    except ImportError:
        return StandInProgram
    return Program
