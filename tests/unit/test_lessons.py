"""The lesson registry: names, order, metadata and parameters read from the lesson sources."""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import mptui.scenarios as scenarios
from mptui.scenarios import (
    BadParam,
    Lesson,
    Param,
    UnknownLesson,
    get_lesson,
    lessons,
    parse_params,
)

ROOT = Path(__file__).resolve().parents[2]
ORDER = ["hello", "args", "squares", "two-processes", "queue", "pipe", "lock", "logging",
         "deadlock", "join-drain", "lost-updates", "event-barrier", "semaphore",
         "producer-consumer", "manager", "remote", "start-methods", "pool-map",
         "pool-crash"]  # fmt: skip


def test_all_lessons_in_teaching_order():
    assert [lesson.name for lesson in lessons()] == ORDER


def test_lessons_is_cached():
    assert lessons() is lessons()


@pytest.mark.parametrize("name", ORDER)
def test_lesson_metadata(name):
    lesson = get_lesson(name)
    assert lesson.name == name
    assert lesson.path.is_file()
    assert lesson.title and "\n" not in lesson.title
    assert lesson.title == ast.get_docstring(ast.parse(lesson.source())).splitlines()[0]
    # 2-6 sentences of plain explanation, not the title again.
    assert lesson.explanation and lesson.title not in lesson.explanation
    assert 2 <= lesson.explanation.count(". ") + 1 <= 8
    assert lesson.params, "every lesson has at least one parameter"
    for param in lesson.params:
        assert param.type in (int, float, str)
        assert isinstance(param.default, param.type)
        assert param.help
        assert param.parse(str(param.default)) == param.default


@pytest.mark.parametrize("name", ORDER)
def test_params_match_what_argparse_builds(name):
    """The ast reading agrees with argparse running the same add_argument() calls."""
    lesson = get_lesson(name)
    tree = ast.parse(lesson.source())
    parser = argparse.ArgumentParser()
    calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_argument"
    ]
    for call in calls:
        call.func = ast.Name("add_argument", ast.Load())
        code = compile(ast.fix_missing_locations(ast.Expression(call)), "<call>", "eval")
        eval(code, {"add_argument": parser.add_argument})
    actions = {a.dest: a for a in parser._actions if a.dest != "help"}
    assert [p.name for p in lesson.params] == list(actions)
    for param in lesson.params:
        action = actions[param.name]
        assert (action.type or str) is param.type
        assert action.default == param.default
        assert action.help == param.help
        expected = tuple(action.choices) if action.choices is not None else None
        assert param.choices == expected
        assert param.flag in action.option_strings


def test_known_params_and_defaults():
    lock = get_lesson("lock")
    assert [(p.name, p.type, p.default) for p in lock.params] == [
        ("workers", int, 4),
        ("rounds", int, 15),  # about 15 s: long enough to watch the lock pass around
        ("hold", float, 0.25),
    ]
    level = get_lesson("logging").param("level")
    assert level.type is str
    assert level.choices == ("DEBUG", "INFO", "WARNING", "ERROR")
    assert get_lesson("pipe").param("message").default == "hello world"


def test_unknown_lesson_names_the_valid_ones():
    with pytest.raises(UnknownLesson) as info:
        get_lesson("lokc")
    message = str(info.value)
    assert "\n" not in message
    assert "'lokc'" in message and "did you mean 'lock'" in message
    for name in ORDER:
        assert name in message
    assert isinstance(info.value, ValueError)


def test_parse_params_converts_types():
    lock = get_lesson("lock")
    values = parse_params(lock, ["workers=8", "hold=0.5", " rounds = 2 "])
    assert values == {"workers": 8, "hold": 0.5, "rounds": 2}
    assert type(values["hold"]) is float
    assert parse_params(lock, ["--workers=3", "workers=5"]) == {"workers": 5}
    assert parse_params(lock, []) == {}
    assert parse_params(get_lesson("logging"), ["level=warning"]) == {"level": "WARNING"}
    assert parse_params(get_lesson("pipe"), ["message=a=b c"]) == {"message": "a=b c"}


