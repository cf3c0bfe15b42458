"""The Store: a pure, bounded fold of event dicts into immutable snapshots."""

from __future__ import annotations

import dataclasses

import pytest

from mptui import events as ev
from mptui.engine.store import DEPTH_HISTORY, DURATION_SAMPLES, Store

MPTUI = 50
RUNNER = 100
FORK_CHILD = 101
SPAWN_CHILD = 102
TRACKER = 103
FORKSERVER_CHILD = 104
FORKSERVER = 105

RUNNER_CMDLINE = "/usr/bin/python3 /lessons/lock.py --workers 2"
SPAWN_CMDLINE = (
    "/usr/bin/python3 -c from multiprocessing.spawn import spawn_main; "
    "spawn_main(tracker_fd=6, pipe_handle=8) --multiprocessing-fork"
)
TRACKER_CMDLINE = "/usr/bin/python3 -c from multiprocessing.resource_tracker import main;main(5)"
FORKSERVER_CMDLINE = (
    "/usr/bin/python3 -c from multiprocessing.forkserver import main; "
    "main(8, 9, ['__main__'], **{'sys_path': []})"
)


def line(pid: int, text: str, t: int = 0, stream: str = "stdout", **extra) -> dict:
    return {"kind": ev.LINE, "pid": pid, "stream": stream, "text": text, "t": t, **extra}


def hello(pid: int, ppid: int, cmdline: str, how: str = "exec", runner: bool = False) -> dict:
    return {
        "kind": ev.HELLO,
        "pid": pid,
        "ppid": ppid,
        "how": how,
        "runner": runner,
        "cmdline": cmdline,
        "argv": cmdline.split()[1:] if how == "exec" else [],
        "t": pid * 10,
    }


def started(pid: int, name: str, method: str) -> dict:
    return {"kind": ev.STARTED, "pid": pid, "name": name, "start_method": method, "t": pid}


def reaped(parent: int, child: int, code: int, t: int) -> dict:
    return {"kind": ev.REAPED, "pid": parent, "child": child, "code": code, "t": t}


def counter(pid: int, rk: int, oid: int, count: int, nbytes: int = 0, end: int = 0) -> dict:
    """What the collector reports for a changed counter slot: the process's totals."""
    return ev.counter_event(pid, rk << 56 | end << 48 | oid, count, nbytes)


def gone(pid: int, t: int) -> dict:
    return {"kind": ev.GONE, "pid": pid, "t": t}


def realistic_run() -> list[dict]:
    """One run of a lesson: runner, fork/spawn/forkserver children, the two helpers."""
    return [
        {
            "kind": ev.RUN_STARTED,
            "t": 1_000,
            "title": "Take turns with a Lock",
            "argv": ["/lessons/lock.py", "--workers", "2"],
            "start_method": "spawn",
            "params": {"workers": 2},
        },
        hello(RUNNER, MPTUI, RUNNER_CMDLINE, runner=True),
        line(RUNNER, "starting workers", t=1_100),
        hello(FORK_CHILD, RUNNER, RUNNER_CMDLINE, how="fork"),  # inherits the runner's
        hello(SPAWN_CHILD, RUNNER, SPAWN_CMDLINE),
        hello(TRACKER, RUNNER, TRACKER_CMDLINE),
        hello(FORKSERVER, RUNNER, FORKSERVER_CMDLINE),
        hello(FORKSERVER_CHILD, FORKSERVER, FORKSERVER_CMDLINE, how="fork"),
        started(FORK_CHILD, "Process-1", "fork"),
        started(SPAWN_CHILD, "Process-2", "spawn"),
        started(FORKSERVER_CHILD, "Process-3", "forkserver"),
        line(FORK_CHILD, "one", t=2_000),
        line(SPAWN_CHILD, "two", t=2_100),
        line(SPAWN_CHILD, "Traceback (most recent call last):", t=2_200, stream="stderr"),
        line(FORKSERVER_CHILD, "three", t=2_300),
        line(FORKSERVER_CHILD, "no newline", t=2_400, partial=True),
        {"kind": ev.EXITED, "pid": FORK_CHILD, "code": 0, "t": 3_000},
        {"kind": ev.EXITED, "pid": SPAWN_CHILD, "code": 0, "t": 3_100},  # then SIGKILLed
        gone(FORK_CHILD, 3_200),
        reaped(RUNNER, FORK_CHILD, 0, 3_300),
        reaped(RUNNER, SPAWN_CHILD, -9, 3_400),
        gone(SPAWN_CHILD, 3_500),
        {"kind": ev.EXITED, "pid": FORKSERVER_CHILD, "code": 0, "t": 3_600},
        gone(FORKSERVER_CHILD, 3_700),
        {"kind": ev.EXITED, "pid": RUNNER, "code": 0, "t": 4_000},
        gone(RUNNER, 4_100),
        reaped(MPTUI, RUNNER, 0, 4_200),
        {"kind": ev.RUN_ENDED, "t": 4_200, "code": 0},
        # The helpers end once the main process has gone, and are reaped by mptui.
        gone(TRACKER, 4_300),
        gone(FORKSERVER, 4_300),
        reaped(MPTUI, TRACKER, 0, 4_400),
        reaped(MPTUI, FORKSERVER, 0, 4_400),
    ]


@pytest.fixture
def snap():
    store = Store()
    store.apply_many(realistic_run())
    return store.snapshot()


# --------------------------------------------------------------------------------------
# A whole run


def test_realistic_run_roles_and_names(snap):
    by_pid = {p.pid: p for p in snap.processes}
    assert set(by_pid) == {RUNNER, FORK_CHILD, SPAWN_CHILD, TRACKER, FORKSERVER, FORKSERVER_CHILD}
    assert (by_pid[RUNNER].role, by_pid[RUNNER].name) == ("runner", "MainProcess")
    assert (by_pid[FORK_CHILD].role, by_pid[FORK_CHILD].name) == ("child", "Process-1")
    assert (by_pid[SPAWN_CHILD].role, by_pid[SPAWN_CHILD].name) == ("child", "Process-2")
    assert (by_pid[TRACKER].role, by_pid[TRACKER].name) == ("helper", "resource_tracker")
    assert (by_pid[FORKSERVER].role, by_pid[FORKSERVER].name) == ("helper", "forkserver")
    # A fork child of the fork server inherits its command line: still a child.
    assert (by_pid[FORKSERVER_CHILD].role, by_pid[FORKSERVER_CHILD].name) == (
        "child",
        "Process-3",
    )
    assert by_pid[FORK_CHILD].ppid == RUNNER
    assert by_pid[FORKSERVER_CHILD].ppid == FORKSERVER
    assert by_pid[FORK_CHILD].start_method == "fork"
    assert by_pid[SPAWN_CHILD].start_method == "spawn"
    assert by_pid[FORKSERVER_CHILD].start_method == "forkserver"


