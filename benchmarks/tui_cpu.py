"""mptui's own CPU while the program floods, with and without keys, in a real terminal.

    python benchmarks/tui_cpu.py                 # 5 tries of 10 s, 20,000 lines/s
    python benchmarks/tui_cpu.py 5 10 20000

``mptui run benchmarks/tui_flood.py RATE`` runs in a pty at 120x40 (xterm-256color), as a
user sees it: the frame tick, the tables, the log and the bytes to the terminal all count
(tui_latency.py runs headless, without the terminal). After 3 s of start-up, mptui's CPU
(user + system of its own process, threads included: UI and collector; not the program's)
is measured over SECONDS, once with no key and once with a key every 0.1 s: down, up, Tab,
p, Shift+Tab, p (the process table's cursor, the focus, pausing the log), alternating so
both share the machine's noise. The flood program's own CPU is printed beside it.
Target (issue 7): at most 25% of one core with the keys.
"""

from __future__ import annotations

import pathlib
import statistics
import sys
import time

import psutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "tui"))
from pty_terminal import Terminal  # noqa: E402 - after the sys.path line

FLOOD = ROOT / "benchmarks" / "tui_flood.py"
KEYS = (b"\x1b[B", b"\x1b[A", b"\t", b"p", b"\x1b[Z", b"p")
"""Down, up, Tab, p (pause the log), Shift+Tab, p (resume)."""


def cpu_of(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def one_try(rate: int, seconds: float, keys: bool) -> tuple[float, float]:
    """(mptui's CPU, the program's CPU) in % of one core over ``seconds``."""
    terminal = Terminal(["run", str(FLOOD), str(rate), str(seconds + 60)])
    try:
        terminal.read(3.0)  # start-up, the program gets going
        mptui = psutil.Process(terminal.pid)
        program = [psutil.Process(pid) for pid in terminal.descendants(str(FLOOD))]
        mptui_before = cpu_of(mptui)
        program_before = sum(cpu_of(p) for p in program)
        began = time.monotonic()
        sent = 0
        while (elapsed := time.monotonic() - began) < seconds:
            if keys and elapsed >= sent * 0.1:
                terminal.type(KEYS[sent % len(KEYS)])
                sent += 1
            terminal.read(0.01)  # the terminal must be read, or mptui blocks writing
        wall = time.monotonic() - began
        mptui_cpu = (cpu_of(mptui) - mptui_before) / wall * 100
        program_cpu = (sum(cpu_of(p) for p in program) - program_before) / wall * 100
        terminal.type(b"q")
        terminal.wait_exit(10)
    finally:
        terminal.close()
    return mptui_cpu, program_cpu


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 10.0
    rate = int(sys.argv[3]) if len(sys.argv) > 3 else 20_000
    results: dict[str, list[tuple[float, float]]] = {"no keys": [], "a key every 0.1 s": []}
    for _ in range(tries):
        for name in results:
            results[name].append(one_try(rate, seconds, keys=name != "no keys"))
    for name, values in results.items():
        mptui = [m for m, _ in values]
        program = [p for _, p in values]
        print(f"{rate:,} lines/s, {name:<18} mptui CPU median {statistics.median(mptui):3.0f}% "
              f"of a core (range {min(mptui):.0f}-{max(mptui):.0f}%, {tries} x {seconds:.0f} s);"
              f" the program {statistics.median(program):.0f}%")  # fmt: skip


if __name__ == "__main__":
    main()
