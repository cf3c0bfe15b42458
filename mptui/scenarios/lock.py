"""Take turns with a Lock

Several workers share one Lock. In each round a worker acquires the lock, prints a block
of three lines with pauses in between, and releases it. While one worker holds the lock,
the others wait for it, so the blocks never mix, although all workers run at the same
time. Watch who holds the lock and who waits. A Lock is not a queue: the order in which
waiting workers get their turn is not guaranteed.
"""

import argparse
import time
from multiprocessing import Lock, Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"workers": (1, 32), "rounds": (1, 1000), "hold": (0, 60)}


def work(lock, worker, rounds, hold):
    """Print one block of lines per round, each block while holding the lock."""
    for round_ in range(1, rounds + 1):
        with lock:  # acquire() here, release() at the end of the block, even on error
            # flush=True writes each line while the lock is still held; a buffered line
            # would be written later, outside the lock, perhaps inside another block.
            print(f"worker {worker} round {round_}: begin", flush=True)
            time.sleep(hold / 2)
            print(f"worker {worker} round {round_}: working", flush=True)
            time.sleep(hold / 2)
            print(f"worker {worker} round {round_}: end", flush=True)
        # Rest outside the lock. A worker that released the lock and asked for it again
        # at once would often win it again, before the waiting workers wake up.
        time.sleep(hold)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="how many processes share the lock")
    parser.add_argument(
        "--rounds", type=int, default=15, help="how many times each worker takes it"
    )
    parser.add_argument("--hold", type=float, default=0.25, help="seconds a worker holds the lock")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    lock = Lock()
    workers = [
        Process(target=work, args=(lock, n, options.rounds, options.hold), name=f"worker-{n}")
        for n in range(1, options.workers + 1)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    turns = options.workers * options.rounds
    print(f"parent: {options.workers} workers took {turns} turns at the lock")
