"""Managers: their server process named as such, and proxy calls that can block timed on
the caller's side.

A manager (``multiprocessing.Manager()``, a ``SyncManager`` or any ``BaseManager``
subclass, local or served on an address with an authkey) runs the real objects in a
server process and hands out proxies; every proxy call is a round trip to that server.
Here:

* ``BaseManager.start`` reports, from the parent, the pid of the server process it started
  and the line that started it: the Store shows it with role ``manager`` and the name
  ``manager (main.py:12)``.
* ``BaseManager._create`` declares each object the program makes through a manager
  (``manager.Lock()``, ``manager.dict()``, a registered ``get_jobs()``...) as a traced
  object of type ``Manager Lock``, ``Manager dict``, ``Manager Queue``..., labelled by its
  creation site. Its id is derived from the token (server address and referent id), so
  every process that holds a proxy, pickled or inherited, computes the same one without
  any state travelling with the proxy: the object is listed once. (The referent id is its
  address in the server: an object made where a freed one lived gets the freed one's id,
  and keeps its first label.)
* ``BaseProxy._callmethod``: calls that can block are recorded as waits. As for the other
  primitives, a wait is recorded only once a non-blocking try failed where such a try
  means the same thing (a lock's ``acquire(False)``, a queue's ``get(False)`` and
  ``put(obj, False)``, an event's ``is_set()``): the uncontended call costs the one round
  trip it always did. A lock's holder is the process whose acquire succeeded (RK_LOCK_*
  records, as a local Lock), a semaphore's the holders of its units. ``Condition`` and
  ``Barrier`` waits, a JoinableQueue's ``join`` and the get/put/join/acquire/wait calls of
  objects of unknown type (a registered callable's) cannot be tried: they are recorded
  around the call. Every other call (a dict's ``d[k] = v``) goes straight through.

The manager's semantics are unchanged: the same arguments reach the server, its results
and exceptions come back as they would, timeouts are the caller's.
"""

from __future__ import annotations

import hashlib
import queue
import sys
import threading
from time import monotonic_ns

from mptui import events as ev
from mptui.agent import channel
from mptui.agent.ring import count, emit, emit_counted

_MAYBE_BLOCKING = frozenset({"acquire", "release", "wait", "get", "put", "join"})
"""Method names whose calls may block or change a holder; the others go straight through."""

_LOCKS = ("Lock", "RLock")
_SEMAPHORES = ("Semaphore", "BoundedSemaphore")
_WAIT_ONLY = ("Condition", "Event", "Barrier")
_QUEUES = ("Queue", "JoinableQueue")
_PLAIN = ("dict", "list", "Value", "Array", "Namespace", "Iterator")
"""Types whose methods never block: their get is a dict's get."""
_KNOWN = frozenset(_LOCKS + _SEMAPHORES + _WAIT_ONLY + _QUEUES + _PLAIN)
_ACQUIRERS = frozenset(_LOCKS + _SEMAPHORES + ("Condition",))
_HOLDABLE = frozenset(_LOCKS + _SEMAPHORES)
_SYNC = frozenset(_LOCKS + _SEMAPHORES + _WAIT_ONLY)
_QUEUE_METHODS = frozenset({"get", "put", "get_nowait", "put_nowait", "qsize"})
"""A referent of unknown type exposing these is a queue (a registered ``get_jobs`` that
returns a ``queue.Queue``)."""

_ID_BIT = 1 << (ev.OBJECT_ID_BITS - 1)
"""Set in every manager object's id: ids made by make_object_id (pid << 20) stay below it
for any pid under 2**27, so the two kinds of id never collide."""


def _codes(kind_base: int, oid: int, aux: int = 0) -> int:
    return kind_base << 56 | aux << 48 | oid


