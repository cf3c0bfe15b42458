"""Headless front end: the merged log as text (or events as JSON lines), then a summary.

For CI, pipes and machines without a terminal. Lines are printed by a collector listener,
so every line is printed, in order per process, even when the program floods (the Store's
log ring is bounded; this path is not). Output is line-oriented and greppable::

    Process-1    | squares: [1, 4, 9]
    Process-2    ! Traceback (most recent call last):     <- "!" marks stderr
    Process-3    | AAAA...                                <- a line over 1 MiB comes in
    Process-3    + AAAA...                                   pieces: "+" continues it

The text output shows the program's text printable (mptui.text: control characters and
undecodable bytes escaped, colours removed, whole lines); the JSON output carries it
exactly (json.dumps escapes what JSON must).
"""

from __future__ import annotations

import json
import json.encoder
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO, cast

from mptui import events as ev
from mptui.engine import verdict
from mptui.engine.insights import InsightsView
from mptui.engine.program import Program
from mptui.engine.run_control import RunControl
from mptui.engine.session import Session
from mptui.engine.stacks import StackDump
from mptui.engine.store import Store
from mptui.engine.views import (
    AlertView,
    PoolView,
    ProcessView,
    RunView,
    SharedMemoryView,
    Snapshot,
)
from mptui.format import duration_ns as duration
from mptui.format import size
from mptui.text import printable, printable_line

outcome = verdict.describe
"""How a process ended, in the engine's words (the dashboard shows the same)."""


