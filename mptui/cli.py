"""Command line: decide what to run and which front end shows it; nothing else.

    mptui [OPTIONS]                                   the dashboard, on the lesson list
    mptui [OPTIONS] LESSON [--param NAME=VALUE]...    a lesson (mptui LESSON --help: its
                                                      parameters, defaults and ranges)
    mptui [OPTIONS] run [RUN-OPTIONS] SCRIPT [ARGS...]       your own program
    mptui [OPTIONS] run [RUN-OPTIONS] -m MODULE [ARGS...]    your own module, as python -m
    mptui replay FILE [--headless|--json]             a recorded run (see --record), again
    mptui --list | --version | --help                 lessons with titles; version; help

OPTIONS, also accepted after LESSON or ``run``: ``--headless`` (text log and summary, no
terminal needed), ``--json`` (events as JSON lines; implies --headless), ``--start-method
fork|spawn|forkserver``, ``--fps N`` (dashboard frame rate; the log scrolls at most N/10
times a second and the tables refresh N/20 times, so fewer frames, fewer bytes), ``--record
FILE`` (write every event of the run to FILE as JSON lines, for ``mptui replay``; in the
dashboard each later run, after r or another lesson, goes to FILE.2.jsonl, ...).

RUN-OPTIONS: ``--python PATH`` (the interpreter; by default the one ``python3`` is in your
shell: the active virtualenv's, else the first python3 on PATH), ``--strict`` (any failed
process fails the run). Everything after SCRIPT or ``-m MODULE`` is the program's, untouched,
as with ``python``, ``coverage run`` or ``time``: ``mptui run s.py --json`` gives ``--json``
to s.py (and ``--`` too, if you write one there).

Exit status (headless): the program's own (its main process's; 128+N if a signal N ended
it), so failed children alone leave it 0 and the summary names them; with ``--strict``, and
for lessons, 1 if any process failed, else 0; 128+N if mptui itself got signal N. Bad usage
prints one line and exits 2.

The command line builds the Program once (mptui.engine.program) and hands it to the front
end, which runs it as it is.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from mptui import __version__
from mptui.engine.program import START_METHODS

if TYPE_CHECKING:
    from pathlib import Path


class UsageError(Exception):
    """Bad command line; the message is one line that says what to do."""


class _Done(Exception):
    """argparse finished the job (``--help``, ``--version``): exit with this status."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (``mptui: ...``, exit 2) instead of the usage
    and a message, and no exit from inside a library call."""

    def __init__(self, **kwargs) -> None:
        # No abbreviations: ``--js`` must not quietly mean --json (nor a future option).
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        super().__init__(allow_abbrev=False, **kwargs)

    def error(self, message: str):  # type: ignore[override]
        one_line = message.replace("\r", "\\r").replace("\n", "\\n")
        raise UsageError(f"{one_line} (see {self.prog} --help)")

    def exit(self, status: int = 0, message: str | None = None):  # type: ignore[override]
        if message:
            sys.stderr.write(message)
        raise _Done(status)


def _number_in(option: str, low: float, high: float, what: str = "a number", unit: str = ""):
    """An argparse type: a float from ``low`` to ``high``, else one line saying so."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{option} needs {what}, not {text!r}") from None
        if not low <= value <= high:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{option} must be between {low:g} and {high:g}{unit}")
        return value

    return parse


_fps = _number_in("--fps", 0.5, 60)
_stall_seconds = _number_in("--stall-after", 0.1, 86_400, "seconds", " seconds")


def _file_name(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("needs a file name")
    return text


def _add_front_end_options(parser: argparse.ArgumentParser) -> None:
    """The options every run takes, before or after its command. Each parser sets its own
    defaults only where the command line left a value unset (argparse keeps what the
    namespace it is handed already holds), so ``mptui --headless run s.py`` works."""
    group = parser.add_argument_group("front end")
    group.add_argument("--headless", action="store_true",
                       help="text log and summary; no terminal needed")  # fmt: skip
    group.add_argument("--json", action="store_true",
                       help="events as JSON lines and a summary (implies --headless)")  # fmt: skip
    group.add_argument("--start-method", choices=START_METHODS,
                       help="the program's default start method")  # fmt: skip
    group.add_argument("--fps", type=_fps, default=10.0, metavar="N",
                       help="dashboard frames per second, 0.5 to 60 (default 10)")  # fmt: skip
    group.add_argument("--record", type=_file_name, metavar="FILE",
                       help="write every event to FILE, for mptui replay")  # fmt: skip
    group.add_argument("--stacks", action="store_true", dest="stacks_on_alert",
                        help="headless: print every process's Python stacks when a deadlock "
                        "or stall is found")  # fmt: skip
    group.add_argument("--stall-after", type=_stall_seconds, default=5.0, metavar="SECONDS",
                       help="call a wait this long a stall (default 5)")  # fmt: skip


def _param_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-p", "--param", action="append", default=[], dest="params",
                        metavar="NAME=VALUE", help="a lesson's parameter (repeatable)")  # fmt: skip


