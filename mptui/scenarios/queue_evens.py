"""Collect results through a Queue

The child checks numbers for evenness and puts each result on a Queue; the parent takes
them off with get(), which waits until an item is there. How does the parent know it has
them all? Not with empty(): an empty queue may only mean the child has not put the next
result yet. Here the child puts a sentinel, None, after its last result. Note also that
the parent drains the queue before it calls join() (see the comment in the code).
"""

import argparse
import time
from multiprocessing import Process, Queue

# Put by the child after its last result: "nothing more will come".
DONE = None

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"count": (1, 100_000), "delay": (0, 60)}


def check_even(numbers, queue, delay):
    """Put (number, is_even) on the queue for each number, then the DONE sentinel."""
    for n in numbers:
        time.sleep(delay)
        queue.put((n, n % 2 == 0))
    queue.put(DONE)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=8, help="check the numbers 1 to count")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between two results")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    numbers = list(range(1, options.count + 1))
    queue = Queue()
    child = Process(target=check_even, args=(numbers, queue, options.delay))
    child.start()

    received = 0
    while True:
        item = queue.get()  # blocks until the child has put something
        if item is DONE:
            break
        n, is_even = item
        print(f"parent got: {n} is {'even' if is_even else 'odd'}")
        received += 1

    # Join only after draining. A process that has put items on a queue does not exit
    # until they have all been written into the underlying pipe; if the pipe is full
    # (a few kilobytes), the child waits for the parent to get(), while a parent stuck in
    # join() waits for the child to exit: a deadlock. Try --count 100000 with the join
    # moved above the loop.
    child.join()
    print(f"parent: received {received} of {len(numbers)} results")
