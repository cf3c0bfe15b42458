"""The header line: which program runs, with which parameters and start method, on which Python.

The point of the line is comparison: a learner changes one setting, runs again, and sees
here exactly what changed, next to the panels that show the effect. On a narrow terminal
the least useful parts give way first (the lesson's title, then the Python version, which
the lesson details also show), so the name, the run state and the settings stay visible.
"""

from __future__ import annotations

import dataclasses
import platform
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.widgets import Static

from mptui import format as fmt
from mptui.engine import verdict
from mptui.text import printable
from mptui.tui import glyphs

if TYPE_CHECKING:
    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import RunView

PYTHON_VERSION = platform.python_version()
"""Shown in the header when the run does not say which Python ran it (mptui's own runs the
lessons; a script runs on the user's python3, which the run names: RunView.python)."""


def default_start_method() -> str:
    """The platform's default start method (mptui.engine.session, imported when needed)."""
    from mptui.engine.session import default_start_method as platform_default

    return platform_default()


def method_label(method: str | None) -> str:
    """``spawn``, or ``default (fork)`` for None: what a run uses, or the next one will."""
    return f"default ({default_start_method()})" if method is None else method


@dataclass(frozen=True)
class HeaderState:
    """Everything the header shows."""

    name: str | None
    """Short name of the program (the lesson's name, or the script's file name)."""
    title: str | None
    """Longer title, shown when there is room."""
    params: str
    start_method: str | None
    next_start_method: str | None
    run: RunView | None
    now_ns: int
    verdict: str | None = None
    """The engine's verdict on the run (mptui.engine.verdict.run_verdict)."""
    still_running: int = 0
    """Processes still running after the main process ended."""
    replay: Text | None = None
    """For a replay: that it is one, playing or paused, the speed and the position."""
    python: str | None = None
    """The Python that ran the program, when not this one (a replay's recording says)."""


def run_state(state: HeaderState) -> Text:
    run, now_ns = state.run, state.now_ns
    marks = glyphs.active()
    if run is None or run.state == "idle":
        return Text(f"starting{glyphs.active().ellipsis}", style="yellow")
    if run.state == "running":
        # Whole seconds: the line then changes once a second, not on every frame.
        elapsed = (now_ns - run.started_ns) // 1_000_000_000 if run.started_ns else 0
        return Text(f"{marks.running} running {fmt.whole_seconds(elapsed)}", style="bold green")
    if state.still_running:
        # The end policy: what the main process left running is stopped after a while.
        left = f"{state.still_running} still running"
        if run.stop_reason is not None:
            return Text(f"{marks.running} main ended, stopping {left}", style="bold yellow")
        if run.linger_ns is not None and run.ended_ns is not None:
            wait = (run.ended_ns + run.linger_ns - now_ns + 999_999_999) // 1_000_000_000
            return Text(f"{marks.running} main ended, {left}: stopped in {max(0, wait)}s",
                        style="bold yellow")  # fmt: skip
        return Text(f"{marks.running} main ended, {left}", style="bold yellow")
    elapsed = (run.ended_ns - run.started_ns) / 1e9 if run.ended_ns and run.started_ns else 0
    result = state.verdict or verdict.OK
    mark, words, style = {
        verdict.OK: (marks.ok, "finished", "green"),
        verdict.FAILED: (marks.failed, "failed", "bold red"),
        verdict.SOME_FAILED: (marks.ok, "finished, some processes failed", "bold yellow"),
        verdict.STOPPED: (marks.stopped, "stopped", "bold yellow"),
    }.get(result, ("·", result, ""))
    ending = verdict.code_words(run.exitcode)
    return Text(f"{mark} {words}, {ending} after {fmt.seconds(elapsed)}", style=style)


@dataclass(frozen=True)
class Fit:
    """How much of the line to show; :func:`header_text` tries them from the fullest."""

    badge: bool = True
    """The `` mptui `` badge."""
    title: bool = True
    """The lesson's title after its name."""
    python: bool = True
    """The Python version (also shown in the lesson details: it is the same for every run)."""
    long_method: bool = True
    """``default (fork)`` rather than ``fork``."""
    params: int | None = None
    """Cells for the parameters, cut with an ellipsis (None: as many as they need)."""


