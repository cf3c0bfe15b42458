"""When a Pool's worker fails: an exception, and a worker that dies

A task that raises does no harm to the pool: the worker catches the exception, sends it
back, and map(), starmap() or get() raises it again in the parent, with the worker's traceback
attached as its cause. The other workers go on, and the pool stays usable. A worker that
dies (here with os._exit, as a crash or the kernel's out-of-memory killer would) is
another matter: the pool starts a new worker, but the task it was running is lost, and
its result never comes. So wait with a timeout, as here, or use concurrent.futures'
ProcessPoolExecutor, which raises BrokenProcessPool instead.
"""

import argparse
import multiprocessing
import os
import time
from multiprocessing import Pool

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (1, 8), "bad": (0, 9), "give_up": (1, 60)}


def check_reading(n, bad):
    """Return 100 / (n - bad): the reading ``bad`` divides by zero."""
    time.sleep(0.1)
    return 100 // (n - bad)


def die():
    """End this worker at once: no exception, no clean-up, no result."""
    os._exit(1)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=3, help="how many processes the pool has")
    parser.add_argument("--bad", type=int, default=7, help="which of the readings 0-9 fails")
    parser.add_argument(
        "--give-up",
        type=float,
        default=3.0,
        help="seconds the parent waits for the dead worker's result",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be from {low} to {high}")

    pool = Pool(processes=options.workers)
    try:
        # 1. A task raises: the parent gets the exception back.
        try:
            pool.starmap(check_reading, [(n, options.bad) for n in range(10)])
        except ZeroDivisionError as error:
            print(f"parent: starmap() raised ZeroDivisionError: {error}", flush=True)
            print(f"parent: its cause, from the worker: {type(error.__cause__).__name__}")
        print(f"parent: the pool still works: {pool.map(abs, [-1, -2, -3])}", flush=True)

        # 2. A worker dies: the pool replaces it, but its task is lost.
        before = sorted(p.pid for p in pool._pool)  # _pool: the worker processes
        result = pool.apply_async(die)
        try:
            result.get(timeout=options.give_up)
        except multiprocessing.TimeoutError:  # not the builtin TimeoutError
            print(
                f"parent: no result after {options.give_up:g} s: the task died with its worker",
                flush=True,
            )
        after = sorted(p.pid for p in pool._pool)
        replaced = len(set(before) - set(after))
        print(f"parent: the pool replaced {replaced} dead worker; it still has {len(after)}")
        print(f"parent: the pool still works: {pool.map(abs, [-4, -5, -6])}", flush=True)
    finally:
        # close() and join() would wait forever for the lost task: terminate() stops the
        # workers at once.
        pool.terminate()
        pool.join()
    print("parent: pool terminated")
