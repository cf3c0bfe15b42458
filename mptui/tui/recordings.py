"""Recorded runs of the lessons, made up event by event, for replay without processes.

Tests, screenshots and the demo need runs that look real and are the same every time:
fixed pids, fixed times, no psutil. Each recording is the list of events (the dicts the
Store folds) a lesson would produce, following the lesson's parameters, so that changing
``workers`` in the settings form changes what the replay shows.

Times start at :data:`T0` and are in nanoseconds, like ``time.monotonic_ns()``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

T0 = 1_000_000_000_000
"""Start time of every recording (any fixed value works; 1000 s looks like a monotonic clock)."""
RUNNER_PID = 4100
"""Pid of the program's main process in every recording; children count up from it."""
MS = 1_000_000


class Recorder:
    """Builds one recording: a clock that only moves forward and helpers per event kind."""

    def __init__(self, program: Any, runner_pid: int = RUNNER_PID) -> None:
        self.t = T0
        self.events: list[dict] = []
        self.runner = runner_pid
        self._next_pid = itertools.count(runner_pid + 1)
        self._next_id = itertools.count(7)
        self._last_tick = T0
        self._cpu = 0.0
        self.children: dict[int, str] = {}
        """Live children, by pid."""
        self.method = program.start_method or "fork"
        self.emit(
            "run_started",
            title=program.title,
            argv=list(program.argv),
            start_method=self.method,
            params={k: v for k, v in dict(program.params).items()},
        )
        self.emit("hello", pid=self.runner, ppid=1, how="exec", runner=True, cmdline="")

    def emit(self, kind: str, **fields: object) -> None:
        self.events.append({"kind": kind, "t": self.t, **fields})

    def wait(self, ms: float) -> None:
        """Let ``ms`` milliseconds pass, with a tick and metrics every second, as the engine."""
        end = self.t + int(ms * MS)
        while self._last_tick + 1000 * MS <= end:
            self._last_tick += 1000 * MS
            self.t = self._last_tick
            self.emit("tick")
            self._metrics()
        self.t = end

    def _metrics(self) -> None:
        self._cpu = (self._cpu + 7.3) % 40
        samples = [[self.runner, 1.5, 31_000_000]]
        samples += [
            [pid, round(self._cpu + 3 * n, 1), 24_000_000 + 512_000 * n]
            for n, pid in enumerate(sorted(self.children))
        ]
        self.emit("metrics", samples=samples)

    def spawn(self, name: str) -> int:
        """A child process starts: ``hello`` then ``started``."""
        pid = next(self._next_pid)
        self.children[pid] = name
        how = "fork" if self.method == "fork" else "exec"
        cmdline = "" if how == "fork" else "python -c from multiprocessing.spawn import ..."
        self.emit("hello", pid=pid, ppid=self.runner, how=how, cmdline=cmdline)
        self.wait(2)
        self.emit("started", pid=pid, name=name, start_method=self.method)
        return pid

    def line(self, pid: int, text: str, stream: str = "stdout") -> None:
        self.emit("line", pid=pid, stream=stream, text=text)

    def obj(self, kind: str, label: str, **fields: object) -> int:
        oid = next(self._next_id)
        self.emit("object", pid=self.runner, id=oid, type=kind, label=label, **fields)
        return oid

    def exit(self, pid: int, code: int = 0) -> None:
        """A child ends and its parent reaps it."""
        self.emit("exited", pid=pid, code=code)
        self.emit("gone", pid=pid)
        self.emit("reaped", pid=self.runner, child=pid, code=code)
        self.children.pop(pid, None)

    def end(self, code: int = 0) -> list[dict]:
        """The runner ends: the recording is complete."""
        self.emit("exited", pid=self.runner, code=code)
        self.emit("gone", pid=self.runner)
        self.emit("run_ended", code=code)
        return self.events


def _param(program: Any, name: str, default: Any) -> Any:
    params: Mapping[str, object] = program.params or {}
    return params.get(name, default)


def record_lock(program: Any) -> list[dict]:
    """Workers take turns at one lock, three lines per turn, the others waiting."""
    rec = Recorder(program)
    workers = int(_param(program, "workers", 4))
    rounds = int(_param(program, "rounds", 3))
    hold_ms = float(_param(program, "hold", 0.05)) * 1000
    lock = rec.obj("Lock", "lock.py:42")
    pids = [rec.spawn(f"worker-{n}") for n in range(1, workers + 1)]
    number = {pid: n for n, pid in enumerate(pids, 1)}
    done = dict.fromkeys(pids, 0)
    waiting: dict[int, int] = {}
    for pid in pids:  # everyone asks at once; the first one wins
        waiting[pid] = rec.t
        rec.emit("lock_wait", pid=pid, id=lock)
        rec.wait(1)
    while waiting:
        pid = next(iter(waiting))  # the longest waiter wins (a Lock promises no order)
        since = waiting.pop(pid)
        rec.emit("lock_acquired", pid=pid, id=lock, wait_ns=rec.t - since)
        n, r = number[pid], done[pid] + 1
        rec.line(pid, f"worker {n} round {r}: begin")
        rec.wait(hold_ms / 2)
        rec.line(pid, f"worker {n} round {r}: working")
        rec.wait(hold_ms / 2)
        rec.line(pid, f"worker {n} round {r}: end")
        rec.emit("lock_released", pid=pid, id=lock, hold_ns=int(hold_ms * MS))
        done[pid] = r
        if done[pid] < rounds:
            rec.wait(1)
            waiting[pid] = rec.t
            rec.emit("lock_wait", pid=pid, id=lock)
        else:
            rec.exit(pid)
    rec.line(rec.runner, f"parent: {workers} workers took {workers * rounds} turns at the lock")
    return rec.end()


