"""Every lesson, run under mptui, teaches its point AND the Store saw what happened.

The same output checks as the plain-python runs (lesson_checks.py), on the merged log as
mptui collected it, plus what only mptui knows: every process with exit code 0, the queue's
puts and gets, the pipe's messages, the lock's acquisitions.
"""

from __future__ import annotations

import pytest
from engine_runs import run_program
from lesson_checks import ARGS, check

from mptui.engine.session import Program
from mptui.scenarios import get_lesson, parse_params


def run_lesson(name: str, start_method: str):
    lesson = get_lesson(name)
    options = ARGS[name]  # ["--count", "7", ...] -> ["count=7", ...]
    pairs = [f"{options[i].lstrip('-')}={options[i + 1]}" for i in range(0, len(options), 2)]
    values = parse_params(lesson, pairs)
    return run_program(Program.from_lesson(lesson, values, start_method))


def assert_observed(name: str, run) -> None:
    out = "".join(line + "\n" for line in run.lines(stream="stdout"))
    err = "".join(line + "\n" for line in run.lines(stream="stderr"))
    # Under mptui every line leaves its process when printed, as with PYTHONUNBUFFERED.
    check(name, out, err, "unbuffered", merged=True)
    snap = run.snapshot
    assert run.exitcode == 0
    assert snap.run.state == "ended" and snap.run.exitcode == 0
    if name == "pool-crash":
        # The worker that os._exit(1)s, and the pool's terminate() ending the others.
        assert [p.exitcode for p in snap.processes if p.exitcode not in (0, -15)] == [1]
    else:
        assert [p for p in snap.processes if p.exitcode != 0] == []
    ended = {"exited", "killed"} if name == "pool-crash" else {"exited"}  # terminate()
    assert all(p.state in ended for p in snap.processes)
    assert snap.lines_total == len(run.lines())
    assert sum(p.lines for p in snap.processes) == snap.lines_total
    assert snap.events_dropped == 0 and snap.bad_messages == 0
    children = [p for p in snap.processes if p.role == "child"]
    assert children, "the lesson's processes were seen"
    if name == "queue":
        (queue,) = snap.queues
        assert queue.puts == queue.gets == int(ARGS["queue"][1]) + 1  # results + sentinel
        assert queue.depth == 0
    if name == "pipe":
        (pipe,) = snap.pipes
        assert pipe.sent == (0, 1) and pipe.received == (1, 0)
        assert pipe.sent_bytes[1] == pipe.received_bytes[0] > len("hello world")
    if name == "lock":
        (lock,) = snap.locks
        assert lock.acquisitions == 3 * 3  # --workers 3 --rounds 3
        assert lock.holder is None and lock.waiters == ()
        assert 0 < lock.contended <= lock.acquisitions
        assert lock.hold_p50_ns >= 0.03e9 * 0.9  # each turn holds it for --hold 0.03 s
    if name == "semaphore":
        (permits,) = [lock for lock in snap.locks if lock.label.startswith("permits")]
        assert permits.acquisitions == 4 * 2  # --workers 4 --rounds 2
    if name == "producer-consumer":
        (tasks,) = snap.queues
        assert tasks.puts == tasks.gets == 30 + 3  # --items 30, a sentinel per consumer
        assert tasks.depth == 0
    if name == "pool-map":
        workers = [p for p in snap.processes if p.name.endswith("PoolWorker-1")]
        assert len(workers) == 1, [p.name for p in snap.processes]


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ARGS))
def test_lesson_under_mptui(name, start_method):
    assert_observed(name, run_lesson(name, start_method))


@pytest.mark.parametrize("name", list(ARGS))
def test_lesson_under_mptui_with_pythonunbuffered_flipped(name, unbuffered):
    assert_observed(name, run_lesson(name, "fork"))


def test_start_method_reaches_every_child(start_method):
    run = run_lesson("two-processes", start_method)
    children = [p for p in run.snapshot.processes if p.role == "child"]
    assert len(children) == 2
    assert {p.start_method for p in children} == {start_method}
    assert run.snapshot.run.start_method == start_method
    helpers = {p.name for p in run.snapshot.processes if p.role == "helper"}
    expected = {"fork": set(), "spawn": {"resource_tracker"}}
    assert helpers == expected.get(start_method, {"resource_tracker", "forkserver"})
