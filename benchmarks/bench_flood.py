"""The 400,000-line flood under mptui against the same program with its output to /dev/null.

    python benchmarks/bench_flood.py [ROUNDS]

Runs side by side, alternating, in one run (medians of ROUNDS, default 5):

* plain: ``python flood.py > /dev/null`` (stdout block-buffered, as Python does for a file);
* plain, line-buffered: the same with stdout line-buffered, which is what mptui gives every
  process so a dashboard sees lines as they are printed and a killed process keeps them;
* mptui: ``mptui run --headless flood.py > /dev/null`` (every line captured, tagged, printed).

Prints the ratios; the target for mptui/plain is at most 1.5x.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOD = os.path.join(HERE, "flood.py")
LINE_BUFFERED = (
    "import runpy, sys; sys.stdout.reconfigure(line_buffering=True); "
    f"sys.argv = [{FLOOD!r}]; runpy.run_path({FLOOD!r}, run_name='__main__')"
)


def timed(argv: list[str]) -> float:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)  # what most users have
    with open(os.devnull, "w") as devnull:
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=devnull, stderr=subprocess.DEVNULL, env=env, check=True)
        return time.perf_counter() - t0


MPTUI_RUN = [sys.executable, "-m", "mptui", "run"]


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    commands = {
        "plain": [sys.executable, FLOOD],
        "plain, line-buffered": [sys.executable, "-c", LINE_BUFFERED],
        # --python: the same interpreter as plain (and no probe of the shell's python3).
        "mptui --headless": [*MPTUI_RUN, "--headless", "--python", sys.executable, FLOOD],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            times[name].append(timed(argv))
    base = statistics.median(times["plain"])
    print(f"4 processes x 100,000 lines, python {sys.version.split()[0]}, median of {rounds}:")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:<22} {median:6.2f} s   {median / base:4.2f}x plain")
    lb = statistics.median(times["plain, line-buffered"])
    ours = statistics.median(times["mptui --headless"])
    print(f"  mptui against line-buffered plain: {ours / lb:4.2f}x (mptui's own share)")


if __name__ == "__main__":
    main()
