"""Signals sent to the dashboard (``kill -INT``, ``kill -TERM``, ``kill -HUP``) stop the
program, give the terminal back, and exit with 128 + the signal's number.

Found: ``kill -INT <mptui pid>`` exited with status 0, as if the user had quit, while
SIGTERM and SIGHUP gave 143 and 129. (Ctrl+C typed in the terminal is not a signal: in
raw mode it is a key, a normal quit with status 0; test_tui_terminal.py covers it.)
"""

from __future__ import annotations

import os
import signal

import pytest
from pty_terminal import ALT_SCREEN_OFF, wait_gone
from test_tui_terminal import lesson_pids, start_lock_lesson


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=lambda sig: sig.name)  # fmt: skip
def test_a_signal_stops_the_program_and_exits_128_plus_its_number(sig):
    terminal = start_lock_lesson({})
    try:
        terminal.read(0.5)
        pids = lesson_pids(terminal)
        terminal.read(1.0)  # the dashboard draws
        terminal.kill(sig)
        status, tail = terminal.wait_exit(10)
        assert status is not None, "mptui did not exit"
        assert os.WIFEXITED(status), f"mptui ended by a signal: {status:#x}"
        assert os.WEXITSTATUS(status) == 128 + sig
        assert not wait_gone(pids), "processes of the program outlived mptui"
        assert ALT_SCREEN_OFF in tail, "the terminal was not given back"
    finally:
        terminal.close()