def object_id(token) -> int:
    """The session-wide id of a manager's object: the same in every process."""
    key = f"{token.address!r}/{token.id}".encode("utf-8", "replace")
    digest = hashlib.blake2b(key, digest_size=6).digest()
    return _ID_BIT | (int.from_bytes(digest, "big") & (_ID_BIT - 1))


def _kind_of(typeid: str, exposed) -> str:
    """The object's type as mptui shows it after ``Manager ``: ``Lock``, ``Queue``, ``dict``;
    a registered type's typeid, unless what it exposes makes it a queue."""
    if typeid in _KNOWN:
        return typeid
    if exposed and set(exposed) >= _QUEUE_METHODS:
        return "Queue"
    return typeid


def user_site() -> tuple[str, str]:
    """``(assigned name or "", "file.py:12")`` of the program's line that asked for it
    (``Manager()`` reaches ``BaseManager.start`` through multiprocessing.context)."""
    from mptui.agent import sites

    return sites.program_site(sites.program_frame(sys._getframe(1)))


# --------------------------------------------------------------------------------------
# What a proxy is, worked out once per proxy object.


class _Traced:
    """How to record the calls of one proxy: its object id and its type."""

    __slots__ = ("oid", "kind", "code_acquired", "code_released", "count_releases")

    def __init__(self, proxy) -> None:
        token = proxy._token
        self.oid = oid = object_id(token)
        self.kind = _kind_of(token.typeid, getattr(proxy, "_exposed_", None))
        # The codes of a lock's fast path, made once.
        self.code_acquired = _codes(ev.RK_LOCK_ACQUIRED, oid)
        self.code_released = _codes(ev.RK_LOCK_RELEASED, oid)
        self.count_releases = _codes(ev.RK_LOCK_RELEASES, oid)


def _traced(proxy) -> _Traced:
    try:
        return proxy._mptui_traced
    except AttributeError:
        traced = _Traced(proxy)
        # object.__setattr__: a NamespaceProxy sends other attributes to the server.
        object.__setattr__(proxy, "_mptui_traced", traced)
        return traced


# Per process: when this process (or thread, for an RLock) took what it holds, for hold
# times and for an RLock's outermost acquire. Proxies of one object in one process share it.
_lock_taken: dict[int, int] = {}  # Lock oid -> t acquired
_rlock_depth: dict[tuple[int, int], list[int]] = {}  # (oid, thread) -> [depth, t acquired]
_units_taken: dict[int, list[int]] = {}  # Semaphore oid -> times its units were taken


def _outcome_of(error: BaseException | None) -> int:
    if error is None:
        return ev.OUTCOME_OK
    if isinstance(error, (queue.Empty, queue.Full)):
        return ev.OUTCOME_TIMEOUT
    if isinstance(error, threading.BrokenBarrierError):
        return ev.OUTCOME_BROKEN
    if isinstance(error, (EOFError, OSError)):
        return ev.OUTCOME_BROKEN  # the server went away
    return ev.OUTCOME_INTERRUPTED


def _waited(oid: int, op: int, call, proxy, name, args, kwds, timed_out=None):
    """The call, recorded as a wait: begin now, end with its outcome and duration.
    ``timed_out(result)`` says whether a result (not an exception) means a timeout."""
    t0 = monotonic_ns()
    emit(_codes(ev.RK_WAIT_BEGIN, oid, op), t0, 0)
    error = result = None
    try:
        result = call(proxy, name, args, kwds)
        return result
    except BaseException as raised:
        error = raised
        raise
    finally:
        t1 = monotonic_ns()
        outcome = _outcome_of(error)
        if error is None and timed_out is not None and timed_out(result):
            outcome = ev.OUTCOME_TIMEOUT
        emit(_codes(ev.RK_WAIT_END, oid, outcome), t1, t1 - t0)


def _false_is_timeout(result) -> bool:
    return result is False


def _blocking(args, kwds, index: int, name: str) -> bool:
    return bool(args[index] if len(args) > index else kwds.get(name, True))


