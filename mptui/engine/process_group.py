"""The observed program's process group: signal it, reap it, know when it is empty.

The runner is started in a session of its own, so its pid is also the group id, and every
descendant that did not create a session of its own is in the group. mptui makes itself a
child subreaper, so descendants orphaned by the runner's exit are re-parented to mptui and
their exit codes can still be collected here.
"""

from __future__ import annotations

import os
import signal


def become_child_subreaper() -> bool:
    """Adopt orphaned descendants (Linux prctl PR_SET_CHILD_SUBREAPER); False elsewhere."""
    try:
        import ctypes

        pr_set_child_subreaper = 36
        return ctypes.CDLL(None, use_errno=True).prctl(pr_set_child_subreaper, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


class ProcessGroup:
    """The group led by the runner (pgid == runner pid)."""

    def __init__(self, pgid: int) -> None:
        self.pgid = pgid

    def signal(self, sig: int = signal.SIGTERM) -> bool:
        """Send ``sig`` to every member; False when the group is already empty."""
        try:
            os.killpg(self.pgid, sig)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True  # a member we may not signal (setuid); others got it
        return True

    def is_empty(self) -> bool:
        """True when no member exists any more, zombies included."""
        return not self.signal(0)

    def reap(self) -> list[tuple[int, int]]:
        """Collect every member that is our child and has ended: ``[(pid, exitcode)]``,
        exitcode negative for a signal, as multiprocessing reports it."""
        reaped = []
        while True:
            try:
                pid, status = os.waitpid(-self.pgid, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            reaped.append((pid, os.waitstatus_to_exitcode(status)))
        return reaped


def reap_pid(pid: int) -> int | None:
    """Exit code of ``pid`` if it is our ended child (e.g. an adopted orphan), else None."""
    try:
        done, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status) if done else None
