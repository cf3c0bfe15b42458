"""The guardian: ends the observed program if mptui dies, however it dies; and the record
of stray processes it reads.

Started by the Session as ``python -I .../guardian.py PGID SESSION_DIR`` with a pipe from
mptui as its stdin. It ignores the signals a terminal sends (so a Ctrl+C or a hang-up
reaches mptui, which stops the program itself) and waits for EOF on that pipe, which the
kernel delivers when mptui exits, even by SIGKILL. Then it ends the program's process
group (SIGTERM, then SIGKILL after half a second), SIGKILLs the processes that left the
group and removes the session directory.

Processes that left the group (``setsid``) are found by the collector, which notes every
descendant with its start time in :class:`Strays` (the file SESSION_DIR/pids), so that a
reused pid is never hit; mptui kills them from the same record when it stops a run, the
guardian when mptui is gone. Both sides of that file live here, in one module.

It is run by path, not as ``-m mptui.engine.guardian``, and imports only the standard
library: with ``-I`` nothing but the standard library is importable, whatever the
observed program's environment or the way mptui was installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time


def _signal_group(pgid: int, sig: int) -> bool:
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def start_time(pid: int | str) -> str | None:
    """Field 22 of /proc/PID/stat: when the process started (in clock ticks since boot), as
    text; None if it does not exist. Equal start times: the same process."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


class Strays:
    """Every descendant of the run seen so far, with its start time, kept in a file."""

    FILE = "pids"
    """The record's name in the session directory: one ``PID START_TIME`` a line."""

    def __init__(self, session_dir: str) -> None:
        self.path = os.path.join(session_dir, self.FILE)
        self.seen: dict[int, str] = {}
        """pid -> start time of every descendant noted."""

    @classmethod
    def load(cls, session_dir: str) -> Strays:
        """The record as the collector last wrote it (empty if there is none)."""
        strays = cls(session_dir)
        try:
            with open(strays.path) as f:
                for line in f:
                    pid, start = line.split()
                    strays.seen[int(pid)] = start
        except (OSError, ValueError):
            pass
        return strays

    def note(self, found: dict[int, str]) -> None:
        """Add ``{pid: start_time}``; the file is rewritten (atomically) only for new ones."""
        if not found.keys() - self.seen.keys():
            return
        self.seen.update(found)
        try:
            with open(self.path + ".new", "w") as f:
                f.writelines(f"{pid} {start}\n" for pid, start in self.seen.items())
            os.replace(self.path + ".new", self.path)
        except OSError:
            pass

    def kill(self) -> None:
        """SIGKILL every process noted that still runs (same pid, same start time)."""
        for pid, start in list(self.seen.items()):
            if start_time(pid) == start:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def end_program(pgid: int, session_dir: str) -> None:
    """End the group, then the strays, then remove the session directory."""
    if _signal_group(pgid, signal.SIGTERM):
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and _signal_group(pgid, 0):
            time.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)
    Strays.load(session_dir).kill()
    shutil.rmtree(session_dir, ignore_errors=True)


def main(argv: list[str]) -> None:
    pgid, session_dir = int(argv[1]), argv[2]
    for sig in (signal.SIGINT, signal.SIGHUP, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    while os.read(0, 4096):
        pass
    end_program(pgid, session_dir)


if __name__ == "__main__":
    main(sys.argv)
