"""The doctor on real programs: each alert fires on the program that earns it, under every
start method, and stays silent on programs that are only busy (lessons, pools, queues).

Times compared here are the events' own (when the cycle closed, when the alert was
raised, both from the processes' monotonic clocks), never the test's wall clock.
"""

from __future__ import annotations

import dataclasses

import pytest
from engine_runs import run_program

from mptui.engine.session import Program
from mptui.scenarios import get_lesson, lessons

DEADLOCK = """
import multiprocessing as mp, sys, time

def worker(first, second, both_held, give_up):
    with first:
        both_held.wait()          # each holds its first lock before either asks for more
        if second.acquire(timeout=give_up):
            second.release()
            print("got both")
        else:
            print("gave up")

if __name__ == "__main__":
    a = mp.Lock()
    b = mp.Lock()
    both_held = mp.Barrier(2)
    one = mp.Process(target=worker, args=(a, b, both_held, 4.0), name="one")
    two = mp.Process(target=worker, args=(b, a, both_held, 2.0), name="two")
    one.start(); two.start(); one.join(); two.join()
"""


def line_of(source: str, text: str) -> int:
    """The line number of the first line of ``source`` that holds ``text``."""
    return next(n for n, line in enumerate(source.splitlines(), 1) if text in line)


def alerts_of(run, kind):
    return [alert for alert in run.alerts if alert.kind == kind]


def test_two_locks_in_opposite_order_is_a_deadlock_named_within_2_s(write_script, start_method):
    run = run_program(Program.from_script(write_script(DEADLOCK), (), start_method))
    one, two = run.by_name("one"), run.by_name("two")
    assert sorted(run.lines()) == ["gave up", "got both"]  # two gives up; then one gets both
    (alert,) = alerts_of(run, "deadlock")
    assert set(alert.pids) == {one.pid, two.pid}
    assert alert.title == "Deadlock: one and two wait on each other"
    assert len(alert.objects) == 2 and alert.sure
    a, b = line_of(DEADLOCK, "a = mp.Lock()"), line_of(DEADLOCK, "b = mp.Lock()")
    assert alert.details[0].startswith("one (pid")
    assert f"to acquire Lock b (prog.py:{b}), held by two" in alert.details[0]
    assert f"to acquire Lock a (prog.py:{a}), held by one" in alert.details[1]
    # The cycle closed when the second wait began; it was named within 2 s of that.
    assert 0 <= alert.raised_ns - alert.since_ns <= 2e9
    assert run.snapshot.alerts == ()  # cleared: two gave up and the cycle opened
    assert len(run.alerts) == 1  # and nothing else was said


JOIN_BEFORE_DRAIN = """
import multiprocessing as mp

def producer(q):
    q.put("x" * 1_000_000)       # more than a pipe holds: the feeder thread blocks

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q,), name="producer")
    p.start()
    p.join(timeout=3)            # the classic mistake: join before get...
    print("alive after join:", p.is_alive())
    print(len(q.get()))          # ...then the fix: read it, and the child can exit
    p.join()
"""


def test_join_before_drain_is_named_with_the_queue(write_script, start_method):
    run = run_program(Program.from_script(write_script(JOIN_BEFORE_DRAIN), (), start_method))
    assert run.lines() == ["alive after join: True", "1000000"]
    (alert,) = alerts_of(run, "join-before-drain")
    main, producer = run.by_name("MainProcess"), run.by_name("producer")
    assert alert.pids == (main.pid, producer.pid) and alert.sure
    line = line_of(JOIN_BEFORE_DRAIN, "q = mp.Queue()")
    assert f"1 item it put on Queue q (prog.py:{line}) not read yet" in alert.details[1]
    assert "join()" in alert.details[0]
    assert run.snapshot.alerts == ()
    assert alerts_of(run, "deadlock") == []


DEAD_HOLDER = """
import multiprocessing as mp

def careless(lock):
    lock.acquire()               # and exits without releasing it

if __name__ == "__main__":
    lock = mp.Lock()
    p = mp.Process(target=careless, args=(lock,), name="careless")
    p.start(); p.join()
    print("acquired:", lock.acquire(timeout=2))
"""