def test_realistic_run_exits_and_signals(snap):
    by_pid = {p.pid: p for p in snap.processes}
    fork, spawn = by_pid[FORK_CHILD], by_pid[SPAWN_CHILD]
    assert (fork.state, fork.exitcode, fork.signal) == ("exited", 0, None)
    # The parent saw SIGKILL: that beats the child's own "exited 0".
    assert (spawn.state, spawn.exitcode, spawn.signal) == ("killed", -9, "SIGKILL")
    assert not spawn.alive
    assert spawn.ended_ns == 3_400
    assert fork.ended_ns == 3_200
    assert (by_pid[FORKSERVER_CHILD].state, by_pid[FORKSERVER_CHILD].exitcode) == ("exited", 0)
    assert (by_pid[RUNNER].state, by_pid[RUNNER].exitcode) == ("exited", 0)
    # The helpers ended after the main process, and mptui reaped them.
    assert (by_pid[TRACKER].state, by_pid[TRACKER].exitcode) == ("exited", 0)
    assert snap.failed == (spawn,)


def test_realistic_run_lines_and_run_view(snap):
    by_pid = {p.pid: p for p in snap.processes}
    assert snap.lines_total == 6 == snap.lines_retained
    assert by_pid[RUNNER].lines == 1
    assert by_pid[FORK_CHILD].lines == 1
    assert by_pid[SPAWN_CHILD].lines == 2
    assert by_pid[FORKSERVER_CHILD].lines == 2
    assert by_pid[TRACKER].lines == 0
    run = snap.run
    assert run.state == "ended"
    assert run.title == "Take turns with a Lock"
    assert run.argv == ("/lessons/lock.py", "--workers", "2")
    assert run.start_method == "spawn"
    assert run.params == (("workers", "2"),)
    assert (run.started_ns, run.ended_ns, run.exitcode) == (1_000, 4_200, 0)
    assert snap.bad_messages == 0
    assert snap.events_dropped == 0


def test_realistic_run_log_lines_are_tagged():
    store = Store()
    store.apply_many(realistic_run())
    delta = store.log_since(0)
    assert [(x.seq, x.pid, x.name, x.stream, x.text) for x in delta.lines] == [
        (1, RUNNER, "MainProcess", "stdout", "starting workers"),
        (2, FORK_CHILD, "Process-1", "stdout", "one"),
        (3, SPAWN_CHILD, "Process-2", "stdout", "two"),
        (4, SPAWN_CHILD, "Process-2", "stderr", "Traceback (most recent call last):"),
        (5, FORKSERVER_CHILD, "Process-3", "stdout", "three"),
        (6, FORKSERVER_CHILD, "Process-3", "stdout", "no newline"),
    ]
    assert [x.partial for x in delta.lines] == [False] * 5 + [True]
    assert delta.lines[2].t_ns == 2_100
    assert (delta.cursor, delta.skipped) == (6, 0)


def test_snapshot_process_lookup(snap):
    assert snap.process(SPAWN_CHILD).name == "Process-2"
    assert snap.process(999) is None


def test_the_fold_is_pure():
    first, second = Store(), Store()
    events = realistic_run()
    first.apply_many(events)
    for event in events:  # one at a time this time
        second.apply(dict(event))
    a, b = first.snapshot(), second.snapshot()
    assert dataclasses.replace(a, version=0, live_version=0) == dataclasses.replace(
        b, version=0, live_version=0
    )  # versions count batches: one batch or many


# --------------------------------------------------------------------------------------
# Process states


def test_states_starting_running_exited_killed():
    store = Store()
    store.apply(hello(SPAWN_CHILD, RUNNER, SPAWN_CMDLINE))
    proc = store.snapshot().process(SPAWN_CHILD)
    assert (proc.state, proc.name, proc.alive) == ("starting", f"pid {SPAWN_CHILD}", True)

    store.apply(started(SPAWN_CHILD, "Worker", "spawn"))
    assert store.snapshot().process(SPAWN_CHILD).state == "running"

    # The process reports its code while tearing down: not ended until its channel closes.
    store.apply({"kind": ev.EXITED, "pid": SPAWN_CHILD, "code": 3, "t": 50})
    proc = store.snapshot().process(SPAWN_CHILD)
    assert (proc.state, proc.exitcode, proc.ended_ns) == ("running", 3, None)

    store.apply(gone(SPAWN_CHILD, 60))
    proc = store.snapshot().process(SPAWN_CHILD)
    assert (proc.state, proc.exitcode, proc.signal, proc.ended_ns) == ("exited", 3, None, 60)
    assert not proc.alive

    store.apply(hello(FORK_CHILD, RUNNER, RUNNER_CMDLINE, how="fork"))
    assert store.snapshot().process(FORK_CHILD).state == "running"  # fork: no import phase
    store.apply(reaped(RUNNER, FORK_CHILD, -15, 70))
    proc = store.snapshot().process(FORK_CHILD)
    assert (proc.state, proc.exitcode, proc.signal) == ("killed", -15, "SIGTERM")


def test_gone_without_any_code_is_exited_with_unknown_code():
    store = Store()
    store.apply_many([hello(FORK_CHILD, RUNNER, "", how="fork"), gone(FORK_CHILD, 9)])
    proc = store.snapshot().process(FORK_CHILD)
    assert (proc.state, proc.exitcode, proc.signal) == ("exited", None, None)
    assert store.snapshot().failed == ()


@pytest.mark.parametrize("order", ["exited-first", "reaped-first"])
def test_reaped_code_overrides_self_reported_code(order):
    exited = {"kind": ev.EXITED, "pid": FORK_CHILD, "code": 0, "t": 5}
    reap = reaped(RUNNER, FORK_CHILD, -9, 6)
    events = [exited, reap] if order == "exited-first" else [reap, exited]
    store = Store()
    store.apply_many([hello(FORK_CHILD, RUNNER, "", how="fork"), *events, gone(FORK_CHILD, 7)])
    proc = store.snapshot().process(FORK_CHILD)
    assert (proc.state, proc.exitcode, proc.signal) == ("killed", -9, "SIGKILL")


def test_unknown_signal_number_still_has_a_name():
    store = Store()
    store.apply(reaped(RUNNER, FORK_CHILD, -200, 1))
    proc = store.snapshot().process(FORK_CHILD)
    assert proc.state == "killed"
    assert proc.signal == "signal 200"


def test_name_of():
    store = Store()
    assert store.name_of(42) == "pid 42"
    store.apply(hello(RUNNER, MPTUI, RUNNER_CMDLINE, runner=True))
    store.apply(hello(TRACKER, RUNNER, TRACKER_CMDLINE))
    store.apply(hello(FORK_CHILD, RUNNER, RUNNER_CMDLINE, how="fork"))
    assert store.name_of(RUNNER) == "MainProcess"
    assert store.name_of(TRACKER) == "resource_tracker"
    assert store.name_of(FORK_CHILD) == f"pid {FORK_CHILD}"
    store.apply(started(FORK_CHILD, "Worker-7", "fork"))
    assert store.name_of(FORK_CHILD) == "Worker-7"


