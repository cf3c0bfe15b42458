"""Replay: a recording fed to a Store at the pace it was recorded, with a player's controls.

A replay is one more source of events for the same :class:`~mptui.engine.store.Store` the
live collector feeds, so it can show nothing a live run would not. :class:`Replay` keeps a
*position* in recorded time (nanoseconds since the recording began) and has folded every
batch published up to it. It has no thread and never reads a clock on its own: the front
end calls :meth:`Replay.update` on its frame tick, and the replay moves on by the wall time
elapsed times the speed.

Going forward folds the next batches into the Store. Going back (seek to the start, or to
any earlier position) builds a fresh Store and folds from the beginning: the fold is fast
(a recording of a whole lesson folds in milliseconds), and this way the Store stays the
same pure fold as in a live run. :attr:`Replay.generation` counts fresh Stores, so a front
end knows to forget what it drew from the old one.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from mptui.engine.recording import Recording
from mptui.engine.store import Store

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The speeds ``faster`` and ``slower`` step through."""


class Replay:
    """Plays one recording into a Store; see the module docstring."""

    def __init__(
        self,
        recording: Recording,
        *,
        clock: Callable[[], int] = time.monotonic_ns,
        store_factory: Callable[[], Store] = Store,
    ) -> None:
        self.recording = recording
        self._clock = clock
        self._store_factory = store_factory
        self.store = store_factory()
        """The Store holding what was folded so far (replaced when going back)."""
        self.generation = 0
        """How many times the Store was replaced by a fresh one."""
        self.playing = False
        self.speed = 1.0
        self.position = 0
        """Recorded time shown, in ns since the recording began."""
        self._batch = 0  # index of the next batch to fold
        self._event = 0  # events of that batch already folded (after single steps)
        self._wall: int | None = None  # clock() at the last update while playing

    # ------------------------------------------------------------- state

    @property
    def duration(self) -> int:
        return self.recording.duration

    @property
    def at_end(self) -> bool:
        return self._batch >= len(self.recording.batches)

    @property
    def now_ns(self) -> int:
        """The run's own clock (``monotonic_ns`` of the recorded run) at the position."""
        return self.recording.header.t0 + self.position

    @property
    def events_folded(self) -> int:
        batches = self.recording.batches
        return sum(len(b.events) for b in batches[: self._batch]) + self._event

    # ------------------------------------------------------------- playing

    def play(self) -> None:
        """Play from the position; from the start if the end was reached."""
        if self.at_end:
            self.seek(0)
        self.playing = True
        self._wall = self._clock()

    def pause(self) -> None:
        self.update()  # keep the time played since the last frame
        self.playing = False
        self._wall = None

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        self.update()  # the time played so far counts at the old speed
        self.speed = speed

    def faster(self) -> float:
        """The next speed up (8x at most); returns it."""
        self.set_speed(next((s for s in SPEEDS if s > self.speed), SPEEDS[-1]))
        return self.speed

    def slower(self) -> float:
        """The next speed down (0.25x at least); returns it."""
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0]))
        return self.speed

    def update(self) -> None:
        """While playing, move on by the wall time since the last update times the speed;
        stop at the end of the recording."""
        if not self.playing or self._wall is None:
            return
        wall = self._clock()
        elapsed, self._wall = wall - self._wall, wall
        self.advance_to(self.position + int(elapsed * self.speed))
        if self.at_end:
            self.playing = False
            self._wall = None

    # ------------------------------------------------------------- moving

    def advance_to(self, position: int) -> None:
        """Fold every batch published up to ``position`` (forward only)."""
        batches = self.recording.batches
        todo: list[dict] = []
        while self._batch < len(batches) and batches[self._batch].at <= position:
            todo.extend(batches[self._batch].events[self._event :])
            self._batch += 1
            self._event = 0
        if todo:
            self.store.apply_many(todo)
        self.position = max(self.position, min(position, self.duration))

    def seek(self, position: int) -> None:
        """Show the run as it was at ``position`` (going back folds again from the start)."""
        position = max(0, position)
        if position < self.position:
            self._rebuild()
        self.advance_to(position)
        if self.playing:
            self._wall = self._clock()

    def seek_start(self) -> None:
        self.seek(0)

    def seek_end(self) -> None:
        self.pause()
        self.seek(self.duration)

    def step_event(self) -> dict | None:
        """Pause, and fold the next single event; returns it (None at the end)."""
        self.pause()
        batches = self.recording.batches
        while self._batch < len(batches) and self._event >= len(batches[self._batch].events):
            self._batch, self._event = self._batch + 1, 0  # an empty batch
        if self.at_end:
            return None
        batch = batches[self._batch]
        event = batch.events[self._event]
        self.store.apply(event)
        self._event += 1
        self.position = max(self.position, batch.at)
        if self._event >= len(batch.events):
            self._batch, self._event = self._batch + 1, 0
        return event

    def step_batch(self) -> int:
        """Pause, and fold the rest of the next batch (what the collector published at
        once: one frame of the live run); returns how many events that was."""
        self.pause()
        batches = self.recording.batches
        if self.at_end:
            return 0
        batch = batches[self._batch]
        rest = list(batch.events[self._event :])
        self.store.apply_many(rest)
        self._batch, self._event = self._batch + 1, 0
        self.position = max(self.position, batch.at)
        return len(rest)

    def _rebuild(self) -> None:
        self.store = self._store_factory()
        self.generation += 1
        self._batch = self._event = 0
        self.position = 0


def fold(recording: Recording, store: Store | None = None) -> Store:
    """The Store after folding the whole recording (the run's last state)."""
    store = store if store is not None else Store()
    for batch in recording.batches:
        store.apply_many(batch.events)
    return store
