"""What the Source panel marks on the lines of the file it shows: where processes wait now
(and on what), where a lock is held (only when known: the holder's acquire had to wait),
and where each object was made.

Pure: a Snapshot and the file shown in, one :class:`Mark` per line out, so the panel can
compare them with what it shows and repaint only the lines whose mark changed.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mptui.engine.views import Snapshot

MAX_NAMES = 4
"""Names of processes listed on one line before "+N more": a line stays readable."""
WAITING, HOLDING, CREATED = "waiting", "holding", "created"


@dataclass(frozen=True, slots=True)
class Mark:
    """One line's mark: its kind (the strongest, for the gutter glyph) and its words."""

    kind: str
    """``waiting`` (someone waits here now), ``holding`` (a lock taken here is held),
    ``created`` (only objects were made here)."""
    text: str
    """``worker-2, worker-3 wait (acquire)``, ``worker-1 holds it``, ``Lock created``."""


def _names(names: list[str]) -> str:
    if len(names) > MAX_NAMES:
        return f"{', '.join(names[:MAX_NAMES])} +{len(names) - MAX_NAMES} more"
    return ", ".join(names)


def _creation_kind(kind: str, label: str) -> str | None:
    """What to call an object made on a line: a Value's or Array's lock is the Value or
    Array; a Condition's own lock is not named apart from its Condition."""
    first = label.split(" ", 1)[0]
    if kind == "RLock" and first in ("Value", "Array"):
        return first
    if kind == "RLock" and first == "Condition":
        return None
    return kind


def source_marks(snapshot: Snapshot, same_file: Callable[[str | None], bool]) -> dict[int, Mark]:
    """The marks of the file ``same_file`` recognises, by line (1-based)."""
    names = {p.pid: p.name for p in snapshot.processes}
    waiting: dict[int, dict[str, list[str]]] = {}  # line -> op -> names, oldest wait first
    for wait in snapshot.waits:  # sorted by when each began
        if wait.line is not None and same_file(wait.file):
            ops = waiting.setdefault(wait.line, {})
            ops.setdefault(wait.op, []).append(names.get(wait.pid, f"pid {wait.pid}"))
    holding: dict[int, list[str]] = {}
    for lock in snapshot.locks:
        if lock.holder is not None and lock.holder_line is not None and same_file(lock.holder_file):
            holding.setdefault(lock.holder_line, []).append(
                names.get(lock.holder, f"pid {lock.holder}")
            )
    created: dict[int, list[str]] = {}
    objects = [(o.kind, o.label, o.file, o.line) for o in snapshot.locks]
    objects += [(o.kind, o.label, o.file, o.line) for o in snapshot.queues]
    objects += [("Pipe", o.label, o.file, o.line) for o in snapshot.pipes]
    for kind, label, file, line in objects:
        name = _creation_kind(kind, label)
        if line is not None and name is not None and same_file(file):
            kinds = created.setdefault(line, [])
            if name not in kinds:
                kinds.append(name)
    marks = {}
    for line in sorted({*waiting, *holding, *created}):
        parts = []  # who waits first: the names a narrow panel must not cut
        for op, who in waiting.get(line, {}).items():
            parts.append(f"{_names(who)} wait{'s' if len(who) == 1 else ''} ({op})")
        if line in holding:
            who = holding[line]
            parts.append(f"{_names(who)} hold{'s' if len(who) == 1 else ''} it")
        if line in created:
            parts.append(f"{', '.join(created[line])} created")
        kind = WAITING if line in waiting else HOLDING if line in holding else CREATED
        marks[line] = Mark(kind, " · ".join(parts))
    return marks


class FileMatcher:
    """Whether a path from the program names the file shown: compared by real path, each
    distinct path resolved once (a symlinked checkout, a relative path)."""

    def __init__(self, shown: str) -> None:
        self._shown = os.path.realpath(shown)
        self._known: dict[str, bool] = {}

    def __call__(self, path: str | None) -> bool:
        if path is None:
            return False
        same = self._known.get(path)
        if same is None:
            if len(self._known) > 256:  # many files: keep the table small
                self._known.clear()
            same = self._known[path] = (
                not path.startswith("<") and os.path.realpath(path) == self._shown
            )
        return same
