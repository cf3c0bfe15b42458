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
from lesson_checks import (
    ARGS,
    DEFAULT_CHECKS,
    check,
    check_deadlock,
    check_join_drain,
    check_lock,
    check_logging,
    check_pipe,
    lines,
    lock_blocks,
)

from mptui.scenarios import get_lesson, lessons

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
        check_lock(proc.stdout, workers=4, rounds=15)
    elif name == "pipe":
        check_pipe(proc.stdout)
    elif name == "deadlock":
        check_deadlock(proc.stdout)
    elif name == "join-drain":
        check_join_drain(proc.stdout, 2000, "8")
    elif name in DEFAULT_CHECKS:
        DEFAULT_CHECKS[name](proc.stdout)
        assert proc.stderr == ""


@pytest.mark.parametrize("method", METHODS)
def test_the_fixed_orders_neither_deadlock_nor_hang(method):
    deadlock = run_lesson("deadlock", method, "buffered", "--order", "same", "--give-up", "5")
    check_deadlock(deadlock.stdout, order="same")
    drain = run_lesson("join-drain", method, "buffered", "--order", "get-then-join")
    check_join_drain(drain.stdout, 2000, give_up=None)


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


# Runs a lesson as `python path args...` would, but creating a Process ends the run with
# status 99: a lesson that refused a value too late, after starting workers, is caught.
NO_PROCESS_LAUNCHER = """\
import multiprocessing, os, runpy, sys

class NoProcess:
    def __init__(self, *args, **kwargs):
        sys.stderr.write("a Process was created\\n")
        sys.stderr.flush()
        os._exit(99)

multiprocessing.Process = NoProcess
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(sys.argv[0]))
runpy.run_path(sys.argv[0], run_name="__main__")
"""

RANGED = [
    (lesson.name, param) for lesson in lessons() for param in lesson.params if param.low is not None
]


def run_without_processes(name: str, *args: str) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-c", NO_PROCESS_LAUNCHER, str(get_lesson(name).path), *args]
    return run_in_own_group(argv, dict(os.environ))


def test_the_no_process_launcher_catches_a_started_process():
    """Control for the test below: with good values the lesson gets as far as a Process."""
    proc = run_without_processes("lock", "--workers", "2")
    assert proc.returncode == 99 and "a Process was created" in proc.stderr


@pytest.mark.parametrize(("name", "param"), RANGED, ids=[f"{n}-{p.name}" for n, p in RANGED])
def test_plain_lesson_refuses_values_out_of_range_before_starting_anything(name, param):
    """`python lesson.py --workers 100000` stops at the argument check, as mptui does."""
    refusal = f"{param.flag} must be from {param.low} to {param.high}"  # as LIMITS has them
    step = 1 if param.type is int else 0.5
    values = [param.high + step, param.low - step, 99999999999999999999999]
    if param.type is float:
        values += ["1e300", "inf", "nan"]
    for value in values:
        proc = run_without_processes(name, f"{param.flag}={value}")
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert proc.stderr.splitlines()[-1] == f"{get_lesson(name).path.name}: error: {refusal}"


def test_lock_runs_with_the_most_workers_it_allows():
    """The top of the range is usable, not only refused above: 32 workers take turns."""
    high = get_lesson("lock").param("workers").high
    proc = run_lesson(
        "lock", None, "buffered", "--workers", str(high), "--rounds", "1", "--hold", "0"
    )
    check_lock(proc.stdout, workers=high, rounds=1)
