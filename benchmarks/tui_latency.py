"""Key latency (p50/p95) and the mptui process's CPU share while a program prints 5,000 lines/s.

    python benchmarks/tui_latency.py [SECONDS]

The dashboard runs headless (``run_test``) on the real engine, observing
benchmarks/tui_flood.py. A probe thread sends a key every 50 ms the way the terminal
driver's input thread does (``driver.send_message``); the time until the bound action runs
is the latency. Headless means no terminal writes: bytes are measured by tui_bytes.py.
Target (issue 3): p95 under 100 ms.
"""

from __future__ import annotations

import asyncio
import pathlib
import statistics
import sys
import threading
import time

import psutil

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual import events  # noqa: E402 - after the sys.path line above

from mptui.engine.session import Program, Session  # noqa: E402
from mptui.scenarios import lessons  # noqa: E402
from mptui.tui.app import MptuiApp  # noqa: E402
from mptui.tui.screens.dashboard import DashboardScreen  # noqa: E402

FLOOD = ROOT / "benchmarks" / "tui_flood.py"


async def run(seconds: float) -> None:
    handled: list[float] = []
    original = DashboardScreen.action_follow_log

    async def timed_follow(self: DashboardScreen) -> None:
        handled.append(time.perf_counter())
        done = original(self)
        if asyncio.iscoroutine(done):  # the action waits for the log panel to be mounted
            await done

    DashboardScreen.action_follow_log = timed_follow  # type: ignore[method-assign]
    script = Program.from_script(FLOOD, ("5000", str(seconds + 10)))
    app = MptuiApp(session_factory=Session, lessons=lessons(), script=script, autostart="script")
    sent: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(300):  # up to 30 s for the flood to get going
            if app.session is not None and app.session.store.snapshot().lines_total >= 5000:
                break
            await asyncio.sleep(0.1)
        stop = threading.Event()

        def probe() -> None:
            while not stop.wait(0.05):
                sent.append(time.perf_counter())
                app._driver.send_message(events.Key("f", "f"))  # the input thread's path

        process = psutil.Process()
        process.cpu_percent()
        thread = threading.Thread(target=probe, daemon=True)
        thread.start()
        await asyncio.sleep(seconds)
        stop.set()
        cpu = process.cpu_percent()
        await asyncio.sleep(0.5)
        lines = app.session.store.snapshot().lines_total
        await pilot.press("q")
    latencies = [(h - s) * 1000 for s, h in zip(sent, handled, strict=False)]
    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    print(f"keys sent {len(sent)}, handled {len(handled)}")
    print(f"key latency p50 {statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, "
          f"max {latencies[-1]:.1f} ms")  # fmt: skip
    print(f"mptui process CPU {cpu:.0f}% of one core (UI + collector), {lines} lines received")


if __name__ == "__main__":
    asyncio.run(run(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0))
