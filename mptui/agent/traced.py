"""Traced drop-in versions of multiprocessing's Lock, RLock, Queue, JoinableQueue,
SimpleQueue and Pipe.

Each is a subclass of the original, so ``isinstance``, ``repr``, ``Condition(lock)`` and the
pickling rules (a lock only through inheritance or as a Process argument) are unchanged; the
pickled state only gains the object's id. They work under fork, spawn and forkserver
because the ring they write to belongs to whichever process uses them.

Hot path rules (see DESIGN.md section 4): no lock shared across processes, no thread, no
system call. A lock first tries ``acquire(False)``: only when that fails is a wait recorded,
so "contended" means exactly "had to block".
"""

from __future__ import annotations

import itertools
import queue
import select
from multiprocessing import connection, queues, reduction, synchronize
from time import monotonic_ns

from mptui import events as ev
from mptui.agent import channel, hooks, ring
from mptui.agent.ring import count, emit, emit_counted
from mptui.agent.sites import mark_wait

_counter = itertools.count(1)


def _codes(kind_base: int, oid: int, aux: int = 0) -> int:
    return kind_base << 56 | aux << 48 | oid


def declare(kind: str, label: str, **fields: object) -> int:
    """A new session-unique object id, announced to the collector."""
    oid = ev.make_object_id(channel.pid, next(_counter))
    place = hooks.creation_place()  # for the Source panel: the line that made it
    if place is not None:
        fields["file"], fields["line"] = place
    channel.send(ev.OBJECT, id=oid, type=kind, label=label, **fields)
    return oid


# --------------------------------------------------------------------------------------
# Locks


