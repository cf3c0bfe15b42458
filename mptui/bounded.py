"""A log that keeps its newest items within a count and a size: what memory follows.

The Store's log ring and the dashboard's log panel both keep the last N lines, but a line
count alone does not bound memory (ten thousand lines of 2,000 four-byte characters are
80 MB), so each also has a budget of characters. The oldest items leave first; the caller
counts what left, as it counts lines that scrolled out.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class BoundedLog(Generic[T]):
    """The newest items: at most ``max_items``, and at most ``max_size`` in all (each item's
    size is given when it is added; one item is always kept, however big)."""

    def __init__(self, max_items: int, max_size: int) -> None:
        self.items: deque[T] = deque(maxlen=max_items)
        self._sizes: deque[int] = deque(maxlen=max_items)  # parallel to items
        self.max_size = max_size
        self.size = 0
        """The sizes of the items kept, summed."""

    def extend(self, items: Sequence[T], sizes: Sequence[int]) -> None:
        """Add ``items`` (oldest first) with their ``sizes``; drop the oldest past a bound.
        Summing happens in C (``sum``, ``islice``): the Store does this for every line of
        a flood."""
        kept = self.items
        if not items or not kept.maxlen:
            return
        if len(items) > kept.maxlen:  # only the newest can stay
            items, sizes = items[-kept.maxlen :], sizes[-kept.maxlen :]
        # The deques drop as many old items as the count makes them: uncount those first.
        evicted = len(kept) + len(items) - kept.maxlen
        if evicted > 0:
            self.size -= sum(itertools.islice(self._sizes, evicted))
        kept.extend(items)
        self._sizes.extend(sizes)
        self.size += sum(sizes)
        while self.size > self.max_size and len(kept) > 1:
            self.size -= self._sizes.popleft()
            kept.popleft()

    def clear(self) -> None:
        self.items.clear()
        self._sizes.clear()
        self.size = 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __reversed__(self) -> Iterator[T]:
        return reversed(self.items)
