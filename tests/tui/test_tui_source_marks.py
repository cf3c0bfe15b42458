"""The Source panel marks the running lesson's lines: ``with lock:`` lights up with the names
of the workers waiting there, ``lock = Lock()`` says it made the Lock, the parent's
``p.join()`` says who joins; all in glyphs and words, so it reads without colour. Runs the
real lock lesson through the real engine."""

from __future__ import annotations

import pytest
from real_engine import wait_for
from screen_text import screen_lines

from mptui.engine.session import Session
from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp


def marked(app, text: str) -> list[str]:
    """The screen rows showing the source line ``text`` with a mark."""
    return [row for row in screen_lines(app) if text in row and "◀" in row]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("size", [(160, 48), (80, 24)])
async def test_the_lock_lesson_marks_where_workers_wait(size):
    app = MptuiApp(
        session_factory=Session,
        lessons=lessons(),
        autostart="lock",
        settings={"lock": {"workers": 3, "rounds": 200, "hold": 0.2}},
    )
    async with app.run_test(size=size) as pilot:
        assert await wait_for(pilot.app, lambda: app.session is not None)
        dash = app.dashboard
        if size == (80, 24):  # the panels are tabs: go to the Source tab, as a user does
            for _ in range(10):
                if "Source · lock.py" in "\n".join(screen_lines(app)[:4]):
                    break
                await pilot.press("tab")
        source = dash.source
        source.query_one("#source-scroll").scroll_to(y=12, animate=False)  # line 22 in view

        def names_waiting() -> set[str]:
            snap = app.session.store.snapshot()
            names = {p.pid: p.name for p in snap.processes}
            return {names[w.pid] for w in snap.waits if w.op == "acquire" and w.line}

        # A worker queued on the lock: the ``with lock:`` row names it, and says what it does.
        def shown() -> bool:
            rows = marked(app, "with lock:")
            return bool(rows) and any(
                name in rows[0] and "wait (acquire)" in rows[0].replace("waits", "wait")
                for name in names_waiting()
            )

        assert await wait_for(pilot.app, shown), "\n".join(screen_lines(app))
        (row,) = marked(app, "with lock:")
        assert "▶" in row.split("with lock:")[0]  # a glyph in the gutter, not only colour
        # Further down: the line that made the lock, and the parent joining its workers.
        source.query_one("#source-scroll").scroll_end(animate=False)
        assert await wait_for(pilot.app, lambda: marked(app, "lock = Lock()"))
        assert "Lock created" in marked(app, "lock = Lock()")[0]
        assert await wait_for(pilot.app, lambda: marked(app, "p.join()"))
        assert "MainProcess waits (join)" in marked(app, "p.join()")[0]
        await pilot.press("q")
        await pilot.pause()
