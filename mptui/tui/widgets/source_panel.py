"""The Source panel: the running program's code, exactly what runs, syntax highlighted.

Highlighting costs: importing rich.syntax and pygments, and building the Python lexer's
regular expressions the first time, take longer than the rest of the dashboard's first
frame. So the first file shown appears as plain text in that frame and is highlighted
right after it; later files are highlighted at once.
"""

from __future__ import annotations

import functools
import pathlib
from typing import TYPE_CHECKING

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.widget import Widget
from textual.widgets import Static

from mptui.text import printable
from mptui.tui.widgets.panel import Panel

if TYPE_CHECKING:
    from pygments.lexer import Lexer

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
            self.call_after_refresh(self._highlight_first, path, source)
        self.query_one("#source-scroll").scroll_home(animate=False)

    def _highlight_first(self, path: pathlib.Path, source: str) -> None:
        self._highlighted_once = True
        if path == self.path:  # not replaced meanwhile
            self.query_one("#source-code", Static).update(highlighted(source))


def highlighted(source: str) -> HighlightedSource:
    """Python source with line numbers, in the terminal's own colours."""
    return HighlightedSource(source)


@functools.cache
def python_lexer() -> Lexer:
    """One lexer for every file: rich's Syntax, given the name, makes a new one each time
    it renders (a quarter of a second per second of Tab presses during a flood)."""
    from pygments.lexers import get_lexer_by_name  # see the module docstring

    # As rich.syntax.Syntax.lexer makes it, so the tokens (and the colours) are the same.
    return get_lexer_by_name("python", stripnl=False, ensurenl=True, tabsize=4)


class HighlightedSource:
    """A rich Syntax, rendered once per width.

    Textual renders a Static's content to measure its height at every layout of the screen
    (a tab shown, the summary appearing) and again to paint it, and Syntax highlights the
    whole file each time. The lines depend on the width only, so they are kept per width.
    """

    def __init__(self, source: str) -> None:
        from rich.syntax import Syntax  # here, not at the top: see the module docstring

        self.syntax = Syntax(
            source,
            python_lexer(),
            theme=SYNTAX_THEME,
            line_numbers=True,
            word_wrap=False,
            # No background: the panel's own shows through, in every theme.
        )
        self._rendered: dict[int, list[Segment]] = {}

    @property
    def code(self) -> str:
        """The source shown (as rich's Syntax.code)."""
        return self.syntax.code

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        segments = self._rendered.get(options.max_width)
        if segments is None:
            if len(self._rendered) >= 8:  # widths from resizing: keep a few
                self._rendered.clear()
            segments = list(console.render(self.syntax, options))
            self._rendered[options.max_width] = segments
        yield from segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.syntax)
