"""The command line as users rely on it: the program gets its own arguments, word for word;
mptui's options go before the script; bad usage is one line and exit 2; --help says enough.

Where the program's arguments matter, the real ``mptui`` command runs a real script that
prints what it got, and the test compares with what plain ``python`` gives the same script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mptui.cli import main, parse
from mptui.scenarios import get_lesson, lessons

MPTUI = str(Path(sys.executable).with_name("mptui"))
"""The installed command, as a user runs it."""

SHOW_ARGV = """\
import json, sys
print("ARGV " + json.dumps(sys.argv[1:]), flush=True)
"""

# Words a program may well take as its own that are also mptui's (or argparse's).
PROGRAM_WORDS = [
    ["--json"],
    ["--headless", "--fps", "5", "--start-method", "spawn", "--record", "x.jsonl"],
    ["-p", "workers=2", "--param=x=1", "--python", "/nowhere"],
    ["--help"],
    ["-h", "--version", "--list", "--strict"],
    ["-m", "json.tool"],
    ["--", "--json"],
    ["a", "--", "b", "--"],
    ["-", "--fps=0"],
    ["run", "replay", "lock"],
    [],
]


def run_mptui(*args: str, cwd: Path | None = None, timeout: float = 60):
    return subprocess.run([MPTUI, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd, stdin=subprocess.DEVNULL)  # fmt: skip


def argv_seen(stdout: str) -> list[str]:
    """What the script printed as its arguments (in mptui's headless log)."""
    for line in stdout.splitlines():
        _, sep, text = line.partition("| ARGV ")
        if sep:
            return json.loads(text)
    raise AssertionError(f"the script printed no arguments:\n{stdout}")


@pytest.fixture
def show_argv(tmp_path) -> Path:
    path = tmp_path / "show_argv.py"
    path.write_text(SHOW_ARGV)
    return path


# --------------------------------------------------------------------------------------
# The program's arguments are the program's


@pytest.mark.parametrize("words", PROGRAM_WORDS, ids=" ".join)
def test_every_word_after_the_script_reaches_the_script(show_argv, words):
    plain = subprocess.run([sys.executable, str(show_argv), *words], capture_output=True,
                           text=True, check=True)  # fmt: skip
    expected = json.loads(plain.stdout.removeprefix("ARGV "))
    assert expected == words  # python itself passes every word on, "--" included

    result = run_mptui("run", "--headless", "--python", sys.executable, str(show_argv), *words)
    assert result.returncode == 0, result.stderr
    assert argv_seen(result.stdout) == expected
    assert result.stdout.splitlines()[-1] == "result: ok"  # a text summary: no --json for mptui


def test_options_before_the_script_are_mptuis_wherever_the_command_is(show_argv):
    for args in (["--json", "run"], ["run", "--json"], ["--headless", "run", "--json"]):
        result = run_mptui(*args, "--python", sys.executable, str(show_argv), "--json")
        assert result.returncode == 0, result.stderr
        events = [json.loads(line) for line in result.stdout.splitlines()]
        assert events[-1]["kind"] == "summary"
        texts = [e["text"] for e in events if e["kind"] == "line"]
        assert texts == ['ARGV ["--json"]']


def test_double_dash_before_the_script_ends_mptuis_options(tmp_path):
    # A script whose name looks like an option still runs after "--".
    script = tmp_path / "--strange.py"
    script.write_text(SHOW_ARGV)
    result = run_mptui("run", "--headless", "--python", sys.executable, "--", str(script),
                       "--headless", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert argv_seen(result.stdout) == ["--headless"]


def test_a_module_gets_what_python_dash_m_gives_it(tmp_path):
    """sys.argv, sys.path[0], __name__ and __spec__ as ``python -m``, from the same
    directory with the same interpreter, and the module's own flags untouched."""
    package = tmp_path / "tool"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cmd.py").write_text(
        "import json, sys\n"
        "print('SEEN ' + json.dumps([sys.argv, sys.path[0], __name__, __spec__.name]))\n"
    )
    words = ["--json", "--", "-m", "x"]
    plain = subprocess.run([sys.executable, "-m", "tool.cmd", *words], cwd=tmp_path,
                           capture_output=True, text=True, check=True)  # fmt: skip
    expected = json.loads(plain.stdout.removeprefix("SEEN "))
    assert expected[0][1:] == words and expected[1] == str(tmp_path)

    for module_words in (["-m", "tool.cmd"], ["-mtool.cmd"]):
        result = run_mptui("run", "--headless", "--python", sys.executable, *module_words,
                           *words, cwd=tmp_path)  # fmt: skip
        assert result.returncode == 0, result.stderr
        seen = next(line for line in result.stdout.splitlines() if "| SEEN " in line)
        assert json.loads(seen.split("| SEEN ", 1)[1]) == expected


def test_parse_keeps_the_program_words_apart():
    """The same, without running anything: what lands in the Program's argv."""
    ns = parse(["--fps", "5", "run", "--strict", "s.py", "--fps", "9", "--", "x"])
    assert (ns.fps, ns.strict, ns.script, ns.args) == (5.0, True, "s.py", ["--fps", "9", "--", "x"])
    ns = parse(["run", "--headless", "-m", "pkg.mod", "--headless", "-m", "x"])
    assert (ns.headless, ns.module, ns.script) == (True, ["pkg.mod", "--headless", "-m", "x"], None)
    ns = parse(["lock", "--param", "workers=2", "--headless", "-p", "rounds=1"])
    assert (ns.command, ns.params, ns.headless) == ("lock", ["workers=2", "rounds=1"], True)
    ns = parse(["-p", "workers=2", "--start-method=spawn", "lock"])
    assert (ns.command, ns.params, ns.start_method) == ("lock", ["workers=2"], "spawn")
    assert parse(["lock", "--json"]).headless is True


# --------------------------------------------------------------------------------------
# Bad usage: one line, exit 2, nothing run

BAD = [
    (["--bogus"], "--bogus"),
    (["run"], "needs a script"),
    (["run", "--headless"], "needs a script"),
    (["run", "-m"], "-m needs a module"),
    (["run", "-m", "--headless"], "-m needs a module"),
    (["run", "--bogus", "s.py"], "--bogus"),
    (["run", "--js", "s.py"], "--js"),  # no abbreviations of mptui's options
    (["run", "--python"], "--python"),
    (["run", "--param", "x=1", "s.py"], "--param"),
    (["run", "/no/such/script.py", "--headless"], "/no/such/script.py"),
    (["run", "--headless", "--python", "/no/such/python", "s.py"], "/no/such/python"),
    (["--start-method", "thread", "lock"], "fork"),
    (["lock", "--start-method", "spawn\nfork"], "fork"),
    (["lock", "--fps", "nan"], "--fps"),
    (["lock", "--fps", "61"], "--fps"),
    (["lock", "--record", ""], "file name"),
    (["lock", "extra"], "extra"),
    (["lock", "--param", "wrokers=2", "--headless"], "workers"),
    (["nosuchlesson"], "hello"),
    (["helo"], "did you mean 'hello'"),
    (["--headless"], "needs something to run"),
    (["--record", "x.jsonl"], "needs something to run"),
    (["-p", "workers=2"], "needs a lesson"),
    (["replay"], "FILE"),
    (["--start-method", "spawn", "replay", "x.jsonl"], "no meaning for a replay"),
    (["replay", "a.jsonl", "b.jsonl"], "b.jsonl"),
    (["--headless=no", "lock"], "--headless"),
]


@pytest.mark.parametrize(
    ("argv", "words"), BAD, ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_bad_usage_is_one_line_and_exit_2(argv, words, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mptui: ") and err.count("\n") == 1, err
    assert "usage:" not in err and "Traceback" not in err
    assert words in err


def test_bad_usage_of_the_real_command_is_one_line_and_exit_2():
    for args in (["run", "--bogus", "s.py"], ["lock", "--fps", "fast"], ["nosuchlesson"]):
        result = run_mptui(*args)
        assert result.returncode == 2
        assert result.stdout == ""
        assert result.stderr.startswith("mptui: ") and result.stderr.count("\n") == 1


# --------------------------------------------------------------------------------------
# Help, version, lessons


def test_lesson_help_lists_its_parameters_with_defaults_and_ranges():
    for lesson in lessons():
        result = run_mptui(lesson.name, "--help")
        assert result.returncode == 0, result.stderr
        assert result.stderr == ""
        assert lesson.title in result.stdout
        for param in lesson.params:
            row = next(line for line in result.stdout.splitlines()
                       if line.startswith(f"  {param.name} "))  # fmt: skip
            default = repr(param.default) if param.type is str else str(param.default)
            allowed = param.accepts() or f"any {param.type.__name__}"
            rest = row.split(None, 1)[1]
            assert rest.startswith(default + " ") and f" {allowed} " in rest, row


def test_lesson_help_names_a_range_from_the_lessons_limits():
    out = subprocess.run([MPTUI, "lock", "--help"], capture_output=True, text=True).stdout
    workers = get_lesson("lock").param("workers")
    assert (workers.low, workers.high) == (1, 32)
    assert any(line.split()[:4] == ["workers", "4", "1", "to"] and "32" in line
               for line in out.splitlines())  # fmt: skip


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--help"], ["run", "replay", "--list", "Exit status"]),
        (["run", "--help"], ["--python", "--strict", "-m MODULE", "exit status"]),
        (["replay", "--help"], ["FILE", "--headless"]),
        (["--version"], ["mptui 0."]),
    ],
)
def test_help_and_version_exit_0(args, words):
    result = run_mptui(*args)
    assert result.returncode == 0, result.stderr
    for word in words:
        assert word in result.stdout


def test_list_names_every_lesson():
    result = run_mptui("--list")
    assert result.returncode == 0
    assert [line.split()[0] for line in result.stdout.splitlines()] == [
        lesson.name for lesson in lessons()
    ]


def test_the_dashboard_without_a_terminal_is_a_usage_error(show_argv):
    result = run_mptui("run", "--python", sys.executable, str(show_argv), "--headless")
    assert result.returncode == 2  # --headless was the script's: mptui wanted a terminal
    assert (
        result.stderr == "mptui: the dashboard needs a terminal; use --headless for text output\n"
    )
    assert os.path.exists(show_argv)
