"""Deadlock: two locks taken in opposite order

Two workers each need both locks, a and b. Worker 1 takes a, then b; worker 2 takes b,
then a. Each gets its first lock, then waits forever for the one the other holds: a
deadlock. Neither can go on, and nothing in the program will ever say so. Watch the
doctor name it within a second or two, with who holds what. Here each worker gives up
after --give-up seconds (acquire with a timeout), so the lesson ends. Run it again with
--order same: both take a before b, and the deadlock cannot happen.
"""

import argparse
import time
from multiprocessing import Barrier, Lock, Process

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"give_up": (1, 60)}


def work(worker, first, second, names, both_ready, give_up):
    """Take ``first``, then try for ``second`` for at most ``give_up`` seconds."""
    with first:
        print(f"worker {worker}: took lock {names[0]}; now asking for lock {names[1]}", flush=True)
        # Wait until the other worker holds its first lock too (a Barrier with no timeout
        # would wait forever if the other got both: with opposite order it never does).
        try:
            both_ready.wait(timeout=0.5)
        except Exception:
            pass  # with the same order the other is still waiting for lock a: fine
        if second.acquire(timeout=give_up):
            print(f"worker {worker}: took lock {names[1]} too; working with both", flush=True)
            time.sleep(0.2)
            second.release()
        else:
            print(
                f"worker {worker}: gave up on lock {names[1]} after {give_up:g} s: deadlock",
                flush=True,
            )
    print(f"worker {worker}: released lock {names[0]}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--order",
        type=str,
        default="opposite",
        choices=["opposite", "same"],
        help="opposite: the deadlock; same: both take a before b",
    )
    parser.add_argument(
        "--give-up",
        type=float,
        default=10.0,
        help="seconds a worker waits for its second lock before giving up",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name.replace('_', '-')} must be from {low} to {high}")

    a = Lock()
    b = Lock()
    both_ready = Barrier(2)
    second_order = (b, a, ("b", "a")) if options.order == "opposite" else (a, b, ("a", "b"))
    workers = [
        Process(
            target=work, args=(1, a, b, ("a", "b"), both_ready, options.give_up), name="worker-1"
        ),
        Process(
            target=work, args=(2, *second_order, both_ready, options.give_up + 1), name="worker-2"
        ),
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    print("parent: both workers finished")
