"""What the agent adds to starting a Python process, side by side in one run.

    python benchmarks/bench_startup.py

A small program starts ``python -c pass`` 20 times and times it, once with plain python and
once under ``mptui run --headless`` (where every one of those interpreters installs the
agent: a message channel, two pipes handed to the collector, the hooks). Prints the
median per start and the difference. Also the cost of starting and joining 8 spawn
Processes, the start method that pays the most for a new interpreter.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys

PROGRAM = r"""
import multiprocessing as mp, statistics, subprocess, sys, time

def noop():
    pass

if __name__ == "__main__":
    starts = []
    for _ in range(20):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        starts.append(time.perf_counter() - t0)
    ctx = mp.get_context("spawn")
    spawns = []
    for _ in range(3):
        t0 = time.perf_counter()
        procs = [ctx.Process(target=noop) for _ in range(8)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        spawns.append(time.perf_counter() - t0)
    print(f"RESULT {statistics.median(starts) * 1000:.1f} {statistics.median(spawns) * 1000:.1f}")
"""


def measure(argv: list[str]) -> tuple[float, float]:
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    start, spawn = re.search(r"RESULT ([\d.]+) ([\d.]+)", out).groups()
    return float(start), float(spawn)


MPTUI_RUN = [sys.executable, "-m", "mptui", "run"]


def main() -> None:
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "mptui_bench_startup.py")
    with open(path, "w") as f:
        f.write(PROGRAM)
    plain, observed = [], []
    for _ in range(3):
        plain.append(measure([sys.executable, path]))
        # --python: the interpreter plain runs on (and no probe of the shell's python3).
        observed.append(measure([*MPTUI_RUN, "--headless", "--python", sys.executable, path]))
    for i, what in enumerate(["python -c pass", "8 spawn Processes, start+join"]):
        p = statistics.median(v[i] for v in plain)
        o = statistics.median(v[i] for v in observed)
        print(
            f"{what:<30} plain {p:6.1f} ms   under mptui {o:6.1f} ms   "
            f"+{o - p:5.1f} ms ({o / p:.2f}x)"
        )
    os.unlink(path)


if __name__ == "__main__":
    main()
