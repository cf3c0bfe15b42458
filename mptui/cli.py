"""Command line: decide what to run and which front end shows it; nothing else.

    mptui                                   the dashboard, on the lesson list
    mptui LESSON [options]                  the dashboard with a lesson running
    mptui run SCRIPT [ARGS...] [options]    the dashboard on your own program
    mptui replay FILE [--headless|--json]   a recorded run (see --record), played again
    mptui --list                            lessons, with titles

Options: ``--headless`` (text log and summary, no terminal needed), ``--json`` (events as
JSON lines; implies --headless), ``--start-method fork|spawn|forkserver``, ``--param
NAME=VALUE`` (lessons; repeatable), ``--fps N`` (dashboard frame rate; the log scrolls at
most N/10 times a second and the tables refresh N/20 times, so fewer frames, fewer bytes),
``--record FILE`` (write every event of the run to FILE as JSON lines, for ``mptui replay``;
in the dashboard each later run, after r or another lesson, goes to FILE.2.jsonl, ...).

With ``run``, mptui's options may come before or after the script; everything else belongs
to the script, and so does everything after ``--``. Bad usage prints one line and exits 2.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field

from mptui import __version__

START_METHODS = ("fork", "spawn", "forkserver")
USAGE = (
    "usage: mptui [LESSON | run SCRIPT [ARGS...]] [--headless] [--json] "
    "[--start-method fork|spawn|forkserver] [--param NAME=VALUE]... [--fps N] "
    "[--record FILE] | replay FILE | --list"
)


class UsageError(Exception):
    """Bad command line; the message is one line that says what to do."""


@dataclass
class Request:
    """What the command line asked for."""

    action: str = "dashboard"  # dashboard | replay | list | help | version
    lesson: str | None = None
    script: list[str] = field(default_factory=list)
    headless: bool = False
    as_json: bool = False
    start_method: str | None = None
    params: list[str] = field(default_factory=list)
    fps: float = 10.0
    record: str | None = None
    """--record FILE: where to write the run's events."""
    replay: str | None = None
    """The recording to play (``mptui replay FILE``)."""


def parse(argv: Sequence[str]) -> Request:
    """Parse the command line; raises UsageError."""
    request = Request()
    args = list(argv)
    run_mode = bool(args) and args[0] == "run"
    replay_mode = bool(args) and args[0] == "replay"
    if run_mode or replay_mode:
        args.pop(0)
    positional: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        i += 1
        if arg == "--" and run_mode:
            if not positional:
                raise UsageError("'run' needs a script: mptui run SCRIPT [ARGS...]")
            positional.extend(args[i:])
            break
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")

        def value(name: str = name, eq: str = eq, inline: str = inline) -> str:
            nonlocal i
            if eq:
                return inline
            if i >= len(args):
                raise UsageError(f"{name} needs a value")
            i += 1
            return args[i - 1]

        if eq and name in ("--help", "--version", "--list", "--headless", "--json"):
            raise UsageError(f"{name} takes no value")
        if name in ("-h", "--help") and not positional:
            request.action = "help"
        elif name == "--version" and not positional:
            request.action = "version"
        elif name == "--list" and not positional:
            request.action = "list"
        elif name == "--headless":
            request.headless = True
        elif name == "--json":
            request.headless = request.as_json = True
        elif name == "--start-method":
            method = value()
            if method not in START_METHODS:
                raise UsageError(
                    f"unknown start method {method!r}; valid: {', '.join(START_METHODS)}"
                )
            request.start_method = method
        elif name == "--param" or (name == "-p" and not (run_mode and positional)):
            request.params.append(value())
        elif name == "--record":
            request.record = value()
            if not request.record:
                raise UsageError("--record needs a file name")
        elif name == "--fps":
            text = value()
            try:
                request.fps = float(text)
            except ValueError:
                raise UsageError(f"--fps needs a number, not {text!r}") from None
            if not 0.5 <= request.fps <= 60:
                raise UsageError("--fps must be between 0.5 and 60")
        elif arg.startswith("-") and not (run_mode and positional) and arg != "-":
            raise UsageError(f"unknown option {arg!r}; see mptui --help")
        else:
            positional.append(arg)
    if replay_mode:
        return _check_replay(request, positional)
    if run_mode:
        if not positional:
            raise UsageError("'run' needs a script: mptui run SCRIPT [ARGS...]")
        if request.params:
            raise UsageError("--param is for lessons; pass your script's own arguments after it")
        request.script = positional
    elif positional:
        if len(positional) > 1:
            raise UsageError(
                f"unexpected argument {positional[1]!r}; to run a script: mptui run SCRIPT"
            )
        request.lesson = positional[0]
    elif request.params and request.action == "dashboard":
        raise UsageError("--param needs a lesson: mptui LESSON --param NAME=VALUE")
    if request.headless and request.action == "dashboard" and not (request.lesson or run_mode):
        raise UsageError("--headless needs something to run: mptui LESSON or mptui run SCRIPT")
    if (
        request.record is not None
        and request.action == "dashboard"
        and not (request.lesson or run_mode)
    ):
        raise UsageError("--record needs something to run: mptui LESSON --record FILE")
    return request


