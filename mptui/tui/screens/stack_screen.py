"""The stack screen: the Python stacks of one process, all threads (the ``t`` key).

Shows what mptui.engine.stacks found and how (py-spy, or the agent and why not py-spy).
The text is the program's (its file and function names): shown escaped, never as markup.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from mptui.text import printable, printable_line

_FRAME = re.compile(r'^\s+(File "|\S+ \(.+:\d+\)$)')
"""A frame: faulthandler's ``  File "x.py", line 3 in f``, py-spy's ``    f (x.py:3)``."""

if TYPE_CHECKING:
    from mptui.engine.stacks import StackDump


def stack_text(dump: StackDump) -> Text:
    text = Text()
    how = {"py-spy": "py-spy", "agent": "mptui's agent (faulthandler)"}.get(dump.method)
    if how is not None:
        text.append(f"Taken with {how}", style="bold")
        if dump.note:
            text.append(f" ({printable(dump.note)})", style="dim")
        text.append("\n\n")
    # The program's own frames stand out, with their line of code in bold: that is where
    # it waits. The standard library's are dimmed.
    library = False
    for n, line in enumerate(dump.text.rstrip().splitlines()):
        if n:
            text.append("\n")
        shown = printable_line(line)
        if _FRAME.match(line):
            library = "/lib/python3" in line or "$PYTHON" in line
            text.append(shown, style="dim" if library else "")
        elif line[:1].isspace():  # the line of code under a frame
            text.append(shown, style="dim" if library else "bold")
        else:
            text.append(shown)
    return text


class StackScreen(ModalScreen[None]):
    """One process's stacks; Esc, q or t closes it."""

    BINDINGS = [Binding("escape,q,t", "close", "Close")]

    def __init__(self, name: str, dump: StackDump) -> None:
        super().__init__()
        self._title = f"Stacks of {printable(name)} (pid {dump.pid})"
        self._dump = dump

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="stack-box") as box:
            box.border_title = self._title
            box.border_subtitle = "Esc closes"
            yield Static(stack_text(self._dump), id="stack-text")

    def action_close(self) -> None:
        self.dismiss(None)
