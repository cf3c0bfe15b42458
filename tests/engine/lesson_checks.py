"""What each lesson teaches, as checks on its output; shared by the plain-python and the
mptui runs of the lessons."""

from __future__ import annotations

import re
from collections import defaultdict


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
}


def check(name: str, out: str, err: str, buffering: str) -> None:
    """Assert that a run of lesson ``name`` (with ``ARGS[name]``) taught what it should."""
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
