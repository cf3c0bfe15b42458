"""Worker insights: a pure fold of event sequences into time starting, running, waiting."""

from __future__ import annotations

from mptui import events as ev
from mptui.engine import timeline as tl
from mptui.engine.insights import Insights
from mptui.engine.store import Store

MS = 1_000_000
LOCK, QUEUE, EVENT = 7, 8, 9
RUNNER, WORKER, OTHER = 100, 101, 102


def hello(pid: int, t: int, runner: bool = False) -> dict:
    return {"kind": ev.HELLO, "pid": pid, "ppid": 1, "how": "fork", "runner": runner,
            "cmdline": "", "argv": [], "t": t}  # fmt: skip


def started(pid: int, t: int, name: str) -> dict:
    return {"kind": ev.STARTED, "pid": pid, "name": name, "start_method": "fork", "t": t}


def obj(oid: int, kind: str, label: str = "x.py:1") -> dict:
    return {"kind": ev.OBJECT, "pid": RUNNER, "id": oid, "type": kind, "label": label, "t": 0}


def lock_wait(pid: int, t: int, oid: int = LOCK) -> dict:
    return {"kind": ev.LOCK_WAIT, "pid": pid, "id": oid, "t": t}


def acquired(pid: int, t: int, wait_ns: int = 0, oid: int = LOCK) -> dict:
    return {"kind": ev.LOCK_ACQUIRED, "pid": pid, "id": oid, "t": t, "wait_ns": wait_ns}


def released(pid: int, t: int, oid: int = LOCK) -> dict:
    return {"kind": ev.LOCK_RELEASED, "pid": pid, "id": oid, "t": t, "hold_ns": -1}


def wait_begin(pid: int, t: int, oid: int, op: str) -> dict:
    return {"kind": ev.WAIT_BEGIN, "pid": pid, "id": oid, "t": t, "op": op}


def wait_end(pid: int, t: int, oid: int, wait_ns: int = 0) -> dict:
    return {"kind": ev.WAIT_END, "pid": pid, "id": oid, "t": t, "outcome": "ok",
            "wait_ns": wait_ns}  # fmt: skip


def gone(pid: int, t: int) -> dict:
    return {"kind": ev.GONE, "pid": pid, "t": t}


def fold(*events: dict) -> Insights:
    insights = Insights()
    for event in events:
        insights.apply(event)
    return insights


def test_start_up_running_and_waiting_add_up_to_the_life():
    insights = fold(
        obj(LOCK, "Lock"),
        hello(WORKER, 0),
        started(WORKER, 50 * MS, "worker-1"),
        lock_wait(WORKER, 100 * MS),
        acquired(WORKER, 400 * MS, wait_ns=300 * MS),
        released(WORKER, 500 * MS),
        gone(WORKER, 1000 * MS),
    )
    view = insights.view(WORKER, "worker-1", now_ns=5000 * MS)
    assert view is not None and not view.alive
    assert view.life_ns == 1000 * MS  # to its end, not to now
    assert view.starting_ns == 50 * MS
    assert view.waiting_ns == 300 * MS
    assert view.waiting_by_kind == (("acquire Lock", 300 * MS),)
    assert view.running_ns == 650 * MS
    assert view.starting_ns + view.running_ns + view.waiting_ns == view.life_ns
    assert round(view.percent(view.waiting_ns)) == 30


def test_a_wait_going_on_counts_up_to_now():
    insights = fold(
        obj(QUEUE, "Queue"), hello(WORKER, 0), wait_begin(WORKER, 200 * MS, QUEUE, "get")
    )
    view = insights.view(WORKER, "w", now_ns=1000 * MS)
    assert view.alive and view.life_ns == 1000 * MS
    assert view.waiting_by_kind == (("get Queue", 800 * MS),)
    assert view.waiting_ns == 800 * MS and view.running_ns == 200 * MS
    later = insights.view(WORKER, "w", now_ns=2000 * MS)
    assert later.waiting_ns == 1800 * MS and later.running_ns == 200 * MS


def test_the_split_names_each_kind_longest_first_and_join_has_no_object():
    insights = fold(
        obj(EVENT, "Event"), obj(QUEUE, "Queue"),
        hello(RUNNER, 0, runner=True),
        wait_begin(RUNNER, 0, EVENT, "wait"), wait_end(RUNNER, 100 * MS, EVENT),
        wait_begin(RUNNER, 100 * MS, QUEUE, "put"), wait_end(RUNNER, 150 * MS, QUEUE),
        {"kind": ev.WAIT_BEGIN, "pid": RUNNER, "id": 0, "t": 200 * MS, "op": "join",
         "child": WORKER},
        wait_end(RUNNER, 500 * MS, 0),
        gone(RUNNER, 600 * MS),
    )  # fmt: skip
    view = insights.view(RUNNER, "MainProcess", now_ns=600 * MS)
    assert view.waiting_by_kind == (("join", 300 * MS), ("wait Event", 100 * MS),
                                    ("put Queue", 50 * MS))  # fmt: skip
    assert view.starting_ns == 0  # not a Process: it never said started
    assert view.waiting_ns == 450 * MS and view.running_ns == 150 * MS


