"""A Pool: map with a chunksize, and imap_unordered

A Pool starts its worker processes once and hands them tasks. map() sends the tasks in
chunks and returns every result in the order of the inputs. Each chunk is one message to
a worker and one back, so for many tiny tasks a large chunksize is much faster than one
task per message. imap_unordered() hands out results as soon as each is ready, whatever
its place in the input: here the first inputs take the longest, so they arrive late.
"""

import argparse
import time
from multiprocessing import Pool

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (1, 16), "tasks": (1, 100_000), "chunksize": (1, 100_000), "slow": (0, 5)}


def square(n):
    """A tiny task: far cheaper than the message that carries it."""
    return n * n


def slow_square(args):
    """A task that takes ``seconds``, to show the order results come back in."""
    n, seconds = args
    time.sleep(seconds)
    return n, n * n


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="how many processes the pool has")
    parser.add_argument("--tasks", type=int, default=20000, help="how many tiny tasks map() gets")
    parser.add_argument("--chunksize", type=int, default=1000, help="tasks per message in map()")
    parser.add_argument(
        "--slow",
        type=float,
        default=0.5,
        help="how much longer each of the first tasks takes than the next",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    with Pool(processes=options.workers) as pool:
        numbers = range(options.tasks)
        for chunksize in (1, options.chunksize):
            started = time.perf_counter()
            results = pool.map(square, numbers, chunksize=chunksize)
            took = time.perf_counter() - started
            in_order = results == [n * n for n in numbers]
            print(
                f"map, chunksize {chunksize}: {len(results)} results in {took:.2f} s, "
                f"in input order: {in_order}",
                flush=True,
            )

        # The first inputs take the longest (input 0 most); the rest are short.
        workers = options.workers
        jobs = [(n, (workers - n) * options.slow) for n in range(workers)]
        jobs += [(n, options.slow / 2) for n in range(workers, 2 * workers)]
        started = time.perf_counter()
        arrived = []
        for n, result in pool.imap_unordered(slow_square, jobs):
            arrived.append(n)
            took = time.perf_counter() - started
            print(f"imap_unordered: square of {n} is {result} after {took:.2f} s", flush=True)
        print(f"imap_unordered: arrival order {arrived}", flush=True)
        pool.close()  # no more tasks: the workers exit once the queue is empty
        pool.join()
    print("parent: the pool's workers have exited")
