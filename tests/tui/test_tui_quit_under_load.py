"""Every way out of the dashboard works while the program prints 50 MB lines.

Found: one long line (or a hex dump) made the log's highlighter spin for seconds per
frame, and mptui then ignored q, SIGTERM and a closed terminal, spinning on with parent 1
until SIGKILL. Here mptui runs in a real pty on a program that prints a 50 MB line every
0.2 s; each way out must end mptui (and the program). The exit time is measured by
benchmarks/tui_quit.py (target: within 1 s); this test only fails if mptui hangs.
"""

from __future__ import annotations

import pytest
from pty_terminal import WAYS_OUT, Terminal, wait_gone

BIG_LINES = """
import sys, time
print("ready", flush=True)
while True:
    sys.stdout.write("A" * 50_000_000 + "\\n")
    sys.stdout.flush()
    time.sleep(0.2)
"""


@pytest.mark.timeout(90)
@pytest.mark.parametrize("way_out", WAYS_OUT)
def test_mptui_lets_go_while_the_program_prints_50_mb_lines(tmp_path, way_out):
    script = tmp_path / "big_lines.py"
    script.write_text(BIG_LINES)
    terminal = Terminal(["run", str(script)])
    try:
        assert b"big_lines.py" in terminal.read(4.0)
        program = terminal.descendants("big_lines.py")
        assert program, "the program did not start"
        terminal.leave(way_out)
        status, _ = terminal.wait_exit(15)  # a hang, not a slow exit, fails this test
        assert status is not None, f"mptui still runs 15 s after {way_out}"
        assert not wait_gone(program, 0.5), "the program outlived mptui"
    finally:
        terminal.close()
