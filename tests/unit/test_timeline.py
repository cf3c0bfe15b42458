"""The timeline: a bounded, per-quantum history of what each process did."""

from __future__ import annotations

from mptui.engine import timeline as tl
from mptui.engine.timeline import QUANTUM_NS, Timeline, cell_of

MS = 1_000_000
A, B = 7, 8
HALF = 500 * MS


def test_each_slice_shows_what_filled_it():
    line = Timeline()
    line.record(1, 0, tl.RUN)
    line.record(1, 500 * MS, (tl.HOLD, A))
    line.record(1, 1000 * MS, (tl.WAIT, "get", B))
    line.record(1, 1500 * MS, tl.ENDED)
    cells = line.cells([1], 0, 5, HALF, upto_ns=10_000 * MS)[1]
    assert cells == (tl.RUN, (tl.HOLD, A), (tl.WAIT, "get", B), tl.ENDED, tl.ENDED)


def test_a_hold_of_a_quarter_shows_however_the_slice_cuts_it():
    """The lock lesson: 0.25 s holds in 0.5 s slices, never aligned with them."""
    line = Timeline()
    line.record(1, 0, (tl.WAIT, "acquire", A))
    line.record(1, 400 * MS, (tl.HOLD, A))  # 0.1 s in the first slice, 0.15 s in the next
    line.record(1, 650 * MS, (tl.WAIT, "acquire", A))
    cells = line.cells([1], 0, 2, HALF, upto_ns=1000 * MS)[1]
    assert cells == ((tl.WAIT, "acquire", A), (tl.HOLD, A))


def test_short_blips_show_as_running():
    line = Timeline()
    line.record(1, 0, tl.RUN)
    line.record(1, 100 * MS, (tl.WAIT, "get", B))
    line.record(1, 150 * MS, tl.RUN)
    assert line.cells([1], 0, 1, HALF, upto_ns=HALF)[1] == (tl.RUN,)


def test_a_process_still_running_is_drawn_up_to_now_and_no_further():
    line = Timeline()
    line.record(1, 250 * MS, (tl.WAIT, "acquire", A))
    cells = line.cells([1], 0, 4, HALF, upto_ns=1100 * MS)[1]
    # Born half-way through the first slice: it counts as there (half the slice alive).
    assert cells == ((tl.WAIT, "acquire", A), (tl.WAIT, "acquire", A),
                     (tl.WAIT, "acquire", A), None)  # fmt: skip
    late = line.cells([1], 0, 4, HALF, upto_ns=100 * MS)[1]
    assert late == (tl.NOT_STARTED, None, None, None)


def test_two_processes_stuck_from_the_same_moment():
    """The deadlock: each holds one lock, then waits for the other's, from one slice on."""
    line = Timeline()
    for pid, mine, theirs in ((1, A, B), (2, B, A)):
        line.record(pid, 0, tl.RUN)
        line.record(pid, 200 * MS, (tl.HOLD, mine))
        line.record(pid, 700 * MS, (tl.WAIT, "acquire", theirs))
    rows = line.cells([1, 2], 0, 6, HALF, upto_ns=3000 * MS)
    assert rows[1][2:] == ((tl.WAIT, "acquire", B),) * 4
    assert rows[2][2:] == ((tl.WAIT, "acquire", A),) * 4


def test_slices_are_fixed_on_the_clock():
    """Asked again later, a past slice is the same: a redraw repaints only what changed."""
    line = Timeline()
    line.record(1, 0, tl.RUN)
    line.record(1, 1200 * MS, (tl.HOLD, A))
    before = line.cells([1], 0, 4, HALF, upto_ns=1300 * MS)[1]
    line.record(1, 1600 * MS, tl.RUN)  # 0.1 s into the next slice: under a quarter
    after = line.cells([1], 0, 4, HALF, upto_ns=2000 * MS)[1]
    assert before[:2] == after[:2] == (tl.RUN, tl.RUN)
    assert after[2:] == ((tl.HOLD, A), tl.RUN)


def test_history_is_bounded_whatever_the_rate_of_changes():
    line = Timeline()
    t = 0
    for _ in range(200_000):  # a lock taken and given back every 0.5 ms, for 100 s
        line.record(1, t, (tl.HOLD, A))
        line.record(1, t + 100_000, tl.RUN)
        t += 500_000
    row = line._rows[1]
    assert len(row.quanta) <= tl.QUANTA
    assert all(len(spent) <= 2 for _index, spent in row.quanta)
    first = (t - 10_000 * MS) // HALF
    cells = line.cells([1], first, 10, HALF, upto_ns=t)[1]
    assert cells == ((tl.RUN,) * 10)  # held a fifth of the time: under a quarter


def test_ended_processes_leave_after_a_minute_and_rows_are_bounded():
    line = Timeline()
    for pid in range(tl.MAX_ROWS * 2):
        line.record(pid, pid * MS, tl.RUN)
        line.record(pid, pid * MS + 1, tl.ENDED)
    assert len(line._rows) <= tl.MAX_ROWS
    line.record(99_999, tl.HISTORY_NS + 10_000 * MS, tl.RUN)
    for pid in range(100_000, 100_000 + tl.MAX_ROWS // 2 + 1):
        line.record(pid, tl.HISTORY_NS + 10_000 * MS, tl.RUN)
    assert all(row.ended is None for row in line._rows.values())  # the old ended ones left


def test_a_slice_may_be_several_quanta_and_time_never_goes_back():
    line = Timeline()
    line.record(1, 0, tl.RUN)
    line.record(1, 3 * QUANTUM_NS, (tl.WAIT, "recv", B))
    line.record(1, 2 * QUANTUM_NS, tl.RUN)  # read late, from another ring: taken as now
    cells = line.cells([1], 0, 2, 4 * QUANTUM_NS, upto_ns=8 * QUANTUM_NS)[1]
    assert cells == (tl.RUN, tl.RUN)


def test_cell_of_says_not_started_or_ended_for_a_slice_mostly_without_the_process():
    assert cell_of({tl.RUN: 100}, 0, 1000, end=1000, upto=1000, ended=False) == tl.NOT_STARTED
    assert cell_of({tl.RUN: 100}, 0, 1000, end=100, upto=5000, ended=True) == tl.ENDED
    assert cell_of({}, 2000, 1000, end=100, upto=5000, ended=True) == tl.ENDED
    assert cell_of({}, 6000, 1000, end=100, upto=5000, ended=True) is None
