"""What each lesson teaches, as checks on its output; shared by the plain-python and the
mptui runs of the lessons."""

from __future__ import annotations

import multiprocessing
import re
from collections import defaultdict

ALL_METHODS = multiprocessing.get_all_start_methods()


def lines(text: str) -> list[str]:
    return text.splitlines()


# --- what each lesson teaches -------------------------------------------------------------


def check_hello(out: str) -> None:
    first, greeting, last = lines(out)
    parent = re.fullmatch(r"parent \(pid (\d+)\): starting the child", first)
    child = re.fullmatch(r"child \(pid (\d+)\): hello from the child process", greeting)
    assert parent and child, out
    assert child.group(1) != parent.group(1)  # another process greeted
    # join() waited for the child: its greeting came before the parent's last line.
    assert last == "parent: join() returned; the child exited with code 0"


def check_args(out: str) -> None:
    greetings = re.findall(r"child \(pid (\d+)\): hello Ada Lovelace \((\d)/2\)", out)
    assert [n for _, n in greetings] == ["1", "2"], out
    assert len({pid for pid, _ in greetings}) == 1  # one child printed both
    assert lines(out)[-1] == "parent: child finished with exit code 0"


def check_squares(out: str) -> None:
    squares = [tuple(map(int, m)) for m in re.findall(r"^square of (\d+) is (\d+)$", out, re.M)]
    assert squares == [(n, n * n) for n in range(1, 8)], out
    assert "child: results = [1, 4, 9, 16, 25, 36, 49]" in lines(out)
    # The child filled its own copy: the parent's list is still empty.
    assert lines(out)[-1].startswith("parent: results = [] ")


def check_two_processes(out: str, buffering: str) -> None:
    known = re.compile(
        r"square of (\d+) is (\d+)|(\d+) is (even|odd)|parent: both processes finished"
    )
    assert all(known.fullmatch(line) for line in lines(out)), out  # no line cut in two
    squares = [tuple(map(int, m)) for m in re.findall(r"^square of (\d+) is (\d+)$", out, re.M)]
    parities = re.findall(r"^(\d+) is (even|odd)$", out, re.M)
    assert squares == [(n, n * n) for n in range(1, 9)]
    assert parities == [(str(n), "even" if n % 2 == 0 else "odd") for n in range(1, 9)]
    assert lines(out)[-1] == "parent: both processes finished"
    if buffering == "unbuffered":
        # Lines go out as they are printed, so running at the same time shows as mixing.
        kinds = ["square" if line.startswith("square") else "parity" for line in lines(out)[:-1]]
        assert kinds.index("parity") < len(kinds) - 1 - kinds[::-1].index("square"), out
        assert kinds.index("square") < len(kinds) - 1 - kinds[::-1].index("parity"), out


QUEUE_COUNT = 5000  # pickled results far beyond a pipe buffer: joining first would hang


def check_queue(out: str) -> None:
    got = re.findall(r"^parent got: (\d+) is (even|odd)$", out, re.M)
    assert got == [(str(n), "even" if n % 2 == 0 else "odd") for n in range(1, QUEUE_COUNT + 1)]
    assert lines(out)[-1] == f"parent: received {QUEUE_COUNT} of {QUEUE_COUNT} results"


def check_pipe(out: str) -> None:
    assert lines(out) == [
        "child: sending 'hello world'",
        "parent received: 'hello world'",
        "parent: the child closed its end; no more messages",
    ]


LOCK_LINE = re.compile(r"worker (\d+) round (\d+): (begin|working|end)")


def lock_blocks(out: str) -> list[tuple[int, int]]:
    """Return (worker, round) per block; fail if any block is interleaved or torn."""
    body = [line for line in lines(out) if not line.startswith("parent:")]
    assert len(body) % 3 == 0, out
    blocks = []
    for i in range(0, len(body), 3):
        parsed = [LOCK_LINE.fullmatch(line) for line in body[i : i + 3]]
        assert all(parsed), f"torn line near line {i}:\n{out}"
        owners = {(int(m.group(1)), int(m.group(2))) for m in parsed}
        assert len(owners) == 1, f"blocks interleaved near line {i}:\n{out}"
        assert [m.group(3) for m in parsed] == ["begin", "working", "end"], out
        blocks.append(owners.pop())
    return blocks


def check_lock(out: str, workers: int, rounds: int) -> None:
    blocks = lock_blocks(out)
    assert len(blocks) == workers * rounds  # one block per acquisition, none lost
    per_worker = defaultdict(list)
    for worker, round_ in blocks:
        per_worker[worker].append(round_)
    assert dict(per_worker) == {w: list(range(1, rounds + 1)) for w in range(1, workers + 1)}
    assert lines(out)[-1] == f"parent: {workers} workers took {workers * rounds} turns at the lock"


