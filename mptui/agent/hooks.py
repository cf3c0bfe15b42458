"""Hooks into multiprocessing, applied when (and only if) the program imports it.

A tiny post-import finder on ``sys.meta_path`` waits for ``multiprocessing`` and its
``popen_*`` modules, so a process that never uses multiprocessing pays nothing. Once
imported:

* ``BaseProcess._bootstrap`` reports ``started`` (name, start method) and ``exited`` (code);
* ``os.waitpid`` and ``os.wait`` report ``reaped`` from the parent, which is the only place
  the exit code of a child killed by a signal is known (multiprocessing's ``Popen.poll``,
  ``subprocess``, the resource tracker and a program's own ``os.fork`` children all reap
  through them), and ``subprocess.Popen`` reports it too;
* ``Popen._send_signal`` (multiprocessing) and ``subprocess.Popen.send_signal`` report the
  signals a parent sends to end a child on purpose (terminate(), kill(), send_signal());
* every context's ``Lock``, ``RLock``, ``Queue``, ``JoinableQueue``, ``SimpleQueue``,
  ``Pipe``, ``Semaphore``, ``BoundedSemaphore``, ``Condition``, ``Event`` and ``Barrier``
  return traced drop-ins, and its ``Value`` and ``Array`` a traced lock
  (``multiprocessing.Lock`` and friends are rebound too: they are bound methods of the
  default context, captured when multiprocessing was imported);
* ``multiprocessing.managers``: a manager's server process is reported, its objects are
  declared and their proxies' blocking calls timed (mptui.agent.traced_manager);
* ``multiprocessing.shared_memory``: segments created, attached, closed and unlinked are
  reported (mptui.agent.traced_shm);
* in the runner, an outside-chosen start method becomes the default, so a program that
  picks its own with ``set_start_method`` still gets what it asked for.
"""

import os
import sys

from mptui import events as ev
from mptui.agent import channel

state = {"forkserver_server": False}
"""Facts about this process that fork children inherit (and correct after fork)."""


class _HookedLoader:
    """Wraps a module's real loader to run a hook right after the module executes."""

    def __init__(self, loader, hook) -> None:
        self._loader, self._hook = loader, hook

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        self._loader.exec_module(module)
        try:
            self._hook(module)
        except Exception as error:  # noqa: BLE001 - never break the observed program
            sys.stderr.write(f"mptui: could not hook {module.__name__}: {error!r}\n")

    def __getattr__(self, name):  # get_source, get_filename, ... for tracebacks
        return getattr(self._loader, name)


class _PostImportFinder:
    """A meta-path finder that finds nothing itself: it wraps the loader of watched modules."""

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks

    def find_spec(self, name, path, target=None):
        hook = self.hooks.pop(name, None)
        if hook is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _HookedLoader(spec.loader, hook)
                return spec
        return None


def install(is_runner: bool, start_method: str | None) -> None:
    hooks = {
        "multiprocessing": lambda mp: _patch_multiprocessing(mp, is_runner, start_method),
        "multiprocessing.popen_fork": _patch_poll,
        "multiprocessing.popen_forkserver": _patch_poll,
        "multiprocessing.forkserver": _mark_forkserver_main,
        "subprocess": _patch_subprocess,
        "signal": _guard_signal,
        # A Pool's and a ProcessPoolExecutor's queues, result waits and tasks done.
        "multiprocessing.pool": _hook_pool,
        "concurrent.futures.process": _hook_executor,
        "multiprocessing.managers": _patch_managers,
        "multiprocessing.shared_memory": _patch_shared_memory,
    }
    for name in list(hooks):
        module = sys.modules.get(name)
        if module is not None:
            hooks.pop(name)(module)
    if hooks:
        sys.meta_path.insert(0, _PostImportFinder(hooks))


# --------------------------------------------------------------------------------------