def record_queue(program: Any) -> list[dict]:
    """A child puts results on a Queue faster than the parent gets them, then a sentinel."""
    rec = Recorder(program)
    count = int(_param(program, "count", 8))
    delay_ms = float(_param(program, "delay", 0.05)) * 1000
    queue = rec.obj("Queue", "queue_evens.py:40", maxsize=0)
    child = rec.spawn("Process-1")
    got = 0

    def get_next() -> None:  # a Queue is FIFO: the parent gets results in order
        nonlocal got
        got += 1
        rec.emit("queue_get", pid=rec.runner, id=queue)
        rec.line(rec.runner, f"parent got: {got} is {'even' if got % 2 == 0 else 'odd'}")

    for n in range(1, count + 1):
        rec.wait(delay_ms)
        rec.emit("queue_put", pid=child, id=queue)
        # The parent falls behind now and then, so the depth rises and falls.
        if n % 5:
            rec.wait(delay_ms / 3)
            get_next()
    rec.emit("queue_put", pid=child, id=queue)  # the sentinel
    while got < count:
        rec.wait(2)
        get_next()
    rec.emit("queue_get", pid=rec.runner, id=queue)
    rec.exit(child)
    rec.line(rec.runner, f"parent: received {count} of {count} results")
    return rec.end()


def record_pipe(program: Any) -> list[dict]:
    """The child sends one message through a Pipe and closes its end."""
    rec = Recorder(program)
    message = str(_param(program, "message", "hello world"))
    delay_ms = float(_param(program, "delay", 0.2)) * 1000
    pipe = rec.obj("Pipe", "pipe_hello.py:31", duplex=True)
    child = rec.spawn("Process-1")
    rec.wait(delay_ms)
    rec.line(child, f"child: sending {message!r}")
    rec.emit("pipe_send", pid=child, id=pipe, end=1, bytes=len(message) + 20)
    rec.wait(1)
    rec.emit("pipe_recv", pid=rec.runner, id=pipe, end=0, bytes=len(message) + 20)
    rec.line(rec.runner, f"parent received: {message!r}")
    rec.exit(child)
    rec.line(rec.runner, "parent: the child closed its end; no more messages")
    return rec.end()


def record_logging(program: Any) -> list[dict]:
    """Workers log at each level to stderr through multiprocessing's logger."""
    rec = Recorder(program)
    workers = int(_param(program, "workers", 3))
    delay_ms = float(_param(program, "delay", 0.1)) * 1000
    rec.line(rec.runner, f"[INFO/MainProcess] main: starting {workers} workers", "stderr")
    pids = [rec.spawn(f"worker-{n}") for n in range(1, workers + 1)]
    rec.wait(delay_ms)
    for n, pid in enumerate(pids, 1):
        rec.line(pid, f"[INFO/worker-{n}] child process calling self.run()", "stderr")
        rec.line(pid, f"[INFO/worker-{n}] worker {n}: did some work", "stderr")
        rec.line(pid, f"[WARNING/worker-{n}] worker {n}: something looks odd", "stderr")
        rec.line(pid, f"[ERROR/worker-{n}] worker {n}: something failed", "stderr")
        rec.wait(3)
    for pid in pids:
        rec.exit(pid)
    rec.line(rec.runner, "[WARNING/MainProcess] main: all workers finished", "stderr")
    return rec.end()


def record_generic(program: Any) -> list[dict]:
    """One or two children printing a few lines: hello, args, squares, scripts."""
    rec = Recorder(program)
    count = int(_param(program, "count", _param(program, "times", 5)))
    delay_ms = float(_param(program, "delay", 0.1)) * 1000
    two = program.lesson == "two-processes"
    rec.line(rec.runner, "parent: starting the children" if two else "parent: starting the child")
    pids = [rec.spawn(f"Process-{n}") for n in range(1, 3 if two else 2)]
    for n in range(1, count + 1):
        for pid in pids:
            text = (
                f"{n} is {'even' if n % 2 == 0 else 'odd'}"
                if pid != pids[0]
                else (f"square of {n} is {n * n}")
            )
            rec.line(pid, text)
            rec.wait(delay_ms / len(pids))
    for pid in pids:
        rec.exit(pid)
    rec.line(rec.runner, f"parent: {program.title} finished")
    return rec.end()


RECORDERS: dict[str, Callable[[Any], list[dict]]] = {
    "lock": record_lock,
    "queue": record_queue,
    "pipe": record_pipe,
    "logging": record_logging,
}


def record(program: Any) -> list[dict]:
    """The recorded run of ``program`` (a lesson's own shape, or a generic one)."""
    return RECORDERS.get(program.lesson or "", record_generic)(program)
