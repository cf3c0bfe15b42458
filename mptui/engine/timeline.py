"""The timeline: what each process did, slice by slice, over the last minute.

For each process, a bounded history of its activity: running, holding a lock (which),
waiting (on what), ended. The activity comes from the insights fold
(mptui.engine.insights), which calls :meth:`Timeline.record` each time it changes.

Time is cut into fixed quanta (QUANTUM_NS, a quarter of a second) aligned on the clock,
so a slice drawn once stays the same slice at the next redraw. Each process keeps, per
quantum of the last HISTORY_NS, how long it spent in each activity: a few small dicts,
whatever the rate of events (a lock taken a million times a second adds to the same
quantum). A reader asks for slices of any whole number of quanta (:meth:`Timeline.cells`)
and gets one activity per slice, chosen by :func:`cell_of`.

Pure and clock-free like the Store: the time of "now" is given by the reader.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

QUANTUM_NS = 250_000_000
"""The finest slice: a quarter of a second (the lock lesson's holds last that long)."""
HISTORY_NS = 60_000_000_000
"""How far back each process's activity is kept."""
QUANTA = HISTORY_NS // QUANTUM_NS
MAX_ROWS = 256
"""Processes with a history at once; ended ones leave first (oldest end first)."""

# Activities: tuples, so that a hold or a wait says on which object.
RUN = ("run",)
ENDED = ("ended",)
NOT_STARTED = ("none",)
HOLD = "hold"  # (HOLD, object id)
WAIT = "wait"  # (WAIT, op, object id): op as in mptui.events.WAIT_OPS


@dataclass(slots=True)
class _Row:
    state: tuple
    since: int  # when ``state`` began (what came before is in the quanta)
    born: int
    ended: int | None = None
    quanta: deque = field(default_factory=deque)  # [index, {activity: ns}], oldest first
    spent: dict = field(default_factory=dict)  # the newest quantum's (in ``quanta`` too)
    quantum_start: int = 0  # where it begins and ends: a change inside it is one addition
    quantum_end: int = 0


class Timeline:
    """Per process, time spent in each activity per quantum; see the module docstring."""

    def __init__(self) -> None:
        self._rows: dict[int, _Row] = {}
        self._latest = 0  # the newest time recorded

    def record(self, pid: int, t: int, state: tuple) -> None:
        """From ``t`` on, process ``pid`` does ``state`` (ENDED: it has ended)."""
        row = self._rows.get(pid)
        if row is None:
            self._rows[pid] = _Row(state=state, since=t, born=t,
                                   ended=t if state == ENDED else None)  # fmt: skip
            self._latest = max(self._latest, t)
            self._prune()
            return
        if row.ended is not None:
            return
        since = row.since
        if t < since:
            t = since  # rings are read one after another: never go back
        if row.quantum_start <= since and t <= row.quantum_end:
            # The common case at a high rate of changes: all in the newest quantum.
            spent = row.spent
            spent[row.state] = spent.get(row.state, 0) + t - since
        else:
            self._spend(row, t)
        row.state, row.since = state, t
        if state is ENDED or state == ENDED:
            row.ended = t
        if t > self._latest:
            self._latest = t

    def held_between(self, pid: int, t0: int, t1: int, state: tuple) -> None:
        """Process ``pid``, running, did ``state`` (held a lock) from ``t0`` to ``t1`` and
        runs again: ``record(pid, t0, state)`` then ``record(pid, t1, RUN)``, in one call
        when both fall in the newest quantum (a lock taken and given back thousands of
        times a second)."""
        row = self._rows.get(pid)
        if (
            row is not None
            and row.state is RUN
            and row.ended is None
            and row.quantum_start <= row.since <= t0 <= t1 <= row.quantum_end
        ):
            spent = row.spent
            spent[RUN] = spent.get(RUN, 0) + t0 - row.since
            spent[state] = spent.get(state, 0) + t1 - t0
            row.since = t1
            if t1 > self._latest:
                self._latest = t1
            return
        self.record(pid, t0, state)
        self.record(pid, t1, RUN)

    def forget(self, pid: int) -> None:
        """Drop a process's history (its pid is reused by a new process)."""
        self._rows.pop(pid, None)

    @staticmethod
    def _spend(row: _Row, t: int) -> None:
        """Count ``[row.since, t)`` as time spent in ``row.state``."""
        start = max(row.since, t - HISTORY_NS)
        state, quanta = row.state, row.quanta
        while start < t:
            index = start // QUANTUM_NS
            stop = min(t, stop_of(index))
            if not quanta or quanta[-1][0] != index:
                quanta.append((index, {}))
                row.spent = quanta[-1][1]
                row.quantum_start, row.quantum_end = index * QUANTUM_NS, stop_of(index)
            spent = quanta[-1][1]
            spent[state] = spent.get(state, 0) + stop - start
            start = stop
        while quanta and quanta[0][0] <= quanta[-1][0] - QUANTA:
            quanta.popleft()

    def _prune(self) -> None:
        """Forget processes that ended more than HISTORY_NS ago, and the oldest ended ones
        beyond MAX_ROWS."""
        if len(self._rows) <= MAX_ROWS // 2:
            return
        horizon = self._latest - HISTORY_NS
        for pid in [p for p, row in self._rows.items() if row.ended is not None
                    and row.ended < horizon]:  # fmt: skip
            del self._rows[pid]
        if len(self._rows) > MAX_ROWS:
            ended = sorted((row.ended, pid) for pid, row in self._rows.items()
                           if row.ended is not None)  # fmt: skip
            for _end, pid in ended[: len(self._rows) - MAX_ROWS]:
                del self._rows[pid]

    # ------------------------------------------------------------------ reading

    def __contains__(self, pid: int) -> bool:
        return pid in self._rows

    def span(self, pid: int) -> tuple[int, int | None] | None:
        """``(born, ended)`` of a process with a history; None without one."""
        row = self._rows.get(pid)
        return None if row is None else (row.born, row.ended)

    def cells(
        self, pids: Iterable[int], first: int, count: int, slice_ns: int, upto_ns: int
    ) -> dict[int, tuple[tuple | None, ...]]:
        """Per process: the activity of ``count`` slices of ``slice_ns`` (a multiple of
        QUANTUM_NS), the first being slice number ``first`` (it begins at ``first *
        slice_ns`` on the clock), measured up to ``upto_ns``. A slice after ``upto_ns``
        is None (not drawn yet)."""
        per = max(1, slice_ns // QUANTUM_NS)
        slice_ns = per * QUANTUM_NS
        out = {}
        for pid in pids:
            row = self._rows.get(pid)
            if row is None:
                continue
            spent: list[dict] = [{} for _ in range(count)]
            for index, quantum in row.quanta:
                s = index // per - first
                if 0 <= s < count:
                    into = spent[s]
                    for state, ns in quantum.items():
                        into[state] = into.get(state, 0) + ns
            if row.ended is None:  # what it does now, from when it began to upto_ns
                start = max(row.since, first * slice_ns)
                while start < upto_ns:
                    s = start // slice_ns - first
                    if s >= count:
                        break
                    stop = min(upto_ns, (start // slice_ns + 1) * slice_ns)
                    into = spent[s]
                    into[row.state] = into.get(row.state, 0) + stop - start
                    start = stop
            end = row.ended if row.ended is not None else upto_ns
            out[pid] = tuple(
                cell_of(
                    spent[s], (first + s) * slice_ns, slice_ns, end, upto_ns, row.ended is not None
                )  # fmt: skip
                for s in range(count)
            )
        return out


def stop_of(index: int) -> int:
    """Where quantum ``index`` ends."""
    return (index + 1) * QUANTUM_NS


def cell_of(spent: dict, start: int, slice_ns: int, end: int, upto: int,
            ended: bool) -> tuple | None:  # fmt: skip
    """The one activity a slice shows: a lock held for at least a quarter of the time the
    process was alive in the slice (the longest held), else a wait that took at least a
    quarter (the longest), else running. So a lock held 0.25 s shows in a 0.5 s slice
    however the slice cuts it, and the hand-overs of a lock show as they pass. A slice
    where the process was alive less than half the time shows it not started yet, or
    ended. A slice after ``upto`` is None: not drawn yet."""
    if start >= upto:
        return None
    span = min(start + slice_ns, upto) - start
    alive = sum(spent.values())
    if alive * 2 < span:
        return ENDED if ended and end < start + slice_ns else NOT_STARTED
    for kind in (HOLD, WAIT):
        best, best_ns = None, 0
        for state, ns in spent.items():
            if state[0] == kind and ns > best_ns:
                best, best_ns = state, ns
        if best is not None and best_ns * 4 >= alive:
            return best
    return RUN
