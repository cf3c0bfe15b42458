"""The command line: every documented form, and one-line errors for bad usage."""

from __future__ import annotations

import pytest

from mptui.cli import USAGE, Request, UsageError, main, parse

LESSONS = ["hello", "args", "squares", "two-processes", "queue", "pipe", "lock", "logging"]


def usage_error(argv: list[str]) -> str:
    with pytest.raises(UsageError) as caught:
        parse(argv)
    message = str(caught.value)
    assert message, "a usage error must say what is wrong"
    assert "\n" not in message and "\r" not in message, f"not one line: {message!r}"
    return message


# --------------------------------------------------------------------------------------
# The documented forms


def test_no_arguments_opens_the_dashboard():
    assert parse([]) == Request()
    request = parse([])
    assert (request.action, request.lesson, request.script, request.headless) == (
        "dashboard",
        None,
        [],
        False,
    )
    assert request.fps == 10.0


def test_lesson():
    request = parse(["lock"])
    assert (request.action, request.lesson, request.script) == ("dashboard", "lock", [])


def test_lesson_with_every_option():
    request = parse(
        ["lock", "--start-method", "spawn", "--param", "workers=8", "-p", "hold=0.1"]
        + ["--param=rounds=2", "--fps", "30", "--headless"]
    )
    assert request.lesson == "lock"
    assert request.start_method == "spawn"
    assert request.params == ["workers=8", "hold=0.1", "rounds=2"]
    assert request.fps == 30.0
    assert request.headless is True
    assert request.as_json is False


def test_lesson_options_may_come_first():
    request = parse(["--start-method=forkserver", "-p", "workers=2", "lock"])
    assert (request.lesson, request.start_method, request.params) == (
        "lock",
        "forkserver",
        ["workers=2"],
    )


def test_readme_examples():
    assert parse(["lock", "--headless"]).headless is True
    request = parse(["lock", "--json"])
    assert (request.headless, request.as_json) == (True, True)
    request = parse(["lock", "--start-method", "spawn", "--param", "workers=8", "--headless"])
    assert (request.start_method, request.params, request.headless) == (
        "spawn",
        ["workers=8"],
        True,
    )
    request = parse(["run", "my_program.py", "--size", "10"])
    assert request.script == ["my_program.py", "--size", "10"]


@pytest.mark.parametrize("method", ["fork", "spawn", "forkserver"])
def test_every_start_method(method):
    assert parse(["hello", "--start-method", method]).start_method == method


def test_json_implies_headless():
    request = parse(["hello", "--json"])
    assert request.headless and request.as_json
    assert parse(["run", "s.py", "--json"]).headless


@pytest.mark.parametrize(
    ("argv", "action"),
    [
        (["--list"], "list"),
        (["--help"], "help"),
        (["-h"], "help"),
        (["--version"], "version"),
    ],
)
def test_actions(argv, action):
    assert parse(argv).action == action


def test_fps_bounds_are_inclusive():
    assert parse(["--fps", "0.5"]).fps == 0.5
    assert parse(["--fps=60"]).fps == 60.0
    assert parse(["--fps", "1e1"]).fps == 10.0


# --------------------------------------------------------------------------------------
# run SCRIPT ARGS


def test_run_script_with_arguments():
    request = parse(["run", "prog.py", "a", "b"])
    assert request.script == ["prog.py", "a", "b"]
    assert request.lesson is None


def test_run_options_before_and_after_the_script_are_mptui_options():
    request = parse(
        ["run", "--start-method", "spawn", "prog.py", "x", "--headless", "--fps=5", "y"],
    )
    assert request.script == ["prog.py", "x", "y"]
    assert (request.start_method, request.headless, request.fps) == ("spawn", True, 5.0)


def test_run_script_options_that_are_not_mptui_options_belong_to_the_script():
    request = parse(["run", "prog.py", "--size", "10", "-v", "--verbose=2", "-"])
    assert request.script == ["prog.py", "--size", "10", "-v", "--verbose=2", "-"]


@pytest.mark.parametrize("flag", ["-h", "--help", "--version", "--list"])
def test_run_help_like_flags_after_the_script_belong_to_the_script(flag):
    request = parse(["run", "prog.py", flag])
    assert request.script == ["prog.py", flag]
    assert request.action == "dashboard"


def test_run_p_after_the_script_belongs_to_the_script():
    request = parse(["run", "prog.py", "-p", "8080"])
    assert request.script == ["prog.py", "-p", "8080"]
    assert request.params == []


