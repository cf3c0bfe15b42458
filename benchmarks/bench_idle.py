"""mptui's CPU while the program sleeps, with 0 and with 1,000 traced objects, side by side.

    python benchmarks/bench_idle.py [ROUNDS] [--objects N] [--seconds S]

``idle.py`` starts 8 processes that each use N//2 Locks and N//2 Queues once (so each has a
counter for every object in its ring) and then sleep. mptui runs it headless; once every
process has said ``ready`` (read from mptui's own output), mptui's own CPU time (the run
time of the mptui process's threads, from /proc/PID/task/*/schedstat) is measured over S
seconds (default 5) of sleep.
Rounds alternate 0 objects, 2 and N (default 1,000); the ranges over ROUNDS (default 5) are
printed in percent of one core. The target: the same with N objects as with 2 (the cost of
using traced objects at all: a ring per process and multiprocessing's resource tracker).

What N objects still cost is the kernel's, for the program's threads: a Queue a process
has put to has a feeder thread in that process, so with 500 Queues the 8 processes hold
4,000 threads, which listing /proc (the process scan, when a pid was allocated since the
last one: on a busy machine, every second) and reading each process's CPU time (once a
second) walk: the same work as for a program with as many plain threads.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
IDLE = os.path.join(HERE, "idle.py")
PROCESSES = 8  # idle.py's


def own_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` itself (all its threads, not its children), to the
    nanosecond: the scheduler's run time of each thread (clock ticks are 10 ms, too coarse
    for an idle process)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except (OSError, ValueError):
            pass  # a thread that ended meanwhile
    return total / 1e9


def idle_cpu(objects: int, seconds: float) -> float:
    """Percent of one core mptui used over ``seconds`` while ``objects`` sat unused."""
    settle = 1.0  # after the last "ready": the counters' last change is read, then quiet
    argv = [sys.executable, "-m", "mptui", "run", "--headless", IDLE, str(objects),
            str(seconds + settle + 60)]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        ready = 0
        for line in proc.stdout:
            ready += line.rstrip().endswith(b"ready")
            if ready == PROCESSES:
                break
        else:
            raise SystemExit(f"the idle program ended early (exit {proc.wait()})")
        time.sleep(settle)
        before = own_cpu(proc.pid)
        time.sleep(seconds)
        used = own_cpu(proc.pid) - before
    finally:
        proc.terminate()  # mptui ends the program (its whole process group) and exits
        proc.communicate(timeout=60)
    return 100 * used / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    # 2: one Lock and one Queue. Using any traced object at all brings a ring per process
    # and multiprocessing's resource tracker (one more process to sample): the difference
    # between 2 and N objects is what the number of objects costs.
    results: dict[int, list[float]] = {0: [], 2: [], args.objects: []}
    for _ in range(args.rounds):
        for objects in results:
            results[objects].append(idle_cpu(objects, args.seconds))
    print(f"mptui's CPU while {PROCESSES} processes sleep, {args.seconds:g} s each, "
          f"{args.rounds} rounds (min-max, % of one core):")  # fmt: skip
    for objects, values in results.items():
        label = f"{objects // 2} Locks + {objects - objects // 2} Queues" if objects else "none"
        print(f"  traced objects: {label:<26} {min(values):5.2f}-{max(values):5.2f} %")
    for base in (0, 2):
        extra = [b - a for a, b in zip(results[base], results[args.objects], strict=True)]
        print(f"  {args.objects} objects against {base}, per round: "
              f"{min(extra):+.2f} to {max(extra):+.2f} points")  # fmt: skip
    print("  target: no more with N objects than with 2")


if __name__ == "__main__":
    main()
