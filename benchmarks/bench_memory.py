"""mptui's own memory while the program prints 1 GB in lines of every length.

The program prints, over and over until 1 GB is out: one 200 MB line, one 50 MB line,
ten 1 MB lines, a hundred of 100 kB, a thousand of 10 kB, ten thousand of 8,000 bytes,
ten thousand of 1 kB, a hundred thousand of 100 bytes, a hundred thousand empty ones, and
the same again in 4-byte characters (an emoji is 4 bytes in UTF-8 and 4 in a Python
string: ten thousand lines of 2,000 of them fill the dashboard's log ring at its worst).
mptui runs it (a) headless, writing everything to /dev/null, (b) the same with --json, and
(c) as the dashboard in a 120x40 pty whose output is read and dropped. The peak RSS of the mptui
process itself (not the program's) is sampled every 50 ms. Target: at most 150 MB.

    python benchmarks/bench_memory.py          # 1 GB, every front end
    python benchmarks/bench_memory.py 0.2      # 0.2 GB
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

import psutil

# The pty driver the tests use (mptui in a real terminal).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "tui"))
from pty_terminal import Terminal  # noqa: E402 - after the sys.path line

PROGRAM = r"""
import sys
target = int(float(sys.argv[1]) * 2**30)
out = sys.stdout.buffer
plan = [(200 * 2**20, 1), (50 * 2**20, 1), (2**20, 10), (100 * 2**10, 100),
        (10 * 2**10, 1000), (8000, 10_000), (2**10, 10_000), (100, 100_000), (0, 100_000)]
written = 0
while written < target:
    for length, times in plan:
        for char in (b"a", "\U0001f600".encode()):
            line = char * (length // len(char)) + b"\n"
            for _ in range(times):
                out.write(line)
                written += len(line)
                if written >= target:
                    break
            if written >= target:
                break
        if written >= target:
            break
out.flush()
print(f"done: {written / 2**30:.2f} GB", file=sys.stderr)
"""


class PeakRss:
    """Samples a process's RSS every 50 ms in a thread; ``peak`` in bytes."""

    def __init__(self, pid: int) -> None:
        self.peak = 0
        self._proc = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            try:
                self.peak = max(self.peak, self._proc.memory_info().rss)
            except psutil.Error:
                return

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def headless(script: str, gigabytes: str, output: str = "--headless") -> tuple[float, float]:
    began = time.monotonic()
    with open(os.devnull, "w") as null:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "mptui",
                "run",
                output,
                "--python",
                sys.executable,
                script,
                gigabytes,
            ],  # fmt: skip
            stdout=null,
            stderr=subprocess.PIPE,
        )
        peak = PeakRss(proc.pid)
        _, err = proc.communicate()
    rss = peak.stop()
    if proc.returncode != 0:
        raise SystemExit(f"headless run failed: {err.decode(errors='replace')[-500:]}")
    return rss / 2**20, time.monotonic() - began


def dashboard(script: str, gigabytes: str) -> tuple[float, float]:
    began = time.monotonic()
    terminal = Terminal(["run", "--python", sys.executable, script, gigabytes])
    try:
        peak = PeakRss(terminal.pid)
        # Read (and drop) the screen until the header says the run has ended.
        tail = b""
        while time.monotonic() - began < 900:
            seen = tail + terminal.read(0.1)
            if b"finished" in seen or b"failed" in seen:
                break
            tail = seen[-16:]  # a word may be split between two reads
        rss = peak.stop()
        elapsed = time.monotonic() - began
        terminal.type(b"q")
        terminal.wait_exit(10)
    finally:
        terminal.close()
    return rss / 2**20, elapsed


def main() -> None:
    gigabytes = sys.argv[1] if len(sys.argv) > 1 else "1"
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, "every_length.py")
        with open(script, "w") as f:
            f.write(PROGRAM)
        rss, took = headless(script, gigabytes)
        print(f"headless to /dev/null: {gigabytes} GB in {took:.1f} s, mptui peak RSS {rss:.0f} MB")
        rss, took = headless(script, gigabytes, "--json")
        print(f"JSON to /dev/null:     {gigabytes} GB in {took:.1f} s, mptui peak RSS {rss:.0f} MB")
        rss, took = dashboard(script, gigabytes)
        print(f"dashboard at 120x40:   {gigabytes} GB in {took:.1f} s, mptui peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
