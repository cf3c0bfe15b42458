"""The Python stacks of an observed process, all threads: py-spy if it can, else the agent.

py-spy (``pip install 'mptui[stacks]'``) reads a process's memory through ptrace: it
shows native frames and needs nothing from the process, but ptrace is often refused (Yama
``ptrace_scope``, containers without CAP_SYS_PTRACE). The agent's way needs no permission:
mptui sends the stack signal (mptui.events.STACK_SIGNAL) and faulthandler, inside the
process, writes every thread's stack to the process's file in the session directory
(mptui.agent.stacks). Every dump says which way it took and, when not py-spy, why not.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass

from mptui import events as ev

PYSPY_TIMEOUT = 10.0
AGENT_TIMEOUT = 2.0
"""Seconds to wait for faulthandler's text (it writes at once; a busy machine delays it)."""


@dataclass(frozen=True, slots=True)
class StackDump:
    pid: int
    text: str
    """The stacks, or why there are none."""
    method: str
    """``py-spy``, ``agent`` or ``none``."""
    note: str
    """Why the other way was not used (one line), or empty."""

    @property
    def ok(self) -> bool:
        return self.method != "none"


def dump_stacks(pid: int, session_dir: str, *, use_pyspy: bool = True) -> StackDump:
    """The stacks of ``pid``, a live process of the run whose session directory is given."""
    note = ""
    pyspy = shutil.which("py-spy") if use_pyspy else None
    if pyspy is not None:
        text, problem = _pyspy(pyspy, pid)
        if text is not None:
            return StackDump(pid, without_agent_frames(text), "py-spy", "")
        note = f"py-spy could not read it ({problem})"
    elif use_pyspy:
        note = "py-spy is not installed: pip install 'mptui[stacks]'"
    text, problem = _agent(pid, session_dir)
    if text is not None:
        return StackDump(pid, with_source_lines(without_agent_frames(text)), "agent", note)
    return StackDump(pid, f"No stack: {note}; and the agent: {problem}.", "none", note)


_FRAME = re.compile(r'^(\s*)File "(.+)", line (\d+) in ')


def with_source_lines(text: str) -> str:
    """faulthandler's frames with the line of code under each, as a traceback has it (the
    line a process is stuck on says more than its number). Files mptui cannot read (gone,
    or the program's ``-c`` code) keep the frame alone."""
    import linecache

    out = []
    for line in text.splitlines():
        out.append(line)
        match = _FRAME.match(line)
        if match:
            code = linecache.getline(match.group(2), int(match.group(3))).strip()
            if code:
                out.append(f"{match.group(1)}  {code}")
    return "\n".join(out)


def without_agent_frames(text: str) -> str:
    """The stacks without mptui's own frames (its hooks around join, waitpid, a traced
    lock's acquire): the program's code is what the reader looks for."""
    # faulthandler: '  File "/.../mptui/agent/hooks.py", line 9 in poll'; py-spy:
    # '    poll (mptui/agent/hooks.py:9)'. Both are indented; headings are not.
    return "\n".join(
        line for line in text.splitlines()
        if not (line[:1].isspace() and "mptui/agent/" in line)
    )  # fmt: skip


def _pyspy(pyspy: str, pid: int) -> tuple[str | None, str]:
    try:
        done = subprocess.run(
            [pyspy, "dump", "--pid", str(pid)],
            capture_output=True, text=True, timeout=PYSPY_TIMEOUT,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        return None, f"no answer in {PYSPY_TIMEOUT:g} s"
    except OSError as error:
        return None, str(error)
    if done.returncode == 0 and done.stdout.strip():
        return done.stdout, ""
    words = (done.stderr or done.stdout).strip().splitlines()
    reason = words[-1] if words else f"exit status {done.returncode}"
    if "ermission" in reason or "ptrace" in reason.lower():
        reason += "; ptrace is not permitted here (Yama ptrace_scope, or a container)"
    return None, reason[:200]


def _agent(pid: int, session_dir: str) -> tuple[str | None, str]:
    path = os.path.join(session_dir, f"stack-{pid}")
    try:
        before = os.path.getsize(path)
    except OSError:
        return None, "not available for this process (it took the signal for itself, " \
            "or it is not a Python process mptui observes)"  # fmt: skip
    try:
        os.kill(pid, ev.STACK_SIGNAL)
    except ProcessLookupError:
        return None, "the process has ended"
    except OSError as error:
        return None, str(error)
    deadline = time.monotonic() + AGENT_TIMEOUT
    size = before
    while time.monotonic() < deadline:
        time.sleep(0.02)
        try:
            now = os.path.getsize(path)
        except OSError:
            return None, "the process let go of the signal"
        if now > before and now == size:  # grew, then stopped growing: the dump is whole
            break
        size = now
    if size <= before:
        return None, f"no answer in {AGENT_TIMEOUT:g} s"
    with open(path, "rb") as f:
        f.seek(before)
        return f.read(size - before).decode("utf-8", "replace"), ""
