"""Installs the mptui agent at interpreter start, then runs any other ``sitecustomize``.

mptui puts this directory first on ``PYTHONPATH`` for the observed program, so every Python
process of it (the runner, spawn and forkserver children, ``subprocess`` pythons) imports
this module during ``site`` initialisation, before any user code. Outside mptui the
environment variable is unset and nothing happens.
"""

import os
import sys

if os.environ.get("MPTUI_SOCKET"):
    try:
        from mptui.agent import install

        install()
    except Exception as error:  # noqa: BLE001 - the observed program must run regardless
        sys.stderr.write(f"mptui: agent not installed: {error!r}\n")


def _chain_to_next_sitecustomize() -> None:
    """Only one module named sitecustomize is imported: run the one we shadow, if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    candidates = ("sitecustomize.py", "sitecustomize")
    if not any(os.path.exists(os.path.join(p, name)) for p in rest for name in candidates):
        return  # the common case, decided without importing importlib
    import importlib.machinery
    import importlib.util

    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is not None and spec.origin and os.path.dirname(spec.origin) != here:
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)


_chain_to_next_sitecustomize()
