"""Traced drop-in versions of multiprocessing's Semaphore, BoundedSemaphore, Condition,
Event and Barrier, and the lock of a synchronized Value or Array.

Like the ones in mptui.agent.traced, each is a subclass of the original and runs the
original's code; only the pickled state gains the object's id. What is recorded, always
only once the process really blocks (DESIGN.md section 4: no system call and no record on
the fast path):

* Semaphore, BoundedSemaphore: ``acquire`` tries ``acquire(False)`` first. A failed try
  that blocks is a wait: WAIT_BEGIN (acquire), then WAIT_END with its outcome and duration.
  Units taken and given back are LOCK_ACQUIRED / LOCK_RELEASED records, as for a lock, so
  the holders are known (several at once).
* Condition: ``wait`` always blocks, so it is always a wait (op wait). A Condition made
  without a lock gets a traced RLock labelled "Condition file:line"; one built on the
  program's traced Lock or RLock records through that lock.
* Event: ``wait`` on an event that is not set is a wait; on a set one, nothing.
* Barrier: a ``wait`` that blocks is a wait, from the moment it blocks (the last party to
  arrive never does) until it returns or raises.
* Value, Array: their lock is a traced RLock labelled "Value file:line" / "Array file:line".

Signals: the first ``Event.set``/``clear`` and ``Condition.notify``/``notify_all`` of each
process writes a SIGNAL record (a shared-memory write, no system call), so the doctor knows
which processes have set an Event or notified a Condition: the ones that can end its waits.
It needs who, not how often: later calls in the same process cost one comparison.
"""

from __future__ import annotations

import sys
import threading
from multiprocessing import synchronize
from time import monotonic_ns

from mptui import events as ev
from mptui.agent import ring
from mptui.agent.ring import count, emit, emit_counted
from mptui.agent.sites import mark_wait
from mptui.agent.traced import TracedRLock, _codes, declare

_INTERRUPTED = ev.OUTCOME_INTERRUPTED << 48  # WAIT_END codes: the outcome in the aux byte
_TIMEOUT = ev.OUTCOME_TIMEOUT << 48
_BROKEN = ev.OUTCOME_BROKEN << 48  # (OUTCOME_OK is 0: the bare code)


def _repr_as(obj: object, base: type) -> str:
    """The original's repr, naming the original class: a program prints what it would
    print without mptui."""
    cls = type(obj)
    text = base.__repr__(obj)
    text = text.replace(
        f"{cls.__module__}.{cls.__qualname__}", f"{base.__module__}.{base.__qualname__}", 1
    )
    return text.replace(cls.__qualname__, base.__qualname__, 1)


# --------------------------------------------------------------------------------------
# Semaphores


