"""Bytes per second the dashboard writes to a real terminal (a pty) at 120x40.

What crosses an SSH connection is what the app writes to its terminal. Three cases, as in
issue 3: idle on the lesson list, during the lock lesson (as it comes, and with 20 turns a
second), and during a program printing 5,000 lines per second. Targets: at most 1 kB/s,
20 kB/s (issue 8, the lesson as it comes) and 40 kB/s.

    python benchmarks/tui_bytes.py [SECONDS]

Each case runs ``run_app`` (the real engine) in a child process on a fresh pty with
TERM=xterm-256color, waits a few seconds for start-up, counts bytes for SECONDS (default
10), then sends ``q`` and checks that the app exits.
"""

from __future__ import annotations

import fcntl
import json
import os
import pathlib
import select
import struct
import subprocess
import sys
import termios
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FLOOD = ROOT / "benchmarks" / "tui_flood.py"
WIDTH, HEIGHT = 120, 40
WARMUP = 4.0

CASES = {
    "idle (lesson list)": "run_app()",
    "lock lesson (defaults)": "run_app(program=Program.from_lesson(get_lesson('lock')))",
    "lock lesson, 0.05 s turns": "run_app(program=Program.from_lesson(get_lesson('lock'), "
    "{'rounds': 1000, 'hold': 0.05}))",
    "flood 5,000 lines/s": f"run_app(program=Program.from_script({str(FLOOD)!r}, ['5000', '120']))",
}


def measure(call: str, seconds: float) -> dict:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT))
    env.pop("COLORTERM", None)
    env.pop("NO_COLOR", None)
    code = (
        "import sys; from mptui.tui.app import run_app; from mptui.scenarios import get_lesson; "
        f"from mptui.engine.program import Program; sys.exit({call})"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=slave, stdout=slave, stderr=slave, env=env,
        start_new_session=True,
    )  # fmt: skip
    os.close(slave)
    counted = 0
    start = time.monotonic()
    try:
        while True:
            now = time.monotonic()
            if now - start >= WARMUP + seconds:
                break
            ready, _, _ = select.select([master], [], [], 0.1)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:
                    break
                if now - start >= WARMUP:
                    counted += len(data)
        os.write(master, b"q")
        deadline = time.monotonic() + 10
        while child.poll() is None and time.monotonic() < deadline:
            if select.select([master], [], [], 0.1)[0]:
                try:
                    os.read(master, 65536)
                except OSError:
                    break  # the terminal's other end is closed: mptui is on its way out
        try:  # it may still be finishing when its end of the terminal closes
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
        exited = child.poll() is not None
    finally:
        if child.poll() is None:
            child.kill()
        child.wait()
        os.close(master)
    return {"bytes_per_s": counted / seconds, "exited_on_q": exited}


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    for name, call in CASES.items():
        result = measure(call, seconds)
        print(f"{name:<22} {result['bytes_per_s'] / 1000:8.2f} kB/s"
              f"   exited on q: {result['exited_on_q']}")  # fmt: skip
        print(json.dumps({"case": name, **result}), file=sys.stderr)


if __name__ == "__main__":
    main()
