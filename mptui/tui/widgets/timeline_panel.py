"""The Timeline panel: one row per process, what it did in each slice of the last minute.

Each cell is a slice of time (a quarter of a second to two seconds, as the width allows
25 to 60 seconds): running (``─``), holding a lock (its letter, ``A``), waiting for a
lock, an Event, a Condition, a Barrier or a semaphore (its letter in lower case, ``a``),
waiting on a queue (``<`` get, ``>`` put), a pipe (``~``), a child (``^`` join), a
manager (``@``) or a Pool's results (``*``), or ended (``·``). Letters and marks carry
the meaning, colours only help: it reads the same in 16 colours and with NO_COLOR. A
legend line says what the marks on screen mean and which object each letter is. At the
right of each row: the share of the process's life spent running and waiting
(mptui.engine.insights).

What it costs: the time axis does not scroll. Slices are fixed on the clock and drawn
from the left; when the newest reaches the right edge the view jumps, keeping the last
three quarters. So each redraw (once per slice while something runs, never once
everything has ended) repaints only the cells that changed, usually one column, with
:meth:`Widget.refresh` given their regions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual.app import ComposeResult
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from mptui.engine import timeline as tl
from mptui.text import printable
from mptui.tui import glyphs
from mptui.tui.widgets.panel import Panel

if TYPE_CHECKING:
    from mptui.engine.store import Store
    from mptui.engine.views import ProcessView, Snapshot

SLICES_NS = (250_000_000, 500_000_000, 1_000_000_000, 2_000_000_000)
"""The slice durations a cell may stand for, finest first."""
MIN_WINDOW_NS = 25_000_000_000
"""A cell stands for the finest slice with which the row shows at least this much: half
a second from 80 columns up (a lock held a quarter of a second shows as it passes; with
one-second cells, three of the lock lesson's four workers would each seem to hold it)."""
LAG_NS = 100_000_000
"""Slices are drawn up to this long before now: what happened in the last moment may
still be on its way from the processes' rings."""
MAX_ROWS = 16
"""Processes shown at most (the live ones first, then the last to end)."""
NAME_WIDTH = 14
STATS = " run% wait%"
"""Title of the two columns at the right (shown in the legend's place when there is room)."""
STATS_WIDTH = 10
SYNC_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

OP_MARKS = {"get": "<", "put": ">", "recv": "~", "join": "^", "call": "@", "result": "*"}
"""Waits on what has no letter: a queue, a pipe, a child, a manager, a Pool."""
OP_WORDS = {"<": "get", ">": "put", "~": "recv", "^": "join", "@": "manager call",
            "*": "pool result", "?": "other wait"}  # fmt: skip

RUN_STYLE = Style(color="green")
HOLD_STYLE = Style(color="green", bold=True, reverse=True)
WAIT_STYLE = Style(color="yellow", bold=True)
ENDED_STYLE = Style(dim=True)
PLAIN = Style()


def slice_for(cells: int) -> int:
    """The slice a cell stands for when a row has ``cells`` cells."""
    for slice_ns in SLICES_NS:
        if cells * slice_ns >= MIN_WINDOW_NS:
            return slice_ns
    return SLICES_NS[-1]


def seconds_label(ns: int) -> str:
    return f"{ns / 1e9:g} s"


class Marks:
    """The mark and style of each cell, with the letters of this run's sync objects."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.letters: dict[int, str] = {}
        self.labels: dict[str, str] = {}
        for i, lock in enumerate(snapshot.locks):
            letter = SYNC_LETTERS[i] if i < len(SYNC_LETTERS) else "#"
            self.letters[lock.id] = letter
            if letter != "#":
                self.labels[letter] = printable(lock.label)
        marks = glyphs.active()
        self.run = "-" if marks is glyphs.ASCII else "─"
        self.ended = "·"
        self.used: dict[str, None] = {}
        """Marks drawn, in order of first use (for the legend)."""

    def cell(self, state: tuple | None) -> tuple[str, Style]:
        if state is None or state == tl.NOT_STARTED:
            return " ", PLAIN
        if state == tl.RUN:
            self.used[self.run] = None
            return self.run, RUN_STYLE
        if state == tl.ENDED:
            self.used[self.ended] = None
            return self.ended, ENDED_STYLE
        if state[0] == tl.HOLD:
            letter = self.letters.get(state[1], "#")
            self.used["A"] = None
            self.used[letter] = None
            return letter, HOLD_STYLE
        op, oid = state[1], state[2]
        letter = self.letters.get(oid)
        if letter is not None and op in ("acquire", "wait"):
            self.used["a"] = None
            self.used[letter] = None
            return letter.lower(), WAIT_STYLE
        mark = OP_MARKS.get(op, "?")
        self.used[mark] = None
        return mark, WAIT_STYLE

    def legend(self) -> str:
        """``─ running  A holds lock A, a waits for it  < get  · ended  A: lock.py:52``."""
        used = self.used
        parts = []
        if self.run in used:
            parts.append(f"{self.run} running")
        if "A" in used or "a" in used:
            parts.append("A holds lock A, a waits for it")
        parts += [f"{mark} {word}" for mark, word in OP_WORDS.items() if mark in used]
        if self.ended in used:
            parts.append(f"{self.ended} ended")
        named = [f"{letter}: {label}" for letter, label in self.labels.items() if letter in used]
        return "  ".join(parts + named)


class TimelineView(Widget):
    """The rows of cells; draws each line from a kept Strip and repaints only the cells
    that changed."""

    DEFAULT_CSS = """
    TimelineView {
        height: auto;
    }
    """

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id)
        self._lines: list[list[tuple[str, Style]]] = []
        self._strips: list[Strip] = []

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines)

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(self.size.width)

    def set_lines(self, lines: list[list[tuple[str, Style]]]) -> None:
        """Show ``lines`` (one ``(text, style)`` per cell); repaint only what changed."""
        old = self._lines
        if len(lines) != len(old):
            self._lines = lines
            self._strips = [self._strip(line) for line in lines]
            self.refresh(layout=True)
            return
        regions = []
        for y, (new, was) in enumerate(zip(lines, old, strict=True)):
            if new == was:
                continue
            self._strips[y] = self._strip(new)
            if len(new) != len(was):
                regions.append(Region(0, y, max(len(new), len(was), self.size.width), 1))
                continue
            changed = [x for x, (a, b) in enumerate(zip(new, was, strict=True)) if a != b]
            regions.append(Region(changed[0], y, changed[-1] - changed[0] + 1, 1))
        self._lines = lines
        if regions:
            self.refresh(*regions)

    @staticmethod
    def _strip(line: list[tuple[str, Style]]) -> Strip:
        """One Segment per run of cells of the same style."""
        segments: list[Segment] = []
        text, style = "", None
        for char, char_style in line:
            if char_style is style:
                text += char
                continue
            if text:
                segments.append(Segment(text, style))
            text, style = char, char_style
        if text:
            segments.append(Segment(text, style))
        return Strip(segments, len(line))


class TimelinePanel(Panel):
    """One row per process: what it did in each slice; see the module docstring."""

    TITLE = "Timeline"

    def compose(self) -> ComposeResult:
        self.add_class("-empty")
        yield Static("Nothing has run yet.", classes="empty")
        yield TimelineView(id="timeline-rows")
        yield Static(id="timeline-legend")

    def on_mount(self) -> None:
        self._key: tuple | None = None
        """What the rows were drawn from: the same again, nothing is redrawn."""
        self._base: int | None = None
        """The slice number of the first column."""
        self._base_slice = 0
        """The slice duration ``_base`` counts in."""
        self._legend = ""

    @property
    def rows(self) -> TimelineView:
        return self.query_one("#timeline-rows", TimelineView)

    def show_timeline(self, store: Store, snapshot: Snapshot, now_ns: int,
                      force: bool = False) -> None:  # fmt: skip
        """Redraw if a slice has passed, the processes changed, or ``force``; otherwise
        return at once (it is called every frame)."""
        everyone = [p for p in snapshot.processes if p.role != "helper"]
        procs = everyone
        if len(everyone) > MAX_ROWS:  # the live ones first, then the last to end
            kept = sorted(everyone, key=lambda p: (not p.alive, -(p.ended_ns or 0)))
            chosen = {p.pid for p in kept[:MAX_ROWS]}
            procs = [p for p in everyone if p.pid in chosen]  # rows stay in their order
        width = self.rows.size.width or max(0, self.size.width - 4)
        name_width = min(NAME_WIDTH, max((len(printable(p.name)) for p in procs), default=4))
        cells = max(1, width - name_width - 1 - STATS_WIDTH)
        slice_ns = slice_for(cells)
        ends = [p.ended_ns for p in procs if p.ended_ns is not None]
        # Once everything shown has ended, the picture stands still.
        still = ends and not any(p.alive for p in procs)
        upto = max(ends) + 1 if still else now_ns - LAG_NS
        current = upto // slice_ns
        key = (current, slice_ns, cells, tuple((p.pid, p.alive, p.name) for p in procs),
               len(snapshot.locks))  # fmt: skip
        if key == self._key and not force:
            return
        self._key = key
        self.set_class(not procs, "-empty")
        if not procs:
            self.rows.set_lines([])
            self._set_legend("")
            self.set_subtitle("")
            return
        base = self._first_slice(snapshot, procs, current, cells, slice_ns)
        states = store.timeline([p.pid for p in procs], base, cells, slice_ns, upto)
        insights = {view.pid: view for view in store.insights(upto)}
        marks = Marks(snapshot)
        lines = []
        for proc in procs:
            name = printable(proc.name)[:name_width]
            line = [(char, PLAIN) for char in f"{name:<{name_width}} "]
            row = states.get(proc.pid, (None,) * cells)
            line += [marks.cell(state) for state in row]
            view = insights.get(proc.pid)
            stats = (f" {view.percent(view.running_ns):3.0f}% {view.percent(view.waiting_ns):3.0f}%"
                     if view is not None else "")  # fmt: skip
            line += [(char, PLAIN) for char in f"{stats:>{STATS_WIDTH}}"]
            lines.append(line)
        self.rows.set_lines(lines)
        self._set_legend(marks.legend())
        more = f"{len(procs)} of {len(everyone)} processes · " if len(procs) < len(everyone) else ""
        self.set_subtitle(f"{more}1 cell = {seconds_label(slice_ns)} ·{STATS} of its life")

    def _first_slice(self, snapshot: Snapshot, procs: list[ProcessView], current: int,
                     cells: int, slice_ns: int) -> int:  # fmt: skip
        """The slice of the first column: the run's start, until the newest slice reaches
        the right edge; then a jump that keeps the last three quarters in view."""
        born = [p.started_ns for p in procs if p.started_ns]
        start = snapshot.run.started_ns or (min(born) if born else current * slice_ns)
        first = max(start // slice_ns, current - tl.HISTORY_NS // slice_ns + 1)
        base = self._base if self._base is not None else first
        if base < first or base > current or (self._base_slice != slice_ns):
            base = first
        if current >= base + cells:
            base = current - (cells * 3) // 4
        self._base, self._base_slice = base, slice_ns
        return base

    def _set_legend(self, legend: str) -> None:
        if legend != self._legend:
            self._legend = legend
            self.query_one("#timeline-legend", Static).update(legend)

    def reset(self) -> None:
        super().reset()
        self._key = None
        self._base = None
        self.rows.set_lines([])
        self._set_legend("")
        self.set_subtitle("")
        self.set_class(True, "-empty")