def test_two_waits_at_once_count_once_in_the_total():
    """Two threads of one process waiting at the same time: the total is their union."""
    insights = fold(
        obj(QUEUE, "Queue"), obj(EVENT, "Event"),
        hello(WORKER, 0),
        wait_begin(WORKER, 100 * MS, QUEUE, "get"),
        wait_begin(WORKER, 200 * MS, EVENT, "wait"),
        wait_end(WORKER, 300 * MS, EVENT),
        wait_end(WORKER, 400 * MS, QUEUE),
        gone(WORKER, 1000 * MS),
    )  # fmt: skip
    view = insights.view(WORKER, "w", now_ns=0)
    assert view.waiting_ns == 300 * MS  # 100..400, not 300 + 100
    assert dict(view.waiting_by_kind) == {"get Queue": 300 * MS, "wait Event": 100 * MS}
    assert view.running_ns == 700 * MS


def test_a_wait_the_process_died_in_counts_to_its_end():
    insights = fold(obj(LOCK, "Lock"), hello(WORKER, 0), lock_wait(WORKER, 100 * MS),
                    gone(WORKER, 900 * MS))  # fmt: skip
    view = insights.view(WORKER, "w", now_ns=10_000 * MS)
    assert view.waiting_ns == 800 * MS
    assert view.waiting_by_kind == (("acquire Lock", 800 * MS),)


def test_a_timed_out_acquire_is_a_wait_too():
    insights = fold(
        obj(LOCK, "Lock"), hello(WORKER, 0), lock_wait(WORKER, 0),
        {"kind": ev.LOCK_TIMEOUT, "pid": WORKER, "id": LOCK, "t": 2000 * MS,
         "wait_ns": 2000 * MS},
        gone(WORKER, 2500 * MS),
    )  # fmt: skip
    assert insights.view(WORKER, "w", now_ns=0).waiting_ns == 2000 * MS


def test_a_reused_pid_starts_over():
    insights = fold(hello(WORKER, 0), lock_wait(WORKER, 10 * MS), gone(WORKER, 100 * MS),
                    hello(WORKER, 200 * MS), gone(WORKER, 300 * MS))  # fmt: skip
    view = insights.view(WORKER, "w", now_ns=0)
    assert view.life_ns == 100 * MS and view.waiting_ns == 0


def test_dropped_records_forget_what_it_was_waiting_on():
    insights = fold(hello(WORKER, 0), lock_wait(WORKER, 10 * MS),
                    {"kind": ev.DROPPED, "pid": WORKER, "count": 5})  # fmt: skip
    view = insights.view(WORKER, "w", now_ns=1000 * MS)
    assert view.waiting_ns == 0 and view.running_ns == 1000 * MS


def test_the_timeline_is_told_what_the_process_does():
    insights = fold(obj(LOCK, "Lock"), hello(WORKER, 0), lock_wait(WORKER, 0),
                    acquired(WORKER, 500 * MS), released(WORKER, 1000 * MS),
                    gone(WORKER, 1500 * MS))  # fmt: skip
    cells = insights.timeline.cells([WORKER], 0, 4, 500 * MS, upto_ns=10_000 * MS)[WORKER]
    assert cells == ((tl.WAIT, "acquire", LOCK), (tl.HOLD, LOCK), tl.RUN, tl.ENDED)


def test_the_store_feeds_it_and_leaves_helpers_out():
    store = Store()
    tracker_cmdline = "python -c from multiprocessing.resource_tracker import main;main(5)"
    store.apply_many([
        {"kind": ev.RUN_STARTED, "t": 0, "title": "t"},
        hello(RUNNER, 0, runner=True),
        {**hello(OTHER, 0), "how": "exec", "cmdline": tracker_cmdline},
        obj(LOCK, "Lock"),
        hello(WORKER, 10 * MS), started(WORKER, 20 * MS, "worker-1"),
        lock_wait(WORKER, 100 * MS), acquired(WORKER, 300 * MS, 200 * MS),
        released(WORKER, 350 * MS),
        gone(WORKER, 400 * MS),
    ])  # fmt: skip
    views = {view.name: view for view in store.insights(now_ns=1000 * MS)}
    assert set(views) == {"MainProcess", "worker-1"}
    assert views["worker-1"].waiting_by_kind == (("acquire Lock", 200 * MS),)
    assert views["MainProcess"].life_ns == 1000 * MS and views["MainProcess"].alive
    assert store.snapshot().bad_messages == 0