class TracedSemaphore(synchronize.Semaphore):
    """multiprocessing.Semaphore that records waits and the units taken and given back."""

    def __init__(self, value: int = 1, *, ctx, mptui_id: int) -> None:
        self._mptui_id = mptui_id  # before super().__init__, which calls _make_methods
        self._held: list[int] = []
        super().__init__(value, ctx=ctx)

    def _make_methods(self) -> None:
        # As TracedLock: the C acquire/release stay private, the traced methods are public.
        self._try_acquire = self._semlock.acquire
        self._release = self._semlock.release
        oid = self._mptui_id
        self._code_acquired = _codes(ev.RK_LOCK_ACQUIRED, oid)
        self._code_released = _codes(ev.RK_LOCK_RELEASED, oid)
        self._code_begin = _codes(ev.RK_WAIT_BEGIN, oid, ev.OP_ACQUIRE)
        self._code_end = _codes(ev.RK_WAIT_END, oid)
        self._count_releases = _codes(ev.RK_LOCK_RELEASES, oid)
        self._count_contended = _codes(ev.RK_LOCK_CONTENDED, oid)
        self._count_timeouts = _codes(ev.RK_LOCK_TIMEOUTS, oid)

    def __getstate__(self):
        return (*synchronize.SemLock.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        self._mptui_id = state[-1]
        self._held = []
        synchronize.SemLock.__setstate__(self, state[:-1])

    def __repr__(self) -> str:
        return _repr_as(self, synchronize.Semaphore)

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        if self._try_acquire(False):
            t = monotonic_ns()
            self._held.append(t)
            emit(self._code_acquired, t, 0)
            return True
        if not block:
            return False
        return self._blocking_acquire(timeout)

    __enter__ = acquire  # SemLock's would call the C method, unrecorded

    def _blocking_acquire(self, timeout: float | None) -> bool:
        mark_wait(self._mptui_id)
        t0 = monotonic_ns()
        emit(self._code_begin, t0, 0)
        try:
            ok = self._try_acquire(True, timeout)
        except BaseException:
            t1 = monotonic_ns()
            emit(self._code_end | _INTERRUPTED, t1, t1 - t0)
            raise
        t1 = monotonic_ns()
        waited = t1 - t0
        if ok:
            emit(self._code_end, t1, waited)
            self._held.append(t1)
            emit(self._code_acquired, t1, waited)
            count(self._count_contended, waited)
        else:
            emit(self._code_end | _TIMEOUT, t1, waited)
            count(self._count_timeouts, waited)
        return ok

    def release(self) -> None:
        # A unit is often given back by another process than the one that took it: the
        # hold time is known only when this process took one (the newest it took).
        t = monotonic_ns()
        held = self._held
        started = held.pop() if held else -1
        try:
            self._release()
        except BaseException:  # a BoundedSemaphore's over-release: nothing happened
            if started >= 0:
                held.append(started)
            raise
        hold = t - started if started >= 0 else -1
        emit_counted(self._code_released, t, hold, self._count_releases)

    def __exit__(self, *args) -> None:
        # release()'s body, inlined: ``with sem:`` saves a Python call on the hot path.
        t = monotonic_ns()
        held = self._held
        started = held.pop() if held else -1
        try:
            self._release()
        except BaseException:
            if started >= 0:
                held.append(started)
            raise
        hold = t - started if started >= 0 else -1
        emit_counted(self._code_released, t, hold, self._count_releases)


class TracedBoundedSemaphore(TracedSemaphore, synchronize.BoundedSemaphore):
    """multiprocessing.BoundedSemaphore, traced as TracedSemaphore (its __init__ sets the
    bound: TracedSemaphore's super() is BoundedSemaphore here)."""

    def __repr__(self) -> str:
        return _repr_as(self, synchronize.BoundedSemaphore)


# --------------------------------------------------------------------------------------
# Condition and Event


class TracedCondition(synchronize.Condition):
    """multiprocessing.Condition whose waits are recorded; its lock records itself."""

    def __init__(self, lock=None, *, ctx, mptui_id: int) -> None:
        self._trace(mptui_id)
        super().__init__(lock, ctx=ctx)

    def _trace(self, oid: int) -> None:
        self._mptui_id = oid
        self._code_begin = _codes(ev.RK_WAIT_BEGIN, oid, ev.OP_WAIT)
        self._code_end = _codes(ev.RK_WAIT_END, oid)
        self._code_notify = _codes(ev.RK_SIGNAL, oid, ev.SIG_NOTIFY)
        self._code_notify_all = _codes(ev.RK_SIGNAL, oid, ev.SIG_NOTIFY_ALL)
        # The ring generation in which this process last recorded a signal of each kind
        # (-1: not yet): a fork child, whose generation differs, records its own first one.
        self._noted_notify = self._noted_notify_all = -1

    def __getstate__(self):
        return (*synchronize.Condition.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        self._trace(state[-1])
        synchronize.Condition.__setstate__(self, state[:-1])

    def __repr__(self) -> str:
        return _repr_as(self, synchronize.Condition)

    def wait(self, timeout: float | None = None) -> bool:
        if not self._lock._semlock._is_mine():
            # The original's AssertionError (or, under -O, its unchecked wait): not recorded.
            return synchronize.Condition.wait(self, timeout)
        mark_wait(self._mptui_id)
        t0 = monotonic_ns()
        emit(self._code_begin, t0, 0)
        try:
            notified = synchronize.Condition.wait(self, timeout)
        except BaseException:
            t1 = monotonic_ns()
            emit(self._code_end | _INTERRUPTED, t1, t1 - t0)
            raise
        t1 = monotonic_ns()
        emit(self._code_end if notified else self._code_end | _TIMEOUT, t1, t1 - t0)
        return notified

    def notify(self, n: int = 1) -> None:
        synchronize.Condition.notify(self, n)  # raises, unrecorded, without the lock
        if self._noted_notify != ring.generation:
            self._noted_notify = ring.generation
            emit(self._code_notify, monotonic_ns(), n)

    def notify_all(self) -> None:
        # The original calls self.notify(n=sys.maxsize): one record, not two.
        synchronize.Condition.notify(self, sys.maxsize)
        if self._noted_notify_all != ring.generation:
            self._noted_notify_all = ring.generation
            emit(self._code_notify_all, monotonic_ns(), 0)


def traced_condition(ctx, lock, label: str) -> TracedCondition:
    """``ctx.Condition(lock)`` for the program: without a lock, its own RLock is traced
    and named after the Condition."""
    if lock is None:
        lock = TracedRLock(ctx=ctx, mptui_id=declare("RLock", f"Condition {label}"))
    oid = declare("Condition", label, lock=getattr(lock, "_mptui_id", None))
    return TracedCondition(lock, ctx=ctx, mptui_id=oid)


class _EventCondition(TracedCondition):
    """The Condition inside a TracedEvent: its waits are the Event's, and its notify_all,
    which only Event.set calls, records the set (so Event.set runs unchanged, with no
    Python call of ours added around it)."""

    notify = synchronize.Condition.notify

    def notify_all(self) -> None:
        synchronize.Condition.notify(self, sys.maxsize)  # what the original's does
        if self._noted_set != ring.generation:  # this process's first set: who can set it
            self._noted_set = ring.generation
            emit(self._code_set, monotonic_ns(), 0)

    def _trace(self, oid: int) -> None:
        TracedCondition._trace(self, oid)
        self._code_set = _codes(ev.RK_SIGNAL, oid, ev.SIG_SET)
        self._code_clear = _codes(ev.RK_SIGNAL, oid, ev.SIG_CLEAR)
        self._noted_set = self._noted_clear = -1  # as TracedCondition's _noted_notify


class TracedEvent(synchronize.Event):
    """multiprocessing.Event whose waits on an unset event are recorded, and each
    process's first set and clear (a SIGNAL record: who can end its waits).

    Event.wait calls its Condition's wait only when the flag is not set, so making that
    (internal, otherwise untraced) Condition a TracedCondition with the Event's id records
    exactly the waits that block, and runs the original Event code unchanged."""

    def __init__(self, *, ctx, mptui_id: int) -> None:
        super().__init__(ctx=ctx)
        self._cond.__class__ = _EventCondition  # same fields; pickles with the id
        self._cond._trace(mptui_id)

    def clear(self) -> None:
        synchronize.Event.clear(self)
        cond = self._cond
        if cond._noted_clear != ring.generation:
            cond._noted_clear = ring.generation
            emit(cond._code_clear, monotonic_ns(), 0)

    def __repr__(self) -> str:
        return _repr_as(self, synchronize.Event)


# --------------------------------------------------------------------------------------
# Barrier


class _Waiting(threading.local):
    """Per thread: when its current Barrier.wait began to block (-1: it has not)."""

    t0 = -1
    timed_out = False


class _BarrierCondition(synchronize.Condition):
    """The Condition inside a TracedBarrier: the first time a Barrier.wait blocks on it,
    the barrier's wait begins (Barrier.wait may wait on it several times)."""

    def wait(self, timeout: float | None = None) -> bool:
        waiting = self._mptui_waiting
        if waiting.t0 < 0:
            mark_wait(self._code_begin & ev.OBJECT_ID_MASK)  # the barrier's id
            waiting.t0 = t0 = monotonic_ns()
            emit(self._code_begin, t0, 0)
        notified = synchronize.Condition.wait(self, timeout)
        if not notified:
            waiting.timed_out = True
        return notified


class TracedBarrier(synchronize.Barrier):
    """multiprocessing.Barrier whose blocking waits are recorded with their outcome:
    ok, timeout (this party's own timeout ran out and broke it), broken (another party
    broke it, abort() or reset()), interrupted (any other exception)."""

    def __init__(self, parties: int, action=None, timeout=None, *, ctx, mptui_id: int):
        self._mptui_id = mptui_id  # Barrier.__init__ calls __setstate__, which traces
        super().__init__(parties, action, timeout, ctx=ctx)

    def __getstate__(self):
        return (*synchronize.Barrier.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        if len(state) > 5:  # unpickled: the id ends it (Barrier.__init__ passes the 5 fields)
            self._mptui_id, state = state[5], state[:5]
        synchronize.Barrier.__setstate__(self, state)
        oid = self._mptui_id
        self._code_end = _codes(ev.RK_WAIT_END, oid)
        self._mptui_waiting = _Waiting()
        cond = self._cond
        cond.__class__ = _BarrierCondition  # already, when unpickled: the class pickles
        cond._mptui_waiting = self._mptui_waiting
        cond._code_begin = _codes(ev.RK_WAIT_BEGIN, oid, ev.OP_WAIT)

    def __repr__(self) -> str:
        return _repr_as(self, synchronize.Barrier)

    def wait(self, timeout: float | None = None) -> int:
        waiting = self._mptui_waiting
        waiting.t0, waiting.timed_out = -1, False
        try:
            index = synchronize.Barrier.wait(self, timeout)
        except BaseException as error:
            t0 = waiting.t0
            if t0 >= 0:  # it blocked: the wait ends here
                waiting.t0 = -1
                t1 = monotonic_ns()
                if not isinstance(error, threading.BrokenBarrierError):
                    outcome = _INTERRUPTED
                else:
                    outcome = _TIMEOUT if waiting.timed_out else _BROKEN
                emit(self._code_end | outcome, t1, t1 - t0)
            raise
        t0 = waiting.t0
        if t0 >= 0:
            waiting.t0 = -1
            t1 = monotonic_ns()
            emit(self._code_end, t1, t1 - t0)
        return index


# --------------------------------------------------------------------------------------
# Value and Array


def synchronized(raw, ctx, label: str):
    """``multiprocessing.sharedctypes.synchronized`` around ``raw`` with a traced RLock
    (what ``Value(..., lock=True)`` builds, with ``ctx.RLock()`` as its lock)."""
    from multiprocessing import sharedctypes

    lock = TracedRLock(ctx=ctx, mptui_id=declare("RLock", label))
    return sharedctypes.synchronized(raw, lock, ctx=ctx)
