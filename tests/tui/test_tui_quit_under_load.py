"""Every way out of the dashboard works while the program prints 50 MB lines.

Found: one long line (or a hex dump) made the log's highlighter spin for seconds per
frame, and mptui then ignored q, SIGTERM and a closed terminal, spinning on with parent 1
until SIGKILL. Here mptui runs in a real pty on a program that prints a 50 MB line every
0.2 s; each way out must end mptui (and the program). The exit time is measured by
benchmarks/tui_quit.py (target: within 1 s); this test only fails if mptui hangs.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

import psutil
import pytest

BIG_LINES = """
import sys, time
print("ready", flush=True)
while True:
    sys.stdout.write("A" * 50_000_000 + "\\n")
    sys.stdout.flush()
    time.sleep(0.2)
"""


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


@pytest.mark.timeout(90)
@pytest.mark.parametrize("way_out", ["q", "SIGTERM", "SIGHUP", "terminal closed"])
def test_mptui_lets_go_while_the_program_prints_50_mb_lines(tmp_path, way_out):
    script = tmp_path / "big_lines.py"
    script.write_text(BIG_LINES)
    pid, master = pty.fork()
    if pid == 0:
        try:
            env = {**os.environ, "TERM": "xterm-256color"}
            os.execvpe(sys.executable, [sys.executable, "-m", "mptui", "run", str(script)], env)
        finally:
            os._exit(127)
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    try:
        screen = read_for(master, 4.0)
        assert b"big_lines.py" in screen
        program = [p.pid for p in psutil.Process(pid).children(recursive=True)
                   if "big_lines.py" in " ".join(p.cmdline())]  # fmt: skip
        assert program, "the program did not start"
        if way_out == "q":
            os.write(master, b"q")
        elif way_out == "SIGTERM":
            os.kill(pid, signal.SIGTERM)
        elif way_out == "SIGHUP":
            os.kill(pid, signal.SIGHUP)
        else:
            os.close(master)
        deadline = time.monotonic() + 15  # a hang, not a slow exit, fails this test
        while time.monotonic() < deadline:
            if way_out != "terminal closed":
                read_for(master, 0.02)
            done, _ = os.waitpid(pid, os.WNOHANG)
            if done:
                break
        else:
            raise AssertionError(f"mptui still runs 15 s after {way_out}")
        time.sleep(0.5)
        left = [p for p in program if psutil.pid_exists(p)
                and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]  # fmt: skip
        assert not left, "the program outlived mptui"
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        if way_out != "terminal closed":
            os.close(master)
