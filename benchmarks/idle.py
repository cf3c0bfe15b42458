"""Idle with many traced objects: 8 processes use N//2 Locks and N//2 Queues once, then sleep.

Used by bench_idle.py; ``python idle.py N SECONDS``. Each process prints ``ready`` when it
has used every object (so each has a counter for each of them), then sleeps SECONDS.
"""

import multiprocessing as mp
import sys
import time


def use_then_sleep(locks, queues, seconds: float) -> None:
    for lock in locks:
        with lock:
            pass
    for queue in queues:
        queue.put(1)
        queue.get()
    print("ready", flush=True)
    time.sleep(seconds)


if __name__ == "__main__":
    count, seconds = int(sys.argv[1]), float(sys.argv[2])
    locks = [mp.Lock() for _ in range(count // 2)]
    queues = [mp.Queue() for _ in range(count - count // 2)]
    procs = [mp.Process(target=use_then_sleep, args=(locks, queues, seconds)) for _ in range(8)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
