"""The dashboard in a real terminal (a pty): every way out stops the observed program and
gives the terminal back.

mptui runs as a user would run it, in its own session with the pty as its controlling
terminal, on the lock lesson with the real engine. Then it is quit with ``q`` or Ctrl+C,
sent SIGTERM, or loses its terminal (the pty's master is closed, as when an SSH
connection dies, which sends SIGHUP). Afterwards no process of the lesson may be alive
(checked by pid), and where the terminal still exists, mptui must have left the
alternate screen and shown the cursor again.
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

import psutil
import pytest

ALT_SCREEN_OFF = b"\x1b[?1049l"


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def read_some(master: int, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def start_in_pty(env_extra: dict[str, str]) -> tuple[int, int]:
    pid, master = pty.fork()
    if pid == 0:  # the child: a new session with the pty as its controlling terminal
        try:
            env = {**os.environ, "TERM": "xterm-256color", **env_extra}
            env.pop("PYTHONUNBUFFERED", None)
            args = [sys.executable, "-m", "mptui", "lock", "--param", "rounds=100"]
            os.execvpe(sys.executable, args, env)
        finally:
            os._exit(127)  # never run on as a copy of the test process
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    return pid, master


def lesson_pids(mptui_pid: int, timeout: float = 20.0) -> set[int]:
    """Pids of the observed program once its four workers run (mptui's own guardian aside)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = set()
        for child in psutil.Process(mptui_pid).children(recursive=True):
            try:
                if "scenarios/lock.py" in " ".join(child.cmdline()):
                    found.add(child.pid)
            except psutil.NoSuchProcess:
                pass
        if len(found) >= 5:  # the runner and its four workers
            return found
        time.sleep(0.1)
    raise AssertionError("the lesson did not start")


@pytest.mark.parametrize(
    ("way_out", "env"),
    [
        ("q", {}),
        ("ctrl+c", {"NO_COLOR": "1"}),
        ("sigterm", {"TERM": "xterm"}),
        ("terminal dropped", {}),
    ],
)
def test_every_way_out_stops_the_program_and_restores_the_terminal(way_out, env):
    pid, master = start_in_pty(env)
    try:
        screen = read_some(master, 0.5)
        pids = lesson_pids(pid)
        screen += read_some(master, 1.0)  # the dashboard draws
        assert b"lock" in screen
        if way_out == "q":
            os.write(master, b"q")
        elif way_out == "ctrl+c":
            os.write(master, b"\x03")
        elif way_out == "sigterm":
            os.kill(pid, signal.SIGTERM)
        else:
            os.close(master)  # the terminal is gone: the kernel sends SIGHUP
        tail = b"" if way_out == "terminal dropped" else read_some(master, 5.0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, _status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("mptui did not exit")
        gone_by = time.monotonic() + 2.0
        while time.monotonic() < gone_by and any(alive(p) for p in pids):
            time.sleep(0.05)
        assert not [p for p in pids if alive(p)], "processes of the program outlived mptui"
        if way_out != "terminal dropped":
            assert ALT_SCREEN_OFF in tail, "the terminal was not given back"
            # Nothing after the dashboard is gone (the log may show the program's own
            # KeyboardInterrupt tracebacks while it stops: that is the program's output).
            after = tail.rsplit(ALT_SCREEN_OFF, 1)[1]
            assert b"Traceback" not in after, after.decode(errors="replace")
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if way_out != "terminal dropped":
            os.close(master)
