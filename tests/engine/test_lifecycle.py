"""Nothing left behind: after every way a run or mptui itself can end, no process of the
observed program is alive two seconds later (checked by pid)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from engine_runs import alive, run_program

import mptui.engine as mptui_engine
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session

# A program that would run for a minute: mp children under the chosen start method, a
# grandchild made by a bare os.fork, and a non-Python grandchild. It prints every pid.
LONG_RUNNING = """
import multiprocessing as mp, os, subprocess, sys, time

def sleeper(running):
    sleep = subprocess.Popen(["sleep", "60"])
    print("pid", sleep.pid, flush=True)
    running.put(os.getpid())
    time.sleep(60)

if __name__ == "__main__":
    running = mp.Queue()
    procs = [mp.Process(target=sleeper, args=(running,), name=f"sleeper-{i}")
             for i in range(2)]
    for p in procs:
        p.start()
    for p in procs:  # "ready" once every sleeper runs (spawn children start slowly)
        running.get()
    child = os.fork()
    if child == 0:
        time.sleep(60)
        os._exit(0)
    print("pid", child, flush=True)
    print("ready", flush=True)
    time.sleep(60)
"""


def assert_all_gone(pids: set[int], seconds: float = 2.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and any(alive(p) for p in pids):
        time.sleep(0.05)
    assert not [p for p in pids if alive(p)], "still alive"


def test_normal_end_leaves_nothing(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp
        def work(): print("working")
        if __name__ == "__main__":
            procs = [mp.Process(target=work) for _ in range(3)]
            for p in procs: p.start()
            for p in procs: p.join()
        """
    )
    run = run_program(Program.from_script(path, (), start_method))
    pids = {p.pid for p in run.snapshot.processes}
    assert len(pids) >= 4
    assert_all_gone(pids)


def test_processes_left_running_after_main_ends_are_stopped(write_script):
    path = write_script(
        """
        import subprocess, sys
        lingering = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        print("pid", lingering.pid)
        """
    )
    events: list[dict] = []
    with RunControl(lambda p: Session(p, listeners=[events.extend], linger=0.5)) as runs:
        session = runs.start(Program.from_script(path))
        assert session.wait(10)  # the end policy stops the lingering grandchild
    pids = {p.pid for p in session.store.snapshot().processes}
    texts = [text for e in events if e["kind"] == "lines" for text in e["texts"]]
    printed = {int(text.split()[1]) for text in texts if text.startswith("pid ")}
    assert printed
    assert printed <= pids  # the python grandchild said hello: it was observed
    assert_all_gone(pids)


