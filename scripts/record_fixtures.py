"""Re-record the dashboard tests' recordings (tests/tui/recordings/*.jsonl) from real runs.

    python scripts/record_fixtures.py               # all of them (about a minute)
    python scripts/record_fixtures.py lock queue    # some of them
    python scripts/record_fixtures.py --list        # names and what each run does

Each fixture is a real run of a lesson by the engine, recorded by the same
``RecordingSession`` as ``mptui LESSON --record FILE``; two of them are driven as a user
drives the dashboard: ``lock-stopped`` is stopped (what ``s`` does: ``Session.stop`` with
the dashboard's grace period) and in ``lock-killed`` a worker is sent SIGKILL (what ``k``
then ``9`` does: ``Session.signal_process``). Then each is normalised, so that a fixture
reads the same whatever machine recorded it and snapshots stay put until re-recorded:

* pids become small stable numbers in order of appearance (mptui's own pid is 1000, the
  program's main process 1001, then its children), wherever they occur: pid fields, metric
  samples, ring file names, and output lines (the hello lesson prints its pids);
* object ids (they encode their creator's pid) become 1, 2, 3... in order of appearance;
* times are shifted so the recording starts at T0 (1000 s): ``t`` fields and the header's
  ``t0``; durations (``wait_ns``, ``hold_ns``) and batch times (``at``) are kept;
* paths lose this checkout's directory, the interpreter becomes ``python``, its
  installation directory (tracebacks into the standard library) ``$PYTHON``, the
  session's private directory SESSION_DIR.

CPU and memory samples are kept as measured: they are what happened. After the engine's
events change, run this script, then the tests; review and update the snapshots
(``pytest tests/tui --snapshot-update``) and the screenshots
(``python scripts/export_screenshots.py``), which are made from these recordings.
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mptui.engine.recorded_session import RecordingSession  # noqa: E402 - after sys.path
from mptui.engine.recording import read_recording  # noqa: E402
from mptui.engine.run_control import STOP_GRACE  # noqa: E402
from mptui.engine.session import Program  # noqa: E402
from mptui.engine.stacks import dump_stacks  # noqa: E402
from mptui.engine.store import Store  # noqa: E402
from mptui.scenarios import get_lesson  # noqa: E402

OUT = ROOT / "tests" / "tui" / "recordings"
T0 = 1_000_000_000_000
"""Where every normalised recording starts, in ns (any fixed value; 1000 s looks real)."""
FIRST_PID = 1000
SESSION_DIR = "/dev/shm/mptui-session"
TIME_KEYS = ("t",)
"""Event fields holding an absolute monotonic time (shifted); others are durations."""
PID_KEYS = ("pid", "ppid", "child")
START_METHOD = "fork"
"""Every fixture uses fork, whatever this Python's default, so they do not depend on it."""

Action = Callable[[RecordingSession], None]


@dataclass(frozen=True)
class Fixture:
    """One recording: which lesson, with which settings, and what the user does meanwhile."""

    lesson: str
    params: dict = field(default_factory=dict)
    action: Action | None = None
    """Called once the run has started (from this thread, as the dashboard's keys are)."""
    about: str = ""


def wait_until(session: RecordingSession, done: Callable[[Store], bool], timeout=30.0) -> None:
    deadline = time.monotonic() + timeout
    while not done(session.store):
        if time.monotonic() > deadline or not session.running:
            raise RuntimeError("the run did not reach the moment the fixture needs")
        time.sleep(0.02)


def _workers_printed(store: Store, lines: int) -> bool:
    return store.snapshot().lines_total >= lines


def stop_after_some_turns(session: RecordingSession) -> None:
    """As ``s`` does: once the workers have taken a few turns at the lock."""
    wait_until(session, lambda store: _workers_printed(store, 12))
    session.stop(STOP_GRACE)


def kill_a_waiting_worker(session: RecordingSession) -> None:
    """As ``k`` then ``9`` does, on worker-2 while it does not hold the lock (so the
    others can go on and the run ends by itself)."""

    def worker_2_not_holding(store: Store) -> bool:
        snap = store.snapshot()
        worker = next((p for p in snap.processes if p.name == "worker-2"), None)
        holders = {lock.holder for lock in snap.locks}
        return worker is not None and snap.lines_total >= 6 and worker.pid not in holders

    wait_until(session, worker_2_not_holding)
    pid = next(p.pid for p in session.store.snapshot().processes if p.name == "worker-2")
    if not session.signal_process(pid, signal.SIGKILL):
        raise RuntimeError("worker-2 could not be signalled")