def test_run_double_dash_passes_mptui_looking_options_to_the_script():
    request = parse(["run", "--headless", "prog.py", "--", "--json", "--fps", "x", "--param"])
    assert request.script == ["prog.py", "--json", "--fps", "x", "--param"]
    assert request.headless is True
    assert request.as_json is False
    assert request.fps == 10.0
    assert request.params == []


def test_run_double_dash_after_script_arguments():
    request = parse(["run", "prog.py", "a", "--", "--start-method", "--", "b"])
    assert request.script == ["prog.py", "a", "--start-method", "--", "b"]
    assert request.start_method is None


def test_run_is_only_a_command_in_first_position():
    message = usage_error(["hello", "run"])
    assert "'run'" in message


# --------------------------------------------------------------------------------------
# Bad usage: one line, UsageError


@pytest.mark.parametrize("method", ["threads", "", "Fork", "spawn\nfork"])
def test_bad_start_method(method):
    message = usage_error(["hello", "--start-method", method])
    assert "fork, spawn, forkserver" in message


@pytest.mark.parametrize("fps", ["fast", "", "0.4", "61", "0", "-5", "nan", "inf", "1\n2"])
def test_bad_fps(fps):
    message = usage_error(["hello", "--fps", fps])
    assert "--fps" in message


@pytest.mark.parametrize(
    "argv",
    [
        ["hello", "--start-method"],
        ["hello", "--fps"],
        ["hello", "--param"],
        ["hello", "-p"],
        ["run", "prog.py", "--start-method"],
    ],
)
def test_missing_values(argv):
    message = usage_error(argv)
    assert argv[-1] in message
    assert "needs a value" in message


@pytest.mark.parametrize(
    "argv",
    [["--bogus"], ["hello", "--bogus"], ["-x"], ["hello", "--"], ["--weird\noption"]],
)
def test_unknown_option(argv):
    message = usage_error(argv)
    assert "unknown option" in message


@pytest.mark.parametrize("argv", [["hello", "extra"], ["hello", "two\nlines"]])
def test_extra_positional(argv):
    message = usage_error(argv)
    assert "mptui run" in message  # says what to do instead


@pytest.mark.parametrize("argv", [["--headless"], ["--json"], ["--fps", "5", "--headless"]])
def test_headless_with_nothing_to_run(argv):
    message = usage_error(argv)
    assert "--headless" in message


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "prog.py", "--param", "x=1"],
        ["run", "--param", "x=1", "prog.py"],
        ["run", "-p", "x=1", "prog.py"],
        ["run", "prog.py", "--param=x=1"],
    ],
)
def test_param_with_run(argv):
    message = usage_error(argv)
    assert "--param" in message


def test_param_without_a_lesson():
    assert "lesson" in usage_error(["--param", "workers=2"])


@pytest.mark.parametrize("argv", [["run"], ["run", "--headless"], ["run", "--fps", "5"]])
def test_run_without_a_script(argv):
    assert "SCRIPT" in usage_error(argv)


@pytest.mark.parametrize("arg", ["--headless=no", "--json=false"])
def test_flag_with_a_value_is_a_usage_error(arg):
    usage_error(["hello", arg])


# --------------------------------------------------------------------------------------
# main(): exit status and messages


def test_main_list_prints_the_eight_lessons(capsys):
    assert main(["--list"]) == 0
    out, err = capsys.readouterr()
    rows = out.splitlines()
    assert len(rows) == 8
    assert [row.split()[0] for row in rows] == LESSONS
    assert all(len(row.split(None, 1)) == 2 for row in rows), "every lesson has a title"
    assert err == ""


