"""``mptui run`` runs the script on the Python ``python3 script.py`` would use in the same
shell, observes it there, and says which; an interpreter it cannot observe is refused.

Real interpreters: the system's /usr/bin/python3, the one running the tests, a virtualenv
made here (``python -m venv --without-pip``) holding a module nothing else has, and any
other pyenv version found (3.10+ observed; older refused).
"""

from __future__ import annotations

import glob
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MPTUI = str(Path(sys.executable).with_name("mptui"))
SYSTEM_PYTHON = "/usr/bin/python3"

# Children by fork and by spawn, a Queue between them: observed only if the agent is in
# every process (the queue's counts come from the agent, the children's names too).
PROGRAM = """\
import multiprocessing as mp, sys
{imports}

def child(q):
    q.put(sys.executable)

if __name__ == "__main__":
    print("RAN " + sys.executable + " " + "%d.%d.%d" % sys.version_info[:3], flush=True)
    for method in ("fork", "spawn"):
        q = mp.get_context(method).Queue()
        p = mp.get_context(method).Process(target=child, args=(q,), name=method + "-child")
        p.start()
        print("CHILD " + q.get(), flush=True)
        p.join()
"""

ONLY_IN_THE_VENV = "venv_only_module"


def run_mptui(*args: str, env: dict | None = None, cwd: Path | None = None):
    return subprocess.run([MPTUI, *args], capture_output=True, text=True, timeout=120,
                          env=env, cwd=cwd, stdin=subprocess.DEVNULL)  # fmt: skip


