"""Output capture: this process's fds 1 and 2 become pipes read by the collector.

Working at the file-descriptor level catches everything a process writes: print, logging,
``log_to_stderr``, C extensions, faulthandler dumps and the output of non-Python children
that inherit the fds. Each stream gets its own pipe, so every line is attributed to the
process and stream that wrote it, and nothing written is lost when the process dies: the
kernel keeps the bytes until the collector reads them. The read ends of the pipes are
handed to the collector with the first line of the message channel (SCM_RIGHTS).
"""

import faulthandler
import os
import sys

from mptui import events as ev
from mptui.agent import channel


def _identity(fd: int) -> str | None:
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return f"{st.st_dev}:{st.st_ino}"


def capture_streams(take_over: bool = False, hello: dict | None = None) -> None:
    """Open the message channel, saying ``hello`` (its fields), giving fds 1 and 2 pipes of
    their own read by the collector (their read ends travel with the channel's header), and
    line-buffer stdout.

    Only an fd that is an mptui pipe (inherited from the parent's capture) is taken over,
    unless ``take_over`` (the runner): output the program sent elsewhere (a file, a
    ``subprocess`` pipe it reads, /dev/null) stays where the program sent it."""
    ours = set(os.environ.get(ev.ENV_PIPES, "").split())
    pipes = []  # (fd, stream, python stream, read end, write end)
    streams = ((1, ev.STREAM_STDOUT, sys.stdout), (2, ev.STREAM_STDERR, sys.stderr))
    for fd, stream, pystream in streams:
        if not take_over and _identity(fd) not in ours:
            continue
        # A pipe, not a socket: a pipe packs many small writes into one page, where a
        # stream socket keeps one buffer per write, and a flood of short lines is then
        # several times more expensive to read.
        try:
            pipes.append((fd, stream, pystream, *os.pipe()))
        except OSError:
            break  # out of descriptors: leave output where it was
    handed = channel.connect(tuple(p[1] for p in pipes), tuple(p[3] for p in pipes), hello)
    installed = []
    for fd, _stream, pystream, read_end, write_end in pipes:
        os.close(read_end)  # the collector has its own copy now (or none: unreachable)
        if not handed:
            os.close(write_end)
            continue  # the collector is unreachable: leave output where it was
        if pystream is not None:
            try:
                pystream.flush()  # what was written before belongs to the old stream
            except (ValueError, OSError):
                pass
        # dup2 makes fd 1/2 inheritable, so subprocesses (even non-Python ones) write
        # into the same stream and are attributed to this process.
        os.dup2(write_end, fd)
        os.close(write_end)
        installed.append(_identity(fd))
        reconfigure = getattr(pystream, "reconfigure", None)
        if reconfigure is not None:
            try:
                # Line-buffered: a dashboard shows lines as they are printed, and a
                # process killed by a signal keeps every complete line it printed.
                # Not write-through (as -u or PYTHONUNBUFFERED would make it): print()
                # writes text and newline separately, and one write per line is enough.
                reconfigure(line_buffering=True, write_through=False)
            except (ValueError, OSError):
                pass
    os.environ[ev.ENV_PIPES] = " ".join(filter(None, installed))
    # A crash (SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL) dumps the Python stack to fd 2.
    if not faulthandler.is_enabled():
        faulthandler.enable(all_threads=True)
