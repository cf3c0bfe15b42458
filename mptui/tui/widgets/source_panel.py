"""The Source panel: the running program's code, exactly what runs, syntax highlighted.

Highlighting costs: importing rich.syntax and pygments, and building the Python lexer's
regular expressions the first time, take longer than the rest of the dashboard's first
frame. So the first file shown appears as plain text in that frame and is highlighted
right after it; later files are highlighted at once.
"""

from __future__ import annotations

import pathlib

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import Static

from mptui.text import printable
from mptui.tui.widgets.panel import Panel

SYNTAX_THEME = "ansi_dark"
"""Uses the terminal's 16 ANSI colours, so it reads the same with TERM=xterm and NO_COLOR."""


class SourcePanel(Panel):
    """Shows one file; scrolls with the arrow keys, PageUp and PageDown."""

    TITLE = "Source"

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id)
        self.path: pathlib.Path | None = None
        """The file shown, if any."""
        self._highlighted_once = False
        """Whether a file was highlighted yet (see the module docstring)."""

    def compose(self) -> ComposeResult:
        with ScrollableContainer(id="source-scroll"):
            yield Static(
                Text("No program yet: the code of a lesson shows here.", style="dim"),
                id="source-code",
            )

    @property
    def focus_target(self) -> Widget:
        return self.query_one("#source-scroll")

    def show_file(self, path: pathlib.Path | None, text: str | None = None) -> None:
        """Show ``path`` (its ``text`` if already read); a missing file gets a message."""
        if path is not None and path == self.path and text is None:
            return
        self.path = path
        code = self.query_one("#source-code", Static)
        if path is None:
            code.update(Text("No program yet: the code of a lesson shows here.", style="dim"))
            self.border_title = self.TITLE
            return
        # A Text: a str title is read as markup, and a script's file name is the user's.
        self.border_title = Text(f"{self.TITLE} · {printable(path.name)}")
        if text is None:
            try:
                text = path.read_text(encoding="utf-8", errors="surrogateescape")
            except OSError as error:
                code.update(Text(f"Cannot read {printable(str(path))}: {error.strerror}",
                                 style="red"))  # fmt: skip
                return
        # Shown as it is, but for control characters (a raw ESC in a string literal):
        # escaped, line by line (universal newlines already made every ending a "\n").
        lines = (printable(line.expandtabs(4)) for line in text.rstrip("\n").split("\n"))
        source = "\n".join(lines)
        if self._highlighted_once:
            code.update(highlighted(source))
        else:
            code.update(Text(source))
            # Two refreshes on: the footer's keys come one refresh after the rest.
            self.call_after_refresh(self.call_after_refresh, self._highlight_first, path, source)
        self.query_one("#source-scroll").scroll_home(animate=False)

    def _highlight_first(self, path: pathlib.Path, source: str) -> None:
        self._highlighted_once = True
        if path == self.path:  # not replaced meanwhile
            self.query_one("#source-code", Static).update(highlighted(source))


def highlighted(source: str) -> RenderableType:
    """Python source with line numbers, in the terminal's own colours."""
    from rich.syntax import Syntax  # here, not at the top: see the module docstring

    return Syntax(
        source,
        "python",
        theme=SYNTAX_THEME,
        line_numbers=True,
        word_wrap=False,
        # No background: the panel's own shows through, in every theme.
    )
