"""The built-in lessons and what mptui knows about them, read without running them.

Each lesson is a standalone multiprocessing program in this directory (it runs with plain
``python`` too). This registry reads their metadata from the source with :mod:`ast` and
never imports or executes them, so it is fast and side-effect free:

* the title and explanation come from the module docstring (first line, then the rest);
* the parameters come from the ``parser.add_argument("--name", type=..., default=...,
  help=..., choices=...)`` calls, whose arguments must be literals (``choices`` may also
  be ``range(a, b)`` with literal ints);
* the range of each numeric parameter comes from the module-level literal
  ``LIMITS = {"name": (low, high), ...}``, which the lesson itself checks after
  ``parse_args()``, so plain ``python lesson.py`` refuses the same values. Every int or
  float parameter without ``choices`` must have an entry, and its default must lie in it:
  a lesson that forgets one does not load. The ranges keep a typo like
  ``workers=100000`` from forking until the machine has no pids left.

Parameter values typed by a user (``workers=8``) are converted and checked by
:meth:`Param.parse`: the value must convert to the parameter's type, must be one of its
``choices`` if it has any (case-insensitively for strings), and numbers must be finite
and inside their range (both ends included).
"""

from __future__ import annotations

import ast
import difflib
import functools
import math
import pathlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

__all__ = [
    "GROUPS",
    "BadParam",
    "Lesson",
    "Param",
    "UnknownLesson",
    "get_lesson",
    "lessons",
    "parse_params",
    "title_and_explanation",
]

_HERE = pathlib.Path(__file__).resolve().parent

# Teaching order. File names differ from lesson names where the lesson name is a stdlib
# module (queue, logging): running the file as a script puts this directory first on
# sys.path, and a queue.py here would then be imported instead of the stdlib's.
# Each lesson belongs to a group (GROUPS, in order); the lessons of a group are listed
# together, so the table keeps them together too. deadlock and join-drain come first in
# "synchronisation": they were the ninth and tenth lessons before there were groups, and
# the number keys and scripts that name lessons by position keep working.
_TABLE: tuple[tuple[str, str, str], ...] = (
    ("hello", "hello.py", "basics"),
    ("args", "pass_args.py", "basics"),
    ("squares", "squares.py", "basics"),
    ("two-processes", "two_processes.py", "basics"),
    ("queue", "queue_evens.py", "basics"),
    ("pipe", "pipe_hello.py", "basics"),
    ("lock", "lock.py", "basics"),
    ("logging", "log_to_stderr.py", "basics"),
    ("deadlock", "deadlock.py", "synchronisation"),
    ("join-drain", "join_drain.py", "synchronisation"),
    ("lost-updates", "lost_updates.py", "synchronisation"),
    ("event-barrier", "event_barrier.py", "synchronisation"),
    ("semaphore", "semaphore_limit.py", "synchronisation"),
    ("producer-consumer", "producer_consumer.py", "communication"),
    ("manager", "manager_shared.py", "communication"),
    ("remote", "remote_queue.py", "communication"),
    ("start-methods", "start_methods.py", "pools"),
    ("pool-map", "pool_map.py", "pools"),
    ("pool-crash", "pool_crash.py", "failure"),
)

GROUPS: tuple[str, ...] = ("basics", "synchronisation", "communication", "pools", "failure")
"""The lesson groups, in teaching order."""

_TYPES: dict[str, type] = {"int": int, "float": float, "str": str}
_TYPE_WORDS: dict[type, str] = {int: "an integer", float: "a number", str: "a string"}


class UnknownLesson(ValueError):
    """A lesson name that is not in the registry."""


class BadParam(ValueError):
    """A parameter assignment that names no parameter or carries an unusable value."""


