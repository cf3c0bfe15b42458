"""Import layering (DESIGN.md section 2): each check runs in a fresh interpreter.

* The engine and the headless front end never import Textual.
* Imports run one way, cli -> engine -> front end: the engine imports no front end, and
  the dashboard's screens and widgets never import the app that shows them (the app
  imports them), not even for type checking.
* The agent and the event vocabulary import only the standard library, and the agent,
  imported at every interpreter start of the observed program, imports none of the heavy
  or thread-starting modules.
* The bootstrap ``sitecustomize`` is inert when mptui has not set ``MPTUI_SOCKET``.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BOOTSTRAP = ROOT / "mptui" / "agent" / "bootstrap"
SITECUSTOMIZE = BOOTSTRAP / "sitecustomize.py"

# Modules the agent must not import at interpreter start: slow (json), or the very things
# it hooks or must not start (threads in the fork server).
FORBIDDEN_IN_AGENT = {"multiprocessing", "json", "socket", "threading"}


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONSTARTUP", None)
    env.update(extra)
    return env


def run_python(code: str, *flags: str, env: dict[str, str] | None = None, args=()) -> tuple:
    """Run ``code`` in a fresh interpreter from the repository root; return (stdout, stderr)."""
    proc = subprocess.run(
        [sys.executable, *flags, "-c", textwrap.dedent(code), *args],
        cwd=ROOT,
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, proc.stderr


def top(name: str) -> str:
    return name.partition(".")[0]


def is_ours(name: str) -> bool:
    return top(name) == "mptui"


def not_stdlib(modules) -> list[str]:
    return sorted(m for m in modules if not is_ours(m) and top(m) not in sys.stdlib_module_names)


IMPORT_PROBE = """
    import sys
    before = set(sys.modules)
    import {module}
    new = sorted(set(sys.modules) - before)
    # Imported after the measurement, so they do not count.
    import threading
    print(repr((sorted(before), new, threading.active_count())))
"""


def probe_import(module: str) -> tuple[set[str], set[str]]:
    # -S: no site, so the baseline is the bare interpreter and nothing hides in it.
    out, err = run_python(IMPORT_PROBE.format(module=module), "-S")
    before, new, threads = ast.literal_eval(out)
    assert err == ""
    assert threads == 1, f"importing {module} started a thread"
    return set(before), set(new)


# --------------------------------------------------------------------------------------


def test_engine_and_headless_do_not_import_textual():
    out, _ = run_python(
        """
        import importlib, pkgutil, sys
        import mptui.engine
        for module in pkgutil.iter_modules(mptui.engine.__path__):  # every engine module
            importlib.import_module("mptui.engine." + module.name)
        import mptui.headless
        loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
        print(repr(loaded))
        import textual  # installed: the check above could have failed
        print("textual importable")
        """
    )
    loaded, proof = out.splitlines()
    assert ast.literal_eval(loaded) == []
    assert proof == "textual importable"


def test_engine_modules_are_really_imported_by_the_probe():
    # Guards the test above: a probe that imported nothing would pass it trivially.
    out, _ = run_python(
        """
        import importlib, pkgutil, sys
        import mptui.engine
        for module in pkgutil.iter_modules(mptui.engine.__path__):
            importlib.import_module("mptui.engine." + module.name)
        import mptui.headless
        print(repr(sorted(m for m in sys.modules if m.startswith("mptui"))))
        """
    )
    loaded = set(ast.literal_eval(out))
    assert {"mptui.engine.session", "mptui.engine.collector", "mptui.engine.store"} <= loaded
    assert {"mptui.engine.recording", "mptui.engine.replay"} <= loaded
    assert "mptui.headless" in loaded


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every module ``path`` imports, anywhere in it (under TYPE_CHECKING and in functions
    too), as absolute names; relative imports are read from ``package`` (by default the
    one ``path`` is in)."""
    if package is None:
        package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def modules_under(*folders: str) -> list[Path]:
    paths = [path for folder in folders for path in sorted((ROOT / folder).rglob("*.py"))]
    assert paths, folders
    return paths


FRONT_ENDS = ("mptui.tui", "mptui.headless", "mptui.cli")
APP_MODULES = ("mptui.tui.app", "mptui.tui.replay_app", "mptui.cli")


def imports_any(imported: set[str], targets: tuple[str, ...]) -> list[str]:
    return sorted(m for m in imported for t in targets if m == t or m.startswith(t + "."))


@pytest.mark.parametrize(
    "path", modules_under("mptui/engine"), ids=lambda p: str(p.relative_to(ROOT))
)
def test_the_engine_imports_no_front_end(path):
    assert imports_any(imported_modules(path), FRONT_ENDS) == []


