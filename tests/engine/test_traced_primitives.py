"""Traced Lock, RLock, Queue and Pipe: counts equal what the program did, contention is
exactly the acquisitions that blocked, and the primitives behave like the originals."""

from __future__ import annotations

import multiprocessing
import pickle

import pytest
from engine_runs import run_program

from mptui.agent.traced import TracedLock, TracedQueue, TracedRLock
from mptui.engine.session import Program
from mptui.scenarios import get_lesson


def locks_of_kind(run, kind: str) -> list:
    """The Locks panel also lists Events, Conditions, Barriers and Values' locks."""
    return [lock for lock in run.snapshot.locks if lock.kind == kind]


CONTENTION = """
import multiprocessing as mp, time

def contender(lock, ready):
    ready.set()
    with lock:                 # blocks: the parent holds the lock (contended)
        print("got it after waiting")
    for _ in range(5):         # nobody else wants it now (uncontended)
        with lock:
            pass
    assert lock.acquire(False) # a successful try is an acquisition, not a wait
    lock.release()

def holder(lock, holding, seconds):
    with lock:
        holding.set()
        time.sleep(seconds)

if __name__ == "__main__":
    lock = mp.Lock()
    ready, holding = mp.Event(), mp.Event()
    lock.acquire()
    p = mp.Process(target=contender, args=(lock, ready), name="contender")
    p.start()
    ready.wait()
    time.sleep(0.3)
    lock.release()
    p.join()
    q = mp.Process(target=holder, args=(lock, holding, 1.0), name="holder")
    q.start()
    holding.wait()
    print("try", lock.acquire(False))           # fails: not a wait, not an acquisition
    print("timed", lock.acquire(timeout=0.2))    # waits, then gives up: a timeout
    q.join()
"""


def test_contended_counts_every_acquire_that_blocked(write_script, start_method):
    run = run_program(Program.from_script(write_script(CONTENTION), (), start_method))
    assert run.lines(run.by_name("MainProcess").pid) == ["try False", "timed False"]
    (lock,) = locks_of_kind(run, "Lock")
    assert lock.kind == "Lock" and lock.label.startswith("lock (prog.py:")
    # parent 1 + contender (1 + 5 + 1) + holder 1
    assert lock.acquisitions == 9
    assert lock.contended == 2  # the contender's wait, and the parent's that timed out
    assert lock.timeouts == 1
    assert lock.wait_max_ns >= 0.25e9  # the contender waited for the parent's 0.3 s
    assert lock.wait_total_ns >= 0.45e9  # and the timed-out wait of 0.2 s counts too
    assert lock.hold_max_ns >= 0.9e9  # the holder held it for 1 s
    assert lock.holder is None and lock.waiters == ()
    assert run.snapshot.events_dropped == 0


def test_lock_lesson_counts_equal_what_the_workers_did(start_method):
    lesson = get_lesson("lock")
    values = {"workers": 4, "rounds": 3, "hold": 0.02}
    run = run_program(Program.from_lesson(lesson, values, start_method))
    (lock,) = locks_of_kind(run, "Lock")
    assert lock.acquisitions == 12
    # Each acquisition either blocked or not; the ones that blocked are counted once each
    # and have a wait time; contention is real here (4 workers, 20 ms holds).
    assert 1 <= lock.contended <= 12
    assert lock.wait_p50_ns is not None and lock.wait_p50_ns > 0


RLOCK_AND_CONDITION = """
import multiprocessing as mp

def consumer(cond, box):
    with cond:
        while box.value == 0:
            cond.wait()
        print("consumer saw", box.value)

if __name__ == "__main__":
    rlock = mp.RLock()
    with rlock:
        with rlock:        # nested: one acquisition, one release
            with rlock:
                pass
    cond = mp.Condition(mp.RLock())
    box = mp.Value("i", 0)
    p = mp.Process(target=consumer, args=(cond, box))
    p.start()
    with cond:
        box.value = 42
        cond.notify()
    p.join()
    print("exit", p.exitcode)
"""


