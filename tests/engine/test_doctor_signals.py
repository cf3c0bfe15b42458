"""The doctor on Barriers, Events and Conditions, on real programs under every start method:
a Barrier that can no longer fill and an Event nobody left can set are named; programs
that only take their time (a late set, slow arrivals, a slow producer) raise nothing.

Every program ends on its own: its waits have timeouts, so an alert raised is cleared too.
"""

from __future__ import annotations

import pytest
from engine_runs import run_program

from mptui.engine.session import Program
from mptui.scenarios import get_lesson


def alerts_of(run, kind):
    return [alert for alert in run.alerts if alert.kind == kind]


def signals(run, op):
    """The ``signal`` events of one operation, as (pid, object id)."""
    return [(e["pid"], e["id"]) for e in run.events if e["kind"] == "signal" and e["op"] == op]


# ------------------------------------------------------------------ signal records

SETS_AND_NOTIFIES = """
import multiprocessing as mp

def child(go, cond):
    go.set(); go.set(); go.clear()
    with cond:
        cond.notify(); cond.notify_all(); cond.notify_all()

if __name__ == "__main__":
    go, cond = mp.Event(), mp.Condition()
    for _ in range(3):
        go.set()
    with cond:
        cond.notify()
    p = mp.Process(target=child, args=(go, cond), name="child")
    p.start(); p.join()
    print(go.is_set())
"""


def test_who_set_an_event_or_notified_a_condition_is_recorded_once_per_process(
    write_script, start_method
):
    run = run_program(Program.from_script(write_script(SETS_AND_NOTIFIES), (), start_method))
    assert run.lines() == ["False"]  # the original semantics: the child cleared it last
    main, child = run.by_name("MainProcess").pid, run.by_name("child").pid
    (event_id,) = {oid for _pid, oid in signals(run, "set")}
    assert [pid for pid, _ in signals(run, "set")] == [main, child]  # the first of each
    assert [pid for pid, _ in signals(run, "clear")] == [child]
    assert [pid for pid, _ in signals(run, "notify")] == [main, child]
    assert [pid for pid, _ in signals(run, "notify_all")] == [child]
    assert event_id not in {oid for _pid, oid in signals(run, "notify")}  # set is no notify


# ------------------------------------------------------------------ alerts that fire

BARRIER_PARTY_CRASHED = """
import multiprocessing as mp, threading

def party(barrier, crash):
    if crash:
        raise RuntimeError("crashed before reaching the barrier")
    try:
        barrier.wait(timeout=4)
        print("passed")
    except threading.BrokenBarrierError:
        print("broken")

if __name__ == "__main__":
    barrier = mp.Barrier(3)
    procs = [mp.Process(target=party, args=(barrier, n == 2), name=f"party-{n}")
             for n in range(3)]
    for p in procs: p.start()
    for p in procs: p.join()
"""


def test_a_barrier_whose_third_party_crashed_can_no_longer_fill(write_script, start_method):
    run = run_program(Program.from_script(write_script(BARRIER_PARTY_CRASHED), (), start_method))
    assert run.lines(stream="stdout") == ["broken", "broken"]
    (alert,) = alerts_of(run, "barrier")
    waiters = {run.by_name("party-0").pid, run.by_name("party-1").pid}
    main = run.by_name("MainProcess").pid
    assert set(alert.pids) == waiters | {main}  # the parent joins a waiter: stuck behind
    assert alert.title.startswith("Never: Barrier barrier (prog.py:")
    assert alert.title.endswith("can no longer fill: party-0 and party-1 wait for 1 more")
    assert "2 of 3 parties wait; 1 more must arrive" in alert.details[2]
    assert any("and behind them: MainProcess" in d and "join" in d for d in alert.details)
    assert "timeout" in alert.advice
    assert not alert.sure  # the parent lives: it could have been meant to arrive
    assert len(alert.objects) == 1
    assert run.snapshot.alerts == ()  # cleared when the waits timed out
    assert [a.kind for a in run.alerts] == ["barrier"], [a.title for a in run.alerts]