def _top_parser() -> _Parser:
    parser = _Parser(
        prog="mptui",
        usage="mptui [OPTIONS] [LESSON [--param NAME=VALUE]...]\n"
        "       mptui [OPTIONS] run [RUN-OPTIONS] SCRIPT [ARGS...]\n"
        "       mptui [OPTIONS] run [RUN-OPTIONS] -m MODULE [ARGS...]\n"
        "       mptui replay FILE [--headless|--json]",
        description="A live terminal dashboard for Python multiprocessing.",
        # The module docstring's usage, without its reST quoting.
        epilog=__doc__.split("\n\n", 1)[1]
        .split("\n\nThe command line builds")[0]
        .replace("``", ""),
    )
    parser.add_argument("--list", action="store_true", help="list the lessons and exit")
    parser.add_argument("--version", action="version", version=f"mptui {__version__}")
    _add_front_end_options(parser)
    _param_option(parser)
    return parser


def _run_parser() -> _Parser:
    parser = _Parser(
        prog="mptui run",
        usage="mptui run [RUN-OPTIONS] SCRIPT [ARGS...]\n"
        "       mptui run [RUN-OPTIONS] -m MODULE [ARGS...]",
        description="Run your own program under mptui. Everything after SCRIPT (or after "
        "-m MODULE) is the program's,\nuntouched: mptui run s.py --json gives --json to s.py.",
        epilog="exit status (headless): the program's own (128+N if a signal N ended it); "
        "children that failed\nwhile the main process exited 0 leave it 0, and the summary "
        "names them. --strict: 1 if any\nprocess failed, else 0. Bad usage: 2.",
    )
    parser.add_argument("--python", metavar="PATH",
                        help="the interpreter (default: the one python3 is in your shell: "
                        "$VIRTUAL_ENV/bin/python, else python3 on PATH)")  # fmt: skip
    parser.add_argument("--strict", action="store_true",
                        help="any failed process fails the run (exit status 1)")  # fmt: skip
    # Never parsed here (see _split); listed for --help.
    parser.add_argument("-m", metavar="MODULE", dest="_module_help",
                        help="run a module as python -m does (sys.argv[0], sys.path[0] and "
                        "__main__ as there); what follows it is the module's")  # fmt: skip
    _add_front_end_options(parser)
    return parser


def _replay_parser() -> _Parser:
    parser = _Parser(prog="mptui replay", usage="mptui replay FILE [--headless|--json] [--fps N]",
                     description="Play a run recorded with --record FILE again.")  # fmt: skip
    parser.add_argument("--headless", action="store_true", help="print it as text")
    parser.add_argument("--json", action="store_true", help="print its events as JSON lines")
    parser.add_argument("--fps", type=_fps, default=10.0, metavar="N",
                        help="dashboard frames per second, 0.5 to 60 (default 10)")  # fmt: skip
    parser.add_argument("file", metavar="FILE", help="the recording")
    return parser


def _lesson_parser(lesson) -> _Parser:
    """``mptui LESSON``: its --help says what it teaches and lists its parameters."""
    wrap = textwrap.TextWrapper(width=88)
    about = "\n\n".join(wrap.fill(p) for p in lesson.explanation.split("\n\n") if p)
    parser = _Parser(
        prog=f"mptui {lesson.name}",
        usage=f"mptui {lesson.name} [--param NAME=VALUE]... [OPTIONS]",
        description=f"{lesson.title}\n\n{about}".rstrip(),
        epilog=parameters_text(lesson),
    )
    _param_option(parser)
    _add_front_end_options(parser)
    return parser


def parameters_text(lesson) -> str:
    """The lesson's parameters as ``mptui LESSON --help`` lists them: name, default,
    allowed values, help."""
    if not lesson.params:
        return "This lesson has no parameters."
    rows = [(p.name, shown_default(p), p.accepts() or "any " + p.type.__name__, p.help)
            for p in lesson.params]  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    head = ("NAME", "DEFAULT", "ALLOWED")
    widths = [max(w, len(h)) for w, h in zip(widths, head, strict=True)]
    lines = [f"parameters (--param NAME=VALUE, e.g. --param {rows[0][0]}={rows[0][1]}):"]
    for row in (head + ("",), *rows):
        cells = [f"{cell:<{width}}" for cell, width in zip(row, widths, strict=False)]
        lines.append(("  " + "  ".join(cells) + "  " + row[3]).rstrip())
    return "\n".join(lines)


