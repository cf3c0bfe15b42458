"""A progress bar on stderr moves in the dashboard while it runs (the real engine).

Found: a tqdm-style bar (``\\r`` and the bar again, then a newline at the end) showed
nothing until it ended, then one line. Now the line being rewritten shows under the log,
with its process's name, as the bar stands, and becomes a line of the log when it ends.
"""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from screen_text import screen_lines

from mptui.engine.session import Program, Session
from mptui.tui.app import MptuiApp

BAR = """
import sys, time

for i in range(41):
    sys.stderr.write(f"\\rtraining: {i * 100 // 40:3d}%|{'#' * (i // 2):<20}| {i}/40")
    sys.stderr.flush()
    time.sleep(0.1)
sys.stderr.write("\\n")
print("trained")
"""


@pytest.mark.timeout(90)
async def test_the_bar_moves_under_the_log_while_it_runs(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(BAR)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:
        log = app.dashboard.log_panel
        steps_seen, on_screen = set(), False
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and (app.session is None or app.session.running):
            app.refresh_now()
            await pilot.pause()
            for row in log.pending_rows:
                found = re.search(r"training: +\d+%\|#*\s*\| (\d+)/40$", row)
                if found and "trained" not in "".join(log.log_view.lines):
                    steps_seen.add(int(found.group(1)))
                    assert row.startswith("MainProcess ")  # tagged with its process
                    on_screen = on_screen or any(row in line for line in screen_lines(app))
            await asyncio.sleep(0.05)
        app.refresh_now()
        await pilot.pause()
        # While it ran, the bar showed live and moved; it is on screen, under the log.
        assert len(steps_seen) >= 3, steps_seen
        assert on_screen
        # When it ended: one line in the log, as a terminal shows it, and nothing pending.
        bars = [line for line in log.log_view.lines if "training:" in line]
        assert len(bars) == 1 and bars[0].endswith(f"training: 100%|{'#' * 20}| 40/40")
        assert log.pending_rows == []
        assert not app.dashboard.query_one("#log-pending").display
        await app.action_quit()
