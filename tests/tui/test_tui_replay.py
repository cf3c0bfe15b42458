"""``mptui replay FILE`` driven with Pilot: the player's keys on recordings of real runs.

The replay's wall clock is a fake (``app.clock``): playing moves the position only when a
test advances that clock, so nothing here depends on the machine's speed.
"""

from __future__ import annotations

import json

from dashboard_fixtures import notices
from recorded import RECORDINGS, lock_busy, recording, run_until
from textual.widgets import Static

from mptui.engine.recording import read_recording
from mptui.engine.replay import fold
from mptui.tui.screens.kill_screen import KillScreen
from mptui.tui.screens.replay_dashboard import NO_CONTROL

SIZE = (120, 40)


def header(app) -> str:
    return str(app.dashboard.header.render())


def replay(app):
    return app.replay_session.replay


def table_pids(app) -> list[str]:
    return [key.value for key in app.dashboard.processes.table.rows]


async def test_opens_paused_at_the_start_and_space_plays_at_the_recorded_pace(replay_app, settled):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        player = replay(app)
        assert (player.position, player.playing, player.events_folded) == (0, False, 0)
        assert "replay" in header(app) and "paused 1x 0.0s/" in header(app)
        await pilot.press("space")
        assert player.playing
        app.clock.advance(1.5)  # one and a half seconds of wall time...
        await settled(pilot)
        assert player.position == 1_500_000_000  # ...is as much recorded time at 1x
        assert "▶ 1x 1.5s/" in header(app)
        folded = player.events_folded
        assert 0 < folded < player.recording.event_count
        # Everything published up to the position, and nothing after it.
        at = [batch.at for batch in player.recording.batches]
        assert folded == sum(
            len(batch.events) for batch in player.recording.batches if batch.at <= 1.5e9
        )
        assert at[-1] > 1.5e9
        await pilot.press("space")
        app.clock.advance(3)
        await settled(pilot)
        assert (player.playing, player.position, player.events_folded) == (
            False,
            1_500_000_000,
            folded,
        )
        assert "paused 1x 1.5s/" in header(app)


async def test_plus_and_minus_change_the_speed_within_a_quarter_and_eight(replay_app, settled):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        player = replay(app)
        await pilot.press("plus")
        assert player.speed == 2.0 and "paused 2x" in header(app)
        await pilot.press("space")
        app.clock.advance(0.5)
        await settled(pilot)
        assert player.position == 1_000_000_000  # 0.5 s at 2x
        await pilot.press("plus", "plus", "plus", "plus")
        assert player.speed == 8.0  # no faster than 8x
        for _ in range(7):
            await pilot.press("minus")
        assert player.speed == 0.25 and "0.25x" in header(app)
        app.clock.advance(2)
        await settled(pilot)
        assert player.position == 1_500_000_000  # 2 s at a quarter


async def test_n_steps_one_event_and_capital_n_one_batch(replay_app, settled):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        player = replay(app)
        batches = player.recording.batches
        await pilot.press("n")
        assert player.events_folded == 1
        assert app.session.store.snapshot().run.state == "running"  # run_started came first
        assert player.position == batches[0].at
        await pilot.press("N")  # the rest of the first batch, or the whole next one
        first_two = len(batches[0].events) + (len(batches[1].events) if
                                              len(batches[0].events) == 1 else 0)  # fmt: skip
        assert player.events_folded == first_two
        for _ in range(40):
            await pilot.press("n")
        assert player.events_folded == first_two + 40
        assert not player.playing
        await settled(pilot)
        # What is drawn is what the Store holds after exactly those events.
        assert table_pids(app) == [str(p.pid) for p in app.session.store.snapshot().processes]


