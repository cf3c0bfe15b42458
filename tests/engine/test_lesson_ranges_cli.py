"""``mptui LESSON --param NAME=VALUE`` with a value out of range: one line, exit 2, nothing run.

The command runs as a user runs it, in a subprocess, but with every way of starting a
process (subprocess, fork, posix_spawn) replaced by one that exits with status 99: a
refusal that came too late, after the program was started, cannot pass unnoticed.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

# Runs `python -m mptui ARGS...`, except that starting any process exits it with status 99.
NO_PROCESSES = """\
import _posixsubprocess, os, runpy, subprocess, sys

def started(*args, **kwargs):
    sys.stderr.write("a process was started\\n")
    sys.stderr.flush()
    raise SystemExit(99)  # not os._exit: mptui cleans up (its session directory) on the way

subprocess.Popen.__init__ = started
_posixsubprocess.fork_exec = started
os.fork = os.posix_spawn = os.posix_spawnp = started
sys.argv = ["mptui", *sys.argv[1:]]
runpy.run_module("mptui", run_name="__main__", alter_sys=True)
"""


def mptui_without_processes(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", NO_PROCESSES, *args], capture_output=True, text=True, timeout=60
    )


def test_the_guard_catches_a_started_program():
    """Control: with a good value, mptui starts the program, and the guard sees it."""
    result = mptui_without_processes("lock", "--param", "workers=2", "--headless")
    assert result.returncode == 99, result.stderr
    assert "a process was started" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["lock", "--param", "workers=100000", "--headless"],
            "bad value '100000' for workers: expected an integer from 1 to 32",
        ),
        (
            ["lock", "--param", "workers=99999999999999999999999", "--headless"],
            "bad value '99999999999999999999999' for workers: expected an integer from 1 to 32",
        ),
        (
            ["lock", "--param", "hold=1e300", "--json"],
            "bad value '1e300' for hold: expected a number from 0 to 60",
        ),
        (
            ["queue", "-p", "count=100001", "--headless"],
            "bad value '100001' for count: expected an integer from 1 to 100000",
        ),
        (
            ["logging", "--param=delay=61", "--headless"],
            "bad value '61' for delay: expected a number from 0 to 60",
        ),
    ],
)
def test_out_of_range_is_one_line_exit_2_and_starts_nothing(args, message):
    result = mptui_without_processes(*args)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr == f"mptui: {message}\n"
