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
@pytest.mark.timeout(60)
def test_the_header_names_the_interpreter_and_failed_children_do_not_fail_the_run(tmp_path):
    script = tmp_path / "child_fails.py"
    script.write_text(PROGRAM)
    terminal = Terminal(["run", "--python", SYSTEM_PYTHON, str(script)], size=(160, 40))
    try:
        out = terminal.read(20, until=lambda seen: b"some processes failed" in seen)
        # Then the summary panel (it refreshes less often than the header).
        out += terminal.read(20, until=lambda seen: all(
            words in out + seen for words in (b"Finished (some", b"quitter:")))  # fmt: skip
        terminal.type(b"q")
        out += terminal.read(3.0)
    finally:
        terminal.close()
    text = re.sub(rb"\x1b\[[0-9;?<>=$]*[a-zA-Z~]", b"", out).decode("utf-8", "replace")
    ask = "import platform; print(platform.python_version())"
    version = subprocess.run([SYSTEM_PYTHON, "-c", ask], capture_output=True, text=True,
                             check=True).stdout.strip()  # fmt: skip
    assert f"Python {version} ({SYSTEM_PYTHON})" in text
    assert "finished, some processes failed" in text  # the header: not "failed"
    assert "Finished (some processes failed)" in text  # the summary panel
    assert "quitter: exit 3" in text  # ...which still names the child
