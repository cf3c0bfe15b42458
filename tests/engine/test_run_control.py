"""RunControl, on real programs: restart, stop, kill, the end policy, and quitting.

Both front ends drive their runs through it (the dashboard and headless), so what is
checked here holds for both.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from engine_runs import alive

from mptui.engine import verdict
from mptui.engine.guardian import Strays, start_time
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session

SLEEPER = """
import time
print("up", flush=True)
time.sleep(60)
"""

ORPHAN = Path(__file__).resolve().parents[1] / "programs" / "orphan.py"
"""A main process that leaves its child running (the end policy stops it)."""


def wait_for_line(session, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(line.text == text for line in session.store.log_since(0).lines):
            return
        time.sleep(0.05)
    raise AssertionError(f"no line {text!r}")


def test_restart_ends_the_first_run_before_the_second_starts(write_script):
    program = Program.from_script(write_script(SLEEPER))
    with RunControl() as runs:
        first = runs.start(program)
        wait_for_line(first, "up")
        first_pid = first.runner_pid
        second = runs.restart()
        assert second is not first and runs.session is second
        assert not first.running and not alive(first_pid)
        wait_for_line(second, "up")
        assert runs.running and alive(second.runner_pid)
        assert runs.store is second.store and runs.program == program
        second_pid = second.runner_pid
    assert not alive(second_pid)  # close() ended the second one too


def test_stop_ends_the_run_and_says_the_user_stopped_it(write_script):
    with RunControl() as runs:
        session = runs.start(Program.from_script(write_script(SLEEPER)))
        wait_for_line(session, "up")
        assert runs.stop()
        assert runs.wait(10)
        assert session.store.snapshot().verdict == verdict.STOPPED
        assert not runs.stop()  # nothing runs any more


def test_signal_reaches_processes_of_this_run_only(write_script):
    with RunControl() as runs:
        assert not runs.signal(os.getpid(), 0)  # no run yet
        session = runs.start(Program.from_script(write_script(SLEEPER)))
        wait_for_line(session, "up")
        assert not runs.signal(os.getpid(), signal.SIGTERM)  # not one of the program's
        assert runs.signal(session.runner_pid, signal.SIGKILL)
        assert runs.wait(10)
        main = session.store.snapshot().process(session.runner_pid)
        assert main is not None and main.exitcode == -signal.SIGKILL


@pytest.mark.timeout(60)
def test_the_end_policy_is_run_controls():
    """A child left running by its ended main process: a bare Session leaves it running,
    RunControl stops it after the session's linger and says so."""
    program = Program.from_script(ORPHAN)
    with Session(program, linger=0.5) as bare:
        bare.start()
        assert bare.wait_main_ended(20)
        assert not bare.wait(2.0)  # four times the linger: nobody stopped the child
    with RunControl(lambda p: Session(p, linger=0.5)) as runs:
        session = runs.start(program)
        assert runs.wait(20)
        snap = session.store.snapshot()
    lingerer = next(p for p in snap.processes if p.name == "lingerer")
    assert lingerer.verdict == verdict.LEFT_RUNNING
    assert snap.run.stop_reason == verdict.STOP_LEFT_RUNNING


def test_a_failed_start_leaves_no_run_and_a_closed_one_starts_nothing(write_script):
    program = Program.from_script(write_script(SLEEPER))
    runs = RunControl()
    with pytest.raises(ValueError, match="start method"):
        runs.start(Program.from_script(program.argv[0], (), "no-such-method"))
    assert runs.session is None and not runs.running
    runs.close()
    with pytest.raises(RuntimeError):
        runs.start(program)
    assert runs.session is None


def test_strays_kill_only_the_same_process_never_a_reused_pid(tmp_path):
    """The record the collector writes and the guardian reads (SESSION_DIR/pids)."""
    import subprocess
    import sys

    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    spared = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        record = Strays(str(tmp_path))
        # The spared one is noted with another start time: as if its pid had been reused
        # by a new process since it was noted.
        record.note({victim.pid: start_time(victim.pid), spared.pid: "0"})
        Strays.load(str(tmp_path)).kill()  # as the guardian does, from the file
        assert victim.wait(10) == -signal.SIGKILL
        assert spared.poll() is None
    finally:
        for proc in (victim, spared):
            proc.kill()
            proc.wait()