def test_rlock_counts_outermost_levels_and_works_inside_condition(write_script, start_method):
    run = run_program(Program.from_script(write_script(RLOCK_AND_CONDITION), (), start_method))
    assert "consumer saw 42" in run.lines()
    assert run.lines(run.by_name("MainProcess").pid)[-1] == "exit 0"
    by_name = {lock.label.split(" (")[0]: lock for lock in run.snapshot.locks}
    # Named by the variable assigned: the RLock made for the Condition on its line too.
    first = by_name["rlock"]
    (cond_lock,) = [lock for lock in locks_of_kind(run, "RLock") if lock.label.startswith("cond")]
    assert first.kind == cond_lock.kind == "RLock"
    assert first.acquisitions == 1  # three nested levels, one acquisition
    assert cond_lock.holder is None
    assert cond_lock.acquisitions >= 2  # the parent's and the consumer's (plus re-acquires)


QUEUE_AND_PIPE = """
import multiprocessing as mp

def producer(q, n):
    for i in range(n):
        q.put(b"x" * 50)

def echo(conn):
    while True:
        msg = conn.recv()
        if msg is None:
            break
        conn.send_bytes(msg.encode())

if __name__ == "__main__":
    q = mp.Queue()
    p = mp.Process(target=producer, args=(q, 500))
    p.start()
    for _ in range(200):
        q.get()
    # 300 items are still in the queue when the producer is done; the depth says so
    # without qsize(), which raises NotImplementedError on macOS.
    p.join()
    print("left", q.qsize())
    for _ in range(300):
        q.get()
    a, b = mp.Pipe()
    e = mp.Process(target=echo, args=(b,))
    e.start()
    for word in ["hello", "world", "!"]:
        a.send(word)
        print("echo", a.recv_bytes().decode())
    a.send(None)
    e.join()
    one_way_r, one_way_w = mp.Pipe(duplex=False)
    one_way_w.send_bytes(b"12345")
    print("one way", one_way_r.recv_bytes())
"""


def test_queue_and_pipe_counts(write_script, start_method):
    run = run_program(Program.from_script(write_script(QUEUE_AND_PIPE), (), start_method))
    assert run.lines(run.by_name("MainProcess").pid) == [
        "left 300", "echo hello", "echo world", "echo !", "one way b'12345'",
    ]  # fmt: skip
    (queue,) = run.snapshot.queues
    assert (queue.puts, queue.gets, queue.depth) == (500, 500, 0)
    duplex, simplex = sorted(run.snapshot.pipes, key=lambda p: p.label)
    assert duplex.duplex and not simplex.duplex
    assert duplex.sent == (4, 3) and duplex.received == (3, 4)  # 3 words + None; 3 echoes
    assert duplex.sent_bytes[1] == duplex.received_bytes[0] == len("helloworld!")
    assert simplex.sent == (0, 1) and simplex.sent_bytes == (0, 5)
    assert simplex.received == (1, 0)


def test_queue_depth_is_visible_while_items_wait(write_script):
    path = write_script(
        """
        import multiprocessing as mp, time
        if __name__ == "__main__":
            q = mp.Queue()
            for i in range(7):
                q.put(i)
            print("put 7", flush=True)
            time.sleep(0.6)
            for i in range(7):
                q.get()
        """
    )
    from mptui.engine.session import Session

    depths = []
    with Session(Program.from_script(path)) as session:
        session.start()
        while session.running:
            snap = session.store.snapshot()
            depths.extend(q.depth for q in snap.queues)
            session.wait(0.05)
    assert 7 in depths and session.store.snapshot().queues[0].depth == 0


# ---- drop-in behaviour, in this process (no agent needed) -------------------------------


@pytest.mark.parametrize("cls", [TracedLock, TracedRLock])
def test_traced_locks_pickle_and_fail_like_the_originals(cls):
    # A fork context: a spawn one would start a resource tracker in the test process.
    lock = cls(ctx=multiprocessing.get_context("fork"), mptui_id=5)
    original = (multiprocessing.Lock if cls is TracedLock else multiprocessing.RLock)()
    assert isinstance(lock, type(original))
    for candidate in (lock, original):
        with pytest.raises(RuntimeError, match="through inheritance"):
            pickle.dumps(candidate)
    with lock:
        assert lock._semlock._is_mine()
    assert lock.acquire(timeout=0.1)
    lock.release()
    for candidate in (lock, original):  # releasing an unheld lock fails the same way
        with pytest.raises((ValueError, AssertionError)) as raised:
            candidate.release()
        if candidate is lock:
            traced_error = type(raised.value)
        else:
            assert type(raised.value) is traced_error


