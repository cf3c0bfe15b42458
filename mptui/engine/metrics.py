"""CPU% and resident memory of the observed processes, sampled with psutil; and the
process tree, so processes that left the program's process group can still be found.

Called by the collector about once a second for the processes still alive. psutil's
first ``cpu_percent`` for a process is 0.0 by definition (no interval yet), so a process
reports its real share from its second sample on.
"""

from __future__ import annotations

import os

import psutil

from mptui.engine.guardian import start_time


class MetricsSampler:
    """Keeps one psutil.Process per pid so CPU% is measured between consecutive samples."""

    def __init__(self) -> None:
        self._procs: dict[int, psutil.Process] = {}
        self._scanned_at: int | None = None  # the last pid allocated at the last scan
        self._found: dict[int, str] = {}  # what it found, and extra pids since
        self._seen: dict[int, tuple] = {}  # pid -> (its /proc entry, ppid, start time)

    def sample(self, pids: set[int]) -> list[list]:
        """``[[pid, cpu_percent, rss_bytes], ...]`` for the pids that could be read."""
        for gone in set(self._procs) - pids:
            del self._procs[gone]
        samples = []
        for pid in sorted(pids):
            proc = self._procs.get(pid)
            try:
                if proc is None:
                    proc = self._procs[pid] = psutil.Process(pid)
                with proc.oneshot():
                    samples.append([pid, proc.cpu_percent(None), proc.memory_info().rss])
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                self._procs.pop(pid, None)
        return samples

    def descendants(self, root: int, extra: set[int]) -> dict[int, str]:
        """``{pid: start_time}`` of ``root``'s descendants and of ``extra`` pids that run.

        Descendants are found from every process's parent, in /proc/PID/stat, a file that
        costs the kernel a walk over all the process's threads (a program with 500 queues
        has 500 feeder threads in each process): reading it for every process every second
        was most of mptui's idle cost. So the scan runs only when a process may have been
        created since the last one (the kernel's last allocated pid, in /proc/loadavg,
        moved), and reads the file only for processes it had not seen (_scan). Otherwise
        the descendants are the ones found then (the record only ever adds to them), with
        the ``extra`` pids not seen then."""
        last = _last_pid()
        if last is None or last != self._scanned_at:
            self._scanned_at = last
            self._found = self._scan(root)
        for pid in extra - self._found.keys():
            start = start_time(pid)
            if start is not None:
                self._found[pid] = start
        return dict(self._found)

    def _scan(self, root: int) -> dict[int, str]:
        """``{pid: start_time}`` of every descendant of ``root``.

        Each process's /proc/PID/stat gives its parent and its start time, but is read
        only for a process not seen at the last scan: one seen then is known by its
        /proc/PID entry (inode number and time), which a new process with the same pid
        does not share, and a stat() of that costs nothing per thread. (A parent that
        changed since, an orphan adopted, is not looked for: the walk from ``root`` only
        ever found it through its first parent.)"""
        try:
            names = os.listdir("/proc")
        except OSError:
            return {}
        seen, now = self._seen, {}
        children: dict[int, list[int]] = {}
        for name in names:
            if not name.isdigit():
                continue
            pid = int(name)
            try:
                entry = os.stat(f"/proc/{name}")
                known = seen.get(pid)
                if known is None or known[0] != (entry.st_ino, entry.st_ctime_ns):
                    with open(f"/proc/{name}/stat", "rb") as stat:
                        fields = stat.read().rsplit(b")", 1)[1].split()
                    known = (entry.st_ino, entry.st_ctime_ns), int(fields[1]), fields[19].decode()
            except (OSError, IndexError, ValueError):
                continue  # ended meanwhile
            now[pid] = known
            children.setdefault(known[1], []).append(pid)
        self._seen = now
        found: dict[int, str] = {}
        todo = list(children.get(root, ()))
        while todo:
            pid = todo.pop()
            if pid not in found:
                found[pid] = now[pid][2]
                todo.extend(children.get(pid, ()))
        return found


def _last_pid() -> int | None:
    """The pid the kernel allocated last, in this pid namespace (threads take pids too):
    while it stays the same, no process was created."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None
