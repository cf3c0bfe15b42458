"""Shared memory under mptui: every segment with its name, its size, the processes that
created and attached it, which of them closed it, and whether it was unlinked, under every
start method; the program sees what plain python gives it."""

from __future__ import annotations

from engine_runs import run_plain, run_program

from mptui import events as ev
from mptui.engine.session import Program
from mptui.headless import summary_json, summary_text

SEGMENT = """
import multiprocessing as mp, sys
from multiprocessing import shared_memory

def child(name, n, attached, leave):
    shm = shared_memory.SharedMemory(name=name)
    shm.buf[n] = n + 1
    attached.release()
    leave.acquire()                    # keep it mapped until the parent has seen both
    shm.close()

if __name__ == "__main__":
    mp.set_start_method(sys.argv[1])
    block = shared_memory.SharedMemory(create=True, size=1000)
    attached, leave = mp.Semaphore(0), mp.Semaphore(0)
    kids = [mp.Process(target=child, args=(block.name, n, attached, leave)) for n in range(2)]
    for p in kids:
        p.start()
    attached.acquire(); attached.acquire()
    print("segment", block.name, block.size, bytes(block.buf[:2]).hex(), flush=True)
    leave.release(); leave.release()
    for p in kids:
        p.join()
    block.close()
    block.unlink()
    shared = shared_memory.ShareableList([1, "two"])
    print("list", list(shared), flush=True)
    shared.shm.close()
    shared.shm.unlink()
"""


def test_a_segment_shows_its_name_size_and_every_process_that_attached(write_script, start_method):
    path = write_script(SEGMENT)
    plain = run_plain(path, start_method, timeout=60)
    assert plain.returncode == 0, plain.stderr
    run = run_program(Program.from_script(path, (start_method,), start_method))
    assert run.exitcode == 0
    main = run.by_name("MainProcess").pid
    lines = run.lines(main, "stdout")
    assert [line.split()[0] for line in lines] == ["segment", "list"]
    assert lines[0].split()[2:] == plain.stdout.split()[2:4] == ["1000", "0102"]
    assert lines[1] == plain.stdout.splitlines()[1]
    name = lines[0].split()[1]

    segment, shared_list = run.snapshot.shared_memory
    children = {p.pid for p in run.snapshot.processes if p.role == "child"}
    assert segment.name == name and segment.size == 1000
    assert segment.creator_pid == main
    assert set(segment.attached) == {main, *children} and len(segment.attached) == 3
    assert segment.unlinked and segment.open_pids == ()
    # Each child closed what it attached; the parent unlinked it. (Messages of different
    # processes may be read in any order: only each process's own order is compared.)
    kinds = [
        (e["kind"], e["pid"]) for e in run.events
        if e["kind"] in (ev.SHM_OPENED, ev.SHM_CLOSED, ev.SHM_UNLINKED) and e["name"] == name
    ]  # fmt: skip
    assert kinds.count((ev.SHM_UNLINKED, main)) == 1
    assert kinds.index((ev.SHM_OPENED, main)) < kinds.index((ev.SHM_UNLINKED, main))
    for child in children:
        assert kinds.index((ev.SHM_OPENED, child)) < kinds.index((ev.SHM_CLOSED, child))
    # A ShareableList is a segment too.
    assert shared_list.creator_pid == main and shared_list.attached == (main,)
    assert shared_list.unlinked

    text = summary_text(run.snapshot)
    assert f"  {name}  1000B  created by pid {main}  attached by " in text
    (as_json, _) = summary_json(run.snapshot)["shared_memory"]
    assert as_json["name"] == name and as_json["size"] == 1000
    assert sorted(as_json["attached"]) == sorted(segment.attached)
