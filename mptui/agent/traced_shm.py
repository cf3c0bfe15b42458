"""Shared memory segments: which processes create, attach, close and unlink them.

``multiprocessing.shared_memory.SharedMemory`` (and so ``ShareableList`` and a
``SharedMemoryManager``'s segments, which are made of it) reports on the message channel:
``shm_opened`` when this process creates or attaches a segment (its name and size),
``shm_closed`` when it closes its mapping, ``shm_unlinked`` when it destroys the segment.
These are rare calls, each already a few system calls: one message each costs little.
A segment is named by its own name, the same in every process that attaches it.
"""

from __future__ import annotations

import os

from mptui import events as ev
from mptui.agent import channel


def _send(kind: str, **fields: object) -> None:
    try:
        channel.send(kind, **fields)
    except Exception:  # noqa: BLE001 - a finalizer at interpreter exit: never raise
        pass


def patch(shared_memory) -> None:
    """Hook ``multiprocessing.shared_memory`` (once, when the program imports it)."""
    cls = shared_memory.SharedMemory
    original_init, original_close, original_unlink = cls.__init__, cls.close, cls.unlink

    def __init__(self, *args, **kwargs):  # noqa: N807 - the original's name
        original_init(self, *args, **kwargs)
        # Only what opened: a failed attach raised above and reports nothing.
        created = bool(self._flags & os.O_EXCL)  # create=True opens with O_CREAT | O_EXCL
        _send(ev.SHM_OPENED, name=self.name, size=self.size, created=created)

    def close(self):
        was_open = self._mmap is not None
        result = original_close(self)
        if was_open:  # close() again, or __del__ after close(): said once
            _send(ev.SHM_CLOSED, name=self.name)
        return result

    def unlink(self):
        result = original_unlink(self)
        if self._name:
            _send(ev.SHM_UNLINKED, name=self.name)
        return result

    for replacement, original in ((__init__, original_init), (close, original_close),
                                  (unlink, original_unlink)):  # fmt: skip
        replacement.__doc__ = original.__doc__
        replacement.__qualname__ = original.__qualname__
    cls.__init__, cls.close, cls.unlink = __init__, close, unlink
