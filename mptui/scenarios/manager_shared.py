"""Share a dict and a list through a Manager

A Manager starts a server process that owns ordinary Python objects, here a dict and a
list, and hands out proxies to them. Every worker's proxy sends each operation to the
server, so all workers see one dict and one list, with any picklable values. Each call is
a round trip to the server, much slower than a local dict. And a proxy forwards only its
own methods: changing a list stored inside the dict changes a copy, so store it back.
"""

import argparse
import time
from multiprocessing import Manager, Process

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (1, 16), "rounds": (1, 1000), "delay": (0, 10)}


def work(worker, scores, events, rounds, delay):
    """Record a score per round in the shared dict and a line in the shared list."""
    for round_ in range(1, rounds + 1):
        time.sleep(delay)
        scores[f"worker {worker}"] = round_ * worker  # one round trip to the server
        events.append(f"worker {worker} round {round_}")
        print(f"worker {worker} round {round_}: {len(events)} events so far", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="how many processes share")
    parser.add_argument("--rounds", type=int, default=5, help="how many entries each adds")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between rounds")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    with Manager() as manager:  # starts the server process; shuts it down at the end
        scores = manager.dict()
        events = manager.list()
        workers = [
            Process(
                target=work,
                args=(n, scores, events, options.rounds, options.delay),
                name=f"worker-{n}",
            )
            for n in range(1, options.workers + 1)
        ]
        for p in workers:
            p.start()
        for p in workers:
            p.join()
        print(f"parent: scores {dict(sorted(scores.items()))}", flush=True)
        print(f"parent: {len(events)} events, first {events[0]!r}, last {events[-1]!r}")

        # The pitfall: the dict hands out a copy of the list stored in it.
        scores["history"] = []
        scores["history"].append(1)  # appends to a copy, which is then thrown away
        print(f"parent: after appending in place, history is {scores['history']}")
        history = scores["history"]
        history.append(1)
        scores["history"] = history  # store it back: now the server has it
        print(f"parent: after storing it back, history is {scores['history']}")
