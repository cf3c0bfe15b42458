"""Manager proxies at work across processes: locks, semaphores, a condition, an event, a
barrier, queues, a dict holding a list (a proxy of a proxy), a manager served on an address
with an authkey, and shutdown. Every result is printed by the main process, in an order
that does not depend on timing, so a plain run and a run under mptui print the same lines.

Usage: python manager_semantics.py START_METHOD
"""

import multiprocessing as mp
import queue
import sys
import threading
import time
from multiprocessing.managers import BaseManager


def show(*parts):
    print(*parts, flush=True)


def outcome(call):
    try:
        return call()
    except BaseException as error:  # noqa: BLE001 - the type is what is compared
        return type(error).__name__


# ---- children (module level: spawn and forkserver import them) --------------------------


def take_and_report(lock, sem, results):
    with lock:
        results.put(("child lock", True))
    results.put(("child sem", sem.acquire(timeout=10)))
    sem.release()


def wait_for_flag(cond, shared, results):
    with cond:
        results.put(("child saw", cond.wait_for(lambda: shared.get("flag"), timeout=10)))


def barrier_party(barrier, results):
    results.put(("party", outcome(lambda: barrier.wait(timeout=10) >= 0)))


def append_to_nested(shared):
    shared["nested"].append("from child")  # a proxy inside the dict: the child's call


JOBS = queue.Queue()


def get_jobs():
    return JOBS


class JobManager(BaseManager):
    pass


JobManager.register("get_jobs", callable=get_jobs)


def remote_put(address, authkey):
    JobManager.register("get_jobs")
    client = JobManager(address=address, authkey=authkey)
    client.connect()
    client.get_jobs().put("from a client")


def main(method):
    ctx = mp.get_context(method)
    with ctx.Manager() as manager:
        results = manager.Queue()

        lock, rlock = manager.Lock(), manager.RLock()
        show("lock", lock.acquire(), lock.acquire(False), lock.acquire(timeout=0.2))
        lock.release()
        show("released twice", outcome(lock.release))
        with rlock:
            show("rlock again", rlock.acquire(timeout=1))
            rlock.release()
        sem, bounded = manager.Semaphore(2), manager.BoundedSemaphore(1)
        show("sem", sem.acquire(), sem.acquire(), sem.acquire(timeout=0.2), sem.acquire(False))
        sem.release()
        sem.release()
        show("bounded over-release", outcome(bounded.release))
        child = ctx.Process(target=take_and_report, args=(lock, sem, results))
        child.start()
        show(*sorted([results.get(timeout=10), results.get(timeout=10)]))
        child.join()

        shared = manager.dict()
        cond = manager.Condition()
        waiter = ctx.Process(target=wait_for_flag, args=(cond, shared, results))
        waiter.start()
        time.sleep(0.3)
        with cond:
            shared["flag"] = True
            cond.notify_all()
        show(*results.get(timeout=10))
        waiter.join()
        with cond:
            show("condition timeout", cond.wait(0.1))

        event = manager.Event()
        show("event", event.wait(0.1), event.is_set())
        event.set()
        show("event", event.wait(0.1), event.wait())

        barrier = manager.Barrier(2)
        party = ctx.Process(target=barrier_party, args=(barrier, results))
        party.start()
        show("barrier main", barrier.wait(timeout=10) >= 0)
        show(*results.get(timeout=10))
        party.join()
        lonely = manager.Barrier(2)
        show("barrier timeout", outcome(lambda: lonely.wait(timeout=0.2)))
        threading.Timer(0.2, lonely.abort).start()
        show("barrier aborted", outcome(lonely.wait))

        q = manager.Queue(maxsize=1)
        show("get empty", outcome(lambda: q.get(timeout=0.1)), outcome(q.get_nowait))
        q.put("a")
        show(
            "put full", outcome(lambda: q.put("b", timeout=0.1)), outcome(lambda: q.put("b", False))
        )
        show("get", q.get(), q.empty(), q.qsize())
        joinable = manager.JoinableQueue()
        joinable.put(1)
        show("joinable", joinable.get())
        joinable.task_done()
        joinable.join()
        show("joined")

        show("missing key", outcome(lambda: shared["missing"]), shared.get("missing", "default"))
        shared["nested"] = manager.list(["from main"])
        nested = ctx.Process(target=append_to_nested, args=(shared,))
        nested.start()
        nested.join()
        show("nested", list(shared["nested"]))
        items = manager.list(range(3))
        show("list", outcome(lambda: items[10]), items.pop(), list(items))
        value = manager.Value("i", 7)
        value.value += 1
        show("value", value.value)

    show("shut down", outcome(lambda: lock.acquire(timeout=0.1)) != True)  # noqa: E712

    authkey = b"manager semantics"
    server = JobManager(address=("127.0.0.1", 0), authkey=authkey, ctx=ctx)
    server.start()
    client = ctx.Process(target=remote_put, args=(server.address, authkey))
    client.start()
    client.join()
    jobs = server.get_jobs()
    show("remote", jobs.get(timeout=10), outcome(lambda: jobs.get(timeout=0.1)))
    server.shutdown()
    show("done")


if __name__ == "__main__":
    main(sys.argv[1])
