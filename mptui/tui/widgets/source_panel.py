"""The Source panel: the running program's code, exactly what runs, syntax highlighted.

Highlighting costs: importing rich.syntax and pygments, and building the Python lexer's
regular expressions the first time, take longer than the rest of the dashboard's first
frame. So the first file shown appears as plain text in that frame and is highlighted
right after it; later files are highlighted at once.

While a program runs, lines carry marks (mptui.tui.widgets.source_marks): in the gutter a
glyph, at the end of the line words, so they read without colour: ``▶`` where processes
wait now (``◀ worker-2, worker-3 wait (acquire)``), ``●`` where a lock taken after a wait
is held, and the words alone where objects were made (``◀ Lock created``). Only the lines
whose mark changed are repainted: an idle dashboard writes nothing.
"""

from __future__ import annotations

import functools
import pathlib
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import ScrollableContainer
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Static

from mptui.text import printable
from mptui.tui import glyphs
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.source_marks import (
    CREATED,
    HOLDING,
    WAITING,
    FileMatcher,
    Mark,
    source_marks,
)

if TYPE_CHECKING:
    from pygments.lexer import Lexer

    from mptui.engine.views import Snapshot

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
        self._marks: dict[int, Mark] = {}
        """The marks shown, by line."""
        self._same_file: FileMatcher | None = None
        """Recognises the shown file in the paths the program reports."""
        self._laid_out_for = 0
        """The widest marked line the code was laid out for (see show_marks)."""

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
        self._marks = {}
        self._laid_out_for = 0
        self._same_file = FileMatcher(str(path)) if path is not None else None
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
            code = highlighted(source)
            code.marks = self._marks
            self.query_one("#source-code", Static).update(code)

    def show_marks(self, snapshot: Snapshot | None) -> None:
        """Mark the lines where processes wait, hold or made objects, as ``snapshot`` says
        (None: no run); repaints the lines whose mark changed, and nothing else."""
        same_file = self._same_file
        marks = source_marks(snapshot, same_file) if snapshot and same_file else {}
        if marks == self._marks:
            return
        old, self._marks = self._marks, marks
        code = self.query_one("#source-code", Static)
        source = code.content
        if not isinstance(source, HighlightedSource):
            return  # plain text for a moment (the first file): marked once highlighted
        source.marks = marks
        widest = source.marked_width(marks)
        if widest > self._laid_out_for:
            # The widget is as wide as its text (width: auto): lay it out again, only when
            # a mark is wider than any before (names come and go with every turn).
            self._laid_out_for = widest
            code.refresh(layout=True)
            return
        width = code.size.width
        lines = {n for n in old.keys() | marks.keys() if old.get(n) != marks.get(n)}
        code.refresh(*(Region(0, n - 1, width, 1) for n in sorted(lines)))


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
        self._rendered: dict[int, list[list[Segment]]] = {}  # width -> lines
        self.marks: dict[int, Mark] = {}
        """The marks drawn over the code, by line (see SourcePanel.show_marks)."""
        self._lengths: list[int] | None = None  # cells of each line, without its mark

    @property
    def code(self) -> str:
        """The source shown (as rich's Syntax.code)."""
        return self.syntax.code

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        lines = self._rendered.get(width)
        if lines is None:
            if len(self._rendered) >= 8:  # widths from resizing: keep a few
                self._rendered.clear()
            rendered = console.render(self.syntax, options)
            lines = self._rendered[width] = list(Segment.split_lines(rendered))
        marks = self.marks
        new_line = Segment.line()
        if not marks:
            for line in lines:
                yield from line
                yield new_line
            return
        ascii_only = glyphs.active().name == "ascii"
        lengths = self._code_lengths()
        for number, line in enumerate(lines, 1):
            mark = marks.get(number)
            if mark is not None and number <= len(lengths):
                line = _marked(line, mark, lengths[number - 1], width, ascii_only)
            yield from line
            yield new_line

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        measured = Measurement.get(console, options, self.syntax)
        if not self.marks:
            return measured
        wanted = min(options.max_width, max(measured.maximum, self.marked_width(self.marks)))
        return Measurement(measured.minimum, wanted)

    def _code_lengths(self) -> list[int]:
        """Cells of each line up to the end of its code: a mark's words replace a trailing
        comment (``with lock:  # ...``), so they show in a narrow panel too."""
        if self._lengths is None:
            gutter = self.syntax._numbers_column_width + 1  # as rich lays it out
            lines = self.code.split("\n")
            self._lengths = [gutter + cell_len(_code_part(line)) for line in lines]
        return self._lengths

    def marked_width(self, marks: dict[int, Mark]) -> int:
        """Cells the widest marked line takes, its mark included (0: no marks)."""
        if not marks:
            return 0
        lengths = self._code_lengths()
        return max(
            (lengths[n - 1] if n <= len(lengths) else 0) + len(MARK_PREFIX) + cell_len(m.text)
            for n, m in marks.items()
        )


MARK_PREFIX = "  ◀ "
"""Between a line's code and its mark's words."""
GUTTER_GLYPHS = {WAITING: ("▶", ">"), HOLDING: ("●", "*"), CREATED: (" ", " ")}
"""The glyph put before a marked line's number (Unicode, ASCII)."""
MARK_STYLES = {
    WAITING: Style(color="yellow", bold=True),
    HOLDING: Style(color="green", bold=True),
    CREATED: Style(dim=True, italic=True),
}


def _marked(
    line: list[Segment], mark: Mark, code_cells: int, width: int, ascii_only: bool
) -> list[Segment]:
    """A rendered code line with ``mark``: its glyph in the gutter (the two cells rich
    leaves before the line number), its words after the code's first ``code_cells``
    cells (a comment after them gives way), all cut at ``width``."""
    style = MARK_STYLES[mark.kind]
    glyph = GUTTER_GLYPHS[mark.kind][ascii_only]
    if line and line[0].text == "  ":
        line = [Segment(glyph + " ", style), *line[1:]]
    line = Segment.adjust_line_length(line, min(code_cells, width), pad=False)
    prefix = "  <- " if ascii_only else MARK_PREFIX
    words = prefix + mark.text
    room = width - Segment.get_line_length(line)
    if cell_len(words) > room > 0:  # cut: say so
        ellipsis = "..." if ascii_only else "…"
        words = set_cell_size(words, max(0, room - len(ellipsis))) + ellipsis
    marked = [*line, Segment(words, style)]
    return Segment.adjust_line_length(marked, width, pad=False)


def _code_part(line: str) -> str:
    """``line`` without its comment and trailing spaces (a ``#`` inside a one-line string
    literal is not a comment)."""
    quote = ""
    index = 0
    while index < len(line):
        char = line[index]
        if quote:
            if char == "\\":
                index += 1  # the escaped character
            elif line.startswith(quote, index):
                index += len(quote) - 1
                quote = ""
        elif char in "'\"":
            triple = line[index : index + 3]
            quote = triple if triple in ("'''", '"""') else char
            index += len(quote) - 1
        elif char == "#":
            return line[:index].rstrip()
        index += 1
    return line.rstrip()