def test_a_lock_held_by_a_dead_process_is_a_wait_that_never_ends(write_script, start_method):
    run = run_program(Program.from_script(write_script(DEAD_HOLDER), (), start_method))
    assert run.lines() == ["acquired: False"]
    (alert,) = alerts_of(run, "never")
    assert "held by careless" in alert.title and "which has exited" in alert.title
    assert alert.pids == (run.by_name("MainProcess").pid,)
    (lock,) = run.snapshot.locks
    assert lock.holder_dead and lock.timeouts == 1 and lock.contended == 1
    assert lock.wait_total_ns >= 1.5e9  # the failed 2 s wait is in the lock's statistics


NOBODY_LEFT = """
import multiprocessing as mp, queue

def quitter(q):
    pass                         # meant to put a result, never does

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=quitter, args=(q,), name="quitter")
    p.start(); p.join()
    try:
        q.get(timeout=2)
    except queue.Empty:
        print("nothing came")
"""


def test_a_get_with_no_other_process_left_never_ends(write_script):
    run = run_program(Program.from_script(write_script(NOBODY_LEFT), ()))
    assert run.lines() == ["nothing came"]
    (alert,) = alerts_of(run, "never")
    assert f"waits to get from Queue q (prog.py:{line_of(NOBODY_LEFT, 'q = mp.')})" in alert.title
    assert "no other process is left" in alert.title


SLOW_PRODUCER = """
import multiprocessing as mp, time

def slow(q):
    time.sleep(2.5)
    q.put("late")

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=slow, args=(q,), name="slow")
    p.start()
    print(q.get())
    p.join()
"""


def test_a_long_wait_is_a_stall_until_it_moves_on(write_script):
    program = dataclasses.replace(
        Program.from_script(write_script(SLOW_PRODUCER), ()), stall_after=1.0
    )
    run = run_program(program)
    assert run.lines() == ["late"]
    (alert,) = run.alerts
    assert alert.kind == "stall" and not alert.sure
    assert alert.title.startswith("Stall: MainProcess has waited ")
    assert alert.title.endswith(f"to get Queue q (prog.py:{line_of(SLOW_PRODUCER, 'q = mp.')})")
    assert run.snapshot.alerts == ()  # cleared when the item came
    # With the default threshold (5 s) the same 2.5 s wait is no stall.
    assert run_program(Program.from_script(write_script(SLOW_PRODUCER), ())).alerts == []


# ------------------------------------------------------------------ no false alarms