def _acquire(call, proxy, traced: _Traced, args, kwds):
    oid, kind = traced.oid, traced.kind
    if kind in _WAIT_ONLY:  # a Condition's own lock: waits only, no holder shown
        if not _blocking(args, kwds, 0, "blocking"):
            return call(proxy, "acquire", args, kwds)
        if call(proxy, "acquire", (False,), {}):
            return True
        return _waited(oid, ev.OP_ACQUIRE, call, proxy, "acquire", args, kwds, _false_is_timeout)
    if not _blocking(args, kwds, 0, "blocking"):
        ok = call(proxy, "acquire", args, kwds)
        if ok:
            _took(traced, monotonic_ns(), 0)
        return ok
    if call(proxy, "acquire", (False,), {}):  # the try: one round trip, as the call itself
        _took(traced, monotonic_ns(), 0)
        return True
    # Blocked: a wait, recorded as a local lock's (mptui.agent.traced) or semaphore's.
    locks = kind in _LOCKS
    t0 = monotonic_ns()
    if locks:
        emit(_codes(ev.RK_LOCK_WAIT, oid), t0, 0)
    else:
        emit(_codes(ev.RK_WAIT_BEGIN, oid, ev.OP_ACQUIRE), t0, 0)
    try:
        ok = call(proxy, "acquire", args, kwds)
    except BaseException as error:
        t1 = monotonic_ns()
        emit(_codes(ev.RK_WAIT_END, oid, _outcome_of(error)), t1, t1 - t0)
        raise
    t1 = monotonic_ns()
    waited = t1 - t0
    if not locks:
        emit(_codes(ev.RK_WAIT_END, oid, ev.OUTCOME_OK if ok else ev.OUTCOME_TIMEOUT), t1, waited)
    if ok:
        _took(traced, t1, waited)
        count(_codes(ev.RK_LOCK_CONTENDED, oid), waited)
    else:
        if locks:
            emit(_codes(ev.RK_LOCK_TIMEOUT, oid), t1, waited)
        count(_codes(ev.RK_LOCK_TIMEOUTS, oid), waited)
    return ok


def _took(traced: _Traced, t: int, waited: int) -> None:
    oid, kind = traced.oid, traced.kind
    if kind == "RLock":
        key = (oid, threading.get_ident())
        held = _rlock_depth.get(key)
        if held is not None:
            held[0] += 1  # re-entered: only the outermost acquire is recorded
            return
        _rlock_depth[key] = [1, t]
    elif kind == "Lock":
        _lock_taken[oid] = t
    else:
        _units_taken.setdefault(oid, []).append(t)
    emit(traced.code_acquired, t, waited)


def _release(call, proxy, traced: _Traced, args, kwds):
    oid, kind = traced.oid, traced.kind
    if kind in _WAIT_ONLY:
        return call(proxy, "release", args, kwds)
    t = monotonic_ns()
    result = call(proxy, "release", args, kwds)  # raises when not held: nothing recorded
    if kind == "RLock":
        key = (oid, threading.get_ident())
        held = _rlock_depth.get(key)
        if held is not None:
            held[0] -= 1
            if held[0] > 0:
                return result
            del _rlock_depth[key]
        started = held[1] if held is not None else -1
    elif kind == "Lock":
        started = _lock_taken.pop(oid, -1)
    else:
        taken = _units_taken.get(oid)
        started = taken.pop() if taken else -1
    hold = t - started if started >= 0 else -1
    emit_counted(traced.code_released, t, hold, traced.count_releases)
    return result