def _patch_multiprocessing(mp, is_runner: bool, start_method: str | None) -> None:
    from multiprocessing import context, process

    # mptui.agent.traced imports multiprocessing's queues, connection and synchronize:
    # only a process that makes a primitive pays for that.
    def Lock(self):  # noqa: N802 - the names multiprocessing users call
        internal, label = creation_site()
        if internal:
            return _original["Lock"](self)
        from mptui.agent import traced

        return traced.TracedLock(ctx=self.get_context(), mptui_id=traced.declare("Lock", label))

    def RLock(self):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["RLock"](self)
        from mptui.agent import traced

        oid = traced.declare("RLock", label)
        return traced.TracedRLock(ctx=self.get_context(), mptui_id=oid)

    def Queue(self, maxsize=0):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Queue"](self, maxsize)
        from mptui.agent import traced

        oid = traced.declare("Queue", label, maxsize=maxsize)
        return traced.TracedQueue(maxsize, ctx=self.get_context(), mptui_id=oid)

    def JoinableQueue(self, maxsize=0):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["JoinableQueue"](self, maxsize)
        from mptui.agent import traced

        oid = traced.declare("JoinableQueue", label, maxsize=maxsize)
        return traced.TracedJoinableQueue(maxsize, ctx=self.get_context(), mptui_id=oid)

    def SimpleQueue(self):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["SimpleQueue"](self)
        from mptui.agent import traced

        oid = traced.declare("SimpleQueue", label, maxsize=0)
        return traced.TracedSimpleQueue(ctx=self.get_context(), mptui_id=oid)

    def Pipe(self, duplex=True):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Pipe"](self, duplex)
        from mptui.agent import traced

        return traced.traced_pipe(duplex, label)

    # mptui.agent.traced_sync: Semaphore, Condition, Event, Barrier and the locks of
    # Value and Array. Their own innards (an Event's Condition, a Barrier's) are made by
    # multiprocessing.synchronize, so creation_site() leaves those untraced.
    def Semaphore(self, value=1):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Semaphore"](self, value)
        from mptui.agent import traced, traced_sync

        oid = traced.declare("Semaphore", label, value=value)
        return traced_sync.TracedSemaphore(value, ctx=self.get_context(), mptui_id=oid)

    def BoundedSemaphore(self, value=1):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["BoundedSemaphore"](self, value)
        from mptui.agent import traced, traced_sync

        oid = traced.declare("BoundedSemaphore", label, value=value)
        return traced_sync.TracedBoundedSemaphore(value, ctx=self.get_context(), mptui_id=oid)

    def Condition(self, lock=None):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Condition"](self, lock)
        from mptui.agent import traced_sync

        return traced_sync.traced_condition(self.get_context(), lock, label)

    def Event(self):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Event"](self)
        from mptui.agent import traced, traced_sync

        return traced_sync.TracedEvent(
            ctx=self.get_context(), mptui_id=traced.declare("Event", label)
        )

    def Barrier(self, parties, action=None, timeout=None):  # noqa: N802
        internal, label = creation_site()
        if internal:
            return _original["Barrier"](self, parties, action, timeout)
        from mptui.agent import traced, traced_sync

        oid = traced.declare("Barrier", label, parties=parties)
        return traced_sync.TracedBarrier(
            parties, action, timeout, ctx=self.get_context(), mptui_id=oid
        )

    def Value(self, typecode_or_type, *args, lock=True):  # noqa: N802
        internal, label = creation_site()
        if internal or lock not in (True, None):  # no lock, or the program's own
            return _original["Value"](self, typecode_or_type, *args, lock=lock)
        from mptui.agent import traced_sync

        raw = _original["Value"](self, typecode_or_type, *args, lock=False)
        return traced_sync.synchronized(raw, self.get_context(), f"Value {label}")

    def Array(self, typecode_or_type, size_or_initializer, *, lock=True):  # noqa: N802
        internal, label = creation_site()
        if internal or lock not in (True, None):
            return _original["Array"](self, typecode_or_type, size_or_initializer, lock=lock)
        from mptui.agent import traced_sync

        raw = _original["Array"](self, typecode_or_type, size_or_initializer, lock=False)
        return traced_sync.synchronized(raw, self.get_context(), f"Array {label}")

    _original = {}
    replacements = (Lock, RLock, Queue, JoinableQueue, SimpleQueue, Pipe)
    replacements += (Semaphore, BoundedSemaphore, Condition, Event, Barrier, Value, Array)
    for replacement in replacements:
        name = replacement.__name__
        _original[name] = getattr(context.BaseContext, name)
        replacement.__qualname__ = f"BaseContext.{name}"
        replacement.__doc__ = _original[name].__doc__
        setattr(context.BaseContext, name, replacement)
        setattr(mp, name, getattr(context._default_context, name))

    original_bootstrap = process.BaseProcess._bootstrap

    def _bootstrap(self, *args, **kwargs):
        method = getattr(self, "_start_method", None) or _start_method_of_this_child()
        channel.send(ev.STARTED, name=self.name, start_method=method)
        _report_run_returned()
        code = original_bootstrap(self, *args, **kwargs)
        channel.send(ev.EXITED, code=code)
        return code

    process.BaseProcess._bootstrap = _bootstrap
    from mptui.agent.traced_join import traced_join

    process.BaseProcess.join = traced_join(process.BaseProcess.join)

    if is_runner and start_method:
        # Replace the fallback, not the choice: set_start_method() in the program still wins.
        context._default_context._default_context = context._concrete_contexts[start_method]


