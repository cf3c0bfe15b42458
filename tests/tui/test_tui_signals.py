"""Signals sent to the dashboard (``kill -INT``, ``kill -TERM``, ``kill -HUP``) stop the
program, give the terminal back, and exit with 128 + the signal's number.

Found: ``kill -INT <mptui pid>`` exited with status 0, as if the user had quit, while
SIGTERM and SIGHUP gave 143 and 129. (Ctrl+C typed in the terminal is not a signal: in
raw mode it is a key, a normal quit with status 0; test_tui_terminal.py covers it.)
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from test_tui_terminal import ALT_SCREEN_OFF, alive, lesson_pids, read_some, start_in_pty


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda sig: sig.name)  # fmt: skip
def test_a_signal_stops_the_program_and_exits_128_plus_its_number(sig):
    pid, master = start_in_pty({})
    try:
        read_some(master, 0.5)
        pids = lesson_pids(pid)
        read_some(master, 1.0)  # the dashboard draws
        os.kill(pid, sig)
        tail = read_some(master, 5.0)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("mptui did not exit")
        assert os.WIFEXITED(status), f"mptui ended by a signal: {status:#x}"
        assert os.WEXITSTATUS(status) == 128 + sig
        gone_by = time.monotonic() + 2.0
        while time.monotonic() < gone_by and any(alive(p) for p in pids):
            time.sleep(0.05)
        assert not [p for p in pids if alive(p)], "processes of the program outlived mptui"
        assert ALT_SCREEN_OFF in tail, "the terminal was not given back"
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(master)
