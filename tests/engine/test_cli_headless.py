"""The command line, as a user runs it: headless output, exit statuses, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LESSONS = ["hello", "args", "squares", "two-processes", "queue", "pipe", "lock", "logging"]


def mptui(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mptui", *args], capture_output=True, text=True, timeout=timeout
    )


def test_list_names_every_lesson_with_its_title():
    result = mptui("--list")
    assert result.returncode == 0
    rows = [line.split(None, 1) for line in result.stdout.splitlines()]
    assert [name for name, _ in rows] == LESSONS
    assert all(title.strip() for _, title in rows)


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (["nosuchlesson", "--headless"], ["hello", "lock", "logging"]),
        (["lock", "--headless", "--param", "wrokers=2"], ["workers", "rounds", "hold"]),
        (["lock", "--headless", "--param", "workers=many"], ["workers"]),
        (["lock", "--headless", "--start-method", "thread"], ["fork", "spawn", "forkserver"]),
        (["run", "/no/such/script.py", "--headless"], ["/no/such/script.py"]),
        (["--bogus"], ["--help"]),
    ],
)
def test_bad_usage_is_one_line_naming_the_choices_and_exit_2(args, names):
    result = mptui(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mptui: ")
    assert "Traceback" not in result.stderr
    for name in names:
        assert name in result.stderr


def test_headless_lesson_prints_tagged_lines_and_a_summary():
    result = mptui("lock", "--headless", "--param", "workers=2", "--param", "rounds=1")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.splitlines()
    assert "worker-1     | worker 1 round 1: begin" in out
    assert any(line.startswith("MainProcess  | parent: 2 workers took 2 turns") for line in out)
    summary = out[out.index(next(line for line in out if line.startswith("== "))) :]
    assert "processes:" in summary and "locks:" in summary
    assert any("acquisitions 2" in line for line in summary)
    assert summary[-1] == "result: ok"


def test_json_prints_one_event_per_line_and_a_final_summary():
    result = mptui("pipe", "--json")
    assert result.returncode == 0
    events = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = {e["kind"] for e in events}
    assert {"run_started", "hello", "started", "line", "counter", "run_ended"} <= kinds
    assert events[-1]["kind"] == "summary" and events[-1]["failed"] == []
    texts = [e["text"] for e in events if e["kind"] == "line"]
    assert "parent received: 'hello world'" in texts


def test_a_failing_child_makes_the_exit_status_1_and_is_named(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(
        "import multiprocessing as mp, sys\n"
        "if __name__ == '__main__':\n"
        "    p = mp.Process(target=sys.exit, args=(4,), name='quitter')\n"
        "    p.start(); p.join()\n"
    )
    result = mptui("run", str(script), "--headless")
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "result: FAILED: quitter (exit 4)"


def test_script_with_a_syntax_error_is_shown_as_data(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("def broken(:\n    pass\n")
    result = mptui("run", str(script), "--headless")
    assert result.returncode == 1
    assert "MainProcess  ! SyntaxError: invalid syntax" in result.stdout
    assert result.stdout.splitlines()[-1] == "result: FAILED: MainProcess (exit 1)"
    assert result.stderr == ""


def test_script_that_raises_at_import_is_shown_as_data(tmp_path):
    script = tmp_path / "raises.py"
    script.write_text("import json\nraise LookupError('missing piece')\n")
    result = mptui("run", str(script), "--headless")
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert "MainProcess  ! Traceback (most recent call last):" in out
    assert "MainProcess  ! LookupError: missing piece" in out


def test_run_passes_arguments_to_the_script_and_options_to_mptui(tmp_path):
    script = tmp_path / "echo_args.py"
    script.write_text("import sys\nprint(sys.argv[1:])\n")
    result = mptui("run", str(script), "-p", "x", "--headless", "--", "--json")
    assert result.returncode == 0
    assert "MainProcess  | ['-p', 'x', '--json']" in result.stdout.splitlines()
