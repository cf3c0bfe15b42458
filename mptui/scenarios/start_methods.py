"""Three ways to start a process: fork, spawn and forkserver, timed

fork copies the running parent: quick, but unsafe in a parent that runs threads (a lock
a thread held stays locked in the child), so macOS dropped it as the default in Python
3.8 and Linux in 3.14. spawn starts a fresh Python that imports this file again (hence
the __main__ guard): safe, and the slowest. forkserver starts one clean server process
first, then forks each child from it: the first start pays for the server, later ones
are quick. Here each child sends a
message as soon as its code runs, and the parent prints how long that took after start().
These costs are why a Pool starts its workers once and reuses them.
"""

import argparse
import multiprocessing
import time
from multiprocessing import Pipe
from multiprocessing.context import ForkProcess, ForkServerProcess, SpawnProcess

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"starts": (1, 50)}

# A Process class per start method: each starts its child its own way, whatever the
# program's default start method is.
PROCESS_CLASSES = {"fork": ForkProcess, "spawn": SpawnProcess, "forkserver": ForkServerProcess}


def hello(conn):
    """The child's first act: say it runs."""
    conn.send("running")
    conn.close()


def time_starts(method, starts):
    """Start ``starts`` children one after another; return the ms until each ran."""
    times = []
    for n in range(1, starts + 1):
        receiver, sender = Pipe(duplex=False)
        child = PROCESS_CLASSES[method](target=hello, args=(sender,), name=f"{method}-{n}")
        started = time.perf_counter()
        child.start()
        receiver.recv()  # waits until the child's code sends its message
        ms = (time.perf_counter() - started) * 1000
        child.join()
        times.append(ms)
        print(f"{method}: start {n} ran after {ms:.1f} ms", flush=True)
    return times


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--starts", type=int, default=10, help="how many children per method")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    available = multiprocessing.get_all_start_methods()  # this platform's methods
    summary = []
    for method in ("fork", "spawn", "forkserver"):
        if method not in available:
            print(f"{method}: not available on this platform", flush=True)
            continue
        times = sorted(time_starts(method, options.starts))
        summary.append(f"{method} {times[len(times) // 2]:.1f} ms")
    print("median start: " + ", ".join(summary))