LOG_LINE = re.compile(r"\[(\w+)/([\w-]+)\] (.*)")
LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR"]


def check_logging(err: str, level: str, workers: int) -> None:
    parsed = [LOG_LINE.fullmatch(line) for line in lines(err)]
    assert all(parsed), err
    shown = set(LEVELS[LEVELS.index(level) :])
    for n in range(1, workers + 1):
        mine = {m.group(1) for m in parsed if m.group(3).startswith(f"worker {n}:")}
        assert mine == shown, (n, err)
        # Each worker's messages carry its own process name.
        assert all(
            m.group(2) == f"worker-{n}" for m in parsed if m.group(3).startswith(f"worker {n}:")
        )
    assert {m.group(1) for m in parsed} <= shown  # nothing below the level, from anyone
    assert ("WARNING", "MainProcess", "main: all workers finished") in [m.groups() for m in parsed]


def check_deadlock(out: str, order: str = "opposite") -> None:
    # Both workers print at the same moment: unbuffered, print() writes the text and its
    # newline apart, so two lines can come out as one; look for the words, not the lines.
    said = lines(out)
    assert "worker 1: took lock a; now asking for lock b" in out, out
    second = "b; now asking for lock a" if order == "opposite" else "a; now asking for lock b"
    assert f"worker 2: took lock {second}" in out, out
    gave_up = [line for line in said if "gave up" in line]
    if order == "opposite":
        # Each held what the other wanted: the first to time out gave up, the other then won.
        assert len(gave_up) == 1 and gave_up[0].endswith("s: deadlock"), out
        assert len([line for line in said if "too; working with both" in line]) == 1, out
    else:
        assert gave_up == [], out
    assert said[-1] == "parent: both workers finished"


def check_join_drain(out: str, results: int, give_up: str | None) -> None:
    said = lines(out)
    assert said[0] == f"worker: put {results} results; returning", out
    if give_up is not None:  # join first: it hangs until the parent gives up and reads
        assert said[1].startswith(f"parent: the worker still has not exited after {give_up} s")
    assert said[-1] == f"parent: got {results} results; the worker exited with code 0", out


# --- past the basics ------------------------------------------------------------------------
# Concurrent processes' lines may be cut where a print() writes its newline apart (with
# PYTHONUNBUFFERED), so these checks find each message in the whole output, in order,
# rather than line by line. With ``merged`` (the log as mptui collected it, process by
# process) the order of lines from different processes written within a poll of each
# other is not kept: only each process's own order is checked then.


def check_lost_updates(out: str, workers: int, increments: int, some_lost: bool = False) -> None:
    expected = workers * increments
    runs = re.findall(r"(with|without) the lock: expected (\d+), got (\d+), lost (\d+) \(", out)
    assert [kind for kind, *_ in runs] == ["without", "with"], out
    for _, said, got, lost in runs:
        assert int(said) == expected and int(got) + int(lost) == expected, out
        assert 0 < int(got) <= expected
    # With the lock held around the read-add-write, not one update is lost.
    assert runs[1][2:] == (str(expected), "0"), out
    if some_lost:  # workers that overlap for long (the defaults) lose updates without it
        assert int(runs[0][3]) > 0, out


BARRIER = re.compile(r"worker (\d+): (ready|phase (\d+) begins|phase (\d+) done|finished)")


def check_event_barrier(out: str, workers: int, phases: int, merged: bool = False) -> None:
    go = out.index("parent: everything is ready: go!")
    said = [(m.start(), int(m.group(1)), m.group(2)) for m in BARRIER.finditer(out)]
    assert len(said) == workers * (2 + 2 * phases), out
    for n in range(1, workers + 1):
        mine = [what for _, w, what in said if w == n]
        steps = [f"phase {p} {e}" for p in range(1, phases + 1) for e in ("begins", "done")]
        assert mine == ["ready", *steps, "finished"], (n, out)
    assert lines(out)[-1] == f"parent: {workers} workers went through {phases} phases in step"
    if merged:
        return
    # Nobody began before the Event was set.
    assert all(at > go for at, _, what in said if what.startswith("phase")), out
    # The Barrier: every worker ended a phase before any began the next.
    for p in range(1, phases):
        last_done = max(at for at, _, what in said if what == f"phase {p} done")
        first_next = min(at for at, _, what in said if what == f"phase {p + 1} begins")
        assert last_done < first_next, (p, out)


