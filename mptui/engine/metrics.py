"""CPU% and resident memory of the observed processes, read from the kernel; and the
process tree, so processes that left the program's process group can still be found.

Called by the collector about once a second for the processes still alive. A process's
first sample has a CPU% of 0.0 (no interval yet, as psutil's first ``cpu_percent``), so
it reports its real share from its second sample on.

Linux only, as mptui is; no psutil: what is read here is one system call or one small
file per process, and mptui pays it every second while the program sleeps.
"""

from __future__ import annotations

import os
import time

from mptui.engine.guardian import start_time

_PAGE = os.sysconf("SC_PAGE_SIZE")


class MetricsSampler:
    """Keeps each process's last CPU time, so CPU% is measured between consecutive samples."""

    def __init__(self) -> None:
        self._last: dict[int, tuple[int, int]] = {}  # pid -> (CPU ns, monotonic ns) then
        self._scanned_at: int | None = None  # the last pid allocated at the last scan
        self._found: dict[int, str] = {}  # what it found, and extra pids since
        self._seen: dict[int, tuple] = {}  # pid -> (its /proc entry, ppid, start time)

    def sample(self, pids: set[int]) -> list[list]:
        """``[[pid, cpu_percent, rss_bytes], ...]`` for the pids that could be read.

        The CPU time is the process's CPU clock (clock_gettime), not /proc/PID/stat: both
        cost the kernel a walk over the process's threads (a program with 500 queues has
        500 feeder threads in each process), the file two walks and a page of text."""
        for gone in self._last.keys() - pids:
            del self._last[gone]
        samples = []
        for pid in sorted(pids):
            try:
                cpu = time.clock_gettime_ns(_cpu_clock(pid))
                now = time.monotonic_ns()
                with open(f"/proc/{pid}/statm", "rb") as statm:
                    rss = int(statm.read().split()[1]) * _PAGE
            except (OSError, ValueError, IndexError, OverflowError):
                self._last.pop(pid, None)  # ended
                continue
            last = self._last.get(pid)
            self._last[pid] = cpu, now
            percent = 0.0
            if last is not None and now > last[1]:
                percent = round(max(0, cpu - last[0]) * 100 / (now - last[1]), 1)
            samples.append([pid, percent, rss])
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


def _cpu_clock(pid: int) -> int:
    """The clock id of ``pid``'s CPU time, all its threads (glibc's clock_getcpuclockid:
    MAKE_PROCESS_CPUCLOCK(pid, CPUCLOCK_SCHED))."""
    return (~pid << 3) | 2


def _last_pid() -> int | None:
    """The pid the kernel allocated last, in this pid namespace (threads take pids too):
    while it stays the same, no process was created."""
    try:
        with open("/proc/loadavg", "rb") as f:
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None
