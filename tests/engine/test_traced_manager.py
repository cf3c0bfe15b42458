"""Managers under mptui: the server process is shown as the manager, the objects it serves
are listed once whichever processes use them, a proxy call that blocks is a wait (a proxy
lock shows its holder and its waiters), and programs see exactly what plain python gives
them, under every start method."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from engine_runs import run_plain, run_program

from mptui import events as ev
from mptui.engine.session import Program, Session

SEMANTICS = Path(__file__).parent.parent / "programs" / "manager_semantics.py"

BLOCKED = """
import multiprocessing as mp, os, sys, time

def wait_for_go(go):
    deadline = time.monotonic() + 30          # never hangs, even if the test went away
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.02)

def holder(lock, holding, go):
    with lock:
        holding.set()
        wait_for_go(go)

def waiter(lock):
    with lock:
        print("waiter got the lock", flush=True)

def getter(jobs):
    print("getter got", jobs.get(timeout=30), flush=True)

if __name__ == "__main__":
    go = sys.argv[1]
    manager = mp.Manager()
    lock = manager.Lock()
    jobs = manager.Queue()
    holding = manager.Event()
    h = mp.Process(target=holder, args=(lock, holding, go), name="holder")
    h.start()
    holding.wait()
    w = mp.Process(target=waiter, args=(lock,), name="waiter")
    g = mp.Process(target=getter, args=(jobs,), name="getter")
    w.start(); g.start()
    wait_for_go(go)
    jobs.put("a job")
    for p in (h, w, g):
        p.join()
    manager.shutdown()
    print("done", flush=True)
"""


def line_of(source: str, text: str) -> int:
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def seen_blocked(snap) -> bool:
    """The lock held by holder with waiter queued on it, and getter in a get."""
    names = {p.name: p.pid for p in snap.processes}
    if not {"holder", "waiter", "getter"} <= names.keys():
        return False
    locks = [lock for lock in snap.locks if lock.kind == "Manager Lock"]
    waits = {w.pid: w for w in snap.waits}
    return (
        len(locks) == 1
        and locks[0].holder == names["holder"]
        and names["waiter"] in dict(locks[0].waiters)
        and names["waiter"] in waits
        and names["getter"] in waits
    )


def test_a_blocked_proxy_lock_and_queue_show_holder_and_waiters(write_script, tmp_path,
                                                                start_method):  # fmt: skip
    go = tmp_path / "go"
    program = Program.from_script(write_script(BLOCKED), (str(go),), start_method)
    with Session(program) as session:
        session.start()
        blocked = None
        while session.running and blocked is None:
            snap = session.store.snapshot()
            if seen_blocked(snap):
                blocked = snap
            session.wait(0.02)
        go.touch()  # let the program finish, whatever was seen
        assert session.wait(60)
        final = session.store.snapshot()
    assert blocked is not None, "never saw the holder, the waiter and the getter blocked"
    names = {p.name: p for p in blocked.processes}
    manager = [p for p in blocked.processes if p.role == "manager"]
    assert [p.name for p in manager] == [f"manager (prog.py:{line_of(BLOCKED, 'mp.Manager()')})"]
    (lock,) = [lock for lock in blocked.locks if lock.kind == "Manager Lock"]
    assert lock.label == f"lock (prog.py:{line_of(BLOCKED, 'lock = manager.Lock()')})"
    waits = {w.pid: w for w in blocked.waits}
    waited = waits[names["waiter"].pid]
    assert (waited.op, waited.object_id) == ("acquire", lock.id)
    got = waits[names["getter"].pid]
    (queue,) = [q for q in blocked.queues if q.kind == "Manager Queue"]
    assert (got.op, got.object_id) == ("get", queue.id)
    assert got.describe() == f"get Manager Queue jobs (prog.py:{line_of(BLOCKED, 'jobs = ')})"

    # Afterwards: the waits ended, the lock is free, the queue drained, and the program
    # saw what it always does.
    assert session.exitcode == 0
    assert final.waits == ()
    (lock,) = [lock for lock in final.locks if lock.kind == "Manager Lock"]
    assert lock.holder is None and lock.acquisitions == 2 and lock.contended == 1
    (queue,) = [q for q in final.queues if q.kind == "Manager Queue"]
    assert (queue.puts, queue.gets, queue.depth) == (1, 1, 0)
    manager = [p for p in final.processes if p.role == "manager"]
    assert len(manager) == 1 and not manager[0].failed


def test_programs_see_what_plain_python_gives_them(start_method):
    plain = run_plain(SEMANTICS, start_method)
    assert plain.returncode == 0, plain.stderr
    run = run_program(Program.from_script(SEMANTICS, (start_method,), start_method), 120)
    main = run.by_name("MainProcess").pid
    assert run.exitcode == 0
    assert run.lines(main, "stdout") == plain.stdout.splitlines()
    assert plain.stdout.splitlines()[-1] == "done"

    # Two managers (Manager() and the JobManager served on an address), each shown as one.
    managers = [p for p in run.snapshot.processes if p.role == "manager"]
    assert len(managers) == 2 and all(p.name.startswith("manager (") for p in managers)
    declared = [e for e in run.events if e["kind"] == ev.OBJECT]
    kinds = {e["type"] for e in declared}
    assert {
        "Manager Lock", "Manager RLock", "Manager Semaphore", "Manager BoundedSemaphore",
        "Manager Condition", "Manager Event", "Manager Barrier", "Manager Queue",
        "Manager JoinableQueue", "Manager dict", "Manager list", "Manager Value",
    } <= kinds  # fmt: skip
    # The shared queue a client reached by address is the server's one queue: one object,
    # whichever process declared it, and the put from the client and the get from the main
    # process are counted on it.
    (jobs,) = [q for q in run.snapshot.queues if q.label.startswith("get_jobs (")]
    assert (jobs.puts, jobs.gets) == (1, 1)
    # Timeouts are waits with their outcome: the lock's acquire(timeout=0.2), the get on
    # an empty queue, the Event wait that ran out.
    outcomes = {}
    for e in run.events:
        if e["kind"] in (ev.WAIT_END, ev.LOCK_TIMEOUT) and e["pid"] == main:
            outcomes.setdefault(e["id"], []).append(e.get("outcome", "timeout"))
    by_label = {e["label"]: e["id"] for e in declared}
    assert "timeout" in outcomes[by_label[f"q ({SEMANTICS.name}:123)"]]
    assert "timeout" in outcomes[by_label[f"event ({SEMANTICS.name}:107)"]]
    assert "broken" in outcomes[by_label[f"lonely ({SEMANTICS.name}:118)"]]
    # Every wait that began ended, in every process.
    for pid in {p.pid for p in run.snapshot.processes}:
        open_waits = {}
        for e in run.events:
            if e.get("pid") != pid:
                continue
            if e["kind"] == ev.WAIT_BEGIN:
                open_waits[e["id"]] = open_waits.get(e["id"], 0) + 1
            elif e["kind"] == ev.WAIT_END:
                open_waits[e["id"]] -= 1
        assert not any(open_waits.values()), (pid, open_waits)


STALLED = """
import multiprocessing as mp, time

