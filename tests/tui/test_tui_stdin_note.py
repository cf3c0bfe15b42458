"""The dashboard says that the program's stdin is not connected.

Found: in the dashboard the program's stdin is /dev/null (the terminal belongs to the
dashboard), so a script's ``input()`` failed with EOFError and nothing said why;
``--headless`` passes mptui's stdin through. The log panel now says so under the log,
and the script's details say it too.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from screen_text import screen_lines

from mptui.engine.session import Program, Session
from mptui.tui.app import MptuiApp

ASKS = """
try:
    name = input("name? ")
except EOFError:
    print("no input: end of file")
else:
    print("hello", name)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("size", [(80, 24), (60, 16), (120, 40)])
async def test_the_log_says_stdin_is_not_connected(tmp_path, size):
    script = tmp_path / "asks.py"
    script.write_text(ASKS)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=size) as pilot:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (app.session is None or app.session.running):
            app.refresh_now()
            await asyncio.sleep(0.05)
        app.refresh_now()
        await pilot.pause()
        log = app.dashboard.log_panel
        assert any("no input: end of file" in line for line in log.log_view.lines)
        bottom = screen_lines(app)[log.region.bottom - 1]
        assert "stdin: not connected (use --headless to pipe input)" in bottom
        details = str(app.dashboard.query_one("#lesson-text").render())
        assert "Input (stdin): not connected" in details
        await app.action_quit()