@pytest.mark.parametrize(
    ("lesson", "assignment", "fragments"),
    [
        ("lock", "wrokers=8", ["unknown parameter 'wrokers'", "'lock'", "workers, rounds, hold"]),
        ("lock", "workers", ["expected name=value", "'workers'", "workers, rounds, hold"]),
        ("lock", "=3", ["expected name=value"]),
        ("lock", "workers=x", ["bad value 'x' for workers", "expected an integer"]),
        ("lock", "workers=2.5", ["bad value '2.5' for workers", "expected an integer"]),
        ("lock", "workers=-1", ["bad value '-1' for workers", "an integer from 1 to 32"]),
        ("lock", "hold=fast", ["bad value 'fast' for hold", "expected a number"]),
        ("lock", "hold=nan", ["bad value 'nan' for hold", "finite"]),
        ("lock", "hold=-0.5", ["bad value '-0.5' for hold", "a number from 0 to 60"]),
        ("lock", "workers=1\n2", ["bad value '1\\n2' for workers"]),
        ("logging", "level=TRACE", ["bad value 'TRACE' for level", "DEBUG, INFO, WARNING, ERROR"]),
    ],
)
def test_parse_params_errors_are_one_line(lesson, assignment, fragments):
    with pytest.raises(BadParam) as info:
        parse_params(get_lesson(lesson), [assignment])
    message = str(info.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    assert isinstance(info.value, ValueError)


def test_range_choices_are_described_by_their_ends():
    param = Param("size", int, 5, "how big", tuple(range(1, 101)))
    assert param.parse("100") == 100
    with pytest.raises(BadParam, match=r"expected an integer from 1 to 100$"):
        param.parse("0")
    assert param.flag == "--size"


def test_a_param_built_by_hand_without_a_range_refuses_negative_numbers():
    # Lesson files cannot leave a number unbounded (test_lesson_ranges); a Param made in
    # code without low/high still refuses what no count or duration can be.
    with pytest.raises(BadParam, match=r"expected an integer >= 0$"):
        Param("size", int, 5, "how big", None).parse("-1")
    with pytest.raises(BadParam, match=r"expected a number >= 0$"):
        Param("wait", float, 0.5, "seconds", None).parse("-0.5")
    assert Param("size", int, 5, "how big", None).parse("0") == 0


def test_argv_round_trip():
    lock = get_lesson("lock")
    assert lock.argv({}) == [str(lock.path)]
    values = parse_params(lock, ["hold=0.2", "workers=8"])
    argv = lock.argv(values)
    # Declaration order, not the order given, and only the values given.
    assert argv == [str(lock.path), "--workers", "8", "--hold", "0.2"]
    assert (
        parse_params(lock, [f"{a}={b}" for a, b in zip(argv[1::2], argv[2::2], strict=True)])
        == values
    )


@pytest.mark.parametrize("name", ORDER)
def test_argv_parses_back_with_the_lessons_own_parser(name):
    """argv() gives the lesson's argparse exactly the values chosen (checked by running it)."""
    lesson = get_lesson(name)
    values = {}
    for param in lesson.params:
        if param.choices:
            values[param.name] = param.choices[-1]
        elif param.type is str:
            values[param.name] = "-dash start"  # must not be taken for an option
        elif param.low <= 7 <= param.high:
            values[param.name] = param.type(7)
        else:  # a short duration such as --pause 0 to 1
            values[param.name] = param.type(param.high)
    tree = ast.parse(lesson.source())
    guard = next(n for n in tree.body if isinstance(n, ast.If))
    # Run only the lesson's parser set-up, stopping after parse_args(), with our argv.
    body = []
    for stmt in guard.body:
        body.append(stmt)
        if "parse_args" in ast.unparse(stmt):
            break
    code = ast.unparse(body) + "\nprint(repr(vars(options)))"
    script = f"import argparse, sys\n__doc__ = ''\nsys.argv = {lesson.argv(values)!r}\n{code}"
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30, check=True
    ).stdout
    assert ast.literal_eval(out.strip()) == values


def test_argv_rejects_unknown_and_bad_values():
    lock = get_lesson("lock")
    with pytest.raises(BadParam, match="unknown parameter 'nope'"):
        lock.argv({"nope": 1})
    with pytest.raises(BadParam, match="bad value"):
        lock.argv({"workers": "many"})


