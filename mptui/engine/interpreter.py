"""Which Python runs the user's program, and whether mptui can observe it.

``mptui run script.py`` must run the script on the interpreter ``python3 script.py`` would
use in the same shell, or a script that imports a package only the user's Python has fails
under mptui: the activated virtualenv's (``$VIRTUAL_ENV/bin/python``), else the first
``python3`` on ``PATH``. ``--python PATH`` names another.

The chosen interpreter is asked its version once, before the run (about 25 ms: ``-S`` skips
``site``; nothing is asked when it is the very binary running mptui). The agent needs
Python 3.10 or newer, and installs itself only in processes of exactly that version
(mptui.agent.bootstrap.sitecustomize reads ``MPTUI_PYTHON``), so another Python the
program starts (a ``python2`` helper) runs unharmed and unobserved.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping

OLDEST = (3, 10)
"""The oldest Python the agent runs on."""

# Syntax any Python parses, python2 included, so even a too old one answers with its version.
_ASK = (
    "import sys; sys.stdout.write('%d.%d.%d\\n%s' % (tuple(sys.version_info[:3]) + "
    "(sys.executable,)))"
)
_ANSWER = re.compile(r"(\d+)\.(\d+)\.(\d+)\n(.*)", re.DOTALL)
PROBE_TIMEOUT = 20.0
"""Seconds a Python may take to tell its version (a cold disk, a loaded machine)."""


class BadInterpreter(ValueError):
    """An interpreter mptui cannot run the program on; the message is one line."""


def shell_python(environ: Mapping[str, str] | None = None) -> str | None:
    """The interpreter ``python3`` means in the user's shell, or None if there is none.

    The path is made absolute but its symlinks are kept: a virtualenv's ``bin/python`` is a
    symlink, and Python finds its virtualenv from the path it was started by."""
    environ = os.environ if environ is None else environ
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        candidate = os.path.join(venv, "bin", "python")
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    found = shutil.which("python3", path=environ.get("PATH", os.defpath))
    return os.path.abspath(found) if found else None


def probe(path: str) -> tuple[str, str]:
    """The interpreter at ``path`` as it names itself (``sys.executable``) and its version
    (``3.11.2``); raises BadInterpreter when it is missing, not a Python, or older than
    :data:`OLDEST`.

    The program then runs on the interpreter's own name, not on ``path``: a pyenv shim
    (a shell script finding the real Python) costs about 0.2 s per start, paid here once
    rather than again by the runner. A virtualenv's Python names itself by its
    virtualenv's path, so nothing of the virtualenv is lost."""
    if not os.path.exists(path):
        raise BadInterpreter(f"no such interpreter: {path!r}")
    if os.path.isdir(path) or not os.access(path, os.X_OK):
        raise BadInterpreter(f"{path!r} is not an executable Python interpreter")
    if os.path.realpath(path) == os.path.realpath(sys.executable):
        # The very binary running mptui (through a virtualenv's link, say): its version is
        # ours, and a link to a binary is no shim. Nothing to ask, no process to start.
        return path, "{}.{}.{}".format(*sys.version_info[:3])
    try:
        # -E -s -S: neither the environment, nor user site-packages, nor site (and so no
        # sitecustomize, ours or the user's) can change or slow the answer.
        answer = subprocess.run(
            [path, "-E", "-s", "-S", "-c", _ASK],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=PROBE_TIMEOUT,
        )
    except (OSError, subprocess.SubprocessError) as error:
        raise BadInterpreter(f"cannot run {path!r} as Python: {error}") from None
    match = _ANSWER.fullmatch(answer.stdout.decode("utf-8", "surrogateescape"))
    if answer.returncode != 0 or match is None:
        raise BadInterpreter(f"{path!r} is not a Python interpreter (asked its version, "
                             f"it answered {_first_line(answer)!r})")  # fmt: skip
    version = ".".join(match.groups()[:3])
    if tuple(int(part) for part in match.groups()[:3])[:2] < OLDEST:
        raise BadInterpreter(
            f"{path} is Python {version}; mptui observes Python "
            f"{'.'.join(map(str, OLDEST))} or newer (choose one with --python PATH)"
        )
    named = match.group(4)
    return (named if os.path.isabs(named) and os.access(named, os.X_OK) else path), version


def _first_line(answer: subprocess.CompletedProcess) -> str:
    text = (answer.stdout or answer.stderr or b"").decode("utf-8", "replace").strip()
    return text.splitlines()[0][:80] if text else f"exit {answer.returncode}, nothing"
