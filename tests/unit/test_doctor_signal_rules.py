"""The doctor's Barrier, Event and Condition rules on hand-built Facts, and the ``signal``
records they rely on (decoded from the ring, folded by the Store)."""

from __future__ import annotations

from mptui import events as ev
from mptui.engine import doctor
from mptui.engine.doctor import SIGNAL_SETTLE_NS, Facts
from mptui.engine.store import Store
from mptui.engine.views import WaitView

S = 1_000_000_000
NOW = 100 * S
BARRIER, EVENT, COND, LOCK = 0xB, 0xE, 0xC, 0x1
KINDS = {BARRIER: "Barrier", EVENT: "Event", COND: "Condition", LOCK: "Lock"}
LABELS = {BARRIER: "Barrier b (p.py:3)", EVENT: "Event go (p.py:4)", COND: "Condition c (p.py:5)"}


def wait(pid, oid, since=NOW - 3 * S, op="wait", child=None):
    label = f"Process {child}" if op == "join" else LABELS.get(oid, f"Lock {oid:x}")
    return WaitView(pid=pid, op=op, object_id=oid, object_label=label, since_ns=since, child=child)


def facts(waits, alive, **extra):
    pids = alive | {w.pid for w in waits} | set(extra.get("ended", {}))
    return Facts(
        now_ns=NOW,
        waits=waits,
        names={pid: f"p{pid}" for pid in pids},
        alive=alive,
        holders=extra.pop("holders", {}),
        labels={},
        kinds=KINDS,
        **extra,
    )


def kinds(alerts):
    return [a.kind for a in alerts]


# ------------------------------------------------------------------ Barrier


def test_a_barrier_with_only_its_waiters_alive_surely_never_fills():
    f = facts([wait(1, BARRIER), wait(2, BARRIER)], {1, 2}, parties={BARRIER: 3},
              ended={3: NOW - 5 * S})  # fmt: skip
    (alert,) = doctor.diagnose(f)
    assert alert.kind == "barrier" and alert.sure
    assert alert.pids == (1, 2) and alert.objects == (BARRIER,)
    assert alert.title == "Never: Barrier b (p.py:3) can no longer fill: p1 and p2 wait for 1 more"
    assert "2 of 3 parties wait; 1 more must arrive and no live process is left to" in alert.details
    assert alert.since_ns == NOW - 3 * S
    assert alert.key == f"barrier:{BARRIER}"


def test_a_barrier_with_a_free_process_left_is_no_alert():
    f = facts([wait(1, BARRIER), wait(2, BARRIER)], {1, 2, 4}, parties={BARRIER: 4})
    assert doctor.diagnose(f) == []  # 4 may arrive; or start the missing party: no telling


def test_a_parent_joining_a_barrier_waiter_is_stuck_behind_it_a_guess():
    waits = [wait(1, BARRIER), wait(2, BARRIER), wait(9, 0, op="join", child=1)]
    (alert,) = doctor.diagnose(facts(waits, {1, 2, 9}, parties={BARRIER: 3}))
    assert alert.kind == "barrier" and not alert.sure
    assert alert.pids == (1, 2, 9)
    assert any(d.startswith("and behind them: p9 (pid 9) waits") for d in alert.details)
    assert "every other process waits itself: p9 (pid 9)" in alert.details


def test_a_barrier_is_not_judged_before_its_waits_settle():
    young = NOW - SIGNAL_SETTLE_NS + 1
    f = facts([wait(1, BARRIER), wait(2, BARRIER, since=young)], {1, 2}, parties={BARRIER: 3})
    assert doctor.diagnose(f) == []


