"""A Session runs one observed program and guarantees nothing of it outlives mptui.

``start()`` creates a private directory (0700) with the collector's socket, starts the
program's main process (the *runner*: ``python SCRIPT ARGS`` with the agent on its path) in
a session of its own, a *guardian* process, and the collector thread. ``stop()`` ends every
process of the run. How nothing is left behind, on every way out:

* normal end, ``stop()``, ``close()``: SIGTERM to the runner's process group, SIGKILL after a
  grace period, every member reaped;
* mptui killed by SIGTERM, SIGINT or SIGHUP: the front end's signal handler calls ``stop()``;
* mptui killed by SIGKILL (no handler runs): the runner has PR_SET_PDEATHSIG, and the
  guardian, which only waits for EOF on a pipe from mptui, kills the whole group when the
  pipe closes, which the kernel does when mptui dies however it dies.

What to do with processes left running after the main process ended (the end policy) is
decided by :class:`mptui.engine.run_control.RunControl`, which both front ends use.

Start it from the main thread or another long-lived thread: the parent-death signal fires
when the thread that started the runner exits.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from mptui import events as ev
from mptui.engine import agent_path, verdict
from mptui.engine.process_group import ProcessGroup, become_child_subreaper
from mptui.engine.program import START_METHODS, Program  # noqa: F401 - Program re-exported

if TYPE_CHECKING:
    # Imported where a session is made and started, not here: the CLI and the dashboard
    # import this module for Program, and the collector and the Store cost
    # tens of milliseconds before the dashboard's first frame.
    from mptui.engine.collector import Collector, Listener
    from mptui.engine.stacks import StackDump
    from mptui.engine.store import Store


GUARDIAN = Path(__file__).resolve().parent / "guardian.py"
"""Run by path with ``-I``, so nothing of the observed program's environment (or of
mptui's) is imported into it, and ``ps`` shows a file name, not a page of code."""


def default_start_method() -> str:
    """The start method a program gets when it chooses none (fork on Linux before 3.14).

    Read without calling get_context(), which would fix mptui's own default as a side effect."""
    import multiprocessing

    return (
        multiprocessing.get_start_method(allow_none=True)
        or (multiprocessing.get_all_start_methods()[0])
    )