STACKS: dict[str, dict] = {}
"""Stacks taken during a recording (fixture name -> the dump), written normalised beside
it as ``NAME.stacks.json``: the stack screen's screenshot shows a real dump."""


def stacks_of_worker_1_in_the_deadlock(session: RecordingSession) -> None:
    """As ``t`` does on worker-1, once the doctor has named the deadlock."""
    wait_until(session, lambda store: any(a.kind == "deadlock" for a in
                                          store.snapshot().alerts))  # fmt: skip
    pid = next(p.pid for p in session.store.snapshot().processes if p.name == "worker-1")
    # Through the agent: py-spy's text differs from machine to machine (thread ids, versions).
    dump = dump_stacks(pid, session._dir, use_pyspy=False)
    if not dump.ok:
        raise RuntimeError(f"no stacks of worker-1: {dump.text}")
    STACKS["deadlock"] = {"pid": pid, "name": "worker-1", "method": dump.method,
                          "note": dump.note, "text": dump.text}  # fmt: skip


FIXTURES: dict[str, Fixture] = {
    "hello": Fixture("hello", {"work": 0.5}),
    "args": Fixture("args", {"times": 3, "delay": 0.2}),
    "squares": Fixture("squares", {"count": 5, "delay": 0.1}),
    "two-processes": Fixture("two-processes", {"count": 6, "delay": 0.1}),
    "queue": Fixture("queue", {"count": 60, "delay": 0.15}),
    "pipe": Fixture("pipe", {"delay": 0.3}),
    "lock": Fixture("lock", {"workers": 4, "rounds": 5, "hold": 0.4}),
    "logging": Fixture("logging", {"workers": 4, "delay": 0.3}),
    "deadlock": Fixture("deadlock", {"give_up": 4}, stacks_of_worker_1_in_the_deadlock,
                        "worker-1's stacks taken with t once the deadlock is named"),
    "join-drain": Fixture("join-drain", {"give_up": 3}),
    "lock-stopped": Fixture(
        "lock", {"workers": 4, "rounds": 100, "hold": 0.1}, stop_after_some_turns,
        "stopped with s after a few turns",
    ),
    "lock-killed": Fixture(
        "lock", {"workers": 4, "rounds": 4, "hold": 0.2}, kill_a_waiting_worker,
        "worker-2 killed with k, SIGKILL, while it did not hold the lock",
    ),
}  # fmt: skip


# --------------------------------------------------------------------------------------
# Recording


def record(name: str, fixture: Fixture, raw: pathlib.Path) -> None:
    lesson = get_lesson(fixture.lesson)
    program = Program.from_lesson(lesson, fixture.params, start_method=START_METHOD)
    session = RecordingSession(program, raw, linger=3.0)
    try:
        session.start()
        if fixture.action is not None:
            fixture.action(session)
        if not session.wait(timeout=60):
            raise RuntimeError(f"{name}: the run did not end within a minute")
    finally:
        session.close()
    if session.recorder.error is not None:
        raise RuntimeError(f"{name}: recording failed: {session.recorder.error}")


# --------------------------------------------------------------------------------------
# Normalising