def _check_replay(request: Request, positional: list[str]) -> Request:
    """``mptui replay FILE``: one file; options that change a run have no meaning."""
    if request.action != "dashboard":
        return request  # --help, --version, --list win, as everywhere
    if not positional:
        raise UsageError("'replay' needs a file: mptui replay FILE (made with --record FILE)")
    if len(positional) > 1:
        raise UsageError(f"unexpected argument {positional[1]!r}; replay plays one file")
    for given, option in ((request.start_method, "--start-method"),
                          (request.params or None, "--param"),
                          (request.record, "--record")):  # fmt: skip
        if given is not None:
            raise UsageError(f"{option} has no meaning for a replay: it shows the run as recorded")
    request.action = "replay"
    request.replay = positional[0]
    return request


def _program(request: Request):
    """The Program to run, after checking the lesson, its parameters or the script."""
    from mptui import scenarios
    from mptui.engine.session import Program

    if request.script:
        path = request.script[0]
        if not os.path.exists(path):
            raise UsageError(f"no such file: {path!r}")
        if os.path.isdir(path):
            raise UsageError(f"{path!r} is a directory; give a Python script")
        return Program.from_script(path, request.script[1:], request.start_method)
    try:
        lesson = scenarios.get_lesson(request.lesson)
        values = scenarios.parse_params(lesson, request.params)
    except (scenarios.UnknownLesson, scenarios.BadParam) as error:
        raise UsageError(str(error)) from None
    return Program.from_lesson(lesson, values, request.start_method)


def _print_lessons() -> None:
    from mptui import scenarios

    all_lessons = scenarios.lessons()
    width = max(len(lesson.name) for lesson in all_lessons)
    for lesson in all_lessons:
        print(f"{lesson.name:<{width}}  {lesson.title}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``mptui`` command; returns the exit status."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        request = parse(argv)
        if request.action == "help":
            print(USAGE)
            print(__doc__.split("\n\n", 1)[1].rstrip())
            return 0
        if request.action == "version":
            print(f"mptui {__version__}")
            return 0
        if request.action == "list":
            _print_lessons()
            return 0
        if request.action == "replay":
            return _replay(request)
        if request.record is not None:
            from mptui.engine.recording import check_writable

            problem = check_writable(request.record)
            if problem is not None:
                raise UsageError(problem)
        program = _program(request) if (request.lesson or request.script) else None
        if request.headless:
            from mptui.headless import run_headless

            try:
                return run_headless(program, as_json=request.as_json, record=request.record)
            except OSError as error:  # could not even start: no socket, no temp dir...
                raise UsageError(f"cannot start the program: {error}") from None
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise UsageError("the dashboard needs a terminal; use --headless for text output")
    except UsageError as error:
        print(f"mptui: {error}", file=sys.stderr)
        return 2
    from mptui.tui.app import leave, run_app

    leave(run_app(
        lesson=request.lesson,
        script=request.script or None,
        start_method=request.start_method,
        params=dict(program.params) if program is not None and request.lesson else None,
        fps=request.fps,
        record=request.record,
    ))  # fmt: skip


def _replay(request: Request) -> int:
    """``mptui replay FILE``: check the file, then show it (dashboard or headless)."""
    from mptui.engine.recording import BadRecording, read_recording

    try:
        recording = read_recording(request.replay)
    except BadRecording as error:
        raise UsageError(str(error)) from None
    if request.headless:
        from mptui.headless import replay_headless

        return replay_headless(recording, as_json=request.as_json)
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError("the dashboard needs a terminal; use --headless for text output")
    from mptui.tui.replay_app import run_replay

    return run_replay(recording, path=request.replay, fps=request.fps)


if __name__ == "__main__":
    sys.exit(main())
