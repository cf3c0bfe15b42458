"""The ring: this process's shared-memory log of hot-path events (lock, queue, pipe).

A file in the session's private directory, mapped into memory. Writing a record is four
stores into a memoryview: no system call, no lock shared with other processes (it would
change the contention being measured) and no thread. The collector maps the same file and
polls it, so a record is seen within one poll (about 20 ms) even if this process then goes
quiet. Threads of this process reserve slots with ``itertools.count`` (atomic under the GIL)
and publish each record by writing its sequence number last. If the collector falls behind
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

directory = ""
_words = None
_slots = itertools.count()


def configure(session_dir: str) -> None:
    global directory
    directory = session_dir


def _open_ring() -> None:
    global _words, _slots
    path = os.path.join(directory, f"ring-{channel.pid}")
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.ftruncate(fd, ev.RING_BYTES)
        mapped = mmap.mmap(fd, ev.RING_BYTES)
    finally:
        os.close(fd)
    _words = memoryview(mapped).cast("q")
    _slots = itertools.count()
    channel.send(ev.RING, path=path)


def emit(code: int, t_ns: int, value: int) -> None:
    """Append one record; creates the ring on first use."""
    words = _words
    if words is None:
        if not directory:
            return
        try:
            _open_ring()
        except OSError:
            return
        words = _words
    seq = next(_slots)
    base = (seq & ev.RING_MASK) * ev.RING_RECORD_WORDS
    words[base + 1] = code
    words[base + 2] = t_ns
    words[base + 3] = value
    words[base] = seq + 1  # published: the record is complete


def forget_after_fork() -> None:
    """A fork child shares its parent's mapping: it must write to a ring of its own."""
    global _words
    _words = None