BUSY_PROGRAMS = {
    "task and done queues": """
import multiprocessing as mp

def worker(tasks, done):
    for n in iter(tasks.get, None):
        done.put(n * n)

if __name__ == "__main__":
    tasks, done = mp.Queue(), mp.Queue()
    workers = [mp.Process(target=worker, args=(tasks, done)) for _ in range(4)]
    for w in workers: w.start()
    for n in range(2000): tasks.put(n)
    for _ in workers: tasks.put(None)
    print(sum(done.get() for _ in range(2000)))
    for w in workers: w.join()
""",
    "Pool.map and imap": """
import multiprocessing as mp

def square(n):
    return n * n

if __name__ == "__main__":
    with mp.Pool(3) as pool:
        print(sum(pool.map(square, range(1000))))
        print(sum(pool.imap(square, range(1000), chunksize=7)))
        print(sum(pool.imap_unordered(square, range(1000))))
""",
    "a 1000-task Pool": """
import multiprocessing as mp, time

def task(n):
    time.sleep(0.001)
    return n

if __name__ == "__main__":
    with mp.Pool(4) as pool:
        results = [pool.apply_async(task, (n,)) for n in range(1000)]
        print(sum(r.get() for r in results))
""",
    "Value, Array and a Lock": """
import multiprocessing as mp

def add(total, cells, lock, n):
    for i in range(n):
        with total.get_lock():
            total.value += 1
        with lock:
            cells[i % len(cells)] += 1

if __name__ == "__main__":
    total, cells, lock = mp.Value("i", 0), mp.Array("i", 8), mp.Lock()
    procs = [mp.Process(target=add, args=(total, cells, lock, 3000)) for _ in range(4)]
    for p in procs: p.start()
    for p in procs: p.join()
    print(total.value, sum(cells))
""",
    "a Manager": """
import multiprocessing as mp

def fill(shared, items, lock, n):
    for i in range(n):
        with lock:
            shared[i] = shared.get(i, 0) + 1
        items.append(i)

if __name__ == "__main__":
    with mp.Manager() as manager:
        shared, items, lock = manager.dict(), manager.list(), manager.Lock()
        procs = [mp.Process(target=fill, args=(shared, items, lock, 100)) for _ in range(3)]
        for p in procs: p.start()
        for p in procs: p.join()
        print(sum(shared.values()), len(items))
""",
    "a Manager's dict, list, Lock and Queue shared by 4 workers": """
import multiprocessing as mp, time

def work(tasks, done, totals, log, lock):
    for n in iter(tasks.get, None):       # blocks on an empty manager queue: waits
        with lock:                        # contended across 4 workers
            totals[n % 3] = totals.get(n % 3, 0) + n
        log.append(n)
        done.put(n)

if __name__ == "__main__":
    with mp.Manager() as manager:
        tasks, done = manager.Queue(), manager.Queue(maxsize=8)
        totals, log, lock = manager.dict(), manager.list(), manager.Lock()
        workers = [mp.Process(target=work, args=(tasks, done, totals, log, lock))
                   for _ in range(4)]
        for w in workers: w.start()
        for n in range(200):
            tasks.put(n)
            if n % 50 == 0:
                time.sleep(0.3)           # workers wait for work meanwhile
        for _ in workers: tasks.put(None)
        got = sorted(done.get() for _ in range(200))
        for w in workers: w.join()
        print(sum(totals.values()), len(log), got == list(range(200)))
""",
    "a ProcessPoolExecutor": """
from concurrent.futures import ProcessPoolExecutor

def cube(n):
    return n ** 3

if __name__ == "__main__":
    with ProcessPoolExecutor(3) as pool:
        print(sum(pool.map(cube, range(500), chunksize=10)))
""",
    "a ProcessPoolExecutor's submit and result": """
import time
from concurrent.futures import ProcessPoolExecutor, as_completed

def slow_square(n):
    time.sleep(0.01 * (n % 5))
    return n * n

if __name__ == "__main__":
    with ProcessPoolExecutor(3) as pool:
        futures = [pool.submit(slow_square, n) for n in range(200)]
        print(sum(f.result() for f in futures))
        print(sum(f.result() for f in as_completed(pool.submit(abs, -n) for n in range(50))))
""",
    "apply_async with callbacks, and imap_unordered": """
import multiprocessing as mp, time

def task(n):
    time.sleep(0.002)
    return n

if __name__ == "__main__":
    got = []
    with mp.Pool(3, maxtasksperchild=50) as pool:
        results = [pool.apply_async(task, (n,), callback=got.append) for n in range(300)]
        for r in results:
            r.wait()
        print(len(got), sum(r.get() for r in results))
        print(sum(pool.imap_unordered(task, range(300), chunksize=4)))
""",
    "a bounded JoinableQueue": """
import multiprocessing as mp

def consumer(q):
    while True:
        item = q.get()
        q.task_done()
        if item is None:
            break

if __name__ == "__main__":
    q = mp.JoinableQueue(maxsize=4)
    c = mp.Process(target=consumer, args=(q,))
    c.start()
    for i in range(500):
        q.put(i)
    q.put(None)
    q.join()
    c.join()
    print("done")
""",
}


@pytest.mark.parametrize("name", sorted(BUSY_PROGRAMS))
def test_no_alert_on_a_busy_but_healthy_program(write_script, start_method, name):
    run = run_program(Program.from_script(write_script(BUSY_PROGRAMS[name]), (), start_method))
    assert run.exitcode == 0 and run.lines()
    assert run.alerts == [], [a.title for a in run.alerts]


ALERTING_LESSONS = {"deadlock": "deadlock", "join-drain": "join-before-drain"}
"""The lessons that show a problem on purpose, and the alert each must raise."""


@pytest.mark.parametrize("lesson", [lesson.name for lesson in lessons()])
def test_each_lesson_raises_its_own_alert_and_no_other(lesson):
    values = {"give_up": 2} if lesson in ALERTING_LESSONS else {}
    run = run_program(Program.from_lesson(get_lesson(lesson), values))
    assert run.exitcode == 0
    expected = [ALERTING_LESSONS[lesson]] if lesson in ALERTING_LESSONS else []
    assert [a.kind for a in run.alerts] == expected, [a.title for a in run.alerts]


@pytest.mark.parametrize("order", ["same", "get-then-join"])
def test_the_fixed_lessons_raise_no_alert(order):
    lesson = "deadlock" if order == "same" else "join-drain"
    run = run_program(Program.from_lesson(get_lesson(lesson), {"order": order}))
    assert run.exitcode == 0 and run.alerts == [], [a.title for a in run.alerts]
