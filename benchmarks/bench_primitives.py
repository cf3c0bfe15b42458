"""Traced against plain, side by side in one run: Lock, Queue, Pipe, Semaphore, Event,
Condition and Barrier.

Run it under mptui, so the agent is installed and its ring is drained by a real collector:

    python -m mptui run --headless benchmarks/bench_primitives.py

(Run with plain ``python`` it measures the plain primitives only and says so.) Each
measurement alternates plain and traced rounds and reports medians, so machine noise hits
both alike. Prints ns per operation and the ratio; the targets are the issue's: at most
1 us added per uncontended acquire+release pair, at least 0.9x plain throughput for Queue
put->get of 50-byte messages and for Pipe send/recv; at most 1 us added per Semaphore
acquire+release, Event set+is_set, Condition notify and Barrier wait.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import sys
import time
from multiprocessing import connection, queues, synchronize

ROUNDS = 7


def lock_pairs(lock, n: int) -> float:
    """ns per uncontended acquire+release, as ``with lock:``."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        with lock:
            pass
    return (time.perf_counter_ns() - t0) / n


def semaphore_pairs(sem, n: int) -> float:
    """ns per uncontended acquire+release, as ``with sem:``."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        with sem:
            pass
    return (time.perf_counter_ns() - t0) / n


def event_set_is_set(event, n: int) -> float:
    """ns per ``set()`` + ``is_set()`` (nobody waits: the cost every program pays)."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        event.set()
        event.is_set()
    return (time.perf_counter_ns() - t0) / n


def condition_notify(cond, n: int) -> float:
    """ns per ``with cond: cond.notify()`` with nobody waiting."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        with cond:
            cond.notify()
    return (time.perf_counter_ns() - t0) / n


def barrier_party(barrier, n: int) -> None:
    for _ in range(n):
        barrier.wait()


def barrier_rounds(barrier, n: int) -> float:
    """CPU ns this process spends per round of a 2-party Barrier shared with a child (each
    round blocks one of the two). CPU time, not wall time: a round's wall time is mostly
    the cross-process wake-up, which the scheduler makes vary by 2-5x between runs."""
    p = mp.Process(target=barrier_party, args=(barrier, n))
    p.start()
    barrier.wait()  # both started
    t0 = time.process_time_ns()
    for _ in range(n - 1):
        barrier.wait()
    elapsed = time.process_time_ns() - t0
    p.join()
    return elapsed / (n - 1)


def barrier_alone(barrier, n: int) -> float:
    """ns per ``wait()`` of a 1-party Barrier: it fills at once, never blocks."""
    t0 = time.perf_counter_ns()
    for _ in range(n):
        barrier.wait()
    return (time.perf_counter_ns() - t0) / n


def producer(q, n: int, payload: bytes) -> None:
    for _ in range(n):
        q.put(payload)


def queue_rate(q, n: int, payload: bytes) -> float:
    """Messages per second from a producer process to this one."""
    p = mp.Process(target=producer, args=(q, n, payload))
    t0 = time.perf_counter()
    p.start()
    for _ in range(n):
        q.get()
    elapsed = time.perf_counter() - t0
    p.join()
    return n / elapsed


def sender(conn, n: int, payload: bytes) -> None:
    for _ in range(n):
        conn.send(payload)


def pipe_rate(pair, n: int, payload: bytes) -> float:
    receiver, sending_end = pair
    p = mp.Process(target=sender, args=(sending_end, n, payload))
    t0 = time.perf_counter()
    p.start()
    for _ in range(n):
        receiver.recv()
    elapsed = time.perf_counter() - t0
    p.join()
    return n / elapsed


def side_by_side(measure, make_plain, make_traced):
    plain, traced = [], []
    for _ in range(ROUNDS):
        plain.append(measure(make_plain()))
        traced.append(measure(make_traced()))
    return statistics.median(plain), statistics.median(traced)


def main() -> None:
    ctx = mp.get_context()
    observed = mp.Lock is not None and type(mp.Lock()) is not synchronize.Lock
    print(
        f"python {sys.version.split()[0]}, start method {ctx.get_start_method()}, "
        f"agent {'installed' if observed else 'NOT installed: traced == plain'}"
    )
    payload = b"x" * 50

    n = 200_000
    plain, traced = side_by_side(
        lambda lock: lock_pairs(lock, n), lambda: synchronize.Lock(ctx=ctx), mp.Lock
    )
    print(
        f"lock acquire+release: plain {plain:.0f} ns, traced {traced:.0f} ns, "
        f"added {traced - plain:.0f} ns per pair (target <= 1000)"
    )

    plain, traced = side_by_side(
        lambda sem: semaphore_pairs(sem, n),
        lambda: synchronize.Semaphore(ctx=ctx),
        mp.Semaphore,
    )
    print(
        f"semaphore acquire+release: plain {plain:.0f} ns, traced {traced:.0f} ns, "
        f"added {traced - plain:.0f} ns per pair (target <= 1000)"
    )

    n = 50_000
    plain, traced = side_by_side(
        lambda event: event_set_is_set(event, n), lambda: synchronize.Event(ctx=ctx), mp.Event
    )
    print(
        f"event set+is_set: plain {plain:.0f} ns, traced {traced:.0f} ns, "
        f"added {traced - plain:.0f} ns (target <= 1000)"
    )

    plain, traced = side_by_side(
        lambda cond: condition_notify(cond, n),
        lambda: synchronize.Condition(ctx=ctx),
        mp.Condition,
    )
    print(
        f"condition with+notify: plain {plain:.0f} ns, traced {traced:.0f} ns, "
        f"added {traced - plain:.0f} ns (target <= 1000)"
    )

    plain, traced = side_by_side(
        lambda barrier: barrier_alone(barrier, n),
        lambda: synchronize.Barrier(1, ctx=ctx),
        lambda: mp.Barrier(1),
    )
    print(
        f"barrier wait, 1 party: plain {plain:.0f} ns, traced {traced:.0f} ns, "
        f"added {traced - plain:.0f} ns (target <= 1000)"
    )

    n = 2_000
    plain, traced = side_by_side(
        lambda barrier: barrier_rounds(barrier, n),
        lambda: synchronize.Barrier(2, ctx=ctx),
        lambda: mp.Barrier(2),
    )
    print(
        f"barrier round, 2 processes, CPU of one: plain {plain:.0f} ns, traced {traced:.0f} ns,"
        f" added {traced - plain:.0f} ns (target <= 1000)"
    )

    n = 20_000
    plain, traced = side_by_side(
        lambda q: queue_rate(q, n, payload), lambda: queues.Queue(ctx=ctx), mp.Queue
    )
    print(
        f"queue put->get 50 B: plain {plain:,.0f} msg/s, traced {traced:,.0f} msg/s, "
        f"ratio {traced / plain:.2f}x (target >= 0.9)"
    )

    plain, traced = side_by_side(
        lambda pair: pipe_rate(pair, n, payload), lambda: connection.Pipe(), mp.Pipe
    )
    print(
        f"pipe send/recv 50 B: plain {plain:,.0f} msg/s, traced {traced:,.0f} msg/s, "
        f"ratio {traced / plain:.2f}x (target >= 0.9)"
    )


if __name__ == "__main__":
    main()
