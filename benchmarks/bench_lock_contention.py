"""A contended Lock under mptui, side by side with plain python: wall time and mptui's CPU.

    python benchmarks/bench_lock_contention.py [RUNS]      # default 5

The program (``contention.py``, beside this script): 4 processes x 25,000 acquire/release
of one Lock, each holding it for a 10 µs busy critical section. Each run times it with
plain ``python`` and with ``mptui run --headless`` in turn (so both share the machine's
noise), and reads mptui's own CPU time (its process only: the collector and the printer,
not the program) from /proc when mptui ends. Targets (issue 8): at most 1.10x plain wall;
mptui's own CPU at most 10% of one core.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "contention.py")


def own_cpu_at_exit(argv: list[str]) -> tuple[float, float]:
    """Wall seconds of ``argv`` and the CPU seconds its own process used, its children not
    counted (wait4's usage would add the program's, which mptui reaps): read from
    /proc/PID/stat every 20 ms until it ends; the last 20 ms may go uncounted."""
    ticks = os.sysconf("SC_CLK_TCK")
    began = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cpu = 0.0
    while proc.poll() is None:
        try:
            with open(f"/proc/{proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu = (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            pass  # ended meanwhile
        time.sleep(0.02)
    wall = time.perf_counter() - began
    if proc.returncode != 0:
        raise SystemExit(f"{argv[2:]} exited with {proc.returncode}")
    return wall, cpu


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    plain = [sys.executable, PROGRAM]
    under = [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable,
             PROGRAM]  # fmt: skip
    ratios, cpus = [], []
    for n in range(1, runs + 1):
        plain_wall, _ = own_cpu_at_exit(plain)
        mptui_wall, mptui_cpu = own_cpu_at_exit(under)
        ratios.append(mptui_wall / plain_wall)
        cpus.append(100 * mptui_cpu / mptui_wall)
        print(f"run {n}: plain {plain_wall:.2f} s, mptui {mptui_wall:.2f} s "
              f"({ratios[-1]:.2f}x); mptui's own CPU {mptui_cpu:.2f} s = {cpus[-1]:.0f}% "
              "of one core")  # fmt: skip
    print(f"{runs} runs: {min(ratios):.2f}x-{max(ratios):.2f}x plain (median "
          f"{statistics.median(ratios):.2f}x; target 1.10x); mptui's CPU "
          f"{min(cpus):.0f}-{max(cpus):.0f}% of one core (target 10%)")  # fmt: skip


if __name__ == "__main__":
    main()
