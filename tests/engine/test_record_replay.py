"""Record a real run through the command line, replay it, and get the same run back.

``mptui LESSON --json --record FILE`` runs a lesson for real and prints its events and its
summary as JSON; folding FILE into a fresh Store must give the same summary (processes,
exit codes, lock acquisitions, queue puts and gets, line counts: everything the summary
holds), and ``mptui replay FILE --json`` must print exactly what the live run printed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from mptui.engine.recording import read_recording
from mptui.engine.replay import fold
from mptui.headless import summary_json


def mptui(*args: str, timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mptui", *args], capture_output=True, text=True, timeout=timeout
    )


RUNS = {
    "lock": ["lock", "-p", "workers=3", "-p", "rounds=3", "-p", "hold=0.02"],
    "queue": ["queue", "-p", "count=20", "-p", "delay=0.01"],
    "pipe": ["pipe", "-p", "delay=0.05"],
    "logging": ["logging", "-p", "workers=2", "-p", "delay=0.05"],
}


@pytest.mark.parametrize("name", sorted(RUNS))
def test_a_recorded_real_run_replays_to_the_same_summary(name, tmp_path):
    path = tmp_path / f"{name}.jsonl"
    live = mptui(*RUNS[name], "--json", "--record", str(path))
    assert live.returncode == 0, live.stderr
    live_summary = json.loads(live.stdout.splitlines()[-1])
    assert live_summary["kind"] == "summary"

    recording = read_recording(path)
    assert recording.problem is None
    assert recording.header.lesson == name and recording.header.source
    assert recording.header.argv == tuple(json.loads(live.stdout.splitlines()[0])["argv"])
    store = fold(recording)
    replayed = json.loads(json.dumps(summary_json(store.snapshot(), insights=store.insights())))
    assert replayed == live_summary
    # The facts the summary is made of, spelled out (so a change to summary_json that
    # dropped one would not hide a difference here).
    assert [p["exitcode"] for p in replayed["processes"]] == [0] * len(replayed["processes"])
    assert replayed["lines"] > 0 and replayed["lines"] == sum(
        p["lines"] for p in replayed["processes"]
    )
    if name == "lock":
        assert replayed["locks"][0]["acquisitions"] == 9
    if name == "queue":
        (queue,) = replayed["queues"]
        assert queue["puts"] == queue["gets"] == 21  # 20 results and the sentinel

    # The replay prints, event for event, what the run printed.
    again = mptui("replay", str(path), "--json")
    assert again.returncode == 0, again.stderr
    assert again.stdout == live.stdout


def test_the_text_log_and_summary_replay_identically(tmp_path):
    path = tmp_path / "lock.jsonl"
    live = mptui(*RUNS["lock"], "--headless", "--record", str(path))
    assert live.returncode == 0, live.stderr
    again = mptui("replay", str(path), "--headless")
    assert (again.returncode, again.stderr) == (0, "")
    assert again.stdout == live.stdout
    assert "result: ok" in again.stdout


def test_a_users_script_is_recorded_with_its_source(tmp_path):
    script = tmp_path / "mine.py"
    script.write_text(
        "from multiprocessing import Process\n"
        "def f():\n    print('child says hi')\n"
        "if __name__ == '__main__':\n"
        "    p = Process(target=f); p.start(); p.join()\n    raise SystemExit(3)\n",
        encoding="utf-8",
    )
    path = tmp_path / "mine.jsonl"
    live = mptui("run", "--headless", "--record", str(path), str(script))
    assert live.returncode == 3  # the program failed: exit 3, its own status
    recording = read_recording(path)
    assert recording.header.lesson is None and recording.header.title == "mine.py"
    assert recording.header.source == script.read_text(encoding="utf-8")
    again = mptui("replay", str(path), "--headless")
    assert again.returncode == 3 and again.stdout == live.stdout
    assert "child says hi" in again.stdout and "FAILED" in again.stdout


@pytest.mark.parametrize("cut", ["mid-line", "between lines"])
def test_a_cut_recording_replays_what_it_has_and_says_so(tmp_path, cut):
    path = tmp_path / "lock.jsonl"
    assert mptui(*RUNS["lock"], "--headless", "--record", str(path)).returncode == 0
    data = path.read_bytes()
    # A crash mid-write: cut two thirds in, inside a line or just after one. A cut that
    # happens to fall between lines leaves no broken line, only a run with no end.
    end = len(data) * 2 // 3
    end = data.rindex(b"\n", 0, end) + 1 if cut == "between lines" else end
    if cut == "mid-line" and data[end - 1 : end] == b"\n":
        end -= 2
    path.write_bytes(data[:end])
    again = mptui("replay", str(path), "--headless")
    assert again.returncode == 0
    assert again.stderr.count("\n") == 1 and "ends early" in again.stderr
    if cut == "mid-line":
        assert "cut short" in again.stderr and "the rest is ignored" in again.stderr
    else:
        assert "before the run ended" in again.stderr
    assert "== Take turns with a Lock" in again.stdout  # a summary of what was kept


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        (b"", "is empty"),
        (b"this is not json\n", "not an mptui recording"),
        (b'{"format": "mptui-recording", "version": 99, "t0": 0}\n', "version 99"),
        (b'{"format": "mptui-rec', "cut short"),
        (b"\x00\x01\x02" * 10, "not an mptui recording"),
    ],
)
@pytest.mark.parametrize("mode", [["--headless"], ["--json"], []])
def test_a_bad_recording_is_one_line_and_exit_2(tmp_path, content, words, mode):
    path = tmp_path / "bad.jsonl"
    if content is not None:
        path.write_bytes(content)
    result = mptui("replay", str(path), *mode)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("mptui: ") and result.stderr.count("\n") == 1
    assert words in result.stderr and "Traceback" not in result.stderr


def test_a_directory_and_a_huge_line_are_refused(tmp_path):
    result = mptui("replay", str(tmp_path), "--headless")
    assert result.returncode == 2 and "directory" in result.stderr
    huge = tmp_path / "huge.jsonl"
    with huge.open("wb") as f:
        f.write(b"x" * (65 * 1024 * 1024))  # no newline: more than the 64 MiB line limit
    result = mptui("replay", str(huge), "--headless")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "longer than 64 MiB" in result.stderr
