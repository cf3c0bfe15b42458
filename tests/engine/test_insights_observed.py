"""Worker insights and the timeline of a real program, under every start method.

The program measures its own wait for a lock (around ``acquire()``): the insights must
find about that long, compared by ratio, never against a wall-clock threshold. And the
headless summary (text and JSON) of the lock lesson carries them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from engine_runs import run_program

from mptui.engine import timeline as tl
from mptui.engine.program import Program

HOLD_THEN_WAIT = """
import time
from multiprocessing import Event, Lock, Process


def holder(lock, holding):
    with lock:
        holding.set()
        time.sleep(0.3)


def waiter(lock, holding):
    holding.wait()
    t0 = time.monotonic_ns()
    with lock:
        waited = time.monotonic_ns() - t0
    print(f"waited {waited}", flush=True)


if __name__ == "__main__":
    lock, holding = Lock(), Event()
    workers = [Process(target=holder, args=(lock, holding), name="holder"),
               Process(target=waiter, args=(lock, holding), name="waiter")]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
"""


def test_the_waiters_lock_wait_is_what_it_measured(write_script, start_method):
    path = write_script(HOLD_THEN_WAIT)
    run = run_program(Program.from_script(path, (), start_method))
    waiter, holder = run.by_name("waiter"), run.by_name("holder")
    (measured,) = [int(m.group(1)) for line in run.lines(waiter.pid)
                   if (m := re.fullmatch(r"waited (\d+)", line))]  # fmt: skip
    assert measured > 0

    # The Store of the run is gone with its session: fold the events again, as a replay.
    from mptui.engine.store import Store

    store = Store()
    store.apply_many(run.events)
    views = {view.name: view for view in store.insights()}
    assert {"MainProcess", "holder", "waiter"} <= set(views)
    waited = dict(views["waiter"].waiting_by_kind).get("acquire Lock", 0)
    assert 0.5 < waited / measured < 1.5, (waited, measured)
    assert "acquire Lock" not in dict(views["holder"].waiting_by_kind)  # it never waited
    for view in views.values():
        assert not view.alive
        assert view.starting_ns + view.running_ns + view.waiting_ns == view.life_ns
    assert dict(views["MainProcess"].waiting_by_kind).get("join", 0) > 0
    assert views["waiter"].starting_ns > 0  # from its hello to run()

    # The timeline: the holder holds the lock; the waiter waits for it, not before.
    first = min(p.started_ns for p in (waiter, holder)) // tl.QUANTUM_NS
    ends = max(p.ended_ns or 0 for p in (waiter, holder))
    count = ends // tl.QUANTUM_NS - first + 3  # and two slices after both ended
    upto = ends + 10 * tl.QUANTUM_NS
    rows = store.timeline([holder.pid, waiter.pid], first, count, tl.QUANTUM_NS, upto)
    holds = [i for i, cell in enumerate(rows[holder.pid]) if cell and cell[0] == tl.HOLD]
    waits = [i for i, cell in enumerate(rows[waiter.pid])
             if cell and cell[0] == tl.WAIT and cell[1] == "acquire"]  # fmt: skip
    assert holds and waits
    assert holds[0] <= waits[0]
    assert rows[waiter.pid][-1] == rows[holder.pid][-1] == tl.ENDED


def test_the_headless_summary_has_an_insights_section_for_the_lock_lesson():
    result = subprocess.run(
        [sys.executable, "-m", "mptui", "lock", "--headless", "-p", "workers=2", "-p", "rounds=2",
         "-p", "hold=0.1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    summary = result.stdout.split("\ninsights", 1)
    assert len(summary) == 2, result.stdout
    section = summary[1].split("\nlines:", 1)[0].splitlines()[1:]
    names = [line.split()[0] for line in section]
    assert sorted(names) == ["MainProcess", "worker-1", "worker-2"], section
    for line in section:
        assert "start-up" in line and "running" in line and "waiting" in line
    main = next(line for line in section if line.split()[0] == "MainProcess")
    assert ": join " in main  # it waited to join its workers
    assert any("acquire Lock" in line for line in section if "worker" in line)


def test_the_json_summary_carries_the_insights():
    result = subprocess.run(
        [sys.executable, "-m", "mptui", "lock", "--json", "-p", "workers=2", "-p", "rounds=1",
         "-p", "hold=0.1"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    summary = json.loads(result.stdout.splitlines()[-1])
    assert summary["kind"] == "summary"
    insights = {view["name"]: view for view in summary["insights"]}
    assert set(insights) == {"MainProcess", "worker-1", "worker-2"}
    for view in insights.values():
        assert view["starting_ns"] + view["running_ns"] + view["waiting_ns"] == view["life_ns"]
    assert insights["MainProcess"]["waiting_by_kind"]["join"] > 0
