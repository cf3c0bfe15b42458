"""On the Linux console (TERM=linux) and vt100-like terminals the dashboard draws with ASCII
(and Latin-1 ``·`` ``µ``, which every console font has); elsewhere with Unicode.

Found: TERM=linux got rounded box corners, heavy bars, ✓ ✗ ● ▶ → … and ▁▂▃ sparklines,
which its fonts cannot draw (they show as diamonds). One module (mptui/tui/glyphs.py)
chooses the set from TERM when the app starts.
"""

from __future__ import annotations

import asyncio

import pytest
from screen_text import screen_lines

from mptui.engine.session import Program, Session
from mptui.scenarios import lessons
from mptui.tui import glyphs
from mptui.tui.app import MptuiApp

BUSY = """
import multiprocessing as mp, time

def work(n, results, lock, conn):
    for step in range(400):
        with lock:
            print("worker", n, "step", step, flush=True)
        results.put(step)
        if n == 0:
            conn.send(step)
        time.sleep(0.05)

if __name__ == "__main__":
    results = mp.Queue()
    lock = mp.Lock()
    send, receive = mp.Pipe()
    workers = [mp.Process(target=work, args=(n, results, lock, send)) for n in range(6)]
    for p in workers:
        p.start()
    while any(p.is_alive() for p in workers):
        while not results.empty():
            results.get()
        while receive.poll():
            receive.recv()
        time.sleep(0.1)
"""
"""Something in every panel: processes, a queue with a sparkline, a pipe, a lock, a log."""


@pytest.fixture(autouse=True)
def restore_glyphs():
    """The app chooses the set for the whole process: give the next test its own back."""
    before = glyphs.active()
    yield
    glyphs.use(before)


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        ("linux", glyphs.ASCII),
        ("linux-16color", glyphs.ASCII),
        ("screen.linux", glyphs.ASCII),
        ("vt100", glyphs.ASCII),
        ("vt220", glyphs.ASCII),
        ("dumb", glyphs.ASCII),
        ("xterm", glyphs.UNICODE),
        ("xterm-256color", glyphs.UNICODE),
        ("tmux-256color", glyphs.UNICODE),
        ("screen", glyphs.UNICODE),
        ("", glyphs.UNICODE),
    ],
)
def test_the_set_follows_the_terminal_type(term, expected):
    assert glyphs.for_environment({"TERM": term}) is expected


def test_mptui_glyphs_overrides_the_terminal_type():
    assert glyphs.for_environment({"TERM": "xterm", "MPTUI_GLYPHS": "ascii"}) is glyphs.ASCII
    assert glyphs.for_environment({"TERM": "linux", "MPTUI_GLYPHS": "unicode"}) is glyphs.UNICODE
    assert glyphs.for_environment({"TERM": "linux", "MPTUI_GLYPHS": "what"}) is glyphs.ASCII


def test_the_ascii_set_is_ascii_and_latin1_only():
    marks = glyphs.ASCII
    drawn = [getattr(marks, name) for name in ("ok", "failed", "stopped", "running", "warning",
             "current", "separator", "stdout", "stderr", "ellipsis", "bars")]  # fmt: skip
    drawn += list(marks.words.values())
    assert all(ord(char) < 128 for text in drawn for char in text)
    assert len(marks.bars) == len(glyphs.UNICODE.bars) == 8
    assert marks.text("0→1 ↑ ↓ ← …") == "0->1 Up Down Left ..."
    assert marks.text("✓ ✗ ■ ● ⚠ ▶") == " ".join(
        [marks.ok, marks.failed, marks.stopped, marks.running, marks.warning, marks.current]
    )


async def every_screen(app: MptuiApp, pilot) -> list[str]:
    """What a user sees going through the dashboard: every tab, help, settings with a bad
    value, the kill dialog, the palette, a notice. The screen's rows, all of them."""
    seen: list[str] = []

    async def look() -> None:
        await pilot.pause()
        app.refresh_now()
        await pilot.pause()
        seen.extend(screen_lines(app))

    deadline = asyncio.get_running_loop().time() + 30
    while asyncio.get_running_loop().time() < deadline:  # a sparkline needs a few samples
        app.refresh_now()
        snap = app.session.store.snapshot() if app.session else None
        if snap and snap.queues and len(snap.queues[0].depth_history) >= 3 and snap.locks:
            break
        await asyncio.sleep(0.1)
    await look()
    for _ in range(6):
        await pilot.press("tab")
        await look()
    await pilot.press("question_mark")
    await look()
    await pilot.press("escape")
    app.dashboard.lessons.select("lock")
    await pilot.press("e")
    await pilot.pause()
    await pilot.press("ctrl+a", "x", "enter")  # a bad value: the error line has a mark
    await look()
    await pilot.press("escape")
    app.dashboard.focus_panel("processes")
    await pilot.press("k")
    await look()
    await pilot.press("escape")
    await pilot.press("ctrl+p")
    await look()
    await pilot.press("escape")
    await pilot.press("s")  # stops the program: a notice, then the run's end
    await asyncio.sleep(1.5)
    await look()
    return seen


@pytest.mark.timeout(120)
@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
@pytest.mark.parametrize("term", ["linux", "xterm"])
async def test_what_reaches_the_screen_suits_the_terminal(tmp_path, monkeypatch, size, term):
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("MPTUI_GLYPHS", raising=False)
    script = tmp_path / "busy.py"
    script.write_text(BUSY)
    app = MptuiApp(session_factory=Session, lessons=lessons(),
                   script=Program.from_script(script), autostart="script")  # fmt: skip
    async with app.run_test(size=size) as pilot:
        seen = await every_screen(app, pilot)
        await app.action_quit()
    text = "\n".join(seen)
    wide = sorted({char for char in text if ord(char) > 255})
    if term == "linux":
        assert not wide, f"characters the Linux console cannot draw: {wide}"
        assert "+- Processes " in text and "+- Log " in text  # ASCII boxes
        assert " | worker 1 step " in text  # the log's stdout mark
        assert "* running" in text  # the header's mark
    else:
        assert "╭─ Processes " in text and "╭─ Log " in text
        assert " │ worker 1 step " in text
        assert {"●", "▁", "─", "╭", "→"} <= set(wide)