@dataclass(frozen=True)
class Param:
    """One command-line parameter of a lesson, as declared by its add_argument() call."""

    name: str
    """Python-style name: the option without its leading dashes, other dashes as '_'."""
    type: type
    """int, float or str."""
    default: object
    help: str
    choices: tuple | None
    """The allowed values, or None when any value of the type is allowed."""
    option: str = ""
    """The option as the lesson spells it (``--workers``); derived from the name if empty."""
    low: int | float | None = None
    """The smallest value allowed (numbers only), from the lesson's LIMITS."""
    high: int | float | None = None
    """The largest value allowed (numbers only), from the lesson's LIMITS."""

    @property
    def flag(self) -> str:
        """The command-line option that sets this parameter."""
        return self.option or "--" + self.name.replace("_", "-")

    def parse(self, text: str) -> object:
        """Convert ``text`` to this parameter's type and check it; raise BadParam if unusable."""
        raw = text.strip()
        if self.type is str:
            value: object = raw
            if self.choices is not None:
                # Case-insensitive so that level=warning works; the lesson gets its spelling.
                folded = {str(c).casefold(): c for c in self.choices}
                if raw.casefold() not in folded:
                    raise BadParam(self._bad(text, self._allowed()))
                value = folded[raw.casefold()]
            return value
        try:
            number = self.type(raw)
        except (TypeError, ValueError):
            raise BadParam(self._bad(text, _TYPE_WORDS[self.type])) from None
        if isinstance(number, float) and not math.isfinite(number):
            raise BadParam(self._bad(text, "a finite number"))
        if self.choices is not None:
            if number not in self.choices:
                raise BadParam(self._bad(text, self._allowed()))
        elif self.low is not None and self.high is not None:
            if not self.low <= number <= self.high:
                raise BadParam(self._bad(text, self._allowed()))
        elif number < 0:
            # Only a Param built by hand has no range: no lesson file loads without one.
            raise BadParam(self._bad(text, f"{_TYPE_WORDS[self.type]} >= 0"))
        return number

    def accepts(self) -> str:
        """The allowed values in a few words (``1 to 32``, ``DEBUG, INFO``), or ''."""
        choices = tuple(self.choices or ())
        if _is_int_run(choices):
            return f"{choices[0]} to {choices[-1]}"
        if choices:
            return ", ".join(str(c) for c in choices)
        if self.low is not None and self.high is not None:
            return f"{_number(self.low)} to {_number(self.high)}"
        return ""

    def _allowed(self) -> str:
        """What a bad value should have been, for the error message."""
        if self.choices is not None and not _is_int_run(tuple(self.choices)):
            return "one of " + self.accepts()
        return f"{_TYPE_WORDS[self.type]} from {self.accepts()}"

    def _bad(self, text: str, expected: str) -> str:
        # repr() keeps the message on one line whatever the user typed.
        return f"bad value {text!r} for {self.name}: expected {expected}"


@dataclass(frozen=True)
class Lesson:
    """One built-in lesson: a standalone program plus what it teaches and its parameters."""

    name: str
    """What users type, e.g. ``two-processes``."""
    title: str
    """First line of the program's docstring."""
    explanation: str
    """The rest of the docstring, paragraphs unwrapped (joined by blank lines)."""
    path: pathlib.Path
    params: tuple[Param, ...]
    group: str = ""
    """Which of :data:`GROUPS` the lesson belongs to (``synchronisation``); '' if none."""

    def param(self, name: str) -> Param:
        """Return the parameter called ``name`` (dashes allowed); raise BadParam if none."""
        key = _normalize(name)
        for param in self.params:
            if param.name == key:
                return param
        valid = ", ".join(p.name for p in self.params) or "none"
        raise BadParam(f"unknown parameter {name!r} for lesson {self.name!r}; valid: {valid}")

    def argv(self, values: Mapping[str, object]) -> list[str]:
        """Return ``[path, option, value, ...]`` for the given values, in declaration order.

        Parameters left out of ``values`` are not passed, so the lesson uses its default.
        """
        given = {self.param(name).name: value for name, value in values.items()}
        argv = [str(self.path)]
        for param in self.params:
            if param.name in given:
                value = str(param.parse(str(given[param.name])))
                if value.startswith("-"):
                    # Joined, or argparse would read a string like "-x" as an option.
                    argv.append(f"{param.flag}={value}")
                else:
                    argv += [param.flag, value]
        return argv

    def source(self) -> str:
        """Return the program's source text, exactly what runs."""
        return self.path.read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def lessons() -> tuple[Lesson, ...]:
    """Return every lesson, in teaching order."""
    return tuple(
        replace(_load_lesson(name, _HERE / file), group=group) for name, file, group in _TABLE
    )


def get_lesson(name: str) -> Lesson:
    """Return the lesson called ``name``; raise UnknownLesson naming the valid ones."""
    for lesson in lessons():
        if lesson.name == name:
            return lesson
    names = [lesson.name for lesson in lessons()]
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    raise UnknownLesson(f"unknown lesson {name!r}{hint}; valid: {', '.join(names)}")


def parse_params(lesson: Lesson, assignments: Iterable[str]) -> dict[str, object]:
    """Turn ``["workers=8", "hold=0.1"]`` into typed values; raise BadParam if one is unusable.

    Names may also be written as options (``--workers=8``); a repeated name keeps the last.
    """
    values: dict[str, object] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        if not sep or not name.strip():
            valid = ", ".join(p.name for p in lesson.params) or "none"
            raise BadParam(
                f"expected name=value, got {assignment!r}; "
                f"parameters of lesson {lesson.name!r}: {valid}"
            )
        param = lesson.param(name.strip())
        values[param.name] = param.parse(text)
    return values


def _is_int_run(choices: tuple) -> bool:
    """True for a long run of consecutive ints, such as ``range(1, 101)``."""
    return (
        len(choices) > 6
        and all(type(c) is int for c in choices)
        and list(choices) == list(range(choices[0], choices[0] + len(choices)))
    )


def _number(value: int | float) -> str:
    """``60`` for 60 and 60.0, ``0.5`` for 0.5: a bound as a person writes it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _normalize(name: str) -> str:
    """Map ``--hold-time`` or ``hold-time`` to the Param name ``hold_time``."""
    return name.strip().lstrip("-").replace("-", "_")


def title_and_explanation(doc: str) -> tuple[str, str]:
    """A program's docstring as a lesson shows it: the first line, then the rest with its
    paragraphs unwrapped (joined by blank lines). A replay reads a recorded program's too."""
    title, _, rest = doc.partition("\n")
    paragraphs = [" ".join(p.split()) for p in rest.strip().split("\n\n")]
    return title.strip(), "\n\n".join(p for p in paragraphs if p)


