"""Producer and consumers with a bounded JoinableQueue

The parent produces work items and puts them on a JoinableQueue that holds at most
--size items: when it is full, put() waits until a consumer has taken one, so a fast
producer cannot fill the memory. Each consumer calls task_done() for every item it got,
and the parent's join() on the queue returns once every item put has been done, not
merely taken. Then the parent puts one sentinel (None) per consumer: each consumer stops
at the first sentinel it gets, so every consumer gets exactly one.
"""

import argparse
import time
from multiprocessing import JoinableQueue, Process

# Put once per consumer after the last item: "nothing more will come".
DONE = None

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"items": (1, 100_000), "consumers": (1, 16), "size": (1, 1000), "work": (0, 10)}


def consume(consumer, tasks, work):
    """Take items until the sentinel; mark each one done, the sentinel too."""
    while True:
        item = tasks.get()
        if item is DONE:
            print(f"consumer {consumer}: got the sentinel, stopping", flush=True)
            tasks.task_done()
            return
        time.sleep(work)
        print(f"consumer {consumer}: done item {item}", flush=True)
        tasks.task_done()  # after the work: join() counts items done, not items taken


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=40, help="how many items the parent puts")
    parser.add_argument("--consumers", type=int, default=3, help="how many processes consume")
    parser.add_argument("--size", type=int, default=5, help="the most items the queue holds")
    parser.add_argument("--work", type=float, default=0.3, help="seconds of work per item")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    tasks = JoinableQueue(maxsize=options.size)
    consumers = [
        Process(target=consume, args=(n, tasks, options.work), name=f"consumer-{n}")
        for n in range(1, options.consumers + 1)
    ]
    for p in consumers:
        p.start()
    waits = 0
    for item in range(1, options.items + 1):
        if tasks.full():  # only a hint: a consumer may take one at this very moment
            waits += 1
        tasks.put(item)  # waits while the queue holds --size items
    print(f"parent: put {options.items} items; the queue was full {waits} times", flush=True)
    tasks.join()  # returns when task_done() was called once per item put
    print("parent: join() returned: every item is done", flush=True)
    for _ in consumers:
        tasks.put(DONE)
    for p in consumers:
        p.join()
    print(f"parent: {options.consumers} consumers stopped")