BARRIER_NOBODY_ELSE = """
import multiprocessing as mp, threading

def party(barrier):
    try:
        barrier.wait(timeout=4)
        print("passed")
    except threading.BrokenBarrierError:
        print("broken")

def quitter(barrier):
    pass                          # a party that returns without arriving

if __name__ == "__main__":
    barrier = mp.Barrier(3)
    q = mp.Process(target=quitter, args=(barrier,), name="quitter")
    q.start(); q.join()
    p = mp.Process(target=party, args=(barrier,), name="party")
    p.start()
    party(barrier)                # the main process is a party itself
    p.join()
"""


def test_a_barrier_with_only_its_waiters_left_is_sure_never_to_fill(write_script, start_method):
    run = run_program(Program.from_script(write_script(BARRIER_NOBODY_ELSE), (), start_method))
    assert run.lines(stream="stdout") == ["broken", "broken"]
    (alert,) = alerts_of(run, "barrier")
    assert set(alert.pids) == {run.by_name("party").pid, run.by_name("MainProcess").pid}
    assert alert.sure  # no other process of the program is alive
    assert [a.kind for a in run.alerts] == ["barrier"], [a.title for a in run.alerts]


EVENT_SETTER_EXITED = """
import multiprocessing as mp

def waiter(go):
    print("went" if go.wait(timeout=4) else "timed out")

def setter(go):
    raise SystemExit(1)           # meant to set go; exits without doing it

if __name__ == "__main__":
    go = mp.Event()
    s = mp.Process(target=setter, args=(go,), name="setter")
    waiters = [mp.Process(target=waiter, args=(go,), name=f"waiter-{n}") for n in (1, 2)]
    s.start()
    for w in waiters: w.start()
    for p in (s, *waiters): p.join()
"""


def test_an_event_whose_only_setter_exited_is_never_set(write_script, start_method):
    run = run_program(Program.from_script(write_script(EVENT_SETTER_EXITED), (), start_method))
    assert run.lines(stream="stdout") == ["timed out", "timed out"]
    (alert,) = alerts_of(run, "event")
    waiters = {run.by_name("waiter-1").pid, run.by_name("waiter-2").pid}
    assert waiters <= set(alert.pids)
    assert alert.title.startswith("Never: waiter-1 and waiter-2 wait for Event go (prog.py:")
    assert alert.title.endswith("and no live process can set it")
    assert "no process has set it yet" in alert.details
    assert "finally" in alert.advice
    assert not alert.sure and alert.objects and run.snapshot.alerts == ()
    assert [a.kind for a in run.alerts] == ["event"], [a.title for a in run.alerts]


EVENT_SET_THEN_CLEARED = """
import multiprocessing as mp

def waiter(go):
    print("went" if go.wait(timeout=4) else "timed out")

def setter(go):
    go.set(); go.clear()          # set it once, too early, and exits

if __name__ == "__main__":
    go = mp.Event()
    s = mp.Process(target=setter, args=(go,), name="setter")
    s.start(); s.join()
    waiter(go)
"""


def test_an_event_set_only_by_an_exited_process_says_who_set_it(write_script, start_method):
    run = run_program(Program.from_script(write_script(EVENT_SET_THEN_CLEARED), (), start_method))
    assert run.lines(stream="stdout") == ["timed out"]
    setter, main = run.by_name("setter").pid, run.by_name("MainProcess").pid
    assert [pid for pid, _ in signals(run, "set")] == [setter]
    assert [pid for pid, _ in signals(run, "clear")] == [setter]
    (alert,) = alerts_of(run, "event")
    assert alert.pids == (main,) and alert.sure  # nobody else is left at all
    assert f"set before by setter (pid {setter}) (exited)" in alert.details


CONDITION_NOBODY_NOTIFIES = """
import multiprocessing as mp

def consumer(cond):
    with cond:
        print("notified" if cond.wait(timeout=4) else "timed out")

if __name__ == "__main__":
    cond = mp.Condition()
    c = mp.Process(target=consumer, args=(cond,), name="consumer")
    c.start(); c.join()
"""


