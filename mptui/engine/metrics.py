"""CPU% and resident memory of the observed processes, sampled with psutil; and the
process tree, so processes that left the program's process group can still be found.

Called by the collector about once a second for the processes still alive. psutil's
first ``cpu_percent`` for a process is 0.0 by definition (no interval yet), so a process
reports its real share from its second sample on.
"""

from __future__ import annotations

import psutil

from mptui.engine.guardian import start_time


class MetricsSampler:
    """Keeps one psutil.Process per pid so CPU% is measured between consecutive samples."""

    def __init__(self) -> None:
        self._procs: dict[int, psutil.Process] = {}

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
        """``{pid: start_time}`` of ``root``'s descendants and of ``extra`` pids that run."""
        pids = set(extra)
        try:
            pids.update(p.pid for p in psutil.Process(root).children(recursive=True))
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
        found = {}
        for pid in pids:
            start = start_time(pid)
            if start is not None:
                found[pid] = start
        return found