TAKE_A_VALUE = frozenset({"--start-method", "--fps", "--record", "--param", "-p", "--python"})
"""mptui's options that take the next word as their value (``--fps=5`` is one word)."""


def _split(words: Sequence[str], *, run: bool = False) -> tuple[list[str], list[str]]:
    """``words`` cut where mptui's options end: at the first word that is no option (a
    command, a lesson, the script), at ``--``, and for ``run`` at ``-m``. What follows is
    not mptui's, so argparse never sees it: no option of the program can be taken for
    mptui's, whatever argparse's version does with ``--`` and REMAINDER."""
    i = 0
    while i < len(words):
        word = words[i]
        if word == "--" or word == "-" or not word.startswith("-"):
            break
        if run and word.startswith("-m"):
            break
        i += 2 if word in TAKE_A_VALUE else 1
    return list(words[:i]), list(words[i:])


def _program_words(ns: argparse.Namespace, tail: list[str]) -> None:
    """``SCRIPT ARGS``, ``-- SCRIPT ARGS``, ``-m MODULE ARGS`` or ``-mMODULE ARGS``: what
    ``python`` would be given after its own options, kept word for word."""
    ns.script, ns.args, ns.module = None, [], None
    if tail and tail[0] == "--":
        tail = tail[1:]
    if tail and tail[0].startswith("-m"):
        module = tail[0][2:] or (tail[1] if len(tail) > 1 else "")
        if not module or module.startswith("-"):
            raise UsageError("-m needs a module name: mptui run -m MODULE [ARGS...]")
        ns.module = [module, *tail[2 if tail[0] == "-m" else 1 :]]
    elif tail:
        ns.script, ns.args = tail[0], tail[1:]
    else:
        raise UsageError("'run' needs a script: mptui run SCRIPT [ARGS...] (or -m MODULE)")


def shown_default(param) -> str:
    """``4``, ``0.25``, ``'hello world'`` (a string quoted: it may hold spaces)."""
    return repr(param.default) if isinstance(param.default, str) else str(param.default)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """Parse the command line; raises UsageError (or _Done after --help/--version).

    The result has ``command`` (None, ``run``, ``replay`` or a lesson's name) and the
    options; for ``run``: ``script`` and ``args``, or ``module`` (``[MODULE, *ARGS]``)."""
    head, tail = _split(argv)
    ns = _top_parser().parse_args(head)
    command, rest = (tail[0], tail[1:]) if tail else (None, [])
    ns.command = command
    if command == "run":
        head, tail = _split(rest, run=True)
        ns = _run_parser().parse_args(head, namespace=ns)
        _program_words(ns, tail)
        if ns.params:
            raise UsageError("--param is for lessons; pass your script's own arguments after it")
    elif command == "replay":
        for option, given in (("--start-method", ns.start_method), ("--record", ns.record),
                              ("--param", ns.params or None)):  # fmt: skip
            if given is not None:
                raise UsageError(f"{option} has no meaning for a replay: it shows the run as "
                                 "recorded")  # fmt: skip
        ns = _replay_parser().parse_args(rest, namespace=ns)
    elif command is not None:
        from mptui import scenarios

        try:
            lesson = scenarios.get_lesson(command)
        except scenarios.UnknownLesson as error:
            raise UsageError(f"{error}; or run your own: mptui run SCRIPT") from None
        ns = _lesson_parser(lesson).parse_args(rest, namespace=ns)
    elif not ns.list:
        if ns.headless or ns.json:
            raise UsageError("--headless needs something to run: mptui LESSON or mptui run SCRIPT")
        if ns.record is not None:
            raise UsageError("--record needs something to run: mptui LESSON --record FILE")
        if ns.params:
            raise UsageError("--param needs a lesson: mptui LESSON --param NAME=VALUE")
    ns.headless = ns.headless or ns.json
    return ns


# ---------------------------------------------------------------------------- programs


def _lesson_program(ns: argparse.Namespace):
    from mptui import scenarios
    from mptui.engine.program import Program

    lesson = scenarios.get_lesson(ns.command)
    try:
        values = scenarios.parse_params(lesson, ns.params)
    except scenarios.BadParam as error:
        raise UsageError(str(error)) from None
    return _with_options(Program.from_lesson(lesson, values, ns.start_method), ns)


def _with_options(program, ns: argparse.Namespace):
    import dataclasses

    return dataclasses.replace(program, stall_after=ns.stall_after)


