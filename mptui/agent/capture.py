"""Output capture: this process's fds 1 and 2 become pipes read by the collector.

Working at the file-descriptor level catches everything a process writes: print, logging,
``log_to_stderr``, C extensions, faulthandler dumps and the output of non-Python children
that inherit the fds. Each stream gets its own connection, so every line is attributed to
the process and stream that wrote it, and nothing written is lost when the process dies:
the kernel keeps the bytes until the collector reads them. The read end of each pipe is
handed to the collector over its socket (SCM_RIGHTS).
"""

from __future__ import annotations

import faulthandler
import os
import sys

from mptui import events as ev
from mptui.agent import channel


def capture_streams() -> None:
    """Point fds 1 and 2 at fresh connections and make stdout line-buffered."""
    for fd, stream in ((1, ev.STREAM_STDOUT), (2, ev.STREAM_STDERR)):
        # A pipe, not a socket: a pipe packs many small writes into one page, where a
        # stream socket keeps one buffer per write, and a flood of short lines is then
        # several times more expensive to read.
        read_end, write_end = os.pipe()
        try:
            channel.hand_over(stream, read_end)
        except OSError:
            os.close(read_end)
            os.close(write_end)
            return  # the collector is unreachable: leave output where it was
        os.close(read_end)  # the collector has its own copy now
        # dup2 makes fd 1/2 inheritable, so subprocesses (even non-Python ones) write
        # into the same stream and are attributed to this process.
        os.dup2(write_end, fd)
        os.close(write_end)
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                # Line-buffered: a dashboard shows lines as they are printed, and a
                # process killed by a signal keeps every complete line it printed.
                # Not write-through (as -u or PYTHONUNBUFFERED would make it): print()
                # writes text and newline separately, and one write per line is enough.
                reconfigure(line_buffering=True, write_through=False)
            except (ValueError, OSError):
                pass
    # A crash (SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL) dumps the Python stack to fd 2.
    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=True)