def check_semaphore(out: str, workers: int, limit: int, rounds: int) -> None:
    found = re.findall(r"worker (\d+) round (\d+): (in|out), (\d+) inside", out)
    assert len(found) == 2 * workers * rounds, out
    inside = [int(count) for *_, count in found]
    assert max(inside) <= limit, out  # the Semaphore never let more in
    assert min(int(c) for *_, kind, c in found if kind == "in") >= 1
    for n in range(1, workers + 1):
        mine = [(int(r), kind) for w, r, kind, _ in found if int(w) == n]
        assert mine == [(r, k) for r in range(1, rounds + 1) for k in ("in", "out")], out
    assert lines(out)[-1] == f"parent: {workers} workers, never more than {limit} inside"


def check_producer_consumer(out: str, items: int, consumers: int, merged: bool = False) -> None:
    done = [
        (m.start(), int(m.group(2))) for m in re.finditer(r"consumer (\d+): done item (\d+)", out)
    ]
    assert sorted(item for _, item in done) == list(range(1, items + 1)), out  # each once
    assert re.search(rf"parent: put {items} items; the queue was full \d+ times", out), out
    joined = out.index("parent: join() returned: every item is done")
    stops = [m.start() for m in re.finditer(r"consumer (\d+): got the sentinel, stopping", out)]
    assert len(stops) == consumers, out
    if not merged:
        assert all(at < joined for at, _ in done), out  # join() waited for every task_done()
        assert all(at > joined for at in stops), out  # the sentinels went after join()
    stopped = {int(n) for n in re.findall(r"consumer (\d+): got the sentinel", out)}
    assert stopped == set(range(1, consumers + 1))  # one sentinel each
    assert lines(out)[-1] == f"parent: {consumers} consumers stopped"


def check_manager(out: str, workers: int, rounds: int) -> None:
    assert len(re.findall(r"worker \d+ round \d+: \d+ events so far", out)) == workers * rounds
    scores = {f"worker {n}": rounds * n for n in range(1, workers + 1)}
    said = lines(out)
    assert f"parent: scores {scores}" in said, out  # every worker's writes reached one dict
    assert re.search(
        rf"^parent: {workers * rounds} events, first 'worker \d+ round 1', "
        rf"last 'worker \d+ round {rounds}'$",
        out,
        re.M,
    ), out
    assert said[-2:] == [
        "parent: after appending in place, history is []",
        "parent: after storing it back, history is [1]",
    ]


def check_remote(out: str, producers: int, jobs: int) -> None:
    said = lines(out)
    assert said[0] == "parent: the manager serves a queue at 127.0.0.1, a free port", out
    assert said[1].startswith("parent: a client with the wrong key was refused: "), out
    got = re.findall(r"consumer: got job (\d+) from producer (\d+)", out)
    for p in range(1, producers + 1):
        # One queue, first in first out: each producer's jobs arrive in the order put.
        assert [int(j) for j, q in got if int(q) == p] == list(range(1, jobs + 1)), out
        assert f"producer {p}: put {jobs} jobs" in out
    assert len(got) == producers * jobs
    assert f"consumer: got {producers * jobs} jobs from {producers} producers" in out
    assert said[-1] == "parent: the clients are done; the manager has shut down"


def check_start_methods(out: str, starts: int) -> None:
    methods = [m for m in ("fork", "spawn", "forkserver") if m in ALL_METHODS]
    for method in methods:
        found = re.findall(rf"^{method}: start (\d+) ran after (\d+\.\d) ms$", out, re.M)
        assert [int(n) for n, _ in found] == list(range(1, starts + 1)), out
    assert re.fullmatch(
        "median start: " + ", ".join(rf"{m} \d+\.\d ms" for m in methods), lines(out)[-1]
    ), out


def check_pool_map(out: str, tasks: int, chunksize: int, workers: int) -> None:
    for size in (1, chunksize):
        line = rf"^map, chunksize {size}: {tasks} results in \d+\.\d\d s, in input order: True$"
        assert re.search(line, out, re.M), out
    arrived = [(int(n), int(sq)) for n, sq in re.findall(r"square of (\d+) is (\d+) after", out)]
    assert sorted(arrived) == [(n, n * n) for n in range(2 * workers)], out
    order = [n for n, _ in arrived]
    assert f"imap_unordered: arrival order {order}" in lines(out)
    assert order != sorted(order), out  # as each was ready, not in input order
    assert lines(out)[-1] == "parent: the pool's workers have exited"


