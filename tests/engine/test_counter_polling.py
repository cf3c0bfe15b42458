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
    timeline: list[tuple] = []  # ("poll", pid, copies, reads) and ("batch", texts), in order
    copies: dict[int, list[int]] = {}
    real_init = collector._RingReader.__init__
    real = collector._RingReader.poll

    def counting_init(self, pid, path):
        real_init(self, pid, path)
        self._map = _CountingMap(self._map, copies.setdefault(pid, []))

    def counted(self, out, records, budget):
        dropped = real(self, out, records, budget)
        timeline.append(("poll", self.pid, len(copies[self.pid]), self.reads))
        return dropped

    def batch_read(batch):
        texts = [
            t
            for e in batch
            if e["kind"] in (ev.LINE, ev.LINES)
            for t in e.get("texts", [e.get("text")])
        ]
        timeline.append(("batch", texts))

    monkeypatch.setattr(collector._RingReader, "__init__", counting_init)
    monkeypatch.setattr(collector._RingReader, "poll", counted)
    program = Program.from_script(write_script(QUIET))
    with RunControl(lambda p: Session(p, listeners=[batch_read])) as runs:
        session = runs.start(program)
        assert session.wait(60), "the program did not finish in time"
    snapshot = session.store.snapshot()
    runner = next(p.pid for p in snapshot.processes if p.name == "MainProcess")
    # The polls of the quiet spell: after the round that read "used", up to the round
    # that read "used again" (whose own poll may read the change).
    used = next(i for i, item in enumerate(timeline) if item[0] == "batch" and "used" in item[1])
    again = next(
        i for i, item in enumerate(timeline) if item[0] == "batch" and "used again" in item[1]
    )
    quiet = [item for item in timeline[used:again] if item[0] == "poll" and item[1] == runner]
    assert len(quiet) >= 40  # polled all along (1.5 s, 50 polls a second)
    # Not read, and not even copied to be compared, while it did not change: only the
    # last polls, that found the late put and get (and the previous reader copied the
    # table every fifth poll of a quiet spell).
    assert quiet[-1][2] - quiet[0][2] <= 2, [item[2] for item in quiet]
    assert quiet[-1][3] - quiet[0][3] <= 2
    # Nothing was missed: every queue's totals, the late put and get included.
    queues = snapshot.queues
    assert sorted((q.puts, q.gets) for q in queues) == [(1, 1)] * 49 + [(2, 2)]


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
                    # (More is fine: the process may have gone on before the rings were
                    # polled. Less is a count read late.)
                    assert min(counts.values()) >= times, (cycle, counts)
                    checked += 1
    assert checked == CYCLES


BURSTS = 150
SHORT_BURSTS = f"""
import multiprocessing as mp, random, time

if __name__ == "__main__":
    queue, lock, (receiver, sender) = mp.Queue(), mp.Lock(), mp.Pipe()
    for burst in range(1, {BURSTS} + 1):
        time.sleep(random.choice((0, 0, 0.001, 0.004, 0.03, 0.15)))  # anywhere between polls
        queue.put(burst)
        queue.get()
        with lock:
            pass
        sender.send(burst)
        receiver.recv()
        print(f"burst {{burst}}", flush=True)
"""


def test_no_count_is_read_late_when_counts_and_polls_interleave(write_script, cpu_burners):
    """Hundreds of counts at every offset from the polls, CPU burners beside: at the round
    that reads ``burst N``, every count of burst N is seen, whichever way it is signalled.
    (The change count bumped before the count, or read after the table, or a release's
    record published before its count, would each let some be read a round late.)"""
    batches = _batches(Program.from_script(write_script(SHORT_BURSTS)))
    seen: dict[tuple, int] = {}
    bursts = 0
    for batch in batches:
        for event in batch:
            if event["kind"] == ev.COUNTER:
                key = (event["op"], event["end"])
                seen[key] = max(seen.get(key, 0), event["count"])
        for event in batch:
            texts = event.get("texts") or ([event["text"]] if event["kind"] == ev.LINE else [])
            for text in texts:
                if text.startswith("burst "):
                    burst = int(text.split()[1])
                    ops = [("put", 0), ("get", 0), ("released", 0), ("send", 1), ("recv", 0)]
                    late = {op: seen.get(op, 0) for op in ops if seen.get(op, 0) < burst}
                    assert not late, (burst, late)
                    bursts += 1
    assert bursts == BURSTS
