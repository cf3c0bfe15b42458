"""``Process.join`` as a recorded wait: joining a child that is still running is a wait
on that child (object id 0, the child's pid in the record).

Its own small module: every process that imports multiprocessing gets this hook, and it
must not pull in the queue, pipe and lock machinery of mptui.agent.traced.
"""

from __future__ import annotations

from time import monotonic_ns

from mptui import events as ev
from mptui.agent.ring import emit
from mptui.agent.sites import mark_wait

_BEGIN = ev.RK_WAIT_BEGIN << 56 | ev.OP_JOIN << 48


def _end(outcome: int) -> int:
    return ev.RK_WAIT_END << 56 | outcome << 48


def traced_join(original_join):
    """Wrap ``BaseProcess.join``."""

    def join(self, timeout=None):
        popen = self._popen
        if popen is None or popen.poll() is not None:  # not started, or already ended
            return original_join(self, timeout)
        mark_wait(0)
        t0 = monotonic_ns()
        emit(_BEGIN, t0, popen.pid)
        outcome = ev.OUTCOME_INTERRUPTED
        try:
            original_join(self, timeout)
            outcome = ev.OUTCOME_OK if popen.returncode is not None else ev.OUTCOME_TIMEOUT
        finally:
            t1 = monotonic_ns()
            emit(_end(outcome), t1, t1 - t0)

    join.__doc__ = original_join.__doc__
    return join