def _interpreter(choice: str | None) -> tuple[str, str]:
    """The interpreter for ``mptui run`` and its version: ``--python``, else the one
    ``python3`` is in the user's shell (mptui.engine.interpreter.probe says which)."""
    import shutil

    from mptui.engine import interpreter

    if choice is None:
        path = interpreter.shell_python()
        if path is None:
            raise UsageError("no python3 on PATH and no active virtualenv; choose an "
                             "interpreter with --python PATH")  # fmt: skip
    elif os.sep in choice:
        path = os.path.abspath(choice)  # abspath, not realpath: a virtualenv's is a symlink
    else:  # a bare name, as a shell finds it
        found = shutil.which(choice)
        if found is None:
            raise UsageError(f"--python {choice!r}: no such command on PATH")
        path = os.path.abspath(found)
    try:
        return interpreter.probe(path)
    except interpreter.BadInterpreter as error:
        raise UsageError(str(error)) from None


def _script_program(ns: argparse.Namespace):
    from mptui.engine.program import Program

    python, version = _interpreter(ns.python)
    common = dict(python=python, python_version=version, strict=ns.strict)
    if ns.module is not None:
        module, *args = ns.module
        program = Program.from_module(module, args, ns.start_method,
                                      source_path=module_source(module), **common)  # fmt: skip
        return _with_options(program, ns)
    path = ns.script
    if not os.path.exists(path):
        raise UsageError(f"no such file: {path!r}")
    if os.path.isdir(path):
        raise UsageError(f"{path!r} is a directory; give a Python script (or -m MODULE)")
    return _with_options(Program.from_script(path, ns.args, ns.start_method, **common), ns)


def module_source(module: str, where: Sequence[str] | None = None) -> Path | None:
    """The file ``python -m MODULE`` would run, if it is under ``where`` (default: the
    working directory, the first place ``python -m`` looks), to show in the Source panel.

    Found without importing anything, so none of the program's code runs in mptui; a
    module elsewhere (site-packages of another interpreter) is simply not shown."""
    from importlib.machinery import PathFinder
    from pathlib import Path

    path: list[str] | None = list(where) if where is not None else [os.getcwd()]
    parts = module.split(".")
    spec = None
    for depth in range(len(parts)):
        try:
            spec = PathFinder.find_spec(".".join(parts[: depth + 1]), path)
        except (ImportError, ValueError):
            return None
        if spec is None:
            return None
        path = list(spec.submodule_search_locations or [])
    if spec is not None and spec.submodule_search_locations:  # a package: its __main__
        try:
            spec = PathFinder.find_spec(module + ".__main__", list(spec.submodule_search_locations))
        except (ImportError, ValueError):
            return None
    if spec is None or not spec.origin or not os.path.isfile(spec.origin):
        return None
    return Path(spec.origin)


def _print_lessons() -> None:
    from mptui import scenarios

    all_lessons = scenarios.lessons()
    width = max(len(lesson.name) for lesson in all_lessons)
    group_width = max(len(lesson.group) for lesson in all_lessons)
    shown = None
    # One line per lesson, name first (scripts read the names); the group is named on
    # the first lesson of each group, which the lessons' order keeps together.
    for lesson in all_lessons:
        group = lesson.group if lesson.group != shown else ""
        shown = lesson.group
        print(f"{lesson.name:<{width}}  {group:<{group_width}}  {lesson.title}")


# ---------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mptui`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        return _main(parse(argv))
    except UsageError as error:
        print(f"mptui: {error}", file=sys.stderr)
        return 2
    except _Done as done:
        return done.status


def _main(ns: argparse.Namespace) -> int:
    if ns.list:
        _print_lessons()
        return 0
    if ns.command == "replay":
        return _replay(ns)
    if ns.record is not None:
        from mptui.engine.recording import check_writable

        problem = check_writable(ns.record)
        if problem is not None:
            raise UsageError(problem)
    program = None
    if ns.command == "run":
        program = _script_program(ns)
    elif ns.command is not None:
        program = _lesson_program(ns)
    if ns.headless:
        from mptui.headless import run_headless

        try:
            return run_headless(program, as_json=ns.json, record=ns.record,
                                stacks_on_alert=ns.stacks_on_alert)  # fmt: skip
        except OSError as error:  # could not even start: no socket, no temp dir...
            raise UsageError(f"cannot start the program: {error}") from None
    _need_a_terminal()
    from mptui.tui.app import leave, run_app

    leave(run_app(program=program, fps=ns.fps, record=ns.record))


def _need_a_terminal() -> None:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the dashboard needs a terminal; use --headless for text output")


def _replay(ns: argparse.Namespace) -> int:
    """``mptui replay FILE``: check the file, then show it (dashboard or headless)."""
    from mptui.engine.recording import BadRecording, read_recording

    try:
        recording = read_recording(ns.file)
    except BadRecording as error:
        raise UsageError(str(error)) from None
    if ns.headless:
        from mptui.headless import replay_headless

        return replay_headless(recording, as_json=ns.json)
    _need_a_terminal()
    from mptui.tui.replay_app import run_replay

    return run_replay(recording, path=ns.file, fps=ns.fps)


if __name__ == "__main__":
    sys.exit(main())