def version_of(python: str) -> str:
    return subprocess.run([python, "-c", "import platform; print(platform.python_version())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip


def pythons() -> list[str]:
    """Distinct real interpreters on this machine, the system's first."""
    found = [SYSTEM_PYTHON, sys.executable]
    found += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[0-9]*/bin/python3")))
    unique, seen = [], set()
    for python in found:
        if os.path.exists(python) and os.path.realpath(python) not in seen:
            seen.add(os.path.realpath(python))
            unique.append(python)
    return unique


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A virtualenv on the system Python, with a module only it has."""
    if not os.path.exists(SYSTEM_PYTHON):
        pytest.skip("no system python3")
    where = tmp_path_factory.mktemp("venv") / "env"
    subprocess.run([SYSTEM_PYTHON, "-m", "venv", "--without-pip", str(where)], check=True)
    site = subprocess.run([str(where / "bin" / "python"), "-c", "import sysconfig; "
                           "print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    Path(site, f"{ONLY_IN_THE_VENV}.py").write_text("WHERE = 'the venv'\n")
    return where


def write_program(tmp_path: Path, imports: str = "") -> Path:
    path = tmp_path / "which_python.py"
    path.write_text(PROGRAM.format(imports=imports))
    return path


def check_observed(stdout: str, python: str, version: str) -> None:
    """The program ran on ``python`` in every process, and mptui saw all of them."""
    lines = stdout.splitlines()
    assert f"MainProcess  | RAN {python} {version}" in lines, stdout
    assert lines.count(f"MainProcess  | CHILD {python}") == 2, stdout
    assert any(line.startswith("  fork-child ") for line in lines), stdout
    assert any(line.startswith("  spawn-child ") for line in lines), stdout
    # The queues' counts come from the agent in each process.
    assert sum("(Queue)  puts 1  gets 1" in line for line in lines) == 2, stdout
    header = next(line for line in lines if line.startswith("== "))
    assert f", Python {version} ({python}): " in header
    assert lines[-1] == "result: ok"


@pytest.mark.parametrize("python", pythons())
def test_the_program_runs_and_is_observed_on_the_chosen_python(tmp_path, python):
    version = version_of(python)
    result = run_mptui("run", "--headless", "--python", python, str(write_program(tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    check_observed(result.stdout, python, version)


def test_two_interpreters_give_two_different_runs(tmp_path):
    """The system Python and the test's own are different builds: each run says its own."""
    script = str(write_program(tmp_path))
    seen = {}
    for python in (SYSTEM_PYTHON, sys.executable):
        result = run_mptui("run", "--json", "--python", python, script)
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        started = next(e for e in events if e["kind"] == "run_started")
        seen[python] = (started["python"], started["python_version"])
        assert events[-1]["python"] == python
    assert seen[SYSTEM_PYTHON] == (SYSTEM_PYTHON, version_of(SYSTEM_PYTHON))
    assert seen[sys.executable] == (sys.executable, version_of(sys.executable))
    if version_of(SYSTEM_PYTHON) == version_of(sys.executable):
        pytest.skip("only one Python version here")  # the paths differed, checked above


def shell_env(path_dirs: list[str], virtual_env: Path | None = None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(path_dirs)
    if virtual_env is not None:
        env["VIRTUAL_ENV"] = str(virtual_env)
    return env


def test_the_active_virtualenv_runs_the_script(tmp_path, venv):
    """With VIRTUAL_ENV set, a module only the virtualenv has imports in every process,
    as under ``python3 script.py`` in that shell."""
    script = write_program(tmp_path, f"import {ONLY_IN_THE_VENV}")
    python = str(venv / "bin" / "python")
    # PATH without the virtualenv's bin: VIRTUAL_ENV alone says which Python is meant.
    result = run_mptui("run", "--headless", str(script), env=shell_env(["/usr/bin", "/bin"], venv))
    assert result.returncode == 0, result.stdout + result.stderr
    check_observed(result.stdout, python, version_of(SYSTEM_PYTHON))


def test_a_module_only_the_virtualenv_has_fails_as_plain_python_fails_without_it(tmp_path, venv):
    script = write_program(tmp_path, f"import {ONLY_IN_THE_VENV}")
    env = shell_env(["/usr/bin", "/bin"])
    plain = subprocess.run(["python3", str(script)], env=env, capture_output=True, text=True)
    assert plain.returncode == 1 and "ModuleNotFoundError" in plain.stderr
    result = run_mptui("run", "--headless", str(script), env=env)
    assert result.returncode == plain.returncode  # the program's own status
    assert f"MainProcess  ! ModuleNotFoundError: No module named '{ONLY_IN_THE_VENV}'" in (
        result.stdout.splitlines()
    )
    # And --python names the virtualenv's, as activating it would.
    result = run_mptui("run", "--headless", "--python", str(venv / "bin" / "python"),
                       str(script), env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    check_observed(result.stdout, str(venv / "bin" / "python"), version_of(SYSTEM_PYTHON))


def test_without_a_virtualenv_the_first_python3_on_path_runs_it(tmp_path):
    """A directory first on PATH with its own python3 (a link to the system's) wins over
    the Python running mptui, as it would in the shell."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(SYSTEM_PYTHON)
    env = shell_env([str(bin_dir), str(Path(sys.executable).parent), "/usr/bin", "/bin"])
    result = run_mptui("run", "--headless", str(write_program(tmp_path)), env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    check_observed(result.stdout, str(bin_dir / "python3"), version_of(SYSTEM_PYTHON))


def test_shell_python_prefers_the_virtualenv_then_path(tmp_path, venv):
    from mptui.engine import interpreter

    assert interpreter.shell_python({"VIRTUAL_ENV": str(venv), "PATH": "/usr/bin"}) == str(
        venv / "bin" / "python"
    )
    gone = tmp_path / "gone"
    assert interpreter.shell_python({"VIRTUAL_ENV": str(gone), "PATH": "/usr/bin"}) == (
        "/usr/bin/python3"
    )
    assert interpreter.shell_python({"PATH": str(tmp_path)}) is None


def old_pythons() -> list[str]:
    return sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/[23].[0-9].*/bin/python")))


@pytest.mark.parametrize(
    ("python", "words"),
    [
        ("/no/such/python3", "no such interpreter"),
        ("plain-file", "not an executable"),
        ("shell-script", "not a Python interpreter"),
        ("/tmp", "not an executable"),
        ("/bin/true", "not a Python interpreter"),
        ("no-such-command-on-path", "no such command on PATH"),
        *[(python, "or newer") for python in old_pythons()],
    ],
)
def test_an_interpreter_mptui_cannot_observe_is_one_line_and_exit_2(tmp_path, python, words):
    if python == "plain-file":
        python = str(tmp_path / "notes.txt")
        Path(python).write_text("not a program\n")
    elif python == "shell-script":
        python = str(tmp_path / "python3")
        Path(python).write_text("#!/bin/sh\necho 'Python 3.12.0'\n")
        os.chmod(python, 0o755)
    result = run_mptui("run", "--headless", "--python", python, str(write_program(tmp_path)))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mptui: ") and result.stderr.count("\n") == 1
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_no_python3_anywhere_is_one_line_and_exit_2(tmp_path):
    result = run_mptui("run", "--headless", str(write_program(tmp_path)),
                       env=shell_env([str(tmp_path)]))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        "mptui: no python3 on PATH and no active virtualenv; choose an interpreter with "
        "--python PATH\n"
    )


def test_the_header_names_the_interpreter_when_it_is_not_mptuis_own():
    from mptui.engine.store import RunView
    from mptui.tui.widgets.run_header import HeaderState, python_label

    def label(run: RunView | None) -> str:
        return python_label(HeaderState("x.py", None, "", None, None, run, 0))

    theirs = RunView(state="running", python="/usr/bin/python3", python_version="3.11.2")
    assert label(theirs) == "Python 3.11.2 (/usr/bin/python3)"
    own = RunView(state="running", python=sys.executable, python_version="3.11.9")
    assert label(own) == "Python 3.11.9"
    assert label(None).startswith("Python 3.")