FITS = (
    Fit(),
    Fit(title=False),
    Fit(title=False, python=False),
    Fit(title=False, python=False, long_method=False),
    Fit(badge=False, title=False, python=False, long_method=False),
)
"""Least important first: the title, the Python version, the word ``default``, the badge;
then the parameters are cut. The program's name and the run state always show."""


def short_method(label: str) -> str:
    """``fork`` for ``default (fork)`` (:func:`method_label` of the platform's default)."""
    if label.startswith("default (") and label.endswith(")"):
        return label[len("default (") : -1]
    return label


def _line(state: HeaderState, fit: Fit) -> Text:
    marks = glyphs.active()
    separator = marks.separator
    text = Text(no_wrap=True, overflow=marks.overflow)
    if fit.badge:
        text.append(" mptui ", style="bold reverse")
    text.append(" ")
    if state.replay is not None:
        text.append_text(state.replay)
        text.append(" ")
    if state.name is None:
        text.append("no program running: pick a lesson and press Enter", style="italic")
    else:
        # A script's name, title and arguments are the user's: shown printable.
        label = printable(state.name)
        if fit.title and state.title and state.title != state.name:
            label = f"{label}: {printable(state.title)}"
        text.append(label, style="bold")
        text.append(" ")
        text.append_text(run_state(state))
        if state.params:
            params = printable(state.params)
            if fit.params is not None and len(params) > fit.params:
                cut = max(0, fit.params - len(marks.ellipsis))
                params = params[:cut] + marks.ellipsis
            text.append(separator, style="dim")
            text.append(params)
        method = state.start_method or "default"
        # What the program's processes really used, when that is not the default it was
        # given (it may choose its own with set_start_method or get_context).
        used = state.run.start_methods_label if state.run is not None else None
        if used and used != short_method(method):
            method = used
        text.append(separator, style="dim")
        text.append(method if fit.long_method else short_method(method))
        following = state.next_start_method
        if following is not None and following != state.start_method:
            following = following if fit.long_method else short_method(following)
            text.append(f" (next: {following})", style="yellow")
    if fit.python:
        text.append(separator, style="dim")
        text.append(python_label(state))
    return text


def python_label(state: HeaderState) -> str:
    """``Python 3.11.2``, with the interpreter's path when it is not mptui's own."""
    run = state.run
    if state.python is not None or run is None or run.python_version is None:
        return f"Python {state.python or PYTHON_VERSION}"
    if run.python is None or run.python == sys.executable:
        return f"Python {run.python_version}"
    return f"Python {run.python_version} ({printable(run.python)})"


def header_text(state: HeaderState, width: int) -> Text:
    """The line for ``state``, shortened to fit ``width`` cells where it can be.

    Parts give way in the order of :data:`FITS`; then the parameters are cut to the room
    left, never below a few characters (what does not fit then is cut at the end, so the
    name and the run state, at the start, stay)."""
    text = Text()
    for fit in FITS:
        text = _line(state, fit)
        if text.cell_len <= width:
            return text
    if state.params:
        room = len(printable(state.params)) - (text.cell_len - width)
        text = _line(state, dataclasses.replace(fit, params=max(room, 6)))
    return text


class RunHeader(Static):
    """One line: program · run state · parameters · start method · Python."""

    def __init__(self) -> None:
        super().__init__(id="run-header")
        self._state: HeaderState | None = None
        self._text = Text()

    def show(self, state: HeaderState) -> None:
        self._state = state
        self._render_state()

    def on_resize(self, event: events.Resize) -> None:
        self._render_state()

    def _render_state(self) -> None:
        if self._state is None:
            return
        text = header_text(self._state, self.size.width or 200)
        if text != self._text:  # unchanged text: no repaint, no bytes to the terminal
            self._text = text
            # No layout: the header is one row the width of the screen whatever it says,
            # and a layout refresh (Static's default) makes Textual reflow and redraw the
            # whole screen, ten times a second while a run's clock ticks.
            self.update(text, layout=False)