def test_metrics_update_known_processes_and_ignore_unknown_pids():
    store = Store()
    store.apply(hello(RUNNER, MPTUI, RUNNER_CMDLINE, runner=True))
    store.apply({"kind": ev.METRICS, "t": 1, "samples": [[RUNNER, 12.5, 4096], [999, 99.0, 1]]})
    snap = store.snapshot()
    assert [p.pid for p in snap.processes] == [RUNNER]
    assert (snap.process(RUNNER).cpu_percent, snap.process(RUNNER).rss_bytes) == (12.5, 4096)
    assert snap.bad_messages == 0


def test_dropped_events_are_summed():
    store = Store()
    store.apply_many([{"kind": ev.DROPPED, "pid": 1, "count": 5}, {"kind": ev.DROPPED, "count": 7}])
    assert store.snapshot().events_dropped == 12


# --------------------------------------------------------------------------------------
# The log ring


def fill(store: Store, count: int) -> None:
    store.apply(started(1, "one", "fork"))
    store.apply(started(2, "two", "fork"))
    store.apply_many(line(1 + i % 2, f"line {i + 1}", t=i) for i in range(count))


def test_log_ring_is_bounded_but_totals_count_everything():
    store = Store(log_capacity=5)
    fill(store, 12)
    snap = store.snapshot()
    assert snap.lines_total == 12
    assert snap.lines_retained == 5
    assert snap.process(1).lines == 6
    assert snap.process(2).lines == 6
    assert [x.seq for x in store.log_since(0).lines] == [8, 9, 10, 11, 12]
    assert [x.text for x in store.log_since(0).lines] == [f"line {n}" for n in range(8, 13)]


def test_log_since_returns_only_newer_lines():
    store = Store(log_capacity=100)
    fill(store, 10)
    delta = store.log_since(7)
    assert [x.seq for x in delta.lines] == [8, 9, 10]
    assert (delta.cursor, delta.skipped) == (10, 0)
    again = store.log_since(delta.cursor)
    assert (again.lines, again.cursor, again.skipped) == ((), 10, 0)
    store.apply(line(1, "eleven"))
    latest = store.log_since(delta.cursor)
    assert [(x.seq, x.text) for x in latest.lines] == [(11, "eleven")]
    assert latest.cursor == 11


def test_log_since_counts_lines_evicted_before_being_read():
    store = Store(log_capacity=5)
    fill(store, 12)  # retained: 8..12
    assert store.log_since(0).skipped == 7
    assert store.log_since(5).skipped == 2
    assert store.log_since(7).skipped == 0
    assert store.log_since(9).skipped == 0
    delta = store.log_since(5)
    assert [x.seq for x in delta.lines] == [8, 9, 10, 11, 12]
    # Nothing lost from the reader's point of view: read + skipped = everything after cursor.
    assert len(delta.lines) + delta.skipped == 12 - 5


def test_log_since_limit_keeps_the_newest():
    store = Store(log_capacity=100)
    fill(store, 10)
    delta = store.log_since(0, limit=3)
    assert [x.seq for x in delta.lines] == [8, 9, 10]
    assert (delta.cursor, delta.skipped) == (10, 7)
    assert [x.seq for x in store.log_since(8, limit=5).lines] == [9, 10]
    assert store.log_since(8, limit=5).skipped == 0


def test_log_since_limit_and_eviction_add_up():
    store = Store(log_capacity=5)
    fill(store, 12)
    delta = store.log_since(2, limit=2)
    assert [x.seq for x in delta.lines] == [11, 12]
    assert delta.skipped == 8  # 3..7 evicted, 8..10 over the limit


def test_log_since_limit_zero_returns_nothing():
    store = Store(log_capacity=100)
    fill(store, 4)
    delta = store.log_since(0, limit=0)
    assert delta.lines == ()
    assert delta.skipped == 4


def test_lines_batch_counts_every_line_and_keeps_the_newest():
    store = Store(log_capacity=5)
    store.apply(started(3, "Flood", "fork"))
    store.apply(line(3, "single"))
    store.apply(
        {"kind": ev.LINES, "pid": 3, "stream": "stderr", "texts": [str(i) for i in range(12)]}
    )
    store.apply(line(3, "after"))
    snap = store.snapshot()
    assert (snap.lines_total, snap.lines_retained, snap.process(3).lines) == (14, 5, 14)
    delta = store.log_since(0)
    assert [(x.seq, x.text) for x in delta.lines] == [
        (10, "8"),
        (11, "9"),
        (12, "10"),
        (13, "11"),
        (14, "after"),
    ]
    assert [x.stream for x in delta.lines] == ["stderr"] * 4 + ["stdout"]
    assert {x.name for x in delta.lines} == {"Flood"}
    assert delta.skipped == 9


def test_lines_batch_marks_only_its_last_line_partial():
    store = Store()
    store.apply({"kind": ev.LINES, "pid": 3, "texts": ["a", "b", "c"], "t": 7, "partial": True})
    lines = store.log_since(0).lines
    assert [(x.text, x.partial, x.t_ns) for x in lines] == [
        ("a", False, 7),
        ("b", False, 7),
        ("c", True, 7),
    ]
    assert store.log_since(1, limit=1).lines[0].text == "c"


def test_partial_lines_batch_with_no_log_ring_is_still_counted():
    store = Store(log_capacity=0)
    store.apply({"kind": ev.LINES, "pid": 3, "texts": ["a", "b"], "partial": True})
    assert store.snapshot().lines_total == 2
    assert store.log_since(0).skipped == 2


def test_log_line_name_is_the_name_when_written():
    store = Store()
    store.apply(line(7, "before start"))
    store.apply(started(7, "Worker", "spawn"))
    store.apply(line(7, "after start"))
    names = [x.name for x in store.log_since(0).lines]
    assert names == ["pid 7", "Worker"]


# --------------------------------------------------------------------------------------
# Snapshots


def test_snapshot_is_cached_until_something_changes():
    store = Store()
    first = store.snapshot()
    assert store.snapshot() is first
    store.apply_many([])
    assert store.snapshot() is first
    store.apply(line(1, "x"))
    second = store.snapshot()
    assert second is not first
    assert second.version == first.version + 1
    assert store.snapshot() is second


def test_one_batch_is_one_version():
    store = Store()
    before = store.snapshot().version
    store.apply_many([line(1, "a"), line(1, "b"), line(2, "c")])
    assert store.snapshot().version == before + 1


def test_old_snapshots_are_not_changed_by_later_events():
    store = Store()
    store.apply_many([started(1, "one", "fork"), line(1, "a")])
    old = store.snapshot()
    store.apply_many([line(1, "b"), reaped(0, 1, -9, 5)])
    assert old.process(1).lines == 1
    assert old.process(1).state == "running"
    assert old.lines_total == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        old.lines_total = 2  # type: ignore[misc]
    assert isinstance(old.processes, tuple)


