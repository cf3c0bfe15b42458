"""Write the SVG screenshots in screenshots/ from the real app on recorded runs.

The runs are replayed (mptui/tui/recordings.py), so every screenshot is the same on
every machine that has the same Python: fixed pids, fixed times, no real processes.

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

from mptui.scenarios import lessons  # noqa: E402 - after the sys.path line above
from mptui.tui.app import MptuiApp  # noqa: E402
from mptui.tui.replay import ReplaySession  # noqa: E402

OUT = ROOT / "screenshots"

Action = Callable[[MptuiApp, object], Awaitable[None]]


async def settle(app: MptuiApp, pilot) -> None:  # noqa: ANN001 - textual.pilot.Pilot
    await pilot.pause()
    await app.workers.wait_for_complete()
    app.refresh_now()
    await pilot.pause()


async def shoot(
    name: str,
    size: tuple[int, int],
    autostart: str | None,
    until_ms: float | None,
    action: Action | None = None,
    settings: dict | None = None,
) -> pathlib.Path:
    def factory(program: object) -> ReplaySession:
        return ReplaySession(program, until_ms=until_ms)

    app = MptuiApp(session_factory=factory, lessons=lessons(), autostart=autostart,
                   settings=settings)  # fmt: skip
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        if action is not None:
            await action(app, pilot)
            await settle(app, pilot)
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


SLOW_LOCK = {"lock": {"workers": 4, "rounds": 5, "hold": 0.4}}
"""Long enough turns that the screenshot catches a holder, waiters and CPU samples."""

SHOTS = {
    "lock": lambda: shoot("lock", (160, 48), "lock", 4_300, focus_processes, SLOW_LOCK),
    "queue": lambda: shoot("queue", (160, 48), "queue", 6_500, None,
                           {"queue": {"count": 60, "delay": 0.15}}),
    "log_filter": lambda: shoot("log_filter", (120, 40), "logging", None, filter_log,
                                {"logging": {"workers": 4}}),
    "help": lambda: shoot("help", (120, 40), None, None, show_help),
    "compact_80x24": lambda: shoot("compact_80x24", (80, 24), "lock", 4_300, None, SLOW_LOCK),
    "kill": lambda: shoot("kill", (120, 40), "lock", 4_300, show_kill, SLOW_LOCK),
    "settings": lambda: shoot("settings", (120, 40), "lock", 4_300, show_settings, SLOW_LOCK),
    "summary": lambda: shoot("summary", (120, 40), "lock", None),
    "lessons": lambda: shoot("lessons", (120, 40), None, None),
}  # fmt: skip


async def main(names: list[str]) -> None:
    OUT.mkdir(exist_ok=True)
    for name in names or list(SHOTS):
        path = await SHOTS[name]()
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
