"""The flood: what capturing every line costs, against plain python, side by side in one run.

    python benchmarks/bench_flood.py [ROUNDS] [--lines N] [--pane-lines N] [--no-tmux]

``flood.py`` starts 4 processes that each print N numbered lines (default 1,000,000) as
fast as they can. Alternating in each round (ROUNDS, default 5; ranges over the rounds):

* plain: ``python flood.py N > /dev/null`` (stdout block-buffered, as Python does for a
  file): the floor;
* plain, line-buffered: the same with stdout line-buffered, which is what mptui gives every
  process (a dashboard sees lines as they are printed; a killed process keeps them). The
  target is mptui at most 1.3x this;
* mptui: ``mptui run --headless flood.py N > /dev/null``: every line captured, tagged with
  its process and printed. mptui's own CPU (user + system, from /proc/PID/stat of the
  mptui process once it has ended, before it is reaped: the program's processes are not
  in it) is divided by the lines captured. The target is at most 0.5 us a line.

The wall ratio depends on spare cores (on a shared machine it varies from round to
round), so the CPU of all processes of each run (mptui's and the program's, from the
rusage of reaped children) is compared too: on a machine with no spare core the wall
ratio is that.

Then, if tmux is installed, 4 x 100,000 lines (``--pane-lines``) into a real terminal: a
detached 120x40 tmux pane on a private tmux server, once with plain ``python flood.py``
(its stdout is the pane's tty, so it is line-buffered, as in any terminal) and once with
``mptui run --headless flood.py``. The target is mptui faster than plain python.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
FLOOD = os.path.join(HERE, "flood.py")
PROCESSES = 4  # flood.py's
TICKS = os.sysconf("SC_CLK_TCK")


def line_buffered(count: int) -> list[str]:
    code = (
        "import runpy, sys; sys.stdout.reconfigure(line_buffering=True); "
        f"sys.argv = [{FLOOD!r}, '{count}']; runpy.run_path({FLOOD!r}, run_name='__main__')"
    )
    return [sys.executable, "-c", code]


def mptui(count: int) -> list[str]:
    # --python: the interpreter plain runs on (and no probe of the shell's python3).
    return [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable,
            FLOOD, str(count)]  # fmt: skip


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONUNBUFFERED", None)  # what most users have
    return env


def own_cpu(pid: int) -> float:
    """CPU seconds (user + system) of ``pid`` itself, all its threads, not its children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(argv: list[str]) -> tuple[float, float, float]:
    """Wall seconds of ``argv`` with its output to /dev/null, its own CPU seconds, and the
    CPU seconds of it and every process under it (each reaped by its parent)."""
    with open(os.devnull, "w") as devnull:
        before = children_cpu()
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=devnull, stderr=subprocess.DEVNULL, env=_env())
        # Wait for the end without reaping, so /proc still has the process's own times.
        os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)
        wall = time.perf_counter() - t0
        cpu = own_cpu(proc.pid)
        if proc.wait() != 0:
            raise SystemExit(f"{argv} failed with {proc.returncode}")
    return wall, cpu, children_cpu() - before


class Pane:
    """A detached 120x40 tmux pane on a private tmux server (ended by ``close``)."""

    def __init__(self, tmp: str) -> None:
        self.tmp = tmp
        # Its socket in the temporary directory: nothing is left behind in tmux's own.
        self.tmux = ["tmux", "-S", os.path.join(tmp, "tmux.sock"), "-f", os.devnull]
        self.runs = 0

    def time(self, argv: list[str]) -> float:
        """Run ``argv`` with the pane as its terminal; the wall seconds it took."""
        self.runs += 1
        done = os.path.join(self.tmp, f"took-{self.runs}")
        timer = (
            "import subprocess, sys, time; t0 = time.perf_counter(); "
            "code = subprocess.call(sys.argv[2:]); took = time.perf_counter() - t0; "
            "open(sys.argv[1], 'w').write(f'{code} {took}')"
        )
        command = [sys.executable, "-c", timer, done, *argv]
        name = f"run{self.runs}"
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", name, "-x", "120", "-y", "40",
             "-e", "PYTHONUNBUFFERED=", *command],
            check=True, env=_env(),
        )  # fmt: skip
        deadline = time.monotonic() + 300
        while not os.path.exists(done) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.05)  # the file is written in one go; let the writer close it
        subprocess.run([*self.tmux, "kill-session", "-t", name], stderr=subprocess.DEVNULL)
        with open(done) as f:
            code, took = f.read().split()
        if code != "0":
            raise SystemExit(f"{argv} failed in the tmux pane with {code}")
        return float(took)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], stderr=subprocess.DEVNULL)


