"""Start a process and join it

A Process object holds a function to run in a new process, but nothing happens until
start() is called: then the child runs the function while the parent carries on with its
own work. join() makes the parent wait until the child has finished. Watch the pids: the
greeting comes from a different process than the parent, which can report the child's
exit code once join() has returned.
"""

import argparse
import os
import time
from multiprocessing import Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"work": (0, 60)}


def greet():
    """Run in the child process."""
    print(f"child (pid {os.getpid()}): hello from the child process")
    # A short nap keeps the child alive long enough to be seen on a live dashboard.
    time.sleep(0.1)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--work",
        type=float,
        default=1.0,
        help="seconds the parent works on its own between start() and join()",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    print(f"parent (pid {os.getpid()}): starting the child")
    child = Process(target=greet)
    child.start()
    # start() returns at once: the parent goes on with its own work while the child runs.
    time.sleep(options.work)
    child.join()  # wait here until the child has finished
    print(f"parent: join() returned; the child exited with code {child.exitcode}")
