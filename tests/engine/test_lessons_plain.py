"""Every lesson, run with plain python (no mptui), does what it teaches under every start method.

Each lesson runs in a subprocess, with PYTHONUNBUFFERED unset (stdout to a pipe is then
block-buffered) and set (every write goes straight out, so lines of concurrent processes
can cut into each other). The start method is forced from outside, the way mptui does
it, so the lesson itself never names one.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys

import pytest
from lesson_checks import ARGS, check, check_lock, check_logging, check_pipe, lines, lock_blocks

from mptui.scenarios import get_lesson

METHODS = [
    m for m in ("fork", "spawn", "forkserver") if m in multiprocessing.get_all_start_methods()
]
BUFFERING = ["buffered", "unbuffered"]

# Runs the lesson as `python path` would (the lesson's directory first on sys.path), but
# under the start method given as argv[1].
LAUNCHER = """\
import multiprocessing as mp, os, runpy, sys
mp.set_start_method(sys.argv[1])
sys.argv = sys.argv[2:]
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run_lesson(
    name: str, method: str | None, buffering: str, *args: str
) -> subprocess.CompletedProcess:
    """Run lesson ``name`` with ``args`` and return the finished process (exit code 0)."""
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)
    if buffering == "unbuffered":
        env["PYTHONUNBUFFERED"] = "1"
    path = str(get_lesson(name).path)
    if method is None:
        argv = [sys.executable, path, *args]  # the platform's default start method
    else:
        argv = [sys.executable, "-c", LAUNCHER, method, path, *args]
    proc = run_in_own_group(argv, env)
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def run_in_own_group(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """Like subprocess.run, but a lesson that hangs is killed with all its children."""
    with subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,
    ) as popen:
        try:
            stdout, stderr = popen.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            # subprocess.run would kill only the parent, leaving its workers behind.
            os.killpg(popen.pid, signal.SIGKILL)
            popen.communicate()
            raise
    return subprocess.CompletedProcess(argv, popen.returncode, stdout, stderr)


@pytest.mark.slow
@pytest.mark.parametrize("buffering", BUFFERING)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name", list(ARGS))
def test_lesson_teaches_its_point(name, method, buffering):
    proc = run_lesson(name, method, buffering, *ARGS[name])
    check(name, proc.stdout, proc.stderr, buffering)


@pytest.mark.parametrize("method", METHODS)
def test_logging_at_debug_shows_every_level_and_multiprocessing_itself(method):
    proc = run_lesson("logging", method, "buffered", "--level", "DEBUG", "--workers", "2")
    check_logging(proc.stderr, "DEBUG", workers=2)
    assert "[INFO/worker-1] child process calling self.run()" in lines(proc.stderr)


@pytest.mark.parametrize("name", list(ARGS))
def test_lesson_runs_as_a_plain_script_with_defaults(name):
    """`python mptui/scenarios/<file>.py`: the script's own directory is first on sys.path."""
    proc = run_lesson(name, None, "buffered")
    assert proc.stdout or proc.stderr
    if name == "lock":
        check_lock(proc.stdout, workers=4, rounds=3)
    elif name == "pipe":
        check_pipe(proc.stdout)


def test_lock_checker_catches_interleaving():
    """The lock check is a real test: with the Lock swapped for a no-op, blocks mix."""
    method = "fork" if "fork" in METHODS else METHODS[0]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    path = str(get_lesson("lock").path)
    script = (
        "import contextlib, multiprocessing\n"
        "multiprocessing.Lock = contextlib.nullcontext\n" + LAUNCHER
    )
    argv = [sys.executable, "-c", script, method, path, "--workers", "3", "--hold", "0.03"]
    proc = run_in_own_group(argv, env)
    assert proc.returncode == 0, proc.stderr
    with pytest.raises(AssertionError, match="interleaved|torn"):
        lock_blocks(proc.stdout)
