"""Stacks of a stuck process: through mptui's agent (no ptrace), through py-spy when it can
attach, never by taking a signal the program uses; and printed headless on a deadlock."""

from __future__ import annotations

import dataclasses
import subprocess
import sys

import pytest
from engine_runs import wait_until

from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session
from mptui.engine.stacks import dump_stacks

STUCK = """
import multiprocessing as mp, time

def stuck_here(lock):
    lock.acquire()               # the parent holds it: this line is where it waits

if __name__ == "__main__":
    lock = mp.Lock()
    lock.acquire()
    p = mp.Process(target=stuck_here, args=(lock,), name="stuck")
    p.start()
    time.sleep(30)
"""

TAKES_THE_SIGNAL = """
import signal, time
got = []
signal.signal(41, lambda *args: got.append(1))   # the program's own use of SIGRTMIN+7
print("ready", flush=True)
time.sleep(30)
"""


def waiting_pid(session, name):
    def find():
        snap = session.store.snapshot()
        proc = next((p for p in snap.processes if p.name == name), None)
        return proc.pid if proc is not None and snap.waiting(proc.pid) else None

    return wait_until(find)


@pytest.fixture
def stuck_run(write_script, start_method):
    with RunControl(Session) as runs:
        session = runs.start(Program.from_script(write_script(STUCK), (), start_method))
        yield runs, session


def test_the_agent_gives_every_thread_stack_without_ptrace(stuck_run):
    runs, session = stuck_run
    pid = waiting_pid(session, "stuck")
    dump = dump_stacks(pid, session._dir, use_pyspy=False)
    assert dump.method == "agent" and dump.note == ""  # asked not to try py-spy
    assert "(most recent call first)" in dump.text
    assert 'prog.py", line 5 in stuck_here' in dump.text  # the line it waits on
    assert "mptui/agent/" not in dump.text  # mptui's own frames are left out
    # Asked again, it answers again (the dump file is appended to, read from the end).
    again = dump_stacks(pid, session._dir, use_pyspy=False)
    assert again.text.count("stuck_here") == 1


def test_stacks_through_the_run_control_say_how_they_were_taken(stuck_run):
    runs, session = stuck_run
    pid = waiting_pid(session, "stuck")
    dump = runs.stacks(pid)
    assert dump.ok and "stuck_here" in dump.text
    if dump.method == "agent":  # py-spy missing, or ptrace refused here: said why
        assert dump.note.startswith("py-spy")
    assert not runs.stacks(999_999_999).ok  # not a process of the run


def test_a_program_that_uses_the_signal_keeps_it(write_script):
    with RunControl(Session) as runs:
        session = runs.start(Program.from_script(write_script(TAKES_THE_SIGNAL), ()))
        pid = wait_until(lambda: session.store.snapshot().lines_total and
                         session.store.snapshot().run.state == "running" and
                         next(p.pid for p in session.store.snapshot().processes
                              if p.role == "runner"))  # fmt: skip
        dump = dump_stacks(pid, session._dir, use_pyspy=False)
        assert dump.method == "none"
        assert "took the signal for itself" in dump.text


def test_headless_prints_every_process_stacks_when_a_deadlock_is_found():
    argv = [sys.executable, "-m", "mptui", "deadlock", "--headless", "--stacks",
            "-p", "give_up=3"]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "DEADLOCK: worker-1 and worker-2 wait on each other" in out
    for name in ("MainProcess", "worker-1", "worker-2"):
        assert f"* stacks of {name} (pid " in out
    # Each worker's stack shows the line it waits on: the second acquire.
    assert out.count("in work") + out.count("work (deadlock.py") >= 2


@pytest.mark.parametrize("start_method", ["fork"])
def test_a_fork_child_writes_its_own_stacks_not_its_parents(write_script, start_method):
    with RunControl(Session) as runs:
        program = Program.from_script(write_script(STUCK), (), start_method)
        session = runs.start(dataclasses.replace(program))
        child = waiting_pid(session, "stuck")
        parent = next(p.pid for p in session.store.snapshot().processes if p.role == "runner")
        child_dump = dump_stacks(child, session._dir, use_pyspy=False)
        parent_dump = dump_stacks(parent, session._dir, use_pyspy=False)
        assert "stuck_here" in child_dump.text and "stuck_here" not in parent_dump.text
        assert "time.sleep" in parent_dump.text or "<module>" in parent_dump.text
