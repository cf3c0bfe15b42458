"""The join-before-drain hang, and its fix

A worker puts its results on a Queue and returns. The parent joins the worker, then reads
the results. That looks right, and hangs: a process that put data on a queue does not
exit until that data has been written into the queue's pipe, and a pipe holds only about
64 KiB. The worker waits for the parent to read; the parent, in join(), waits for the
worker to exit. multiprocessing's programming guidelines warn about exactly this. Watch
the doctor name the hang. Here the parent gives up joining after --give-up seconds and
then reads, so the lesson ends. Run it with --order get-then-join: read first, then join,
and nothing hangs.
"""

import argparse
from multiprocessing import Process, Queue

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"results": (1, 100_000), "give_up": (1, 60)}


def work(results, count):
    """Put ``count`` results on the queue, then return (and try to exit)."""
    for n in range(count):
        results.put(f"result {n}: " + "x" * 100)
    print(f"worker: put {count} results; returning", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--order",
        type=str,
        default="join-then-get",
        choices=["join-then-get", "get-then-join"],
        help="join-then-get: the hang; get-then-join: the fix",
    )
    parser.add_argument(
        "--results",
        type=int,
        default=2000,
        help="results the worker puts (2000 x 110 bytes: more than a pipe holds)",
    )
    parser.add_argument(
        "--give-up",
        type=float,
        default=8.0,
        help="seconds the parent waits in join() before it reads anyway",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be from {low} to {high}")

    results = Queue()
    worker = Process(target=work, args=(results, options.results), name="worker")
    worker.start()
    if options.order == "join-then-get":
        worker.join(timeout=options.give_up)
        if worker.is_alive():
            print(
                f"parent: the worker still has not exited after {options.give_up:g} s: "
                "it waits for us to read its results. Reading them now.",
                flush=True,
            )
    got = [results.get() for _ in range(options.results)]
    worker.join()
    print(f"parent: got {len(got)} results; the worker exited with code {worker.exitcode}")
