"""Snapshot tests at 80x24 and 120x40 (and the too-small message), on recorded real runs.

The SVGs hold no clock, pid or cursor that varies: runs are replays of the recordings in
tests/tui/recordings/ (pids and times normalised when recorded), stopped at a moment chosen
by what the Store shows; the app reads the recording's clock; the lesson list and sources
of ``make_app`` are fixed copies; the Python version and default start method are fixed
by the conftest. A replay app (``replay_app``) shows the recording's own header and source,
which change only when the fixtures are re-recorded (then review the snapshots again).
Review a change with the ``snapshot_report.html`` pytest writes, then
``pytest --snapshot-update``.
"""

from __future__ import annotations

from dashboard_fixtures import settle as _settle
from recorded import lock_busy, run_until


def queue_busy(store) -> bool:
    """Results flow: a few dozen put and got, and rates measured."""
    queues = store.snapshot().queues
    return bool(queues) and queues[0].gets >= 30 and len(queues[0].depth_history) >= 3


def test_lesson_list_80x24(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=_settle)


def test_lock_lesson_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", moment=lock_busy)
    assert snap_compare(app, terminal_size=(80, 24), run_before=_settle)


def test_lock_lesson_locks_tab_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", moment=lock_busy)

    async def locks_tab(pilot) -> None:
        await _settle(pilot)
        pilot.app.dashboard.focus_panel("locks")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=locks_tab)


def test_lock_lesson_120x40(snap_compare, make_app):
    app = make_app(autostart="lock", moment=lock_busy)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_queue_lesson_120x40(snap_compare, make_app):
    app = make_app(autostart="queue", moment=queue_busy)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_log_filter_120x40(snap_compare, make_app):
    app = make_app(autostart="logging", moment=None)

    async def filtered(pilot) -> None:
        await _settle(pilot)
        await pilot.press("slash", *"re:WARNING|ERROR", "enter")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=filtered)


def test_ended_run_summary_120x40(snap_compare, make_app):
    app = make_app(autostart="lock", moment=None)
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_stopped_run_120x40(snap_compare, make_app):
    """What the engine reported for a run stopped with s (recorded from a real stop)."""
    app = make_app(autostart="lock", moment=None, recordings={"lock": "lock-stopped"})
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_killed_worker_120x40(snap_compare, make_app):
    """What the engine reported for a worker killed with k, SIGKILL (recorded for real)."""
    app = make_app(autostart="lock", moment=None, recordings={"lock": "lock-killed"})
    assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)


def test_help_screen_120x40(snap_compare, make_app):
    assert snap_compare(make_app(), terminal_size=(120, 40), press=["question_mark"],
                        run_before=_settle)  # fmt: skip


def test_kill_dialog_80x24(snap_compare, make_app):
    app = make_app(autostart="lock", moment=lock_busy)
    assert snap_compare(app, terminal_size=(80, 24), press=["down", "k"], run_before=_settle)


def test_too_small_40x12(snap_compare, make_app):
    assert snap_compare(make_app(autostart="lock"), terminal_size=(40, 12), run_before=_settle)


def _at(moment):
    async def run_before(pilot) -> None:
        await _settle(pilot)  # the replay has started
        run_until(pilot.app.replay_session.replay, moment)
        await _settle(pilot)

    return run_before


def test_replay_lock_120x40(snap_compare, replay_app):
    """``mptui replay``: the header says replay, paused, speed and position."""
    assert snap_compare(replay_app("lock"), terminal_size=(120, 40), run_before=_at(lock_busy))


def test_replay_lock_80x24(snap_compare, replay_app):
    assert snap_compare(replay_app("lock"), terminal_size=(80, 24), run_before=_at(lock_busy))


def test_replay_lesson_tab_120x40(snap_compare, replay_app):
    """The recording's entry, its facts and the source it recorded."""
    app = replay_app("lock")

    async def lesson_tab(pilot) -> None:
        await _at(lock_busy)(pilot)
        pilot.app.dashboard.focus_panel("lessons")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(120, 40), run_before=lesson_tab)


def deadlocked(store) -> bool:
    """The doctor has named the deadlock, and the wait-for graph has every wait."""
    snap = store.snapshot()
    return any(alert.kind == "deadlock" for alert in snap.alerts) and len(snap.waits) >= 3


def test_deadlock_alert_and_graph_120x40(snap_compare, replay_app):
    """The alert banner, the wait-for graph and the Waiting on column, on a real deadlock."""
    app = replay_app("deadlock")
    assert snap_compare(app, terminal_size=(120, 40), run_before=_at(deadlocked))


def test_deadlock_alert_80x24(snap_compare, replay_app):
    """At 80x24 the banner keeps to a quarter of the screen: titles, then what to do."""
    app = replay_app("deadlock")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_at(deadlocked))


def test_stack_screen_120x40(snap_compare, replay_app):
    """The stacks of worker-1, taken with t while it was deadlocked (a real dump, kept
    with the recording)."""
    import json

    from recorded import RECORDINGS

    from mptui.engine.stacks import StackDump
    from mptui.tui.screens.stack_screen import StackScreen

    saved = json.loads((RECORDINGS / "deadlock.stacks.json").read_text(encoding="utf-8"))
    dump = StackDump(saved["pid"], saved["text"], saved["method"], saved["note"])

    async def stacks(pilot) -> None:
        await _at(deadlocked)(pilot)
        await pilot.app.push_screen(StackScreen(saved["name"], dump))
        await _settle(pilot)

    assert snap_compare(replay_app("deadlock"), terminal_size=(120, 40), run_before=stacks)
