"""Run two processes at the same time

p1 prints the squares of some numbers while p2 checks which of them are even. Both are
started before either is joined, so they run at the same time: their lines come out
mixed, in an order that can change from one run to the next. Had the parent called
p1.join() before p2.start(), the two would have run one after the other.
"""

import argparse
import sys
import time
from multiprocessing import Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"count": (1, 10_000), "delay": (0, 60)}


def say(line):
    """Write one whole line with a single write call.

    print() writes the text and the newline separately; with unbuffered output
    (python -u) the other process's line could land in between and cut this one in two.
    """
    sys.stdout.write(line + "\n")


def print_squares(numbers, delay):
    """Print the square of each number."""
    for n in numbers:
        say(f"square of {n} is {n * n}")
        time.sleep(delay)


def print_evens(numbers, delay):
    """Say for each number whether it is even or odd."""
    for n in numbers:
        say(f"{n} is {'even' if n % 2 == 0 else 'odd'}")
        time.sleep(delay)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--count", type=int, default=6, help="work on the numbers 1 to count")
    parser.add_argument("--delay", type=float, default=0.4, help="seconds between two lines")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    numbers = list(range(1, options.count + 1))
    p1 = Process(target=print_squares, args=(numbers, options.delay))
    p2 = Process(target=print_evens, args=(numbers, options.delay))
    # Start both first, then wait for both: this is what lets them overlap.
    p1.start()
    p2.start()
    p1.join()
    p2.join()
    print("parent: both processes finished")
