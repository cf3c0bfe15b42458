"""The dashboard says which Python ran the program, and judges it by its main process.

The real ``mptui run`` in a pty, on the system's Python (not the one running mptui), with
a child that fails while the main process exits 0.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from pty_terminal import Terminal

SYSTEM_PYTHON = "/usr/bin/python3"

PROGRAM = """\
import multiprocessing as mp, sys
if __name__ == "__main__":
    p = mp.Process(target=sys.exit, args=(3,), name="quitter")
    p.start(); p.join()
    print("main done", flush=True)
"""


@pytest.mark.skipif(
    not os.path.exists(SYSTEM_PYTHON)
    or os.path.realpath(SYSTEM_PYTHON) == os.path.realpath(sys.executable),
    reason="needs a system Python apart from the one running the tests",
)
@pytest.mark.timeout(90)
def test_the_header_names_the_interpreter_and_failed_children_do_not_fail_the_run(tmp_path):
    script = tmp_path / "child_fails.py"
    script.write_text(PROGRAM)
    ask = "import platform; print(platform.python_version())"
    version = subprocess.run([SYSTEM_PYTHON, "-c", ask], capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    expected = [
        f"Python {version} ({SYSTEM_PYTHON})",  # the header names the interpreter
        "finished, some processes failed",  # the header's verdict: not "failed"
        "Finished (some processes failed)",  # the summary panel's
        "quitter: exit 3",  # ...which still names the child
    ]
    # COLUMNS and LINES too: Textual prefers them to the pty's size, and a test runner's
    # worker may have them set (under pytest-xdist: 80 columns, and the header drops the
    # Python it shows first when it has no room).
    terminal = Terminal(["run", "--python", SYSTEM_PYTHON, str(script)], size=(160, 40),
                        env={"COLUMNS": "160", "LINES": "40"})  # fmt: skip
    try:
        out = terminal.read(60, until=lambda seen: all(w in visible(seen) for w in expected))
        terminal.type(b"q")
        out += terminal.read(3.0)
    finally:
        terminal.close()
    text = visible(out)
    missing = [words for words in expected if words not in text]
    assert not missing, f"{missing} not on the screen; it ended with: {text[-3000:]!r}"


def visible(out: bytes) -> str:
    """What was written, without the escape sequences that place and colour it."""
    return re.sub(rb"\x1b\[[0-9;?<>=$]*[a-zA-Z~]", b"", out).decode("utf-8", "replace")
