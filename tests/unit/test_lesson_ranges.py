"""Every numeric lesson parameter has a range; values outside it are refused everywhere.

The ranges come from each lesson's ``LIMITS`` literal (read by the registry with ast). A
lesson that forgets one does not load, and the tests below check the real lessons one
parameter at a time: the registry, Param.parse and ``mptui LESSON --param`` (in process;
tests/engine/test_lesson_ranges_cli.py runs the command itself).
"""

from __future__ import annotations

import ast
import textwrap

import pytest

import mptui.scenarios as scenarios
from mptui.cli import main
from mptui.scenarios import BadParam, get_lesson, lessons

NUMERIC = [
    (lesson.name, param.name)
    for lesson in lessons()
    for param in lesson.params
    if param.type in (int, float)
]
"""(lesson, parameter) for every numeric parameter of every lesson."""


def numeric_param(lesson: str, name: str) -> scenarios.Param:
    return get_lesson(lesson).param(name)


def expected(param: scenarios.Param) -> str:
    kind = "an integer" if param.type is int else "a number"
    return f"expected {kind} from {param.low} to {param.high}"


def test_every_lesson_has_numeric_parameters_to_check():
    # A guard for the parametrized tests below: an empty list would make them pass.
    assert {lesson for lesson, _ in NUMERIC} == {lesson.name for lesson in lessons()}
    assert ("lock", "workers") in NUMERIC and ("lock", "hold") in NUMERIC


@pytest.mark.parametrize(("lesson", "name"), NUMERIC)
def test_every_numeric_parameter_has_a_range_holding_its_default(lesson, name):
    param = numeric_param(lesson, name)
    assert param.choices is None
    assert param.low is not None and param.high is not None, f"{lesson} --{name} has no range"
    assert param.low < param.high
    assert param.low <= param.default <= param.high
    if param.type is int:
        assert type(param.low) is int and type(param.high) is int
    # Counts start at 1, durations at 0; nothing is allowed to be unbounded in practice.
    assert param.low >= 0
    assert param.high <= (100_000 if param.type is int else 60)


@pytest.mark.parametrize("lesson", [lesson.name for lesson in lessons()])
def test_the_ranges_are_the_lessons_own_limits(lesson):
    """The registry's ranges are the LIMITS the lesson checks when run with plain python."""
    tree = ast.parse(get_lesson(lesson).source())
    (limits,) = [
        ast.literal_eval(stmt.value)
        for stmt in tree.body
        if isinstance(stmt, ast.Assign) and ast.unparse(stmt.targets[0]) == "LIMITS"
    ]
    ranged = {p.name: (p.low, p.high) for p in get_lesson(lesson).params if p.low is not None}
    assert ranged == limits


@pytest.mark.parametrize(("lesson", "name"), NUMERIC)
def test_parse_accepts_both_ends_and_refuses_just_outside(lesson, name):
    param = numeric_param(lesson, name)
    assert param.parse(str(param.low)) == param.low
    assert param.parse(str(param.high)) == param.high
    step = 1 if param.type is int else 0.001
    for outside in (param.high + step, param.low - step):
        with pytest.raises(BadParam) as info:
            param.parse(str(outside))
        message = str(info.value)
        assert message == f"bad value {str(outside)!r} for {name}: {expected(param)}"


@pytest.mark.parametrize(("lesson", "name"), NUMERIC)
def test_parse_refuses_huge_values(lesson, name):
    param = numeric_param(lesson, name)
    texts = ["100000000", "99999999999999999999999", "-99999999999"]
    if param.type is float:
        texts += ["1e300", "-1e300", "1e-300" if param.low > 0 else "-1e-300"]
    for text in texts:
        with pytest.raises(BadParam) as info:
            param.parse(text)
        assert str(info.value) == f"bad value {text!r} for {name}: {expected(param)}"


def test_the_three_values_from_the_issue():
    lock = get_lesson("lock")
    for assignment, message in [
        ("workers=100000", "bad value '100000' for workers: expected an integer from 1 to 32"),
        (
            "workers=99999999999999999999999",
            "bad value '99999999999999999999999' for workers: expected an integer from 1 to 32",
        ),
        ("hold=1e300", "bad value '1e300' for hold: expected a number from 0 to 60"),
    ]:
        with pytest.raises(BadParam) as info:
            scenarios.parse_params(lock, [assignment])
        assert str(info.value) == message