def test_a_condition_nobody_can_notify_is_a_guess_of_never(write_script, start_method):
    script = write_script(CONDITION_NOBODY_NOTIFIES)
    run = run_program(Program.from_script(script, (), start_method))
    assert run.lines(stream="stdout") == ["timed out"]
    (alert,) = alerts_of(run, "never")
    assert alert.title.startswith("Never: consumer waits for Condition cond (prog.py:")
    assert alert.title.endswith("and no live process can notify it")
    assert not alert.sure
    assert set(alert.pids) == {run.by_name("consumer").pid, run.by_name("MainProcess").pid}


# ------------------------------------------------------------------ no false alarms

SLOW_BUT_HEALTHY = {
    "an Event set after 1 s while 3 wait": """
import multiprocessing as mp, time

def waiter(go):
    print("went" if go.wait(timeout=20) else "timed out")

def starter(go):
    time.sleep(1)
    go.set()

if __name__ == "__main__":
    go = mp.Event()
    procs = [mp.Process(target=waiter, args=(go,)) for _ in range(3)]
    procs.append(mp.Process(target=starter, args=(go,), name="starter"))
    for p in procs: p.start()
    for p in procs: p.join()
""",
    "a Barrier of 3 whose parties arrive 1 s apart": """
import multiprocessing as mp, time

def party(barrier, delay):
    time.sleep(delay)
    barrier.wait(timeout=20)
    print("passed")

if __name__ == "__main__":
    barrier = mp.Barrier(3)
    procs = [mp.Process(target=party, args=(barrier, n)) for n in range(3)]
    for p in procs: p.start()
    for p in procs: p.join()
""",
    "a Barrier of 3 whose parties are started 1 s apart": """
import multiprocessing as mp, time

def party(barrier):
    barrier.wait(timeout=20)
    print("passed")

if __name__ == "__main__":
    barrier = mp.Barrier(3)
    procs = []
    for n in range(3):
        procs.append(mp.Process(target=party, args=(barrier,)))
        procs[-1].start()
        time.sleep(1.5)           # two wait while the third does not exist yet
    for p in procs: p.join()
""",
    "a Condition producer and consumer": """
import multiprocessing as mp, time

def consumer(cond, items, n):
    with cond:
        for _ in range(n):
            cond.wait_for(lambda: items.value > 0, timeout=20)
            items.value -= 1
    print("consumed", n)

def producer(cond, items, n):
    time.sleep(1.5)               # the consumer waits before anything was ever notified
    for i in range(n):
        with cond:
            items.value += 1
            cond.notify()
        time.sleep(0.3 if i < 3 else 0.001)

if __name__ == "__main__":
    cond, items = mp.Condition(), mp.Value("i", 0, lock=False)
    c = mp.Process(target=consumer, args=(cond, items, 50))
    p = mp.Process(target=producer, args=(cond, items, 50), name="producer")
    c.start(); p.start(); c.join(); p.join()
""",
}


@pytest.mark.parametrize("name", sorted(SLOW_BUT_HEALTHY))
def test_no_alert_on_a_slow_but_healthy_program(write_script, start_method, name):
    run = run_program(Program.from_script(write_script(SLOW_BUT_HEALTHY[name]), (), start_method))
    assert run.exitcode == 0 and "timed out" not in run.lines()
    assert run.alerts == [], [a.title for a in run.alerts]
    if "Event" in name:  # who set it was recorded: the rule that stayed silent saw it
        assert [pid for pid, _ in signals(run, "set")] == [run.by_name("starter").pid]
    if "Condition" in name:
        notifiers = {pid for pid, _ in signals(run, "notify")}
        assert notifiers == {run.by_name("producer").pid}


@pytest.mark.parametrize(
    ("lesson", "values"),
    [("event-barrier", {"step": 0.3, "phases": 2}), ("lost-updates", {"increments": 50})],
)
def test_the_event_barrier_and_lost_updates_lessons_raise_no_alert(start_method, lesson, values):
    run = run_program(Program.from_lesson(get_lesson(lesson), values, start_method))
    assert run.exitcode == 0
    assert run.alerts == [], [a.title for a in run.alerts]