def _report_run_returned() -> None:
    """``_bootstrap`` calls ``util._exit_function`` right after ``run()`` returns (looked
    up at call time): report that moment. What follows (joining the queues' feeder threads)
    is where a child hangs whose queued data nobody reads."""
    # Patched here, in the child about to run, not at import: importing util earlier would
    # register its atexit handler earlier and change the order of the program's own.
    from multiprocessing import util

    original_exit_function = util._exit_function
    if getattr(original_exit_function, "_mptui", False):
        return  # a fork child of a child: already patched

    def _exit_function(*args, **kwargs):
        channel.send(ev.RETURNED)
        return original_exit_function(*args, **kwargs)

    _exit_function._mptui = True
    util._exit_function = _exit_function


def creation_site() -> tuple[bool, str]:
    """Return ``(internal, "file.py:line")`` for the code that asked for a new primitive.

    ``internal`` is True when the standard library made it (a Queue's own locks, a Pool's
    queues, a ProcessPoolExecutor's wake-up pipe): those stay untraced, they are plumbing,
    not the program's objects. (A pool's two queues are counted all the same, as the
    pool's, by mptui.agent.traced_pool.)
    """
    frame = sys._getframe(1)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        if not module.startswith("mptui.agent"):
            internal = module.split(".", 1)[0] in ("multiprocessing", "concurrent")
            site = f"{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}"
            if internal:
                return True, site
            from mptui.agent.sites import assigned_name

            var = assigned_name(frame.f_code.co_filename, frame.f_lineno)
            return False, f"{var} ({site})" if var else site
        frame = frame.f_back
    return False, "?"


def creation_place() -> tuple[str, int] | None:
    """``(absolute file path, line)`` of the program's code that asked for a new primitive
    (the frame creation_site() names), or None when there is none."""
    frame = sys._getframe(1)
    while frame is not None:
        if not frame.f_globals.get("__name__", "").startswith("mptui.agent"):
            path = frame.f_code.co_filename
            return (path if path.startswith("<") else os.path.abspath(path)), frame.f_lineno
        frame = frame.f_back
    return None


def _start_method_of_this_child() -> str:
    """The start method that made this process, for a Process of the default context
    (``multiprocessing.Process``, whose class does not say).

    The default context knows it: a fork child inherits the context its parent resolved
    when it started the child, and a spawn or forkserver child is given its parent's
    start method before it runs (``multiprocessing.spawn.prepare``)."""
    from multiprocessing import context

    method = context._default_context.get_start_method(allow_none=True)
    if method:
        return method
    if state["forkserver_server"]:
        return "forkserver"
    if "multiprocessing.spawn" in " ".join(getattr(sys, "orig_argv", ())):
        return "spawn"
    return "fork"


