"""The Log panel: merged stdout and stderr of every process, filtered, paused or followed.

Lines arrive once per frame tick as a batch and are written with one ``Log.write_lines``
call (one call per line costs about 240 times more: notes/textual-engineering.md 5.3).
The panel keeps its own ring of recent lines so a new filter can be applied to what was
already received without asking the Store again.

Every line is made printable (mptui.text) and cut to :data:`SHOWN_CHARS` characters,
with a marker that says how much was left out: nothing the UI thread does with a line
(highlighting, filtering, measuring) then grows with what the program printed.
"""

from __future__ import annotations

import functools
import re
import time
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Log, Static

from mptui import format as fmt
from mptui.bounded import BoundedLog
from mptui.text import LOG_TEXT_CHARS, clip_line, printable
from mptui.tui import glyphs
from mptui.tui.log_filter import BadFilter, LogFilter
from mptui.tui.widgets.panel import Panel

if TYPE_CHECKING:
    from textual.geometry import Region
    from typing_extensions import Self  # typing.Self is 3.11+

    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import LogLine, PendingLine

MAX_LINES = 5000
PANEL_CHARS = 2_000_000
"""Characters of formatted lines the panel keeps (and so the Log widget shows): with lines
of up to 2,000 characters a line count alone would not bound memory. Older lines leave
first, as they scroll out."""
"""Lines kept by the panel (and the Log widget); older ones scroll out."""
NAME_WIDTH = 12
"""Width of the process-name prefix; longer names are cut so the text column stays put."""
PROCESS_COLORS = ("cyan", "green", "magenta", "blue", "bright_cyan", "bright_green",
                  "bright_magenta", "bright_blue")  # fmt: skip
"""Given to processes in order of first appearance; yellow and red are kept for levels."""
SHOWN_CHARS = LOG_TEXT_CHARS
"""Characters of a line's text shown, after escaping; the rest is replaced by a marker.
The Store keeps as many (the whole line is printed by --headless and --json)."""
PENDING_ROWS = 3
"""Lines being rewritten (progress bars) shown under the log at once, the newest."""
STDIN_NOTE = "stdin: not connected (use --headless to pipe input)"
"""Under the log: in the dashboard the program's stdin is /dev/null (the terminal is the
dashboard's), so ``input()`` gets EOF at once; headless passes mptui's stdin through."""
_WARNING = re.compile(r"\bWARN(?:ING)?\b")
# "(?<=\w)Error:" and not "\w+Error:": the latter tries every start in a run of word
# characters and scans to its end, quadratic in the run (16 s for 64k characters).
_ERROR = re.compile(r"\b(?:ERROR|CRITICAL|FATAL|Traceback)\b|(?<=\w)Error:")


@functools.lru_cache(maxsize=4096)
def shown_name(name: str) -> str:
    """A process name as the prefix shows it: printable, cut or padded to NAME_WIDTH.
    Remembered: a program has few names, and every line of a flood needs one."""
    return printable(name)[:NAME_WIDTH].ljust(NAME_WIDTH)


def cut_mark() -> str:
    """Starts the marker of a cut line: `` … [+12,345 characters; whole line in --headless]``
    (``...`` for the ellipsis where the terminal has no "…": mptui.tui.glyphs)."""
    return f" {glyphs.active().ellipsis} [+"


def cut_marker(left_out: int) -> str:
    return f"{cut_mark()}{left_out:,} characters; whole line in --headless]"


def format_line(line: LogLine) -> str:
    """``worker-1     │ text``: the prefix is fixed-width so columns line up.

    The text is printable (control characters escaped, colours removed) and at most
    SHOWN_CHARS characters long; a longer line ends with a marker saying how many
    characters of the program's line are not shown."""
    marks = glyphs.active()
    mark = marks.stderr if line.stream == "stderr" else marks.stdout
    text, left_out = clip_line(line.text, SHOWN_CHARS)
    left_out += line.cut  # what the Store already left out
    if left_out:
        text += cut_marker(left_out)
    return f"{shown_name(line.name)} {mark} {text}"


def format_pending(line: PendingLine) -> str:
    """A line being rewritten, as :func:`format_line` shows a line (printable, cut)."""
    marks = glyphs.active()
    mark = marks.stderr if line.stream == "stderr" else marks.stdout
    text, left_out = clip_line(line.text, SHOWN_CHARS)
    if left_out:
        text += cut_marker(left_out)
    return f"{shown_name(line.name)} {mark} {text}"