@pytest.mark.parametrize(
    "path",
    modules_under("mptui/tui/screens", "mptui/tui/widgets"),
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_screens_and_widgets_never_import_the_app(path):
    assert imports_any(imported_modules(path), APP_MODULES) == []


def test_the_import_finder_sees_imports_made_for_type_checking(tmp_path):
    # Guards the two tests above: the dashboard once imported the app only when type
    # checking, which a look at sys.modules at run time would never see.
    module = tmp_path / "probe.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from mptui.tui.app import MptuiApp\n"
        "from ..replay_app import x\n"
    )
    found = imports_any(imported_modules(module, "mptui.tui.screens"), APP_MODULES)
    assert found == ["mptui.tui.app", "mptui.tui.app.MptuiApp", "mptui.tui.replay_app",
                     "mptui.tui.replay_app.x"]  # fmt: skip


@pytest.mark.parametrize("front_end", ["mptui/headless.py", "mptui/tui/app.py"])
def test_both_front_ends_run_programs_through_run_control(front_end):
    """One class starts, stops, kills and applies the end policy for both, so the two
    cannot drift apart; neither starts or stops a session itself."""
    path = ROOT / front_end
    assert "mptui.engine.run_control.RunControl" in imported_modules(path)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if isinstance(target, ast.Name) and target.id == "session":
                calls.add(node.func.attr)
    assert calls & {"start", "stop", "signal_process", "close"} == set()


def test_the_dashboard_screens_load_without_the_app():
    out, _ = run_python(
        """
        import sys
        import mptui.tui.screens.dashboard, mptui.tui.screens.replay_dashboard
        print(repr(sorted(m for m in sys.modules if m in (
            "mptui.tui.app", "mptui.tui.replay_app", "mptui.cli"))))
        """
    )
    assert ast.literal_eval(out) == []


def test_agent_imports_only_the_standard_library():
    before, new = probe_import("mptui.agent")
    assert "mptui.agent" in new and "mptui.events" in new
    assert not_stdlib(new) == []


def test_agent_imports_nothing_heavy_at_interpreter_start():
    before, new = probe_import("mptui.agent")
    assert not {top(m) for m in before} & FORBIDDEN_IN_AGENT, "the baseline must be clean"
    assert sorted(m for m in new if top(m) in FORBIDDEN_IN_AGENT) == []
    # The traced primitives import multiprocessing: only when the program does.
    assert "mptui.agent.traced" not in new


def test_events_imports_only_the_standard_library_and_not_json():
    _, new = probe_import("mptui.events")
    assert "mptui.events" in new
    assert not_stdlib(new) == []
    assert sorted(m for m in new if top(m) in FORBIDDEN_IN_AGENT) == []


def test_agent_is_inert_without_the_socket_variable():
    # Importing the package must not install it (no connection, no fd capture, no hook).
    out, err = run_python(
        """
        import os, sys
        fds = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []
        meta = list(sys.meta_path)
        import mptui.agent
        after = sorted(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else []
        print(repr((mptui.agent.installed, len(fds) == len(after), sys.meta_path == meta)))
        """,
        "-S",
    )
    assert ast.literal_eval(out) == (False, True, True)
    assert err == ""


# --------------------------------------------------------------------------------------
# The bootstrap sitecustomize


def test_sitecustomize_executed_without_the_variable_does_nothing():
    out, err = run_python(
        """
        import sys
        path = sys.argv[1]
        with open(path, encoding="utf-8") as source:
            code = compile(source.read(), path, "exec")
        before = set(sys.modules)
        exec(code, {"__name__": "sitecustomize", "__file__": path})
        print(repr(sorted(set(sys.modules) - before)))
        """,
        "-S",
        args=[str(SITECUSTOMIZE)],
    )
    new = ast.literal_eval(out)  # stdout is exactly our one line: it printed nothing
    assert err == ""
    assert [m for m in new if is_ours(m)] == []
    assert not_stdlib(new) == []
    assert sorted(m for m in new if top(m) in FORBIDDEN_IN_AGENT) == []


@pytest.mark.parametrize("socket_value", [None, ""])
def test_sitecustomize_at_interpreter_start_is_inert(socket_value):
    probe = """
        import sys
        custom = sys.modules.get("sitecustomize")
        print(getattr(custom, "__file__", None))
        print(repr(sorted(sys.modules)))
    """
    extra = {} if socket_value is None else {"MPTUI_SOCKET": socket_value}
    plain_out, _ = run_python(probe, env=clean_env(**extra))
    out, err = run_python(probe, env=clean_env(PYTHONPATH=str(BOOTSTRAP), **extra))
    custom_file, modules = out.splitlines()
    assert Path(custom_file).resolve() == SITECUSTOMIZE.resolve(), "ours was not the one run"
    assert err == ""
    modules = set(ast.literal_eval(modules))
    plain = set(ast.literal_eval(plain_out.splitlines()[1]))
    assert [m for m in modules if is_ours(m)] == []
    assert sorted(modules - plain - {"sitecustomize"}) == []
