"""The agent changes nothing the program sees: under ``-X dev -W error`` or
``PYTHONWARNINGS=default`` its stderr is what plain python prints (no ``ResourceWarning``
about mptui's sockets, pipes or files), and its processes report the start method they
really used, whatever mptui's default was."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter

import pytest
from engine_runs import run_program

from mptui import events as ev
from mptui.engine.session import Program

# Every start method, a Pool, a Queue, a Lock, a Pipe, a subprocess python and a bare
# os.fork child, each process writing a line of its own to stderr, and the main process
# ending normally (its interpreter tears down: where an unclosed socket would be found).
PROGRAM = """
import multiprocessing as mp, os, subprocess, sys

def work(q, lock, conn, tag):
    with lock:
        q.put(tag)
    conn.send(tag)
    print("child", tag, "to stderr", file=sys.stderr)

if __name__ == "__main__":
    for method in ("fork", "spawn", "forkserver"):
        ctx = mp.get_context(method)
        q, lock = ctx.Queue(), ctx.Lock()
        here, there = ctx.Pipe()
        p = ctx.Process(target=work, args=(q, lock, there, method))
        p.start()
        print(q.get(), here.recv())
        p.join()
    with mp.Pool(2) as pool:
        print(pool.map(abs, [-1, -2, -3]))
    subprocess.run([sys.executable, "-c", "import sys; print('sub to stderr', file=sys.stderr)"],
                   check=True)
    pid = os.fork()
    if pid == 0:
        print("bare fork child to stderr", file=sys.stderr)
        sys.stderr.flush()
        os._exit(0)
    os.waitpid(pid, 0)
    print("main to stderr", file=sys.stderr)
"""

WARNINGS_SHOWN = {
    "-X dev -W error": (("-X", "dev", "-W", "error"), {}),
    "PYTHONWARNINGS=default": ((), {"PYTHONWARNINGS": "default"}),
    "PYTHONDEVMODE=1": ((), {"PYTHONDEVMODE": "1"}),
}


def plain_stderr(flags, path) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MPTUI_")}
    result = subprocess.run([sys.executable, *flags, str(path)], env=env, capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stderr.splitlines()


@pytest.mark.parametrize("how", WARNINGS_SHOWN)
def test_stderr_under_warnings_is_plain_pythons(write_script, monkeypatch, how):
    flags, env = WARNINGS_SHOWN[how]
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    path = write_script(PROGRAM)
    expected = plain_stderr(flags, path)
    assert "main to stderr" in expected and "sub to stderr" in expected
    program = Program(path.name, (*flags, str(path)), path)
    run = run_program(program, timeout=120)
    assert run.exitcode == 0
    # Processes write concurrently: the same lines, in any order between processes.
    assert Counter(run.lines(stream=ev.STREAM_STDERR)) == Counter(expected)
    # And nothing of the run was lost by keeping the channel open to the end.
    children = [p for p in run.snapshot.processes if p.role == "child"]
    assert {p.start_method for p in children if p.start_method} == {"fork", "spawn", "forkserver"}
    assert all(p.exitcode == 0 or p.verdict == "ended by parent" for p in children), children


START_METHOD_PROGRAMS = {
    "set_start_method": (
        """
        import multiprocessing as mp
        def hello():
            print("hello")
        if __name__ == "__main__":
            mp.set_start_method("spawn")
            p = mp.Process(target=hello)
            p.start(); p.join()
        """,
        ("spawn",),
    ),
    "get_context": (
        """
        import multiprocessing as mp
        def hello():
            print("hello")
        if __name__ == "__main__":
            with mp.get_context("forkserver").Pool(1) as pool:
                pool.apply(hello)
        """,
        ("forkserver",),
    ),
    "default": (
        """
        import multiprocessing as mp
        def hello():
            print("hello")
        if __name__ == "__main__":
            p = mp.Process(target=hello)
            p.start(); p.join()
        """,
        None,  # the platform's default, which mptui's header also calls the default
    ),
    "mixed, and a default Process inside a spawn child": (
        """
        import multiprocessing as mp
        def hello():
            print("hello")
        def parent():
            mp.set_start_method("fork", force=True)  # this child's own choice
            p = mp.Process(target=hello)
            p.start(); p.join()
        if __name__ == "__main__":
            mp.set_start_method("spawn")
            p = mp.Process(target=parent)
            p.start(); p.join()
        """,
        ("spawn", "fork"),
    ),
}


@pytest.mark.parametrize("case", START_METHOD_PROGRAMS)
def test_the_run_says_which_start_methods_its_processes_used(write_script, case):
    from mptui.engine.session import default_start_method

    source, expected = START_METHOD_PROGRAMS[case]
    if expected is None:
        expected, given = (default_start_method(),), None
    else:
        # mptui's default is another method: the program's own choice must be reported.
        given = next(m for m in ("fork", "spawn") if m != expected[0])
    run = run_program(Program.from_script(write_script(source), (), given))
    assert run.exitcode == 0
    assert "hello" in run.lines()
    assert run.snapshot.run.start_methods_used == expected
    assert run.snapshot.run.start_methods_label == "+".join(expected)
    assert run.snapshot.run.start_method == (given or default_start_method())
    # The dashboard's header says the same, not the default mptui gave.
    from mptui.tui.widgets.run_header import HeaderState, header_text

    state = HeaderState(name="prog.py", title=None, params="", start_method=given or "default",
                        next_start_method=None, run=run.snapshot.run, now_ns=0)  # fmt: skip
    parts = [part.strip() for part in header_text(state, 200).plain.replace("│", "|").split("|")]
    assert "+".join(expected) in parts, parts
    # And the headless summary's first line.
    from mptui.headless import summary_text

    assert f", {'+'.join(expected)}," in summary_text(run.snapshot).splitlines()[0]


def test_the_agent_starts_from_bytecode_even_when_none_is_written(write_script, monkeypatch):
    # Containers often set this; without bytecode ready every interpreter of the program
    # would compile the agent's sources at start-up (about 6 ms here).
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    path = write_script(
        """
        import subprocess, sys
        verbose = subprocess.run([sys.executable, "-v", "-c", "pass"], capture_output=True,
                                 text=True).stderr.splitlines()
        for line in verbose:  # "# code object from '<file>'": a .pyc, or a compiled .py
            if line.startswith("# code object from") and "mptui" in line:
                name = line.rsplit("/", 1)[-1].split(".")[0]
                print(name, "bytecode" if line.endswith(".pyc'") else "compiled")
        """
    )
    run = run_program(Program.from_script(path))
    assert run.exitcode == 0
    loaded = dict(line.split() for line in run.lines(stream=ev.STREAM_STDOUT))
    for module in ("sitecustomize", "__init__", "events", "channel", "capture", "hooks"):
        assert loaded.get(module) == "bytecode", (module, loaded)
