"""What to run: a script, a module or a lesson, on which Python, judged how.

The command line builds one Program and every front end takes it as it is; the Session
turns it into the runner's command line with :meth:`Program.command`. Nothing here starts a
process: finding and checking the interpreter is mptui.engine.interpreter's job.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

START_METHODS = ("fork", "spawn", "forkserver")
"""The start methods mptui can give a program as its default (Linux has all three)."""

OWN_VERSION = "{}.{}.{}".format(*sys.version_info[:3])
"""The version of the interpreter running mptui, which runs a Program with no ``python``."""


@dataclass(frozen=True)
class Program:
    """What to run and how to show it and judge it."""

    title: str
    argv: tuple[str, ...]
    """What follows the interpreter on the runner's command line: ``(SCRIPT, *ARGS)``, or
    ``("-m", MODULE, *ARGS)``; so the program sees what ``python ARGV`` would show it."""
    source_path: Path
    start_method: str | None = None
    """fork, spawn or forkserver as the program's default; None keeps Python's."""
    params: Mapping[str, object] = field(default_factory=dict)
    lesson: str | None = None
    source_text: str | None = None
    """The program's source as it ran, when that is known apart from the file (a replay's
    recording holds it); None: the file at ``source_path`` is what runs."""
    python: str | None = None
    """The interpreter that runs the program, as the user named it (a virtualenv's
    ``bin/python`` is a symlink that must not be resolved, or the virtualenv is lost);
    None: mptui's own (``sys.executable``)."""
    python_version: str | None = None
    """``3.11.2``: the version of ``python``, as probed (mptui.engine.interpreter)."""
    strict: bool = False
    """Any failed process fails the run (exit status 1 headless). Lessons are always judged
    so; a script by default only by its main process's exit status, as a wrapper would."""
    stall_after: float = 5.0
    """Seconds a process may wait in one call before the doctor calls it a stall."""

    def __post_init__(self) -> None:
        if self.python is not None and self.python_version is None:
            raise ValueError("a Program with its own python needs its version (interpreter.probe)")

    @classmethod
    def from_lesson(
        cls, lesson, values: Mapping[str, object] | None = None, start_method: str | None = None
    ) -> Program:
        """A lesson, on mptui's own interpreter: lessons ship with mptui and need nothing
        but its Python, so there is nothing to look for and no probe to pay for."""
        values = dict(values or {})
        shown = {p.name: values.get(p.name, p.default) for p in lesson.params}
        return cls(
            lesson.title,
            tuple(lesson.argv(values)),
            Path(lesson.path),
            start_method,
            shown,
            lesson.name,
            strict=True,
        )

    @classmethod
    def from_script(
        cls,
        path,
        args: Iterable[str] = (),
        start_method: str | None = None,
        *,
        python: str | None = None,
        python_version: str | None = None,
        strict: bool = False,
    ) -> Program:
        path = Path(path)
        return cls(path.name, (str(path), *args), path, start_method, python=python,
                   python_version=python_version, strict=strict)  # fmt: skip

    @classmethod
    def from_module(
        cls,
        module: str,
        args: Iterable[str] = (),
        start_method: str | None = None,
        *,
        source_path: Path | None = None,
        python: str | None = None,
        python_version: str | None = None,
        strict: bool = False,
    ) -> Program:
        """``python -m MODULE ARGS``: the interpreter finds the module, so ``sys.argv[0]``,
        ``sys.path[0]`` and ``__main__`` are what ``python -m`` makes them. ``source_path``
        (where mptui found the module, if it did) is only shown, never run."""
        return cls(module, ("-m", module, *args), source_path or Path(module), start_method,
                   python=python, python_version=python_version, strict=strict)  # fmt: skip

    @property
    def module(self) -> str | None:
        """The module run with ``-m``, or None for a script."""
        return self.argv[1] if len(self.argv) > 1 and self.argv[0] == "-m" else None

    @property
    def interpreter(self) -> str:
        """The interpreter's path as it will be run."""
        return self.python or sys.executable

    @property
    def interpreter_version(self) -> str:
        """``3.11.2``."""
        return self.python_version if self.python_version is not None else OWN_VERSION

    def command(self) -> list[str]:
        """The runner's command line."""
        return [self.interpreter, *self.argv]

    def with_start_method(self, start_method: str | None) -> Program:
        """The same program with another default start method (the dashboard's ``m``)."""
        return dataclasses.replace(self, start_method=start_method)
