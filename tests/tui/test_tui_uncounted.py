"""Objects whose totals are incomplete say so in the dashboard, never show wrong numbers
as if they were right (the counter table of a process is full: mptui.events.COUNTER_SLOTS)."""

from __future__ import annotations

from mptui.engine.store import Store
from mptui.tui.widgets.channel_panel import pipe_cells, queue_cells
from mptui.tui.widgets.lock_panel import lock_cells
from mptui.tui.widgets.summary_panel import summarize


def _store() -> Store:
    store = Store()
    store.apply_many(
        [
            {"kind": "run_started", "t": 1, "title": "t", "argv": ["t.py"]},
            {"kind": "object", "pid": 5, "id": 1, "type": "Queue", "label": "t.py:3"},
            {"kind": "object", "pid": 5, "id": 2, "type": "Pipe", "label": "t.py:4"},
            {"kind": "object", "pid": 5, "id": 3, "type": "Lock", "label": "t.py:5"},
            {"kind": "counter", "pid": 5, "id": 1, "op": "put", "count": 7, "bytes": 0},
            {"kind": "uncounted", "pid": 6, "id": 1, "op": "get"},
            {"kind": "uncounted", "pid": 6, "id": 2, "op": "send"},
            {"kind": "uncounted", "pid": 6, "id": 3, "op": "released"},
            {"kind": "run_ended", "t": 2, "code": 0},
        ]
    )
    return store


def test_uncounted_objects_are_marked_in_every_table_and_the_summary():
    snap = _store().snapshot()
    (queue,), (pipe,), (lock,) = snap.queues, snap.pipes, snap.locks
    assert (queue.uncounted, pipe.uncounted, lock.uncounted) == (1, 1, 1)
    assert snap.objects_uncounted == 3
    cells = [str(cell) for cell in queue_cells(queue)]
    assert cells[0] == "t.py:3 (not all counted)" and cells[1] == "?"  # depth unknown
    assert cells[4] == "≥7"
    assert str(pipe_cells(pipe)[0]).endswith("(not all counted)")
    assert str(pipe_cells(pipe)[-1]) == "?"
    assert str(lock_cells(lock, {})[0]).endswith("(not all counted)")
    assert "3 queues, pipes or locks not all counted" in summarize(snap).plain


def test_fully_counted_objects_carry_no_mark():
    store = Store()
    store.apply({"kind": "object", "pid": 5, "id": 1, "type": "Queue", "label": "t.py:3"})
    (queue,) = store.snapshot().queues
    assert str(queue_cells(queue)[0]) == "t.py:3" and store.snapshot().objects_uncounted == 0
