"""Snapshot tests at 80x24 and 120x40 (and the too-small message), on replayed runs.

The SVGs hold no clock, pid or cursor that varies: runs are recordings with fixed pids and
times, the app reads the recording's clock, the Python version and default start method
are fixed by the conftest, and input cursors do not blink. Review a change with the
``snapshot_report.html`` pytest writes, then ``pytest --snapshot-update``.
"""

from __future__ import annotations

SLOW_LOCK = {"lock": {"workers": 4, "rounds": 5, "hold": 0.4}}


async def _settle(pilot) -> None:
    app = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.refresh_now()
    await pilot.pause()


def test_lesson_list_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_settle)


def test_lock_lesson_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", until_ms=4300, settings=SLOW_LOCK)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_lock_lesson_locks_tab_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", until_ms=4300, settings=SLOW_LOCK)

    async def locks_tab(pilot) -> None:
        await _settle(pilot)
        pilot.app.dashboard.focus_panel("locks")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=locks_tab)


def test_lock_lesson_120x40(snap_compare, make_app):
    app = make_app(autostart="lock", until_ms=4300, settings=SLOW_LOCK)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_queue_lesson_120x40(snap_compare, make_app):
    app = make_app(autostart="queue", until_ms=6500,
                   settings={"queue": {"count": 60, "delay": 0.15}})  # fmt: skip
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_log_filter_120x40(snap_compare, make_app):
    app = make_app(autostart="logging", until_ms=None)

    async def filtered(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"re:WARNING|ERROR", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=filtered)


def test_ended_run_summary_120x40(snap_compare, make_app):
    app = make_app(autostart="lock", until_ms=None)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_help_screen_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["question_mark"],
                        run_before=_settle)  # fmt: skip


def test_kill_dialog_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", until_ms=4300, settings=SLOW_LOCK)
    assert snap_compare(app, terminal_size=(80, 24), press=["down", "k"], run_before=_settle)


def test_too_small_40x12(snap_compare, make_app):
    assert snap_compare(make_app(autostart="lock"), terminal_size=(40, 12), run_before=_settle)