def _queue_call(call, proxy, traced: _Traced, name, args, kwds):
    oid = traced.oid
    if name == "get":
        if not _blocking(args, kwds, 0, "block"):
            result = call(proxy, name, args, kwds)
        else:
            try:
                result = call(proxy, "get", (False,), {})
            except queue.Empty:
                result = _waited(oid, ev.OP_GET, call, proxy, name, args, kwds)
        count(_codes(ev.RK_QUEUE_GET, oid), 0)
        return result
    if name == "put":
        if not args or not _blocking(args, kwds, 1, "block"):
            result = call(proxy, name, args, kwds)
        else:
            try:
                result = call(proxy, "put", (args[0], False), {})
            except queue.Full:
                result = _waited(oid, ev.OP_PUT, call, proxy, name, args, kwds)
        count(_codes(ev.RK_QUEUE_PUT, oid), 0)
        return result
    if name == "join":
        return _waited(oid, ev.OP_WAIT, call, proxy, name, args, kwds)
    return call(proxy, name, args, kwds)


def _traced_call(call, proxy, name, args, kwds):
    traced = _traced(proxy)
    kind = traced.kind
    if kind in _PLAIN:
        return call(proxy, name, args, kwds)
    if kind in _QUEUES:
        return _queue_call(call, proxy, traced, name, args, kwds)
    if name == "acquire" and kind in _ACQUIRERS:
        return _acquire(call, proxy, traced, args, kwds)
    if name == "release" and kind in _HOLDABLE:
        return _release(call, proxy, traced, args, kwds)
    # A set event's wait returns at once: only an unset one's is a wait (the try costs the
    # round trip the wait would have, and the slow path one more).
    is_event = kind == "Event" and "is_set" in getattr(proxy, "_exposed_", ())
    if name == "wait" and is_event and call(proxy, "is_set", (), {}):
        return True
    if name == "wait" and kind in _WAIT_ONLY:
        # Event.wait and Condition.wait return False when their timeout ran out.
        timed_out = _false_is_timeout if kind != "Barrier" else None
        return _waited(traced.oid, ev.OP_WAIT, call, proxy, name, args, kwds, timed_out)
    if name == "release" or kind in _SYNC:
        return call(proxy, name, args, kwds)
    # An object of a registered type: its get, put, join, acquire or wait may block.
    return _waited(traced.oid, ev.OP_CALL, call, proxy, name, args, kwds)


# --------------------------------------------------------------------------------------
# Hooks


def patch(managers) -> None:
    """Hook ``multiprocessing.managers`` (called once, when the program imports it)."""
    base, proxy = managers.BaseManager, managers.BaseProxy
    original_start, original_create = base.start, base._create
    original_callmethod = proxy._callmethod

    def start(self, *args, **kwargs):
        _name, site = user_site()
        result = original_start(self, *args, **kwargs)
        process = getattr(self, "_process", None)
        pid = getattr(process, "pid", None)
        if pid:
            channel.send(ev.MANAGER, child=pid, name=f"manager ({site})")
        return result

    def _create(self, typeid, /, *args, **kwds):
        token, exposed = original_create(self, typeid, *args, **kwds)
        try:
            _declare(token, exposed)
        except Exception:  # noqa: BLE001 - never break the program for a label
            pass
        return token, exposed

    def _callmethod(self, methodname, args=(), kwds={}):  # noqa: B006 - the original's
        if methodname in _MAYBE_BLOCKING:
            return _traced_call(original_callmethod, self, methodname, args, kwds)
        return original_callmethod(self, methodname, args, kwds)

    for replacement, original in (
        (start, original_start),
        (_create, original_create),
        (_callmethod, original_callmethod),
    ):
        replacement.__doc__ = original.__doc__
        replacement.__qualname__ = original.__qualname__
    base.start, base._create = start, _create
    proxy._callmethod = _callmethod


def _declare(token, exposed) -> None:
    """Announce a manager's new object, named by the program line that asked for it."""
    kind = _kind_of(token.typeid, exposed)
    var, site = user_site()
    if not var and kind != token.typeid:
        var = token.typeid  # get_jobs (remote.py:33): the registered name says more
    label = f"{var} ({site})" if var else site
    channel.send(ev.OBJECT, id=object_id(token), type=f"Manager {kind}", label=label)