def take(lock):
    with lock:
        print("taken", flush=True)

if __name__ == "__main__":
    with mp.Manager() as manager:
        lock = manager.Lock()
        lock.acquire()
        p = mp.Process(target=take, args=(lock,), name="taker")
        p.start()
        time.sleep(2.5)
        lock.release()
        p.join()
"""


def test_a_long_proxy_acquire_is_a_stall_and_nothing_else(write_script, start_method):
    program = dataclasses.replace(
        Program.from_script(write_script(STALLED), (), start_method), stall_after=1.0
    )
    run = run_program(program)
    assert run.exitcode == 0 and run.lines() == ["taken"]
    (alert,) = run.alerts
    line = line_of(STALLED, "lock = manager.Lock()")
    assert alert.kind == "stall"
    assert alert.title.startswith("Stall: taker has waited ")
    assert alert.title.endswith(f"to acquire Manager Lock lock (prog.py:{line})")
    assert run.snapshot.alerts == ()  # cleared when it got the lock


DEADLOCK = """
import multiprocessing as mp

def worker(first, second, both_held, give_up):
    with first:
        both_held.wait()
        if second.acquire(timeout=give_up):
            second.release()
            print("got both", flush=True)
        else:
            print("gave up", flush=True)

if __name__ == "__main__":
    with mp.Manager() as manager:
        a = manager.Lock()
        b = manager.Lock()
        both_held = mp.Barrier(2)
        one = mp.Process(target=worker, args=(a, b, both_held, 4.0), name="one")
        two = mp.Process(target=worker, args=(b, a, both_held, 2.0), name="two")
        one.start(); two.start(); one.join(); two.join()
"""


def test_two_proxy_locks_taken_in_opposite_order_are_a_deadlock(write_script, start_method):
    run = run_program(Program.from_script(write_script(DEADLOCK), (), start_method))
    assert sorted(run.lines()) == ["gave up", "got both"]
    one, two = run.by_name("one"), run.by_name("two")
    (alert,) = [alert for alert in run.alerts if alert.kind == "deadlock"]
    assert set(alert.pids) == {one.pid, two.pid}
    b = line_of(DEADLOCK, "b = manager.Lock()")
    assert f"to acquire Manager Lock b (prog.py:{b}), held by two" in alert.details[0]
    # The timed-out acquire counts as a contended wait of the lock it gave up on.
    (lock_a,) = [lock for lock in run.snapshot.locks if lock.label.startswith("a (")]
    assert lock_a.timeouts == 1 and lock_a.holder is None


def test_the_manager_keeps_its_name_whichever_message_is_read_first():
    from mptui.engine.store import Store

    started = {"kind": ev.STARTED, "pid": 7, "t": 2, "name": "SyncManager-1"}
    manager = {"kind": ev.MANAGER, "pid": 1, "t": 3, "child": 7, "name": "manager (m.py:3)"}
    for order in ((started, manager), (manager, started)):
        store = Store()
        store.apply_many([{"kind": ev.HELLO, "pid": 1, "t": 1, "runner": True}, *order])
        (proc,) = [p for p in store.snapshot().processes if p.pid == 7]
        assert (proc.role, proc.name) == ("manager", "manager (m.py:3)")
