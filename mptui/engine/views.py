"""What readers of the Store get: frozen views of the observed program, built by keyword.

The Store (mptui.engine.store) folds events into mutable records and hands readers these
immutable values: a :class:`Snapshot` of everything at one instant, and the log lines after
a cursor as a :class:`LogDelta`. Both front ends (the dashboard and headless) and the
verdicts (mptui.engine.verdict) read only these.

:class:`LogLine` stays a NamedTuple: the Store keeps its lines as plain tuples and makes
LogLines only for the lines a reader asks for (``LogLine._make``), the cheapest way per line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from mptui.engine import verdict as judge


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessView:
    """One process of the observed program."""

    pid: int
    ppid: int
    name: str
    role: str
    """``runner`` (the program's main process), ``child``, ``helper``
    (multiprocessing's resource tracker or fork server), or ``manager`` (a manager's
    server process)."""
    start_method: str | None
    state: str
    """``starting``, ``running``, ``exited`` or ``killed``."""
    exitcode: int | None
    """Exit code; negative -N when killed by signal N; None while running or unknown."""
    signal: str | None
    """Signal name (``SIGKILL``) when killed by a signal."""
    started_ns: int
    ended_ns: int | None
    lines: int
    """Lines of output received from this process (stdout and stderr)."""
    cpu_percent: float | None
    rss_bytes: int | None
    argv: tuple[str, ...]
    verdict: str = judge.RUNNING
    """How it ended, judged once for every front end: see mptui.engine.verdict."""
    tasks_done: int = 0
    """Tasks this process finished as a pool worker (calls of the program's function: a
    chunk of ``map`` counts its items); 0 for a process that is no pool's worker."""

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    @property
    def failed(self) -> bool:
        return self.verdict == judge.FAILED


class LogLine(NamedTuple):
    """One line of output, tagged with the process that wrote it."""

    seq: int
    """1-based position among all lines received in this run."""
    pid: int
    name: str
    stream: str
    """``stdout`` or ``stderr``."""
    text: str
    t_ns: int
    partial: bool = False
    """True for a last line that ended without a newline (delivered at EOF)."""
    length: int = -1
    """The line's full length in characters; more than ``len(text)`` when the ring kept
    only the first LOG_TEXT_CHARS of it (-1: not cut)."""

    @property
    def cut(self) -> int:
        """Characters of the line left out of ``text`` (0 when it is whole)."""
        return max(0, self.length - len(self.text))


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueView:
    """A traced multiprocessing Queue."""

    id: int
    label: str
    creator_pid: int
    maxsize: int
    puts: int
    gets: int
    depth: int
    """Items put and not yet got (counted, never from ``qsize()``)."""
    put_rate: float
    """Puts per second over the last tick interval."""
    get_rate: float
    depth_history: tuple[int, ...]
    """Depth at each tick, oldest first (for a sparkline)."""
    kind: str = "Queue"
    """``Queue``, ``JoinableQueue`` or ``SimpleQueue``."""
    uncounted: int = 0
    """Processes whose puts or gets on it could not be counted (their counter table was
    full): when not 0, the totals are too low and every front end says so."""
    owner: str = ""
    """The pool whose task or result queue it is (``Pool main.py:12``); empty for the
    program's own queues."""
    file: str | None = None
    """The absolute path of the file whose line created it (None: not known)."""
    line: int | None = None
    """That line, 1-based."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PipeView:
    """A traced Pipe: two ends, 0 and 1. ``sent[0]`` is messages sent from end 0."""

    id: int
    label: str
    creator_pid: int
    duplex: bool
    sent: tuple[int, int]
    sent_bytes: tuple[int, int]
    received: tuple[int, int]
    received_bytes: tuple[int, int]
    uncounted: int = 0
    """Processes whose messages on it could not be counted (see QueueView.uncounted)."""
    file: str | None = None
    """The absolute path of the file whose line created it (None: not known)."""
    line: int | None = None
    """That line, 1-based."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LockView:
    """A traced Lock or RLock, or what else a process holds or waits on to synchronise
    (``kind``: Semaphore, BoundedSemaphore, Condition, Event, Barrier)."""

    id: int
    label: str
    kind: str
    creator_pid: int
    holder: int | None
    held_since_ns: int | None
    holder_dead: bool
    """The holder has exited while holding it: nobody can acquire it any more."""
    holders: tuple[int, ...] = ()
    """Every process holding it: a semaphore's unit holders; a lock's one holder."""
    waiters: tuple[tuple[int, int], ...]
    """``(pid, waiting_since_ns)`` of processes blocked in acquire."""
    acquisitions: int
    contended: int
    """Acquires that had to block, whatever came of them (acquired, timed out,
    interrupted, died waiting)."""
    timeouts: int
    """Acquires whose timeout ran out (counted in ``contended`` and the wait times too)."""
    interrupted: int = 0
    """Acquires an exception ended (KeyboardInterrupt...)."""
    died_waiting: int = 0
    """Acquires the process died in."""
    wait_total_ns: int
    wait_max_ns: int
    hold_total_ns: int
    hold_max_ns: int
    wait_p50_ns: int | None
    wait_p95_ns: int | None
    hold_p50_ns: int | None
    hold_p95_ns: int | None
    uncounted: int = 0
    """Processes whose totals on it could not be counted (see QueueView.uncounted)."""
    file: str | None = None
    """The absolute path of the file whose line created it (None: not known)."""
    line: int | None = None
    """That line, 1-based."""
    holder_file: str | None = None
    """Where its holder acquired it, when that acquire had to wait (a Lock or RLock): the
    site of a fast acquire is never taken, so None says "not known", not "nowhere"."""
    holder_line: int | None = None

    @property
    def contended_percent(self) -> float:
        """Of all acquires (those that failed too), the share that had to block."""
        attempts = self.acquisitions + self.timeouts + self.interrupted + self.died_waiting
        return 100.0 * self.contended / attempts if attempts else 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class PoolView:
    """A multiprocessing Pool or a ProcessPoolExecutor, and what its workers did."""

    id: int
    label: str
    """``Pool main.py:12`` (its kind and the line that made it)."""
    kind: str
    """``Pool`` or ``ProcessPoolExecutor``."""
    creator_pid: int
    workers: tuple[tuple[int, int], ...] = ()
    """``(pid, tasks done)`` of every worker that finished a task, in order of first
    report."""

    @property
    def tasks_done(self) -> int:
        return sum(done for _pid, done in self.workers)


@dataclass(frozen=True, slots=True, kw_only=True)
class SharedMemoryView:
    """A ``multiprocessing.shared_memory`` segment, named by its own name."""

    name: str
    size: int
    creator_pid: int | None
    """The process that created it (None when it was created before being seen)."""
    attached: tuple[int, ...]
    """Every process that created or attached it, in order."""
    open_pids: tuple[int, ...]
    """Those that have it mapped still: not closed, not ended."""
    unlinked: bool
    """Destroyed (``unlink()``): mappings still open keep it alive, nobody new can attach."""


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitView:
    """A process blocked right now: in what, on which object, since when."""

    pid: int
    op: str
    """``acquire``, ``get``, ``put``, ``recv``, ``join``, ``wait``, ``call``, ``result``
    (mptui.events.WAIT_OPS)."""
    object_id: int
    """The traced object waited on; 0 for a join."""
    object_label: str
    """``Lock main.py:12``; for a join, the child (``Process-1, pid 123``)."""
    since_ns: int
    child: int | None = None
    """The pid being joined (``op == "join"``)."""
    file: str | None = None
    """The absolute path of the program's file the wait was called from (None: not known)."""
    line: int | None = None
    """That line, 1-based: ``with lock:``, ``q.get()``, ``p.join()``."""

    def describe(self) -> str:
        """``acquire Lock main.py:12``, ``join Process-1``: for a table cell."""
        return f"{self.op} {self.object_label}"


@dataclass(frozen=True, slots=True, kw_only=True)
class AlertView:
    """Something the doctor found: a deadlock, a hang, a wait that cannot end, a stall."""

    kind: str
    """``deadlock``, ``join-before-drain``, ``never`` (waiting for what will never
    come), ``barrier`` (a Barrier that can no longer fill), ``event`` (an Event no live
    process can set) or ``stall`` (mptui.engine.doctor)."""
    key: str
    """Stays the same while the same alert stands: what it is about."""
    title: str
    """One line: ``Deadlock: worker-1 and worker-2 wait on each other``."""
    details: tuple[str, ...]
    """One line per wait involved: who waits on what, held by whom, for how long."""
    advice: str
    """One sentence of what to do."""
    pids: tuple[int, ...]
    objects: tuple[int, ...]
    since_ns: int
    """When it began (the cycle closed, the wait began)."""
    sure: bool = True
    """False when the doctor is guessing (it cannot see every reference to an object)."""
    raised_ns: int = 0
    """When the doctor first found it (the newest event time then)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RunView:
    """The run as a whole."""

    state: str = "idle"
    """``idle`` (nothing started), ``running``, or ``ended`` (the main process ended;
    others may still run until the end policy stops them)."""
    title: str = ""
    argv: tuple[str, ...] = ()
    start_method: str | None = None
    params: tuple[tuple[str, str], ...] = ()
    started_ns: int | None = None
    ended_ns: int | None = None
    """When the main process ended."""
    exitcode: int | None = None
    """The runner's (main process's) exit code."""
    linger_ns: int | None = None
    """How long processes may run on after the main process ended before mptui stops
    them (the end policy; None: not said)."""
    stop_reason: str | None = None
    """Why mptui began to end the run, if it did: ``user`` or ``left running``."""
    python: str | None = None
    """The interpreter that ran the program (its path), when the run said."""
    python_version: str | None = None
    """Its version, ``3.11.2``."""
    strict: bool = True
    """Any failed process fails the run (lessons, ``--strict``); else the main process's
    exit status decides (mptui.engine.verdict). Runs recorded before scripts had the
    choice were all judged strictly."""
    start_methods_used: tuple[str, ...] = ()
    """The start methods the program's Processes really used, in order of first use
    (``start_method`` is only the default mptui set; the program may choose its own)."""

    @property
    def start_methods_label(self) -> str | None:
        """``spawn``, or ``spawn+fork`` when mixed; None before any Process started."""
        return "+".join(self.start_methods_used) or None


@dataclass(frozen=True, slots=True, kw_only=True)
class Snapshot:
    """Everything the Store knows at one instant."""

    version: int
    """Grows with every applied batch that changed something; equal versions, equal data."""
    run: RunView
    processes: tuple[ProcessView, ...]
    queues: tuple[QueueView, ...]
    pipes: tuple[PipeView, ...]
    locks: tuple[LockView, ...]
    lines_total: int
    lines_retained: int
    events_dropped: int
    bad_messages: int
    processes_forgotten: int = 0
    """Ended processes no longer listed (only the last MAX_ENDED_PROCESSES are kept)."""
    objects_uncounted: int = 0
    """Queues, pipes and locks whose totals are incomplete: a process that used them had
    more traced objects than its counter table holds (mptui.events.COUNTER_SLOTS)."""
    waits: tuple[WaitView, ...] = ()
    """Every process blocked right now, longest first."""
    alerts: tuple[AlertView, ...] = ()
    """What the doctor finds now (cleared alerts leave; see Store.alerts_since)."""
    now_ns: int = 0
    """The newest time the events carried: "now" for durations such as a wait's."""
    live_version: int = 0
    """Grows when a holder, a waiter, a process's state or an alert changed (not on lines
    or counters): what a dashboard shows at once rather than at its next refresh."""
    pools: tuple[PoolView, ...] = ()
    """The program's process pools (their queues are in ``queues``, with an owner)."""
    shared_memory: tuple[SharedMemoryView, ...] = ()
    """Shared memory segments, in the order they were first seen."""

    def waiting(self, pid: int) -> WaitView | None:
        """What process ``pid`` is blocked in now (the longest wait if several threads)."""
        for wait in self.waits:
            if wait.pid == pid:
                return wait
        return None

    @property
    def verdict(self) -> str:
        """The run's verdict: running, ok, failed or stopped (mptui.engine.verdict)."""
        return judge.run_verdict(self)

    def process(self, pid: int) -> ProcessView | None:
        for proc in self.processes:
            if proc.pid == pid:
                return proc
        return None

    @property
    def failed(self) -> tuple[ProcessView, ...]:
        """Processes whose verdict is ``failed`` (see mptui.engine.verdict)."""
        return tuple(p for p in self.processes if p.failed)


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingLine:
    """The line a process is rewriting with carriage returns (a progress bar), as it shows
    now; it becomes a LogLine when its newline comes."""

    pid: int
    name: str
    stream: str
    text: str
    t_ns: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LogDelta:
    """Lines after a cursor; ``skipped`` counts lines that left the ring before being read."""

    lines: tuple[LogLine, ...]
    cursor: int
    skipped: int
    pending: tuple[PendingLine, ...] = ()
    """Lines being rewritten now (progress bars), oldest first: shown below the log."""
