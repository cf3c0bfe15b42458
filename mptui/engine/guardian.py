"""The guardian: ends the observed program if mptui dies, however it dies.

Started by the Session as ``python -I .../guardian.py PGID SESSION_DIR`` with a pipe from
mptui as its stdin. It ignores the signals a terminal sends (so a Ctrl+C or a hang-up
reaches mptui, which stops the program itself) and waits for EOF on that pipe, which the
kernel delivers when mptui exits, even by SIGKILL. Then it ends the program's process
group (SIGTERM, then SIGKILL after half a second), SIGKILLs the processes that left the
group (the collector keeps their pids and start times in SESSION_DIR/pids, so a reused
pid is never hit) and removes the session directory.

It is run by path, not as ``-m mptui.engine.guardian``, and imports only the standard
library: with ``-I`` nothing but the standard library is importable, whatever the
observed program's environment or the way mptui was installed.
"""

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


def _start_time(pid: str) -> str | None:
    """Field 22 of /proc/PID/stat: when the process started (in clock ticks)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def end_program(pgid: int, session_dir: str) -> None:
    """End the group, then the strays, then remove the session directory."""
    if _signal_group(pgid, signal.SIGTERM):
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and _signal_group(pgid, 0):
            time.sleep(0.02)
        _signal_group(pgid, signal.SIGKILL)
    try:
        with open(os.path.join(session_dir, "pids")) as f:
            for line in f:
                pid, start = line.split()
                if _start_time(pid) == start:
                    try:
                        os.kill(int(pid), signal.SIGKILL)
                    except OSError:
                        pass
    except (OSError, ValueError):
        pass
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
