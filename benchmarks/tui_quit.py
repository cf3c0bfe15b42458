"""How fast does the dashboard let go, even when the program floods or prints huge lines?

Runs ``mptui run PROGRAM`` in a real pty (120x40, xterm-256color), waits until the
dashboard has drawn and the program is busy, then leaves it one way: ``q``, SIGTERM,
SIGHUP, or the terminal closed (the pty's master closed, as when an SSH connection dies).
Prints, per program and way out, how long mptui took to exit (from the key or signal to
its exit status) over N tries, and whether any process of the program outlived it.
Targets: every way out within 1 s, ``q`` during the flood within 300 ms (issue 7);
nothing left behind.

    python benchmarks/tui_quit.py                    # 5 tries each
    python benchmarks/tui_quit.py 10
    python benchmarks/tui_quit.py 7 flood q          # only programs and ways named
"""

from __future__ import annotations

import os
import pathlib
import statistics
import sys
import tempfile
import time

# The pty driver the tests use (mptui in a real terminal).
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "tests" / "tui"))
from pty_terminal import WAYS_OUT, Terminal, wait_gone  # noqa: E402 - after the sys.path line

PROGRAMS = {
    "flood 20k lines/s": """
import time
n = 0
while True:
    began = time.monotonic()
    for _ in range(200):
        print(f"line {n} " + "x" * 60)
        n += 1
    time.sleep(max(0, 0.01 - (time.monotonic() - began)))
""",
    "50 MB lines": """
import sys, time
while True:
    sys.stdout.write("A" * 50_000_000 + "\\n")
    sys.stdout.flush()
    time.sleep(0.2)
""",
}


def one_try(script: str, way_out: str) -> tuple[float, int]:
    terminal = Terminal(["run", "--python", sys.executable, script])
    try:
        terminal.read(3.0)  # the dashboard draws, the program gets going
        program = terminal.descendants(script)
        began = time.monotonic()
        terminal.leave(way_out)
        terminal.wait_exit(30)
        took = time.monotonic() - began
    finally:
        terminal.close()
    return took, len(wait_gone(program, 0.5))


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    only = sys.argv[2:]
    with tempfile.TemporaryDirectory() as tmp:
        for title, source in PROGRAMS.items():
            if only and not any(word in title for word in only):
                continue
            script = os.path.join(tmp, title.split()[0] + ".py")
            with open(script, "w") as f:
                f.write(source)
            for way_out in WAYS_OUT:
                if only and way_out not in only and not set(only) <= set(title.split()):
                    continue
                times, left = [], 0
                for _ in range(tries):
                    took, remaining = one_try(script, way_out)
                    times.append(took * 1000)
                    left += remaining
                median = statistics.median(times)
                print(
                    f"{title:<18} {way_out:<16} exit after median {median:5.0f} ms"
                    f" (range {min(times):.0f}-{max(times):.0f} ms, {tries} tries);"
                    f" processes left behind: {left}"
                )


if __name__ == "__main__":
    main()
