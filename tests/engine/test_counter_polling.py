"""Counter tables that did not change are not read again; a change still shows at once.

The collector polls every process's counter table (queue and pipe operations, lock totals)
50 times a second. Found: with 500 Locks and 500 Queues in 8 sleeping processes, looking at
every slot of every table each time cost 9% of a core for nothing; comparing each table
whole, every fifth poll when quiet, still cost something per object and made a change
wait up to five polls. Now a writer bumps the table's change count after each count (a
lock's release publishes its record after its count instead; pipes are compared slot by
slot), and the collector reads that one word: an unchanged table is not copied at all,
and a change is read in the very poll that follows it.
"""

from __future__ import annotations

from engine_runs import run_program

from mptui import events as ev
from mptui.engine import collector
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session

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


class _CountingMap:
    """A ring reader's mapping that counts the copies taken of its counter table."""

    def __init__(self, mapped, copies: list[int]) -> None:
        self._mapped, self._copies = mapped, copies

    def __getitem__(self, index):
        self._copies.append(1)
        return self._mapped[index]

    def close(self) -> None:
        self._mapped.close()


def test_an_unchanged_counter_table_is_not_read_again(write_script, monkeypatch):
    polls, reads, copies = [], {}, {}
    real_init = collector._RingReader.__init__
    real = collector._RingReader.poll

    def counting_init(self, pid, path):
        real_init(self, pid, path)
        self._map = _CountingMap(self._map, copies.setdefault(pid, []))

    def counted(self, out, records, budget):
        dropped = real(self, out, records, budget)
        polls.append(self.pid)
        reads[self.pid] = self.reads
        return dropped

    monkeypatch.setattr(collector._RingReader, "__init__", counting_init)
    monkeypatch.setattr(collector._RingReader, "poll", counted)
    run = run_program(Program.from_script(write_script(QUIET)), timeout=60)
    runner = run.by_name("MainProcess").pid
    # Polled all along (the final look included), but read only when it had changed: the
    # first uses (a few polls), the use after the quiet spell, and not in between.
    assert polls.count(runner) >= 40
    assert 2 <= reads[runner] <= 6, reads[runner]
    # Not even copied to be compared while it did not change: a table is copied only
    # when its change count moved (or a record was read, or a slot claimed).
    assert len(copies[runner]) <= 8, len(copies[runner])
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


CYCLES = 9
AFTER_QUIET = f"""
import multiprocessing as mp, time

if __name__ == "__main__":
    queue, lock, (receiver, sender) = mp.Queue(), mp.Lock(), mp.Pipe()
    for cycle in range(1, {CYCLES} + 1):
        time.sleep(0.3)  # quiet: 15 polls that find nothing changed
        if cycle % 3 == 0:  # counted, then the table's change count bumped
            queue.put(cycle)
            queue.get()
        elif cycle % 3 == 1:  # counted, then its record published
            with lock:
                pass
        else:  # counted inline, no signal: its slots are compared every poll
            sender.send(cycle)
            receiver.recv()
        print(f"cycle {{cycle}}", flush=True)
"""
OPS = {0: [("put", 0), ("get", 0)], 1: [("released", 0)], 2: [("send", 1), ("recv", 0)]}


def _batches(program: Program) -> list[list[dict]]:
    """Run ``program`` to its end; every batch the collector published, in order."""
    batches: list[list[dict]] = []
    with RunControl(lambda p: Session(p, listeners=[batches.append])) as runs:
        session = runs.start(program)
        assert session.wait(60), "the program did not finish in time"
    return batches


def test_a_count_after_a_quiet_spell_is_read_in_the_poll_that_follows_it(write_script, cpu_burners):
    """Each count is made before the line printed after it, and a round reads the output
    before it polls the rings: so the round that reads ``cycle N`` must also see that
    cycle's puts and gets, release, or send and receive (each signalled its own way),
    quiet spell or not, CPU burners beside or not.
    (A reader that looked at a quiet table every fifth poll saw them up to 4 rounds later;
    a change signal set before the count, or read after the table, would lose some.)"""
    batches = _batches(Program.from_script(write_script(AFTER_QUIET)))
    seen: dict[tuple, int] = {}  # (op, end) -> highest count seen so far
    checked = 0
    for batch in batches:
        for event in batch:
            if event["kind"] == ev.COUNTER:
                key = (event["op"], event["end"])
                seen[key] = max(seen.get(key, 0), event["count"])
        for event in batch:
            texts = event.get("texts") or ([event["text"]] if event["kind"] == ev.LINE else [])
            for text in texts:
                if text.startswith("cycle "):
                    cycle = int(text.split()[1])
                    ops = OPS[cycle % 3]
                    times = len([c for c in range(1, cycle + 1) if c % 3 == cycle % 3])
                    counts = {op: seen.get(op, 0) for op in ops}
                    assert counts == dict.fromkeys(ops, times), (cycle, counts)
                    checked += 1
    assert checked == CYCLES
