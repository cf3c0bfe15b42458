"""mptui in a real terminal: a pty, as a user's terminal or an SSH session gives it.

Used by the tests that must see the bytes mptui writes and the way it exits (every way out,
signals, hostile program text, huge lines), and by the benchmarks that time them
(benchmarks/tui_quit.py, bench_memory.py put this directory on their path).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from collections.abc import Callable, Mapping, Sequence

import psutil

ALT_SCREEN_OFF = b"\x1b[?1049l"
"""What Textual writes when it gives the terminal back."""
WAYS_OUT = ("q", "SIGTERM", "SIGHUP", "terminal closed")
"""What :meth:`Terminal.leave` does."""


def alive(pid: int) -> bool:
    """True if ``pid`` runs (a zombie has ended: it only waits to be reaped)."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


class Terminal:
    """``python -m mptui ARGS`` running in a new session with a pty as its terminal."""

    def __init__(self, args: Sequence[str], *, size: tuple[int, int] = (120, 40),
                 env: Mapping[str, str] | None = None) -> None:  # fmt: skip
        width, height = size
        winsize = struct.pack("HHHH", height, width, 0, 0)
        pid, master = pty.fork()
        if pid == 0:  # the child: never run on as a copy of the caller
            try:
                # The size is set here, before mptui starts: set by the parent, it could
                # come after mptui read a 0x0 terminal on a busy machine.
                fcntl.ioctl(0, termios.TIOCSWINSZ, winsize)
                # COLUMNS and LINES from the test runner would override the pty's size.
                inherited = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
                environment = {**inherited, "TERM": "xterm-256color", **(env or {})}
                environment.pop("PYTHONUNBUFFERED", None)
                argv = [sys.executable, "-m", "mptui", *args]
                os.execvpe(sys.executable, argv, environment)
            finally:
                os._exit(127)
        self.pid, self.master = pid, master
        self.status: int | None = None
        """The wait status once mptui has exited."""
        fcntl.ioctl(master, termios.TIOCSWINSZ, winsize)

    def read(self, seconds: float, until: Callable[[bytes], bool] | None = None) -> bytes:
        """What mptui writes for ``seconds`` (or until ``until(bytes so far)``)."""
        out = b""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not (until is not None and until(out)):
            if self.master < 0:
                time.sleep(0.02)
                continue
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(self.master, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        return out

    def type(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def kill(self, sig: int) -> None:
        """Send mptui a signal, as ``kill -SIG PID`` from another shell would."""
        os.kill(self.pid, sig)

    def leave(self, way_out: str) -> None:
        """Leave mptui one of the ways a user does: ``q``, ``SIGTERM``, ``SIGHUP``, or
        ``terminal closed`` (see :data:`WAYS_OUT`)."""
        if way_out == "q":
            self.type(b"q")
        elif way_out in ("SIGTERM", "SIGHUP"):
            self.kill(signal.Signals[way_out])
        elif way_out == "terminal closed":
            self.hang_up()
        else:
            raise ValueError(way_out)

    def hang_up(self) -> None:
        """Close the terminal, as a dropped SSH connection does (the kernel sends SIGHUP)."""
        os.close(self.master)
        self.master = -1

    def descendants(self, marker: str) -> list[int]:
        """Pids of mptui's descendants whose command line contains ``marker``."""
        found = []
        for child in psutil.Process(self.pid).children(recursive=True):
            try:
                if marker in " ".join(child.cmdline()):
                    found.append(child.pid)
            except psutil.NoSuchProcess:
                pass
        return found

    def wait_exit(self, timeout: float) -> tuple[int | None, bytes]:
        """Wait for mptui to exit, reading what it writes meanwhile (a terminal that is not
        read would block it). Returns the wait status (None if it still runs) and the bytes."""
        out = b""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out += self.read(0.02)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.status = status
                out += self.read(0.1)
                return status, out
        return None, out

    def close(self) -> None:
        """SIGKILL mptui if it still runs, reap it, close the terminal."""
        if self.status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        if self.master >= 0:
            os.close(self.master)
            self.master = -1


def wait_gone(pids: Sequence[int], timeout: float = 2.0) -> list[int]:
    """The pids still alive after up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    return [p for p in pids if alive(p)]