def test_traced_queue_is_a_queue():
    q = TracedQueue(3, ctx=multiprocessing.get_context("fork"), mptui_id=9)
    assert isinstance(q, multiprocessing.queues.Queue)
    q.put(1)
    assert q.get(timeout=5) == 1
    with pytest.raises(RuntimeError, match="inheritance"):
        pickle.dumps(q)
    q.close()
    q.join_thread()


JOINABLE_AND_SIMPLE = """
import multiprocessing as mp

def worker(jobs, results):
    while True:
        item = jobs.get()
        if item is None:
            jobs.task_done()
            break
        results.put(item * 2)
        jobs.task_done()

if __name__ == "__main__":
    jobs, results = mp.JoinableQueue(), mp.SimpleQueue()
    p = mp.Process(target=worker, args=(jobs, results))
    p.start()
    for i in range(10):
        jobs.put(i)
    jobs.put(None)
    jobs.join()  # every task_done() arrived
    print(sorted(results.get() for _ in range(10)))
    p.join()
"""


def test_joinable_and_simple_queues_are_traced(write_script, start_method):
    run = run_program(Program.from_script(write_script(JOINABLE_AND_SIMPLE), (), start_method))
    assert run.lines(run.by_name("MainProcess").pid) == [str([i * 2 for i in range(10)])]
    kinds = {q.kind: q for q in run.snapshot.queues}
    assert set(kinds) == {"JoinableQueue", "SimpleQueue"}
    assert (kinds["JoinableQueue"].puts, kinds["JoinableQueue"].gets) == (11, 11)
    assert (kinds["SimpleQueue"].puts, kinds["SimpleQueue"].gets) == (10, 10)


HOLDER_DIES = """
import multiprocessing as mp, os, signal, time

def hold(lock, holding):
    lock.acquire()
    holding.set()
    time.sleep(60)

if __name__ == "__main__":
    lock, holding = mp.Lock(), mp.Event()
    p = mp.Process(target=hold, args=(lock, holding), name="holder")
    p.start()
    holding.wait()
    os.kill(p.pid, signal.SIGKILL)
    p.join()
    print("can take it:", lock.acquire(timeout=0.3))
"""


def test_a_lock_held_by_a_dead_process_is_flagged(write_script, start_method):
    run = run_program(Program.from_script(write_script(HOLDER_DIES), (), start_method))
    holder = run.by_name("holder")
    assert holder.signal == "SIGKILL"
    assert run.lines(run.by_name("MainProcess").pid) == ["can take it: False"]
    (lock,) = locks_of_kind(run, "Lock")
    assert lock.holder == holder.pid and lock.holder_dead
    assert lock.timeouts == 1


def test_objects_past_the_counter_table_are_said_to_be_uncounted(write_script):
    """Found: with 600 Locks and 600 Queues in one process, 176 queues showed 0 puts. Past
    the counter table (COUNTER_SLOTS per process) an object's totals are marked as not all
    counted, in the snapshot, the headless summary and JSON: nothing is silently wrong."""
    from mptui import events as ev
    from mptui.headless import summary_json, summary_text

    path = write_script(
        """
        import multiprocessing as mp
        if __name__ == "__main__":
            locks = [mp.Lock() for _ in range(600)]
            queues = [mp.Queue() for _ in range(600)]
            for q in queues:
                q.put(1)
                q.get()
            for lock in locks:
                with lock:
                    pass
        """
    )
    run = run_program(Program.from_script(path))
    snap = run.snapshot
    assert len(snap.queues) == 600 and len(snap.locks) == 600
    wrong_queues = [q for q in snap.queues if (q.puts, q.gets) != (1, 1)]
    wrong_locks = [lock for lock in snap.locks if lock.acquisitions != 1]
    assert wrong_queues or wrong_locks, "the table did not overflow: make the test bigger"
    assert all(q.uncounted == 1 for q in wrong_queues)
    assert all(lock.uncounted == 1 for lock in wrong_locks)
    # Only what overflowed is marked: 600 locks + 1200 queue counters, 1024 slots.
    marked = sum(q.uncounted > 0 for q in snap.queues) + sum(x.uncounted > 0 for x in snap.locks)
    assert snap.objects_uncounted == marked >= 1800 - ev.COUNTER_SLOTS - 600
    text = summary_text(snap)
    assert f"not counted: {snap.objects_uncounted} queues, pipes or locks" in text
    assert text.count("NOT ALL COUNTED") == marked
    assert summary_json(snap)["objects_uncounted"] == marked
