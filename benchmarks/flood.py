"""The flood: 4 processes each print N numbered lines (default 100,000) as fast as they can.

Used by bench_flood.py; ``python flood.py [N]``.
"""

import multiprocessing as mp
import sys


def flood(worker: int, count: int) -> None:
    for n in range(count):
        print(f"worker {worker} line {n}")


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    procs = [mp.Process(target=flood, args=(w, count)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