def test_lesson_files_do_not_shadow_stdlib_modules():
    names = {lesson.path.stem for lesson in lessons()}
    assert len(names) == len(ORDER)
    assert not names & set(sys.stdlib_module_names)
    # Every .py beside them lands on sys.path[0] too when a lesson runs as a script.
    siblings = {p.stem for p in lessons()[0].path.parent.glob("*.py")} - {"__init__"}
    assert not siblings & set(sys.stdlib_module_names)


@pytest.mark.parametrize("name", ORDER)
def test_lessons_follow_the_house_rules(name):
    """Only multiprocessing and stdlib imports; no set_start_method; a __main__ guard."""
    lesson = get_lesson(name)
    tree = ast.parse(lesson.source())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots = {(node.module or "").split(".")[0]}
        else:
            continue
        assert roots <= set(sys.stdlib_module_names), roots
    assert "set_start_method" not in lesson.source()
    assert "get_context" not in lesson.source()
    guards = [
        n
        for n in tree.body
        if isinstance(n, ast.If) and ast.unparse(n.test) == "__name__ == '__main__'"
    ]
    assert len(guards) == 1
    # Nothing but definitions, imports and constants outside the guard: the module is
    # imported again in every spawn/forkserver child.
    for stmt in tree.body:
        assert isinstance(
            stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.Assign, ast.Expr, ast.If)
        ), ast.unparse(stmt)
        if isinstance(stmt, ast.Expr):
            assert isinstance(stmt.value, ast.Constant)  # the docstring


def test_registry_reads_without_executing(tmp_path):
    marker = tmp_path / "executed"
    lesson_file = tmp_path / "boom.py"
    lesson_file.write_text(
        textwrap.dedent(
            f'''\
            """Do not run me

            Executing this file leaves a marker. It must only be read.
            """
            import pathlib
            pathlib.Path({str(marker)!r}).write_text("ran")
            raise SystemExit("executed")
            if __name__ == "__main__":
                import argparse
                parser = argparse.ArgumentParser()
                parser.add_argument("--size", type=int, default=3, help="how big",
                                    choices=range(1, 10))
                parser.add_argument("--mode", default="a", help="which", choices=["a", "b"])
            '''
        )
    )
    lesson = scenarios._load_lesson("boom", lesson_file)
    assert not marker.exists()
    assert isinstance(lesson, Lesson)
    assert lesson.title == "Do not run me"
    assert lesson.explanation == "Executing this file leaves a marker. It must only be read."
    assert lesson.params == (
        Param("size", int, 3, "how big", tuple(range(1, 10)), "--size"),
        Param("mode", str, "a", "which", ("a", "b"), "--mode"),
    )


def test_registry_imports_no_lesson_and_no_multiprocessing():
    """Loading the registry runs no lesson code and pulls in nothing heavy."""
    script = textwrap.dedent(
        """\
        import sys
        import mptui.scenarios as s
        before = set(sys.modules)
        s.lessons()
        stems = {lesson.path.stem for lesson in s.lessons()}
        new = set(sys.modules) - before
        print(sorted((new | set(sys.modules)) & (stems | {"__mp_main__"})))
        print(sorted(m for m in new if m.split(".")[0] in ("multiprocessing", "argparse")))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
        cwd=ROOT,  # where `import mptui` finds this checkout
    ).stdout.splitlines()
    assert out == ["[]", "[]"]


def test_lessons_are_grouped_in_teaching_order():
    """Each lesson has a group; a group's lessons are together, the groups in GROUPS order."""
    groups = [lesson.group for lesson in lessons()]
    in_order = [g for i, g in enumerate(groups) if i == 0 or groups[i - 1] != g]
    assert in_order == list(scenarios.GROUPS)  # each group once: its lessons together
    assert groups[:8] == ["basics"] * 8  # the seed's lessons
    assert get_lesson("remote").group == "communication"
    assert get_lesson("pool-crash").group == "failure"


def test_list_names_each_group_on_its_first_lesson(capsys):
    from mptui.cli import main

    assert main(["--list"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert [row.split()[0] for row in rows] == ORDER  # one row per lesson, name first
    shown = {row.split()[0]: row.split()[1] for row in rows if row.split()[1] in scenarios.GROUPS}
    assert shown == {"hello": "basics", "deadlock": "synchronisation",
                     "producer-consumer": "communication", "start-methods": "pools",
                     "pool-crash": "failure"}  # fmt: skip
    assert "Take turns with a Lock" in rows[ORDER.index("lock")]
