"""The Store: a pure, bounded fold of events into what the dashboard shows.

The collector thread calls :meth:`Store.apply_many`; the UI (or the headless printer)
reads :meth:`Store.snapshot` and :meth:`Store.log_since` on its own clock. Every read
returns immutable values, built under a short lock, so a reader never sees a half-applied
batch and never copies the whole log: ``log_since(cursor)`` returns only the lines after a
cursor.

The fold uses only the times carried by the events (``t``, from ``time.monotonic_ns()`` in
the process that made them); it never reads a clock itself, so the same events always give
the same snapshot.

Everything kept is bounded: the log is a ring (10,000 lines by default), duration samples
per lock and depth history per queue are short deques. Totals are plain counters, so a
line that scrolled out of the ring still counts in ``lines_total`` and in the process's
``lines``, and ring overruns in the agent show up as ``events_dropped``.
"""

from __future__ import annotations

import dataclasses
import math
import signal
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from mptui import events as ev
from mptui.bounded import BoundedLog
from mptui.engine import verdict as judge
from mptui.text import LOG_TEXT_CHARS  # defined there: the dashboard reads it before a run

DEFAULT_LOG_CAPACITY = 10_000
LOG_RING_CHARS = 4_000_000
"""Characters the log ring keeps in all (about 16 MB at worst, in 4-byte characters): ten
thousand short lines fit, but ten thousand cut lines of 2,000 characters do not, and the
oldest go first. What left the ring is counted, as lines that scrolled out are."""
DURATION_SAMPLES = 2048  # per lock, for wait/hold percentiles
DEPTH_HISTORY = 120  # per queue, one sample per tick (about two minutes)
MAX_ENDED_PROCESSES = 1000  # a Pool with maxtasksperchild can churn through thousands

HELPER_NAMES = {
    "multiprocessing.resource_tracker": "resource_tracker",
    "multiprocessing.forkserver": "forkserver",
}


# --------------------------------------------------------------------------------------
# What readers get: frozen views.


