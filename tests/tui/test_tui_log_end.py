"""After a run, the log shows its last line, at 80x24 too, on the real engine.

Found: at 80x24 the lock lesson's last line (``parent: 4 workers took 12 turns at the
lock``) was hidden once the run ended, and End did not bring it back. The Summary panel
appears above the log at the end and leaves the log panel five rows; the Log widget
inside had the panel's own id, so the panel's ``min-height: 6`` applied to it too, and its
sixth row, the newest line, lay under the panel's bottom border.
"""

from __future__ import annotations

import pytest
from real_engine import wait_for
from screen_text import screen_lines

from mptui.engine.session import Program, Session
from mptui.scenarios import lessons
from mptui.tui import layout
from mptui.tui.app import MptuiApp

LAST_LINE = "parent: 4 workers took 12 turns"
"""The lock lesson's last line (its start: at 60 columns the rest is cut at the view's edge)."""


def log_rows(app: MptuiApp) -> list[str]:
    """The rows of the screen inside the log panel's border."""
    region = app.dashboard.log_panel.region
    rows = screen_lines(app)[region.y + 1 : region.bottom - 1]
    return [row[region.x + 1 : region.right - 1] for row in rows]


def shows(app: MptuiApp, line: str) -> bool:
    """Whether a row of the log view on the screen shows ``line``."""
    return any(line in row for row in log_rows(app))


@pytest.mark.timeout(90)
@pytest.mark.parametrize("size", [(80, 24), (120, 40), (60, 16)])
async def test_the_last_line_of_the_program_is_shown_when_the_run_ends(size):
    app = MptuiApp(session_factory=Session, lessons=lessons(), autostart="lock",
                   settings={"lock": {"rounds": 3, "hold": 0.02}})  # fmt: skip
    async with app.run_test(size=size) as pilot:
        assert await wait_for(app, lambda: app.session is not None and not app.session.running)
        log = app.dashboard.log_panel.log_view
        assert await wait_for(app, lambda: log.lines and LAST_LINE in log.lines[-1])
        # The line arrived; once the screen has settled (the Summary shown, the view
        # scrolled to its end after the resize), it is on the screen.
        assert await wait_for(app, lambda: shows(app, LAST_LINE), timeout=5), (
            "not on the screen:\n" + "\n".join(log_rows(app))
        )
        # The view lies inside its panel: nothing of it is drawn under the border.
        panel = app.dashboard.log_panel
        assert log.region.bottom <= panel.region.bottom - 1
        # End (on the log) keeps it in view.
        app.dashboard.focus_panel("log")
        await pilot.press("end")
        await pilot.pause()
        assert shows(app, LAST_LINE)
        await app.action_quit()


BUSY = """
import multiprocessing as mp

def work(n, results, lock, conn):
    with lock:
        print("worker", n, flush=True)
    results.put(n)
    conn.send(n)

if __name__ == "__main__":
    results, spare = mp.Queue(), mp.Queue()
    lock, other = mp.Lock(), mp.Lock()
    send, receive = mp.Pipe()
    workers = [mp.Process(target=work, args=(n, results, lock, send)) for n in range(12)]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    for _ in workers:
        results.get()
        receive.recv()
    with other:
        spare.put(1)
        spare.get()
    print("parent: the last line")
"""
"""Every panel full at the end: 13 processes, two queues, a pipe, two locks, a long Summary."""

SIZES = [(60, 16), (60, 20), (80, 21), (80, 22), (80, 24), (100, 31), (120, 32), (120, 40),
         (150, 44), (160, 50)]  # fmt: skip
"""The smallest size, each layout mode at its smallest, and the sizes users have."""


@pytest.mark.timeout(120)
async def test_the_log_keeps_rows_under_full_panels_at_every_size(tmp_path):
    """Found with it: at 120x40 the Summary, processes, channels and locks took every row
    after a busy run and pushed the log off the screen; at 60x16 the Summary did."""
    script = tmp_path / "busy.py"
    script.write_text(BUSY)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=(80, 24)) as pilot:
        assert await wait_for(app, lambda: app.session is not None and not app.session.running)
        dashboard = app.dashboard
        for width, height in SIZES:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            app.refresh_now()
            await pilot.pause()
            main = dashboard.query_one("#main").region
            panel = dashboard.log_panel
            where = f"at {width}x{height} ({dashboard.layout_mode})"
            assert panel.region.bottom <= main.bottom, f"the log is cut off {where}"
            assert panel.region.height >= 6, f"the log has {panel.region.height} rows {where}"
            assert panel.log_view.region.bottom <= panel.region.bottom - 1
            # The log's last line: lines of different processes come in the order they
            # were read, so the parent's last print is not always the log's last line.
            newest = panel.log_view.lines[-1][:40]
            assert await wait_for(app, lambda newest=newest: shows(app, newest), timeout=5), (
                f"the newest line is not shown {where}:\n" + "\n".join(log_rows(app))
            )
            summary_room = height >= layout.SUMMARY_MIN_HEIGHT or dashboard.layout_mode != "compact"
            assert dashboard.summary.display == summary_room
        await app.action_quit()


BURST = """
import sys, time
print("line 0: the view is laid out with one line, no scrollbar", flush=True)
time.sleep(1)
sys.stdout.write("".join(f"line {n} of 60\\n" for n in range(1, 61)))
sys.stdout.flush()
time.sleep(60)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("size", [(80, 24), (60, 16)])
async def test_a_first_burst_taller_than_the_view_shows_its_end(tmp_path, size):
    """Found with it: when the first lines to overflow the view came in one write, the view
    stayed where it was (it had no scrollbar yet, and Textual refuses to scroll a view
    without one) until a later write or resize; if none came, the newest lines were never
    shown."""
    script = tmp_path / "burst.py"
    script.write_text(BURST)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=size):
        log = app.dashboard.log_panel.log_view
        assert await wait_for(app, lambda: log.line_count == 61)
        assert app.session.running  # no end, no Summary, no resize: nothing else moves it
        assert await wait_for(app, lambda: shows(app, "line 60 of 60"), timeout=5), "\n".join(
            log_rows(app)
        )
        await app.action_quit()
