"""One verdict per process and per run, decided here and nowhere else.

The process table, the summary panel, the headless text, the JSON summary and the exit
status all read these verdicts; none of them judges a process itself, so they cannot
disagree (DESIGN.md section 3). The words shown for a verdict live here too.

How a process ended decides its verdict, in this order:

* still running -> ``running``;
* you killed it from mptui (``k``) -> ``killed``: on purpose, not a failure;
* mptui stopped the run (``s``, quit, a signal to mptui) while it ran -> ``stopped``;
* it was still running after the main process ended, and mptui's end policy stopped it ->
  ``left running``: not a failure, but the summary says so;
* its parent ended it with ``terminate()``, ``kill()`` or ``send_signal()`` (a Pool's
  workers, daemon children at exit, a ``subprocess`` child) -> ``ended by parent``;
* exit code 0 -> ``ok``; any other code or a signal nobody in the program sent ->
  ``failed``; ended with no code anyone could learn -> ``unknown``.

The run is judged by one of two rules. A lesson (and a script run with ``--strict``) fails
when any of its processes failed. A script otherwise is judged as a wrapper such as
``time`` judges it, by its main process: children that failed while the main process
exited 0 make the run ``some failed``, which is not a failure of the run, and every front
end still names them. Headless, the exit status follows the same rule.
"""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mptui.engine.store import ProcessView, Snapshot

RUNNING = "running"
OK = "ok"
FAILED = "failed"
KILLED = "killed"
STOPPED = "stopped"
LEFT_RUNNING = "left running"
ENDED_BY_PARENT = "ended by parent"
UNKNOWN = "unknown"
SOME_FAILED = "some failed"
"""Run verdict: the main process did well, some other process failed (not strict)."""

STOP_BY_USER = "user"
"""Reason of a stop asked for by the user (s, quit, Ctrl+C or a signal to mptui)."""
STOP_LEFT_RUNNING = "left running"
"""Reason of a stop by the end policy: the main process ended, these did not."""

NOT_A_FAILURE = frozenset({OK, KILLED, STOPPED, LEFT_RUNNING, ENDED_BY_PARENT})


def process_verdict(
    *,
    alive: bool,
    exitcode: int | None,
    user_signal: int | None,
    parent_signal: int | None,
    stop_reason: str | None,
) -> str:
    """The verdict for one process (see the module docstring for the order)."""
    if alive:
        return RUNNING
    if user_signal is not None:
        return KILLED
    if stop_reason == STOP_LEFT_RUNNING:
        return LEFT_RUNNING
    if stop_reason is not None:
        return STOPPED
    if parent_signal is not None and exitcode not in (None, 0):
        return ENDED_BY_PARENT
    if exitcode is None:
        return UNKNOWN
    return OK if exitcode == 0 else FAILED


def how_it_ended(proc: ProcessView) -> str:
    """The code or signal: ``exit 3``, ``SIGKILL``, ``exit code unknown``."""
    if proc.signal:
        return proc.signal
    if proc.exitcode is not None:
        return f"exit {proc.exitcode}"
    return "exit code unknown"


def failure(proc: ProcessView) -> str:
    """What went wrong with a failed process: ``exit 3``, ``killed by SIGSEGV``."""
    return f"killed by {proc.signal}" if proc.signal else how_it_ended(proc)


def describe(proc: ProcessView) -> str:
    """The verdict in words, with the code or signal: what every front end shows."""
    verdict = proc.verdict
    if verdict == RUNNING:
        return proc.state  # starting or running
    ending = how_it_ended(proc)
    if verdict == OK:
        return ending
    if verdict == FAILED:
        return f"failed: {failure(proc)}"
    if verdict == KILLED:
        return f"killed from mptui ({ending})"
    if verdict == STOPPED:
        return f"stopped from mptui ({ending})"
    if verdict == LEFT_RUNNING:
        return f"left running, stopped by mptui ({ending})"
    if verdict == ENDED_BY_PARENT:
        return f"ended by its parent ({ending})"
    return "ended, exit code unknown"


def run_verdict(snapshot: Snapshot) -> str:
    """``running`` until every process has ended; then ``failed`` if the run failed (even
    a run you stopped: a crash before the stop is still a crash), ``stopped`` if you
    stopped it (or killed its main process), ``some failed`` if processes other than the
    main one failed in a run judged by its main process, else ``ok``.

    Strict runs (lessons, ``--strict``) fail when any process failed; the others when
    their main process failed (see the module docstring)."""
    run = snapshot.run
    if run.state != "ended" or any(p.alive for p in snapshot.processes):
        return RUNNING if run.state != "idle" else "idle"
    failed = snapshot.failed
    if failed and (run.strict or any(p.role == "runner" for p in failed)):
        return FAILED
    main_killed = any(p.role == "runner" and p.verdict == KILLED for p in snapshot.processes)
    if run.stop_reason == STOP_BY_USER or main_killed:
        return STOPPED
    return SOME_FAILED if failed else OK


def code_words(code: int | None) -> str:
    """An exit code as people read it: ``exit 3``, ``SIGINT`` for -2, ``?`` when unknown."""
    if code is None:
        return "?"
    return signal_name(-code) if code < 0 else f"exit {code}"


def headless_exit_status(snapshot: Snapshot, interrupted_by: int | None = None) -> int:
    """Exit status of a headless run, in one place so the rule changes in one place.

    128+N when mptui itself was stopped by signal N. A strict run (a lesson, ``--strict``):
    1 when any process failed, else 0. Any other run exits as its main process did, as
    wrappers do: its exit code, 128+N if a signal N ended it, 1 if nobody could learn how
    it ended; failed children alone leave it 0 (the summary names them)."""
    if interrupted_by is not None:
        return 128 + interrupted_by
    if snapshot.run.strict:
        return 1 if run_verdict(snapshot) == FAILED else 0
    code = snapshot.run.exitcode
    if code is None:
        return 1
    return 128 - code if code < 0 else code


def signal_name(number: int) -> str:
    """``SIGTERM`` for 15; ``signal 99`` for a number with no name."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
