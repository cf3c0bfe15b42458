"""``q`` waits for nothing it does not need (issue 7: quit within 300 ms during a flood).

Measured by benchmarks/tui_quit.py; here, the causes, in a real terminal. Textual's input
thread needs up to 200 ms to notice it should stop, and ``disable_input`` used to wait for
it; the interpreter's tear-down after the dashboard took 150-250 ms more. Now the thread is
told to stop and not waited for, and the process leaves at once: the terminal is still
given back whole (mouse reports off, the screen and the tty modes restored).
"""

from __future__ import annotations

import termios

import pytest
from pty_terminal import ALT_SCREEN_OFF, Terminal

MOUSE_OFF = b"\x1b[?1000l"
PROBE = """
import atexit, threading

join = threading.Thread.join


def noted_join(self, *args, **kwargs):
    if self.name == "textual-input":
        with open({marks!r}, "a") as f:
            f.write("input thread joined\\n")
    return join(self, *args, **kwargs)


threading.Thread.join = noted_join
atexit.register(lambda: open({marks!r}, "a").write("interpreter torn down\\n"))
"""


@pytest.mark.timeout(60)
def test_q_neither_joins_the_input_thread_nor_tears_the_interpreter_down(tmp_path):
    marks = tmp_path / "marks"
    marks.touch()
    (tmp_path / "sitecustomize.py").write_text(PROBE.format(marks=str(marks)))
    terminal = Terminal([], env={"PYTHONPATH": str(tmp_path)})
    try:
        screen = terminal.read(20, until=lambda seen: b"Quit" in seen)
        assert b"Quit" in screen, "the dashboard never drew"
        terminal.type(b"q")
        status, tail = terminal.wait_exit(10)
        assert status is not None and status == 0, status
        # The terminal is given back whole: mouse reports off before the main screen.
        assert ALT_SCREEN_OFF in tail and MOUSE_OFF in tail.rsplit(ALT_SCREEN_OFF, 1)[0]
        lflag = termios.tcgetattr(terminal.master)[3]
        assert lflag & termios.ICANON and lflag & termios.ECHO, "tty modes not restored"
    finally:
        terminal.close()
    assert marks.read_text() == ""  # no join, no atexit: nothing waited for
