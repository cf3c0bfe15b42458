"""multiprocessing.Pool and ProcessPoolExecutor under mptui (mptui.agent.traced_pool),
under every start method: their queues are shown as the pool's with exact counts, a
parent blocked on results is a ``result`` wait on the pool (only while it blocks), each
worker's tasks done add up to the tasks given, and the pools behave as with plain python.
"""

from __future__ import annotations

import dataclasses
import time

from engine_runs import Run, run_plain, run_program

from mptui import events as ev
from mptui import format as fmt
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session
from mptui.headless import summary_json, summary_text
from mptui.tui.widgets.process_panel import process_cells


def line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def last_counters(run: Run) -> dict[tuple[int, int, str], int]:
    """``(pid, object id, op) -> count``: each process's final totals."""
    totals = {}
    for e in run.events:
        if e["kind"] == ev.COUNTER:
            totals[(e["pid"], e["id"], e["op"])] = e["count"]
    return totals


def queue_of(run: Run, label: str):
    (queue,) = [q for q in run.snapshot.queues if q.label == label]
    return queue


def result_waits(run: Run, oid: int) -> list[dict]:
    return [
        e
        for e in run.events
        if e["kind"] == ev.WAIT_BEGIN and e["id"] == oid and e["op"] == "result"
    ]


# ------------------------------------------------------------ queues and tasks done

COUNTS = """
import sys
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

def square(n):
    return n * n

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    pool = ctx.Pool(2)
    results = [pool.apply_async(square, (n,)) for n in range(25)]
    print(sum(r.get() for r in results))
    print(sum(pool.map(square, range(1000))))
    print(sum(pool.imap_unordered(square, range(100), chunksize=7)))
    pool.close()
    pool.join()
    executor = ProcessPoolExecutor(2, mp_context=ctx)
    print(sum(executor.map(square, range(200), chunksize=9)))
    print(sum(executor.submit(square, n).result() for n in range(15)))
    executor.shutdown()
"""


def test_pool_queues_are_the_pools_with_exact_counts_and_tasks_done(write_script, start_method):
    run = run_program(Program.from_script(write_script(COUNTS), (start_method,), start_method))
    assert run.exitcode == 0 and len(run.lines()) == 5
    main = run.by_name("MainProcess").pid
    pool_line, executor_line = line_of(COUNTS, "ctx.Pool(2)"), line_of(COUNTS, "Executor(2,")
    pools = {p.kind: p for p in run.snapshot.pools}
    pool, executor = pools["Pool"], pools["ProcessPoolExecutor"]
    assert pool.label == f"Pool pool (prog.py:{pool_line})"
    assert executor.label == f"ProcessPoolExecutor executor (prog.py:{executor_line})"
    assert pool.creator_pid == executor.creator_pid == main

    # Each pool's two queues are listed as the pool's, and no other queue is.
    assert {(q.label, q.owner) for q in run.snapshot.queues} == {
        (f"{pool.label} tasks", pool.label),
        (f"{pool.label} results", pool.label),
        (f"{executor.label} tasks", executor.label),
        (f"{executor.label} results", executor.label),
    }
    counters = last_counters(run)
    queue_ids = {q.label: q.id for q in run.snapshot.queues}

    def by_workers(label: str, op: str, workers) -> int:
        return sum(counters.get((pid, queue_ids[label], op), 0) for pid in workers)

    # Pool: 25 apply tasks, map's 1000 in chunks of 125 (8 tasks), imap's 100 in chunks
    # of 7 (15 tasks); then a sentinel for each worker. Every worker got what the parent
    # put, and put one result per task.
    children = [p for p in run.snapshot.processes if p.role == "child"]
    workers = [p.pid for p in children if "PoolWorker" in p.name]
    assert len(workers) == 2 and {pid for pid, _done in pool.workers} <= set(workers)
    tasks, results = queue_of(run, f"{pool.label} tasks"), queue_of(run, f"{pool.label} results")
    assert tasks.puts == tasks.gets == by_workers(tasks.label, "get", workers) == 48 + 2
    assert by_workers(results.label, "put", workers) == 48
    assert results.gets >= 48 and results.puts - results.gets == results.depth
    assert pool.tasks_done == 25 + 1000 + 100  # calls of square, chunks counted by items

    # Executor: map's 200 in chunks of 9 (23 tasks), 15 submits; then a sentinel each.
    # A worker puts each result, and its pid when it leaves.
    workers = [p.pid for p in children if "PoolWorker" not in p.name]
    assert {pid for pid, _done in executor.workers} <= set(workers)
    calls = queue_of(run, f"{executor.label} tasks")
    assert calls.kind == "Queue" and calls.puts == calls.gets == 38 + len(workers)
    assert by_workers(f"{executor.label} results", "put", workers) == 38 + len(workers)
    assert executor.tasks_done == 200 + 15

    # Tasks done per process: the same counts, in each worker's own row.
    done = {p.pid: p.tasks_done for p in run.snapshot.processes}
    assert done[main] == 0
    for each in (pool, executor):
        assert all(done[pid] == tasks_done for pid, tasks_done in each.workers)

    # The dashboard's process table says it in the worker's state cell.
    pid, n = pool.workers[0]
    state = process_cells(run.snapshot.process(pid), run.snapshot.now_ns)[2].plain
    assert state.endswith(f", {fmt.count(n)} task{'s' * (n != 1)}"), state
    assert process_cells(run.by_name("MainProcess"), 0)[2].plain == "exited"

    # The headless summary has a line per pool, and the JSON summary the same numbers.
    text = summary_text(run.snapshot)
    each = ", ".join(f"pid {pid}: {n}" for pid, n in pool.workers)
    assert f"pools:\n  {pool.label}  tasks done 1125: {each}\n" in text
    assert f"  {executor.label}  tasks done 215: " in text
    summary = summary_json(run.snapshot)
    assert [(p["label"], p["tasks_done"]) for p in summary["pools"]] == [
        (pool.label, 1125),
        (executor.label, 215),
    ]
    assert sum(p["tasks_done"] for p in summary["processes"]) == 1125 + 215