def test_accepts_names_the_range_or_the_choices():
    lock = get_lesson("lock")
    assert lock.param("workers").accepts() == "1 to 32"
    assert lock.param("hold").accepts() == "0 to 60"
    assert get_lesson("logging").param("level").accepts() == "DEBUG, INFO, WARNING, ERROR"
    assert get_lesson("pipe").param("message").accepts() == ""
    assert scenarios.Param("n", int, 5, "", tuple(range(1, 101))).accepts() == "1 to 100"
    assert scenarios.Param("x", float, 1.0, "", None, low=0.5, high=2.0).accepts() == "0.5 to 2"


@pytest.mark.parametrize(("lesson", "name"), NUMERIC)
def test_cli_refuses_out_of_range_with_one_line_and_exit_2(lesson, name, capsys, monkeypatch):
    # If the refusal were missing, main() would go on to run the program: make that loud.
    import mptui.headless

    def must_not_run(*args, **kwargs):
        raise AssertionError("the program was started")

    monkeypatch.setattr(mptui.headless, "run_headless", must_not_run)
    param = numeric_param(lesson, name)
    too_big = str(param.high + 1)
    assert main([lesson, "--param", f"{name}={too_big}", "--headless"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == f"mptui: bad value {too_big!r} for {name}: {expected(param)}\n"


# --------------------------------------------------------------------------------------
# A lesson file whose ranges are missing or wrong does not load


LESSON = '''\
"""A lesson for the tests

It only has to be read, never run.
"""
import argparse

{limits}

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4, help="how many")
    parser.add_argument("--hold", type=float, default=0.5, help="seconds")
    parser.add_argument("--mode", default="a", help="which", choices=["a", "b"])
'''


def load(tmp_path, limits: str) -> scenarios.Lesson:
    path = tmp_path / "ranged.py"
    path.write_text(LESSON.format(limits=textwrap.dedent(limits)))
    return scenarios._load_lesson("ranged", path)


def test_a_lesson_with_limits_loads_with_its_ranges(tmp_path):
    lesson = load(tmp_path, 'LIMITS = {"workers": (1, 8), "hold": (0, 2.5)}')
    assert [(p.name, p.low, p.high) for p in lesson.params] == [
        ("workers", 1, 8),
        ("hold", 0, 2.5),
        ("mode", None, None),
    ]


@pytest.mark.parametrize(
    ("limits", "message"),
    [
        ("", "--workers has no range; add it to LIMITS"),
        ('LIMITS = {"workers": (1, 8)}', "--hold has no range; add it to LIMITS"),
        ('LIMITS = {"workers": (1, 8), "hold": (0, 1), "wrokers": (1, 2)}', "'wrokers'"),
        ('LIMITS = {"workers": (1, 8), "hold": (0, 1), "mode": (0, 1)}', "--mode needs no"),
        ('LIMITS = {"workers": (5, 8), "hold": (0, 1)}', "default of --workers is outside"),
        ('LIMITS = {"workers": (1, 8), "hold": (0, 0.25)}', "default of --hold is outside"),
        ('LIMITS = {"workers": (1, 8.5), "hold": (0, 1)}', "must be two ints"),
        ('LIMITS = {"workers": (8, 1), "hold": (0, 1)}', "low <= high"),
        ('LIMITS = {"workers": (1,), "hold": (0, 1)}', "(low, high)"),
        ('LIMITS = {"workers": (1, 8), "hold": (0, float("inf"))}', "must be a literal"),
        ('LIMITS = {"workers": (1, 8), "hold": (0, 1e999)}', "low <= high"),
        ('LIMITS = {"workers": (True, 8), "hold": (0, 1)}', "(low, high)"),
        ('LIMITS = [("workers", 1, 8)]', "must be a dict"),
    ],
)
def test_a_lesson_with_missing_or_wrong_limits_does_not_load(tmp_path, limits, message):
    with pytest.raises(ValueError) as info:
        load(tmp_path, limits)
    assert message in str(info.value)
    assert "ranged.py" in str(info.value)
