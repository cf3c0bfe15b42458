"""How fast does the dashboard let go, even when the program floods or prints huge lines?

Runs ``mptui run PROGRAM`` in a real pty (120x40, xterm-256color), waits until the
dashboard has drawn and the program is busy, then leaves it one way: ``q``, SIGTERM,
SIGHUP, or the terminal closed (the pty's master closed, as when an SSH connection dies).
Prints, per program and way out, how long mptui took to exit (from the key or signal to
its exit status) over N tries, and whether any process of the program outlived it.
Targets: every way out within 1 s; nothing left behind.

    python benchmarks/tui_quit.py        # 5 tries each
    python benchmarks/tui_quit.py 10
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

import psutil

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
WAYS_OUT = ("q", "SIGTERM", "SIGHUP", "terminal closed")


def read_for(master: int, seconds: float) -> bytes:
    out = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                chunk = os.read(master, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


def one_try(script: str, way_out: str) -> tuple[float, int]:
    pid, master = pty.fork()
    if pid == 0:
        try:
            env = {**os.environ, "TERM": "xterm-256color"}
            os.execvpe(sys.executable, [sys.executable, "-m", "mptui", "run", script], env)
        finally:
            os._exit(127)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    read_for(master, 3.0)  # the dashboard draws, the program gets going
    program = [p.pid for p in psutil.Process(pid).children(recursive=True)
               if script in " ".join(p.cmdline())]  # fmt: skip
    began = time.monotonic()
    if way_out == "q":
        os.write(master, b"q")
    elif way_out == "SIGTERM":
        os.kill(pid, signal.SIGTERM)
    elif way_out == "SIGHUP":
        os.kill(pid, signal.SIGHUP)
    else:
        os.close(master)
    while True:
        if way_out != "terminal closed":
            read_for(master, 0.01)  # keep draining, as a terminal would
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - began > 30:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.005)
    took = time.monotonic() - began
    if way_out != "terminal closed":
        os.close(master)
    time.sleep(0.5)
    left = sum(psutil.pid_exists(p) and psutil.Process(p).status() != "zombie" for p in program)
    return took, left


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    with tempfile.TemporaryDirectory() as tmp:
        for title, source in PROGRAMS.items():
            script = os.path.join(tmp, title.split()[0] + ".py")
            with open(script, "w") as f:
                f.write(source)
            for way_out in WAYS_OUT:
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