class LogHighlighter(Highlighter):
    """Colours the prefix by process and the text of WARNING and ERROR lines."""

    def __init__(self) -> None:
        self.colors: dict[str, str] = {}
        """Process name (as shown in the prefix) -> colour."""

    def color_for(self, name: str) -> str:
        """The colour of a process, by its name as the prefix shows it."""
        key = shown_name(name).rstrip()
        if key not in self.colors:
            self.colors[key] = PROCESS_COLORS[len(self.colors) % len(PROCESS_COLORS)]
        return self.colors[key]

    def highlight(self, text: Text) -> None:
        plain = text.plain
        color = self.colors.get(plain[:NAME_WIDTH].rstrip())
        if color:
            text.stylize(color, 0, NAME_WIDTH)
        if plain[NAME_WIDTH + 1 : NAME_WIDTH + 2] == glyphs.active().stderr:
            text.stylize("red", NAME_WIDTH + 1, NAME_WIDTH + 2)
        body = NAME_WIDTH + 3
        end = len(plain)
        if plain.endswith("]"):
            cut = plain.rfind(cut_mark(), body)
            if cut >= 0:  # the marker of a cut line is mptui's, not the program's text
                end = cut
                text.stylize("dim", cut)
        if _ERROR.search(plain, body, end):
            text.stylize("bold red", body, end)
        elif _WARNING.search(plain, body, end):
            text.stylize("bold yellow", body, end)


class ProcessLog(Log):
    """A Log coloured by the LogHighlighter; scrolling up stops following, End resumes."""

    class FollowChanged(Message):
        """The user scrolled up (follow off) or to the end (follow on)."""

    def __init__(self, highlighter: LogHighlighter) -> None:
        # Not "log": that is the panel's id, and the panel's rules (min-height) must not
        # apply to the view inside it, or its newest rows fall under the panel's border.
        super().__init__(highlight=True, max_lines=MAX_LINES, id="log-view")
        self.highlighter = highlighter

    _growing = False
    """Within :meth:`write_lines` (see :meth:`refresh`)."""

    def write_lines(self, lines: Iterable[str], scroll_end: bool | None = None) -> Self:
        # Each write makes the view longer, and Textual asks for a layout when a virtual
        # size changes: a reflow of the whole screen, every panel arranged again, at each
        # write during a flood. The view's own size is set by the stylesheet (1fr), not by
        # its lines; only its scrollbars follow them, so they are updated here instead, as
        # the layout would (a scrollbar appearing or going still asks for one).
        laid_out = bool(self.size.area)  # else the first layout sizes everything anyway
        self._growing = laid_out
        try:
            super().write_lines(lines, scroll_end)
        finally:
            self._growing = False
        if laid_out:
            self._scroll_update(self.virtual_size)
        return self

    def refresh(
        self, *regions: Region, repaint: bool = True, layout: bool = False,
        recompose: bool = False,
    ) -> Self:  # fmt: skip
        """Textual's, without the layout that a longer view asks for (see write_lines)."""
        return super().refresh(*regions, repaint=repaint, layout=layout and not self._growing,
                               recompose=recompose)  # fmt: skip

    def _set_follow(self, follow: bool) -> None:
        if follow != self.auto_scroll:
            self.auto_scroll = follow
            self.post_message(self.FollowChanged())

    # Whoever scrolls up wants to read: new lines must not pull the view away from them.
    def action_scroll_up(self) -> None:
        self._set_follow(False)
        super().action_scroll_up()

    def action_page_up(self) -> None:
        self._set_follow(False)
        super().action_page_up()

    def action_scroll_home(self) -> None:
        self._set_follow(False)
        super().action_scroll_home()

    def _on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._set_follow(False)
        super()._on_mouse_scroll_up(event)

    def action_scroll_end(self) -> None:
        self._set_follow(True)
        super().action_scroll_end()

    def keep_end(self) -> None:
        """A following view shows its newest line (after the next layout, when its size and
        scrollbars are known)."""
        if self.auto_scroll:
            self.scroll_end(animate=False, x_axis=False)

    def on_resize(self, event: events.Resize) -> None:
        # The view shrinks when the summary appears above it: keep the newest line in view.
        self.keep_end()

    # A scrollbar appears or goes without a resize: a line wider than the view brings one
    # that takes the bottom row; more lines than rows bring the other. Both move the end.
    def watch_show_horizontal_scrollbar(self, shown: bool) -> None:
        self.keep_end()

    def watch_show_vertical_scrollbar(self, shown: bool) -> None:
        self.keep_end()


