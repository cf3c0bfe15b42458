"""The agent: lives inside every process of the observed program.

Installed at interpreter start by ``bootstrap/sitecustomize.py`` when mptui has set
``MPTUI_SOCKET``, and inert otherwise. For its process it opens the message channel and says
hello, hands fds 1 and 2 to the collector, and hooks multiprocessing when the program imports
it. After ``fork`` the child does the same for itself (``os.register_at_fork``).

Rules (DESIGN.md section 4): standard library only, imports little, starts no thread (the
fork server imports it too, and forking a threaded process is unsafe), never raises into
the observed program.
"""

import os
import sys

from mptui import events as ev
from mptui.agent import capture, channel, hooks, stacks

installed = False


def _cmdline() -> str:
    return " ".join(getattr(sys, "orig_argv", sys.argv))[:500]


def _set_parent_death_signal() -> None:
    """The runner dies with mptui even if mptui is SIGKILLed (Linux only)."""
    import signal

    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return


def install() -> None:
    """Set up this process; called once, at interpreter start."""
    global installed
    if installed:
        return
    installed = True
    env = os.environ
    channel.configure(env[ev.ENV_SOCKET], env.get(ev.ENV_SECRET, ""), env.get(ev.ENV_DIR, ""))
    # Only the process mptui started: an orphan adopted by mptui (a child subreaper) has
    # mptui as its parent too.
    is_runner = env.pop(ev.ENV_RUNNER, None) == "1"
    if is_runner:
        _set_parent_death_signal()
        if str(os.getppid()) != env.get(ev.ENV_MPTUI_PID):
            os._exit(1)  # mptui died before the death signal was armed
    hello = {
        "ppid": os.getppid(),
        "how": "exec",
        "runner": is_runner,
        "cmdline": _cmdline(),
        "argv": list(sys.argv),
    }
    capture.capture_streams(take_over=is_runner, hello=hello)  # opens the channel too
    hooks.install(is_runner, env.get(ev.ENV_START_METHOD) if is_runner else None)
    hooks.report_exit_on_os_exit()
    hooks.report_reaps()
    stacks.install()
    os.register_at_fork(after_in_child=_after_fork_in_child)


def _after_fork_in_child() -> None:
    parent = channel.pid
    # Reopens the channel: the parent's is not this process's.
    hello = {"ppid": parent, "how": "fork", "runner": False, "cmdline": _cmdline(), "argv": []}
    capture.capture_streams(hello=hello)
    stacks.after_fork_in_child()
    ring = sys.modules.get("mptui.agent.ring")  # imported with the first traced primitive
    if ring is not None:
        ring.forget_after_fork()
