"""Stack dumps on request, without ptrace: the fallback when py-spy cannot attach.

faulthandler, in C, can write the Python stack of every thread to a file descriptor from
a signal handler, even while the process is blocked in a lock or a read. Each observed
process registers it for one real-time signal (:data:`mptui.events.STACK_SIGNAL`) with
its own file in the session's private directory (``stack-<pid>``, opened O_APPEND, so
every dump lands after the last); mptui sends the signal and reads what was added.

The signal must never be one the program uses: if the program installs its own handler
for it (``signal.signal``), the agent lets go first (unregisters, removes its file) and
mptui then says the agent's way is not available for that process. Blocked system calls
the signal interrupts are retried by Python itself (PEP 475), so the program sees nothing.

Imports only built-in modules: this runs at every interpreter start.
"""

import os

from mptui import events as ev
from mptui.agent import channel

_fd = -1
_path = ""


def install() -> None:
    """Register this process's dump file (again after a fork: the parent's is its own)."""
    global _fd, _path
    import faulthandler

    release(quiet=True)
    if not channel.session_dir:
        return
    path = os.path.join(channel.session_dir, f"stack-{os.getpid()}")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_TRUNC, 0o600)
    except OSError:
        return  # no stacks through the agent for this process; py-spy may still work
    try:
        faulthandler.register(ev.STACK_SIGNAL, file=fd, all_threads=True, chain=False)
    except (OSError, RuntimeError, ValueError):
        os.close(fd)
        return
    _fd, _path = fd, path


def after_fork_in_child() -> None:
    """A fork child inherits the parent's registration and file: take its own (and leave
    the parent's file to the parent)."""
    global _fd, _path
    if _fd >= 0:
        try:
            os.close(_fd)
        except OSError:
            pass
        _fd, _path = -1, ""
    install()


def release(quiet: bool = False) -> None:
    """Give the signal back (the program wants it), and remove the file that said it was
    ours. Idempotent."""
    global _fd, _path
    if _fd < 0:
        return
    import faulthandler

    try:
        faulthandler.unregister(ev.STACK_SIGNAL)
    except (OSError, RuntimeError, ValueError):
        pass
    for undo in (lambda: os.close(_fd), lambda: os.unlink(_path)):
        try:
            undo()
        except OSError:
            pass
    _fd, _path = -1, ""
    if not quiet:
        channel.send(ev.STACKS_OFF)


def guard_signal_module(module) -> None:
    """Wrap ``signal.signal``: a program taking the stack signal gets it, and mptui stops
    using it for this process."""
    original = module.signal

    def signal(signalnum, handler):
        if signalnum == ev.STACK_SIGNAL:
            release()
        return original(signalnum, handler)

    signal.__doc__ = original.__doc__
    signal.__wrapped__ = original
    module.signal = signal