class Normaliser:
    """Rewrites one raw recording; see the module docstring."""

    def __init__(self, t0: int) -> None:
        self.shift = T0 - t0
        self.pids: dict[int, int] = {os.getpid(): FIRST_PID}
        self.ids: dict[int, int] = {}
        self._pid_text: re.Pattern | None = None
        self.paths = sorted(
            {
                os.path.realpath(sys.executable): "python",
                sys.executable: "python",
                str(ROOT) + os.sep: "",
                sys.base_prefix: "$PYTHON",
                os.path.realpath(sys.base_prefix): "$PYTHON",
            }.items(),
            key=lambda item: len(item[0]),
            reverse=True,
        )
        self._session_dir = re.compile(r"/[\w./-]*?/mptui-(?:\d+-)?[A-Za-z0-9_]{8}(?=/|\b)")

    def pid(self, pid: object) -> object:
        if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
            return pid
        if pid not in self.pids:
            self.pids[pid] = FIRST_PID + len(self.pids)
            self._pid_text = None
        return self.pids[pid]

    def object_id(self, oid: object) -> object:
        if not isinstance(oid, int) or isinstance(oid, bool) or oid == 0:
            return oid  # 0: no object (a join waits on a process)
        return self.ids.setdefault(oid, len(self.ids) + 1)

    def text(self, value: str, *, pids: bool = False) -> str:
        value = self._session_dir.sub(SESSION_DIR, value)
        for path, replacement in self.paths:
            value = value.replace(path, replacement)
        if pids and self.pids:
            if self._pid_text is None:
                alternatives = "|".join(str(p) for p in sorted(self.pids, reverse=True))
                self._pid_text = re.compile(rf"(?<!\d)({alternatives})(?!\d)")
            value = self._pid_text.sub(lambda m: str(self.pids[int(m.group(1))]), value)
        return value

    def value(self, value: object) -> object:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def event(self, event: dict) -> dict:
        out = {}
        kind = event.get("kind")
        # Pids first, so that output lines printed after a hello find their pid known.
        for key in PID_KEYS:
            if key in event:
                self.pid(event[key])
        if kind == "run_started" and isinstance(event.get("runner"), int):
            self.pid(event["runner"])
        for key, value in event.items():
            if key in PID_KEYS or (key == "runner" and not isinstance(value, bool)):
                out[key] = self.pid(value)
            elif key in TIME_KEYS and isinstance(value, int):
                out[key] = value + self.shift
            elif key == "id":
                out[key] = self.object_id(value)
            elif key == "samples" and isinstance(value, list):
                out[key] = [[self.pid(s[0]), *s[1:]] if isinstance(s, list) and s else s
                            for s in value]  # fmt: skip
            elif key == "text" and isinstance(value, str):
                out[key] = self.text(value, pids=True)
            elif key == "texts" and isinstance(value, list):
                out[key] = [self.text(v, pids=True) if isinstance(v, str) else v for v in value]
            elif key == "path" and kind == "ring":
                out[key] = f"{SESSION_DIR}/ring-{self.pid(event.get('pid'))}"
            else:
                out[key] = self.value(value)
        return out


def normalise(raw: pathlib.Path, out: pathlib.Path) -> Normaliser:
    lines = raw.read_text(encoding="utf-8").splitlines()
    header = json.loads(lines[0])
    norm = Normaliser(header["t0"])
    header["t0"] = T0
    for key in ("argv", "source_path"):
        header[key] = norm.value(header[key])
    written = [json.dumps(header, ensure_ascii=False, separators=(",", ":"))]
    for line in lines[1:]:
        batch = json.loads(line)
        batch["events"] = [norm.event(event) for event in batch["events"]]
        written.append(json.dumps(batch, ensure_ascii=False, separators=(",", ":")))
    out.write_text("\n".join(written) + "\n", encoding="utf-8")
    return norm


# --------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv == ["--list"]:
        for name, fixture in FIXTURES.items():
            params = " ".join(f"{k}={v}" for k, v in fixture.params.items())
            print(f"{name:<14} {fixture.lesson} {params}  {fixture.about}".rstrip())
        return 0
    unknown = [name for name in argv if name not in FIXTURES]
    if unknown:
        print(f"unknown fixture {unknown[0]!r}; valid: {', '.join(FIXTURES)}", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mptui-fixtures-") as scratch:
        for name in argv or list(FIXTURES):
            raw = pathlib.Path(scratch) / f"{name}.raw.jsonl"
            record(name, FIXTURES[name], raw)
            out = OUT / f"{name}.jsonl"
            norm = normalise(raw, out)
            if name in STACKS:
                dump = dict(STACKS[name], pid=norm.pid(STACKS[name]["pid"]))
                dump["text"] = norm.text(dump["text"], pids=True)
                stacks = OUT / f"{name}.stacks.json"
                stacks.write_text(json.dumps(dump, indent=1) + "\n", encoding="utf-8")
            recording = read_recording(out)  # what the tests will read must read back
            assert recording.problem is None, recording.problem
            print(f"{out.relative_to(ROOT)}: {recording.event_count} events, "
                  f"{recording.duration / 1e9:.1f}s")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
