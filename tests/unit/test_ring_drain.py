"""The collector's ring reader against the agent's real writer: every record read once, in
order, whole; records being written wait for the next poll; a lapped reader counts what it
lost and goes on from the newest."""

from __future__ import annotations

import mmap
import os

import pytest

from mptui import events as ev
from mptui.agent import channel, ring
from mptui.engine.collector import _RingReader

PID = 4242


@pytest.fixture
def writer(tmp_path, monkeypatch):
    """The agent's ring module writing into ``tmp_path`` (messages to nowhere)."""
    monkeypatch.setattr(channel, "send", lambda *args, **kwargs: None)
    monkeypatch.setattr(channel, "pid", PID)
    ring.forget_after_fork()  # a fresh ring, as a new process would have
    ring.configure(str(tmp_path))
    ring.emit(ev.RK_LOCK_ACQUIRED << 56 | 1, 0, 0)  # creates the ring file
    yield os.path.join(str(tmp_path), f"ring-{PID}")
    ring.forget_after_fork()


def emit_many(first: int, n: int) -> None:
    for i in range(first, first + n):
        ring.emit(ev.RK_LOCK_RELEASED << 56 | 7, i, i * 10)


def drain_all(reader: _RingReader, budget: int = ev.RING_CAPACITY) -> tuple[list, int]:
    out: list[tuple] = []
    dropped = reader.drain(out, budget)
    return out, dropped


def test_records_are_read_once_in_order_across_polls_and_the_ring_end(writer):
    reader = _RingReader(PID, writer)
    assert drain_all(reader)[0] == [(PID, ev.RK_LOCK_ACQUIRED << 56 | 1, 0, 0)]
    seen: list[tuple] = []
    t = 1
    # Enough records to go round the ring twice, read in polls of various budgets.
    for n, budget in [(5, 3), (0, 10), (700, 2048), (ev.RING_CAPACITY - 100, 2048)] * 3:
        emit_many(t, n)
        t += n
        while True:
            out, dropped = drain_all(reader, budget)
            assert dropped == 0
            if not out:
                break
            seen.extend(out)
    assert [record[2] for record in seen] == list(range(1, t))
    assert all(record[3] == record[2] * 10 for record in seen)


def test_a_record_being_written_stops_the_poll_until_it_is_published(writer):
    reader = _RingReader(PID, writer)
    drain_all(reader)
    emit_many(1, 40)
    words = memoryview(mmap.mmap(os.open(writer, os.O_RDWR), ev.RING_BYTES)).cast("q")
    # The 11th new record (slot 11: slot 0 holds the first) is being written: its
    # sequence word is 0, though later slots (other threads) are already published.
    base = ev.RING_OFFSET_WORDS + 11 * ev.RING_RECORD_WORDS
    seq = words[base]
    words[base] = 0
    out, dropped = drain_all(reader)
    assert ([r[2] for r in out], dropped) == (list(range(1, 11)), 0)
    assert drain_all(reader)[0] == []  # still being written
    words[base] = seq  # published
    out, _ = drain_all(reader)
    assert [r[2] for r in out] == list(range(11, 41))
    words.release()


def test_a_lapped_reader_counts_the_lost_records_and_resumes_from_the_newest(writer):
    reader = _RingReader(PID, writer)
    drain_all(reader)
    emit_many(1, ev.RING_CAPACITY + 50)  # 50 more than the ring holds
    seen, lost = [], 0
    while True:
        out, dropped = drain_all(reader, 2048)
        lost += dropped
        if not out:
            break
        seen.extend(out)
    assert lost == 50
    assert [r[2] for r in seen] == list(range(51, ev.RING_CAPACITY + 51))