async def test_end_and_start_keys_seek_and_going_back_starts_from_a_fresh_store(
    replay_app, settled
):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        player = replay(app)
        await pilot.press("greater_than_sign")
        await settled(pilot)
        final = fold(recording("lock")).snapshot()
        shown = app.session.store.snapshot()
        assert shown.run == final.run and shown.processes == final.processes
        assert shown.locks == final.locks and shown.lines_total == final.lines_total
        assert app.dashboard.summary.display  # the recorded run ended
        assert "■ end" in header(app)
        assert len(table_pids(app)) == len(final.processes)
        assert app.dashboard.log_panel.shown == final.lines_total
        old_store = app.session.store
        await pilot.press("less_than_sign")
        await settled(pilot)
        assert app.session.store is not old_store  # rebuilt, not rewound by hand
        assert (player.position, player.events_folded) == (0, 0)
        assert table_pids(app) == [] and app.dashboard.log_panel.shown == 0
        assert not app.dashboard.summary.display
        run_until(player, lock_busy)  # and forward again from there
        await settled(pilot)
        assert len(table_pids(app)) == 5 and app.dashboard.log_panel.shown > 0


async def test_space_at_the_end_plays_again_from_the_start(replay_app, settled):
    app = replay_app("hello")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        player = replay(app)
        await pilot.press("space")
        app.clock.advance(600)  # far past the end: it stops there
        await settled(pilot)
        assert player.at_end and not player.playing
        assert player.position == player.duration
        await pilot.press("space")
        assert player.playing and player.position == 0


async def test_s_and_k_say_a_replay_cannot_stop_or_kill_and_change_nothing(replay_app, settled):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        run_until(replay(app), lock_busy)
        await settled(pilot)
        before = app.session.store.snapshot()
        await pilot.press("s")
        app.dashboard.focus_panel("processes")
        await pilot.press("down", "k")
        await settled(pilot)
        assert not isinstance(app.screen, KillScreen)  # no dialog: nothing can be sent
        assert notices(app).count(NO_CONTROL) == 2
        after = app.session.store.snapshot()
        assert after.version == before.version  # nothing invented
        assert all(p.alive for p in after.processes)
        await pilot.press("e", "m", "3")
        assert len(notices(app)) == 5


async def test_r_replays_from_the_start(replay_app, settled):
    app = replay_app("lock")
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        first = app.session
        replay(app).seek_end()
        await pilot.press("r")
        await settled(pilot)
        assert app.session is not first and first.closed
        assert replay(app).events_folded == 0


async def test_autoplay_is_how_mptui_replay_opens(replay_app, settled):
    app = replay_app("lock", autoplay=True)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        assert replay(app).playing
        app.clock.advance(2)
        await settled(pilot)
        assert replay(app).position == 2_000_000_000 and "▶ 1x 2.0s/" in header(app)


async def test_the_source_panel_shows_the_recorded_source_not_todays_file(
    replay_app, settled, tmp_path
):
    original = (RECORDINGS / "hello.jsonl").read_text(encoding="utf-8").splitlines()
    head = json.loads(original[0])
    head["source"] = '"""A lesson as it was when recorded."""\nprint("recorded text")\n'
    path = tmp_path / "edited.jsonl"
    path.write_text("\n".join([json.dumps(head), *original[1:]]) + "\n", encoding="utf-8")
    app = replay_app(read_recording(path))
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot)
        shown = app.dashboard.source.query_one("#source-code", Static).content
        assert 'print("recorded text")' in shown.code  # a rich Syntax
        assert "hello.py" in str(app.dashboard.source.border_title)


async def test_a_cut_recording_opens_with_a_message_saying_what_was_kept(
    replay_app, settled, tmp_path
):
    text = (RECORDINGS / "lock.jsonl").read_text(encoding="utf-8")
    cut = text[: len(text) * 2 // 3]  # mid-line, as a crash mid-write leaves it
    path = tmp_path / "cut.jsonl"
    path.write_text(cut, encoding="utf-8")
    rec = read_recording(path)
    good = rec.event_count
    assert 0 < good < recording("lock").event_count
    app = replay_app(rec)
    async with app.run_test(size=SIZE) as pilot:
        await settled(pilot)
        found = notices(app)
        assert len(found) == 1, found
        (message,) = found
        assert "ends early" in message and f"{good:,} events" in message
        assert "the rest is ignored" in message
        await pilot.press("greater_than_sign")
        await settled(pilot)
        assert app.session.store.snapshot().run.state == "running"  # as far as it got
