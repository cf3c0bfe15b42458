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

import signal
import time

import pytest
from pty_terminal import ALT_SCREEN_OFF, Terminal, wait_gone


def start_lock_lesson(env: dict[str, str]) -> Terminal:
    """The dashboard on the lock lesson (long enough to be running when a test acts)."""
    return Terminal(["lock", "--param", "rounds=100"], env=env)


def lesson_pids(terminal: Terminal, timeout: float = 20.0) -> list[int]:
    """Pids of the observed program once its four workers run (mptui's own guardian aside)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = terminal.descendants("scenarios/lock.py")
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
    terminal = start_lock_lesson(env)
    try:
        screen = terminal.read(0.5)
        pids = lesson_pids(terminal)
        screen += terminal.read(1.0)  # the dashboard draws
        assert b"lock" in screen
        if way_out == "q":
            terminal.type(b"q")
        elif way_out == "ctrl+c":
            terminal.type(b"\x03")
        elif way_out == "sigterm":
            terminal.kill(signal.SIGTERM)
        else:
            terminal.hang_up()  # the terminal is gone: the kernel sends SIGHUP
        status, tail = terminal.wait_exit(10)
        assert status is not None, "mptui did not exit"
        assert not wait_gone(pids), "processes of the program outlived mptui"
        if way_out != "terminal dropped":
            assert ALT_SCREEN_OFF in tail, "the terminal was not given back"
            # Nothing after the dashboard is gone (the log may show the program's own
            # KeyboardInterrupt tracebacks while it stops: that is the program's output).
            after = tail.rsplit(ALT_SCREEN_OFF, 1)[1]
            assert b"Traceback" not in after, after.decode(errors="replace")
    finally:
        terminal.close()