# --------------------------------------------------------------------------------------
# Locks

LOCK = ev.make_object_id(RUNNER, 1)


def lock_event(kind: str, pid: int, t: int, **extra) -> dict:
    return {"kind": kind, "pid": pid, "id": LOCK, "t": t, **extra}


def acquired(pid: int, t: int, wait_ns: int = 0) -> dict:
    return lock_event(ev.LOCK_ACQUIRED, pid, t, wait_ns=wait_ns)


def released(pid: int, t: int, hold_ns: int) -> dict:
    return lock_event(ev.LOCK_RELEASED, pid, t, hold_ns=hold_ns)


def wait(pid: int, t: int) -> dict:
    return lock_event(ev.LOCK_WAIT, pid, t)


def the_lock(store: Store):
    (lock,) = store.snapshot().locks
    return lock


def test_lock_declaration_gives_label_kind_and_creator():
    store = Store()
    store.apply({"kind": ev.OBJECT, "pid": RUNNER, "id": LOCK, "type": "RLock", "label": "a.py:9"})
    lock = the_lock(store)
    assert (lock.label, lock.kind, lock.creator_pid, lock.holder) == (
        "a.py:9",
        "RLock",
        RUNNER,
        None,
    )
    assert (lock.acquisitions, lock.wait_p50_ns, lock.hold_p95_ns) == (0, None, None)


def test_uncontended_acquire_counts_an_acquisition_only():
    store = Store()
    store.apply(acquired(1, t=100))
    lock = the_lock(store)
    assert (lock.holder, lock.held_since_ns) == (1, 100)
    assert (lock.acquisitions, lock.contended, lock.timeouts) == (1, 0, 0)
    assert (lock.wait_total_ns, lock.wait_max_ns, lock.wait_p50_ns) == (0, 0, None)
    assert lock.contended_percent == 0.0
    store.apply(released(1, t=600, hold_ns=500))
    lock = the_lock(store)
    assert (lock.holder, lock.held_since_ns) == (None, None)
    assert (lock.hold_total_ns, lock.hold_max_ns, lock.hold_p50_ns) == (500, 500, 500)


def test_wait_then_acquire_is_contended_with_its_wait_time():
    store = Store()
    store.apply_many([acquired(1, t=100), wait(2, t=150), wait(3, t=140)])
    lock = the_lock(store)
    assert lock.waiters == ((3, 140), (2, 150))  # oldest waiter first
    assert lock.holder == 1
    store.apply_many([released(1, t=200, hold_ns=100), acquired(2, t=210, wait_ns=60)])
    lock = the_lock(store)
    assert lock.holder == 2
    assert lock.waiters == ((3, 140),)
    assert (lock.acquisitions, lock.contended) == (2, 1)
    assert (lock.wait_total_ns, lock.wait_max_ns, lock.wait_p50_ns) == (60, 60, 60)
    assert lock.contended_percent == 50.0


def test_blocked_acquire_counts_as_contended_without_its_wait_record():
    store = Store()
    store.apply(acquired(4, t=10, wait_ns=25))  # the wait record was dropped
    assert (the_lock(store).contended, the_lock(store).wait_total_ns) == (1, 25)
    store.apply_many([released(4, t=20, hold_ns=10), wait(5, t=30), acquired(5, t=30)])
    assert the_lock(store).contended == 2  # it waited, even if for less than a tick


def test_late_release_by_previous_holder_does_not_clear_the_new_holder():
    store = Store()
    # Rings are read one process after another: 2's ACQUIRED before 1's RELEASED.
    store.apply_many(
        [acquired(1, t=100), wait(2, t=110), acquired(2, t=205, wait_ns=95)],
    )
    store.apply(released(1, t=200, hold_ns=100))
    lock = the_lock(store)
    assert (lock.holder, lock.held_since_ns) == (2, 205)
    assert lock.hold_total_ns == 100  # the hold is still counted
    store.apply(released(2, t=300, hold_ns=95))
    assert the_lock(store).holder is None


def test_timeout_removes_the_waiter_and_counts():
    store = Store()
    store.apply_many([acquired(1, t=0), wait(2, t=10), wait(3, t=11)])
    store.apply(lock_event(ev.LOCK_TIMEOUT, 2, t=1_010, wait_ns=1_000))
    lock = the_lock(store)
    assert lock.waiters == ((3, 11),)
    assert lock.timeouts == 1
    # A wait that timed out blocked all the same: it counts as contended, with its time.
    assert (lock.acquisitions, lock.contended, lock.holder) == (1, 1, 1)
    assert (lock.wait_total_ns, lock.wait_max_ns) == (1_000, 1_000)
    assert lock.contended_percent == 50.0  # one of two acquires blocked


def test_holder_dead_when_the_holder_process_is_gone():
    store = Store()
    store.apply_many([started(7, "Worker", "fork"), acquired(7, t=5)])
    assert the_lock(store).holder_dead is False
    store.apply({"kind": ev.EXITED, "pid": 7, "code": 1, "t": 6})  # still tearing down
    assert the_lock(store).holder_dead is False
    store.apply(gone(7, t=8))
    lock = the_lock(store)
    assert (lock.holder, lock.holder_dead) == (7, True)


def test_holder_dead_when_the_holder_was_killed():
    store = Store()
    store.apply_many([started(8, "Worker", "spawn"), acquired(8, t=5), reaped(RUNNER, 8, -9, 9)])
    assert the_lock(store).holder_dead is True


def test_released_lock_of_a_dead_process_is_not_held_by_the_dead():
    store = Store()
    store.apply_many([acquired(7, t=5), released(7, t=6, hold_ns=1), gone(7, t=8)])
    assert the_lock(store).holder_dead is False


def test_wait_and_hold_percentiles():
    store = Store()
    events = []
    for i in range(1, 101):
        events += [wait(1, t=i * 1000), acquired(1, t=i * 1000 + i, wait_ns=i)]
        events.append(released(1, t=i * 1000 + 500, hold_ns=i * 10))
    store.apply_many(events)
    lock = the_lock(store)
    assert (lock.acquisitions, lock.contended) == (100, 100)
    assert (lock.wait_total_ns, lock.wait_max_ns) == (5050, 100)
    assert (lock.hold_total_ns, lock.hold_max_ns) == (50500, 1000)
    assert 49 <= lock.wait_p50_ns <= 52
    assert 94 <= lock.wait_p95_ns <= 97
    assert 490 <= lock.hold_p50_ns <= 520
    assert 940 <= lock.hold_p95_ns <= 970


