"""The dashboard tests' fixed lessons and small helpers, importable by test modules.

(In a module of its own, not in conftest.py: ``from conftest import`` finds whichever
conftest pytest loaded last, the engine tests' when both directories run together.)
"""

from __future__ import annotations

import pathlib
from typing import Any

from recorded import recording

from mptui.scenarios import Lesson, Param

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def _lesson(name: str, title: str, file: str, *params: Param) -> Lesson:
    return Lesson(
        name=name,
        title=title,
        explanation=f"What the {name} lesson shows, in one fixed sentence for the tests.",
        path=FIXTURES / file,
        params=params,
    )


def _int(name: str, default: int, help_text: str, high: int = 1000) -> Param:
    return Param(name, int, default, help_text, None, low=1, high=high)


def _float(name: str, default: float, help_text: str) -> Param:
    return Param(name, float, default, help_text, None, low=0, high=60)


LESSONS = (
    _lesson("hello", "Start a process and join it", "hello.py", _float("work", 0.1, "seconds")),
    _lesson("args", "Pass arguments to a process", "hello.py", _int("times", 3, "greetings")),
    _lesson("squares", "Compute in a child process", "hello.py", _int("count", 5, "numbers")),
    _lesson("two-processes", "Run two processes at once", "hello.py", _int("count", 6, "n")),
    _lesson("queue", "Collect results through a Queue", "queue_evens.py",
            _int("count", 8, "check the numbers 1 to count", high=100_000),
            _float("delay", 0.05, "seconds between two results")),
    _lesson("pipe", "Send a message through a Pipe", "hello.py"),
    _lesson("lock", "Take turns with a Lock", "lock.py",
            _int("workers", 4, "how many processes share the lock", high=32),
            _int("rounds", 3, "how many times each worker takes it"),
            _float("hold", 0.05, "seconds a worker holds the lock")),
    _lesson("logging", "Log from several processes", "hello.py",
            Param("level", str, "INFO", "lowest level printed",
                  ("DEBUG", "INFO", "WARNING", "ERROR")),
            _int("workers", 3, "how many processes log"),
            _float("delay", 0.5, "seconds each worker works")),
)  # fmt: skip
"""The eight lessons, by their real names, with fixed texts and small fixed sources."""


def recorded_settings(*names: str) -> dict[str, dict[str, object]]:
    """The settings each lesson's recording was made with, as the app's ``settings``."""
    settings = {}
    for name in names:
        header = recording(name).header
        lesson = next(x for x in LESSONS if x.name == header.lesson)
        known = {p.name: p for p in lesson.params}
        settings[header.lesson] = {k: known[k].parse(v) for k, v in header.params.items()
                                   if k in known}  # fmt: skip
    return settings


ALL_RECORDED = recorded_settings(*(lesson.name for lesson in LESSONS))
"""Every lesson with the settings of its recording, so the header agrees with the replay."""


async def settle(pilot: Any) -> None:
    """Wait until the app has started what a key asked for, then draw a frame (the tests'
    and scripts/export_screenshots.py's one way to wait)."""
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.refresh_now()
    await pilot.pause()


def notices(app: Any) -> list[str]:
    """The notifications the app has shown (toasts), oldest first."""
    return [notification.message for notification in app._notifications]
