"""Waiting on a dashboard that runs the real engine, in Pilot tests.

Real processes take their own time, more so on a shared machine: a test waits for what
the engine reports, frame by frame, under a generous deadline (a hang, not a slow run,
fails it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.app import App


async def wait_for(app: App, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Refresh the dashboard every 50 ms until ``predicate()`` holds; False at the deadline."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        app.refresh_now()  # type: ignore[attr-defined]
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False
