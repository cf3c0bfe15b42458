"""The alert banner: what the doctor found (a deadlock, a hang, a stall), in words, above
the panels, with the wait-for graph under it. Hidden while there is nothing to say.

It reads only the snapshot (alerts, waits, locks), so a replay shows the same banner the
live run did. Each alert starts with a glyph and its kind in capitals, so it reads the
same in 16 colours and with NO_COLOR.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from mptui import format as fmt
from mptui.text import printable
from mptui.tui import glyphs

if TYPE_CHECKING:
    from mptui.engine.views import AlertView, Snapshot

STYLES = {"deadlock": "bold red", "never": "bold red", "join-before-drain": "bold red",
          "barrier": "bold red", "event": "bold red", "stall": "bold yellow"}  # fmt: skip


def alert_text(alerts: tuple[AlertView, ...], graph: list[str], now_ns: int,
               width: int = 120, rows: int = 12) -> Text:  # fmt: skip
    """Every alert: its title, how long it has stood, what to do, its details; then the
    wait-for graph; as much of that as fits in ``rows`` rows ``width`` wide (titles first,
    then what to do, then details, then the graph), in that order on screen."""
    mark = glyphs.active().warning
    lines: list[tuple[int, Text]] = []  # (priority: lower shows first), the line
    for alert in alerts:
        kind, _, rest = alert.title.partition(": ")
        title = Text(f"{mark} {kind.upper()}", style=STYLES.get(alert.kind, "bold"))
        title.append(f": {printable(rest)}")
        seconds = max(0, now_ns - alert.since_ns) // 1_000_000_000
        age = f"for {fmt.whole_seconds(seconds)}" if seconds else "just now"
        title.append(f"  ({age}{'' if alert.sure else ', a guess'})", style="dim")
        lines.append((0, title))
        lines.extend((2, Text(f"  {printable(detail)}")) for detail in alert.details)
        advice = Text("  What to do: ", style="bold")
        advice.append(printable(alert.advice))
        lines.append((1, advice))
    if graph:
        lines.append((3, Text("Who waits on whom:", style="bold")))
        lines.extend((3, Text(f"  {printable(line)}")) for line in graph)
    kept: set[int] = set()
    used = 0
    for priority in range(4):
        for index, (p, line) in enumerate(lines):
            need = max(1, -(-line.cell_len // max(10, width)))  # rows once wrapped
            if p == priority and used + need <= rows:
                kept.add(index)
                used += need
    heading = len(lines) - len(graph) - 1
    if graph and not kept.intersection(range(heading + 1, len(lines))):
        kept.discard(heading)  # a heading with none of its lines
    text = Text()
    for index in sorted(kept):
        if text:
            text.append("\n")
        text.append_text(lines[index][1])
    return text


class AlertBanner(Static):
    """The doctor's alerts; shown only while one stands."""

    DEFAULT_CSS = """
    AlertBanner {
        height: auto;
        max-height: 12;
        padding: 0 1;
        border-left: outer $error;
        display: none;
    }
    AlertBanner.-shown {
        display: block;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._shown: Text | None = None

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        from mptui.engine.doctor import graph_of

        if not snapshot.alerts:
            self.clear()
            return
        # A quarter of the screen at most: the panels under it stay readable at 80x24.
        size = self.app.size
        rows = max(3, min(12, size.height // 4))
        text = alert_text(snapshot.alerts, graph_of(snapshot), now_ns, size.width - 3, rows)
        if self._shown is None or text.plain != self._shown.plain:
            self._shown = text
            self.update(text)
        self.add_class("-shown")

    def clear(self) -> None:
        if self._shown is not None:
            self._shown = None
            self.update("")
        self.remove_class("-shown")
