"""What the agent adds to starting a Python process, side by side in one run.

    python benchmarks/bench_startup.py

A small program starts ``python -c pass`` 20 times and times it, once with plain python and
once under ``mptui run --headless`` (where every one of those interpreters installs the
agent: a message channel carrying its two output pipes, the hooks). Prints the median
and the fastest start (the least disturbed by a busy machine) and the differences. Also
the cost of starting and joining 8 spawn Processes, the start method that pays the most
for a new interpreter. And, inside the observed run, 40 agent starts each paired with a
plain start right beside it: the median difference is the figure least moved by a busy
machine. Run it several times: a shared machine is noisy.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys

PROGRAM = r"""
import multiprocessing as mp, os, resource, statistics, subprocess, sys, time

def noop():
    pass

def paired(n=40):
    # Under mptui: each agent start next to a plain one (no MPTUI_* variables, mptui's
    # directory off PYTHONPATH), so a change in the machine's load hits both alike.
    ours = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep)
            if os.path.isdir(os.path.join(p, "mptui", "agent"))]
    plain = {k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")}
    plain["PYTHONPATH"] = os.pathsep.join(
        p for p in plain.get("PYTHONPATH", "").split(os.pathsep) if p not in ours)
    diffs, cpu_diffs = [], []
    for _ in range(n):
        times, cpus = [], []
        for env in (None, plain):
            t0, c0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            times.append(time.perf_counter() - t0)
            cpus.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
        diffs.append(times[0] - times[1])
        cpu_diffs.append(cpus[0] - cpus[1])
    return statistics.median(diffs) * 1000, statistics.median(cpu_diffs) * 1000

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
    print(f"RESULT {statistics.median(starts) * 1000:.2f} {min(starts) * 1000:.2f} "
          f"{statistics.median(spawns) * 1000:.1f}")
    if os.environ.get("MPTUI_SOCKET"):
        print("PAIRED %.2f %.2f" % paired())
"""


def measure(argv: list[str], paired: list | None = None) -> tuple[float, float, float]:
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    start, fastest, spawn = re.search(r"RESULT ([\d.]+) ([\d.]+) ([\d.]+)", out).groups()
    if paired is not None:
        wall, cpu = re.search(r"PAIRED (-?[\d.]+) (-?[\d.]+)", out).groups()
        paired.append((float(wall), float(cpu)))
    return float(start), float(fastest), float(spawn)


MPTUI_RUN = [sys.executable, "-m", "mptui", "run"]


def main() -> None:
    path = os.path.join(os.environ.get("TMPDIR", "/tmp"), "mptui_bench_startup.py")
    with open(path, "w") as f:
        f.write(PROGRAM)
    plain, observed, paired = [], [], []
    for _ in range(3):
        plain.append(measure([sys.executable, path]))
        # Options before the script (after it they would be the script's own arguments);
        # --python: the interpreter plain runs on (and no probe of the shell's python3).
        observed.append(measure([*MPTUI_RUN, "--headless", "--python", sys.executable, path],
                                paired))  # fmt: skip
    whats = ["python -c pass (median)", "python -c pass (fastest)", "8 spawn Processes"]
    for i, what in enumerate(whats):
        p = statistics.median(v[i] for v in plain)
        o = statistics.median(v[i] for v in observed)
        print(
            f"{what:<25} plain {p:6.1f} ms   under mptui {o:6.1f} ms   "
            f"+{o - p:5.1f} ms ({o / p:.2f}x)"
        )
    print(
        f"{'python -c pass, paired':<25} agent start minus the plain start beside it, "
        f"median of 40 pairs: +{statistics.median(w for w, _ in paired):.1f} ms wall, "
        f"+{statistics.median(c for _, c in paired):.1f} ms CPU"
    )
    os.unlink(path)


if __name__ == "__main__":
    main()
