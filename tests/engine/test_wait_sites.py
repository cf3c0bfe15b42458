"""Where each process waits and where each object was made: the line of the program's code,
taken on the slow path only, resolved in the Store for every start method (a fork child
that inherited its parent's sites names its own), and sent once per site."""

from __future__ import annotations

import json
import subprocess
import sys

from engine_runs import wait_until

from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session

# Line numbers below are the program's own (1-based): the test checks them against these.
BLOCKED = """\
import multiprocessing as mp, time

def take(lock, timeout=None):
    return lock.acquire(timeout=timeout)

def locker(lock):
    with lock:
        pass

def shared(lock):
    take(lock)

def getter(q):
    q.get()

if __name__ == "__main__":
    lock = mp.Lock()
    q = mp.Queue()
    lock.acquire()
    take(lock, 0.05)
    procs = [mp.Process(target=locker, args=(lock,), name="locker"),
             mp.Process(target=shared, args=(lock,), name="shared"),
             mp.Process(target=getter, args=(q,), name="getter")]
    for p in procs:
        p.start()
    procs[0].join()
"""
LINE_TAKE, LINE_WITH, LINE_GET, LINE_JOIN = 4, 7, 14, 26
LINE_LOCK_MADE, LINE_QUEUE_MADE = 17, 18

# Each worker blocks 50 times at each of two lines: a lock the parent holds, an empty queue.
REPEATED = """\
import multiprocessing as mp, queue

def worker(lock, q):
    for _ in range(50):
        lock.acquire(timeout=0.001)
        try:
            q.get(timeout=0.001)
        except queue.Empty:
            pass

if __name__ == "__main__":
    lock, q = mp.Lock(), mp.Queue()
    lock.acquire()
    procs = [mp.Process(target=worker, args=(lock, q)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
"""
LINE_REPEATED_ACQUIRE, LINE_REPEATED_GET, LINE_REPEATED_JOIN = 5, 7, 18


def test_each_wait_names_the_line_it_was_called_from(write_script, start_method):
    script = write_script(BLOCKED)
    with RunControl(Session) as runs:
        session = runs.start(Program.from_script(script, (), start_method))

        def placed():
            snap = session.store.snapshot()
            names = {p.pid: p.name for p in snap.processes}
            found = {(names.get(w.pid), w.op): w for w in snap.waits if w.line is not None}
            wanted = {("locker", "acquire"), ("shared", "acquire"), ("getter", "get"),
                      ("MainProcess", "join")}  # fmt: skip
            return (snap, found) if wanted <= found.keys() else None

        snap, found = wait_until(placed)
    for key, line in [
        (("locker", "acquire"), LINE_WITH),  # ``with lock:``
        (("shared", "acquire"), LINE_TAKE),  # through a helper: the helper's line
        (("getter", "get"), LINE_GET),
        (("MainProcess", "join"), LINE_JOIN),
    ]:
        assert (found[key].file, found[key].line) == (str(script), line), key
    # Where each object was made.
    (lock,) = [lk for lk in snap.locks if lk.kind == "Lock"]
    (q,) = snap.queues
    assert (lock.file, lock.line) == (str(script), LINE_LOCK_MADE)
    assert (q.file, q.line) == (str(script), LINE_QUEUE_MADE)
    # The parent took it without waiting: where it holds it is not known, and not guessed.
    assert lock.holder_file is None and lock.holder_line is None


def test_a_fork_child_names_sites_its_parent_had_already_seen(write_script):
    # Under fork, "shared" inherits the parent's table of sites, in which the line of
    # ``take`` already has an id (the parent's timed-out wait); its own id must resolve.
    test_each_wait_names_the_line_it_was_called_from(write_script, "fork")


def test_the_holder_line_is_known_when_its_acquire_waited(write_script, start_method):
    script = write_script(
        """\
        import multiprocessing as mp, time

        def holder(lock, arrived):
            arrived.set()
            with lock:
                time.sleep(60)

        if __name__ == "__main__":
            lock, arrived = mp.Lock(), mp.Event()
            lock.acquire()
            p = mp.Process(target=holder, args=(lock, arrived), name="holder")
            p.start()
            arrived.wait()
            time.sleep(1.5)  # it waits on the lock by now: its acquire is a waited one
            lock.release()
            p.join()
        """
    )
    with RunControl(Session) as runs:
        session = runs.start(Program.from_script(script, (), start_method))

        def held():
            snap = session.store.snapshot()
            names = {p.pid: p.name for p in snap.processes}
            lock = next((lk for lk in snap.locks if lk.kind == "Lock"), None)
            return lock if lock and names.get(lock.holder) == "holder" else None

        lock = wait_until(held)
    assert (lock.holder_file, lock.holder_line) == (str(script), 5)


def test_a_site_is_sent_once_per_process_however_often_it_waits_there(write_script, start_method):
    script = write_script(REPEATED)
    argv = [sys.executable, "-m", "mptui", "run", "--json", "--start-method", start_method,
            str(script)]  # fmt: skip
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    workers = {e["pid"] for e in events if e["kind"] == "started"}
    assert len(workers) == 2
    sites: dict[tuple[int, int], int] = {}
    for e in events:
        if e["kind"] == "site":
            key = (e["pid"], e["line"])
            sites[key] = sites.get(key, 0) + 1
            assert e["file"] == str(script)
    for pid in workers:
        assert sites.get((pid, LINE_REPEATED_ACQUIRE)) == 1
        assert sites.get((pid, LINE_REPEATED_GET)) == 1
        # Every one of the 100 waits said where it was (a record each, no message).
        marks = [e for e in events if e["kind"] == "wait_site" and e["pid"] == pid]
        assert len(marks) == 100
    main = next(e["pid"] for e in events if e["kind"] == "hello" and e["pid"] not in workers
                and e.get("runner"))  # fmt: skip
    assert sites.get((main, LINE_REPEATED_JOIN)) == 1
    assert set(sites.values()) == {1}
