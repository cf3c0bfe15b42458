"""Compute in a child process

The child squares each number of a list and prints the results. It works on its own copy
of the list it was given: processes do not share memory, so the `results` list the child
fills stays empty in the parent, even after join(). To bring results back to the parent,
use a Queue or a Pipe (later lessons).
"""

import argparse
import time
from multiprocessing import Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"count": (1, 10_000), "delay": (0, 60)}


def square_list(numbers, results, delay):
    """Square each number, keeping the squares in `results` (the child's copy of it)."""
    for n in numbers:
        results.append(n * n)
        print(f"square of {n} is {n * n}")
        time.sleep(delay)
    print(f"child: results = {results}")


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=5, help="square the numbers 1 to count")
    parser.add_argument("--delay", type=float, default=0.3, help="seconds between two squares")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    numbers = list(range(1, options.count + 1))
    results = []
    child = Process(target=square_list, args=(numbers, results, options.delay))
    child.start()
    child.join()
    print(f"parent: results = {results} (the child filled only its own copy)")
