"""The Store resolves where each wait was called from: a WAIT_SITE record names the site
of the next wait of that process on that object, the process's ``site`` message names
the line (before or after the records: the two travel apart), site ids are each
process's own; and the Source panel's marks are made from that."""

from __future__ import annotations

from mptui import events as ev
from mptui.engine.store import Store
from mptui.tui.widgets.source_marks import FileMatcher, source_marks

PARENT, CHILD = 100, 101
LOCK, QUEUE = 7, 8


def site(pid: int, sid: int, line: int, file: str = "/p/prog.py") -> dict:
    return {"kind": ev.SITE, "pid": pid, "id": sid, "file": file, "line": line, "t": 0}


def ring(pid: int, rk: int, oid: int, t: int, value: int = 0, aux: int = 0) -> dict:
    return ev.ring_event(pid, rk << 56 | aux << 48 | oid, t, value)


def store_with_objects() -> Store:
    store = Store()
    store.apply_many([
        {"kind": ev.HELLO, "pid": PARENT, "ppid": 1, "how": "exec", "runner": True,
         "cmdline": "python prog.py", "argv": ["prog.py"], "t": 0},
        {"kind": ev.HELLO, "pid": CHILD, "ppid": PARENT, "how": "fork", "runner": False,
         "cmdline": "python prog.py", "argv": [], "t": 0},
        {"kind": ev.STARTED, "pid": CHILD, "name": "worker-1", "start_method": "fork", "t": 0},
        {"kind": ev.OBJECT, "pid": PARENT, "id": LOCK, "type": "Lock", "label": "lock (prog.py:3)",
         "file": "/p/prog.py", "line": 3, "t": 0},
        {"kind": ev.OBJECT, "pid": PARENT, "id": QUEUE, "type": "Queue", "label": "q (prog.py:4)",
         "file": "/p/prog.py", "line": 4, "maxsize": 0, "t": 0},
    ])  # fmt: skip
    return store


def test_sites_resolve_per_process_whatever_the_order_of_the_two_wires():
    store = store_with_objects()
    # Both processes call their site 1; the child's message comes after its records.
    store.apply_many([
        site(PARENT, 1, 10),
        ring(PARENT, ev.RK_WAIT_SITE, QUEUE, 5, value=1),
        ring(PARENT, ev.RK_WAIT_BEGIN, QUEUE, 5, aux=ev.OP_GET),
        ring(CHILD, ev.RK_WAIT_SITE, LOCK, 6, value=1),
        ring(CHILD, ev.RK_LOCK_WAIT, LOCK, 6),
    ])  # fmt: skip
    waits = {w.pid: w for w in store.snapshot().waits}
    assert (waits[PARENT].file, waits[PARENT].line) == ("/p/prog.py", 10)
    assert waits[CHILD].line is None  # not named yet
    store.apply(site(CHILD, 1, 20))
    waits = {w.pid: w for w in store.snapshot().waits}
    assert waits[CHILD].line == 20 and waits[PARENT].line == 10


def test_a_wait_without_its_site_record_has_no_line_and_holders_only_when_waited():
    store = store_with_objects()
    store.apply_many([
        site(CHILD, 1, 20),
        ring(CHILD, ev.RK_WAIT_SITE, LOCK, 1, value=1),
        ring(CHILD, ev.RK_LOCK_WAIT, LOCK, 1),
        ring(CHILD, ev.RK_LOCK_ACQUIRED, LOCK, 2, value=1),
    ])  # fmt: skip
    (lock,) = store.snapshot().locks
    assert (lock.file, lock.line, lock.holder_line) == ("/p/prog.py", 3, 20)
    store.apply_many([
        ring(CHILD, ev.RK_LOCK_RELEASED, LOCK, 3, value=1),
        ring(CHILD, ev.RK_LOCK_ACQUIRED, LOCK, 4),  # fast: where is not known
        ring(PARENT, ev.RK_LOCK_WAIT, LOCK, 5),  # a record dropped: no site
    ])  # fmt: skip
    snap = store.snapshot()
    assert snap.locks[0].holder_line is None
    assert [(w.pid, w.line) for w in snap.waits] == [(PARENT, None)]


def test_marks_name_the_waiters_on_their_line_and_the_lines_that_made_objects(tmp_path):
    prog = tmp_path / "prog.py"
    prog.write_text("x\n" * 30)
    store = store_with_objects()
    store.apply_many([
        {"kind": ev.OBJECT, "pid": PARENT, "id": 9, "type": "Lock", "label": "b (prog.py:3)",
         "file": str(prog), "line": 3, "t": 0},
        site(PARENT, 1, 12, str(prog)),
        site(CHILD, 1, 12, str(prog)),
        ring(CHILD, ev.RK_WAIT_SITE, 9, 1, value=1),
        ring(CHILD, ev.RK_LOCK_WAIT, 9, 1),
        ring(PARENT, ev.RK_WAIT_SITE, 9, 2, value=1),
        ring(PARENT, ev.RK_LOCK_WAIT, 9, 2),
    ])  # fmt: skip
    marks = source_marks(store.snapshot(), FileMatcher(str(prog)))
    assert marks[12].kind == "waiting"
    assert marks[12].text == "worker-1, MainProcess wait (acquire)"  # oldest wait first
    assert marks[3].text == "Lock created"
    assert set(marks) == {3, 12}  # the objects of /p/prog.py are another file's
