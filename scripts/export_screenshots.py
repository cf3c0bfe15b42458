"""Write the SVG screenshots in screenshots/ from the real app on recordings of real runs.

Each screenshot shows the dashboard replaying a recording kept with the tests
(tests/tui/recordings/, made by scripts/record_fixtures.py from real lesson runs), stopped
at a moment chosen by what it shows, so every figure in it (CPU, memory, waits) was
measured. The same recordings give the same screenshots on every machine with the same
Python and Textual.

    python scripts/export_screenshots.py            # all of them
    python scripts/export_screenshots.py lock help  # some of them
"""

from __future__ import annotations

import asyncio
import pathlib
import sys
from collections.abc import Awaitable, Callable

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "tui"))  # the tests' way to wait (settle)

from dashboard_fixtures import settle  # noqa: E402 - after sys.path

from mptui.engine.recording import Recording, read_recording  # noqa: E402
from mptui.engine.store import Store  # noqa: E402
from mptui.scenarios import get_lesson, lessons  # noqa: E402
from mptui.tui.app import MptuiApp  # noqa: E402
from mptui.tui.replay import ReplaySession  # noqa: E402
from mptui.tui.replay_app import ReplayApp  # noqa: E402

OUT = ROOT / "screenshots"
RECORDINGS = ROOT / "tests" / "tui" / "recordings"

Action = Callable[[MptuiApp, object], Awaitable[None]]
Moment = Callable[[Store], bool] | None
"""Where the replay stops: the first batch after which this holds; None: the end."""
SETTLE_NS = 250_000_000
"""After a moment is reached, the replay goes on this long (a lock held for a while, the
waiters' waits grown), so a screenshot is not taken the instant something happened."""


def recording(name: str) -> Recording:
    return read_recording(RECORDINGS / f"{name}.jsonl")


def lock_contended(store: Store) -> bool:
    """A few seconds in (eight turns taken): a worker holds the lock, two or more wait, and
    CPU and memory have been sampled."""
    snap = store.snapshot()
    sampled = any(p.cpu_percent is not None for p in snap.processes if p.role == "child")
    held = any(lock.holder is not None and len(lock.waiters) >= 2 for lock in snap.locks)
    return sampled and held and snap.lines_total >= 24


def queue_flowing(store: Store) -> bool:
    queues = store.snapshot().queues
    return bool(queues) and queues[0].gets >= 30 and len(queues[0].depth_history) >= 3


def deadlocked(store: Store) -> bool:
    """The doctor has named the deadlock, and every wait of the graph is known."""
    snap = store.snapshot()
    return any(alert.kind == "deadlock" for alert in snap.alerts) and len(snap.waits) >= 3


async def show_stacks(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    """The stack screen with worker-1's stacks, as taken with t while it was deadlocked
    (kept with the recording by scripts/record_fixtures.py)."""
    import json

    from mptui.engine.stacks import StackDump
    from mptui.tui.screens.stack_screen import StackScreen

    saved = json.loads((RECORDINGS / "deadlock.stacks.json").read_text(encoding="utf-8"))
    dump = StackDump(saved["pid"], saved["text"], saved["method"], saved["note"])
    await app.push_screen(StackScreen(saved["name"], dump))


def settings_of(rec: Recording) -> dict[str, dict[str, object]]:
    """The app's settings for the recorded lesson: what the recording ran with."""
    header = rec.header
    lesson = get_lesson(header.lesson)
    known = {p.name: p for p in lesson.params}
    values = {k: known[k].parse(v) for k, v in header.params.items() if k in known}
    return {header.lesson: values}


async def shoot(
    name: str,
    size: tuple[int, int],
    fixture: str | None,
    moment: Moment = None,
    action: Action | None = None,
) -> pathlib.Path:
    """The dashboard (all lessons listed) with ``fixture``'s lesson running, replayed."""
    rec = recording(fixture) if fixture else None

    def factory(program: object) -> ReplaySession:
        session = ReplaySession(rec, program)
        to_moment(session, moment)
        return session

    app = MptuiApp(
        session_factory=factory,
        lessons=lessons(),
        autostart=rec.header.lesson if rec else None,
        settings=settings_of(rec) if rec else None,
    )
    return await _save(app, name, size, action)


async def shoot_replay(
    name: str, size: tuple[int, int], fixture: str, moment: Moment
) -> pathlib.Path:
    """``mptui replay FILE`` on ``fixture``, paused at ``moment``."""
    app = ReplayApp(recording(fixture), autoplay=False)

    async def go(app: ReplayApp, pilot) -> None:  # noqa: ANN001
        to_moment(app.replay_session, moment)

    return await _save(app, name, size, go)


def to_moment(session: ReplaySession, moment: Moment) -> None:
    replay = session.replay
    if moment is None:
        replay.seek_end()
    else:
        while not moment(replay.store) and not replay.at_end:
            replay.step_batch()
        replay.advance_to(replay.position + SETTLE_NS)


async def _save(app: MptuiApp, name: str, size: tuple[int, int],
                action: Action | None) -> pathlib.Path:  # fmt: skip
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if action is not None:
            await action(app, pilot)
            await settle(pilot)
        app.save_screenshot(f"{name}.svg", str(OUT))
    return OUT / f"{name}.svg"


async def focus_processes(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    app.dashboard.focus_panel("processes")
    await pilot.press("down", "down", "down")


async def filter_log(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    await pilot.press("slash", *"re:WARNING|ERROR", "enter")


async def show_help(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    await pilot.press("question_mark")


async def show_kill(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    app.dashboard.focus_panel("processes")
    await pilot.press("down", "down", "k")


async def show_settings(app: MptuiApp, pilot) -> None:  # noqa: ANN001
    app.dashboard.focus_panel("lessons")
    await pilot.press("e")
    app.screen.query_one("#param-workers").value = "zero"
    await pilot.press("ctrl+s")


SHOTS = {
    "lock": lambda: shoot("lock", (120, 40), "lock", lock_contended, focus_processes),
    "queue": lambda: shoot("queue", (160, 48), "queue", queue_flowing),
    "log_filter": lambda: shoot("log_filter", (120, 40), "logging", None, filter_log),
    "help": lambda: shoot("help", (120, 40), None, None, show_help),
    "compact_80x24": lambda: shoot("compact_80x24", (80, 24), "lock", lock_contended),
    "kill": lambda: shoot("kill", (120, 40), "lock", lock_contended, show_kill),
    "settings": lambda: shoot("settings", (120, 40), "lock", lock_contended, show_settings),
    "summary": lambda: shoot("summary", (120, 40), "lock", None),
    "lessons": lambda: shoot("lessons", (120, 40), None),
    "replay": lambda: shoot_replay("replay", (120, 40), "lock", lock_contended),
    "deadlock": lambda: shoot("deadlock", (120, 40), "deadlock", deadlocked),
    "stacks": lambda: shoot("stacks", (120, 40), "deadlock", deadlocked, show_stacks),
}  # fmt: skip


async def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in SHOTS]
    if unknown:
        print(f"unknown screenshot {unknown[0]!r}; valid: {', '.join(SHOTS)}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    for name in names or list(SHOTS):
        path = await SHOTS[name]()
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
