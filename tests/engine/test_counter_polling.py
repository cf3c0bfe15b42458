"""Counter tables that did not change are not read again; a change still shows at once.

The collector polls every process's counter table (queue and pipe operations, lock totals)
50 times a second. Found: with 500 Locks and 500 Queues in 8 sleeping processes, looking at
every slot of every table each time cost 9% of a core for nothing. Now an unchanged table is
recognised in one comparison and its slots are not read.
"""

from __future__ import annotations

from engine_runs import run_program

from mptui import events as ev
from mptui.engine import collector
from mptui.engine.session import Program

QUIET = """
import multiprocessing as mp, time

if __name__ == "__main__":
    queues = [mp.Queue() for _ in range(50)]
    lock = mp.Lock()
    for q in queues:
        q.put(1)
        q.get()
    with lock:
        pass
    print("used", flush=True)
    time.sleep(1.5)  # nothing changes: about 75 polls
    queues[0].put(2)
    queues[0].get()
    print("used again", flush=True)
    time.sleep(1.0)  # the change is read while the process still runs
    print("done", flush=True)
"""


def test_an_unchanged_counter_table_is_not_read_again(write_script, monkeypatch):
    polls, reads = [], {}
    real = collector._RingReader.read_counters

    def counted(self, out, now=False):
        real(self, out, now)
        polls.append(self.pid)
        reads[self.pid] = self.reads

    monkeypatch.setattr(collector._RingReader, "read_counters", counted)
    run = run_program(Program.from_script(write_script(QUIET)), timeout=60)
    runner = run.by_name("MainProcess").pid
    # Polled all along (the final look included), but read only when it had changed: the
    # first uses (a few polls), the use after the quiet spell, and not in between.
    assert polls.count(runner) >= 40
    assert 2 <= reads[runner] <= 6, reads[runner]
    # Nothing was missed: every queue's totals, the late put and get included.
    queues = run.snapshot.queues
    assert sorted((q.puts, q.gets) for q in queues) == [(1, 1)] * 49 + [(2, 2)]
    # The late change was read while the process slept, before it printed "done".
    kinds = [
        (e["kind"], e.get("count"), e.get("texts")) for e in run.events if e.get("pid") == runner
    ]
    late = next(i for i, (kind, count, _) in enumerate(kinds) if kind == ev.COUNTER and count == 2)
    done = next(i for i, (kind, _, texts) in enumerate(kinds) if texts and "done" in texts)
    assert late < done
