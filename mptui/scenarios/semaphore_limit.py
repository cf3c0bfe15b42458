"""At most N at once with a Semaphore

Many workers want to use something that only a few may use at the same time (a licence,
a database with few connections, a slow disk). A Semaphore holds N permits: acquire takes
one, and waits while none is left; release gives it back. Here every worker counts itself
in and out of a shared Value, so the program can print how many are inside. However many
workers there are, the count never goes above the limit.
"""

import argparse
import time
from multiprocessing import Process, Semaphore, Value

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (1, 32), "limit": (1, 32), "rounds": (1, 100), "hold": (0, 10)}


def work(worker, permits, inside, rounds, hold):
    """Each round: take a permit, stay inside for ``hold`` seconds, give it back."""
    for round_ in range(1, rounds + 1):
        with permits:  # waits here while all permits are taken
            with inside.get_lock():
                inside.value += 1
                now = inside.value
            print(f"worker {worker} round {round_}: in, {now} inside", flush=True)
            time.sleep(hold)
            with inside.get_lock():
                inside.value -= 1
                now = inside.value
            print(f"worker {worker} round {round_}: out, {now} inside", flush=True)
        time.sleep(hold / 4)  # rest outside, so the waiting workers get their turn


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=6, help="how many processes want in")
    parser.add_argument("--limit", type=int, default=2, help="how many may be inside at once")
    parser.add_argument("--rounds", type=int, default=3, help="how many times each goes in")
    parser.add_argument("--hold", type=float, default=0.4, help="seconds a worker stays inside")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    permits = Semaphore(options.limit)
    inside = Value("i", 0)  # how many workers hold a permit now
    workers = [
        Process(
            target=work,
            args=(n, permits, inside, options.rounds, options.hold),
            name=f"worker-{n}",
        )
        for n in range(1, options.workers + 1)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    print(f"parent: {options.workers} workers, never more than {options.limit} inside")