# ------------------------------------------------------------------ result waits

WAITS = """
import sys, time
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

def slow(n):
    time.sleep(1.0)
    return n

def square(n):
    return n * n

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(2) as pool:
        ready = pool.apply_async(square, (3,))
        print(pool.map(slow, [1, 2], chunksize=1))        # blocks about a second
        time.sleep(0.3)
        print(ready.get())                                # already in: no wait
    with ProcessPoolExecutor(1, mp_context=ctx) as executor:
        print(executor.submit(slow, 4).result())           # blocks about a second
        done = executor.submit(square, 5)
        time.sleep(0.5)
        print(done.result())                               # already in: no wait
"""


def test_a_parent_blocked_on_results_waits_on_the_pool_while_it_blocks(write_script, start_method):
    program = Program.from_script(write_script(WAITS), (start_method,), start_method)
    seen = set()
    events: list[dict] = []
    with RunControl(lambda p: Session(p, listeners=[events.extend])) as runs:
        session = runs.start(program)
        deadline = time.monotonic() + 60
        while not session.wait(0.02) and time.monotonic() < deadline:
            for wait in session.store.snapshot().waits:
                seen.add((wait.op, wait.object_label))
        assert session.wait(60)
        run = Run(session.store.snapshot(), events, session.exitcode)
    assert run.exitcode == 0
    pools = {p.kind: p for p in run.snapshot.pools}
    pool, executor = pools["Pool"], pools["ProcessPoolExecutor"]
    # Seen live, named by the pool, while the parent blocked...
    assert ("result", pool.label) in seen
    assert ("result", executor.label) in seen
    assert not [w for w in run.snapshot.waits if w.op == "result"]  # ...and over after
    # One wait each: the blocking map and result(); not the results already in.
    main = run.by_name("MainProcess").pid
    for each in (pool, executor):
        (begin,) = result_waits(run, each.id)
        assert begin["pid"] == main
        (end,) = [e for e in run.events if e["kind"] == ev.WAIT_END and e["id"] == each.id]
        assert end["outcome"] == "ok" and end["wait_ns"] > 0


# ------------------------------------------------------------------ same behaviour

