"""Textual's terminal driver, with an input thread that is told to stop, not waited for.

Textual's input thread polls stdin every 0.1 s; told to stop, it finishes its poll, then
polls 0.1 s more on nothing before it ends, and ``disable_input`` waits for all of it: up
to 200 ms of every quit (the key that quits has just started a new poll, so nearly
always 200 ms). mptui leaves the process at once after the dashboard (app.leave), so
nothing waits for that thread: the terminal is put back as before, the thread reads no
more input (its loop ends at its next poll) and dies with the process.
"""

from __future__ import annotations

import signal
import termios

from textual.drivers.linux_driver import LinuxDriver


class QuickExitDriver(LinuxDriver):
    """A LinuxDriver whose :meth:`stop_input` does not wait for the input thread."""

    _input_stopped = False

    def stop_input(self) -> None:
        """What ``disable_input`` does, but for waiting: mouse reports off, the input
        thread told to stop, pending input dropped. Main thread only (signal.signal)."""
        if self._input_stopped:
            return
        self._input_stopped = True
        signal.signal(signal.SIGWINCH, signal.SIG_DFL)
        self._disable_mouse_support()
        self.exit_event.set()  # stays set: the thread's loop ends at its next poll
        try:
            termios.tcflush(self.fileno, termios.TCIFLUSH)
        except termios.error:
            pass

    def disable_input(self) -> None:
        if not self._input_stopped:  # else already done, and not to be waited for
            super().disable_input()
