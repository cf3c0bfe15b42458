"""Installs the mptui agent at interpreter start, then runs any other ``sitecustomize``.

mptui puts this directory first on ``PYTHONPATH`` for the observed program, so every Python
process of it (the runner, spawn and forkserver children, ``subprocess`` pythons) imports
this module during ``site`` initialisation, before any user code. Outside mptui the
environment variable is unset and nothing happens.
"""

# ruff: noqa: UP031 - %-formatting on purpose: this file must parse on any Python.
import os
import sys

# Kept to syntax every Python can read (no f-strings, no annotations): another interpreter
# the program starts (python2, an older python3) reads this file too, and must run unharmed.
_wanted = os.environ.get("MPTUI_PYTHON", "")
if os.environ.get("MPTUI_SOCKET") and _wanted == "%d.%d" % sys.version_info[:2]:
    try:
        from mptui.agent import install

        install()
    except Exception as error:  # noqa: BLE001 - the observed program must run regardless
        sys.stderr.write("mptui: agent not installed: %r\n" % (error,))


def _chain_to_next_sitecustomize():
    """Only one module named sitecustomize is imported: run the one we shadow, if any."""
    here = os.path.dirname(os.path.abspath(__file__))
    rest = [p for p in sys.path if os.path.abspath(p or ".") != here]
    candidates = ("sitecustomize.py", "sitecustomize")
    if not any(os.path.exists(os.path.join(p, name)) for p in rest for name in candidates):
        return  # the common case, decided without importing importlib
    import importlib.machinery
    import importlib.util

    me = os.path.realpath(__file__)  # resolving links costs system calls: only now
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    # Compared by real path: an mptui observed by another mptui has two such directories,
    # both linking to this file.
    if spec is not None and spec.origin and os.path.realpath(spec.origin) != me:
        module = importlib.util.module_from_spec(spec)
        # It becomes *the* sitecustomize module, as it would be without mptui: a program
        # that imports sitecustomize gets its own, with what it set up.
        ours, sys.modules["sitecustomize"] = sys.modules.get("sitecustomize"), module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules["sitecustomize"] = ours
            raise


try:
    _chain_to_next_sitecustomize()
except Exception as error:  # noqa: BLE001 - reported in the words of site.py itself
    if sys.flags.verbose:
        sys.excepthook(*sys.exc_info())
    else:
        sys.stderr.write(
            "Error in sitecustomize; set PYTHONVERBOSE for traceback:\n%s: %s\n"
            % (error.__class__.__name__, error)
        )