class _Interrupted(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


_ASCII_CONTROLS = bytes(range(0x20)) + b"\x7f"


def _printable(texts: list[str]) -> bool:
    """True if every text is printable as it is (printable_line would not change it).

    Most chunks are: one check of them all, in C, instead of one call per line (a flood
    is millions of lines). ASCII text, the common case, is checked as bytes: deleting its
    control bytes is three times faster than str.isprintable, which looks every
    character up in Unicode's tables."""
    joined = "".join(texts)
    if joined.isascii():  # a flag of the string: no scan
        raw = joined.encode("ascii")
        return len(raw.translate(None, _ASCII_CONTROLS)) == len(raw)
    return joined.isprintable()


class LinePrinter:
    """Prints each line as ``name | text`` (``!`` for stderr) as it arrives."""

    wants_ring_events = False
    """Lock and wait records stay undecoded for it (see mptui.events.RECORDS)."""

    def __init__(self, store: Store, out: TextIO) -> None:
        self.store, self.out = store, out
        self._width = 12
        self._continuing: set[tuple[int, str]] = set()  # (pid, stream) in a long line
        self._alert_cursor = 0
        self._write_lock = threading.Lock()
        self.broken = threading.Event()
        """Set when the output was closed (e.g. piped into ``head``)."""

    def __call__(self, batch: list[dict]) -> None:
        if self.broken.is_set():
            return
        parts = []
        for event in batch:
            kind = event["kind"]
            if kind == ev.LINES:
                texts = event["texts"]
            elif kind == ev.LINE:
                texts = [event["text"]]
            else:
                continue  # a pending line (a progress bar) is printed once it ends
            name = printable(self.store.name_of(event["pid"]))
            self._width = max(self._width, len(name))
            mark = "!" if event["stream"] == ev.STREAM_STDERR else "|"
            prefix = f"{name:<{self._width}} {mark} "
            # A line over the collector's line limit comes in pieces: "+" marks a piece
            # that continues the line above.
            key = (event["pid"], event["stream"])
            first = f"{name:<{self._width}} + " if key in self._continuing else prefix
            if event.get("continues"):
                self._continuing.add(key)
            else:
                self._continuing.discard(key)
            if not _printable(texts):
                texts = map(printable_line, texts)
            parts.append(first)
            parts.append(("\n" + prefix).join(texts))
            parts.append("\n")
        self._alert_cursor, news = self.store.alerts_since(self._alert_cursor)
        for what, alert in news:
            parts.append(self._alert_text(what, alert))
        if parts:
            self._write("".join(parts))

    def _alert_text(self, what: str, alert: AlertView) -> str:
        """An alert as the doctor's lines among the program's, marked ``*``."""
        prefix = f"{'mptui':<{self._width}} * "
        if what == "cleared":
            return f"{prefix}cleared: {printable(alert.title)}\n"
        lines = [alert_heading(alert), *(f"  {d}" for d in alert.details),
                 f"  what to do: {alert.advice}"]  # fmt: skip
        return "".join(f"{prefix}{printable(line)}\n" for line in lines)

    def print_stacks(self, proc: ProcessView, dump: StackDump) -> None:
        """One process's stacks among the lines (``*``), saying how they were taken."""
        how = {"py-spy": "py-spy", "agent": "mptui's agent"}.get(dump.method)
        prefix = f"{'mptui':<{self._width}} * "
        head = f"stacks of {printable(proc.name)} (pid {proc.pid})"
        head += f", taken with {how}" + (f" ({dump.note})" if dump.note else "") if how else ""
        lines = [head + ":", *(f"  {line}" for line in dump.text.rstrip().splitlines())]
        self._write("".join(f"{prefix}{printable_line(line)}\n" for line in lines))

    def _write(self, text: str) -> None:
        with self._write_lock:  # the collector's thread prints lines; the main one, stacks
            self._write_unlocked(text)

    def _write_unlocked(self, text: str) -> None:
        try:
            self.out.write(text)
            self.out.flush()
        except BrokenPipeError:
            self.broken.set()
        except ValueError as error:
            if "closed file" not in str(error):
                raise
            self.broken.set()


class JsonPrinter(LinePrinter):
    """Prints every event as one JSON object per line: each line of output as a ``line``
    object with its final text (what a terminal shows once carriage returns have done
    their work), and a line being rewritten (a progress bar) as ``pending`` objects, at
    most one per stream per collector round, before its ``line`` comes."""

    wants_ring_events = True

    def __call__(self, batch: list[dict]) -> None:
        if self.broken.is_set():
            return
        out = []
        for event in batch:
            if event["kind"] == ev.LINES:  # one JSON object per line of output
                if event["texts"]:
                    out.append(self._lines(event))
            else:
                out.append(json.dumps(event, separators=(",", ":")))
        self._alert_cursor, news = self.store.alerts_since(self._alert_cursor)
        for what, alert in news:
            event = {"kind": "alert", "state": what, **alert_json(alert)}
            out.append(json.dumps(event, separators=(",", ":")))
        self._write("\n".join(out) + "\n")

    def print_stacks(self, proc: ProcessView, dump: StackDump) -> None:
        event = {"kind": "stacks", "pid": proc.pid, "name": proc.name, "method": dump.method,
                 "note": dump.note, "text": dump.text}  # fmt: skip
        self._write(json.dumps(event, separators=(",", ":")) + "\n")

    @staticmethod
    def _lines(event: dict) -> str:
        """The ``line`` objects of a ``lines`` event, as json.dumps would write each, made
        with one C call per line (the text's encoder) instead of one dumps per line."""
        encode = json.encoder.encode_basestring_ascii
        pid, stream = json.dumps(event["pid"]), json.dumps(event["stream"])
        head = f'{{"kind":"{ev.LINE}","pid":{pid},"stream":{stream},"text":'
        tail = f',"t":{json.dumps(event["t"])}}}'
        # The last line of a stream that ended without a newline is marked ``partial``.
        end = tail[:-1] + ',"partial":true}' if event.get("partial") else tail
        try:
            texts = list(map(encode, event["texts"]))
        except TypeError:  # not text (a doctored recording): as json.dumps has it
            texts = [json.dumps(text) for text in event["texts"]]
        return head + (tail + "\n" + head).join(texts) + end


def alert_heading(alert: AlertView) -> str:
    """``DEADLOCK: worker-1 and worker-2 wait on each other``; ``(a guess)`` when unsure."""
    kind, _, rest = alert.title.partition(": ")
    return f"{kind.upper()}: {rest}" + ("" if alert.sure else " (a guess)")


def alert_json(alert: AlertView) -> dict:
    return {
        "type": alert.kind,
        "title": alert.title,
        "details": list(alert.details),
        "advice": alert.advice,
        "pids": list(alert.pids),
        "objects": list(alert.objects),
        "since_ns": alert.since_ns,
        "sure": alert.sure,
    }


def summary_text(snap: Snapshot, alerts: Sequence[AlertView] = (),
                 insights: Sequence[InsightsView] = ()) -> str:  # fmt: skip
    """A human summary of a finished run (names, labels and the title made printable);
    ``alerts``: every alert the run raised; ``insights``: each process's time."""
    run = snap.run
    out = []
    # What the program's processes really used (it may choose its own), else the default.
    used = run.start_methods_label or run.start_method
    method = f", {used}" if used else ""
    elapsed = duration(run.ended_ns - run.started_ns) if run.ended_ns and run.started_ns else "?"
    out.append(f"== {printable(run.title)}{method}{interpreter(run)}: {elapsed}")
    forgotten = snap.processes_forgotten
    out.append(f"processes ({forgotten} earlier ones not listed):" if forgotten else "processes:")
    names = [printable(p.name) for p in snap.processes]
    width = max(map(len, names), default=8)
    for p, name in zip(snap.processes, names, strict=True):
        out.append(f"  {name:<{width}}  pid {p.pid:<7}  {outcome(p):<30}  {p.lines} lines")
    if snap.pools:
        out.append("pools:")
        out.extend(f"  {printable(pool.label)}  {pool_tasks(pool)}" for pool in snap.pools)
    if snap.queues:
        out.append("queues:")
        for q in snap.queues:
            out.append(
                f"  {printable(q.label)} ({q.kind})  puts {q.puts}  gets {q.gets}  depth {q.depth}"
                + _not_counted(q.uncounted)
            )
    if snap.pipes:
        out.append("pipes:")
        for p in snap.pipes:
            out.append(
                f"  {printable(p.label)}  0->1: {p.sent[0]} msgs {size(p.sent_bytes[0])}"
                f"  1->0: {p.sent[1]} msgs {size(p.sent_bytes[1])}" + _not_counted(p.uncounted)
            )
    if snap.locks:
        out.append("locks:")
        for lock in snap.locks:
            if lock.kind.removeprefix("Manager ") in ("Condition", "Event", "Barrier"):
                out.append(
                    f"  {printable(lock.label)} ({lock.kind})  waits {lock.contended}"
                    f"  wait p50 {duration(lock.wait_p50_ns)} p95 {duration(lock.wait_p95_ns)}"
                    f" max {duration(lock.wait_max_ns)}"
                )
                continue
            out.append(
                f"  {printable(lock.label)} ({lock.kind})  acquisitions {lock.acquisitions}"
                f"  contended {lock.contended} ({lock.contended_percent:.0f}%)"
                f"  wait p50 {duration(lock.wait_p50_ns)} p95 {duration(lock.wait_p95_ns)}"
                f" max {duration(lock.wait_max_ns)}"
                f"  hold p50 {duration(lock.hold_p50_ns)} p95 {duration(lock.hold_p95_ns)}"
                f" max {duration(lock.hold_max_ns)}"
                + ("  HELD BY A DEAD PROCESS" if lock.holder_dead else "")
                + _not_counted(lock.uncounted)
            )
    if snap.shared_memory:
        out.append("shared memory:")
        out.extend(f"  {shared_memory_text(shm)}" for shm in snap.shared_memory)
    if alerts:
        out.append("alerts:")
        for alert in alerts:
            state = "still standing" if alert.key in {a.key for a in snap.alerts} else "cleared"
            out.append(f"  {printable(alert_heading(alert))} ({state})")
            out.extend(f"    {printable(d)}" for d in alert.details)
            out.append(f"    what to do: {printable(alert.advice)}")
    out.extend(insights_lines(insights))
    dropped = f", {snap.events_dropped} events dropped" if snap.events_dropped else ""
    out.append(f"lines: {snap.lines_total} received{dropped}")
    if snap.objects_uncounted:
        out.append(
            f"not counted: {snap.objects_uncounted} queues, pipes or locks have totals that are "
            f"too low: a process used more than {ev.COUNTER_SLOTS} traced objects"
        )
    out.append("result: " + run_result(snap))
    return "\n".join(out) + "\n"


def pool_tasks(pool: PoolView) -> str:
    """``tasks done 1000: pid 12: 340, pid 13: 330, pid 14: 330``."""
    if not pool.workers:
        return "tasks done 0"
    each = ", ".join(f"pid {pid}: {done}" for pid, done in pool.workers)
    return f"tasks done {pool.tasks_done}: {each}"


def shared_memory_text(shm: SharedMemoryView) -> str:
    """``psm_1a2b 4.0 KiB  created by pid 10  attached by 10, 11, 12  unlinked``."""
    text = f"{printable(shm.name)}  {size(shm.size)}"
    if shm.creator_pid is not None:
        text += f"  created by pid {shm.creator_pid}"
    text += "  attached by " + ", ".join(str(pid) for pid in shm.attached)
    if shm.open_pids:
        text += "  open in " + ", ".join(str(pid) for pid in shm.open_pids)
    return text + ("  unlinked" if shm.unlinked else "  not unlinked")


def insights_lines(insights: Sequence[InsightsView]) -> list[str]:
    """The ``insights:`` section: per process, time starting up, running and waiting (each
    with its share of the process's life), the waiting split by what it waited on."""
    if not insights:
        return []
    out = ["insights (running: alive and in no traced wait, sleeping included):"]
    names = [printable(view.name) for view in insights]
    width = max(map(len, names))
    for view, name in zip(insights, names, strict=True):
        line = (
            f"  {name:<{width}}  start-up {duration(view.starting_ns)}"
            f"  running {duration(view.running_ns)} ({view.percent(view.running_ns):.0f}%)"
            f"  waiting {duration(view.waiting_ns)} ({view.percent(view.waiting_ns):.0f}%)"
        )
        if view.waiting_by_kind:
            line += ": " + ", ".join(f"{kind} {duration(ns)}" for kind, ns in view.waiting_by_kind)
        if view.tasks_done:
            line += f"  tasks done {view.tasks_done}"
        out.append(line)
    return out


def insights_json(view: InsightsView) -> dict:
    return {
        "pid": view.pid,
        "name": view.name,
        "life_ns": view.life_ns,
        "starting_ns": view.starting_ns,
        "running_ns": view.running_ns,
        "waiting_ns": view.waiting_ns,
        "waiting_by_kind": dict(view.waiting_by_kind),
        "tasks_done": view.tasks_done,
    }


def interpreter(run: RunView) -> str:
    """``, Python 3.11.2 (/usr/bin/python3)``: which Python ran, when the run said."""
    if run.python is None:
        return ""
    return f", Python {run.python_version or '?'} ({printable(run.python)})"


def _not_counted(processes: int) -> str:
    """The note after an object whose totals are too low (see QueueView.uncounted)."""
    if not processes:
        return ""
    return f"  NOT ALL COUNTED ({processes} process{'es' * (processes != 1)} could not count it)"


def run_result(snap: Snapshot) -> str:
    """``ok``, ``FAILED: worker-2 (exit 3)``, ``ok, but 1 process failed: worker-2 (exit
    3)``, ``stopped``, with what was left running."""
    result = snap.verdict
    failed = ", ".join(f"{printable(p.name)} ({verdict.failure(p)})" for p in snap.failed)
    if result == verdict.FAILED:
        text = "FAILED: " + failed
    elif result == verdict.SOME_FAILED:
        count = len(snap.failed)
        text = f"ok, but {count} process{'es' * (count != 1)} failed: {failed}"
    elif result == verdict.STOPPED:
        text = "stopped from mptui"
    else:
        text = result
    left = [p for p in snap.processes if p.verdict == verdict.LEFT_RUNNING]
    if left:
        names = ", ".join(printable(p.name) for p in left)
        text += f" ({len(left)} left running after the main process ended, stopped: {names})"
    return text


def summary_json(snap: Snapshot, alerts: Sequence[AlertView] = (),
                 insights: Sequence[InsightsView] = ()) -> dict:  # fmt: skip
    def proc(p: ProcessView) -> dict:
        return {
            "pid": p.pid,
            "name": p.name,
            "role": p.role,
            "state": p.state,
            "exitcode": p.exitcode,
            "signal": p.signal,
            "verdict": p.verdict,
            "lines": p.lines,
            "tasks_done": p.tasks_done,
        }

    return {
        "kind": "summary",
        "verdict": snap.verdict,
        "python": snap.run.python,
        "python_version": snap.run.python_version,
        "start_method": snap.run.start_method,
        "start_methods_used": list(snap.run.start_methods_used),
        "processes": [proc(p) for p in snap.processes],
        "queues": [
            {
                "label": q.label,
                "puts": q.puts,
                "gets": q.gets,
                "depth": q.depth,
                "uncounted": q.uncounted,
                "owner": q.owner,
            }
            for q in snap.queues
        ],
        "pools": [
            {
                "label": pool.label,
                "kind": pool.kind,
                "tasks_done": pool.tasks_done,
                "workers": [{"pid": pid, "tasks_done": done} for pid, done in pool.workers],
            }
            for pool in snap.pools
        ],
        "pipes": [
            {
                "label": p.label,
                "sent": p.sent,
                "sent_bytes": p.sent_bytes,
                "uncounted": p.uncounted,
            }
            for p in snap.pipes
        ],
        "locks": [
            {
                "label": lk.label,
                "kind": lk.kind,
                "acquisitions": lk.acquisitions,
                "contended": lk.contended,
                "wait_total_ns": lk.wait_total_ns,
                "hold_total_ns": lk.hold_total_ns,
                "uncounted": lk.uncounted,
            }
            for lk in snap.locks
        ],
        "shared_memory": [
            {
                "name": shm.name,
                "size": shm.size,
                "creator_pid": shm.creator_pid,
                "attached": list(shm.attached),
                "open_pids": list(shm.open_pids),
                "unlinked": shm.unlinked,
            }
            for shm in snap.shared_memory
        ],
        "lines": snap.lines_total,
        "events_dropped": snap.events_dropped,
        "objects_uncounted": snap.objects_uncounted,
        "failed": [p.pid for p in snap.failed],
        "alerts": [alert_json(alert) for alert in alerts],
        "insights": [insights_json(view) for view in insights],
    }


def _printer(out: TextIO | None, as_json: bool) -> LinePrinter:
    """The printer for ``out`` (stdout by default), on a Store without a log ring: every
    line is printed by the printer as it comes, and nothing reads the ring the dashboard
    scrolls through."""
    out = out if out is not None else sys.stdout
    reconfigure = getattr(out, "reconfigure", None)
    if reconfigure is not None:
        # A line the output's encoding cannot show is escaped, never a reason to stop.
        reconfigure(errors="backslashreplace")
    return (JsonPrinter if as_json else LinePrinter)(Store(log_capacity=0), out)


def _finish(printer: LinePrinter, as_json: bool, interrupted_by: int | None = None) -> int:
    """Print the summary and return the exit status; quietly 1 (or 128+N) when the reader
    went away, like any Unix filter whose reader went away."""
    if printer.broken.is_set():
        try:  # no flush errors at exit
            os.dup2(os.open(os.devnull, os.O_WRONLY), printer.out.fileno())
        except (AttributeError, OSError, ValueError):
            pass  # not a real file: nothing will be flushed to it at exit
        return 128 + interrupted_by if interrupted_by is not None else 1
    snap = printer.store.snapshot()
    alerts = printer.store.alerts_raised()
    insights = printer.store.insights()
    if as_json:
        summary = summary_json(snap, alerts, insights)
        printer._write(json.dumps(summary, separators=(",", ":")) + "\n")
    else:
        printer._write(summary_text(snap, alerts, insights))
    return verdict.headless_exit_status(snap, interrupted_by)


def _print_stacks_on_alert(printer: LinePrinter, runs: RunControl, cursor: int) -> int:
    """After a deadlock or stall alert is raised: every live process's stacks, printed."""
    cursor, news = printer.store.alerts_since(cursor)
    if not any(what == "raised" and alert.kind in ("deadlock", "stall") for what, alert in news):
        return cursor
    for proc in printer.store.snapshot().processes:
        if proc.alive and proc.role != "helper":
            printer.print_stacks(proc, runs.stacks(proc.pid))
    return cursor


def run_headless(program: Program, *, as_json: bool = False, out: TextIO | None = None,
                 record: str | None = None, stacks_on_alert: bool = False) -> int:  # fmt: skip
    """Run ``program`` (as the command line built it) to its end, printing as it goes.
    Returns the exit status (mptui.engine.verdict.headless_exit_status: the main process's
    own for a script, 0 or 1 for a lesson or a ``--strict`` run, 128+N when mptui itself was
    stopped by signal N). ``record``: also write every event to this file (see
    mptui.engine.recording). ``stacks_on_alert``: when a deadlock or a stall is found,
    print the Python stacks of every live process of the run."""
    printer = _printer(out, as_json)
    store = printer.store
    # Headless, the program reads mptui's own stdin, as it would without mptui.
    if record is not None:
        from mptui.engine.recorded_session import RecordingSession

        def make(program: Program) -> Session:
            return RecordingSession(program, record, store, listeners=[printer], stdin=None)
    else:

        def make(program: Program) -> Session:
            return Session(program, store, listeners=[printer], stdin=None)

    runs = RunControl(make)  # start, stop and the end policy, as in the dashboard

    def interrupted(signum, _frame):
        raise _Interrupted(signum)

    stop_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, interrupted) for sig in stop_signals}
    interrupted_by = None
    session: Session | None = None
    stacks_cursor = 0
    try:
        session = cast(Session, runs.start(program))
        while not runs.wait(0.2):
            if printer.broken.is_set():
                break
            if stacks_on_alert:
                stacks_cursor = _print_stacks_on_alert(printer, runs, stacks_cursor)
    except _Interrupted as stop:
        interrupted_by = stop.signum
    finally:
        # Ignore further signals while cleaning up: a second Ctrl+C must not leave orphans.
        for sig in previous:
            signal.signal(sig, signal.SIG_IGN)
        runs.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    collector = session.collector if session is not None else None
    error = collector.error if collector is not None else None
    if error is not None:
        print(f"mptui: internal error, observation stopped: {error!r}", file=sys.stderr)
        return 2
    return _finish(printer, as_json, interrupted_by)


def replay_headless(recording, *, as_json: bool = False, out: TextIO | None = None) -> int:
    """Print a recording (mptui.engine.recording) as ``run_headless`` printed the run: the
    log, or every event as JSON lines, then the summary, from the same Store fold. Returns
    the exit status the run would have had headless (mptui.engine.verdict)."""
    printer = _printer(out, as_json)
    for batch in recording.batches:
        if printer.broken.is_set():
            break
        events = list(batch.events)
        printer.store.apply_many(events)  # first, as the collector does, so names are known
        printer(events)
    if recording.problem:
        print(f"mptui: {recording.problem}", file=sys.stderr)
    return _finish(printer, as_json)
