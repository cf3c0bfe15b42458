"""What a sleeping program costs mptui does not grow with the objects it holds.

Found (benchmarks/bench_idle.py): 500 Locks and 500 Queues in 8 sleeping processes cost
mptui more than 2 of them, in three places besides the counter tables
(test_counter_polling.py): the Store's once-a-second tick sampled every queue; and every
second the process tree was scanned, reading /proc/PID/stat of every process twice
(parent, then start time), a file whose cost grows with the process's threads (a queue
that was put to has a feeder thread in each process). Now a tick samples only the queues
that moved, and a scan reads /proc/PID/stat only for a process it has not seen, and runs
only when a pid was allocated since the last one.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import psutil
import pytest

from mptui import events as ev
from mptui.engine import metrics
from mptui.engine.guardian import start_time
from mptui.engine.metrics import MetricsSampler
from mptui.engine.run_control import RunControl
from mptui.engine.session import Program, Session

BUSY_THEN_QUIET = """
import multiprocessing as mp, time

if __name__ == "__main__":
    quiet = [mp.Queue() for _ in range(20)]
    for q in quiet:
        q.put(1)  # depth 1, then never touched again
    busy = mp.Queue()
    end = time.monotonic() + 2.5
    while time.monotonic() < end:  # a rate for two ticks at least
        busy.put(1)
        busy.get()
        time.sleep(0.005)
    print("quiet", flush=True)
    time.sleep(3.5)  # three ticks at least: the busy queue's rate is sampled at 0
    print("done", flush=True)
"""


def test_a_tick_samples_only_the_queues_that_moved_and_rates_fall_to_0(write_script):
    batches: list[list[dict]] = []
    rates: list[float] = []  # the busy queue's put rate after each tick

    with RunControl(lambda p: Session(p, listeners=[batches.append])) as runs:
        session = runs.start(Program.from_script(write_script(BUSY_THEN_QUIET)))

        def after_tick(batch: list[dict]) -> None:
            if any(e["kind"] == ev.TICK for e in batch):
                busy = [q for q in session.store.snapshot().queues if q.puts > 1]
                rates.extend(q.put_rate for q in busy)

        session._collector._listeners.append(after_tick)
        assert session.wait(60), "the program did not finish in time"
    snapshot = session.store.snapshot()
    (busy,) = [q for q in snapshot.queues if q.puts > 1]
    quiet = [q for q in snapshot.queues if q.puts == 1]
    assert len(quiet) == 20
    # The rate was seen while the queue was busy, and fell to 0 once it was quiet.
    assert max(rates) > 0
    assert (busy.put_rate, busy.get_rate) == (0.0, 0.0)
    assert rates[-1] == 0.0
    # Every queue shows one depth sample per tick since it was first heard of, as when
    # every tick sampled every queue.
    ticks_after: dict[int, int] = {}  # queue id -> ticks folded after its first event
    for batch in batches:
        for e in batch:
            if e["kind"] == ev.TICK:
                for oid in ticks_after:
                    ticks_after[oid] += 1
            elif e["kind"] in (ev.OBJECT, ev.COUNTER) and e.get("op", "put") in ("put", "get"):
                ticks_after.setdefault(e["id"], 0)
    for q in snapshot.queues:
        assert len(q.depth_history) == min(ticks_after[q.id], 120) >= 5, q
    assert all(q.depth_history[-1] == 1 for q in quiet)
    assert busy.depth_history[-3:] == (0, 0, 0)
    # But the ticks did not sample the quiet ones: their samples since they went quiet
    # were only filled in when read.
    kept = {oid: len(q.depth_history) for oid, q in session.store._queues.items()}
    assert all(kept[q.id] <= len(q.depth_history) - 3 for q in quiet), kept


TREE = """
import subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import subprocess, time; "
    "g = subprocess.Popen(['sleep', '60']); print(g.pid, flush=True); time.sleep(60)"],
    stdout=subprocess.PIPE)
print(child.pid, child.stdout.readline().decode().strip(), flush=True)
sys.stdin.readline()  # then one more child
late = subprocess.Popen(["sleep", "60"])
print(late.pid, flush=True)
time.sleep(60)
"""


@pytest.fixture
def tree():
    """A real process tree: root -> child -> grandchild; the root adds a child on demand.
    Killed, by pid, when the test ends."""
    root = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(TREE)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    child, grandchild = map(int, root.stdout.readline().split())
    yield root, child, grandchild
    for proc in psutil.Process(root.pid).children(recursive=True):
        proc.kill()
    root.kill()
    root.wait()


def test_the_process_tree_is_scanned_reading_each_process_once(tree, monkeypatch):
    root, child, grandchild = tree
    read: list[str] = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        read.append(str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(metrics, "open", counting_open, raising=False)
    sampler = MetricsSampler()
    found = sampler.descendants(root.pid, set())
    assert found == {child: start_time(child), grandchild: start_time(grandchild)}
    assert set(found) == {p.pid for p in psutil.Process(root.pid).children(recursive=True)}
    assert {f"/proc/{child}/stat", f"/proc/{grandchild}/stat"} <= set(read)
    # Scanned again (a pid was allocated meanwhile): the same processes, not read again.
    read.clear()
    monkeypatch.setattr(metrics, "_last_pid", lambda: -1)  # "moved"
    assert sampler.descendants(root.pid, set()) == found
    ours = {f"/proc/{pid}/stat" for pid in (root.pid, child, grandchild)}
    assert not ours & set(read)  # (processes of others that started meanwhile are read)
    # A new descendant is found, and only its file is read.
    root.stdin.write("\n")
    root.stdin.flush()
    late = int(root.stdout.readline())
    monkeypatch.setattr(metrics, "_last_pid", lambda: -2)
    assert sampler.descendants(root.pid, set()) == {**found, late: start_time(late)}
    assert f"/proc/{late}/stat" in read
    assert not ours & set(read)


def test_no_scan_while_no_pid_was_allocated(tree, monkeypatch):
    """While the kernel's last allocated pid stays the same no process can have been
    created: the tree is not scanned; a pid of the run not seen yet is still added."""
    root, child, grandchild = tree
    monkeypatch.setattr(metrics, "_last_pid", lambda: 12345)
    sampler = MetricsSampler()
    found = sampler.descendants(root.pid, set())
    assert set(found) == {child, grandchild}
    listed: list[str] = []
    real_listdir = metrics.os.listdir
    monkeypatch.setattr(metrics.os, "listdir", lambda p: listed.append(p) or real_listdir(p))
    assert sampler.descendants(root.pid, {root.pid}) == {**found, root.pid: start_time(root.pid)}
    assert listed == []