def test_percentiles_use_a_bounded_window_but_totals_do_not():
    store = Store()
    slow = [acquired(1, t=i, wait_ns=1_000_000) for i in range(500)]
    fast = [acquired(1, t=1000 + i, wait_ns=1) for i in range(DURATION_SAMPLES)]
    store.apply_many(slow + fast)
    lock = the_lock(store)
    assert lock.wait_p95_ns == 1  # the slow ones left the window
    assert lock.wait_max_ns == 1_000_000
    assert lock.wait_total_ns == 500 * 1_000_000 + DURATION_SAMPLES
    assert lock.acquisitions == 500 + DURATION_SAMPLES


def test_lock_counters_give_exact_totals_when_records_were_dropped():
    store = Store()
    # Only a few records survived; the agents' counters know every operation.
    store.apply_many([acquired(1, t=10), released(1, t=15, hold_ns=5), acquired(3, t=20)])
    store.apply_many(
        [
            counter(1, ev.RK_LOCK_RELEASES, LOCK, 1000, 5_000_000),
            counter(2, ev.RK_LOCK_RELEASES, LOCK, 500, 1_000_000),
            counter(2, ev.RK_LOCK_CONTENDED, LOCK, 300, 9_000),
            counter(3, ev.RK_LOCK_TIMEOUTS, LOCK, 2, 4_000),
        ]
    )
    lock = the_lock(store)
    assert lock.acquisitions == 1000 + 500 + 1  # released ones, plus the one held now
    # Waits that timed out are waits too: 300 that got it, 2 that gave up.
    assert (lock.contended, lock.wait_total_ns) == (302, 13_000)
    assert lock.hold_total_ns == 6_000_000
    assert lock.timeouts == 2
    assert lock.holder == 3
    # Totals again (not increments): repeating them changes nothing.
    store.apply(counter(2, ev.RK_LOCK_CONTENDED, LOCK, 300, 9_000))
    assert the_lock(store).contended == 302


def test_dropped_records_forget_that_process_lock_state():
    store = Store()
    store.apply_many([acquired(1, t=10), wait(2, t=11), wait(3, t=12)])
    store.apply({"kind": ev.DROPPED, "pid": 1, "count": 40})
    lock = the_lock(store)
    assert (lock.holder, lock.held_since_ns) == (None, None)
    assert lock.waiters == ((2, 11), (3, 12))
    store.apply({"kind": ev.DROPPED, "pid": 2, "count": 1})
    assert the_lock(store).waiters == ((3, 12),)
    assert store.snapshot().events_dropped == 41


def test_lock_use_before_its_declaration_keeps_its_counts():
    store = Store()
    store.apply(acquired(1, t=1))
    assert the_lock(store).label == f"Lock {LOCK:x}"
    store.apply({"kind": ev.OBJECT, "pid": RUNNER, "id": LOCK, "type": "Lock", "label": "l.py:3"})
    lock = the_lock(store)
    assert (lock.label, lock.acquisitions, lock.holder) == ("l.py:3", 1, 1)


# --------------------------------------------------------------------------------------
# Queues and pipes

QUEUE = ev.make_object_id(RUNNER, 2)
PIPE = ev.make_object_id(RUNNER, 3)


def puts(total: int, pid: int = 1) -> dict:
    return counter(pid, ev.RK_QUEUE_PUT, QUEUE, total)


def gets(total: int, pid: int = 2) -> dict:
    return counter(pid, ev.RK_QUEUE_GET, QUEUE, total)


def test_queue_puts_gets_depth_rates_and_history():
    store = Store()
    declared = {"type": "Queue", "label": "q.py:4", "maxsize": 3}
    store.apply({"kind": ev.OBJECT, "pid": RUNNER, "id": QUEUE, **declared})
    store.apply_many([puts(5), gets(2)])
    (queue,) = store.snapshot().queues
    assert (queue.label, queue.creator_pid, queue.maxsize) == ("q.py:4", RUNNER, 3)
    assert (queue.puts, queue.gets, queue.depth) == (5, 2, 3)
    assert (queue.put_rate, queue.get_rate, queue.depth_history) == (0.0, 0.0, ())

    store.apply({"kind": ev.TICK, "t": 1_000_000_000})  # the first tick: a baseline
    (queue,) = store.snapshot().queues
    assert (queue.put_rate, queue.get_rate, queue.depth_history) == (0.0, 0.0, (3,))

    store.apply_many([puts(15), gets(6)])
    store.apply({"kind": ev.TICK, "t": 3_000_000_000})  # two seconds later
    (queue,) = store.snapshot().queues
    assert queue.put_rate == pytest.approx(5.0)
    assert queue.get_rate == pytest.approx(2.0)
    assert queue.depth_history == (3, 9)
    assert queue.depth == 9

    store.apply({"kind": ev.TICK, "t": 4_000_000_000})  # a quiet second
    (queue,) = store.snapshot().queues
    assert (queue.put_rate, queue.get_rate, queue.depth_history) == (0.0, 0.0, (3, 9, 9))


def test_queue_depth_never_negative_when_gets_are_read_first():
    store = Store()
    store.apply(gets(2))  # the consumer's ring was read first
    (queue,) = store.snapshot().queues
    assert (queue.gets, queue.depth, queue.label) == (2, 0, f"Queue {QUEUE:x}")
    store.apply(puts(3))
    assert store.snapshot().queues[0].depth == 1


def test_queue_depth_history_is_bounded():
    store = Store()
    store.apply(puts(1))
    store.apply_many({"kind": ev.TICK, "t": (i + 1) * 10**9} for i in range(DEPTH_HISTORY + 30))
    assert len(store.snapshot().queues[0].depth_history) == DEPTH_HISTORY


def test_queue_counters_are_per_process_totals():
    store = Store()
    store.apply_many(
        [
            counter(1, ev.RK_QUEUE_PUT, QUEUE, 3),
            counter(2, ev.RK_QUEUE_PUT, QUEUE, 4),
            counter(3, ev.RK_QUEUE_GET, QUEUE, 2),
        ]
    )
    (queue,) = store.snapshot().queues
    assert (queue.puts, queue.gets, queue.depth) == (7, 2, 5)
    # Totals, not increments: the same total again changes nothing, a larger one adds.
    store.apply(counter(1, ev.RK_QUEUE_PUT, QUEUE, 3))
    assert store.snapshot().queues[0].puts == 7
    store.apply_many(
        [counter(1, ev.RK_QUEUE_PUT, QUEUE, 10), counter(3, ev.RK_QUEUE_GET, QUEUE, 9)]
    )
    (queue,) = store.snapshot().queues
    assert (queue.puts, queue.gets, queue.depth) == (14, 9, 5)


def test_queue_rates_from_counters():
    store = Store()
    store.apply_many([counter(1, ev.RK_QUEUE_PUT, QUEUE, 4), {"kind": ev.TICK, "t": 10**9}])
    store.apply_many([counter(1, ev.RK_QUEUE_PUT, QUEUE, 24), {"kind": ev.TICK, "t": 3 * 10**9}])
    (queue,) = store.snapshot().queues
    assert queue.put_rate == pytest.approx(10.0)
    assert queue.depth_history == (4, 24)