def test_main_help_and_version(capsys):
    assert main(["--help"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith(USAGE)
    assert "run SCRIPT" in out
    assert main(["--version"]) == 0
    out, _ = capsys.readouterr()
    assert out.startswith("mptui ")


def test_main_unknown_lesson_names_the_valid_ones(capsys):
    assert main(["nosuch", "--headless"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.endswith("\n")
    assert err.startswith("mptui: ")
    assert "'nosuch'" in err
    for name in LESSONS:
        assert name in err


def test_main_close_misspelling_gets_a_hint(capsys):
    assert main(["lokc"]) == 2
    _, err = capsys.readouterr()
    assert "'lock'" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["lock", "--param", "workers=abc", "--headless"],
        ["lock", "-p", "workers=-1"],
        ["lock", "--param", "nope=1"],
        ["lock", "--param", "workers"],
    ],
)
def test_main_bad_param_value_exits_2(argv, capsys):
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mptui: ") and err.count("\n") == 1


def test_main_usage_error_exits_2_with_one_line(capsys):
    assert main(["--fps", "999"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == "mptui: --fps must be between 0.5 and 60\n"


def test_main_run_missing_script_exits_2(tmp_path, capsys):
    missing = tmp_path / "missing.py"
    assert main(["run", str(missing), "--headless"]) == 2
    _, err = capsys.readouterr()
    assert "no such file" in err and err.count("\n") == 1
    assert main(["run", str(tmp_path), "--headless"]) == 2
    _, err = capsys.readouterr()
    assert "directory" in err and err.count("\n") == 1


# --------------------------------------------------------------------------------------
# --record FILE and replay FILE


def test_record_with_a_lesson_and_with_run():
    assert parse(["lock", "--record", "l.jsonl"]).record == "l.jsonl"
    assert parse(["lock", "--headless", "--record=l.jsonl"]).record == "l.jsonl"
    request = parse(["run", "prog.py", "--record", "p.jsonl", "--size", "3"])
    assert (request.record, request.script) == ("p.jsonl", ["prog.py", "--size", "3"])
    assert parse(["run", "--record", "p.jsonl", "prog.py"]).record == "p.jsonl"
    assert parse(["lock"]).record is None


def test_record_after_double_dash_belongs_to_the_script():
    request = parse(["run", "prog.py", "--", "--record", "x"])
    assert request.record is None and request.script == ["prog.py", "--record", "x"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--record", "x.jsonl"], ["something to run"]),
        (["lock", "--record"], ["needs a value"]),
        (["lock", "--record="], ["file name"]),
    ],
)
def test_bad_record(argv, words):
    message = usage_error(argv)
    for word in words:
        assert word in message


def test_replay_a_file():
    request = parse(["replay", "run.jsonl"])
    assert (request.action, request.replay, request.headless) == ("replay", "run.jsonl", False)
    request = parse(["replay", "run.jsonl", "--json"])
    assert (request.replay, request.headless, request.as_json) == ("run.jsonl", True, True)
    assert parse(["replay", "--headless", "run.jsonl"]).headless
    assert parse(["replay", "run.jsonl", "--fps", "20"]).fps == 20.0
    assert parse(["replay", "--help"]).action == "help"
    # Only a command in first position: elsewhere "replay" is a lesson name or an argument.
    assert parse(["run", "prog.py", "replay"]).script == ["prog.py", "replay"]


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["replay"], ["needs a file"]),
        (["replay", "a.jsonl", "b.jsonl"], ["'b.jsonl'"]),
        (["replay", "a.jsonl", "--param", "workers=2"], ["--param", "as recorded"]),
        (["replay", "a.jsonl", "--start-method", "spawn"], ["--start-method"]),
        (["replay", "a.jsonl", "--record", "b.jsonl"], ["--record"]),
        (["replay", "a.jsonl", "--bogus"], ["unknown option"]),
    ],
)
def test_bad_replay(argv, words):
    message = usage_error(argv)
    for word in words:
        assert word in message


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp / "missing.jsonl", ["no such file"]),
        (lambda tmp: tmp, ["directory"]),
        (lambda tmp: _write(tmp / "empty.jsonl", b""), ["empty"]),
        (lambda tmp: _write(tmp / "text.jsonl", b"hello\n"), ["not an mptui recording"]),
        (lambda tmp: _write(tmp / "bin.jsonl", b"\xff\xfe\x00\x01"), ["not an mptui recording"]),
        (lambda tmp: _write(tmp / "other.jsonl", b'{"kind": "line"}\n'), ["not an mptui"]),
        (
            lambda tmp: _write(tmp / "v9.jsonl", b'{"format": "mptui-recording", "version": 9}\n'),
            ["version 9", "reads version 1"],
        ),
        (
            lambda tmp: _write(tmp / "cut.jsonl", b'{"format": "mptui-recording", "vers'),
            ["cut short"],
        ),
    ],
)
def test_main_bad_recording_exits_2_with_one_line(tmp_path, capsys, make, words):
    path = make(tmp_path)
    assert main(["replay", str(path), "--headless"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.startswith("mptui: ") and err.count("\n") == 1
    for word in words:
        assert word in err


def test_main_record_to_an_unwritable_place_exits_2(tmp_path, capsys):
    for target, words in (
        (tmp_path, "directory"),
        (tmp_path / "no" / "such" / "dir" / "x.jsonl", "no directory"),
    ):
        assert main(["hello", "--headless", "--record", str(target)]) == 2
        out, err = capsys.readouterr()
        assert out == "" and err.count("\n") == 1 and words in err


def _write(path, data: bytes):
    path.write_bytes(data)
    return path