def wait_for_ready(session: Session, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delta = session.store.log_since(0)
        if any(line.text == "ready" for line in delta.lines):
            return
        time.sleep(0.05)
    raise AssertionError("the program did not get ready")


def test_stop_ends_every_process(write_script, start_method):
    session = Session(Program.from_script(write_script(LONG_RUNNING), (), start_method))
    try:
        session.start()
        wait_for_ready(session)
        time.sleep(0.3)  # let the sleepers print their grandchildren's pids
        snap = session.store.snapshot()
        pids = {p.pid for p in snap.processes}
        pids |= {int(line.text.split()[1]) for line in session.store.log_since(0).lines
                 if line.text.startswith("pid ")}  # fmt: skip
        assert len(pids) >= 6
        # A long grace: on a loaded machine a child may need more than the default half
        # second to run its KeyboardInterrupt handler; stop() returns as soon as all ended.
        session.stop(grace=20.0)
        assert not session.running
        after = session.store.snapshot()
        sleepers = [p for p in after.processes if p.name.startswith("sleeper")]
        assert len(sleepers) == 2 and not any(p.alive for p in sleepers)
        # Ctrl+C first, as in a terminal: Python children end with KeyboardInterrupt.
        for sleeper in sleepers:
            err = [line.text for line in session.store.log_since(0).lines
                   if line.pid == sleeper.pid and line.stream == "stderr"]  # fmt: skip
            assert "KeyboardInterrupt" in err
        # Stopped by mptui: however they ended, none of it is the program's failure.
        assert all(p.verdict == "stopped" for p in after.processes)
        assert after.failed == ()
    finally:
        session.close()
    assert_all_gone(pids)


def start_mptui_cli(
    path, start_method: str = "fork", expect: int = 6
) -> tuple[subprocess.Popen, set[int]]:
    """Run ``mptui run --json PATH`` and return it with every pid of the program, once ready."""
    command = [sys.executable, "-m", "mptui", "run", "--json", "--start-method", start_method]
    cli = subprocess.Popen(
        [*command, "--python", sys.executable, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    pids: set[int] = set()
    deadline = time.monotonic() + 30
    for line in cli.stdout:
        event = json.loads(line)
        if event["kind"] == "hello":
            pids.add(event["pid"])
        elif event["kind"] == "line" and event["text"].startswith("pid "):
            pids.add(int(event["text"].split()[1]))
        elif event["kind"] == "line" and event["text"] == "ready":
            break
        assert time.monotonic() < deadline
    # The sleepers print their grandchild's pid a moment after starting.
    while len(pids) < expect and time.monotonic() < deadline:
        event = json.loads(cli.stdout.readline())
        if event["kind"] == "hello":
            pids.add(event["pid"])
        elif event["kind"] == "line" and event["text"].startswith("pid "):
            pids.add(int(event["text"].split()[1]))
    return cli, pids


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGKILL])
def test_mptui_killed_by_signal_leaves_nothing(write_script, sig):
    cli, pids = start_mptui_cli(write_script(LONG_RUNNING))
    assert len(pids) >= 6 and all(alive(p) for p in pids)
    os.kill(cli.pid, sig)
    code = cli.wait(10)
    cli.stdout.close()
    assert code == (-sig if sig == signal.SIGKILL else 128 + sig)
    assert_all_gone(pids)


def test_mptui_sigkilled_under_forkserver_leaves_nothing(write_script):
    """The fork server outlives its clients unless something ends it: the group kill does."""
    cli, pids = start_mptui_cli(write_script(LONG_RUNNING), "forkserver")
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait(10)
    cli.stdout.close()
    assert_all_gone(pids)


ESCAPES_THE_GROUP = """
import multiprocessing as mp, os, subprocess, time

def escape():
    os.setsid()
    print("escaped", flush=True)
    time.sleep(60)

if __name__ == "__main__":
    p = mp.Process(target=escape, name="escaper")
    p.start()
    sleeper = subprocess.Popen(["sleep", "60"], start_new_session=True)
    print("pid", sleeper.pid, flush=True)
    time.sleep(2.5)  # long enough for the collector to see both (about once a second)
    print("ready", flush=True)
    time.sleep(60)
"""


def test_processes_that_left_the_group_are_stopped_too(write_script):
    session = Session(Program.from_script(write_script(ESCAPES_THE_GROUP)))
    try:
        session.start()
        wait_for_ready(session)
        pids = {p.pid for p in session.store.snapshot().processes}
        pids |= {int(line.text.split()[1]) for line in session.store.log_since(0).lines
                 if line.text.startswith("pid ")}  # fmt: skip
        assert len(pids) >= 3
        session.stop()
    finally:
        session.close()
    assert_all_gone(pids)


def session_dir_of(pid: int) -> str:
    """The session directory mptui gave a process (from its environment)."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        env = dict(item.split(b"=", 1) for item in f.read().split(b"\0") if b"=" in item)
    return env[b"MPTUI_DIR"].decode()


def test_sigkilled_mptui_leaves_no_escaped_process_and_no_files(write_script):
    cli, pids = start_mptui_cli(write_script(ESCAPES_THE_GROUP), expect=3)
    session_dir = session_dir_of(min(pids))
    assert os.path.isdir(session_dir)
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait(10)
    cli.stdout.close()
    assert_all_gone(pids)
    deadline = time.monotonic() + 2
    while os.path.exists(session_dir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(session_dir)


def test_killing_one_process_from_mptui_shows_it_killed_at_once(write_script, start_method):
    path = write_script(
        """
        import multiprocessing as mp, time
        def work():
            print("ready", flush=True)
            time.sleep(60)
        if __name__ == "__main__":
            p = mp.Process(target=work, name="victim")
            p.start()
            time.sleep(4)  # the parent does not join yet: only the kill tells
            p.join()
        """
    )
    with Session(Program.from_script(path, (), start_method)) as session:
        session.start()
        wait_for_ready(session)
        victim = next(p for p in session.store.snapshot().processes if p.name == "victim")
        assert session.signal_process(victim.pid, signal.SIGKILL)
        assert not session.signal_process(os.getpid(), signal.SIGKILL)  # not ours: refused
        deadline = time.monotonic() + 2
        while session.store.snapshot().process(victim.pid).alive:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        seen = session.store.snapshot().process(victim.pid)
        assert (seen.state, seen.signal) == ("killed", "SIGKILL")
        assert seen.verdict == "killed" and not seen.failed  # you killed it on purpose
        assert session.wait(10)
    assert session.store.snapshot().failed == ()


def test_the_guardian_runs_by_path_with_a_short_readable_command_line(write_script):
    """Found: the guardian's whole source code was in its argv, on every ``ps`` line."""
    path = write_script("import time\ntime.sleep(30)\n")
    session = Session(Program.from_script(path))
    try:
        session.start()
        guardian = psutil.Process(session._guardian.pid)
        cmdline = guardian.cmdline()
        assert cmdline[1:3] == ["-I", str(Path(mptui_engine.__file__).parent / "guardian.py")]
        assert len(" ".join(cmdline)) < 300 and "\n" not in " ".join(cmdline)
    finally:
        session.close()