def check_pool_crash(out: str, give_up: str, workers: int) -> None:
    assert lines(out) == [
        "parent: starmap() raised ZeroDivisionError: integer division or modulo by zero",
        "parent: its cause, from the worker: RemoteTraceback",
        "parent: the pool still works: [1, 2, 3]",
        f"parent: no result after {give_up} s: the task died with its worker",
        f"parent: the pool replaced 1 dead worker; it still has {workers}",
        "parent: the pool still works: [4, 5, 6]",
        "parent: pool terminated",
    ], out


# --- the matrix ----------------------------------------------------------------------------

ARGS = {
    "hello": ["--work", "0.05"],
    "args": ["--name", "Ada Lovelace", "--times", "2", "--delay", "0.01"],
    "squares": ["--count", "7", "--delay", "0.01"],
    "two-processes": ["--count", "8", "--delay", "0.05"],
    "queue": ["--count", str(QUEUE_COUNT), "--delay", "0"],
    "pipe": ["--delay", "0.01"],
    "lock": ["--workers", "3", "--rounds", "3", "--hold", "0.03"],
    "logging": ["--level", "WARNING", "--workers", "3", "--delay", "0.01"],
    "deadlock": ["--give-up", "1"],
    "join-drain": ["--results", "2000", "--give-up", "1"],
    "lost-updates": ["--workers", "3", "--increments", "50", "--pause", "0.001"],
    "event-barrier": ["--workers", "3", "--phases", "2", "--step", "0.05"],
    "semaphore": ["--workers", "4", "--limit", "2", "--rounds", "2", "--hold", "0.05"],
    "producer-consumer": ["--items", "30", "--consumers", "3", "--size", "4", "--work", "0.01"],
    "manager": ["--workers", "3", "--rounds", "3", "--delay", "0.01"],
    "remote": ["--producers", "2", "--jobs", "4", "--delay", "0.01"],
    "start-methods": ["--starts", "2"],
    "pool-map": ["--workers", "2", "--tasks", "2000", "--chunksize", "100", "--slow", "0.2"],
    "pool-crash": ["--workers", "2", "--bad", "3", "--give-up", "1"],
}

DEFAULT_CHECKS = {
    "lost-updates": lambda out: check_lost_updates(out, 4, 500, some_lost=True),
    "event-barrier": lambda out: check_event_barrier(out, 4, 3),
    "semaphore": lambda out: check_semaphore(out, 6, 2, 3),
    "producer-consumer": lambda out: check_producer_consumer(out, 40, 3),
    "manager": lambda out: check_manager(out, 4, 5),
    "remote": lambda out: check_remote(out, 3, 5),
    "start-methods": lambda out: check_start_methods(out, 10),
    "pool-map": lambda out: check_pool_map(out, 20000, 1000, 4),
    "pool-crash": lambda out: check_pool_crash(out, "3", 3),
}
"""The checks of the lessons past the basics at their default settings."""


def check(name: str, out: str, err: str, buffering: str, merged: bool = False) -> None:
    """Assert that a run of lesson ``name`` (with ``ARGS[name]``) taught what it should;
    ``merged``: the output is mptui's log, see above."""
    if name == "two-processes":
        check_two_processes(out, buffering)
    elif name == "lock":
        check_lock(out, workers=3, rounds=3)
    elif name == "logging":
        assert out == ""
        check_logging(err, "WARNING", workers=3)
    elif name == "deadlock":
        check_deadlock(out)
    elif name == "join-drain":
        check_join_drain(out, 2000, "1")
    elif name == "lost-updates":
        check_lost_updates(out, workers=3, increments=50)
    elif name == "event-barrier":
        check_event_barrier(out, workers=3, phases=2, merged=merged)
    elif name == "semaphore":
        check_semaphore(out, workers=4, limit=2, rounds=2)
    elif name == "producer-consumer":
        check_producer_consumer(out, items=30, consumers=3, merged=merged)
    elif name == "manager":
        check_manager(out, workers=3, rounds=3)
    elif name == "remote":
        check_remote(out, producers=2, jobs=4)
    elif name == "start-methods":
        check_start_methods(out, starts=2)
    elif name == "pool-map":
        check_pool_map(out, tasks=2000, chunksize=100, workers=2)
    elif name == "pool-crash":
        check_pool_crash(out, give_up="1", workers=2)
    else:
        {
            "hello": check_hello,
            "args": check_args,
            "squares": check_squares,
            "queue": check_queue,
            "pipe": check_pipe,
        }[name](out)
    if name != "logging":
        assert err == ""