def test_pipe_counters_per_end():
    store = Store()
    declared = {"type": "Pipe", "label": "p.py:8", "duplex": False}
    store.apply({"kind": ev.OBJECT, "pid": RUNNER, "id": PIPE, **declared})
    store.apply_many(
        [
            counter(1, ev.RK_PIPE_SEND, PIPE, 2, 25, end=0),
            counter(2, ev.RK_PIPE_RECV, PIPE, 1, 10, end=1),
            counter(2, ev.RK_PIPE_SEND, PIPE, 1, 7, end=1),
            counter(1, ev.RK_PIPE_RECV, PIPE, 1, 7, end=0),
            counter(2, ev.RK_PIPE_RECV, PIPE, 2, 25, end=1),  # its total grew
        ]
    )
    (pipe,) = store.snapshot().pipes
    assert (pipe.label, pipe.creator_pid, pipe.duplex) == ("p.py:8", RUNNER, False)
    assert pipe.sent == (2, 1)
    assert pipe.sent_bytes == (25, 7)
    assert pipe.received == (1, 2)
    assert pipe.received_bytes == (7, 25)


# --------------------------------------------------------------------------------------
# Malformed events


@pytest.mark.parametrize(
    "event",
    [
        {},
        {"kind": None},
        {"kind": "bogus", "pid": 1},
        {"kind": "bad_message", "pid": 1},  # what the collector sends for undecodable lines
        {"kind": "unknown", "pid": 1, "id": 1, "t": 0},  # an unknown ring kind
        {"kind": ev.HELLO},
        {"kind": ev.HELLO, "pid": 1, "argv": 5},
        {"kind": ev.HELLO, "pid": [1]},
        {"kind": ev.STARTED},
        {"kind": ev.EXITED},
        {"kind": ev.REAPED, "pid": 1},
        {"kind": ev.GONE},
        {"kind": ev.LINE, "text": "who?"},
        {"kind": ev.LINES, "pid": 1},
        {"kind": ev.LINES, "pid": 1, "texts": 5},
        {"kind": ev.METRICS, "t": 1},
        {"kind": ev.METRICS, "t": 1, "samples": 5},
        {"kind": ev.METRICS, "t": 1, "samples": [[1, 2]]},
        {"kind": ev.TICK},
        {"kind": ev.DROPPED, "pid": 1},
        {"kind": ev.DROPPED, "pid": 1, "count": "many"},
        {"kind": ev.DROPPED, "pid": 1, "count": None},
        {"kind": ev.RUN_STARTED, "title": "no t"},
        {"kind": ev.RUN_STARTED, "t": 1, "argv": None},
        {"kind": ev.RUN_ENDED},
        {"kind": ev.OBJECT, "pid": 1, "type": "Lock"},
        {"kind": ev.OBJECT, "pid": 1, "id": 5},
        {"kind": ev.OBJECT, "pid": 1, "id": 5, "type": "Queue", "maxsize": "big"},
        {"kind": ev.LOCK_WAIT, "pid": 1, "t": 1},
        {"kind": ev.LOCK_WAIT, "id": 1, "t": 1},
        {"kind": ev.LOCK_ACQUIRED, "pid": 1, "id": 1},
        {"kind": ev.LOCK_ACQUIRED, "pid": 1, "id": 1, "t": 1, "wait_ns": "slow"},
        {"kind": ev.LOCK_RELEASED, "id": 1, "t": 1, "hold_ns": 1},
        {"kind": ev.LOCK_RELEASED, "pid": 1, "id": 1, "t": 1, "hold_ns": None},
        {"kind": ev.LOCK_TIMEOUT, "id": 1},
        {"kind": "queue_put", "pid": 1, "id": 1, "t": 1},  # recording-only kinds, removed
        {"kind": "pipe_send", "pid": 1, "id": 1, "end": 0, "t": 1, "bytes": 3},
        {"kind": ev.COUNTER, "pid": 1, "id": [1], "op": "get", "count": 1},
        {"kind": ev.COUNTER, "pid": 1, "id": 1, "op": "unknown", "count": 1, "bytes": 0},
        {"kind": ev.COUNTER, "pid": 1, "id": 1, "count": 1},
        {"kind": ev.COUNTER, "pid": 1, "id": 1, "op": "put"},
        {"kind": ev.COUNTER, "pid": 1, "id": 1, "op": "put", "count": "many"},
    ],
)
def test_malformed_event_is_counted_and_never_raises(event):
    store = Store()
    store.apply_many([line(1, "before"), event, line(1, "after")])
    snap = store.snapshot()
    assert snap.bad_messages == 1
    # The rest of the batch is still applied.
    assert snap.lines_total == 2
    assert [x.text for x in store.log_since(0).lines] == ["before", "after"]


def test_bad_messages_accumulate_and_bump_the_version():
    store = Store()
    first = store.snapshot()
    store.apply_many([{"kind": "bogus"}, {"kind": ev.GONE}, {"kind": ev.TICK}])
    snap = store.snapshot()
    assert snap.bad_messages == 3
    assert snap.version > first.version


def test_line_without_text_is_not_counted_as_a_line():
    store = Store()
    store.apply_many([line(1, "before"), {"kind": ev.LINE, "pid": 1}, line(1, "after")])
    snap = store.snapshot()
    assert snap.bad_messages == 1
    assert snap.lines_total == 2
    assert snap.process(1).lines == 2
    assert store.log_since(0).skipped == 0


def test_exited_with_a_non_integer_code_does_not_break_snapshots():
    store = Store()
    store.apply_many([started(5, "Worker", "fork"), {"kind": ev.EXITED, "pid": 5, "code": "bye"}])
    snap = store.snapshot()
    assert snap.bad_messages == 1
    assert snap.process(5).exitcode is None


def test_reaped_with_a_non_integer_code_does_not_break_snapshots():
    store = Store()
    store.apply_many([started(5, "Worker", "fork"), reaped(RUNNER, 5, 0, 1)])
    store.apply({"kind": ev.REAPED, "pid": RUNNER, "child": 5, "code": "x", "t": 2})
    snap = store.snapshot()
    assert snap.bad_messages == 1
    assert snap.process(5).exitcode == 0


@pytest.mark.parametrize("kind", ["Lock", "Queue", "Pipe"])
def test_object_with_a_non_integer_id_does_not_break_snapshots(kind):
    store = Store()
    store.apply({"kind": ev.OBJECT, "pid": 1, "id": "abc", "type": kind, "label": ""})
    snap = store.snapshot()
    assert snap.bad_messages == 1


def test_run_started_with_bad_params_is_counted_not_raised():
    store = Store()
    store.apply_many(
        [line(1, "a"), {"kind": ev.RUN_STARTED, "t": 1, "params": [["a", "b"]]}, line(1, "b")]
    )
    snap = store.snapshot()
    assert snap.bad_messages == 1
    assert snap.lines_total == 2


