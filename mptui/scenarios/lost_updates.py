"""Lost updates: a shared Value with and without its lock

Several workers add 1 to one shared Value, many times each: read the value, think a
moment, write the value plus one back. First without the lock: two workers read the same
value, both write it plus one, and one of the two updates is lost. ``counter.value += 1``
is the same read and write, only with less time between them: the race is rarer, not
gone. The Value's own lock guards each single read and each single write, not the two
together. Then the same work with the lock held around both (``with
counter.get_lock():``): no update is lost, at the price of waiting.
"""

import argparse
import time
from multiprocessing import Process, Value

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (1, 16), "increments": (1, 100_000), "pause": (0, 1)}


def add_without_lock(counter, increments, pause):
    """Read, pause, write back: another worker may write in between."""
    for _ in range(increments):
        current = counter.value
        time.sleep(pause)  # the time between the read and the write: any work at all
        counter.value = current + 1


def add_with_lock(counter, increments, pause):
    """The same steps, with nobody else able to step in."""
    for _ in range(increments):
        with counter.get_lock():
            current = counter.value
            time.sleep(pause)
            counter.value = current + 1


def run(target, label, workers, increments, pause):
    """Start the workers on a counter at 0, wait for them, and report what it got."""
    counter = Value("i", 0)  # a C int in shared memory, with a lock of its own
    started = time.perf_counter()
    processes = [
        Process(target=target, args=(counter, increments, pause), name=f"{label}-{n}")
        for n in range(1, workers + 1)
    ]
    for p in processes:
        p.start()
    for p in processes:
        p.join()
    took = time.perf_counter() - started
    expected = workers * increments
    got = counter.value
    print(
        f"{label}: expected {expected}, got {got}, lost {expected - got} ({took:.2f} s)",
        flush=True,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="how many processes add")
    parser.add_argument(
        "--increments", type=int, default=500, help="how many times each worker adds 1"
    )
    parser.add_argument(
        "--pause", type=float, default=0.002, help="seconds between reading and writing back"
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    for target, label in ((add_without_lock, "without the lock"), (add_with_lock, "with the lock")):
        run(target, label, options.workers, options.increments, options.pause)
