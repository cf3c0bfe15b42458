"""Traced Semaphore, BoundedSemaphore, Condition, Event, Barrier and the locks of Value and
Array: a program behaves exactly as with plain python (same output, every start method),
and its waits are recorded, only when it blocks, with their outcome and duration."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

import pytest
from engine_runs import run_plain, run_program

from mptui import events as ev
from mptui.agent.traced_sync import (
    TracedBarrier,
    TracedBoundedSemaphore,
    TracedCondition,
    TracedEvent,
    TracedSemaphore,
)
from mptui.engine.session import Program

SEMANTICS = Path(__file__).parent.parent / "programs" / "sync_semantics.py"


def objects(run, pid: int | None = None) -> list[dict]:
    """The objects declared, in the order they were made."""
    return [e for e in run.events if e["kind"] == ev.OBJECT and (pid is None or e["pid"] == pid)]


def waits(run, oid: int, pid: int | None = None) -> list[tuple]:
    """The wait records of one object: ("begin", op) and ("end", outcome), in order."""
    found = []
    for e in run.events:
        if e.get("id") != oid or (pid is not None and e["pid"] != pid):
            continue
        if e["kind"] == ev.WAIT_BEGIN:
            found.append(("begin", e["op"]))
        elif e["kind"] == ev.WAIT_END:
            found.append(("end", e["outcome"]))
    return found


def test_programs_see_what_plain_python_gives_them(start_method):
    plain = run_plain(SEMANTICS, start_method)
    assert plain.returncode == 0, plain.stderr
    run = run_program(Program.from_script(SEMANTICS, (start_method,), start_method), 120)
    main = run.by_name("MainProcess").pid
    assert run.exitcode == 0
    assert run.lines(main, "stdout") == plain.stdout.splitlines()
    assert plain.stdout.splitlines()[-1] == "done"

    declared = objects(run)
    kinds = {e["type"] for e in declared}
    assert {"Semaphore", "BoundedSemaphore", "Condition", "Event", "Barrier"} <= kinds
    labels = {e["label"].split(" ")[0] for e in declared if e["type"] == "RLock"}
    assert {"Value", "Array", "Condition"} <= labels
    assert all(e["pid"] == main for e in declared)  # children made none: listed once
    # The Condition's sleepers (children) waited on it: the traced Condition reached them,
    # pickled (spawn, forkserver) or inherited (fork), and still records.
    cond = next(e for e in declared if e["type"] == "Condition")
    child_waits = [e for e in run.events if e["kind"] == ev.WAIT_BEGIN and e["id"] == cond["id"]]
    assert {e["pid"] for e in child_waits} - {main}
    # Every wait that began ended, in each process (the program ran to its end).
    for e in declared:
        for pid in {p.pid for p in run.snapshot.processes}:
            records = waits(run, e["id"], pid)
            assert [r[0] for r in records] == ["begin", "end"] * (len(records) // 2), e


RECORDS = """
import multiprocessing as mp, signal, threading

class Interrupt(Exception):
    pass

def interrupt(*_):
    raise Interrupt

def interrupted(call):
    signal.signal(signal.SIGALRM, interrupt)
    signal.setitimer(signal.ITIMER_REAL, 0.2)
    try:
        call()
    except Interrupt:
        return "interrupted"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return "went through"

if __name__ == "__main__":
    sem = mp.Semaphore(1)
    with sem:                                   # free: no wait
        pass
    print("acquire", sem.acquire(), sem.acquire(timeout=0.3), sem.acquire(False))
    print("semaphore", interrupted(sem.acquire))
    sem.release()
    unset, was_set = mp.Event(), mp.Event()
    was_set.set()
    print("event", unset.wait(0.3), was_set.wait(), was_set.wait(0.3))
    print("event", interrupted(unset.wait))
    cond = mp.Condition()
    with cond:
        print("condition", cond.wait(0.3))
    aborted = mp.Barrier(2)
    threading.Timer(0.3, aborted.abort).start()
    try:
        aborted.wait()
    except threading.BrokenBarrierError:
        print("broken")
    timed = mp.Barrier(2)
    try:
        timed.wait(0.3)
    except threading.BrokenBarrierError:
        print("timed out")
    lone = mp.Barrier(1)
    print("lone", lone.wait())                  # fills at once: no wait
    print("barrier", interrupted(mp.Barrier(2).wait))
