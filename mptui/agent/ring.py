"""The ring: this process's shared memory for hot-path events (lock, queue, pipe).

A file in the session's private directory, mapped into memory, laid out as in
mptui.events: counters for queue and pipe operations, records for lock operations.
Writing a record is four stores into a memoryview, bumping a counter three (the counter
twice, then the table's change count): no system call, no lock shared with other processes
(it would change the contention being measured) and no thread. The collector maps the same
file and polls it, so a record or a count is seen within one poll (about 20 ms) even if
this process then goes quiet; a table whose change count did not move is not read.
Threads of this process reserve slots with ``itertools.count`` (atomic under the GIL) and
publish each record by writing its sequence number last. If the collector falls behind
by a whole ring, old records are overwritten and the collector counts them as dropped.

The ring is created on the first event, so processes that use no traced primitive cost
nothing.
"""

from __future__ import annotations

import itertools
import mmap
import os

from mptui import events as ev
from mptui.agent import channel

directory = channel.session_dir  # imported late (first traced primitive), not at start-up
_words = None
_slots = itertools.count()
_counter_of: dict[int, int] = {}  # counter code -> index of its slot's first word
_free_counter = 0
_refused: set[int] = set()  # counter codes that found the table full (said once each)


def configure(session_dir: str) -> None:
    global directory
    directory = session_dir


def _open_ring() -> bool:
    global _words, _slots
    if not directory:
        return False
    path = os.path.join(directory, f"ring-{channel.pid}")
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            # Allocated now, not on first touch: on a full tmpfs (a container's small
            # /dev/shm) a sparse file would kill writer and reader with SIGBUS later.
            os.posix_fallocate(fd, 0, ev.RING_BYTES)
            mapped = mmap.mmap(fd, ev.RING_BYTES)
        finally:
            os.close(fd)
    except OSError:
        try:
            os.unlink(path)
        except OSError:
            pass
        return False  # no space: this process's lock, queue and pipe records go unseen
    _words = memoryview(mapped).cast("q")
    _slots = itertools.count()
    channel.send(ev.RING, path=path)
    return True


_OFFSET, _MASK, _WORDS = ev.RING_OFFSET_WORDS, ev.RING_MASK, ev.RING_RECORD_WORDS
_CHANGED = ev.COUNTERS_CHANGED


def emit(code: int, t_ns: int, value: int) -> None:
    """Append one record; creates the ring on first use."""
    words = _words
    if words is None:
        if not _open_ring():
            return
        words = _words
    seq = next(_slots)
    base = _OFFSET + (seq & _MASK) * _WORDS
    words[base] = 0  # being written: a reader that lapped us must not take a torn record
    words[base + 1] = code
    words[base + 2] = t_ns
    words[base + 3] = value
    words[base] = seq + 1  # published: the record is complete


def emit_counted(code: int, t_ns: int, value: int, counter: int) -> None:
    """``emit(code, t_ns, value)`` and ``count(counter, value)`` in one call (a lock's
    release: the hot path pays for one Python call, not two).

    The counter is written BEFORE the record is published and COUNTERS_CHANGED is not
    bumped: the collector reads the table again whenever it read a record, so the record
    says the table changed, at no cost to the hot path."""
    words = _words
    if words is None:
        if not _open_ring():
            return
        words = _words
    slot = _counter_of.get(counter)
    if slot is None:
        slot = _claim_counter(counter)
        if slot < 0:
            emit(code, t_ns, value)  # the table is full: the record alone
            return
    words[slot + 1] += 1
    if value > 0:
        words[slot + 2] += value
    seq = next(_slots)
    base = _OFFSET + (seq & _MASK) * _WORDS
    words[base] = 0
    words[base + 1] = code
    words[base + 2] = t_ns
    words[base + 3] = value
    words[base] = seq + 1


def counter_base(code: int) -> int:
    """Index of this process's counter slot for ``code`` (claimed on first use), or -1.
    Callers that cache it must check that ``generation`` did not change (a fork)."""
    base = _counter_of.get(code)
    return base if base is not None else _claim_counter(code)


def count(code: int, amount: int) -> None:
    """Add one operation (and ``amount`` bytes) to this process's counter for ``code``.

    Threads of one process updating the same counter at the same instant can lose an
    increment (read-modify-write); an exact count would need a lock on the hot path.
    COUNTERS_CHANGED is bumped after the counter (see mptui.events): two threads can lose
    one of their bumps too, but each leaves the word different from what it was before
    its own counter write, which is all the collector compares."""
    base = _counter_of.get(code)
    if base is None:
        base = _claim_counter(code)
        if base < 0:
            return
    words = _words
    words[base + 1] += 1
    if amount:  # never for a queue: this pays for the bump below
        words[base + 2] += amount
    words[_CHANGED] += 1  # after the counter: the collector reads this first


def _claim_counter(code: int) -> int:
    global _free_counter
    if _words is None and not _open_ring():
        return -1
    if _free_counter >= ev.COUNTER_SLOTS:
        # More counters than slots in this process: this one goes uncounted. Say so, once,
        # so the dashboard and the summary show the object as not counted, never as idle.
        if code not in _refused:
            _refused.add(code)
            op = ev.COUNTER_OPS.get(code >> 56, "unknown")
            channel.send(ev.UNCOUNTED, id=code & ev.OBJECT_ID_MASK, op=op)
        return -1
    base = _free_counter * ev.COUNTER_WORDS
    _free_counter += 1
    _words[base + 1] = _words[base + 2] = 0
    _words[base] = code  # claimed last: the collector starts reading the slot now
    _counter_of[code] = base
    return base


generation = 0
"""Changes in a fork child: counter slots cached by objects are the parent's, not ours."""


def forget_after_fork() -> None:
    """A fork child shares its parent's mapping: it must write to a ring of its own."""
    global _words, _free_counter, generation
    _words = None
    _counter_of.clear()
    _refused.clear()
    _free_counter = 0
    generation += 1
