"""The Store: a pure, bounded fold of events into what the dashboard shows.

The collector thread calls :meth:`Store.apply_many`; the UI (or the headless printer)
reads :meth:`Store.snapshot` and :meth:`Store.log_since` on its own clock. Every read
returns immutable values (mptui.engine.views), built under a short lock, so a reader never
sees a half-applied batch and never copies the whole log: ``log_since(cursor)`` returns
only the lines after a cursor.

The fold uses only the times carried by the events (``t``, from ``time.monotonic_ns()`` in
the process that made them); it never reads a clock itself, so the same events always give
the same snapshot.

Everything kept is bounded: the log is a ring (10,000 lines by default), duration samples
per lock and depth history per queue are short deques. Totals are plain counters, so a
line that scrolled out of the ring still counts in ``lines_total`` and in the process's
``lines``, and ring overruns in the agent show up as ``events_dropped``. A line being
rewritten with carriage returns (a progress bar) is kept apart, one per process and stream
(at most MAX_PENDING_LINES), until its newline makes it a line of the log.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from mptui import events as ev
from mptui.bounded import BoundedLog
from mptui.engine import doctor
from mptui.engine import insights as activity
from mptui.engine import verdict as judge
from mptui.engine.views import (
    AlertView,
    LockView,
    LogDelta,
    LogLine,
    PendingLine,
    PipeView,
    PoolView,
    ProcessView,
    QueueView,
    RunView,
    SharedMemoryView,
    Snapshot,
    WaitView,
)
from mptui.text import LOG_TEXT_CHARS  # defined there: the dashboard reads it before a run

DEFAULT_LOG_CAPACITY = 10_000
LOG_RING_CHARS = 4_000_000
"""Characters the log ring keeps in all (about 16 MB at worst, in 4-byte characters): ten
thousand short lines fit, but ten thousand cut lines of 2,000 characters do not, and the
oldest go first. What left the ring is counted, as lines that scrolled out are."""
MAX_PENDING_LINES = 32
"""Lines being rewritten with carriage returns (progress bars) kept at once, one per process
and stream; the oldest leaves first."""
DURATION_SAMPLES = 2048  # per lock, for wait/hold percentiles
DEPTH_HISTORY = 120  # per queue, one sample per tick (about two minutes)
MAX_ENDED_PROCESSES = 1000  # a Pool with maxtasksperchild can churn through thousands
SYNC_KINDS = ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier")
"""Objects shown in the Locks panel: what a process can hold or wait on to synchronise."""
SEMAPHORES = ("Semaphore", "BoundedSemaphore")
LOCKS = ("Lock", "RLock")
POOL_KINDS = ("Pool", "ProcessPoolExecutor")
"""Process pools (mptui.agent.traced_pool): declared so their queues and result waits
name them."""
WAIT_ONLY = ("Condition", "Event", "Barrier")
"""Objects a process waits on but never holds."""
LIVE_KINDS = frozenset({
    ev.LOCK_WAIT, ev.LOCK_ACQUIRED, ev.LOCK_RELEASED, ev.LOCK_TIMEOUT, ev.WAIT_BEGIN,
    ev.WAIT_END, ev.HELLO, ev.STARTED, ev.EXITED, ev.REAPED, ev.GONE, ev.SIGNALLED,
    ev.RUN_STARTED, ev.RUN_ENDED, ev.STOPPING, ev.OBJECT, ev.RETURNED, ev.RECORDS, ev.MANAGER,
    ev.SITE,  # a wait's line, when its message comes after the wait's records
})  # fmt: skip
"""Events that change who holds or waits, or a process's state: a dashboard shows them at
once (Snapshot.live_version), not at its next table refresh."""
MAX_ALERT_LOG = 1000  # alerts raised and cleared, kept for the printer and the summary

# A manager's objects (mptui.agent.traced_manager) are shown as what they stand for: a
# ``Manager Lock`` is a Lock whose holder is the process whose acquire succeeded.
MANAGER_PREFIX = "Manager "
SYNC_KINDS += tuple(MANAGER_PREFIX + kind for kind in SYNC_KINDS)
SEMAPHORES += tuple(MANAGER_PREFIX + kind for kind in SEMAPHORES)
LOCKS += tuple(MANAGER_PREFIX + kind for kind in LOCKS)
WAIT_ONLY += tuple(MANAGER_PREFIX + kind for kind in WAIT_ONLY)
QUEUE_KINDS = ("Queue", "JoinableQueue", "SimpleQueue", "Manager Queue", "Manager JoinableQueue")
MAX_OTHER_OBJECTS = 10_000
"""Labels kept of objects no panel lists (a manager's dict), for the waits that name them."""
MAX_SHARED_MEMORY = 1000
"""Shared memory segments kept; the oldest unlinked ones leave first."""

HELPER_NAMES = {
    "multiprocessing.resource_tracker": "resource_tracker",
    "multiprocessing.forkserver": "forkserver",
}


# --------------------------------------------------------------------------------------
# Mutable state inside the Store.


@dataclass(slots=True)
class _Process:
    pid: int
    ppid: int = 0
    name: str = ""
    role: str = "child"
    start_method: str | None = None
    state: str = "starting"
    exitcode: int | None = None
    code_from_parent: bool = False
    started_ns: int = 0
    ended_ns: int | None = None
    lines: int = 0
    cpu_percent: float | None = None
    rss_bytes: int | None = None
    argv: tuple[str, ...] = ()
    parent_signal: int | None = None  # what the parent sent with terminate()/kill()
    user_signal: int | None = None  # what you sent from mptui (k)
    stop_reason: str | None = None  # still running when mptui began to end the run: why
    returned_ns: int | None = None  # its run() returned (it flushes queues, then exits)
    tasks_done: int = 0  # as a pool's worker (_Pool.tasks)

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    def view(self) -> ProcessView:
        sig = None
        if self.exitcode is not None and self.exitcode < 0:
            sig = judge.signal_name(-self.exitcode)
        return ProcessView(
            pid=self.pid,
            ppid=self.ppid,
            name=self.name or f"pid {self.pid}",
            role=self.role,
            start_method=self.start_method,
            state=self.state,
            exitcode=self.exitcode,
            signal=sig,
            started_ns=self.started_ns,
            ended_ns=self.ended_ns,
            lines=self.lines,
            cpu_percent=self.cpu_percent,
            rss_bytes=self.rss_bytes,
            argv=self.argv,
            tasks_done=self.tasks_done,
            verdict=judge.process_verdict(
                alive=self.alive,
                exitcode=self.exitcode,
                user_signal=self.user_signal,
                parent_signal=self.parent_signal,
                stop_reason=self.stop_reason,
            ),
        )


@dataclass(slots=True)
class _Queue:
    id: int
    label: str = ""
    creator_pid: int = 0
    maxsize: int = 0
    puts: int = 0
    gets: int = 0
    counted: dict = field(default_factory=dict)  # (pid, op) -> that process's total
    puts_at_tick: int = 0
    gets_at_tick: int = 0
    tick_ns: int | None = None
    put_rate: float = 0.0
    get_rate: float = 0.0
    depth_history: deque = field(default_factory=lambda: deque(maxlen=DEPTH_HISTORY))
    kind: str = "Queue"
    uncounted: set = field(default_factory=set)  # pids that could not count it
    ticked: int = 0  # the Store's tick count its rates and depth history are up to date with
    owner: str = ""  # the pool it belongs to (its label), if any
    file: str | None = None  # where it was created (absolute path), for the Source panel
    line: int | None = None

    def view(self, ticks: int) -> QueueView:
        depth = max(0, self.puts - self.gets)
        history = tuple(self.depth_history)
        missed = ticks - self.ticked
        if missed > 0:  # quiet since: every tick it missed saw this depth (Store._on_tick)
            history = (history + (depth,) * min(missed, DEPTH_HISTORY))[-DEPTH_HISTORY:]
        return QueueView(
            id=self.id,
            label=self.label or f"Queue {self.id:x}",
            creator_pid=self.creator_pid,
            maxsize=self.maxsize,
            puts=self.puts,
            gets=self.gets,
            depth=depth,
            put_rate=self.put_rate,
            get_rate=self.get_rate,
            depth_history=history,
            kind=self.kind,
            uncounted=len(self.uncounted),
            owner=self.owner,
            file=self.file,
            line=self.line,
        )


@dataclass(slots=True)
class _Pool:
    """A Pool or ProcessPoolExecutor: its queues by role, and its workers' tasks done."""

    id: int
    label: str = ""
    kind: str = "Pool"
    creator_pid: int = 0
    queues: dict = field(default_factory=dict)  # "tasks" / "results" -> queue id
    tasks: dict = field(default_factory=dict)  # worker pid -> tasks done (function calls)
    done_ns: int = 0  # when a worker was last seen to finish a task

    def view(self) -> PoolView:
        label = f"{self.kind} {self.label}" if self.label else f"{self.kind} {self.id:x}"
        return PoolView(
            id=self.id,
            label=label,
            kind=self.kind,
            creator_pid=self.creator_pid,
            workers=tuple(self.tasks.items()),
        )


@dataclass(slots=True)
class _Pipe:
    id: int
    label: str = ""
    creator_pid: int = 0
    duplex: bool = True
    counted: dict = field(default_factory=dict)  # (pid, op, end) -> (count, bytes)
    sent: list = field(default_factory=lambda: [0, 0])
    sent_bytes: list = field(default_factory=lambda: [0, 0])
    received: list = field(default_factory=lambda: [0, 0])
    received_bytes: list = field(default_factory=lambda: [0, 0])
    uncounted: set = field(default_factory=set)  # pids that could not count it
    file: str | None = None  # where it was created (absolute path), for the Source panel
    line: int | None = None

    def view(self) -> PipeView:
        return PipeView(
            id=self.id,
            label=self.label or f"Pipe {self.id:x}",
            creator_pid=self.creator_pid,
            duplex=self.duplex,
            sent=tuple(self.sent),
            sent_bytes=tuple(self.sent_bytes),
            received=tuple(self.received),
            received_bytes=tuple(self.received_bytes),
            uncounted=len(self.uncounted),
            file=self.file,
            line=self.line,
        )


@dataclass(slots=True)
class _Signals:
    """What the doctor needs about Events, Conditions and Barriers: who has set or
    notified each (``signal`` events) and each Barrier's parties."""

    setters: dict = field(default_factory=dict)  # object id -> {pid: None}, first first
    parties: dict = field(default_factory=dict)  # Barrier id -> parties

    def declared(self, kind: str, oid: int, e: dict) -> None:
        parties = e.get("parties")
        if kind == "Barrier" and isinstance(parties, int) and not isinstance(parties, bool):
            self.parties.setdefault(oid, parties)

    def signalled(self, e: dict) -> None:
        pid, oid, op = e["pid"], e["id"], e.get("op")
        if not isinstance(pid, int) or not isinstance(oid, int):
            raise TypeError(f"signal {pid!r} {oid!r}")
        if op != "clear":  # a clear ends no wait
            self.setters.setdefault(oid, {})[pid] = None

    def facts(self, waits: dict, locks: dict) -> dict:
        """The doctor's Facts fields for the objects waited on now."""
        waited = {oid for (_pid, oid) in waits}
        return {
            "kinds": {oid: locks[oid].kind for oid in waited if oid in locks},
            "parties": {oid: n for oid, n in self.parties.items() if oid in waited},
            "setters": {oid: tuple(self.setters.get(oid, ())) for oid in waited},
        }


def _percentile(sorted_values: list[int], fraction: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least ``fraction`` at or below."""
    if not sorted_values:
        return None
    index = max(0, math.ceil(fraction * len(sorted_values)) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


@dataclass(slots=True)
class _Lock:
    id: int
    label: str = ""
    kind: str = "Lock"
    creator_pid: int = 0
    holder: int | None = None
    held_since_ns: int | None = None
    holders: dict = field(default_factory=dict)  # pid -> units held (semaphores)
    waiters: dict = field(default_factory=dict)  # pid -> since_ns
    acquisitions: int = 0
    contended: int = 0
    timeouts: int = 0
    interrupted: int = 0  # waits ended by an exception
    died_waiting: int = 0  # waits the process died in
    failed_wait_ns: int = 0  # time spent in those two kinds of wait
    wait_total_ns: int = 0
    wait_max_ns: int = 0
    hold_total_ns: int = 0
    hold_max_ns: int = 0
    waits: deque = field(default_factory=lambda: deque(maxlen=DURATION_SAMPLES))
    holds: deque = field(default_factory=lambda: deque(maxlen=DURATION_SAMPLES))
    counted: dict = field(default_factory=dict)  # (pid, op) -> (count, ns): agents' totals
    uncounted: set = field(default_factory=set)  # pids that could not count it
    file: str | None = None  # where it was created (absolute path), for the Source panel
    line: int | None = None
    holder_site: tuple | None = None  # (pid, site id) of the holder's acquire, if it waited

    def _total(self, op: str) -> tuple[int, int]:
        count = amount = 0
        for (_pid, kind), (c, a) in self.counted.items():
            if kind == op:
                count, amount = count + c, amount + a
        return count, amount

    def view(self, dead_pids: set[int], sites: dict | None = None) -> LockView:
        waits = sorted(self.waits)
        holder_place = None
        if self.holder_site is not None and self.holder is not None and sites:
            holder_place = sites.get(self.holder_site[0], {}).get(self.holder_site[1])
        holds = sorted(self.holds)
        acquisitions, contended, timeouts = self.acquisitions, self.contended, self.timeouts
        wait_total, hold_total = self.wait_total_ns, self.hold_total_ns
        if self.counted:
            # The agents' counters are exact even when records were dropped; an acquisition
            # is counted when released, so add the one being held.
            releases, hold_total = self._total("released")
            acquisitions = releases + (self.holder is not None)
            contended, wait_total = self._total("contended")
            timeouts, timeout_ns = self._total("timeout")
            # Every wait counts, whatever its outcome: a timed-out wait blocked too.
            contended, wait_total = contended + timeouts, wait_total + timeout_ns
        contended += self.interrupted + self.died_waiting
        wait_total += self.failed_wait_ns
        return LockView(
            id=self.id,
            label=self.label or f"{self.kind} {self.id:x}",
            kind=self.kind,
            creator_pid=self.creator_pid,
            holder=self.holder,
            held_since_ns=self.held_since_ns,
            # A semaphore's unit is nobody's: any process may give it back.
            holder_dead=self.kind not in SEMAPHORES and self.holder in dead_pids,
            holders=tuple(self.holders)
            if self.holders
            else ((self.holder,) if self.holder is not None else ()),  # fmt: skip
            waiters=tuple(sorted(self.waiters.items(), key=lambda item: item[1])),
            acquisitions=acquisitions,
            contended=contended,
            timeouts=timeouts,
            interrupted=self.interrupted,
            died_waiting=self.died_waiting,
            wait_total_ns=wait_total,
            wait_max_ns=self.wait_max_ns,
            hold_total_ns=hold_total,
            hold_max_ns=self.hold_max_ns,
            wait_p50_ns=_percentile(waits, 0.50),
            wait_p95_ns=_percentile(waits, 0.95),
            hold_p50_ns=_percentile(holds, 0.50),
            hold_p95_ns=_percentile(holds, 0.95),
            uncounted=len(self.uncounted),
            file=self.file,
            line=self.line,
            holder_file=holder_place[0] if holder_place else None,
            holder_line=holder_place[1] if holder_place else None,
        )


@dataclass(slots=True)
class _SharedMemory:
    name: str
    size: int = 0
    creator_pid: int | None = None
    attached: list = field(default_factory=list)  # pids, in the order they attached
    mappings: dict = field(default_factory=dict)  # pid -> mappings open (not closed)
    unlinked: bool = False

    def view(self, dead_pids: set[int]) -> SharedMemoryView:
        return SharedMemoryView(
            name=self.name,
            size=self.size,
            creator_pid=self.creator_pid,
            attached=tuple(self.attached),
            open_pids=tuple(pid for pid in self.mappings if pid not in dead_pids),
            unlinked=self.unlinked,
        )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


def _program_name(argv: tuple[str, ...]) -> str:
    """``worker.py`` for ``python path/worker.py``, ``python -c`` for ``python -c CODE``."""
    if not argv or argv[0] in ("", "-"):
        return ""
    first = str(argv[0])
    if first == "-c":
        return "python -c"
    return first.rstrip("/").rsplit("/", 1)[-1][:40]


# --------------------------------------------------------------------------------------


class Store:
    """A pure fold of events into a :class:`Snapshot`; safe to read from another thread."""

    def __init__(self, log_capacity: int = DEFAULT_LOG_CAPACITY) -> None:
        self._mutex = threading.Lock()
        # LogLine fields, as tuples; sized by their text's length.
        self._log: BoundedLog[tuple] = BoundedLog(log_capacity, LOG_RING_CHARS)
        self._lines_total = 0
        self._pending: dict[tuple[int, str], tuple[str, int]] = {}  # (pid, stream) -> text, t
        self._processes: dict[int, _Process] = {}
        self._queues: dict[int, _Queue] = {}
        self._ticks = 0  # ticks folded
        self._tick_ns: int | None = None  # the last one's time
        self._moving: set[int] = set()  # queues the next tick looks at (see _on_tick)
        self._pipes: dict[int, _Pipe] = {}
        self._locks: dict[int, _Lock] = {}
        self._pools: dict[int, _Pool] = {}
        self._events_dropped = 0
        self._bad_messages = 0
        self._run = RunView()
        self._version = 0
        self._cached: Snapshot | None = None
        self._stopping_since: int | None = None
        self._ended_order: dict[int, None] = {}  # pids of ended processes, oldest first
        self._forgotten = 0
        # Waits in progress: (pid, object id) -> (op, since_ns, child pid or None).
        self._waits: dict[tuple[int, int], tuple[str, int, int | None]] = {}
        self._now = 0  # the newest time the events carried
        self.stall_after_ns = doctor.DEFAULT_STALL_AFTER_NS
        self._alerts: dict[str, AlertView] = {}
        self._alert_log: deque[tuple[int, str, AlertView]] = deque(maxlen=MAX_ALERT_LOG)
        self._alert_seq = 0
        self._labels_made: dict[str, int] = {}  # creation site -> objects made there
        self._other_objects: dict[int, str] = {}  # id -> "Manager dict main.py:9"
        self._shared_memory: dict[str, _SharedMemory] = {}  # by segment name
        self._live_version = 0
        self._method_first_used: dict[str, int] = {}  # start method -> first STARTED's t
        self._signals = _Signals()
        # Where waits were called from (the agent's WAIT_SITE records and ``site`` messages):
        # pid -> site id -> (file, line); a site record waiting for its wait to begin,
        # (pid, object id) -> site id; and the site of each wait begun, the same way.
        self._sites: dict[int, dict[int, tuple[str, int]]] = {}
        self._next_site: dict[tuple[int, int], int] = {}
        self._wait_site: dict[tuple[int, int], int] = {}
        self._insights = activity.Insights()  # time starting, running, waiting; timeline

    # ---------------------------------------------------------------- writing

    def apply(self, event: dict) -> None:
        """Fold one event."""
        self.apply_many((event,))

    def apply_many(self, batch: Iterable[dict]) -> None:
        """Fold a batch of events under one lock acquisition."""
        with self._mutex:
            changed = live = False
            for event in batch:
                changed = True
                kind = event.get("kind") if isinstance(event, dict) else None
                handler = self._HANDLERS.get(kind) if isinstance(kind, str) else None
                if handler is not None and kind in LIVE_KINDS:
                    live = True
                if handler is None:
                    self._bad_messages += 1
                    continue
                try:
                    handler(self, event)
                    self._insights.apply(event)
                except Exception:  # noqa: BLE001
                    # A malformed event from an observed process is counted, never fatal.
                    self._bad_messages += 1
            if changed:
                if self._waits or self._alerts:
                    live = self._diagnose() or live
                self._version += 1
                self._live_version += live
                self._cached = None

    # ---------------------------------------------------------------- reading

    def snapshot(self) -> Snapshot:
        """The current state as immutable values; cheap when nothing changed."""
        with self._mutex:
            if self._cached is None:
                dead = {p.pid for p in self._processes.values() if p.state in ("exited", "killed")}
                self._cached = Snapshot(
                    version=self._version,
                    run=self._run,
                    processes=tuple(p.view() for p in self._processes.values()),
                    queues=tuple(q.view(self._ticks) for q in self._queues.values()),
                    pipes=tuple(p.view() for p in self._pipes.values()),
                    locks=tuple(lock.view(dead, self._sites) for lock in self._locks.values()),
                    lines_total=self._lines_total,
                    lines_retained=len(self._log),
                    events_dropped=self._events_dropped,
                    bad_messages=self._bad_messages,
                    processes_forgotten=self._forgotten,
                    objects_uncounted=sum(
                        bool(o.uncounted)
                        for table in (self._queues, self._pipes, self._locks)
                        for o in table.values()
                    ),
                    live_version=self._live_version,
                    waits=self._wait_views(),
                    alerts=tuple(self._alerts.values()),
                    now_ns=self._now,
                    pools=tuple(pool.view() for pool in self._pools.values()),
                    shared_memory=tuple(m.view(dead) for m in self._shared_memory.values()),
                )
            return self._cached

    def alerts_since(self, cursor: int = 0) -> tuple[int, list[tuple[str, AlertView]]]:
        """Alerts raised or cleared after ``cursor``: ``(new cursor, [("raised" or
        "cleared", alert), ...])``, oldest first (the last MAX_ALERT_LOG are kept)."""
        if cursor == self._alert_seq:  # nothing new (an int read: no lock needed)
            return cursor, []
        with self._mutex:
            news = [(what, alert) for seq, what, alert in self._alert_log if seq > cursor]
            return self._alert_seq, news

    def alerts_raised(self) -> list[AlertView]:
        """Every alert raised in the run, the first time each (for the summary)."""
        with self._mutex:
            seen, raised = set(), []
            for _seq, what, alert in self._alert_log:
                if what == "raised" and alert.key not in seen:
                    seen.add(alert.key)
                    raised.append(alert)
            return raised

    def insights(self, now_ns: int | None = None) -> tuple[activity.InsightsView, ...]:
        """Each process's time starting up, running and waiting (mptui.engine.insights),
        in the snapshot's order, helpers left out; what goes on is measured to ``now_ns``
        (default: the newest time the events carried)."""
        processes = self.snapshot().processes
        with self._mutex:
            return self._insights.views(processes, self._now if now_ns is None else now_ns)

    def timeline(self, pids: Iterable[int], first: int, count: int, slice_ns: int,
                 upto_ns: int) -> dict[int, tuple[tuple | None, ...]]:  # fmt: skip
        """What each process did in ``count`` slices (mptui.engine.timeline.Timeline.cells)."""
        with self._mutex:
            return self._insights.timeline.cells(pids, first, count, slice_ns, upto_ns)

    def log_since(self, cursor: int = 0, limit: int | None = None) -> LogDelta:
        """Lines with ``seq > cursor`` still in the ring, oldest first (at most ``limit``,
        the newest ones). ``skipped`` counts lines after the cursor no longer retained."""
        with self._mutex:
            newer: list[tuple] = []
            for line in reversed(self._log):
                if line[0] <= cursor or (limit is not None and len(newer) >= limit):
                    break
                newer.append(line)
            newer.reverse()
            first_seq = newer[0][0] if newer else self._lines_total + 1
            skipped = max(0, first_seq - cursor - 1)
            make = LogLine._make
            pending = tuple(
                PendingLine(pid=pid, name=self._name(pid), stream=stream, text=text, t_ns=t)
                for (pid, stream), (text, t) in self._pending.items()
            )
            return LogDelta(
                lines=tuple(make(line) for line in newer),
                cursor=self._lines_total,
                skipped=skipped,
                pending=pending,
            )

    def _name(self, pid: int) -> str:
        proc = self._processes.get(pid)
        return (proc.name if proc is not None else "") or f"pid {pid}"

    def name_of(self, pid: int) -> str:
        """The process's display name, without building a snapshot (for per-line output)."""
        with self._mutex:
            return self._name(pid)

    # ---------------------------------------------------------------- handlers

    def _process(self, pid: int) -> _Process:
        proc = self._processes.get(pid)
        if proc is None:
            proc = self._processes[pid] = _Process(pid)
        return proc

    def _on_run_started(self, e: dict) -> None:
        params = tuple((str(k), str(v)) for k, v in (e.get("params") or {}).items())
        stall_after = e.get("stall_after_ns")
        if isinstance(stall_after, int) and stall_after > 0:
            self.stall_after_ns = stall_after
        linger = e.get("linger_ns")
        self._run = RunView(
            state="running",
            title=str(e.get("title", "")),
            argv=tuple(str(a) for a in e.get("argv", ())),
            start_method=e.get("start_method"),
            params=params,
            started_ns=e["t"],
            linger_ns=linger if isinstance(linger, int) else None,
            python=_text_or_none(e.get("python")),
            python_version=_text_or_none(e.get("python_version")),
            strict=e.get("strict", True) is not False,
        )

    def _on_run_ended(self, e: dict) -> None:
        self._run = dataclasses.replace(
            self._run, state="ended", ended_ns=e["t"], exitcode=self._exit_code(e)
        )

    def _on_hello(self, e: dict) -> None:
        pid, t = e["pid"], e.get("t", 0)
        old = self._processes.get(pid)
        if old is not None and old.ended_ns is not None and t > old.ended_ns:
            # The pid was reused: a new process. (A hello older than the end it follows was
            # only read late: the parent's report of the end came first.)
            del self._processes[pid]
            self._ended_order.pop(pid, None)
            self._forgotten += 1
        proc = self._process(pid)
        proc.ppid = e.get("ppid", 0)
        proc.argv = tuple(e.get("argv") or ())
        proc.started_ns = e.get("t", proc.started_ns)
        # A fork child inherits its parent's command line: only an exec'd process is
        # what its command line says.
        cmdline = e.get("cmdline", "") if e.get("how", "exec") == "exec" else ""
        for marker, name in HELPER_NAMES.items():
            if marker in cmdline:
                proc.role, proc.name = "helper", proc.name or name
                proc.state = "running" if proc.state == "starting" else proc.state
                return
        if e.get("runner"):
            proc.role = "runner"
            proc.name = proc.name or "MainProcess"
            proc.state = "running" if proc.state == "starting" else proc.state
        elif "multiprocessing.spawn" in cmdline:
            pass  # a spawn child: 'starting' (importing) until run() begins and names it
        else:
            if e.get("how") == "exec" and not proc.name:
                proc.name = _program_name(proc.argv)  # a subprocess python: its script
            if proc.state == "starting":
                proc.state = "running"  # fork children, subprocess pythons

    def _on_started(self, e: dict) -> None:
        proc = self._process(e["pid"])
        if proc.role != "manager":  # "manager (main.py:12)" says more than SyncManager-1
            proc.name = e.get("name") or proc.name
        method = e.get("start_method")
        if isinstance(method, str) and method:
            proc.start_method = method
            # In order of first use by the processes' own clocks: a child and its own
            # child can be read in one collector round, the younger first.
            t = e.get("t") if isinstance(e.get("t"), int) else self._now
            first = self._method_first_used
            if method not in first or t < first[method]:
                first[method] = t
                used = tuple(sorted(first, key=first.__getitem__))
                if used != self._run.start_methods_used:
                    self._run = dataclasses.replace(self._run, start_methods_used=used)
        if proc.state == "starting":
            proc.state = "running"

    @staticmethod
    def _exit_code(e: dict) -> int | None:
        code = e.get("code")
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise TypeError(f"exit code {code!r}")
        return code

    def _set_exit(
        self, proc: _Process, code: int | None, t: int | None, gone: bool = False
    ) -> None:
        # Its waits end only when its channel closed (gone): the collector reads a dead
        # process's ring then, so a wait that ended well is known by now. A parent's reap
        # can come first, with the child's last records still unread.
        if gone:
            for lock in self._locks.values():  # an ended process waits for nothing
                lock.waiters.pop(proc.pid, None)
            if self._waits:
                self._end_waits(proc.pid, t)
        if t is not None:
            self._now = max(self._now, t)
        # Ended after mptui began to end the run: stopped. (A process that had already
        # ended, a zombie its parent never reaped, keeps its own verdict.)
        ended_at = proc.ended_ns if proc.ended_ns is not None else t
        if self._stopping_since is not None and (
            ended_at is None or ended_at >= self._stopping_since
        ):
            proc.stop_reason = self._run.stop_reason
        if code is not None:
            proc.exitcode = code
            proc.state = "killed" if code < 0 else "exited"
        elif proc.state in ("starting", "running"):
            proc.state = "exited"
        if proc.ended_ns is None and t is not None:
            proc.ended_ns = t
        if proc.state in ("exited", "killed") and proc.pid not in self._ended_order:
            self._ended_order[proc.pid] = None
            while len(self._ended_order) > MAX_ENDED_PROCESSES:
                oldest = next(iter(self._ended_order))
                del self._ended_order[oldest]
                gone = self._processes.get(oldest)
                if gone is not None and gone.role != "runner":
                    del self._processes[oldest]
                    self._forgotten += 1
                    self._sites.pop(oldest, None)

    def _on_exited(self, e: dict) -> None:
        code = self._exit_code(e)
        proc = self._process(e["pid"])
        if not proc.code_from_parent:  # the parent's view (waitpid) is the truth
            proc.exitcode = code
        # The process is still tearing down; it counts as ended when its channel closes.

    def _on_reaped(self, e: dict) -> None:
        code = self._exit_code(e)
        proc = self._process(e["child"])
        proc.code_from_parent = True
        self._set_exit(proc, code, e.get("t"))

    def _on_stopping(self, e: dict) -> None:
        if self._stopping_since is not None:
            return  # the first stop decides why; a second (quit after stop) changes nothing
        reason = e.get("reason", judge.STOP_BY_USER)
        reason = reason if reason == judge.STOP_LEFT_RUNNING else judge.STOP_BY_USER
        t = self._stopping_since = e.get("t", 0)
        self._run = dataclasses.replace(self._run, stop_reason=reason)
        for proc in self._processes.values():
            # Also those whose end was folded first: they died of mptui's signal too.
            if proc.alive or (proc.ended_ns or 0) >= t:
                proc.stop_reason = reason

    def _on_signalled(self, e: dict) -> None:
        proc = self._process(e["child"])
        sig = int(e["signal"])
        if e.get("by_user"):
            proc.user_signal = sig
        else:
            proc.parent_signal = sig
        if proc.ended_ns is not None and proc.exitcode is None:
            self._on_gone({"pid": proc.pid, "t": proc.ended_ns})  # its end was read first

    def _on_gone(self, e: dict) -> None:
        proc = self._process(e["pid"])
        code = proc.exitcode
        sent = proc.user_signal if proc.user_signal is not None else proc.parent_signal
        if code is None and sent in (signal.SIGKILL, signal.SIGTERM):
            # Gone right after a signal that ends a process: show it killed now; the code
            # its parent collects later (at join) replaces this guess.
            code = -sent
        self._set_exit(proc, code, e.get("t"), gone=True)

    def _on_line(self, e: dict) -> None:
        """One line (the last of a stream, or a piece of a line over the line limit)."""
        self._on_lines({**e, "texts": [e["text"]]})

    def _on_lines(self, e: dict) -> None:
        pid, texts = e["pid"], e["texts"]
        if not isinstance(texts, list):
            raise TypeError("texts")
        stream = e.get("stream", "stdout")
        proc = self._process(pid)
        if self._pending:
            self._pending.pop((pid, stream), None)  # the line being rewritten has ended
        count = len(texts)
        first = self._lines_total + 1
        proc.lines += count
        self._lines_total += count
        # Only the lines the ring will still hold become objects: a flood batch can be far
        # longer than the ring, and headless the ring holds none (the printer has them).
        capacity = self._log.items.maxlen or 0
        if not capacity:
            return
        keep = texts[-capacity:]
        seq = first + count - len(keep)
        name, t = proc.name or f"pid {pid}", e.get("t", 0)
        # Plain tuples: LogLine objects are made only for the lines a reader asks for.
        limit = LOG_TEXT_CHARS
        entries = [
            (i, pid, name, stream, text[:limit], t, False, len(text))
            if len(text) > limit
            else (i, pid, name, stream, text, t, False, -1)
            for i, text in enumerate(map(str, keep), seq)
        ]
        if entries and e.get("partial"):
            entries[-1] = (*entries[-1][:6], True, entries[-1][7])
        self._log.extend(entries, [len(entry[4]) for entry in entries])

    def _on_pending(self, e: dict) -> None:
        """A line being rewritten (a progress bar): it replaces the one before."""
        key = (e["pid"], e.get("stream", "stdout"))
        self._process(key[0])
        self._pending.pop(key, None)  # to the end: the newest are kept
        self._pending[key] = (str(e["text"])[:LOG_TEXT_CHARS], e.get("t", 0))
        while len(self._pending) > MAX_PENDING_LINES:
            del self._pending[next(iter(self._pending))]

    def _on_metrics(self, e: dict) -> None:
        for pid, cpu, rss in e["samples"]:
            proc = self._processes.get(pid)
            if proc is not None:
                proc.cpu_percent, proc.rss_bytes = cpu, rss

    def _on_tick(self, e: dict) -> None:
        """Sample each queue's rates and depth, looking only at the queues that moved.

        A tick comes once a second; a program with a thousand quiet queues must not pay a
        thousand samples a second. So a tick looks only at the queues whose counts changed
        since the last one (see _on_counter) and those whose rate is not 0 yet (it falls to
        0 at the first tick they are quiet, as it would if every tick sampled them). A
        quiet queue's missed samples are all its unchanged depth: they are filled in when
        it changes again (_catch_up) or is viewed (_Queue.view)."""
        t = e["t"]
        self._now = max(self._now, t)
        moving, self._moving = self._moving, set()
        for oid in moving:
            q = self._queues.get(oid)
            if q is None:
                continue
            self._catch_up(q)
            if q.tick_ns is not None and t > q.tick_ns:
                seconds = (t - q.tick_ns) / 1e9
                q.put_rate = (q.puts - q.puts_at_tick) / seconds
                q.get_rate = (q.gets - q.gets_at_tick) / seconds
            q.tick_ns, q.puts_at_tick, q.gets_at_tick = t, q.puts, q.gets
            q.depth_history.append(max(0, q.puts - q.gets))
            q.ticked = self._ticks + 1
            if q.put_rate or q.get_rate:
                self._moving.add(oid)  # looked at next tick too, where its rate can fall
        self._ticks += 1
        self._tick_ns = t

    def _catch_up(self, q: _Queue) -> None:
        """Bring a queue the ticks left alone up to date, before its counts change: each
        tick it missed saw its current depth and a rate of 0."""
        missed = self._ticks - q.ticked
        if missed > 0:
            q.depth_history.extend([max(0, q.puts - q.gets)] * min(missed, DEPTH_HISTORY))
            q.tick_ns, q.puts_at_tick, q.gets_at_tick = self._tick_ns, q.puts, q.gets
            q.ticked = self._ticks

    def _new_queue(self, oid: int) -> _Queue:
        q = self._queues[oid] = _Queue(oid, ticked=self._ticks)  # no tick has seen it yet
        return q

    def _on_dropped(self, e: dict) -> None:
        self._events_dropped += int(e["count"])
        # What this process's lost records said is unknown: forget its lock state (the
        # records after the gap, folded next, rebuild it). Totals come from counters.
        pid = e["pid"]
        for key in [key for key in self._waits if key[0] == pid]:
            del self._waits[key]
        self._forget_wait_sites(pid)
        for lock in self._locks.values():
            lock.waiters.pop(pid, None)
            if lock.holder == pid:
                lock.holder = lock.held_since_ns = None

    def _on_object(self, e: dict) -> None:
        kind, oid = e["type"], self._object_id(e)
        self._signals.declared(kind, oid, e)
        for table in (self._locks, self._queues, self._pipes, self._pools):
            if oid in table and table[oid].label:
                return  # declared already: the first declaration named it
        if oid in self._other_objects:
            return
        label, creator = self._unique_label(str(e.get("label", ""))), e.get("pid", 0)
        obj: _Lock | _Queue | _Pipe | None = None
        if kind in SYNC_KINDS:
            obj = lock = self._locks.setdefault(oid, _Lock(oid))
            lock.kind, lock.label, lock.creator_pid = kind, label, creator
        elif kind in QUEUE_KINDS:
            obj = q = self._queues.get(oid) or self._new_queue(oid)
            q.label, q.creator_pid, q.maxsize = label, creator, int(e.get("maxsize", 0))
            q.kind = kind
            owner = e.get("owner")
            if isinstance(owner, int) and owner in self._pools:  # declared just before
                q.owner = self._object_label(owner)
                self._pools[owner].queues[str(e.get("role", ""))] = oid
        elif kind in POOL_KINDS:
            pool = self._pools.setdefault(oid, _Pool(oid))
            pool.kind, pool.label, pool.creator_pid = kind, label, creator
        elif kind == "Pipe":
            obj = p = self._pipes.setdefault(oid, _Pipe(oid))
            p.label, p.creator_pid, p.duplex = label, creator, bool(e.get("duplex", True))
        elif len(self._other_objects) < MAX_OTHER_OBJECTS:
            self._other_objects[oid] = f"{kind} {label}" if label else kind
        file, line = e.get("file"), e.get("line")
        if obj is not None and isinstance(file, str) and isinstance(line, int):
            obj.file, obj.line = file, line

    def _unique_label(self, label: str) -> str:
        """``main.py:12``, then ``main.py:12 #2`` for the second object made on that line
        (``a, b = Lock(), Lock()``; a loop): every object keeps a name of its own."""
        if not label:
            return label
        made = self._labels_made[label] = self._labels_made.get(label, 0) + 1
        return label if made == 1 else f"{label} #{made}"

    @staticmethod
    def _object_id(e: dict) -> int:
        oid = e["id"]
        if not isinstance(oid, int) or isinstance(oid, bool):
            raise TypeError(f"object id {oid!r}")
        return oid

    def _lock(self, oid: int) -> _Lock:
        lock = self._locks.get(oid)
        if lock is None:  # its declaration may arrive after its first use
            lock = self._locks[oid] = _Lock(oid)
        return lock

    # Lock records come two ways: decoded events (a recording, ``--json``) and raw ring
    # records (a live run: see _on_records). Both end in the positional methods below.

    def _on_lock_wait(self, e: dict) -> None:
        self._lock_wait(e["pid"], self._object_id(e), e["t"], 0)

    def _on_lock_acquired(self, e: dict) -> None:
        self._lock_acquired(e["pid"], self._object_id(e), e["t"], int(e.get("wait_ns", 0)))

    def _on_lock_released(self, e: dict) -> None:
        self._lock_released(e["pid"], self._object_id(e), e["t"], int(e.get("hold_ns", -1)))

    def _on_lock_timeout(self, e: dict) -> None:
        self._lock_timeout(e["pid"], self._object_id(e), e["t"], int(e.get("wait_ns", 0)))

    def _on_records(self, e: dict) -> None:
        """Ring records ``(pid, code, t, value)``, in time order: lock records folded
        straight from the tuple, any other kind decoded and handled as its event."""
        folds, mask, records = self._RECORD_FOLDS, ev.OBJECT_ID_MASK, e["records"]
        for record in records:
            try:
                fold = folds.get(record[1] >> 56)
                if fold is not None:
                    pid, code, t, value = record
                    fold(self, pid, code & mask, t, value)
                    continue
                event = ev.ring_event(*record)
                handler = self._HANDLERS.get(event["kind"])
                if handler is None:
                    self._bad_messages += 1
                else:
                    handler(self, event)
            except Exception:  # noqa: BLE001 - as apply_many: counted, never fatal
                self._bad_messages += 1
        self._insights.apply_records(records)  # (apply_many's call sees only "records")

    def _lock_wait(self, pid: int, oid: int, t: int, _value: int) -> None:
        self._lock(oid).waiters[pid] = t
        self._waits[(pid, oid)] = ("acquire", t, None)
        self._begin_site(pid, oid)
        if t > self._now:
            self._now = t

    def _lock_acquired(self, pid: int, oid: int, t: int, wait: int) -> None:
        lock = self._lock(oid)
        blocked = lock.waiters.pop(pid, None) is not None or wait > 0
        if blocked and self._waits:
            self._waits.pop((pid, oid), None)
        if lock.kind in LOCKS:  # where it is held, if known: only a waited acquire says
            site = self._wait_site.get((pid, oid)) if blocked else None
            lock.holder_site = (pid, site) if site is not None else None
        lock.acquisitions += 1
        lock.holder, lock.held_since_ns = pid, t
        if lock.kind in SEMAPHORES:
            lock.holders[pid] = lock.holders.get(pid, 0) + 1
        if blocked:
            lock.contended += 1
            lock.wait_total_ns += wait
            if wait > lock.wait_max_ns:
                lock.wait_max_ns = wait
            lock.waits.append(wait)

    def _lock_released(self, pid: int, oid: int, _t: int, hold: int) -> None:
        lock = self._lock(oid)
        if hold >= 0:
            lock.hold_total_ns += hold
            if hold > lock.hold_max_ns:
                lock.hold_max_ns = hold
            lock.holds.append(hold)
        if lock.kind in SEMAPHORES:
            self._release_unit(lock, pid)
            return
        # Rings of different processes are read one after another, so the next holder's
        # ACQUIRED can be folded before this RELEASED: only the holder's release frees it.
        if lock.holder == pid:
            lock.holder = lock.held_since_ns = None

    @staticmethod
    def _release_unit(lock: _Lock, pid: int) -> None:
        """A semaphore unit given back: by a holder (or by anyone: a semaphore may be
        released by a process that never acquired it, which frees the oldest holder's)."""
        giver = pid if pid in lock.holders else next(iter(lock.holders), None)
        if giver is not None:
            lock.holders[giver] -= 1
            if lock.holders[giver] <= 0:
                del lock.holders[giver]
        lock.holder = next(reversed(lock.holders), None) if lock.holders else None
        if lock.holder is None:
            lock.held_since_ns = None

    def _lock_timeout(self, pid: int, oid: int, _t: int, wait: int) -> None:
        lock = self._lock(oid)
        lock.waiters.pop(pid, None)
        self._waits.pop((pid, oid), None)
        lock.timeouts += 1
        lock.contended += 1  # a wait that failed is a wait all the same
        lock.wait_total_ns += wait
        lock.wait_max_ns = max(lock.wait_max_ns, wait)
        lock.waits.append(wait)

    def _on_wait_begin(self, e: dict) -> None:
        pid, oid, t = e["pid"], self._object_id(e), e["t"]
        child = e.get("child")
        self._waits[(pid, oid)] = (str(e["op"]), t, child if isinstance(child, int) else None)
        self._now = max(self._now, t)
        self._begin_site(pid, oid)
        lock = self._locks.get(oid)
        if lock is not None:  # a semaphore, condition, event or barrier: shown waiting
            lock.waiters[pid] = t

    def _on_wait_end(self, e: dict) -> None:
        pid, oid = e["pid"], self._object_id(e)
        self._waits.pop((pid, oid), None)
        self._now = max(self._now, e["t"])
        lock = self._locks.get(oid)
        if lock is not None:
            lock.waiters.pop(pid, None)
        if lock is not None and lock.kind in WAIT_ONLY:
            # An Event, Condition or Barrier is only waited on: each wait is counted here,
            # whatever its outcome (a semaphore's are counted by its own counters).
            wait = int(e.get("wait_ns", 0))
            lock.contended += 1
            lock.wait_total_ns += wait
            lock.wait_max_ns = max(lock.wait_max_ns, wait)
            lock.waits.append(wait)
        elif lock is not None and lock.kind in LOCKS and e.get("outcome") == "interrupted":
            wait = int(e.get("wait_ns", 0))
            lock.interrupted += 1
            lock.failed_wait_ns += wait
            lock.wait_max_ns = max(lock.wait_max_ns, wait)
            lock.waits.append(wait)

    def _on_returned(self, e: dict) -> None:
        self._process(e["pid"]).returned_ns = e.get("t")

    def _end_waits(self, pid: int, t: int | None) -> None:
        """The process ended: its waits end too; a lock wait counts as one it died in."""
        self._forget_wait_sites(pid)
        for key in [key for key in self._waits if key[0] == pid]:
            _op, since, _child = self._waits.pop(key)
            lock = self._locks.get(key[1])
            if lock is not None:
                lock.waiters.pop(pid, None)
            if lock is not None and lock.kind in LOCKS:
                wait = max(0, (t or since) - since)
                lock.died_waiting += 1
                lock.failed_wait_ns += wait
                lock.wait_max_ns = max(lock.wait_max_ns, wait)
                lock.waits.append(wait)

    # ------------------------------------------------------------------ wait sites

    def _on_site(self, e: dict) -> None:
        """A process names one of its wait sites: its id, file and line."""
        site, line = e["id"], e["line"]
        if not isinstance(site, int) or not isinstance(line, int):
            raise TypeError(f"site {site!r} line {line!r}")
        self._sites.setdefault(e["pid"], {})[site] = (str(e["file"]), line)

    def _on_wait_site(self, e: dict) -> None:
        """The next wait of the process on the object begins at this site."""
        site = e["site"]
        if not isinstance(site, int):
            raise TypeError(f"site {site!r}")
        self._next_site[(e["pid"], self._object_id(e))] = site

    def _begin_site(self, pid: int, oid: int) -> None:
        key = (pid, oid)
        site = self._next_site.pop(key, None) if self._next_site else None
        if site is None:
            self._wait_site.pop(key, None)
        else:
            self._wait_site[key] = site

    def _forget_wait_sites(self, pid: int) -> None:
        for table in (self._next_site, self._wait_site):
            for key in [key for key in table if key[0] == pid]:
                del table[key]

    def _wait_place(self, pid: int, oid: int) -> tuple[str | None, int | None]:
        """The file and line the wait of ``pid`` on ``oid`` was called from, if known (its
        ``site`` message may come after its records: the two travel apart)."""
        site = self._wait_site.get((pid, oid))
        place = self._sites.get(pid, {}).get(site) if site is not None else None
        return place if place is not None else (None, None)

    # ------------------------------------------------------------------ the doctor

    def _wait_views(self) -> tuple[WaitView, ...]:
        views = []
        for (pid, oid), (op, since, child) in self._waits.items():
            if op == "join":
                label = f"{self._name(child)}" if child is not None else "a child"
            else:
                label = self._object_label(oid)
            file, line = self._wait_place(pid, oid)
            views.append(WaitView(pid=pid, op=op, object_id=oid, object_label=label,
                                  since_ns=since, child=child, file=file, line=line))  # fmt: skip
        views.sort(key=lambda w: w.since_ns)
        return tuple(views)

    def _object_label(self, oid: int) -> str:
        for table in (self._locks, self._queues, self._pipes, self._pools):
            obj = table.get(oid)
            if obj is not None:
                kind = getattr(obj, "kind", "Pipe")
                return f"{kind} {obj.label}" if obj.label else f"{kind} {oid:x}"
        return self._other_objects.get(oid) or f"object {oid:x}"

    def _not_ended(self, pid: int) -> bool:
        proc = self._processes.get(pid)
        return proc is None or proc.ended_ns is None

    def _facts(self) -> doctor.Facts:
        alive = {p.pid for p in self._processes.values() if p.alive and p.role != "helper"}
        holders = {
            oid: tuple(lock.holders) or (lock.holder,)
            for oid, lock in self._locks.items()
            if lock.holder is not None or lock.holders
        }
        labels = {oid: self._object_label(oid) for oid in {*holders, *self._queues}}
        putters = {
            qid: {pid for (pid, op) in q.counted if op == "put"} for qid, q in self._queues.items()
        }
        waits = [w for w in self._wait_views() if self._not_ended(w.pid)]
        return doctor.Facts(
            now_ns=self._now,
            waits=waits,
            names={pid: p.name or f"pid {pid}" for pid, p in self._processes.items()},
            alive=alive,
            holders=holders,
            labels=labels,
            returned={
                p.pid: p.returned_ns
                for p in self._processes.values()
                if p.returned_ns is not None and p.alive
            },  # fmt: skip
            queue_depth={qid: max(0, q.puts - q.gets) for qid, q in self._queues.items()},
            queue_putters=putters,
            stall_after_ns=self.stall_after_ns,
            **self._signals.facts(self._waits, self._locks),
            ended={
                p.pid: p.ended_ns
                for p in self._processes.values()
                if p.ended_ns is not None and p.role != "helper"
            },  # fmt: skip
            pool_busy={  # only the pools waited on: a churning pool has many workers
                w.object_id: self._pool_busy_ns(self._pools[w.object_id])
                for w in waits
                if w.op == "result" and w.object_id in self._pools
            },
        )

    def _pool_busy_ns(self, pool: _Pool) -> int:
        """When the pool was last seen at work: now if a live worker has taken a task
        whose result it has not sent yet, else when a worker last finished one."""
        tasks = self._queues.get(pool.queues.get("tasks", -1))
        results = self._queues.get(pool.queues.get("results", -1))
        if tasks is None or results is None:
            return pool.done_ns
        for (pid, op), taken in tasks.counted.items():
            if op != "get" or pid == pool.creator_pid:
                continue  # the creator's gets: terminate() draining the queue
            proc = self._processes.get(pid)
            if proc is not None and proc.alive and taken > results.counted.get((pid, "put"), 0):
                return self._now
        return pool.done_ns

    def _diagnose(self) -> bool:
        """Ask the doctor; True when an alert was raised or cleared."""
        found = {}
        for alert in doctor.diagnose(self._facts()):
            old = self._alerts.get(alert.key)
            raised = old.raised_ns if old is not None else self._now
            found[alert.key] = dataclasses.replace(alert, raised_ns=raised)
        for key, alert in self._alerts.items():
            if key not in found:
                self._alert_seq += 1
                self._alert_log.append((self._alert_seq, "cleared", alert))
        for key, alert in found.items():
            if key not in self._alerts:
                self._alert_seq += 1
                self._alert_log.append((self._alert_seq, "raised", alert))
        changed = found.keys() != self._alerts.keys()
        self._alerts = found
        return changed

    def wait_graph(self) -> list[str]:
        """The wait-for graph now, one line per wait (see doctor.graph_lines)."""
        with self._mutex:
            return doctor.graph_lines(self._facts()) if self._waits else []

    def _queue(self, e: dict) -> _Queue:
        oid = self._object_id(e)
        q = self._queues.get(oid)
        if q is None:
            q = self._new_queue(oid)
        return q

    def _pipe(self, e: dict) -> _Pipe:
        oid = self._object_id(e)
        p = self._pipes.get(oid)
        if p is None:
            p = self._pipes[oid] = _Pipe(oid)
        return p

    def _on_counter(self, e: dict) -> None:
        """A process's running totals for one queue or pipe end: fold in the increase."""
        op, pid, count, amount = e["op"], e["pid"], int(e["count"]), int(e.get("bytes", 0))
        if op in ("put", "get"):
            q = self._queue(e)
            self._catch_up(q)  # before its counts change: the ticks it missed saw them
            self._moving.add(q.id)
            before = q.counted.get((pid, op), 0)
            added = count - before if count >= before else count  # a reused pid starts over
            q.counted[(pid, op)] = count
            if op == "put":
                q.puts += added
            else:
                q.gets += added
        elif op in ("send", "recv"):
            p, end = self._pipe(e), int(e.get("end", 0)) & 1
            old_count, old_bytes = p.counted.get((pid, op, end), (0, 0))
            if count < old_count:  # a reused pid starts over
                old_count = old_bytes = 0
            p.counted[(pid, op, end)] = (count, amount)
            if op == "send":
                p.sent[end] += count - old_count
                p.sent_bytes[end] += amount - old_bytes
            else:
                p.received[end] += count - old_count
                p.received_bytes[end] += amount - old_bytes
        elif op in ("released", "contended", "timeout"):
            self._lock(self._object_id(e)).counted[(pid, op)] = (count, amount)
        elif op == "tasks":
            self._on_tasks_done(self._object_id(e), pid, amount)
        else:
            raise ValueError(op)

    def _on_tasks_done(self, pool_id: int, pid: int, done: int) -> None:
        """A pool worker's total of tasks finished (function calls)."""
        pool = self._pools.setdefault(pool_id, _Pool(pool_id))
        proc = self._processes.get(pid)  # None: ended and forgotten already
        if proc is not None:
            proc.tasks_done += done - pool.tasks.get(pid, 0)
        pool.tasks[pid] = done
        pool.done_ns = self._now

    def _on_uncounted(self, e: dict) -> None:
        """A process could not count an operation on an object: its totals are too low."""
        op, pid = e["op"], e["pid"]
        if op in ("put", "get"):
            self._queue(e).uncounted.add(pid)
        elif op in ("send", "recv"):
            self._pipe(e).uncounted.add(pid)
        elif op in ("released", "contended", "timeout"):
            self._lock(self._object_id(e)).uncounted.add(pid)
        elif op != "tasks":  # a worker that cannot count its tasks shows none
            raise ValueError(op)

    # ------------------------------------------------------ managers and shared memory

    def _on_manager(self, e: dict) -> None:
        """A parent started a manager's server process (mptui.agent.traced_manager)."""
        child = e["child"]
        if not isinstance(child, int) or isinstance(child, bool):
            raise TypeError(f"pid {child!r}")
        proc = self._process(child)
        proc.role = "manager"
        proc.name = str(e.get("name") or proc.name or "manager")

    def _segment(self, e: dict) -> _SharedMemory | None:
        return self._shared_memory.get(str(e["name"]))

    def _on_shm_opened(self, e: dict) -> None:
        name, pid = str(e["name"]), e["pid"]
        shm = self._shared_memory.get(name)
        if shm is None or (e.get("created") and shm.unlinked):  # a new segment, same name
            self._shared_memory.pop(name, None)
            shm = self._shared_memory[name] = _SharedMemory(name)
            self._forget_old_segments()
        if e.get("created") and shm.creator_pid is None:
            shm.creator_pid = pid
        shm.size = max(shm.size, int(e.get("size", 0)))
        if pid not in shm.attached:
            shm.attached.append(pid)
        shm.mappings[pid] = shm.mappings.get(pid, 0) + 1

    def _on_shm_closed(self, e: dict) -> None:
        shm, pid = self._segment(e), e["pid"]
        if shm is not None and shm.mappings.get(pid, 0) > 0:
            shm.mappings[pid] -= 1
            if not shm.mappings[pid]:
                del shm.mappings[pid]

    def _on_shm_unlinked(self, e: dict) -> None:
        shm = self._segment(e)
        if shm is not None:
            shm.unlinked = True

    def _forget_old_segments(self) -> None:
        while len(self._shared_memory) > MAX_SHARED_MEMORY:
            unlinked = [name for name, shm in self._shared_memory.items() if shm.unlinked]
            del self._shared_memory[unlinked[0] if unlinked else next(iter(self._shared_memory))]

    _HANDLERS = {
        ev.RUN_STARTED: _on_run_started,
        ev.RUN_ENDED: _on_run_ended,
        ev.HELLO: _on_hello,
        ev.STARTED: _on_started,
        ev.EXITED: _on_exited,
        ev.REAPED: _on_reaped,
        ev.GONE: _on_gone,
        ev.SIGNALLED: _on_signalled,
        ev.STOPPING: _on_stopping,
        ev.LINE: _on_line,
        ev.LINES: _on_lines,
        ev.PENDING: _on_pending,
        ev.METRICS: _on_metrics,
        ev.TICK: _on_tick,
        ev.DROPPED: _on_dropped,
        ev.RING: lambda self, e: None,
        ev.OBJECT: _on_object,
        ev.LOCK_WAIT: _on_lock_wait,
        ev.LOCK_ACQUIRED: _on_lock_acquired,
        ev.LOCK_RELEASED: _on_lock_released,
        ev.LOCK_TIMEOUT: _on_lock_timeout,
        ev.WAIT_BEGIN: _on_wait_begin,
        ev.WAIT_END: _on_wait_end,
        ev.RETURNED: _on_returned,
        ev.SITE: _on_site,
        ev.WAIT_SITE: _on_wait_site,
        ev.COUNTER: _on_counter,
        ev.UNCOUNTED: _on_uncounted,
        ev.SIGNAL: lambda self, e: self._signals.signalled(e),
        ev.MANAGER: _on_manager,
        ev.SHM_OPENED: _on_shm_opened,
        ev.SHM_CLOSED: _on_shm_closed,
        ev.SHM_UNLINKED: _on_shm_unlinked,
        ev.RECORDS: _on_records,
    }
    _RECORD_FOLDS = {
        ev.RK_LOCK_WAIT: _lock_wait,
        ev.RK_LOCK_ACQUIRED: _lock_acquired,
        ev.RK_LOCK_RELEASED: _lock_released,
        ev.RK_LOCK_TIMEOUT: _lock_timeout,
    }
