"""Try the dashboard without running any process: recorded lesson runs, replayed in real time.

    python -m mptui.tui.demo            # opens on the lesson list
    python -m mptui.tui.demo lock       # with the lock lesson running

Every lesson, key and setting works as in ``mptui`` itself, except that the processes are
a recording (mptui/tui/recordings.py): signals end them in the replay, nothing is killed.
"""

from __future__ import annotations

import sys

from mptui.scenarios import lessons
from mptui.tui.app import MptuiApp
from mptui.tui.replay import replay_factory


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    slow = {"lock": {"rounds": 10, "hold": 0.4}, "queue": {"count": 200, "delay": 0.15}}
    app = MptuiApp(
        session_factory=replay_factory(realtime=True),
        lessons=lessons(),
        autostart=args[0] if args else None,
        settings=slow,
        watch_terminal=True,
    )
    status = app.run()
    return status if isinstance(status, int) else app.exit_status


if __name__ == "__main__":
    sys.exit(main())
