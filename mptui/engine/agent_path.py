"""The directory mptui puts first on the observed program's PYTHONPATH, with the agent's
bytecode ready in it.

It holds ``sitecustomize`` (which installs the agent) and a ``mptui`` package that mirrors
the real one with symlinks, so nothing else of the user's checkout can shadow the program's
modules. Every Python process of the program imports the agent at start-up; without
bytecode it compiles the agent's sources each time (about 6 ms here), which is what
happens when ``PYTHONDONTWRITEBYTECODE`` is set (common in containers) or mptui's package
directory is read-only. So the modules the agent imports at start get their own real
directories here, whose ``__pycache__`` mptui fills once per session: a link to the
package's own bytecode when that is up to date, else freshly compiled. The program's
own bytecode settings and files are left alone.
"""

from __future__ import annotations

import importlib.util
import os
import py_compile
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SITECUSTOMIZE = PACKAGE_DIR / "agent" / "bootstrap" / "sitecustomize.py"
AGENT_MODULES = ("__init__.py", "events.py")
"""Modules of the top-level package the agent imports (besides ``agent/*.py``)."""


def build(import_dir: str) -> None:
    """Create ``import_dir`` (mode 0700) with sitecustomize and the mirrored package."""
    os.mkdir(import_dir, 0o700)
    sources = [_link(SITECUSTOMIZE, os.path.join(import_dir, "sitecustomize.py"))]
    package = os.path.join(import_dir, "mptui")
    os.mkdir(package)
    for entry in os.scandir(PACKAGE_DIR):
        if entry.name == "__pycache__":
            continue
        here = os.path.join(package, entry.name)
        if entry.name == "agent":
            os.mkdir(here)
            for sub in os.scandir(entry.path):
                if sub.name != "__pycache__":
                    link = _link(sub.path, os.path.join(here, sub.name))
                    if sub.name.endswith(".py"):
                        sources.append(link)
        else:
            link = _link(entry.path, here)
            if entry.name in AGENT_MODULES:
                sources.append(link)
    for source in sources:
        _bytecode(source)


def _link(target, link: str) -> str:
    os.symlink(target, link)
    return link


def _bytecode(link: str) -> None:
    """Give the module at ``link`` bytecode next to it; a failure only costs start-up time."""
    real = os.path.realpath(link)
    wanted = importlib.util.cache_from_source(link)
    try:
        os.makedirs(os.path.dirname(wanted), exist_ok=True)
        own = importlib.util.cache_from_source(real)
        if _fresh(own, real):
            os.symlink(own, wanted)
        else:
            py_compile.compile(link, cfile=wanted, doraise=True, quiet=2)
    except (OSError, py_compile.PyCompileError, ValueError):
        pass


def _fresh(pyc: str, source: str) -> bool:
    """Whether ``pyc`` is timestamp bytecode of ``source`` as it is now (PEP 552)."""
    try:
        with open(pyc, "rb") as f:
            head = f.read(16)
        st = os.stat(source)
    except OSError:
        return False
    return (
        len(head) == 16
        and head[:4] == importlib.util.MAGIC_NUMBER
        and int.from_bytes(head[4:8], "little") == 0
        and int.from_bytes(head[8:12], "little") == int(st.st_mtime) & 0xFFFFFFFF
        and int.from_bytes(head[12:16], "little") == st.st_size & 0xFFFFFFFF
    )
