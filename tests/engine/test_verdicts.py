"""One verdict per process and per run, the same in every front end, for every ending.

Each case runs a real program in which one process, the subject, ends one way. The test
then reads what each front end would show: the dashboard's process table and summary
panel, the headless summary text, the JSON summary, and the headless exit status. They
must all say what the engine decided (found: a child exiting 3 was a green "Finished" in
the dashboard and FAILED headless; after a stop the dashboard called every worker failed;
a subprocess child the program ended with terminate() counted as a failure).
"""

from __future__ import annotations

import signal
import time

import pytest

from mptui.engine import verdict
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session
from mptui.headless import summary_json, summary_text
from mptui.tui.widgets.process_panel import ENDED_STATES, process_cells
from mptui.tui.widgets.summary_panel import HEADLINES, summarize

PROGRAM = """
import multiprocessing as mp, os, signal, subprocess, sys, time

def subject(how):
    print("subject up", flush=True)
    if how == "exit0":
        return
    if how == "exit3":
        sys.exit(3)
    if how == "raise":
        raise RuntimeError("boom")
    if how == "signal":
        os.kill(os.getpid(), signal.SIGSEGV)
    time.sleep(60)

if __name__ == "__main__":
    how = sys.argv[1]
    if how.startswith("popen-"):
        code = "import time; print('subject up', flush=True); time.sleep(60)"
        child = subprocess.Popen([sys.executable, "-c", code])
        time.sleep(0.5)
        if how == "popen-terminate":
            child.terminate()
        elif how == "popen-kill":
            child.kill()
        else:
            child.send_signal(signal.SIGUSR1)
        child.wait()
        sys.exit(0)
    p = mp.Process(target=subject, args=(how,), name="subject", daemon=how == "daemon")
    p.start()
    if how == "terminate":
        time.sleep(0.5)
        p.terminate()
    elif how == "daemon":
        time.sleep(0.5)  # main ends; multiprocessing terminates its daemon children
        sys.exit(0)
    elif how == "orphan":
        time.sleep(0.5)
        os._exit(0)  # main ends at once: no join, the child is left running
    p.join()
"""

# how -> (the subject's verdict, the run's verdict, headless exit status), for a strict run
# (a lesson, mptui run --strict): any failed process fails the run.
CASES = {
    "exit0": (verdict.OK, verdict.OK, 0),
    "exit3": (verdict.FAILED, verdict.FAILED, 1),
    "raise": (verdict.FAILED, verdict.FAILED, 1),
    "signal": (verdict.FAILED, verdict.FAILED, 1),
    "kill-from-mptui": (verdict.KILLED, verdict.OK, 0),
    # You killed the main process: the run was stopped; its child is left running.
    "kill-main-from-mptui": (verdict.LEFT_RUNNING, verdict.STOPPED, 0),
    "stop-from-mptui": (verdict.STOPPED, verdict.STOPPED, 0),
    "terminate": (verdict.ENDED_BY_PARENT, verdict.OK, 0),
    "daemon": (verdict.ENDED_BY_PARENT, verdict.OK, 0),
    "orphan": (verdict.LEFT_RUNNING, verdict.OK, 0),
    "popen-terminate": (verdict.ENDED_BY_PARENT, verdict.OK, 0),
    "popen-kill": (verdict.ENDED_BY_PARENT, verdict.OK, 0),
    "popen-send_signal": (verdict.ENDED_BY_PARENT, verdict.OK, 0),
}

# Where a script run as it comes (not strict) differs: judged by its main process, which
# exited 0 here, so failed children make the run "some failed" and exit 0 (and are still
# named); a main process killed by SIGKILL exits 128+9; one stopped from mptui exits as the
# stop ended it (None: checked against its exit code).
NOT_STRICT = {
    "exit3": (verdict.SOME_FAILED, 0),
    "raise": (verdict.SOME_FAILED, 0),
    "signal": (verdict.SOME_FAILED, 0),
    "kill-main-from-mptui": (verdict.STOPPED, 128 + signal.SIGKILL),
    "stop-from-mptui": (verdict.STOPPED, None),
}
RUNS = [(how, False) for how in CASES] + [(how, True) for how in NOT_STRICT]


def _wait_for_subject(session: Session) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        snap = session.store.snapshot()
        if any(line.text == "subject up" for line in session.store.log_since(0).lines):
            return next(p.pid for p in snap.processes if p.name == "subject")
        time.sleep(0.05)
    raise AssertionError("the subject never started")


def _run(path, how: str, strict: bool):
    program = Program.from_script(path, ["sleep"] if "-from-" in how else [how], strict=strict)
    if "-from-mptui" not in how:
        # A short end policy: the orphan is stopped half a second after main ends.
        return run_program_with_linger(program)
    with RunControl(lambda p: Session(p, linger=0.5)) as runs:
        session = runs.start(program)
        pid = _wait_for_subject(session)
        if how == "kill-from-mptui":
            assert session.signal_process(pid, signal.SIGKILL)
        elif how == "kill-main-from-mptui":
            assert session.signal_process(session.runner_pid, signal.SIGKILL)
        else:
            session.stop()
        assert session.wait(20)
        return session.store.snapshot()


