"""A session that replays a recorded run into a Store instead of running processes.

It has the interface of ``mptui.engine.session.Session`` (see
:class:`mptui.tui.session_api.SessionLike`), so the app cannot tell the difference.
Instant mode applies the recording up to a cut at ``start()`` (tests, screenshots: the
same screen every time); real-time mode replays it at its own pace from a thread, as the
collector would (the demo).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from mptui.engine.store import Store
from mptui.tui import recordings


class ReplaySession:
    """Replays recorded events into ``store``; records every call made to it."""

    def __init__(
        self,
        program: Any,
        store: Store | None = None,
        *,
        events: Sequence[dict] | None = None,
        until_ms: float | None = None,
        realtime: bool = False,
        speed: float = 1.0,
    ) -> None:
        self.program = program
        self.store = store if store is not None else Store()
        self.events = list(events if events is not None else recordings.record(program))
        """The whole recording, oldest first."""
        self.calls: list[tuple] = []
        """``("start",)``, ``("stop", grace)``, ``("signal", pid, sig)``, ... in order."""
        self._cut = recordings.T0 + int(until_ms * recordings.MS) if until_ms is not None else None
        self._realtime = realtime
        self._speed = speed
        self._next = 0
        self._now = recordings.T0
        self._ended: set[int] = set()
        self._stopped = False
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._halt = threading.Event()

    # ------------------------------------------------------------- Session interface

    def start(self) -> None:
        self.calls.append(("start",))
        if self._realtime:
            self._thread = threading.Thread(target=self._play, name="replay", daemon=True)
            self._thread.start()
        else:
            self.advance_to(self._cut)

    def stop(self, grace: float = 1.0) -> None:
        self.calls.append(("stop", grace))
        self._halt.set()
        with self._lock:
            if self._stopped or self.store.snapshot().run.state != "running":
                self._stopped = True
                return
            self._stopped = True
            batch = []
            for proc in self.store.snapshot().processes:
                if proc.alive:
                    batch += self._ending(proc.pid, -signal.SIGTERM)
            batch.append({"kind": "run_ended", "t": self._now, "code": -signal.SIGTERM})
            self.store.apply_many(batch)

    def signal_process(self, pid: int, sig: int) -> bool:
        self.calls.append(("signal", pid, sig))
        with self._lock:
            proc = self.store.snapshot().process(pid)
            if proc is None or not proc.alive:
                return False
            self.store.apply_many(self._ending(pid, -sig))
            return True

    @property
    def running(self) -> bool:
        return not self._stopped and self.store.snapshot().run.state == "running"

    def wait(self, timeout: float | None = None) -> bool:
        return not self.running

    def close(self) -> None:
        self.calls.append(("close",))
        self.stop()

    # ------------------------------------------------------------- replay controls

    def now_ns(self) -> int:
        """The recording's clock: the app shows uptimes against it, never the wall clock."""
        return self._now

    def advance_to(self, cut_ns: int | None) -> None:
        """Apply every event with ``t <= cut_ns`` (all when None) not applied yet."""
        with self._lock:
            if self._stopped:
                return
            batch = []
            while self._next < len(self.events):
                event = self.events[self._next]
                if cut_ns is not None and event.get("t", 0) > cut_ns:
                    break
                self._next += 1
                if event.get("pid") in self._ended and event["kind"] != "reaped":
                    continue  # a killed process says nothing more
                batch.append(event)
            self._now = cut_ns if cut_ns is not None else batch[-1]["t"] if batch else self._now
            if batch:
                self.store.apply_many(batch)

    def advance(self, ms: float) -> None:
        """Move the recording's clock forward by ``ms`` milliseconds."""
        self.advance_to(self._now + int(ms * recordings.MS))

    def _ending(self, pid: int, code: int) -> list[dict]:
        self._ended.add(pid)
        t = self._now
        runner = recordings.RUNNER_PID
        return [
            {"kind": "gone", "pid": pid, "t": t},
            {"kind": "reaped", "pid": runner, "child": pid, "code": code, "t": t},
        ]

    def _play(self) -> None:
        """Real-time mode: apply the events due every 50 ms, like the collector."""
        began = time.monotonic_ns()
        while not self._halt.wait(0.05):
            elapsed = int((time.monotonic_ns() - began) * self._speed)
            self.advance_to(recordings.T0 + elapsed)
            if self._next >= len(self.events):
                return


def replay_factory(**options: Any) -> Callable[[Any], ReplaySession]:
    """A session factory for the app: every program gets a ReplaySession with ``options``."""

    def make(program: Any) -> ReplaySession:
        return ReplaySession(program, **options)

    return make
