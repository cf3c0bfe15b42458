"""Pass arguments to a process

args= gives the target function its positional arguments, as a tuple (kwargs= would give
keyword arguments as a dict). The arguments travel to the child when it starts; under
spawn and forkserver they are pickled on the way, so they must be picklable. Mind the
trailing comma of a one-element tuple: args=("bob",), not args=("bob").
"""

import argparse
import os
import time
from multiprocessing import Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"times": (1, 1000), "delay": (0, 60)}


def greet(name, times, delay):
    """Run in the child process, with the values given in args=."""
    for i in range(1, times + 1):
        print(f"child (pid {os.getpid()}): hello {name} ({i}/{times})")
        time.sleep(delay)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--name", type=str, default="world", help="who the child greets")
    parser.add_argument("--times", type=int, default=3, help="how many greetings the child prints")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds between two greetings")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    child = Process(target=greet, args=(options.name, options.times, options.delay))
    child.start()
    child.join()
    print(f"parent: child finished with exit code {child.exitcode}")