def run_program_with_linger(program: Program):
    # Under a RunControl, as in both front ends: it applies the end policy.
    with RunControl(lambda p: Session(p, linger=0.5)) as runs:
        session = runs.start(program)
        assert session.wait(30), "the program did not finish"
        return session.store.snapshot()


@pytest.mark.parametrize(("how", "strict"), RUNS, ids=[f"{h}{'-strict' * s}" for h, s in RUNS])
def test_every_front_end_gives_the_engine_verdict(write_script, how, strict):
    expected_process, expected_run, expected_status = CASES[how]
    if not strict and how in NOT_STRICT:
        expected_run, expected_status = NOT_STRICT[how]
    snap = _run(write_script(PROGRAM), how, strict)
    subject = next(p for p in snap.processes if p.name in ("subject", "python -c"))
    assert subject.verdict == expected_process, verdict.describe(subject)
    assert snap.verdict == expected_run
    assert (subject in snap.failed) == (expected_process == verdict.FAILED)

    # The dashboard: the State column of the process table, and the summary panel.
    state = process_cells(subject, time.monotonic_ns())[2].plain
    assert state == ENDED_STATES[expected_process][0]
    panel = summarize(snap).plain
    assert panel.startswith(HEADLINES[expected_run][0])
    assert (f"{subject.name}: " in panel) == (expected_process == verdict.FAILED)

    # Headless text: the subject's line and the result line.
    text = summary_text(snap)
    line = next(row for row in text.splitlines() if f"pid {subject.pid} " in row)
    assert verdict.describe(subject) in line
    result = text.rstrip().splitlines()[-1]
    assert result.startswith(
        {
            verdict.OK: "result: ok",
            verdict.FAILED: "result: FAILED: ",
            verdict.STOPPED: "result: stopped",
            verdict.SOME_FAILED: f"result: ok, but 1 process failed: {subject.name} (",
        }[expected_run]
    )
    if expected_process == verdict.LEFT_RUNNING:
        assert "1 left running" in result

    # JSON and the exit status.
    summary = summary_json(snap)
    assert summary["verdict"] == expected_run
    by_pid = {p["pid"]: p for p in summary["processes"]}
    assert by_pid[subject.pid]["verdict"] == expected_process
    if expected_status is None:  # the main process's own status, as a shell shows it
        code = snap.run.exitcode
        expected_status = 128 - code if code < 0 else code
        assert expected_status != 0
    assert verdict.headless_exit_status(snap) == expected_status


@pytest.mark.parametrize("strict", [True, False], ids=["strict", "not-strict"])
def test_a_stopped_run_keeps_a_crash_that_came_before_the_stop(write_script, strict):
    """Stopping a run does not wash out a failure that happened before the stop: a strict
    run failed; any run still names the crashed process."""
    path = write_script(
        """
        import multiprocessing as mp, sys, time
        def crash():
            sys.exit(5)
        def sleep():
            print("sleeper up", flush=True)
            time.sleep(60)
        if __name__ == "__main__":
            mp.Process(target=crash, name="crasher").start()
            mp.Process(target=sleep, name="sleeper").start()
            time.sleep(60)
        """
    )
    with Session(Program.from_script(path, strict=strict)) as session:
        session.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            crasher = session.store.snapshot()
            crasher = next((p for p in crasher.processes if p.name == "crasher"), None)
            if crasher is not None and not crasher.alive:
                break
            time.sleep(0.05)
        session.stop()
        assert session.wait(20)
        snap = session.store.snapshot()
    assert [p.name for p in snap.failed] == ["crasher"]
    assert snap.verdict == (verdict.FAILED if strict else verdict.STOPPED)
    assert {p.verdict for p in snap.processes if p.name != "crasher"} == {verdict.STOPPED}


def test_ended_processes_all_have_a_real_exit_code(write_script, start_method):
    """Helpers (resource tracker, fork server) and processes mptui killed get their real
    code or signal, not "code unknown" (found: both were reaped by os.waitpid unseen)."""
    path = write_script(
        """
        import multiprocessing as mp, time
        def sleep():
            print("sleeper up", flush=True)
            time.sleep(60)
        if __name__ == "__main__":
            q = mp.Queue()  # starts the resource tracker under spawn and forkserver
            workers = [mp.Process(target=sleep, name=f"sleeper-{n}") for n in range(2)]
            for w in workers:
                w.start()
            for w in workers:
                w.join()
        """
    )
    with Session(Program.from_script(path, (), start_method)) as session:
        session.start()
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            lines = session.store.log_since(0).lines
            if sum(line.text == "sleeper up" for line in lines) == 2:
                break
            time.sleep(0.05)
        session.stop(grace=0.2)  # SIGINT, SIGTERM, then SIGKILL to whatever is left
        assert session.wait(20)
        snap = session.store.snapshot()
    assert all(p.exitcode is not None for p in snap.processes), [
        (p.name, p.state) for p in snap.processes if p.exitcode is None
    ]
    assert snap.failed == ()