def _load_lesson(name: str, path: pathlib.Path) -> Lesson:
    """Read one lesson file's docstring and parameters from its syntax tree."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    doc = ast.get_docstring(tree)
    if not doc:
        raise ValueError(f"{path}: lesson has no module docstring")
    title, explanation = title_and_explanation(doc)
    found = [
        _param_from_call(node, path)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "add_argument"
    ]
    # ast.walk is breadth-first; sort back into source order so argv and forms follow it.
    params = tuple(param for _, param in sorted(found, key=lambda item: item[0]))
    params = _with_limits(params, _read_limits(tree, path), path)
    return Lesson(
        name=name,
        title=title,
        explanation=explanation,
        path=path,
        params=params,
    )


def _param_from_call(call: ast.Call, path: pathlib.Path) -> tuple[tuple[int, int], Param]:
    """Build a Param from one ``add_argument("--x", type=..., ...)`` call."""
    where = f"{path.name}:{call.lineno}"
    if not call.args or not isinstance(call.args[0], ast.Constant):
        raise ValueError(f"{where}: add_argument() needs a literal option name first")
    option = call.args[0].value
    if not isinstance(option, str) or not option.startswith("--"):
        raise ValueError(f"{where}: lesson parameters must be --options, got {option!r}")
    keywords = {kw.arg: kw.value for kw in call.keywords if kw.arg}

    kind: type = str  # argparse's own default when type= is absent
    if "type" in keywords:
        node = keywords["type"]
        if not isinstance(node, ast.Name) or node.id not in _TYPES:
            raise ValueError(f"{where}: type= must be int, float or str")
        kind = _TYPES[node.id]

    def literal(key: str) -> object:
        try:
            return ast.literal_eval(keywords[key]) if key in keywords else None
        except ValueError:
            raise ValueError(f"{where}: {key}= must be a literal") from None

    choices: tuple | None = None
    node = keywords.get("choices")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "range"
        and not node.keywords
    ):
        try:
            bounds = [ast.literal_eval(arg) for arg in node.args]
        except ValueError:
            raise ValueError(f"{where}: range() in choices= needs literal ints") from None
        choices = tuple(range(*bounds))
    elif node is not None:
        choices = tuple(literal("choices"))  # type: ignore[arg-type]

    help_text = literal("help")
    return (call.lineno, call.col_offset), Param(
        name=_normalize(option),
        type=kind,
        default=literal("default"),
        help=help_text if isinstance(help_text, str) else "",
        choices=choices,
        option=option,
    )


def _read_limits(tree: ast.Module, path: pathlib.Path) -> dict[str, tuple]:
    """The module-level ``LIMITS = {"name": (low, high), ...}`` literal, or {} if none."""
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Name)
            and stmt.targets[0].id == "LIMITS"
        ):
            where = f"{path.name}:{stmt.lineno}"
            try:
                limits = ast.literal_eval(stmt.value)
            except ValueError:
                raise ValueError(f"{where}: LIMITS must be a literal dict") from None
            if not isinstance(limits, dict):
                raise ValueError(f"{where}: LIMITS must be a dict of name: (low, high)")
            for name, bounds in limits.items():
                if not (
                    isinstance(name, str)
                    and isinstance(bounds, tuple)
                    and len(bounds) == 2
                    and all(type(b) in (int, float) and math.isfinite(b) for b in bounds)
                    and bounds[0] <= bounds[1]
                ):
                    raise ValueError(f"{where}: LIMITS[{name!r}] must be (low, high), low <= high")
            return limits
    return {}


def _with_limits(
    params: tuple[Param, ...], limits: dict[str, tuple], path: pathlib.Path
) -> tuple[Param, ...]:
    """Give each numeric parameter its range; refuse a lesson whose ranges do not fit."""
    names = {param.name for param in params}
    for name in limits:
        if name not in names:
            raise ValueError(f"{path.name}: LIMITS names {name!r}, which is no parameter")
    bounded = []
    for param in params:
        if param.type is str or param.choices is not None:
            if param.name in limits:
                raise ValueError(f"{path.name}: {param.flag} needs no LIMITS entry")
            bounded.append(param)
            continue
        if param.name not in limits:
            raise ValueError(f"{path.name}: {param.flag} has no range; add it to LIMITS")
        low, high = limits[param.name]
        if param.type is int and not (type(low) is int and type(high) is int):
            raise ValueError(f"{path.name}: the range of {param.flag} must be two ints")
        if not isinstance(param.default, param.type):
            raise ValueError(
                f"{path.name}: the default of {param.flag} must be {param.type.__name__}"
            )
        if not low <= param.default <= high:
            raise ValueError(f"{path.name}: the default of {param.flag} is outside {low}..{high}")
        bounded.append(replace(param, low=low, high=high))
    return tuple(bounded)