def test_unhashable_kind_is_counted_not_raised():
    store = Store()
    store.apply({"kind": ["hello"], "pid": 1})
    assert store.snapshot().bad_messages == 1


# --------------------------------------------------------------------------------------
# What the headless front end makes of a snapshot


def test_headless_outcome_for_each_state():
    from mptui.headless import outcome

    store = Store()
    store.apply_many(realistic_run())
    store.apply_many([hello(200, RUNNER, SPAWN_CMDLINE), started(201, "W", "fork"), gone(202, 1)])
    snap = store.snapshot()
    assert outcome(snap.process(SPAWN_CHILD)) == "failed: killed by SIGKILL"
    assert outcome(snap.process(FORK_CHILD)) == "exit 0"
    assert outcome(snap.process(200)) == "starting"
    assert outcome(snap.process(201)) == "running"
    assert outcome(snap.process(202)) == "ended, exit code unknown"


def test_headless_summaries_name_the_failure_and_the_dead_holder():
    from mptui.headless import summary_json, summary_text

    store = Store()
    store.apply_many(realistic_run()[:-10])  # before Process-2 is reaped
    store.apply(acquired(SPAWN_CHILD, t=3_050))
    store.apply_many(realistic_run()[-10:])
    snap = store.snapshot()
    text = summary_text(snap)
    # The start methods its processes used (the made-up run has all three).
    assert "== Take turns with a Lock, fork+spawn+forkserver:" in text
    assert "killed by SIGKILL" in text
    assert "HELD BY A DEAD PROCESS" in text
    assert "lines: 6 received" in text
    assert text.rstrip().endswith("result: FAILED: Process-2 (killed by SIGKILL)")
    summary = summary_json(snap)
    assert summary["failed"] == [SPAWN_CHILD]
    assert summary["lines"] == 6
    by_pid = {p["pid"]: p for p in summary["processes"]}
    assert by_pid[SPAWN_CHILD] == {
        "pid": SPAWN_CHILD,
        "name": "Process-2",
        "role": "child",
        "state": "killed",
        "exitcode": -9,
        "signal": "SIGKILL",
        "verdict": "failed",
        "lines": 2,
        "tasks_done": 0,  # no pool's worker
    }
    assert by_pid[TRACKER]["role"] == "helper"


def test_headless_summary_of_a_clean_run_is_ok():
    from mptui.headless import summary_text

    store = Store()
    store.apply_many(e for e in realistic_run() if e.get("child") != SPAWN_CHILD)
    assert summary_text(store.snapshot()).rstrip().endswith("result: ok")


def test_a_reused_pid_is_a_new_process_but_a_late_hello_is_not():
    from mptui.engine.store import Store

    store = Store()
    store.apply_many([
        {"kind": "hello", "pid": 50, "ppid": 1, "t": 10, "how": "fork"},
        {"kind": "started", "pid": 50, "name": "Worker-1", "t": 11},
        {"kind": "reaped", "pid": 1, "child": 50, "code": -9, "t": 20},
        {"kind": "gone", "pid": 50, "t": 21},
        # A later process gets the same pid.
        {"kind": "hello", "pid": 50, "ppid": 1, "t": 30, "how": "fork"},
        {"kind": "started", "pid": 50, "name": "Worker-2", "t": 31},
        # The parent's report of a short-lived child can be read before the child's hello.
        {"kind": "reaped", "pid": 1, "child": 60, "code": 0, "t": 40},
        {"kind": "hello", "pid": 60, "ppid": 1, "t": 35, "how": "fork"},
        {"kind": "started", "pid": 60, "name": "Quick", "t": 36},
    ])  # fmt: skip
    snap = store.snapshot()
    reused = snap.process(50)
    assert (reused.name, reused.state, reused.exitcode) == ("Worker-2", "running", None)
    quick = snap.process(60)
    assert (quick.name, quick.state, quick.exitcode) == ("Quick", "exited", 0)
    assert snap.processes_forgotten == 1


def test_only_the_last_ended_processes_are_kept(monkeypatch):
    from mptui.engine import store as store_module

    monkeypatch.setattr(store_module, "MAX_ENDED_PROCESSES", 3)
    store = store_module.Store()
    store.apply({"kind": "hello", "pid": 1, "ppid": 0, "t": 0, "runner": True})
    for pid in range(10, 16):
        store.apply_many([
            {"kind": "hello", "pid": pid, "ppid": 1, "t": pid, "how": "fork"},
            {"kind": "reaped", "pid": 1, "child": pid, "code": 0, "t": pid + 100},
        ])  # fmt: skip
    store.apply({"kind": "hello", "pid": 99, "ppid": 1, "t": 500, "how": "fork"})
    snap = store.snapshot()
    assert [p.pid for p in snap.processes] == [1, 13, 14, 15, 99]  # runner and alive kept
    assert snap.processes_forgotten == 3


def test_the_log_ring_keeps_a_bounded_number_of_characters_and_counts_what_left():
    """Memory follows what is kept, not what is printed: a line count alone lets ten
    thousand cut lines of 2,000 four-byte characters take 80 MB."""
    from mptui.engine.store import LOG_RING_CHARS, LOG_TEXT_CHARS

    store = Store()
    line = "\U0001f600" * 8000
    for _ in range(10):
        store.apply({"kind": ev.LINES, "pid": 1, "stream": "stdout", "texts": [line] * 1000,
                     "t": 1})  # fmt: skip
    snap = store.snapshot()
    assert snap.lines_total == 10_000
    assert snap.lines_retained == LOG_RING_CHARS // LOG_TEXT_CHARS
    delta = store.log_since(0)
    assert delta.skipped == 10_000 - snap.lines_retained  # said, not hidden
    assert all(len(kept.text) == LOG_TEXT_CHARS and kept.cut == 6000 for kept in delta.lines)
    # Short lines still fill the ring up to its line capacity.
    store.apply({"kind": ev.LINES, "pid": 1, "stream": "stdout", "texts": ["x"] * 20_000,
                 "t": 2})  # fmt: skip
    assert store.snapshot().lines_retained == 10_000


def test_a_store_without_a_log_ring_still_counts_every_line():
    store = Store(log_capacity=0)
    store.apply({"kind": ev.LINES, "pid": 1, "stream": "stdout", "texts": ["a", "b"], "t": 1})
    store.apply({"kind": ev.LINE, "pid": 1, "stream": "stdout", "text": "c", "t": 2})
    snap = store.snapshot()
    assert (snap.lines_total, snap.lines_retained, snap.process(1).lines) == (3, 0, 3)


def pending(pid: int, text: str, stream: str = "stderr", t: int = 0) -> dict:
    return {"kind": ev.PENDING, "pid": pid, "stream": stream, "text": text, "t": t}