SEMANTICS = """
import os, sys, time
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor, TimeoutError as FuturesTimeout
from concurrent.futures.process import BrokenProcessPool

def square(n):
    return n * n

def fail(n):
    raise ValueError(f"bad {n}")

def slow(n):
    time.sleep(n)
    return n

def die(n):
    os._exit(3)

def pid(_):
    time.sleep(0.01)
    return os.getpid()

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(2) as pool:
        print("map", pool.map(square, range(10)))
        print("starmap", pool.starmap(pow, [(2, 3), (3, 2)]))
        print("imap", list(pool.imap(square, range(5))))
        print("unordered", sorted(pool.imap_unordered(square, range(5), chunksize=2)))
        try:
            pool.map(fail, [1])
        except ValueError as error:
            print("raised", error, type(error.__cause__).__name__)
        errors = []
        r = pool.apply_async(fail, (7,), error_callback=errors.append)
        r.wait()
        print("successful", r.successful(), errors)
        late = pool.apply_async(slow, (1.0,))
        try:
            late.get(timeout=0.05)
        except mp.TimeoutError:
            print("timeout", late.ready())
        print("late", late.get())
        it = pool.imap(slow, [0.5])
        try:
            it.next(timeout=0.05)
        except mp.TimeoutError:
            print("imap timeout")
        print("imap next", it.next(), list(it))
        try:
            pool.map(lambda n: n, [1])
        except Exception as error:
            print("unpicklable", type(error).__name__)
    pool = ctx.Pool(2, maxtasksperchild=2)
    print("workers used", len(set(pool.map(pid, range(12), chunksize=1))) > 2)
    pool.terminate()
    pool.join()
    pool = ctx.Pool(1)
    print("closed", pool.apply(square, (9,)))
    pool.close()
    pool.join()
    with ProcessPoolExecutor(2, mp_context=ctx) as executor:
        print("executor map", list(executor.map(square, range(10), chunksize=3)))
        future = executor.submit(slow, 0.5)
        try:
            future.result(timeout=0.05)
        except FuturesTimeout:
            print("future timeout", future.done())
        print("future", future.result(), type(future).__name__, repr(future).split()[0])
        try:
            executor.submit(fail, 1).result()
        except ValueError as error:
            print("future raised", error)
    with ProcessPoolExecutor(1, mp_context=ctx) as executor:
        try:
            executor.submit(die, 0).result()
        except BrokenProcessPool:
            print("broken")
    print("end")
"""


def test_pools_behave_as_with_plain_python(write_script, start_method):
    script = write_script(SEMANTICS)
    plain = run_plain(script, start_method)
    assert plain.returncode == 0, plain.stderr
    run = run_program(Program.from_script(script, (start_method,), start_method), 120)
    main = run.by_name("MainProcess").pid
    assert run.exitcode == 0
    assert run.lines(main, "stdout") == plain.stdout.splitlines()
    assert plain.stdout.splitlines()[-1] == "end"
    # And they were traced: five pools, each with its two queues.
    assert len(run.snapshot.pools) == 5
    assert len([q for q in run.snapshot.queues if q.owner]) == 10
    # The blocking waits were recorded with their outcome: a timeout, then ok.
    outcomes = [e["outcome"] for e in run.events if e["kind"] == ev.WAIT_END]
    assert "timeout" in outcomes and "ok" in outcomes


# ------------------------------------------------------------------ the doctor

SLOW_BUT_BUSY = """
import sys, time
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

def slow(n):
    time.sleep(0.3)
    return n

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(2) as pool:
        print(sum(pool.map(slow, range(16), chunksize=1)))      # about 2.4 s
        print(sum(pool.imap(slow, range(10))))                  # about 1.5 s
    with ProcessPoolExecutor(2, mp_context=ctx) as executor:
        print(sum(executor.map(slow, range(16))))               # about 2.4 s
"""


def test_a_parent_waiting_long_on_busy_workers_is_no_stall(write_script, start_method):
    script = write_script(SLOW_BUT_BUSY)
    program = Program.from_script(script, (start_method,), start_method)
    run = run_program(dataclasses.replace(program, stall_after=1.0))
    assert run.exitcode == 0 and len(run.lines()) == 3
    assert any(result_waits(run, pool.id) for pool in run.snapshot.pools)  # it did wait
    assert run.alerts == [], [a.title for a in run.alerts]


LOST_TASK = """
import os, sys, time
import multiprocessing as mp

def die(n):
    os._exit(1)

if __name__ == "__main__":
    ctx = mp.get_context(sys.argv[1])
    with ctx.Pool(1) as pool:
        try:
            pool.apply_async(die, (0,)).get(timeout=3)
        except mp.TimeoutError:
            print("gave up")
"""


def test_a_result_that_can_no_longer_come_is_a_stall(write_script):
    """The rule is not "never a stall": when no worker holds a task and none finished one
    for the threshold (the worker died with it), the waiting parent is stalled."""
    program = Program.from_script(write_script(LOST_TASK), ("fork",), "fork")
    run = run_program(dataclasses.replace(program, stall_after=1.0))
    assert run.lines() == ["gave up"]
    (alert,) = run.alerts
    (pool,) = run.snapshot.pools
    assert alert.kind == "stall"
    assert alert.title.endswith(f"to result {pool.label}")
    assert alert.objects == (pool.id,)
