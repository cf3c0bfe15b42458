"""Start together with an Event, keep step with a Barrier

The workers start at once but must not begin work before the parent says go: each waits
on an Event, and the parent sets it when everything is ready. Then each works through its
phases, some faster than others. A Barrier between phases makes the fast ones wait until
every worker has finished the phase: nobody starts phase 2 before all have ended phase 1.
Watch the workers wait at the Event, then at the Barrier, and leave it together.
"""

import argparse
import time
from multiprocessing import Barrier, Event, Process

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"workers": (2, 16), "phases": (1, 20), "step": (0, 1)}


def work(worker, go, barrier, phases, step):
    """Wait for go, then do each phase and wait for the others at the barrier."""
    print(f"worker {worker}: ready, waiting for the start signal", flush=True)
    go.wait()
    for phase in range(1, phases + 1):
        print(f"worker {worker}: phase {phase} begins", flush=True)
        time.sleep(step * worker)  # worker 1 is the fastest, the last is the slowest
        print(f"worker {worker}: phase {phase} done, waiting at the barrier", flush=True)
        barrier.wait()  # returns in every worker at once, when the last one arrives
    print(f"worker {worker}: finished", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--workers", type=int, default=4, help="how many processes keep step")
    parser.add_argument("--phases", type=int, default=3, help="how many phases each works")
    parser.add_argument(
        "--step",
        type=float,
        default=0.5,
        help="seconds of work per phase for worker 1 (worker n takes n times as long)",
    )
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    go = Event()
    barrier = Barrier(options.workers)  # opens when this many processes wait on it
    workers = [
        Process(
            target=work, args=(n, go, barrier, options.phases, options.step), name=f"worker-{n}"
        )
        for n in range(1, options.workers + 1)
    ]
    for p in workers:
        p.start()
    time.sleep(1)  # time for the workers to start: none begins work until go is set
    print("parent: everything is ready: go!", flush=True)
    go.set()
    for p in workers:
        p.join()
    print(f"parent: {options.workers} workers went through {options.phases} phases in step")
