"""Where the program waits: the line of the program's code a blocking wait was called from.

Called on the slow path only, once a process is about to block (a failed non-blocking
try, an empty queue, a running child): it finds the program's frame, the first one
outside mptui's agent and the standard library's multiprocessing, concurrent and
threading, and writes a WAIT_SITE ring record naming that line, just before the wait's
own begin record. The line itself travels once per process: the first time a site is
seen, one ``site`` message (file and line) goes on the message channel; after that a
site is a dict lookup. A fork child starts with an empty table (the Store keys sites by
the pid that sent them, and the child's message channel is its own).
"""

from __future__ import annotations

import itertools
import os
import sys
from time import monotonic_ns

from mptui import events as ev
from mptui.agent import channel
from mptui.agent.ring import emit

_LIBRARIES = frozenset({"multiprocessing", "concurrent", "threading"})
# In this process: (id of a code object, bytecode offset) -> site id, for the lookup on
# every wait (f_lineno is computed from the line table, an offset is just read); and
# (id of a code object, line) -> site id, so that two calls on one line are one site.
_ids: dict[tuple[int, int], int] = {}
_lines: dict[tuple[int, int], int] = {}
_codes: list = []  # those code objects, kept alive so that no other takes their ids
_next_id = itertools.count(1)  # atomic under the GIL: two threads never share an id
_owner = 0  # the pid _ids belongs to: a fork child's first wait starts a new table
_NOWHERE = 0  # the site id of a wait with no program frame (mptui's own, a Pool's)


def _site_id(frame) -> int:
    """The id of the line ``frame`` is at, sending its ``site`` message the first time."""
    global _owner, _next_id
    if _owner != channel.pid:
        _ids.clear()
        _lines.clear()
        _codes.clear()
        _next_id = itertools.count(1)
        _owner = channel.pid
    code = frame.f_code
    key = (id(code), frame.f_lasti)  # a code object's own hash covers all its bytecode
    site = _ids.get(key)
    if site is None:
        line = frame.f_lineno
        site = _lines.get((key[0], line))
        if site is None:
            site = _lines[(key[0], line)] = next(_next_id)
            _codes.append(code)
            path = code.co_filename
            if not path.startswith("<"):  # <stdin>, <string>: no file to show
                path = os.path.abspath(path)
            channel.send(ev.SITE, id=site, file=path, line=line)
        _ids[key] = site
    return site


def program_frame(frame):
    """The first frame from ``frame`` outwards that is the program's own code, or None
    (a Process's bootstrap is as far as a child's own code goes: below it, a fork child
    keeps its parent's frames)."""
    while frame is not None:
        module = frame.f_globals.get("__name__") or ""
        if module.partition(".")[0] not in _LIBRARIES and not module.startswith("mptui.agent"):
            return frame
        if module == "multiprocessing.process" and frame.f_code.co_name == "_bootstrap":
            return None
        frame = frame.f_back
    return None


def assigned_name(filename: str, lineno: int) -> str:
    """``results`` for a line ``results = Queue()`` (or ``self.results = ...``): the name
    the program gives the object, which says more than a line number. Empty when the line
    assigns several names at once, or none."""
    import linecache
    import re

    match = re.match(r"\s*(?:self\.)?([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)",
                     linecache.getline(filename, lineno))  # fmt: skip
    return match.group(1) if match else ""


def program_site(frame) -> tuple[str, str]:
    """``(assigned name or "", "file.py:12")`` of a program frame (see
    :func:`program_frame`); ``("", "?")`` for None."""
    if frame is None:
        return "", "?"
    filename, line = frame.f_code.co_filename, frame.f_lineno
    return assigned_name(filename, line), f"{os.path.basename(filename)}:{line}"


def mark_wait(oid: int) -> None:
    """Record where the wait on object ``oid`` about to begin was called from (object id
    0 for a join). Never raises into the program."""
    try:
        frame = program_frame(sys._getframe(1))
        site = _site_id(frame) if frame is not None else _NOWHERE
    except Exception:  # noqa: BLE001 - a wait's site is never worth the program's wait
        return
    if site:
        emit(ev.RK_WAIT_SITE << 56 | oid, monotonic_ns(), site)