class LogPanel(Panel):
    """Merged output with a filter, a process filter, pause, follow, clear and counters."""

    TITLE = "Log"

    class FilterClosed(Message):
        """The filter input was closed (applied or cancelled)."""

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id)
        self._entries: BoundedLog[tuple[int, str]] = BoundedLog(MAX_LINES, PANEL_CHARS)
        """(pid, formatted line) of the lines kept, sized by the formatted line's length."""
        self.filter = LogFilter()
        """What is shown; set with :meth:`set_filter` and :meth:`toggle_process`."""
        self.paused = False
        """New lines are kept but not written, so the user can read."""
        self.pending = 0
        """Lines received while paused."""
        self.received = 0
        """Lines received in this run (all processes; as counted by the Store)."""
        self.dropped = 0
        """Lines that left the Store's ring before the panel could read them."""
        self._status = ""
        self._unwritten: deque[tuple[int, str]] = deque(maxlen=MAX_LINES)
        self._written_at = -1e9
        self.pending_rows: list[str] = []
        """The lines being rewritten (progress bars) shown under the log, as shown."""
        self.write_interval = 0.5
        """Least seconds between two writes to the view (see :meth:`flush`)."""
        self.highlighter = LogHighlighter()
        """The view's; the panel's own, so lines can be taken before the view exists."""
        self._mounted = False
        """The view and the status line exist. The dashboard mounts this panel after its
        first frame when that frame does not show it; lines given before are kept, and
        written when it mounts."""

    def compose(self) -> ComposeResult:
        yield Static(id="log-status")
        yield ProcessLog(self.highlighter)
        yield Static(id="log-pending")
        with Horizontal(id="log-filter-bar"):
            yield Static("/", id="log-filter-label")
            yield Input(
                placeholder="text, or re:regex · Enter applies · Esc cancels · empty clears",
                id="log-filter",
                select_on_focus=False,
            )
        yield Static(id="log-filter-error")

    def on_mount(self) -> None:
        self.set_subtitle(STDIN_NOTE)
        self.query_one("#log-filter-bar").display = False
        self.query_one("#log-filter-error").display = False
        self.query_one("#log-pending").display = False
        self.query_one("#log-filter", Input).cursor_blink = False
        self._mounted = True
        self.flush(force=True)  # what came before the panel was mounted, and the status

    @property
    def log_view(self) -> ProcessLog:
        return self.query_one(ProcessLog)

    @property
    def focus_target(self) -> Widget:
        return self.log_view

    @property
    def shown(self) -> int:
        """Lines currently in the view."""
        return self.log_view.line_count

    @property
    def follow(self) -> bool:
        return self.log_view.auto_scroll

    # ------------------------------------------------------------- feeding

    def add_lines(self, lines: Sequence[LogLine], skipped: int = 0) -> None:
        """Take one tick's batch of new lines; they are written by the next :meth:`flush`."""
        self.dropped += skipped
        if not lines:
            return
        highlighter = self.highlighter
        for name in dict.fromkeys(line.name for line in lines):  # each once, in order
            highlighter.color_for(name)  # in order of appearance, even if not kept
        # Only the newest lines that fit in the panel are formatted: the rest would leave
        # it at once, and formatting a burst of long lines first would cost memory and time.
        room, first = PANEL_CHARS, len(lines)
        while first > 0 and room > 0:
            first -= 1
            room -= len(lines[first].text) + NAME_WIDTH + 3
        entries = [(line.pid, format_line(line)) for line in lines[first:]]
        self._entries.extend(entries, [len(text) for _, text in entries])
        self.pending = min(self.pending, len(self._entries))
        if self.paused:
            self.pending += len(entries)
        else:
            self._unwritten.extend(entries)
            # Lines the panel no longer keeps are not written either.
            while len(self._unwritten) > len(self._entries):
                self._unwritten.popleft()

    def set_pending(self, pending: Sequence[PendingLine]) -> None:
        """Show the lines being rewritten now (progress bars) under the log, live: each
        becomes a line of the log when its newline comes."""
        accepts = self.filter.accepts
        rows = [format_pending(line) for line in pending]
        rows = [row for row, line in zip(rows, pending, strict=True) if accepts(line.pid, row)]
        rows = rows[-PENDING_ROWS:]
        if rows == self.pending_rows:
            return
        self.pending_rows = rows
        view = self.query_one("#log-pending", Static)
        view.display = bool(rows)
        highlight = self.highlighter
        for line in pending:
            highlight.color_for(line.name)
        text = Text("\n").join(highlight(Text(row, no_wrap=True, overflow="ellipsis"))
                               for row in rows)  # fmt: skip
        view.update(text)

    def set_received(self, total: int) -> None:
        self.received = total

    def flush(self, force: bool = False) -> None:
        """Write the lines received since the last write, at most every ``write_interval``.

        A scrolling log repaints every visible row, so writing on every frame would send
        the whole panel to the terminal ten times a second. The first line after a quiet
        spell is written at once, so a single print still shows without delay.
        """
        now = time.monotonic()
        if not self._mounted or (not force and now - self._written_at < self.write_interval):
            return
        if self._unwritten:
            self._write(self._unwritten)
            self._unwritten.clear()
            self._written_at = now
        self._update_status()

    def _write(self, entries: Sequence[tuple[int, str]]) -> None:
        accepts = self.filter.accepts
        shown = [text for pid, text in entries if accepts(pid, text)]
        if shown:
            log = self.log_view
            # The view keeps no more lines than the panel does, so its memory is bounded
            # by PANEL_CHARS too.
            log.max_lines = max(1, len(self._entries))
            log.write_lines(shown, scroll_end=False)
            if log.auto_scroll:
                # Not Log's own auto_scroll: it follows only a view already at the end,
                # which one that was hidden or not yet laid out when lines came is not.
                # Immediate, so the write and the scroll make one repaint, not two; forced,
                # as the first lines that overflow the view have no scrollbar yet, and
                # without one a scroll is refused (the view would stay at the top).
                log.scroll_end(animate=False, immediate=True, x_axis=False, force=True)

    def _rebuild(self) -> None:
        """Show the kept lines again through the current filter (after a filter change)."""
        self._unwritten.clear()
        self.log_view.clear()
        self._write(self._entries)
        self.log_view.scroll_end(animate=False, immediate=True, force=True)

    def _update_status(self) -> None:
        parts = [f"received {self.received:,}", f"shown {self.shown:,}"]
        if self.dropped:
            parts.append(f"{fmt.count(self.dropped)} dropped")
        if self.filter.active:
            parts.append(self.filter.describe())
        if self.paused:
            parts.append(f"PAUSED, {self.pending:,} new (p resumes)")
        elif not self.follow:
            parts.append("follow off (f)")
        status = " · ".join(parts)
        if status != self._status:
            self._status = status
            # A Text, not a str: the status holds a process name and the filter the user
            # typed, and a str would be read as markup ("[b]" or "[@click=...]").
            line = self.query_one("#log-status", Static)
            line.update(Text(status), layout=False)  # one row whatever it says: no reflow
            line.set_class(self.paused, "-paused")
            line.set_class(self.filter.active, "-filtered")

    # ------------------------------------------------------------- user actions

    def toggle_pause(self) -> None:
        self.paused = not self.paused
        if not self.paused and self.pending:
            self._unwritten.extend(list(self._entries.items)[-self.pending :])
            self.pending = 0
            self.flush(force=True)
        self._update_status()

    def toggle_follow(self) -> None:
        log = self.log_view
        log.auto_scroll = not log.auto_scroll
        if log.auto_scroll:
            log.scroll_end(animate=False, immediate=True, force=True)
        self._update_status()

    def clear(self) -> None:
        """Empty the view and the panel's ring; the received counter stays."""
        self._entries.clear()
        self._unwritten.clear()
        self.pending = 0
        self.log_view.clear()
        self._update_status()

    def set_filter(self, text: str) -> None:
        """Apply a text filter; raises BadFilter and keeps the old one if it is unusable."""
        self.filter = LogFilter.make(text, self.filter.pid, self.filter.process_name)
        self._rebuild()
        self._update_status()

    def toggle_process(self, pid: int | None, name: str = "") -> None:
        """Show only ``pid``'s lines, or everyone's again if it is already the one shown."""
        if pid is None or pid == self.filter.pid:
            pid, name = None, ""
        self.filter = LogFilter(self.filter.text, pid, name, self.filter.matcher)
        self._rebuild()
        self._update_status()

    def reset(self) -> None:
        """A new run: empty everything but keep the filter the user typed."""
        super().reset()
        self._entries.clear()
        self._unwritten.clear()
        self.pending = 0
        self.received = 0
        self.dropped = 0
        self.highlighter.colors.clear()
        self.log_view.clear()
        self.set_pending(())
        self.filter = LogFilter.make(self.filter.text)
        self._update_status()

    # ------------------------------------------------------------- the filter input

    def open_filter(self) -> None:
        bar = self.query_one("#log-filter-bar")
        bar.display = True
        field = self.query_one("#log-filter", Input)
        field.value = self.filter.text
        field.cursor_position = len(field.value)
        field.focus()

    def close_filter(self) -> None:
        self.query_one("#log-filter-bar").display = False
        self.query_one("#log-filter-error").display = False
        self.log_view.focus()
        self.post_message(self.FilterClosed())

    @property
    def filter_open(self) -> bool:
        return bool(self.query_one("#log-filter-bar").display)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        error = self.query_one("#log-filter-error", Static)
        try:
            self.set_filter(event.value)
        except BadFilter as bad:
            error.update(Text(f"{bad} (fix it, or Esc to cancel)"))
            error.display = True
            return
        self.close_filter()

    def on_process_log_follow_changed(self, event: ProcessLog.FollowChanged) -> None:
        event.stop()
        self._update_status()

    def show_end(self) -> None:
        """Called when the panel comes into view: a following log shows its newest lines."""
        if self.follow:
            self.log_view.scroll_end(animate=False, immediate=True, force=True)

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and self.filter_open:
            event.stop()
            event.prevent_default()
            self.close_filter()