def spread(values: list[float], unit: str = "s", scale: float = 1.0) -> str:
    low, high = min(values) * scale, max(values) * scale
    return f"{low:.2f}-{high:.2f} {unit}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rounds", nargs="?", type=int, default=5)
    parser.add_argument("--lines", type=int, default=1_000_000, help="per process")
    parser.add_argument("--pane-lines", type=int, default=100_000, help="per process, tmux")
    parser.add_argument("--no-tmux", action="store_true")
    args = parser.parse_args()
    n, rounds = args.lines, args.rounds
    total = PROCESSES * n

    commands = {
        "plain": [sys.executable, FLOOD, str(n)],
        "plain, line-buffered": line_buffered(n),
        "mptui --headless": mptui(n),
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    totals: dict[str, list[float]] = {name: [] for name in commands}
    cpu: list[float] = []
    ratios: list[float] = []
    for _ in range(rounds):
        for name, argv in commands.items():
            wall, own, everything = timed(argv)
            walls[name].append(wall)
            totals[name].append(everything)
            if name == "mptui --headless":
                cpu.append(own)
        ratios.append(walls["mptui --headless"][-1] / walls["plain, line-buffered"][-1])
    cpu_ratios = [m / p for m, p in zip(totals["mptui --headless"],
                                        totals["plain, line-buffered"], strict=True)]  # fmt: skip
    print(f"{PROCESSES} processes x {n:,} lines to /dev/null, python "
          f"{sys.version.split()[0]}, {rounds} rounds (min-max):")  # fmt: skip
    for name, values in walls.items():
        print(f"  {name:<22} {spread(values)}   CPU of all its processes {spread(totals[name])}")
    print(f"  mptui / line-buffered plain, per round: {spread(ratios, 'x')}   (target <= 1.3x;"
          f" median {statistics.median(ratios):.2f}x)")  # fmt: skip
    print(f"  the same in CPU of all processes (what the wall ratio is on a machine with no "
          f"spare core): {spread(cpu_ratios, 'x')}")  # fmt: skip
    print(f"  mptui's own CPU: {spread(cpu)}, per line {spread(cpu, 'us', 1e6 / total)}"
          "   (target <= 0.5 us)")  # fmt: skip

    if args.no_tmux or shutil.which("tmux") is None:
        print("tmux: skipped" + ("" if args.no_tmux else " (not installed)"))
        return
    m = args.pane_lines
    with tempfile.TemporaryDirectory() as tmp:
        pane = Pane(tmp)
        try:
            plain, ours = [], []
            for _ in range(rounds):
                plain.append(pane.time([sys.executable, FLOOD, str(m)]))
                ours.append(pane.time(mptui(m)))
        finally:
            pane.close()
    print(f"{PROCESSES} processes x {m:,} lines into a 120x40 tmux pane, {rounds} rounds:")
    print(f"  plain python          {spread(plain)}")
    print(f"  mptui --headless      {spread(ours)}   (target: faster than plain)")
    per_round = [o / p for o, p in zip(ours, plain, strict=True)]
    print(f"  mptui / plain, per round: {spread(per_round, 'x')}")


if __name__ == "__main__":
    main()
