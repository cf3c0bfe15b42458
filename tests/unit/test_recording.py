"""Recordings (mptui.engine.recording) and the replay player (mptui.engine.replay), pure.

Real runs recorded through the command line are tested in tests/engine/test_record_replay.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mptui import __version__
from mptui import events as ev
from mptui.engine import recording as rec
from mptui.engine.recording import (
    BadRecording,
    Batch,
    Header,
    Recorder,
    Recording,
    check_writable,
    numbered,
    read_recording,
)
from mptui.engine.replay import SPEEDS, Replay, fold
from mptui.engine.session import Program

T0 = 5_000_000_000


def program(tmp_path: Path) -> Program:
    script = tmp_path / "prog.py"
    script.write_text('"""A program.\n\nIt does things."""\nprint("hi")\n', encoding="utf-8")
    return Program("prog.py", (str(script), "--n", "3"), script, "spawn", {"n": 3}, "demo")


def run_started(t: int = T0) -> dict:
    return {"kind": ev.RUN_STARTED, "t": t, "title": "prog.py", "argv": ["prog.py"],
            "start_method": "fork", "params": {}}  # fmt: skip


def hello(pid: int, t: int) -> dict:
    return {"kind": ev.HELLO, "pid": pid, "ppid": 1, "t": t, "how": "exec", "runner": True}


def lines(pid: int, t: int, *texts: str) -> dict:
    return {"kind": ev.LINES, "pid": pid, "stream": "stdout", "texts": list(texts), "t": t}


def write(path: Path, *rows: object) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def header_row(**changes: object) -> dict:
    row = {"format": rec.FORMAT, "version": rec.VERSION, "t0": T0, "title": "t", "argv": [],
           "params": {}, "lesson": None, "start_method": "fork", "source": None}  # fmt: skip
    row.update(changes)
    return row


# --------------------------------------------------------------------------------------
# Writing and reading back


def test_a_recorder_writes_a_header_then_every_batch_in_order(tmp_path):
    path = tmp_path / "run.jsonl"
    recorder = Recorder(path, program(tmp_path))
    batches = [
        [run_started(), hello(7, T0 + 1)],
        [lines(7, T0 + 2, "one", "two")],
        [{"kind": ev.COUNTER, "pid": 7, "id": 3, "op": "put", "end": 0, "count": 4, "bytes": 0}],
        [{"kind": ev.RUN_ENDED, "t": T0 + 5, "code": 0}],
    ]
    for batch in batches:
        recorder(batch)
    recorder(batches[0][:0])  # an empty batch writes nothing
    recorder.close()
    recorder([lines(7, T0 + 9, "after close")])  # ignored
    got = read_recording(path)
    assert got.problem is None
    assert [list(b.events) for b in got.batches] == batches
    assert [b.at for b in got.batches] == sorted(b.at for b in got.batches)
    assert (recorder.batches, recorder.events) == (4, 5)
    head = got.header
    assert (head.version, head.mptui, head.title, head.lesson) == (1, __version__, "prog.py",
                                                                   "demo")  # fmt: skip
    assert head.argv[1:] == ("--n", "3") and head.params == {"n": "3"}
    assert head.start_method == "spawn"
    assert head.source == (tmp_path / "prog.py").read_text(encoding="utf-8")
    assert head.python.count(".") == 2 and head.recorded_at.endswith("Z")
    # One JSON object per line, the header first, its keys as documented.
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["format"] == "mptui-recording" and first["version"] == 1


def test_each_batch_is_on_disk_before_the_next_comes(tmp_path):
    path = tmp_path / "run.jsonl"
    recorder = Recorder(path, program(tmp_path))
    recorder([run_started()])
    # Not closed: a crash now would keep what was written (flushed after each batch).
    assert len(read_recording(path).batches) == 1
    recorder([lines(7, T0 + 2, "x")])
    assert len(read_recording(path).batches) == 2
    recorder.close()


def test_text_round_trips_exactly_even_lone_surrogates(tmp_path):
    path = tmp_path / "run.jsonl"
    recorder = Recorder(path, program(tmp_path))
    odd = ["naïve ☃ 日本", "tab\there", "nul\x00 esc\x1b[31m", "lone \udcff surrogate", ""]
    recorder([lines(7, T0, *odd)])
    recorder.close()
    (batch,) = read_recording(path).batches
    assert batch.events[0]["texts"] == odd


def test_a_huge_batch_is_split_over_lines_with_the_same_time(tmp_path, monkeypatch):
    monkeypatch.setattr(rec, "MAX_BATCH_BYTES", 2_000)
    path = tmp_path / "run.jsonl"
    recorder = Recorder(path, program(tmp_path))
    batch = [lines(7, T0 + i, "x" * 300) for i in range(20)]
    recorder(batch)
    recorder.close()
    got = read_recording(path)
    assert len(got.batches) > 1 and len({b.at for b in got.batches}) == 1
    assert [e for b in got.batches for e in b.events] == batch
    assert all(len(line) <= 2_000 for line in path.read_text().splitlines()[1:])


def test_a_recorder_that_cannot_write_stops_recording_and_says_why(tmp_path):
    with pytest.raises(OSError):
        Recorder("/dev/full", program(tmp_path))  # the header cannot be written
    recorder = Recorder(tmp_path / "run.jsonl", program(tmp_path))
    recorder._file = open("/dev/full", "w", encoding="utf-8")  # noqa: SIM115 - the disk fills
    recorder([lines(7, T0, "x" * 10_000)])  # never raises into the collector thread
    assert recorder.error is not None and "space" in str(recorder.error).lower()
    recorder([lines(7, T0, "more")])
    recorder.close()


def test_unreadable_source_is_recorded_as_none(tmp_path):
    prog = program(tmp_path)
    prog.source_path.unlink()
    recorder = Recorder(tmp_path / "run.jsonl", prog)
    recorder.close()
    assert read_recording(tmp_path / "run.jsonl").header.source is None


# --------------------------------------------------------------------------------------
# Bad files: one-line messages


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "is empty"),
        (b"not json\n", "first line is not JSON"),
        (b"\xff\xfe garbage\n", "first line is not JSON"),
        (b'{"format": "mptui-recording", "version": 1', "cut short"),
        (b"[1, 2]\n", "not a recording header"),
        (b'{"kind": "line"}\n', "not a recording header"),
        (b'{"format": "mptui-recording", "version": 2}\n', "format version 2"),
        (b'{"format": "mptui-recording", "version": "1"}\n', "format version '1'"),
        (b'{"format": "mptui-recording", "version": 1}\n', "bad recording header: no 't0'"),
        (json.dumps(header_row(t0="soon")).encode() + b"\n", "'t0' is not an integer"),
        (json.dumps(header_row(argv="x")).encode() + b"\n", "bad 'argv'"),
    ],
)
def test_a_bad_file_is_refused_with_one_line(tmp_path, content, words):
    path = tmp_path / "bad.jsonl"
    path.write_bytes(content)
    with pytest.raises(BadRecording) as caught:
        read_recording(path)
    message = str(caught.value)
    assert words in message and "\n" not in message
    assert repr(str(path)) in message


def test_missing_file_directory_and_huge_first_line(tmp_path, monkeypatch):
    with pytest.raises(BadRecording, match="no such file"):
        read_recording(tmp_path / "missing.jsonl")
    with pytest.raises(BadRecording, match="is a directory"):
        read_recording(tmp_path)
    monkeypatch.setattr(rec, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "huge.jsonl"
    path.write_bytes(b"x" * 5000)  # no newline at all: never read whole
    with pytest.raises(BadRecording, match="longer than"):
        read_recording(path)


@pytest.mark.parametrize(
    ("tail", "reason"),
    [
        ('{"at": 30, "events": [{"kind": "li', "line 4 is cut short"),
        ("garbage\n", "line 4 is not JSON"),
        ('{"at": 1, "events": []}\n', "line 4 is out of order"),
        ('{"at": 40, "events": [5]}\n', "line 4 is not a batch of events"),
        ('{"at": 40, "events": {}}\n', "line 4 is not a batch"),
        ('{"at": "40", "events": []}\n', "line 4 is not a batch"),
        ("x" * 5000 + "\n", "line 4 is longer than"),
    ],
)
def test_a_bad_tail_keeps_the_good_batches_and_says_so(tmp_path, monkeypatch, tail, reason):
    monkeypatch.setattr(rec, "MAX_LINE_BYTES", 1000)
    path = write(
        tmp_path / "run.jsonl",
        header_row(),
        {"at": 10, "events": [run_started()]},
        {"at": 20, "events": [hello(7, T0 + 1), lines(7, T0 + 2, "a")]},
    )
    with path.open("a", encoding="utf-8") as f:
        f.write(tail)
        if tail.endswith("\n"):  # a cut line can only be the last one
            f.write(json.dumps({"at": 50, "events": [lines(7, T0 + 5, "never read")]}) + "\n")
    got = read_recording(path)
    assert [b.at for b in got.batches] == [10, 20]
    assert reason in got.problem
    assert "the 3 events before it" in got.problem and "the rest is ignored" in got.problem


def test_blank_lines_are_skipped(tmp_path):
    ended = {"kind": ev.RUN_ENDED, "t": T0 + 1, "code": 0}
    path = write(tmp_path / "run.jsonl", header_row(), {"at": 1, "events": [run_started(), ended]})
    with path.open("a") as f:
        f.write("\n\n")
    got = read_recording(path)
    assert got.problem is None and got.event_count == 2


def test_numbered_files_for_later_runs(tmp_path):
    assert numbered("lock.jsonl", 1) == Path("lock.jsonl")
    assert numbered("out/lock.jsonl", 2) == Path("out/lock.2.jsonl")
    assert numbered("run", 3) == Path("run.3")


def test_check_writable(tmp_path):
    assert check_writable(tmp_path / "new.jsonl") is None
    assert "directory" in check_writable(tmp_path)
    assert "no directory" in check_writable(tmp_path / "nope" / "x.jsonl")


# --------------------------------------------------------------------------------------
# The player


class Clock:
    def __init__(self) -> None:
        self.ns = 0

    def __call__(self) -> int:
        return self.ns


def sample() -> Recording:
    """A short run: start, a hello, a line every 100 ms for a second, the end."""
    header = Header(1, "x", "3", "", T0, "prog", ("prog.py",), None, {}, "fork", "prog.py", "")
    batches = [Batch(0, [run_started(T0)]), Batch(10_000_000, [hello(7, T0 + 10_000_000)])]
    for i in range(1, 11):
        at = i * 100_000_000
        batches.append(Batch(at, [lines(7, T0 + at, f"line {i}"), lines(7, T0 + at, "more")]))
    end = 1_100_000_000
    batches.append(Batch(end, [{"kind": ev.RUN_ENDED, "t": T0 + end, "code": 0}]))
    return Recording(header, batches)


def test_play_follows_the_wall_clock_times_the_speed_and_stops_at_the_end():
    clock = Clock()
    player = Replay(sample(), clock=clock)
    player.play()
    clock.ns += 250_000_000
    player.update()
    assert player.position == 250_000_000
    assert player.store.snapshot().lines_total == 4  # lines 1 and 2, two texts each
    assert player.now_ns == T0 + 250_000_000
    player.pause()
    clock.ns += 10**9
    player.update()
    assert player.position == 250_000_000
    player.set_speed(4.0)
    player.play()
    clock.ns += 100_000_000
    player.update()
    assert player.position == 650_000_000
    clock.ns += 10**9  # far beyond the end
    player.update()
    assert player.at_end and not player.playing and player.position == player.duration
    assert player.store.snapshot().run.state == "ended"
    player.play()  # at the end: again from the start, on a fresh Store
    assert player.position == 0 and player.generation == 1 and player.playing


def test_speeds_step_and_stay_within_bounds():
    player = Replay(sample())
    seen = [player.faster() for _ in range(8)]
    assert seen == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    seen = [player.slower() for _ in range(8)]
    assert seen == [4.0, 2.0, 1.0, 0.5, 0.25, 0.25, 0.25, 0.25]
    assert SPEEDS[0] == 0.25 and SPEEDS[-1] == 8.0


def test_steps_fold_one_event_or_the_rest_of_a_batch():
    player = Replay(sample())
    assert player.step_event()["kind"] == ev.RUN_STARTED
    assert player.step_event()["kind"] == ev.HELLO
    assert player.position == 10_000_000
    assert player.step_event()["texts"] == ["line 1"]  # half of the batch at 100 ms
    assert player.events_folded == 3 and player.store.snapshot().lines_total == 1
    assert player.step_batch() == 1  # the rest of that batch
    assert player.step_batch() == 2  # the whole next one
    assert player.store.snapshot().lines_total == 4
    player.seek_end()
    assert player.step_event() is None and player.step_batch() == 0


def test_going_back_rebuilds_from_the_start_and_lands_on_the_same_state():
    player = Replay(sample())
    player.seek(550_000_000)
    at_550 = player.store.snapshot()
    player.seek_end()
    store = player.store
    player.seek(550_000_000)
    assert player.store is not store and player.generation == 1
    again = player.store.snapshot()
    assert (again.lines_total, again.processes, again.run) == (
        at_550.lines_total,
        at_550.processes,
        at_550.run,
    )
    player.seek_start()  # only what was published at once: the run's start
    assert player.events_folded == 1 and player.store.snapshot().lines_total == 0


def test_the_end_of_a_replay_is_the_fold_of_the_whole_recording():
    recording = sample()
    player = Replay(recording)
    player.seek_end()
    played, folded = player.store.snapshot(), fold(recording).snapshot()
    assert (played.run, played.processes, played.lines_total) == (
        folded.run,
        folded.processes,
        folded.lines_total,
    )


def test_stepping_batches_reaches_the_end_and_stays_there():
    player = Replay(sample())
    steps = 0
    while not player.at_end:
        player.step_batch()
        steps += 1
    assert steps == len(sample().batches) and player.position == player.duration
    assert player.store.snapshot().lines_total == 20
