"""Worker insights: how long each process spent starting up, running and waiting.

As mpire's insights report, per process: time **starting up** (from its hello, when it
was forked or its interpreter began, to ``started``, when its ``run()`` began; 0 for a
process that is not a multiprocessing Process, such as the main one), time **waiting**,
split by what it waited on (the operation and the kind of object: ``acquire Lock``, ``get
Queue``, ``recv Pipe``, ``join``, ``wait Event``, ``call``, ``result`` ...), and time
**running**: the rest of its life. "Running" is alive and not in a traced wait: it
includes time the process spent idle outside traced waits (``time.sleep``, reading a
file, waiting on something mptui does not trace), not only CPU time.

Waits are those of the process, not of one thread: a process with two threads waiting at
once counts that time once in ``waiting_ns`` (the union), and once per wait in its split
(so the split can add up to more). A Pool's parent has a thread that waits on the pool's
result queue all its life: its waiting time says so.

:class:`Insights` is a pure fold fed by the same events as the Store (the Store calls
:meth:`Insights.apply` for each event it folds); it keeps a few numbers per process and
feeds the per-process activity it derives (running, holding a lock, waiting on an object,
ended) to a :class:`~mptui.engine.timeline.Timeline`. It never reads a clock: durations
of what is still going on are measured to a ``now_ns`` the reader gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mptui import events as ev
from mptui.engine import timeline as tl

MAX_PROCESSES = 2000
"""Processes remembered; the oldest ended ones are forgotten first (a Pool with
maxtasksperchild churns through thousands)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InsightsView:
    """One process's time: starting up, running, waiting (split by what it waited on)."""

    pid: int
    name: str
    alive: bool
    life_ns: int
    """From its hello to its end (or to now while it runs)."""
    starting_ns: int
    """From its hello to ``started`` (its run() began); 0 when it never said."""
    running_ns: int
    """Alive and in no traced wait (sleeping or busy outside a traced wait included)."""
    waiting_ns: int
    """In at least one traced wait."""
    waiting_by_kind: tuple[tuple[str, int], ...] = ()
    """``(("acquire Lock", ns), ("join", ns))``: each kind of wait, longest first."""
    tasks_done: int = 0
    """Pool tasks the process completed (0 when not known)."""

    def percent(self, ns: int) -> float:
        """``ns`` as a share of the process's life, in percent."""
        return 100.0 * ns / self.life_ns if self.life_ns > 0 else 0.0


@dataclass(slots=True)
class _Activity:
    """What the fold knows of one process."""

    hello_ns: int
    started_ns: int | None = None
    ended_ns: int | None = None
    waits: dict = field(default_factory=dict)  # object id -> (op, since_ns)
    held: dict = field(default_factory=dict)  # object id -> acquisitions not released
    waiting_since: int | None = None  # when its first open wait began (the union)
    waited_ns: int = 0  # the union of its closed waits
    by_kind: dict = field(default_factory=dict)  # "acquire Lock" -> ns of closed waits
    state: tuple = tl.RUN


