"""The command line, as a user runs it: headless output, exit statuses, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LESSONS = ["hello", "args", "squares", "two-processes", "queue", "pipe", "lock", "logging",
           "deadlock", "join-drain", "lost-updates", "event-barrier", "semaphore",
           "producer-consumer", "manager", "remote", "start-methods", "pool-map",
           "pool-crash"]  # fmt: skip


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
        (["run", "--headless", "/no/such/script.py"], ["/no/such/script.py"]),
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


FAILING_CHILD = (
    "import multiprocessing as mp, sys\n"
    "if __name__ == '__main__':\n"
    "    p = mp.Process(target=sys.exit, args=(4,), name='quitter')\n"
    "    p.start(); p.join()\n"
    "    sys.exit(int(sys.argv[1]) if len(sys.argv) > 1 else 0)\n"
)


def test_a_failing_child_is_named_but_the_main_process_decides_the_exit_status(tmp_path):
    """As a wrapper does: the program exited 0, so mptui does; the summary names the child."""
    script = tmp_path / "fails.py"
    script.write_text(FAILING_CHILD)
    plain = subprocess.run([sys.executable, str(script)], capture_output=True)
    assert plain.returncode == 0
    result = mptui("run", "--headless", "--python", sys.executable, str(script))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "result: ok, but 1 process failed: quitter (exit 4)"
    assert any(
        "quitter" in line and "failed: exit 4" in line for line in result.stdout.splitlines()
    )
    summary = json.loads(mptui("run", "--json", str(script)).stdout.splitlines()[-1])
    assert summary["verdict"] == "some failed"
    assert [p["name"] for p in summary["processes"] if p["pid"] in summary["failed"]] == ["quitter"]


def test_strict_makes_a_failing_child_fail_the_run(tmp_path):
    script = tmp_path / "fails.py"
    script.write_text(FAILING_CHILD)
    result = mptui("run", "--headless", "--strict", str(script))
    assert result.returncode == 1
    assert result.stdout.splitlines()[-1] == "result: FAILED: quitter (exit 4)"


@pytest.mark.parametrize(
    "ending",
    ["sys.exit(0)", "sys.exit(7)", "sys.exit(255)", "raise SystemExit('bye')",
     "os.kill(os.getpid(), signal.SIGTERM)", "os.kill(os.getpid(), signal.SIGKILL)",
     "os.kill(os.getpid(), signal.SIGSEGV)"],
)  # fmt: skip
def test_the_exit_status_is_the_programs_own(tmp_path, ending):
    """The same status as plain python gives, as a shell reports it (128+N for signal N)."""
    script = tmp_path / "ends.py"
    script.write_text(f"import os, signal, sys\nprint('ending', flush=True)\n{ending}\n")
    plain = subprocess.run(["sh", "-c", f'"{sys.executable}" "{script}" >/dev/null 2>&1; echo $?'],
                           capture_output=True, text=True)  # fmt: skip
    expected = int(plain.stdout)
    result = mptui("run", "--headless", "--python", sys.executable, str(script))
    assert result.returncode == expected, result.stdout
    last = result.stdout.splitlines()[-1]
    assert last == "result: ok" if expected == 0 else last.startswith("result: FAILED: MainProcess")
    # --strict keeps the old rule: 1 for any failure.
    strict = mptui("run", "--headless", "--strict", "--python", sys.executable, str(script))
    assert strict.returncode == (0 if expected == 0 else 1)


def test_script_with_a_syntax_error_is_shown_as_data(tmp_path):
    script = tmp_path / "broken.py"
    script.write_text("def broken(:\n    pass\n")
    result = mptui("run", "--headless", str(script))
    assert result.returncode == 1
    assert "MainProcess  ! SyntaxError: invalid syntax" in result.stdout
    assert result.stdout.splitlines()[-1] == "result: FAILED: MainProcess (exit 1)"
    assert result.stderr == ""


def test_script_that_raises_at_import_is_shown_as_data(tmp_path):
    script = tmp_path / "raises.py"
    script.write_text("import json\nraise LookupError('missing piece')\n")
    result = mptui("run", "--headless", str(script))
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert "MainProcess  ! Traceback (most recent call last):" in out
    assert "MainProcess  ! LookupError: missing piece" in out


def test_run_passes_every_word_after_the_script_to_the_script(tmp_path):
    script = tmp_path / "echo_args.py"
    script.write_text("import sys\nprint(sys.argv[1:])\n")
    result = mptui("run", "--headless", str(script), "-p", "x", "--headless", "--", "--json")
    assert result.returncode == 0
    assert "MainProcess  | ['-p', 'x', '--headless', '--', '--json']" in result.stdout.splitlines()