@dataclass(frozen=True, slots=True)
class ProcessView:
    """One process of the observed program."""

    pid: int
    ppid: int
    name: str
    role: str
    """``runner`` (the program's main process), ``child``, or ``helper``
    (multiprocessing's resource tracker or fork server)."""
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class LockView:
    """A traced Lock or RLock."""

    id: int
    label: str
    kind: str
    creator_pid: int
    holder: int | None
    held_since_ns: int | None
    holder_dead: bool
    """The holder has exited while holding it: nobody can acquire it any more."""
    waiters: tuple[tuple[int, int], ...]
    """``(pid, waiting_since_ns)`` of processes blocked in acquire."""
    acquisitions: int
    contended: int
    """Acquisitions that had to block first."""
    timeouts: int
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

    @property
    def contended_percent(self) -> float:
        return 100.0 * self.contended / self.acquisitions if self.acquisitions else 0.0


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class LogDelta:
    """Lines after a cursor; ``skipped`` counts lines that left the ring before being read."""

    lines: tuple[LogLine, ...]
    cursor: int
    skipped: int


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

    @property
    def alive(self) -> bool:
        return self.state in ("starting", "running")

    def view(self) -> ProcessView:
        sig = None
        if self.exitcode is not None and self.exitcode < 0:
            sig = judge.signal_name(-self.exitcode)
        return ProcessView(
            self.pid,
            self.ppid,
            self.name or f"pid {self.pid}",
            self.role,
            self.start_method,
            self.state,
            self.exitcode,
            sig,
            self.started_ns,
            self.ended_ns,
            self.lines,
            self.cpu_percent,
            self.rss_bytes,
            self.argv,
            judge.process_verdict(
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

    def view(self) -> QueueView:
        return QueueView(
            self.id,
            self.label or f"Queue {self.id:x}",
            self.creator_pid,
            self.maxsize,
            self.puts,
            self.gets,
            max(0, self.puts - self.gets),
            self.put_rate,
            self.get_rate,
            tuple(self.depth_history),
            self.kind,
            len(self.uncounted),
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

    def view(self) -> PipeView:
        return PipeView(
            self.id,
            self.label or f"Pipe {self.id:x}",
            self.creator_pid,
            self.duplex,
            tuple(self.sent),
            tuple(self.sent_bytes),
            tuple(self.received),
            tuple(self.received_bytes),
            len(self.uncounted),
        )


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
    waiters: dict = field(default_factory=dict)  # pid -> since_ns
    acquisitions: int = 0
    contended: int = 0
    timeouts: int = 0
    wait_total_ns: int = 0
    wait_max_ns: int = 0
    hold_total_ns: int = 0
    hold_max_ns: int = 0
    waits: deque = field(default_factory=lambda: deque(maxlen=DURATION_SAMPLES))
    holds: deque = field(default_factory=lambda: deque(maxlen=DURATION_SAMPLES))
    counted: dict = field(default_factory=dict)  # (pid, op) -> (count, ns): agents' totals
    uncounted: set = field(default_factory=set)  # pids that could not count it

    def _total(self, op: str) -> tuple[int, int]:
        count = amount = 0
        for (_pid, kind), (c, a) in self.counted.items():
            if kind == op:
                count, amount = count + c, amount + a
        return count, amount

    def view(self, dead_pids: set[int]) -> LockView:
        waits = sorted(self.waits)
        holds = sorted(self.holds)
        acquisitions, contended, timeouts = self.acquisitions, self.contended, self.timeouts
        wait_total, hold_total = self.wait_total_ns, self.hold_total_ns
        if self.counted:
            # The agents' counters are exact even when records were dropped; an acquisition
            # is counted when released, so add the one being held.
            releases, hold_total = self._total("released")
            acquisitions = releases + (self.holder is not None)
            contended, wait_total = self._total("contended")
            timeouts = self._total("timeout")[0]
        return LockView(
            self.id,
            self.label or f"{self.kind} {self.id:x}",
            self.kind,
            self.creator_pid,
            self.holder,
            self.held_since_ns,
            self.holder is not None and self.holder in dead_pids,
            tuple(sorted(self.waiters.items(), key=lambda item: item[1])),
            acquisitions,
            contended,
            timeouts,
            wait_total,
            self.wait_max_ns,
            hold_total,
            self.hold_max_ns,
            _percentile(waits, 0.50),
            _percentile(waits, 0.95),
            _percentile(holds, 0.50),
            _percentile(holds, 0.95),
            len(self.uncounted),
        )


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
        self._processes: dict[int, _Process] = {}
        self._queues: dict[int, _Queue] = {}
        self._pipes: dict[int, _Pipe] = {}
        self._locks: dict[int, _Lock] = {}
        self._events_dropped = 0
        self._bad_messages = 0
        self._run = RunView()
        self._version = 0
        self._cached: Snapshot | None = None
        self._stopping_since: int | None = None
        self._ended_order: dict[int, None] = {}  # pids of ended processes, oldest first
        self._forgotten = 0

    # ---------------------------------------------------------------- writing

    def apply(self, event: dict) -> None:
        """Fold one event."""
        self.apply_many((event,))

    def apply_many(self, batch: Iterable[dict]) -> None:
        """Fold a batch of events under one lock acquisition."""
        with self._mutex:
            changed = False
            for event in batch:
                changed = True
                kind = event.get("kind") if isinstance(event, dict) else None
                handler = self._HANDLERS.get(kind) if isinstance(kind, str) else None
                if handler is None:
                    self._bad_messages += 1
                    continue
                try:
                    handler(self, event)
                except Exception:  # noqa: BLE001
                    # A malformed event from an observed process is counted, never fatal.
                    self._bad_messages += 1
            if changed:
                self._version += 1
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
                    queues=tuple(q.view() for q in self._queues.values()),
                    pipes=tuple(p.view() for p in self._pipes.values()),
                    locks=tuple(lock.view(dead) for lock in self._locks.values()),
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
                )
            return self._cached

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
            return LogDelta(tuple(make(line) for line in newer), self._lines_total, skipped)

    def name_of(self, pid: int) -> str:
        """The process's display name, without building a snapshot (for per-line output)."""
        with self._mutex:
            proc = self._processes.get(pid)
            return (proc.name if proc is not None else "") or f"pid {pid}"

    # ---------------------------------------------------------------- handlers

    def _process(self, pid: int) -> _Process:
        proc = self._processes.get(pid)
        if proc is None:
            proc = self._processes[pid] = _Process(pid)
        return proc

    def _on_run_started(self, e: dict) -> None:
        params = tuple((str(k), str(v)) for k, v in (e.get("params") or {}).items())
        linger = e.get("linger_ns")
        self._run = RunView(
            state="running",
            title=str(e.get("title", "")),
            argv=tuple(str(a) for a in e.get("argv", ())),
            start_method=e.get("start_method"),
            params=params,
            started_ns=e["t"],
            linger_ns=linger if isinstance(linger, int) else None,
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
        proc.name = e.get("name") or proc.name
        proc.start_method = e.get("start_method") or proc.start_method
        if proc.state == "starting":
            proc.state = "running"

    @staticmethod
    def _exit_code(e: dict) -> int | None:
        code = e.get("code")
        if code is not None and (not isinstance(code, int) or isinstance(code, bool)):
            raise TypeError(f"exit code {code!r}")
        return code

    def _set_exit(self, proc: _Process, code: int | None, t: int | None) -> None:
        for lock in self._locks.values():  # an ended process waits for nothing
            lock.waiters.pop(proc.pid, None)
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
        self._set_exit(proc, code, e.get("t"))

    def _on_line(self, e: dict) -> None:
        """One line (the last of a stream, or a piece of a line over the line limit)."""
        self._on_lines({**e, "texts": [e["text"]]})

    def _on_lines(self, e: dict) -> None:
        pid, texts = e["pid"], [str(text) for text in e["texts"]]
        proc = self._process(pid)
        first = self._lines_total + 1
        proc.lines += len(texts)
        self._lines_total += len(texts)
        # Only the lines the ring will still hold become objects: a flood batch can be
        # far longer than the ring.
        capacity = self._log.items.maxlen or 0
        keep = texts[-capacity:] if capacity else []
        seq = first + len(texts) - len(keep)
        name, stream, t = proc.name or f"pid {pid}", e.get("stream", "stdout"), e.get("t", 0)
        # Plain tuples: LogLine objects are made only for the lines a reader asks for.
        limit = LOG_TEXT_CHARS
        entries = [
            (i, pid, name, stream, text[:limit], t, False, len(text))
            if len(text) > limit
            else (i, pid, name, stream, text, t, False, -1)
            for i, text in enumerate(keep, seq)
        ]
        if entries and e.get("partial"):
            entries[-1] = (*entries[-1][:6], True, entries[-1][7])
        self._log.extend(entries, [len(entry[4]) for entry in entries])

    def _on_metrics(self, e: dict) -> None:
        for pid, cpu, rss in e["samples"]:
            proc = self._processes.get(pid)
            if proc is not None:
                proc.cpu_percent, proc.rss_bytes = cpu, rss

    def _on_tick(self, e: dict) -> None:
        t = e["t"]
        for q in self._queues.values():
            if q.tick_ns is not None and t > q.tick_ns:
                seconds = (t - q.tick_ns) / 1e9
                q.put_rate = (q.puts - q.puts_at_tick) / seconds
                q.get_rate = (q.gets - q.gets_at_tick) / seconds
            q.tick_ns, q.puts_at_tick, q.gets_at_tick = t, q.puts, q.gets
            q.depth_history.append(max(0, q.puts - q.gets))

    def _on_dropped(self, e: dict) -> None:
        self._events_dropped += int(e["count"])
        # What this process's lost records said is unknown: forget its lock state (the
        # records after the gap, folded next, rebuild it). Totals come from counters.
        pid = e["pid"]
        for lock in self._locks.values():
            lock.waiters.pop(pid, None)
            if lock.holder == pid:
                lock.holder = lock.held_since_ns = None

    def _on_object(self, e: dict) -> None:
        kind, oid = e["type"], self._object_id(e)
        label, creator = e.get("label", ""), e.get("pid", 0)
        if kind in ("Lock", "RLock"):
            lock = self._locks.setdefault(oid, _Lock(oid))
            lock.kind, lock.label, lock.creator_pid = kind, label, creator
        elif kind in ("Queue", "JoinableQueue", "SimpleQueue"):
            q = self._queues.setdefault(oid, _Queue(oid))
            q.label, q.creator_pid, q.maxsize = label, creator, int(e.get("maxsize", 0))
            q.kind = kind
        elif kind == "Pipe":
            p = self._pipes.setdefault(oid, _Pipe(oid))
            p.label, p.creator_pid, p.duplex = label, creator, bool(e.get("duplex", True))

    @staticmethod
    def _object_id(e: dict) -> int:
        oid = e["id"]
        if not isinstance(oid, int) or isinstance(oid, bool):
            raise TypeError(f"object id {oid!r}")
        return oid

    def _lock(self, e: dict) -> _Lock:
        oid = self._object_id(e)
        lock = self._locks.get(oid)
        if lock is None:  # its declaration may arrive after its first use
            lock = self._locks[oid] = _Lock(oid)
        return lock

    def _on_lock_wait(self, e: dict) -> None:
        self._lock(e).waiters[e["pid"]] = e["t"]

    def _on_lock_acquired(self, e: dict) -> None:
        lock = self._lock(e)
        pid, wait = e["pid"], int(e.get("wait_ns", 0))
        blocked = lock.waiters.pop(pid, None) is not None or wait > 0
        lock.acquisitions += 1
        lock.holder, lock.held_since_ns = pid, e["t"]
        if blocked:
            lock.contended += 1
            lock.wait_total_ns += wait
            lock.wait_max_ns = max(lock.wait_max_ns, wait)
            lock.waits.append(wait)

    def _on_lock_released(self, e: dict) -> None:
        lock = self._lock(e)
        hold = int(e.get("hold_ns", -1))
        if hold >= 0:
            lock.hold_total_ns += hold
            lock.hold_max_ns = max(lock.hold_max_ns, hold)
            lock.holds.append(hold)
        # Rings of different processes are read one after another, so the next holder's
        # ACQUIRED can be folded before this RELEASED: only the holder's release frees it.
        if lock.holder == e["pid"]:
            lock.holder = lock.held_since_ns = None

    def _on_lock_timeout(self, e: dict) -> None:
        lock = self._lock(e)
        lock.waiters.pop(e["pid"], None)
        lock.timeouts += 1

    def _queue(self, e: dict) -> _Queue:
        oid = self._object_id(e)
        q = self._queues.get(oid)
        if q is None:
            q = self._queues[oid] = _Queue(oid)
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
            self._lock(e).counted[(pid, op)] = (count, amount)
        else:
            raise ValueError(op)

    def _on_uncounted(self, e: dict) -> None:
        """A process could not count an operation on an object: its totals are too low."""
        op, pid = e["op"], e["pid"]
        if op in ("put", "get"):
            self._queue(e).uncounted.add(pid)
        elif op in ("send", "recv"):
            self._pipe(e).uncounted.add(pid)
        elif op in ("released", "contended", "timeout"):
            self._lock(e).uncounted.add(pid)
        else:
            raise ValueError(op)

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
        ev.METRICS: _on_metrics,
        ev.TICK: _on_tick,
        ev.DROPPED: _on_dropped,
        ev.RING: lambda self, e: None,
        ev.OBJECT: _on_object,
        ev.LOCK_WAIT: _on_lock_wait,
        ev.LOCK_ACQUIRED: _on_lock_acquired,
        ev.LOCK_RELEASED: _on_lock_released,
        ev.LOCK_TIMEOUT: _on_lock_timeout,
        ev.COUNTER: _on_counter,
        ev.UNCOUNTED: _on_uncounted,
    }