class TracedLock(synchronize.Lock):
    """multiprocessing.Lock that records waits, acquisitions and releases."""

    def __init__(self, *, ctx, mptui_id: int) -> None:
        self._mptui_id = mptui_id  # before super().__init__, which calls _make_methods
        self._t_acquired = -1
        super().__init__(ctx=ctx)

    def _make_methods(self) -> None:
        # SemLock binds the C acquire/release onto the instance; keep them privately and
        # let the traced methods below be the public ones.
        self._try_acquire = self._semlock.acquire
        self._release = self._semlock.release
        oid = self._mptui_id
        self._code_wait = _codes(ev.RK_LOCK_WAIT, oid)
        self._code_acquired = _codes(ev.RK_LOCK_ACQUIRED, oid)
        self._code_released = _codes(ev.RK_LOCK_RELEASED, oid)
        self._code_timeout = _codes(ev.RK_LOCK_TIMEOUT, oid)
        self._count_releases = _codes(ev.RK_LOCK_RELEASES, oid)
        self._count_contended = _codes(ev.RK_LOCK_CONTENDED, oid)
        self._count_timeouts = _codes(ev.RK_LOCK_TIMEOUTS, oid)
        self._code_interrupted = _codes(ev.RK_WAIT_END, oid, ev.OUTCOME_INTERRUPTED)

    # Named explicitly (not super()): TracedRLock shares these methods.
    def __getstate__(self):
        return (*synchronize.SemLock.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        self._mptui_id = state[-1]
        self._t_acquired = -1
        synchronize.SemLock.__setstate__(self, state[:-1])

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        if self._try_acquire(False):
            t = self._t_acquired = monotonic_ns()
            emit(self._code_acquired, t, 0)
            return True
        if not block:
            return False
        return self._blocking_acquire(timeout)

    def _blocking_acquire(self, timeout: float | None) -> bool:
        mark_wait(self._mptui_id)
        t0 = monotonic_ns()
        emit(self._code_wait, t0, 0)
        try:
            ok = self._try_acquire(True, timeout)
        except BaseException:  # KeyboardInterrupt, a signal handler's exception
            t1 = monotonic_ns()
            emit(self._code_interrupted, t1, t1 - t0)
            raise
        t1 = monotonic_ns()
        if ok:
            self._t_acquired = t1
            emit(self._code_acquired, t1, t1 - t0)
            count(self._count_contended, t1 - t0)
        else:
            emit(self._code_timeout, t1, t1 - t0)
            count(self._count_timeouts, t1 - t0)
        return ok

    def release(self) -> None:
        # Take the start time before releasing: once released, another thread of this
        # process may acquire it and set its own.
        started, self._t_acquired = self._t_acquired, -1
        t = monotonic_ns()
        try:
            self._release()
        except BaseException:
            self._t_acquired = started  # not held: nothing is recorded
            raise
        held = t - started if started >= 0 else -1
        emit_counted(self._code_released, t, held, self._count_releases)

    # ``with lock:`` is the common use: its two methods repeat acquire's fast path and
    # release's body, saving a Python call each on the hot path.
    def __enter__(self) -> bool:
        if self._try_acquire(False):
            t = self._t_acquired = monotonic_ns()
            emit(self._code_acquired, t, 0)
            return True
        return self._blocking_acquire(None)

    def __exit__(self, *args) -> None:
        started, self._t_acquired = self._t_acquired, -1
        t = monotonic_ns()
        self._release()
        held = t - started if started >= 0 else -1
        emit_counted(self._code_released, t, held, self._count_releases)


class TracedRLock(synchronize.RLock):
    """multiprocessing.RLock that records only the outermost acquire and release."""

    def __init__(self, *, ctx, mptui_id: int) -> None:
        self._mptui_id = mptui_id
        self._t_acquired = -1
        super().__init__(ctx=ctx)

    _make_methods = TracedLock._make_methods
    __getstate__ = TracedLock.__getstate__
    __setstate__ = TracedLock.__setstate__
    _blocking_acquire = TracedLock._blocking_acquire

    def __exit__(self, *args) -> None:
        self.release()

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        if self._try_acquire(False):
            if self._semlock._count() == 1:
                t = self._t_acquired = monotonic_ns()
                emit(self._code_acquired, t, 0)
            return True
        if not block:
            return False
        # A failed try means another process or thread holds it: this is the outermost level.
        return self._blocking_acquire(timeout)

    def release(self) -> None:
        outermost = self._semlock._count() == 1
        started = self._t_acquired
        t = monotonic_ns()
        self._release()
        if outermost:
            self._t_acquired = -1
            held = t - started if started >= 0 else -1
            emit_counted(self._code_released, t, held, self._count_releases)

    def __enter__(self) -> bool:
        return self.acquire()


# --------------------------------------------------------------------------------------
# Waits of queues, pipes and joins: the slow path only, once a process is about to block.


def _outcome_of(error: BaseException | None) -> int:
    if error is None:
        return ev.OUTCOME_OK
    if isinstance(error, (queue.Empty, queue.Full)):
        return ev.OUTCOME_TIMEOUT
    if isinstance(error, (EOFError, OSError)):
        return ev.OUTCOME_BROKEN  # the other end closed, or the object was closed
    return ev.OUTCOME_INTERRUPTED


def waiting(oid: int, op: int, call, *args, value: int = 0):
    """``call(*args)``, recorded as a wait on object ``oid``: a begin record now, an end
    record with its outcome and duration when it returns or raises."""
    mark_wait(oid)
    t0 = monotonic_ns()
    emit(_codes(ev.RK_WAIT_BEGIN, oid, op), t0, value)
    error = None
    try:
        return call(*args)
    except BaseException as raised:
        error = raised
        raise
    finally:
        t1 = monotonic_ns()
        emit(_codes(ev.RK_WAIT_END, oid, _outcome_of(error)), t1, t1 - t0)


class _Readable:
    """Whether a read end has data now: one poll(2) with a zero timeout, through a poll
    object made once per end (Connection.poll builds a selector on every call)."""

    __slots__ = ("_poller",)

    def __init__(self, fd: int) -> None:
        self._poller = select.poll()
        self._poller.register(fd, select.POLLIN)

    def __call__(self) -> bool:
        return bool(self._poller.poll(0))


def _readable(owner, reader) -> bool:
    check = owner._mptui_readable
    if check is None:
        check = owner._mptui_readable = _Readable(reader.fileno())
    return check()


# --------------------------------------------------------------------------------------
# Queue


class TracedQueue(queues.Queue):
    """multiprocessing.Queue that counts puts and gets (depth never relies on qsize())."""

    def __init__(self, maxsize: int = 0, *, ctx, mptui_id: int) -> None:
        self._set_codes(mptui_id)
        super().__init__(maxsize, ctx=ctx)

    def _set_codes(self, oid: int) -> None:
        self._mptui_id = oid
        self._code_put = _codes(ev.RK_QUEUE_PUT, oid)
        self._code_get = _codes(ev.RK_QUEUE_GET, oid)
        self._mptui_readable = None  # made on the first blocking get, in this process

    def __getstate__(self):
        return (*super().__getstate__(), self._mptui_id)

    def __setstate__(self, state) -> None:
        self._set_codes(state[-1])
        super().__setstate__(state[:-1])

    def put(self, obj, block: bool = True, timeout: float | None = None) -> None:
        # Full or closed: raises, nothing counted. A blocking put first tries without
        # blocking (the same semaphore try the blocking one starts with): only a full
        # queue makes it a recorded wait.
        try:
            queues.Queue.put(self, obj, False)
        except queue.Full:
            if not block:
                raise
            waiting(self._mptui_id, ev.OP_PUT, queues.Queue.put, self, obj, True, timeout)
        count(self._code_put, 0)

    def get(self, block: bool = True, timeout: float | None = None):
        if block and not self._closed and not _readable(self, self._reader):
            obj = waiting(self._mptui_id, ev.OP_GET, queues.Queue.get, self, True, timeout)
        else:
            obj = queues.Queue.get(self, block, timeout)
        count(self._code_get, 0)
        return obj


class TracedJoinableQueue(queues.JoinableQueue):
    """multiprocessing.JoinableQueue that counts puts and gets, as TracedQueue does."""

    def __init__(self, maxsize: int = 0, *, ctx, mptui_id: int) -> None:
        self._set_codes(mptui_id)
        queues.JoinableQueue.__init__(self, maxsize, ctx=ctx)

    _set_codes = TracedQueue._set_codes

    def __getstate__(self):
        return (*queues.JoinableQueue.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        self._set_codes(state[-1])
        queues.JoinableQueue.__setstate__(self, state[:-1])

    def put(self, obj, block: bool = True, timeout: float | None = None) -> None:
        try:
            queues.JoinableQueue.put(self, obj, False)
        except queue.Full:
            if not block:
                raise
            put = queues.JoinableQueue.put
            waiting(self._mptui_id, ev.OP_PUT, put, self, obj, True, timeout)
        count(self._code_put, 0)

    get = TracedQueue.get

    def join(self) -> None:
        # Waits for task_done() of every item: a wait unless nothing is unfinished.
        if self._unfinished_tasks._semlock._is_zero():
            return queues.JoinableQueue.join(self)
        return waiting(self._mptui_id, ev.OP_WAIT, queues.JoinableQueue.join, self)


class TracedSimpleQueue(queues.SimpleQueue):
    """multiprocessing.SimpleQueue that counts puts and gets."""

    def __init__(self, *, ctx, mptui_id: int) -> None:
        TracedQueue._set_codes(self, mptui_id)
        queues.SimpleQueue.__init__(self, ctx=ctx)

    def __getstate__(self):
        return (*queues.SimpleQueue.__getstate__(self), self._mptui_id)

    def __setstate__(self, state) -> None:
        TracedQueue._set_codes(self, state[-1])
        queues.SimpleQueue.__setstate__(self, state[:-1])

    def put(self, obj) -> None:
        queues.SimpleQueue.put(self, obj)
        count(self._code_put, 0)

    def get(self):
        if _readable(self, self._reader):
            obj = queues.SimpleQueue.get(self)
        else:
            obj = waiting(self._mptui_id, ev.OP_GET, queues.SimpleQueue.get, self)
        count(self._code_get, 0)
        return obj


# --------------------------------------------------------------------------------------
# Pipe


class TracedConnection(connection.Connection):
    """One end of a traced Pipe: counts messages and payload bytes each way."""

    def _trace(self, oid: int, end: int) -> TracedConnection:
        self._mptui_id, self._mptui_end = oid, end
        self._code_send = _codes(ev.RK_PIPE_SEND, oid, end)
        self._code_recv = _codes(ev.RK_PIPE_RECV, oid, end)
        self._slots = (-1, -1, -1)  # (ring generation, send counter, recv counter)
        self._mptui_readable = None
        return self

    def _counter_slots(self) -> tuple[int, int, int]:
        slots = self._slots
        if slots[0] != ring.generation or slots[1] < 0 or slots[2] < 0:
            slots = self._slots = (
                ring.generation, ring.counter_base(self._code_send),
                ring.counter_base(self._code_recv),
            )  # fmt: skip
        return slots

    # Messages can take 3 us: the counting is inlined (no call into the ring module) and the
    # base methods are named rather than reached through super().
    def _send_bytes(self, buf) -> None:
        _send_bytes(self, buf)
        _gen, base, _ = self._slots if self._slots[0] == ring.generation else self._counter_slots()
        words = ring._words
        if base >= 0 and words is not None:
            words[base + 1] += 1
            words[base + 2] += len(buf)

    def _recv_bytes(self, maxsize=None):
        if _readable(self, self):
            buf = _recv_bytes(self, maxsize)
        else:
            buf = waiting(self._mptui_id, ev.OP_RECV, _recv_bytes, self, maxsize)
        if buf is not None:
            _gen, _, base = (
                self._slots if self._slots[0] == ring.generation else self._counter_slots()
            )
            words = ring._words
            if base >= 0 and words is not None:
                words[base + 1] += 1
                words[base + 2] += buf.getbuffer().nbytes
        return buf


_send_bytes = connection.Connection._send_bytes
_recv_bytes = connection.Connection._recv_bytes


def _rebuild_traced_connection(df, readable, writable, oid, end):
    return TracedConnection(df.detach(), readable, writable)._trace(oid, end)


def _reduce_traced_connection(conn):
    # Mirrors multiprocessing.connection.reduce_connection, keeping the trace.
    df = reduction.DupFd(conn.fileno())
    return _rebuild_traced_connection, (
        df,
        conn.readable,
        conn.writable,
        conn._mptui_id,
        conn._mptui_end,
    )


reduction.register(TracedConnection, _reduce_traced_connection)


def traced_pipe(duplex: bool, label: str) -> tuple[TracedConnection, TracedConnection]:
    """Like ``multiprocessing.Pipe(duplex)``; end 0 and end 1 are the two returned objects."""
    first, second = connection.Pipe(duplex)
    oid = declare("Pipe", label, duplex=duplex)
    for end, conn in enumerate((first, second)):
        conn.__class__ = TracedConnection  # same fields; only the methods differ
        conn._trace(oid, end)
    return first, second
