"""Semaphore, BoundedSemaphore, Condition, Event, Barrier, Value and Array at work across
processes: every result the program sees is printed by the main process, in an order that
does not depend on timing, so a plain run and a run under mptui print the same lines.

Usage: python sync_semantics.py START_METHOD
"""

import functools
import multiprocessing as mp
import sys
import threading
import time


def show(*parts):
    print(*parts, flush=True)


def error_name(call):
    try:
        return call()
    except BaseException as error:  # noqa: BLE001 - the type is what is compared
        return type(error).__name__


def poll(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the other process never got there")
        time.sleep(0.005)


# ---- children (module level: spawn and forkserver import them) --------------------------


def take_unit(sem, results):
    results.put(("child acquired", sem.acquire(timeout=10)))
    sem.release()


def sleeper(cond, arrived, tickets, woke):
    with cond:
        arrived.value += 1
        cond.notify_all()
        while tickets.value == 0:
            cond.wait()
        tickets.value -= 1
        woke.value += 1
        cond.notify_all()


def await_event(event, results):
    results.put(("child event", event.wait(10)))


def barrier_party(barrier, results):
    try:
        results.put(("party", barrier.wait()))
    except BaseException as error:  # noqa: BLE001
        results.put(("party", type(error).__name__))


def bump(counter):
    counter.value += 1


def add_many(value, array, n):
    for _ in range(n):
        with value.get_lock():
            value.value += 1
    with array.get_lock():
        array[1] += n


def join_all(processes):
    for p in processes:
        p.join()
    return [p.exitcode for p in processes]


def results_of(queue, n):
    return sorted((queue.get(timeout=30) for _ in range(n)), key=repr)


# ---- the checks ---------------------------------------------------------------------------


def semaphores(ctx):
    sem = ctx.Semaphore(2)
    show("sem", repr(sem), sem.acquire(), sem.acquire(True), sem.get_value())
    show("sem try", sem.acquire(False), sem.acquire(block=False), sem.acquire(timeout=0.05))
    show("sem timeout 0", sem.acquire(True, 0), sem.acquire(timeout=-1))
    sem.release()
    with sem as entered:
        show("sem with", entered, sem.get_value())
    show("sem after with", sem.get_value(), sem.acquire())
    results = ctx.Queue()
    p = ctx.Process(target=take_unit, args=(sem, results))
    p.start()
    time.sleep(0.1)
    sem.release()  # the child was blocked: it takes this unit
    show(*results.get(timeout=30), join_all([p]))
    show("sem value", sem.get_value())

    bounded = ctx.BoundedSemaphore(2)
    show("bounded", repr(bounded), error_name(bounded.release))
    bounded.acquire()
    bounded.release()
    show("bounded again", error_name(bounded.release), bounded.get_value())
    with bounded:
        show("bounded with", bounded.get_value())


def conditions(ctx):
    cond = ctx.Condition()
    show("cond wait unowned", error_name(cond.wait), error_name(cond.notify))
    with cond:
        show("cond wait", cond.wait(0.05), cond.wait(timeout=0))
        show("cond wait_for", cond.wait_for(lambda: False, 0.05), cond.wait_for(lambda: 7))
        show("cond notify none", cond.notify(), cond.notify_all(), cond.notify(3))
    show("cond acquire", cond.acquire(), cond.acquire(False), cond.release())
    cond.release()

    # notify(n) wakes exactly n sleepers, notify_all the rest.
    arrived, tickets, woke = ctx.Value("i", 0), ctx.Value("i", 0), ctx.Value("i", 0)
    kids = [ctx.Process(target=sleeper, args=(cond, arrived, tickets, woke)) for _ in range(3)]
    for p in kids:
        p.start()
    with cond:
        cond.wait_for(lambda: arrived.value == 3, 30)  # all three sleep in wait() now
        tickets.value = 1
        cond.notify(1)
    with cond:
        cond.wait_for(lambda: woke.value == 1, 30)
    time.sleep(0.2)  # nobody else may wake
    show("notify(1) woke", woke.value)
    with cond:
        tickets.value = 2
        cond.notify_all()
        cond.wait_for(lambda: woke.value == 3, 30)
    show("notify_all woke", woke.value, join_all(kids))

    for lock in (ctx.Lock(), ctx.RLock()):
        on_lock = ctx.Condition(lock)
        with on_lock:
            if isinstance(lock, type(ctx.RLock())):
                with on_lock:  # re-entered: wait() releases both levels, takes both back
                    show("rlock cond", on_lock.wait(0.02), lock._semlock._count())
            else:
                show("lock cond", on_lock.wait(0.02), lock._semlock._is_mine())
        show("lock free after", lock.acquire(False))
        lock.release()


def events(ctx):
    event = ctx.Event()
    show("event", repr(event).split(" at ")[0], event.is_set(), event.wait(0.05))
    show("event set", event.set(), event.is_set(), event.wait(), event.wait(0), event.wait(5))
    show("event clear", event.clear(), event.is_set(), event.wait(timeout=0.02))
    results = ctx.Queue()
    kids = [ctx.Process(target=await_event, args=(event, results)) for _ in range(2)]
    for p in kids:
        p.start()
    time.sleep(0.1)
    event.set()
    show(*results_of(results, 2), join_all(kids))


def barriers(ctx):
    counter = ctx.Value("i", 0)
    barrier = ctx.Barrier(3, action=functools.partial(bump, counter))
    show("barrier", barrier.parties, barrier.n_waiting, barrier.broken)
    results = ctx.Queue()
    for _round in range(2):
        kids = [ctx.Process(target=barrier_party, args=(barrier, results)) for _ in range(2)]
        for p in kids:
            p.start()
        mine = barrier.wait()
        indices = sorted([mine] + [index for _, index in results_of(results, 2)])
        show("barrier indices", indices, "action ran", counter.value, join_all(kids))

    timed = ctx.Barrier(2, timeout=0.05)
    show("barrier default timeout", error_name(timed.wait), timed.broken)
    timed.reset()
    show("barrier reset", timed.broken, timed.n_waiting)
    show("barrier own timeout", error_name(lambda: timed.wait(0.05)), timed.broken)
    timed.reset()

    aborted = ctx.Barrier(2)
    p = ctx.Process(target=barrier_party, args=(aborted, results))
    p.start()
    poll(lambda: aborted.n_waiting == 1)
    aborted.abort()
    show("barrier abort", *results.get(timeout=30), aborted.broken, error_name(aborted.wait))
    show(join_all([p]))

    reset = ctx.Barrier(2)
    p = ctx.Process(target=barrier_party, args=(reset, results))
    p.start()
    poll(lambda: reset.n_waiting == 1)
    reset.reset()
    show("barrier reset while waiting", *results.get(timeout=30), join_all([p]))
    p = ctx.Process(target=barrier_party, args=(reset, results))
    p.start()
    show("barrier usable again", reset.wait() in (0, 1), results.get(timeout=30)[1] in (0, 1))
    show(join_all([p]))

    # A thread of this process breaking it while this thread waits.
    broken = ctx.Barrier(2)
    threading.Timer(0.1, broken.abort).start()
    show("barrier broken by a thread", error_name(broken.wait))


def shared_values(ctx):
    value = ctx.Value("i", 0)
    array = ctx.Array("d", 3)
    with value.get_lock(), value.get_lock():  # an RLock: re-entry works
        value.value = 1
    kids = [ctx.Process(target=add_many, args=(value, array, 200)) for _ in range(4)]
    for p in kids:
        p.start()
    show("value", join_all(kids), value.value, list(array))
    raw = ctx.Value("i", 5, lock=False)
    mine = ctx.Lock()
    own = ctx.Value("i", 6, lock=mine)
    show("raw", type(raw).__name__, raw.value, "own lock", own.get_lock() is mine, own.value)
    show("array no lock", type(ctx.Array("i", [1, 2], lock=False)).__name__)
    with array.get_lock():
        array[0] = 1.5
    show("array", array[:], array.get_obj()[0])


if __name__ == "__main__":
    method = sys.argv[1]
    mp.set_start_method(method)
    # Half through a context object, half through the module's functions (the default
    # context): both are hooked.
    semaphores(mp.get_context(method))
    conditions(mp)
    events(mp.get_context(method))
    barriers(mp)
    shared_values(mp.get_context(method))
    show("done")