class Insights:
    """The fold; see the module docstring."""

    def __init__(self, timeline: tl.Timeline | None = None) -> None:
        self.timeline = timeline if timeline is not None else tl.Timeline()
        self._procs: dict[int, _Activity] = {}
        self._kinds: dict[int, str] = {}  # object id -> its type (Lock, Queue, ...)
        self._holds: dict[int, tuple] = {}  # object id -> the timeline's state holding it
        self._handlers = {
            ev.HELLO: self._on_hello,
            ev.STARTED: self._on_started,
            ev.OBJECT: self._on_object,
            ev.LOCK_WAIT: self._on_lock_wait,
            ev.LOCK_ACQUIRED: self._on_lock_acquired,
            ev.LOCK_RELEASED: self._on_lock_released,
            ev.LOCK_TIMEOUT: self._on_lock_timeout,
            ev.WAIT_BEGIN: self._on_wait_begin,
            ev.WAIT_END: self._on_wait_end,
            ev.DROPPED: self._on_dropped,
            ev.REAPED: self._on_reaped,
            ev.GONE: self._on_gone,
        }

    # ------------------------------------------------------------------ folding

    def apply(self, event: dict) -> None:
        """Fold one event (the Store's; others are ignored). A malformed one raises."""
        kind = event.get("kind")
        released = kind == ev.LOCK_RELEASED
        fast = released or (kind == ev.LOCK_ACQUIRED and not event.get("wait_ns"))
        if fast and self._hold_changed(event["pid"], event["id"], event["t"], released):
            return
        handler = self._handlers.get(kind)
        if handler is not None:
            handler(event)

    def apply_record(self, pid: int, code: int, t: int, value: int) -> None:
        """Fold one ring record as the collector read it (mptui.events.RECORDS): a lock
        taken without a wait or given back takes the hot path without an event dict;
        anything else is decoded and applied."""
        kind = code >> 56
        released = kind == ev.RK_LOCK_RELEASED
        fast = released or (kind == ev.RK_LOCK_ACQUIRED and not value)
        if fast and self._hold_changed(pid, code & ev.OBJECT_ID_MASK, t, released):
            return
        self.apply(ev.ring_event(pid, code, t, value))

    def apply_records(self, records: list[tuple]) -> None:
        """Fold ring records ``(pid, code, t, value)`` in time order (mptui.events.RECORDS),
        as :meth:`apply_record` would one by one. A lock taken without a wait and given back
        by the same process before its next record is folded as one hold, in one call: a
        contended lock makes hundreds of thousands of such pairs a second."""
        pending: dict[int, tuple] = {}  # pid -> its last record, a lock taken, not folded
        mask = ev.OBJECT_ID_MASK
        for record in records:
            pid, code, t, value = record
            kind = code >> 56
            taken = pending.pop(pid, None)
            if taken is not None:
                if (
                    kind == ev.RK_LOCK_RELEASED
                    and (code ^ taken[1]) & mask == 0
                    and self._held_between(pid, code & mask, taken[2], t)
                ):
                    continue
                self.apply_record(*taken)
            if kind == ev.RK_LOCK_ACQUIRED and not value:
                pending[pid] = record
            else:
                self.apply_record(pid, code, t, value)
        for taken in pending.values():
            self.apply_record(*taken)

    def _held_between(self, pid: int, oid: int, t0: int, t1: int) -> bool:
        """A running process that waits for nothing and holds nothing else took lock
        ``oid`` at ``t0`` and gave it back at ``t1``; False when it is not that case."""
        act = self._procs.get(pid)
        if act is None or act.waits or act.held or act.ended_ns is not None:
            return False
        state = self._holds.get(oid)
        if state is None:
            state = self._holds[oid] = (tl.HOLD, oid)
        self.timeline.held_between(pid, t0, t1, state)
        return True

    def _hold_changed(self, pid: int, oid: int, t: int, released: bool) -> bool:
        """The hot path (a lock can be taken a million times a second): a lock taken
        without a wait, or given back, by a process that waits for nothing, folded in one
        call. False when it is not that case (the event's handler then folds it)."""
        act = self._procs.get(pid)
        if act is None or act.waits or act.ended_ns is not None:
            return False
        held = act.held
        if released:
            count = held.get(oid)
            if count is None:
                return True  # a semaphore given back by a process that did not take it
            if count > 1:
                held[oid] = count - 1
                return True
            del held[oid]
        else:
            held[oid] = held.get(oid, 0) + 1
        if held:
            oid = next(reversed(held))
            state = self._holds.get(oid)
            if state is None:
                state = self._holds[oid] = (tl.HOLD, oid)
        else:
            state = tl.RUN
        if state is not act.state:
            act.state = state
            self.timeline.record(pid, t, state)
        return True

    def _proc(self, pid: int, t: int) -> _Activity:
        act = self._procs.get(pid)
        if act is None:  # its first event was not its hello (read late): alive since
            act = self._procs[pid] = _Activity(hello_ns=t)
            self.timeline.record(pid, t, tl.RUN)
        return act

    def _on_hello(self, e: dict) -> None:
        pid, t = e["pid"], int(e["t"])
        old = self._procs.get(pid)
        if old is not None and (old.ended_ns is None or t <= old.ended_ns):
            old.hello_ns = min(old.hello_ns, t)
            return
        if old is not None:  # the pid was reused: a new process
            del self._procs[pid]
            self.timeline.forget(pid)
        self._procs[pid] = _Activity(hello_ns=t)
        self.timeline.record(pid, t, tl.RUN)
        self._forget_oldest()

    def _on_started(self, e: dict) -> None:
        act = self._proc(e["pid"], int(e["t"]))
        if act.started_ns is None:
            act.started_ns = int(e["t"])

    def _on_object(self, e: dict) -> None:
        oid = e["id"]
        if isinstance(oid, int) and oid not in self._kinds:
            self._kinds[oid] = str(e.get("type", ""))

    def _kind(self, op: str, oid: int) -> str:
        """``acquire Lock``; ``join`` (no object); ``get`` when the object is unknown."""
        if op == "join":
            return op
        kind = self._kinds.get(oid)
        return f"{op} {kind}" if kind else op

    def _begin(self, pid: int, oid: int, op: str, t: int) -> None:
        act = self._proc(pid, t)
        if act.ended_ns is not None:
            return
        act.waits[oid] = (op, t)
        if act.waiting_since is None:
            act.waiting_since = t
        self._show(pid, act, t)

    def _end(self, pid: int, oid: int, t: int, wait_ns: int = 0, op: str = "") -> None:
        """A wait ended at ``t``. Without its beginning (a record lost, or read before the
        process was known), ``wait_ns`` (what the agent measured) is counted for ``op``
        (a lock's acquire: the only end that says which operation it ended)."""
        act = self._proc(pid, t)
        begun = act.waits.pop(oid, None)
        if begun is None:
            if wait_ns > 0 and op and act.ended_ns is None:
                kind = self._kind(op, oid)
                act.by_kind[kind] = act.by_kind.get(kind, 0) + wait_ns
                if act.waiting_since is None:
                    act.waited_ns += wait_ns
            return
        op, since = begun
        t = max(t, since)
        if act.ended_ns is not None:
            t = min(t, act.ended_ns)
        kind = self._kind(op, oid)
        act.by_kind[kind] = act.by_kind.get(kind, 0) + max(0, t - since)
        if not act.waits and act.waiting_since is not None:
            act.waited_ns += max(0, t - act.waiting_since)
            act.waiting_since = None
        self._show(pid, act, t)

    def _on_lock_wait(self, e: dict) -> None:
        self._begin(e["pid"], e["id"], "acquire", int(e["t"]))

    def _on_wait_begin(self, e: dict) -> None:
        self._begin(e["pid"], e["id"], str(e.get("op", "wait")), int(e["t"]))

    def _on_wait_end(self, e: dict) -> None:
        self._end(e["pid"], e["id"], int(e["t"]), int(e.get("wait_ns", 0)))

    def _on_lock_timeout(self, e: dict) -> None:
        self._end(e["pid"], e["id"], int(e["t"]), int(e.get("wait_ns", 0)), "acquire")

    def _on_lock_acquired(self, e: dict) -> None:
        pid, oid = e["pid"], e["id"]
        act = self._procs.get(pid)
        wait_ns = e.get("wait_ns", 0)
        if act is None or wait_ns or act.waits:  # it waited, or waits in another thread
            t = int(e["t"])
            if wait_ns or (act is not None and oid in act.waits):
                self._end(pid, oid, t, int(wait_ns), "acquire")
            act = self._proc(pid, t)
        if act.ended_ns is not None:
            return
        held = act.held
        held[oid] = held.get(oid, 0) + 1
        self._show(pid, act, e["t"])

    def _on_lock_released(self, e: dict) -> None:
        act = self._procs.get(e["pid"])
        oid = e["id"]
        if act is None or oid not in act.held:
            return  # a semaphore given back by a process that did not take it
        held = act.held
        held[oid] -= 1
        if held[oid] <= 0:
            del held[oid]
        self._show(e["pid"], act, e["t"])

    def _on_dropped(self, e: dict) -> None:
        """Records of this process were lost: what it waits on and holds is unknown now
        (the records after the gap rebuild it). Its open waits are dropped uncounted."""
        act = self._procs.get(e["pid"])
        if act is None:
            return
        act.waits.clear()
        act.held.clear()
        act.waiting_since = None

    def _on_reaped(self, e: dict) -> None:
        act = self._procs.get(e.get("child"))
        t = e.get("t")
        if act is not None and act.ended_ns is None and isinstance(t, int):
            self._finish(e["child"], act, t)

    def _on_gone(self, e: dict) -> None:
        act = self._procs.get(e["pid"])
        t = e.get("t")
        if act is None or not isinstance(t, int):
            return
        if act.ended_ns is None:
            self._finish(e["pid"], act, t)
        else:  # reaped first: the waits read since end at its end
            self._close_waits(act, act.ended_ns)

    def _finish(self, pid: int, act: _Activity, t: int) -> None:
        t = max(t, act.hello_ns)
        self._close_waits(act, t)
        act.held.clear()
        act.ended_ns = t
        act.state = tl.ENDED
        self.timeline.record(pid, t, tl.ENDED)

    def _close_waits(self, act: _Activity, t: int) -> None:
        """The process ended: its waits end with it (a wait it died in counts in full)."""
        for oid, (op, since) in act.waits.items():
            kind = self._kind(op, oid)
            act.by_kind[kind] = act.by_kind.get(kind, 0) + max(0, t - since)
        act.waits.clear()
        if act.waiting_since is not None:
            act.waited_ns += max(0, t - act.waiting_since)
            act.waiting_since = None

    def _show(self, pid: int, act: _Activity, t: int) -> None:
        """Tell the timeline when what the process does changed."""
        if act.ended_ns is not None:
            return
        if act.waits:
            state = state_of(act.waits, act.held)
        elif act.held:  # one tuple per lock, made once: a lock taken a million times
            oid = next(reversed(act.held))
            state = self._holds.get(oid)
            if state is None:
                state = self._holds[oid] = (tl.HOLD, oid)
        else:
            state = tl.RUN
        if state is not act.state and state != act.state:
            # (A hold's state is one tuple per lock, RUN one constant: ``is`` says it all
            # on the hot path in ``apply``; a wait's is made anew.)
            act.state = state
            self.timeline.record(pid, t, state)

    def _forget_oldest(self) -> None:
        if len(self._procs) <= MAX_PROCESSES:
            return
        ended = [pid for pid, act in self._procs.items() if act.ended_ns is not None]
        for pid in ended[: len(self._procs) - MAX_PROCESSES]:
            del self._procs[pid]
            self.timeline.forget(pid)

    # ------------------------------------------------------------------ reading

    def view(self, pid: int, name: str, now_ns: int, tasks_done: int = 0) -> InsightsView | None:
        """Process ``pid``'s insights, measured to ``now_ns`` if it is still running."""
        act = self._procs.get(pid)
        if act is None:
            return None
        end = act.ended_ns if act.ended_ns is not None else max(now_ns, act.hello_ns)
        life = max(0, end - act.hello_ns)
        starting = 0
        if act.started_ns is not None:
            starting = min(life, max(0, act.started_ns - act.hello_ns))
        by_kind = dict(act.by_kind)
        waited = act.waited_ns
        if act.ended_ns is None:  # waits going on now count up to now
            for oid, (op, since) in act.waits.items():
                kind = self._kind(op, oid)
                by_kind[kind] = by_kind.get(kind, 0) + max(0, end - since)
            if act.waiting_since is not None:
                waited += max(0, end - act.waiting_since)
        waited = min(waited, life - starting)
        return InsightsView(
            pid=pid,
            name=name,
            alive=act.ended_ns is None,
            life_ns=life,
            starting_ns=starting,
            running_ns=max(0, life - starting - waited),
            waiting_ns=waited,
            waiting_by_kind=tuple(sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))),
            tasks_done=tasks_done,
        )

    def views(self, processes: Iterable, now_ns: int) -> tuple[InsightsView, ...]:
        """Insights of ``processes`` (ProcessViews, in their order), helpers left out."""
        out = []
        for proc in processes:
            if proc.role == "helper":
                continue
            found = self.view(proc.pid, proc.name, now_ns, getattr(proc, "tasks_done", 0))
            if found is not None:
                out.append(found)
        return tuple(out)


def state_of(waits: dict, held: dict) -> tuple:
    """What a process does, for the timeline: waiting on its newest wait's object (a
    Pool's parent has a thread waiting all the time; the newest wait is what it does now),
    else holding the lock it took last, else running."""
    if waits:
        oid, (op, _since) = next(reversed(waits.items()))
        return (tl.WAIT, op, oid)
    if held:
        return (tl.HOLD, next(reversed(held)))
    return tl.RUN