def _raise_fd_limit() -> None:
    """Every observed process costs the collector three descriptors: allow what we may."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if hard == resource.RLIM_INFINITY:
            hard = 1 << 16
        if soft != resource.RLIM_INFINITY and soft < hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ImportError, ValueError, OSError):
        pass


def _private_base_dir() -> str | None:
    # Rings are memory-mapped files: on tmpfs they never touch a disk.
    return "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None


class Session:
    """One run of one program; see the module docstring."""

    def __init__(
        self,
        program: Program,
        store: Store | None = None,
        *,
        listeners: Iterable[Listener] = (),
        linger: float = 3.0,
        stdin: int | None = subprocess.DEVNULL,
    ) -> None:
        from mptui.engine.store import Store  # see the imports at the top

        self.program = program
        self.store = store if store is not None else Store()
        self.linger: float | None = linger
        """The end policy: seconds the rest of the program may run on after its main process
        ended; then mptui stops it (a shell would leave it running; mptui leaves nothing
        behind). Announced in the run's first event (the header counts it down); enforced
        by mptui.engine.run_control.RunControl, for every front end alike."""
        self._stdin = stdin
        """The program's stdin: /dev/null (the dashboard owns the terminal) or None to
        inherit mptui's own (headless, so ``echo x | mptui run prog.py`` works)."""
        self._listeners = list(listeners)
        self._dir: str | None = None
        self._listener: socket.socket | None = None
        self._runner: subprocess.Popen | None = None
        self._guardian: subprocess.Popen | None = None
        self._collector: Collector | None = None
        self._runner_ended = threading.Event()
        self._stopping = threading.Lock()
        self._closed = False

    # ------------------------------------------------------------------ start

    def start(self) -> None:
        """Start the program; returns at once while the collector fills the Store."""
        if self._runner is not None:
            raise RuntimeError("a Session runs once; make a new one to run again")
        method = self.program.start_method
        if method is not None and method not in START_METHODS:
            raise ValueError(f"unknown start method {method!r}; valid: {', '.join(START_METHODS)}")
        from mptui.engine.collector import Collector  # see the imports at the top

        become_child_subreaper()
        _raise_fd_limit()
        # mode 0700; named after mptui's pid so that a leftover can be traced to its owner
        self._dir = tempfile.mkdtemp(prefix=f"mptui-{os.getpid()}-", dir=_private_base_dir())
        secret = secrets.token_hex(16)
        path = os.path.join(self._dir, "socket")
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(path)
        self._listener.listen(1024)
        self._listener.setblocking(False)
        pythonpath = self._make_import_dir()

        env = dict(os.environ)
        env.update(
            {
                ev.ENV_SOCKET: path,
                ev.ENV_SECRET: secret,
                ev.ENV_DIR: self._dir,
                ev.ENV_MPTUI_PID: str(os.getpid()),
                ev.ENV_RUNNER: "1",
                ev.ENV_PYTHON: ".".join(self.program.interpreter_version.split(".")[:2]),
                "PYTHONPATH": os.pathsep.join(filter(None, [pythonpath, env.get("PYTHONPATH")])),
            }
        )
        env.pop(ev.ENV_START_METHOD, None)
        env.pop(ev.ENV_PIPES, None)
        if method:
            env[ev.ENV_START_METHOD] = method
        self._runner = subprocess.Popen(
            self.program.command(),
            env=env,
            stdin=self._stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        pgid = self._runner.pid
        self._guardian = subprocess.Popen(
            [sys.executable, "-I", str(GUARDIAN), str(pgid), self._dir],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        started = {
            "kind": ev.RUN_STARTED,
            "t": time.monotonic_ns(),
            "title": self.program.title,
            "argv": list(self.program.argv),
            "python": self.program.interpreter,
            "python_version": self.program.interpreter_version,
            "strict": self.program.strict,
            "start_method": method or default_start_method(),
            "params": {k: str(v) for k, v in self.program.params.items()},
            "lesson": self.program.lesson,
            "runner": pgid,
            "linger_ns": int(self.linger * 1e9),
            "stall_after_ns": int(self.program.stall_after * 1e9),
        }
        self._collector = Collector(
            self.store,
            self._listener,
            secret,
            self._dir,
            ProcessGroup(pgid),
            pgid,
            listeners=self._listeners,
            initial_events=[started],
            on_runner_exit=self._note_runner_exit,
        )
        self._collector.add_pipe(self._runner.stdout, pgid, ev.STREAM_STDOUT)
        self._collector.add_pipe(self._runner.stderr, pgid, ev.STREAM_STDERR)
        self._collector.start()

    def _make_import_dir(self) -> str:
        """A directory holding only ``sitecustomize`` and ``mptui``, for PYTHONPATH.

        Putting mptui's parent directory on the path instead could shadow the program's own
        modules (a checkout has tests/, a site-packages would come before the stdlib)."""
        import_dir = os.path.join(self._dir, "path")
        agent_path.build(import_dir)  # with the agent's bytecode: see that module
        return import_dir

    def _note_runner_exit(self, code: int) -> None:
        if self._runner is not None:
            self._runner.returncode = code  # reaped by the collector, not by Popen
        self._runner_ended.set()

    # ------------------------------------------------------------------ state

    @property
    def collector(self) -> Collector | None:
        return self._collector

    @property
    def runner_pid(self) -> int | None:
        return self._runner.pid if self._runner is not None else None

    @property
    def running(self) -> bool:
        return self._collector is not None and not self._collector.finished.is_set()

    @property
    def exitcode(self) -> int | None:
        """The runner's exit code once it has ended."""
        return self._collector.runner_code if self._collector is not None else None

    @property
    def closed(self) -> bool:
        return self._closed

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; True once every process has ended (processes left
        running after the main process ended are stopped by the end policy, when the run
        is under a RunControl)."""
        if self._collector is None:
            return True
        return self._collector.finished.wait(timeout)

    def now_ns(self) -> int:
        """The clock the run's events carry (uptimes are measured against it)."""
        return time.monotonic_ns()

    def wait_main_ended(self, timeout: float | None = None) -> bool:
        """Wait for the main process (the runner) to end; True once it has."""
        return self._runner_ended.wait(timeout)

    # ------------------------------------------------------------------ control

    def signal_process(self, pid: int, sig: int) -> bool:
        """Send ``sig`` to one process of this run; False if it is not ours or has ended."""
        if self._collector is None:
            return False
        proc = self.store.snapshot().process(pid)
        if proc is None or not proc.alive or pid not in self._collector.live_pids:
            return False
        self._collector.note_signal(pid, sig)  # first: its end may be read at once
        try:
            os.kill(pid, sig)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def stacks(self, pid: int) -> StackDump:
        """The Python stacks of one live process of this run (mptui.engine.stacks)."""
        from mptui.engine.stacks import StackDump, dump_stacks

        proc = self.store.snapshot().process(pid)
        live = self._collector is not None and pid in self._collector.live_pids
        if proc is None or not proc.alive or not live or self._dir is None:
            return StackDump(pid, "No stack: the process is not running.", "none", "")
        return dump_stacks(pid, self._dir)

    def stop(self, grace: float = 1.0, reason: str = verdict.STOP_BY_USER) -> None:
        """End every process of the run, as Ctrl+C in a terminal would, then firmer:
        SIGINT to the group (the program may clean up), SIGTERM after half of ``grace``,
        SIGKILL after the other half, and SIGKILL to any process that left the group.
        ``reason`` says why (you, or the end policy), so no one takes it for a failure."""
        collector = self._collector
        if collector is None:
            return
        with self._stopping:
            if collector.finished.is_set():
                return
            collector.note_stopping(reason)
            for sig in (signal.SIGINT, signal.SIGTERM):
                if not collector.group.signal(sig) or collector.finished.wait(grace / 2):
                    break
            else:
                collector.group.signal(signal.SIGKILL)
            if not collector.finished.is_set():
                collector.kill_strays()
                collector.finished.wait(2.0)

    def close(self) -> None:
        """Stop the run and free everything (thread, sockets, directory). Idempotent."""
        if self._closed:
            return
        self._closed = True
        self.stop()
        if self._collector is not None:
            self._collector.stop()
        if self._listener is not None:
            self._listener.close()
        if self._guardian is not None:
            self._guardian.stdin.close()  # EOF: the group is empty, so it just exits
            try:
                self._guardian.wait(2.0)
            except subprocess.TimeoutExpired:
                self._guardian.kill()
                self._guardian.wait()
        if self._runner is not None and self._runner.returncode is None:
            try:  # not reaped by the collector (it was stopped first): do it here
                self._runner.wait(1.0)
            except subprocess.TimeoutExpired:
                self._runner.kill()
                self._runner.wait()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