"""


def test_waits_are_recorded_with_their_outcome(write_script, start_method):
    run = run_program(Program.from_script(write_script(RECORDS), (), start_method))
    main = run.by_name("MainProcess").pid
    assert run.lines(main) == [
        "acquire True False False", "semaphore interrupted", "event False True True",
        "event interrupted", "condition False", "broken", "timed out", "lone 0",
        "barrier interrupted",
    ]  # fmt: skip
    sem, unset, was_set, cond, aborted, timed, lone, interrupted = (
        e["id"] for e in objects(run, main) if e["type"] != "RLock"
    )
    acquire, wait = ("begin", "acquire"), ("begin", "wait")
    assert waits(run, sem) == [acquire, ("end", "timeout"), acquire, ("end", "interrupted")]
    assert waits(run, unset) == [wait, ("end", "timeout"), wait, ("end", "interrupted")]
    assert waits(run, was_set) == []  # set: it never blocked
    assert waits(run, cond) == [wait, ("end", "timeout")]
    assert waits(run, aborted) == [wait, ("end", "broken")]
    assert waits(run, timed) == [wait, ("end", "timeout")]
    assert waits(run, lone) == []
    assert waits(run, interrupted) == [wait, ("end", "interrupted")]

    # The timed-out acquire: its begin, its end, and the time between them, which the
    # timeout bounds from below.
    begin, end = [
        e for e in run.events if e.get("id") == sem and e["kind"] in (ev.WAIT_BEGIN, ev.WAIT_END)
    ][:2]
    assert end["outcome"] == "timeout" and end["wait_ns"] == end["t"] - begin["t"]
    assert end["wait_ns"] >= 0.3e9
    # Units taken and given back: the free ``with`` (no wait), then the first acquire.
    taken = [e for e in run.events if e.get("id") == sem and e["kind"] == ev.LOCK_ACQUIRED]
    given = [e for e in run.events if e.get("id") == sem and e["kind"] == ev.LOCK_RELEASED]
    assert [e["wait_ns"] for e in taken] == [0, 0]
    assert len(given) == 2 and all(e["hold_ns"] >= 0 for e in given)


# ---- drop-in behaviour, in this process (no agent needed) -------------------------------

FORK = multiprocessing.get_context("fork")  # a spawn one would start a resource tracker


def traced_and_plain():
    return [
        (TracedSemaphore(2, ctx=FORK, mptui_id=1), FORK.Semaphore(2)),
        (TracedBoundedSemaphore(2, ctx=FORK, mptui_id=2), FORK.BoundedSemaphore(2)),
        (TracedCondition(ctx=FORK, mptui_id=3), FORK.Condition()),
        (TracedEvent(ctx=FORK, mptui_id=4), FORK.Event()),
        (TracedBarrier(2, ctx=FORK, mptui_id=5), FORK.Barrier(2)),
    ]


@pytest.mark.parametrize("index", range(5))
def test_drop_ins_are_the_originals_to_the_program(index):
    traced, plain = traced_and_plain()[index]
    assert isinstance(traced, type(plain))
    # The same repr (an address aside), so a program prints what it printed before.
    assert repr(traced).split(" at ")[0] == repr(plain).split(" at ")[0]
    if not isinstance(plain, multiprocessing.synchronize.Barrier):
        for candidate in (traced, plain):  # only through inheritance, as the original
            with pytest.raises(RuntimeError, match="inheritance"):
                pickle.dumps(candidate)


def test_a_bounded_semaphore_over_released_stays_as_it_was():
    sem = TracedBoundedSemaphore(1, ctx=FORK, mptui_id=7)
    with sem:
        assert sem.get_value() == 0
        assert not sem.acquire(timeout=0.01)
    assert sem.acquire()
    sem._release()  # given back by another process, as it may be
    with pytest.raises(ValueError):
        sem.release()
    # Nothing happened: the unit this process took is still the one it took.
    assert sem.get_value() == 1 and len(sem._held) == 1
