"""The recordings of real runs the dashboard tests replay, and moments to stop them at.

The recordings are in tests/tui/recordings/, made by ``python scripts/record_fixtures.py``.
A moment is chosen by what the Store shows, not by a time, so that the tests still hold
when the fixtures are re-recorded with other timings.
"""

from __future__ import annotations

import functools
import pathlib
from collections.abc import Callable

from mptui.engine.recording import Recording, read_recording
from mptui.engine.replay import Replay
from mptui.engine.store import Store
from mptui.tui.replay import ReplaySession

RECORDINGS = pathlib.Path(__file__).parent / "recordings"

Moment = Callable[[Store], bool]
"""Where a replay stops: the first batch after which this is true of the Store."""


@functools.cache
def recording(name: str) -> Recording:
    """A recording from tests/tui/recordings/ (``lock``, ``queue``, ``lock-killed``...)."""
    return read_recording(RECORDINGS / f"{name}.jsonl")


def lock_busy(store: Store) -> bool:
    """A worker holds the lock, two wait, and CPU has been sampled: a telling moment."""
    snap = store.snapshot()
    sampled = any(p.cpu_percent is not None for p in snap.processes if p.role == "child")
    return sampled and any(lock.holder is not None and len(lock.waiters) >= 2
                           for lock in snap.locks)  # fmt: skip


def started(store: Store) -> bool:
    """Every child has said hello and the first line of output has come."""
    snap = store.snapshot()
    children = [p for p in snap.processes if p.role == "child"]
    return bool(children) and snap.lines_total > 0 and all(p.name for p in children)


def run_until(replay: Replay, done: Moment) -> bool:
    """Fold batch after batch until ``done(store)``; False if the end came first."""
    while not done(replay.store):
        if replay.at_end:
            return False
        replay.step_batch()
    return True


def position(session: ReplaySession, moment: Moment | float | None) -> None:
    """Move a paused replay to ``moment``: a predicate (the end if it never holds),
    seconds, or None for the end."""
    replay = session.replay
    if moment is None:
        replay.seek_end()
    elif callable(moment):
        run_until(replay, moment)  # at the end if never (another lesson's moment)
    else:
        replay.seek(int(moment * 1e9))
