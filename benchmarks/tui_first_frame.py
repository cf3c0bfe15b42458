"""How long from launching the dashboard to its first full frame, in a real terminal (a pty).

    python benchmarks/tui_first_frame.py        # 7 tries of each case
    python benchmarks/tui_first_frame.py 10

Three cases, taking turns so that they share the machine's noise: a minimal Textual app
(one line of text and a footer: what any Textual dashboard pays), ``mptui`` (the lesson
list) and ``mptui lock`` (the lock lesson, started at once). Each runs in a fresh pty at
120x40 with TERM=xterm-256color; the time is from just before the fork-and-exec to the
moment what it wrote to the terminal holds the frame's known texts: its header and its
footer (the bottom row, so the frame is whole). Then ``q``, and the next one.
Each case runs once uncounted first (the .pyc files are written, as an install does).
Also the CPU time the process had used by then (user + system, from /proc; 10 ms steps):
on a shared, busy machine the wall time swings, the CPU time much less.
Target (issue 7): mptui's first frame within 250 ms.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import termios
import time

WIDTH, HEIGHT = 120, 40
ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC: titles, colour queries
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
"""What is not text on the screen; the text of one style is written in one piece."""
MINIMAL_APP = """
from textual.app import App
from textual.widgets import Footer, Static

class Minimal(App):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self):
        yield Static("minimal textual app")
        yield Footer()

Minimal().run()
"""
CASES = {
    "minimal Textual app": ([sys.executable, "-c", MINIMAL_APP],
                            (b"minimal textual app", b"Quit")),
    "mptui (lesson list)": ([sys.executable, "-m", "mptui"],
                            (b"no program running", b"Take turns with a Lock", b"Quit")),
    "mptui lock": ([sys.executable, "-m", "mptui", "lock"],
                   (b"lock: Take turns with a Lock", b"Processes", b"Quit")),
}  # fmt: skip
"""Name -> (argv, texts the first full frame shows)."""


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame(
    argv: list[str], texts: tuple[bytes, ...], timeout: float = 10.0
) -> tuple[float, float]:
    """Seconds from fork-and-exec to a screen holding every one of ``texts``, and the CPU
    seconds the process had used by then."""
    env = {**os.environ, "TERM": "xterm-256color"}
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) would compile every module of mptui
    # at every start, about 40 ms; an installed mptui has its .pyc files.
    for name in ("COLORTERM", "NO_COLOR", "PYTHONUNBUFFERED", "TEXTUAL", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    began = time.perf_counter()
    pid, master = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    # The size is set from the parent, as soon as the pty exists: the child may read it
    # before this line runs only if it gets that far first (it does not: start-up takes
    # longer than one ioctl). Same as tests/tui/pty_terminal.py.
    fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", HEIGHT, WIDTH, 0, 0))
    out = b""
    took = cpu = float("nan")
    try:
        deadline = began + timeout
        while time.perf_counter() < deadline:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
                plain = ESCAPES.sub(b"", out)
                if all(text in plain for text in texts):
                    took = time.perf_counter() - began
                    cpu = cpu_seconds(pid)
                    break
        os.write(master, b"q")
        end = time.monotonic() + 10
        while time.monotonic() < end:
            if select.select([master], [], [], 0.05)[0]:
                try:
                    os.read(master, 1 << 16)
                except OSError:
                    pass
            if os.waitpid(pid, os.WNOHANG)[0]:
                pid = 0
                break
    finally:
        if pid:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    return took, cpu


def main() -> None:
    tries = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    times: dict[str, list[float]] = {name: [] for name in CASES}
    cpus: dict[str, list[float]] = {name: [] for name in CASES}
    for argv, texts in CASES.values():
        first_frame(argv, texts)  # not counted: writes the .pyc files, warms the disk cache
    for _ in range(tries):
        for name, (argv, texts) in CASES.items():
            took, cpu = first_frame(argv, texts)
            times[name].append(took * 1000)
            cpus[name].append(cpu * 1000)
    base = statistics.median(times["minimal Textual app"])
    base_cpu = statistics.median(cpus["minimal Textual app"])
    for name, values in times.items():
        median, cpu = statistics.median(values), statistics.median(cpus[name])
        print(f"{name:<20} first frame median {median:4.0f} ms "
              f"(range {min(values):.0f}-{max(values):.0f}, {tries} tries), "
              f"{median / base:.2f}x the minimal app; CPU by then {cpu:3.0f} ms "
              f"(range {min(cpus[name]):.0f}-{max(cpus[name]):.0f}), "
              f"{cpu / base_cpu:.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
