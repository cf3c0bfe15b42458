"""Fixtures for engine tests: real processes, run under every start method.

Every test here is checked for leftovers: any process that appeared under the test run and
is still alive (zombies excluded) two seconds after the test fails it, and is killed; so does
a session directory of mptui's left on /dev/shm.
"""

from __future__ import annotations

import os
import textwrap
import time
from pathlib import Path

import psutil
import pytest
from engine_runs import alive

START_METHODS = ("fork", "spawn", "forkserver")


def session_dirs() -> set[str]:
    """mptui's private session directories (rings, socket) on /dev/shm."""
    try:
        return {name for name in os.listdir("/dev/shm") if name.startswith("mptui-")}
    except OSError:
        return set()


def abandoned(names: set[str]) -> set[str]:
    """The session directories that no running mptui owns, or that this process owns.

    A directory is named ``mptui-<pid of the mptui that made it>-...``. Tests run in parallel
    (pytest-xdist), so another worker's live run may have one at any moment: that one is
    not a leftover. A test's own Session runs in this process and must have closed it."""
    left = set()
    for name in names:
        owner = name.split("-")[1]
        if not owner.isdigit():
            continue  # not named by this version of mptui (another checkout's run)
        if int(owner) == os.getpid() or not alive(int(owner)):
            left.add(name)
    return left


@pytest.fixture(autouse=True)
def no_process_left_behind():
    before = {p.pid for p in psutil.Process().children(recursive=True)}
    dirs_before = session_dirs()
    yield
    deadline = time.monotonic() + 2.0
    while True:
        left = [
            p
            for p in psutil.Process().children(recursive=True)
            if p.pid not in before and alive(p.pid)
        ]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for proc in left:
        proc.kill()
    assert not left, f"processes left behind: {[(p.pid, p.cmdline()) for p in left]}"
    # Nor files: every session directory goes, however mptui ended (the guardian removes
    # it when mptui was killed, a moment later).
    deadline = time.monotonic() + 2.0
    while abandoned(session_dirs() - dirs_before) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not abandoned(session_dirs() - dirs_before), "session directories left behind"


@pytest.fixture(params=START_METHODS)
def start_method(request) -> str:
    return request.param


@pytest.fixture(params=["buffered", "unbuffered"])
def unbuffered(request, monkeypatch) -> bool:
    """Run with and without PYTHONUNBUFFERED: some machines set it, most users' do not."""
    if request.param == "unbuffered":
        monkeypatch.setenv("PYTHONUNBUFFERED", "1")
    else:
        monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)
    return request.param == "unbuffered"


@pytest.fixture
def write_script(tmp_path):
    """Write a dedented program to a file and return its path."""

    def write(source: str, name: str = "prog.py") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(source))
        return path

    return write


@pytest.fixture
def cpu_burners():
    """Three busy loops beside the test: races that hide on an idle machine show up here
    (DESIGN.md section 10). Ended, by pid, when the test ends."""
    import subprocess
    import sys

    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    yield burners
    for proc in burners:
        proc.kill()
        proc.wait()
