"""The Timeline panel: one row per process, what it did slice by slice, with a legend.

A replay of a real run (tests/tui/recordings), the lock lesson, whose holds pass from
worker to worker; and a deadlock on the real engine, whose two workers wait from the same
moment.
Every kind of cell has a character of its own, so the panel reads without colours.
"""

from __future__ import annotations

import re

import pytest
from dashboard_fixtures import settle
from real_engine import wait_for
from screen_text import screen_lines

from mptui.engine.program import Program
from mptui.engine.session import Session
from mptui.tui.app import MptuiApp
from mptui.tui.widgets.timeline_panel import TimelinePanel


def timeline_lines(app) -> list[str]:
    """The Timeline panel's lines as on screen, inside its border."""
    panel = app.dashboard.query_one(TimelinePanel)
    region = panel.region
    lines = screen_lines(app)[region.y + 1 : region.bottom - 1]
    return [line[region.x + 1 : region.right - 1].strip() for line in lines]


def panel_lines(app) -> list[str]:
    """The panel's rows and its legend, whether or not they all fit on screen (the rows
    scroll under the panel's cap: a big alert banner leaves it few)."""
    panel = app.dashboard.query_one(TimelinePanel)
    rows = ["".join(text for text, _style in line).rstrip() for line in panel.rows._lines]
    legend = str(panel.query_one("#timeline-legend").render())
    return [*rows, legend]


def rows_by_name(lines: list[str]) -> dict[str, str]:
    """Process name -> its cells (the percentages at the right left out)."""
    out = {}
    for line in lines[:-1]:  # the last line is the legend
        name, _, rest = line.partition(" ")
        out[name] = re.sub(r"\s+\d+%\s+\d+%$", "", rest).strip()
    return out


async def test_the_lock_lesson_shows_the_holds_passing_from_worker_to_worker(make_app):
    app = make_app(autostart="lock", moment=None)  # at the end of the recorded run
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = timeline_lines(app)
        rows = rows_by_name(lines)
        workers = sorted(name for name in rows if name.startswith("worker-"))
        assert "MainProcess" in rows and len(workers) >= 2
        for name in workers:
            assert "A" in rows[name], (name, lines)  # it held the lock (A) ...
            assert "a" in rows[name], (name, lines)  # ... and waited for it (a)
        assert "^" in rows["MainProcess"]  # the main process joins its workers
        # Holds pass: at some moment one worker holds the lock while another waits.
        columns = zip(*(rows[name] for name in workers), strict=False)
        assert any("A" in column and "a" in column for column in columns)
        legend = lines[-1]
        assert "A holds lock A, a waits for it" in legend
        assert "A: lock (lock.py:" in legend and "^ join" in legend
        assert all(line.endswith("%") for line in lines[:-1])  # run% and wait% at the right
        assert "1 cell = " in (app.dashboard.query_one(TimelinePanel).border_subtitle or "")


def stuck_since(cells: str) -> int | None:
    """Where the run of waits (lower-case letters) that ends the row begins; None if the
    row does not end with at least three."""
    cells = cells.rstrip()
    begin = len(cells)
    while begin > 0 and cells[begin - 1].islower():
        begin -= 1
    return begin if len(cells) - begin >= 3 else None


DEADLOCK = """
from multiprocessing import Barrier, Lock, Process


def work(first, second, both_hold):
    with first:
        both_hold.wait()  # no timeout: both hold their first lock, whatever the load
        if second.acquire(timeout=8):
            second.release()


if __name__ == "__main__":
    a, b, both_hold = Lock(), Lock(), Barrier(2)
    workers = [Process(target=work, args=(a, b, both_hold), name="worker-1"),
               Process(target=work, args=(b, a, both_hold), name="worker-2")]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
"""
"""The deadlock lesson, made certain: the workers meet at a Barrier without a timeout
holding their first lock (the lesson's has one, and under load it may not deadlock)."""


@pytest.mark.timeout(90)
async def test_a_deadlock_shows_two_rows_waiting_from_the_same_moment(tmp_path):
    """The real engine: each worker holds one lock and waits for the other's."""
    script = tmp_path / "deadlock.py"
    script.write_text(DEADLOCK)
    app = MptuiApp(session_factory=Session, script=Program.from_script(script),
                   autostart="script")  # fmt: skip
    async with app.run_test(size=(120, 40)) as pilot:

        def both_stuck() -> bool:
            rows = rows_by_name(panel_lines(app))
            return all(stuck_since(rows.get(name, "")) is not None
                       for name in ("worker-1", "worker-2"))  # fmt: skip

        assert await wait_for(pilot.app, both_stuck), "\n".join(panel_lines(app))
        rows = rows_by_name(panel_lines(app))
        one, two = stuck_since(rows["worker-1"]), stuck_since(rows["worker-2"])
        assert one is not None and two is not None and abs(one - two) <= 1, rows
        # Before waiting, each held its first lock: an upper-case letter.
        assert any(c.isupper() for c in rows["worker-1"][:one]) or one <= 1, rows
        await pilot.press("q")


async def test_it_reads_without_colours(make_app, monkeypatch):
    """NO_COLOR: Textual draws in monochrome; every kind of cell still has its own mark."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(autostart="lock", moment=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.no_color
        lines = timeline_lines(app)
        cells = "".join(rows_by_name(lines).values())
        for mark in ("A", "a", "^", "·"):
            assert mark in cells, (mark, lines)
        assert "─ running" in lines[-1] or "─" not in cells  # a mark on screen is explained


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (160, 50)])
async def test_it_is_reachable_at_every_size(make_app, size):
    app = make_app(autostart="lock", moment=None)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        app.dashboard.focus_panel("timeline")
        await settle(pilot)
        lines = timeline_lines(app)
        assert any(line.startswith("worker-1") for line in lines), lines