def _patch_poll(module) -> None:
    """Report the exit code a parent collects for its child (signals included), and the
    signals it sends with terminate() or kill(): a Pool, or multiprocessing's own exit
    handler for daemon children, ends processes that way on purpose."""
    popen_class = module.Popen
    send_signal = popen_class.__dict__.get("_send_signal")
    if send_signal is not None:

        def _send_signal(self, sig):
            if self.returncode is None:
                channel.send(ev.SIGNALLED, child=self.pid, signal=int(sig))
            return send_signal(self, sig)

        popen_class._send_signal = _send_signal
    original_poll = popen_class.__dict__.get("poll")
    if original_poll is None:  # popen_spawn_posix inherits popen_fork's poll
        return

    # Fork and spawn children are also seen by the os.waitpid wrapper, but a forkserver
    # child's code comes from the fork server over a socket: only poll() sees it here.
    def poll(self, *args, **kwargs):
        known = self.returncode
        code = original_poll(self, *args, **kwargs)
        if known is None and code is not None:
            channel.send(ev.REAPED, child=self.pid, code=code)
        return code

    popen_class.poll = poll


def _hook_pool(module) -> None:
    from mptui.agent import traced_pool

    traced_pool.patch_pool(module)


def _hook_executor(module) -> None:
    from mptui.agent import traced_pool

    traced_pool.patch_executor(module)


def _patch_managers(module) -> None:
    from mptui.agent import traced_manager

    traced_manager.patch(module)


def _patch_shared_memory(module) -> None:
    from mptui.agent import traced_shm

    traced_shm.patch(module)


def _guard_signal(module) -> None:
    from mptui.agent import stacks

    stacks.guard_signal_module(module)


def _patch_subprocess(module) -> None:
    """Report the exit code of a ``subprocess`` child (a python one says hello, but only its
    parent learns how it ended), and the signals the program sends it on purpose."""
    original = module.Popen._handle_exitstatus

    def _handle_exitstatus(self, *args, **kwargs):
        original(self, *args, **kwargs)
        channel.send(ev.REAPED, child=self.pid, code=self.returncode)

    module.Popen._handle_exitstatus = _handle_exitstatus
    original_send_signal = module.Popen.send_signal

    def send_signal(self, sig):
        # terminate() and kill() come here too. A child already reaped is not signalled.
        if self.returncode is None:
            channel.send(ev.SIGNALLED, child=self.pid, signal=int(sig))
        return original_send_signal(self, sig)

    module.Popen.send_signal = send_signal


def report_reaps() -> None:
    """Wrap ``os.waitpid`` and ``os.wait``: whoever in this process collects a child's exit
    status, mptui learns how that child ended (a signal shows only here)."""
    real_waitpid, real_wait = os.waitpid, os.wait

    def _report(pid: int, status: int) -> None:
        if pid > 0 and (os.WIFEXITED(status) or os.WIFSIGNALED(status)):
            channel.send(ev.REAPED, child=pid, code=os.waitstatus_to_exitcode(status))

    def waitpid(pid, options, /):
        result = real_waitpid(pid, options)
        _report(*result)
        return result

    def wait():
        result = real_wait()
        _report(*result)
        return result

    waitpid.__doc__, wait.__doc__ = real_waitpid.__doc__, real_wait.__doc__
    os.waitpid, os.wait = waitpid, wait


def _mark_forkserver_main(module) -> None:
    original_main = module.main

    def main(*args, **kwargs):
        # This process is the fork server: its fork children run forkserver Processes.
        state["forkserver_server"] = True
        return original_main(*args, **kwargs)

    module.main = main


def report_exit_on_os_exit() -> None:
    """``os._exit`` skips every hook; report the code first (one message, then exit)."""
    real_exit = os._exit

    def _exit(status):  # the same parameter name: os._exit(status=3) must still work
        channel.send(ev.EXITED, code=status)
        real_exit(status)

    os._exit = _exit