def test_a_barrier_is_not_judged_right_after_another_process_ended():
    f = facts([wait(1, BARRIER)], {1}, parties={BARRIER: 2}, ended={3: NOW - S // 2})
    assert doctor.diagnose(f) == []  # its arrival may be in a record not read yet
    f = facts([wait(1, BARRIER)], {1}, parties={BARRIER: 2}, ended={3: NOW - 2 * S})
    assert kinds(doctor.diagnose(f)) == ["barrier"]


def test_a_barrier_of_unknown_or_reached_parties_is_no_alert():
    waits = [wait(1, BARRIER), wait(2, BARRIER)]
    assert doctor.diagnose(facts(waits, {1, 2})) == []  # parties never declared
    assert doctor.diagnose(facts(waits, {1, 2}, parties={BARRIER: 2})) == []


# ------------------------------------------------------------------ Event, Condition


def test_an_event_with_nobody_else_alive_is_surely_never_set():
    f = facts([wait(1, EVENT), wait(2, EVENT)], {1, 2}, setters={EVENT: (5,)}, ended={5: 0})
    (alert,) = doctor.diagnose(f)
    assert alert.kind == "event" and alert.sure and alert.pids == (1, 2)
    assert (
        alert.title == "Never: p1 and p2 wait for Event go (p.py:4), and no live process can set it"
    )
    assert "set before by p5 (pid 5) (exited)" in alert.details


def test_an_event_with_a_live_setter_is_no_alert_even_if_it_looks_stuck():
    waits = [wait(1, EVENT), wait(9, 0, op="join", child=1)]
    assert kinds(doctor.diagnose(facts(waits, {1, 9}))) == ["event"]
    # The parent set it before: it may well set it again (from another thread).
    assert doctor.diagnose(facts(waits, {1, 9}, setters={EVENT: (9,)})) == []


def test_an_event_with_a_free_process_is_no_alert():
    assert doctor.diagnose(facts([wait(1, EVENT)], {1, 2})) == []


def test_an_event_only_a_process_stuck_on_a_dead_holders_lock_could_set():
    # 2 waits for a lock its exited holder 3 never released (a "never"); 1 waits for the
    # Event only 2 could set: the Event is never set either, and 2 gets no stall on top.
    waits = [wait(1, EVENT), wait(2, LOCK, op="acquire", since=NOW - 60 * S)]
    f = facts(waits, {1, 2}, holders={LOCK: (3,)}, ended={3: NOW - 61 * S})
    alerts = doctor.diagnose(f)
    assert kinds(alerts) == ["never", "event"]
    assert not alerts[1].sure and alerts[1].pids == (1,)


def test_a_condition_nobody_can_notify_is_never_sure():
    f = facts([wait(1, COND)], {1}, setters={COND: (1,)})
    (alert,) = doctor.diagnose(f)
    assert alert.kind == "never" and not alert.sure
    assert alert.title.endswith("and no live process can notify it")
    assert "notified before by p1 (pid 1)" in alert.details


def test_waits_an_alert_explains_are_no_stall():
    f = facts([wait(1, EVENT, since=NOW - 60 * S)], {1})
    assert kinds(doctor.diagnose(f)) == ["event"]


# ------------------------------------------------------------------ signal records


def test_a_signal_record_decodes_to_a_signal_event():
    code = ev.RK_SIGNAL << 56 | ev.SIG_NOTIFY_ALL << 48 | 0x1234
    assert ev.ring_event(7, code, 55, 0) == {
        "kind": "signal", "pid": 7, "id": 0x1234, "t": 55, "op": "notify_all",
    }  # fmt: skip
    assert ev.RING_KIND_NAMES[14] == ev.SIGNAL


def test_the_store_gives_the_doctor_setters_parties_and_kinds():
    store = Store()
    store.apply_many([
        {"kind": ev.OBJECT, "pid": 1, "id": EVENT, "type": "Event", "label": "p.py:4"},
        {"kind": ev.OBJECT, "pid": 1, "id": BARRIER, "type": "Barrier", "label": "p.py:3",
         "parties": 3},
        {"kind": ev.SIGNAL, "pid": 2, "id": EVENT, "t": 5, "op": "set"},
        {"kind": ev.SIGNAL, "pid": 3, "id": EVENT, "t": 6, "op": "clear"},
        {"kind": ev.SIGNAL, "pid": 4, "id": EVENT, "t": 7, "op": "set"},
        {"kind": ev.WAIT_BEGIN, "pid": 5, "id": EVENT, "t": 8, "op": "wait"},
        {"kind": ev.WAIT_BEGIN, "pid": 6, "id": BARRIER, "t": 9, "op": "wait"},
    ])  # fmt: skip
    assert store.snapshot().bad_messages == 0
    f = store._facts()
    assert f.setters[EVENT] == (2, 4)  # a clear ends no wait: 3 is no setter
    assert f.parties == {BARRIER: 3}
    assert f.kinds == {EVENT: "Event", BARRIER: "Barrier"}


# ------------------------------------------------------------------ join-before-drain


def test_a_joined_child_slow_to_exit_that_put_on_no_queue_is_no_hang():
    # Its run() returned 2 s ago and it has not exited: on a loaded machine that is only
    # slowness, unless it put data on a queue (the feeder thread that must flush it).
    waits = [wait(9, 0, op="join", child=1)]
    f = facts(waits, {1, 9}, returned={1: NOW - 2 * S})
    assert doctor.diagnose(f) == []
    f = facts(waits, {1, 9}, returned={1: NOW - 2 * S}, queue_putters={0x9: {1}})
    (alert,) = doctor.diagnose(f)
    assert alert.kind == "join-before-drain" and not alert.sure
