"""Manager proxy calls under mptui, side by side with plain python.

    python benchmarks/bench_manager.py [RUNS]      # default 5

The program (``manager_calls.py``, beside this script) times ``d[k] = v`` on a manager
dict and an uncontended ``with lock:`` on a manager Lock, each a round trip to the
manager's server process. Each run runs it with plain ``python`` and with ``mptui run
--headless`` in turn (so both share the machine's noise) and prints both per-call times.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "manager_calls.py")


def measure(argv: list[str]) -> dict[str, float]:
    out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
    found = {}
    for line in out.splitlines():
        name, _, value = line.rpartition("| ")[2].partition(" ")
        if name.endswith("_us"):
            found[name] = float(value)
    return found


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    plain_argv = [sys.executable, PROGRAM]
    mptui_argv = [sys.executable, "-m", "mptui", "run", "--headless", PROGRAM]
    results: dict[str, dict[str, list[float]]] = {"plain": {}, "mptui": {}}
    for run in range(1, runs + 1):
        for label, argv in (("plain", plain_argv), ("mptui", mptui_argv)):
            for name, value in measure(argv).items():
                results[label].setdefault(name, []).append(value)
        print(f"run {run}: " + "  ".join(
            f"{name} plain {results['plain'][name][-1]:.2f} mptui {results['mptui'][name][-1]:.2f}"
            for name in results["plain"]
        ), flush=True)  # fmt: skip
    for name in results["plain"]:
        plain, traced = results["plain"][name], results["mptui"][name]
        extra = [t - p for p, t in zip(plain, traced, strict=True)]
        print(
            f"{name}: plain {min(plain):.2f}-{max(plain):.2f} us, mptui {min(traced):.2f}-"
            f"{max(traced):.2f} us, difference median {statistics.median(extra):+.2f} us "
            f"(range {min(extra):+.2f} to {max(extra):+.2f})"
        )


if __name__ == "__main__":
    main()
