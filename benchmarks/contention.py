"""4 processes x 25,000 acquire/release of one Lock, 10 µs of busy work inside each hold:
the contended case of benchmarks/bench_lock_contention.py (runs with plain python too)."""

import multiprocessing as mp
import time

PROCESSES, ROUNDS, CRITICAL_NS = 4, 25_000, 10_000


def work(lock) -> None:
    for _ in range(ROUNDS):
        with lock:
            end = time.perf_counter_ns() + CRITICAL_NS
            while time.perf_counter_ns() < end:
                pass


if __name__ == "__main__":
    lock = mp.Lock()
    workers = [mp.Process(target=work, args=(lock,)) for _ in range(PROCESSES)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