def test_a_pending_line_is_replaced_in_place_and_ended_by_its_line():
    store = Store()
    store.apply(started(3, "Worker", "fork"))
    store.apply_many([pending(3, " 10%"), pending(4, "other"), pending(3, " 20%", t=5)])
    assert [(p.pid, p.name, p.stream, p.text) for p in store.log_since(0).pending] == [
        (4, "pid 4", "stderr", "other"),
        (3, "Worker", "stderr", " 20%"),  # replaced: moved to the end, newest last
    ]
    store.apply(line(3, "on stdout"))  # another stream's line does not end it
    assert len(store.log_since(0).pending) == 2
    store.apply(line(3, "100%", stream="stderr"))
    delta = store.log_since(0)
    assert [p.pid for p in delta.pending] == [4]
    assert [x.text for x in delta.lines] == ["on stdout", "100%"]
    assert store.snapshot().lines_total == 2  # a pending line is not a line yet


def test_pending_lines_are_bounded():
    from mptui.engine.store import LOG_TEXT_CHARS, MAX_PENDING_LINES

    store = Store()
    store.apply_many([pending(pid, "x" * 10_000) for pid in range(MAX_PENDING_LINES + 10)])
    kept = store.log_since(0).pending
    assert [p.pid for p in kept] == list(range(10, MAX_PENDING_LINES + 10))  # the newest
    assert all(len(p.text) == LOG_TEXT_CHARS for p in kept)


def test_a_bad_pending_event_is_counted_not_fatal():
    store = Store()
    store.apply({"kind": ev.PENDING, "pid": 3})
    assert store.snapshot().bad_messages == 1


def test_live_version_moves_with_holders_waiters_and_states_not_with_lines_or_counts():
    store = Store()
    base = store.snapshot().live_version
    store.apply({"kind": ev.LINES, "pid": 1, "stream": "stdout", "texts": ["a"], "t": 1})
    store.apply(counter(2, ev.RK_LOCK_RELEASES, LOCK, 5, 50))
    store.apply({"kind": ev.TICK, "t": 2})
    assert store.snapshot().live_version == base  # lines, counts and ticks: no hurry
    store.apply(acquired(1, t=10))
    after_acquire = store.snapshot().live_version
    assert after_acquire > base
    store.apply(wait(2, t=11))
    assert store.snapshot().live_version > after_acquire
    before_start = store.snapshot().live_version
    store.apply(started(3, "Worker", "fork"))
    assert store.snapshot().live_version > before_start


def test_raw_ring_records_fold_exactly_as_their_decoded_events():
    """A live run hands the Store its ring records undecoded (a ``records`` event); a
    recording and ``--json`` have them as events. Both must give the same snapshot: lock
    waits, acquisitions, releases and timeouts, a semaphore's units, a queue wait, and a
    kind the Store does not know (counted as a bad message either way)."""
    lock_oid, sem_oid, queue_oid = 0x1001, 0x1002, 0x1003

    def rec(kind: int, pid: int, oid: int, t: int, value: int = 0, aux: int = 0) -> tuple:
        return (pid, kind << 56 | aux << 48 | oid, t, value)

    records = [
        rec(ev.RK_LOCK_ACQUIRED, 1, lock_oid, 10),
        rec(ev.RK_LOCK_WAIT, 2, lock_oid, 11),
        rec(ev.RK_LOCK_WAIT, 3, lock_oid, 12),
        rec(ev.RK_LOCK_RELEASED, 1, lock_oid, 20, 10),
        rec(ev.RK_LOCK_ACQUIRED, 2, lock_oid, 21, 10),
        rec(ev.RK_LOCK_ACQUIRED, 1, sem_oid, 22),  # taken and given back: one hold
        rec(ev.RK_LOCK_RELEASED, 1, sem_oid, 24, 2),
        rec(ev.RK_LOCK_TIMEOUT, 3, lock_oid, 30, 18),
        rec(ev.RK_LOCK_ACQUIRED, 4, sem_oid, 31),
        rec(ev.RK_LOCK_ACQUIRED, 5, sem_oid, 32),
        rec(ev.RK_LOCK_RELEASED, 4, sem_oid, 33, 2),
        rec(ev.RK_WAIT_BEGIN, 6, queue_oid, 40, aux=ev.OP_GET),
        rec(ev.RK_WAIT_BEGIN, 7, queue_oid, 41, aux=ev.OP_GET),
        rec(ev.RK_WAIT_END, 7, queue_oid, 45, 4, aux=ev.OUTCOME_OK),
        (8, 0x7F << 56 | 5, 50, 0),  # a kind from a newer agent
    ]
    declarations = [
        {"kind": ev.OBJECT, "pid": 1, "id": lock_oid, "type": "Lock", "label": "a.py:1"},
        {"kind": ev.OBJECT, "pid": 1, "id": sem_oid, "type": "Semaphore", "label": "a.py:2"},
        {"kind": ev.OBJECT, "pid": 1, "id": queue_oid, "type": "Queue", "label": "a.py:3"},
    ]
    # The processes, so the insights (time holding, waiting) have someone to fold into.
    declarations += [hello(pid, 1, f"python w{pid}.py", how="fork") for pid in range(1, 9)]
    raw, decoded = Store(), Store()
    raw.apply_many([*declarations, {"kind": ev.RECORDS, "records": records}])
    decoded.apply_many([*declarations, *ev.expand_records(
        [{"kind": ev.RECORDS, "records": records}])])  # fmt: skip
    assert raw.insights(60) == decoded.insights(60)
    assert raw.timeline(range(1, 9), 0, 4, 25, 100) == decoded.timeline(range(1, 9), 0, 4, 25, 100)
    assert any(view.waiting_ns for view in raw.insights(60))
    assert raw.snapshot().locks == decoded.snapshot().locks
    assert raw.snapshot().waits == decoded.snapshot().waits
    assert raw.snapshot().bad_messages == decoded.snapshot().bad_messages == 1
    lock = next(v for v in raw.snapshot().locks if v.id == lock_oid)
    assert (lock.holder, lock.acquisitions, lock.contended, lock.timeouts) == (2, 2, 2, 1)
    assert [w.pid for w in raw.snapshot().waits] == [6]


def test_start_methods_are_listed_in_order_of_first_use_by_the_processes_clocks():
    """A spawn child and the fork child it starts can be read in one collector round, the
    younger first: the run still says spawn, then fork."""
    store = Store()
    grandchild = {**started(FORK_CHILD, "Process-1:1", "fork"), "t": 20}
    child = {**started(SPAWN_CHILD, "Process-1", "spawn"), "t": 10}
    store.apply_many([grandchild, child])
    assert store.snapshot().run.start_methods_used == ("spawn", "fork")
    store.apply({**started(FORKSERVER_CHILD, "Process-2", "spawn"), "t": 5})  # not new
    assert store.snapshot().run.start_methods_used == ("spawn", "fork")
