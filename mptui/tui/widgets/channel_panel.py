"""The Channels panel: every traced Queue and Pipe, with traffic counters, and the shared
memory segments the program's processes attached."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import DataTable, Static

from mptui import format as fmt
from mptui.text import printable
from mptui.tui import glyphs
from mptui.tui.widgets.cells import right
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.table_sync import TableSync

if TYPE_CHECKING:
    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import PipeView, QueueView, SharedMemoryView, Snapshot

SPARK_WIDTH = 24
"""Depth samples shown per queue (one per engine tick, about one a second)."""


QUEUE_COLUMNS = (
    ("label", "Queue"),
    ("depth", right("Depth")),
    ("put_rate", right("Puts/s")),
    ("get_rate", right("Gets/s")),
    ("puts", right("Puts")),
    ("gets", right("Gets")),
    ("history", "Depth history"),
)


def pipe_columns() -> tuple[tuple[str, str | Text], ...]:
    """Titles with arrows (``0→1``, or ``0->1`` where the terminal has no arrow)."""
    arrows = glyphs.active().text
    return (
        ("label", "Pipe"),
        ("fwd", right(arrows("0→1 msgs"))),
        ("fwd_bytes", right(arrows("0→1 bytes"))),
        ("back", right(arrows("1→0 msgs"))),
        ("back_bytes", right(arrows("1→0 bytes"))),
        ("unread", right("Unread")),
    )


SHARED_MEMORY_COLUMNS = (
    ("name", "Shared memory"),
    ("size", right("Size")),
    ("creator", right("Creator")),
    ("attached", right("Attached")),
    ("open", "Open in"),
    ("state", "State"),
)


def shared_memory_cells(shm: SharedMemoryView, names: dict[int, str]) -> tuple:
    """One segment row: its size, who made it, how many processes attached it, who has it
    mapped still, and whether it was unlinked."""
    creator = "-" if shm.creator_pid is None else str(shm.creator_pid)
    open_in = ", ".join(names.get(pid, str(pid)) for pid in shm.open_pids[:3])
    if len(shm.open_pids) > 3:
        open_in += f" +{len(shm.open_pids) - 3}"
    state = Text("unlinked", style="dim") if shm.unlinked else Text("live", style="green")
    return (
        Text(printable(shm.name)),
        right(fmt.size(shm.size)),
        right(creator),
        right(str(len(shm.attached))),
        Text(open_in or "-", style="" if open_in else "dim"),
        state,
    )


def queue_cells(queue: QueueView) -> tuple:
    """One queue row; the sparkline is scaled to the queue's own peak."""
    label = printable(queue.label)
    label = label if queue.kind == "Queue" else f"{label} ({queue.kind})"
    label = label if not queue.maxsize else f"{label} (max {queue.maxsize})"
    full = queue.maxsize and queue.depth >= queue.maxsize
    partial = bool(queue.uncounted)
    name = Text(label)  # a Text: a str cell would be read as markup
    if partial:  # totals too low, depth unknown: say so rather than show wrong numbers
        name.append(f" ({fmt.NOT_COUNTED})", style="yellow")
    spark = fmt.sparkline(queue.depth_history, SPARK_WIDTH, glyphs.active().bars)
    return (
        name,
        right("?" if partial else str(queue.depth), "bold red" if full else "bold"),
        right(fmt.rate(queue.put_rate)),
        right(fmt.rate(queue.get_rate)),
        right(glyphs.at_least(fmt.count(queue.puts), partial)),
        right(glyphs.at_least(fmt.count(queue.gets), partial)),
        Text(spark.ljust(SPARK_WIDTH), style="cyan"),
    )


def pipe_cells(pipe: PipeView) -> tuple:
    """One pipe row: messages and bytes sent from each end, and those not yet received."""
    unread = (pipe.sent[0] - pipe.received[1]) + (pipe.sent[1] - pipe.received[0])
    label = printable(pipe.label)
    label = label if pipe.duplex else f"{label} (one-way)"
    partial = bool(pipe.uncounted)
    name = Text(label)
    if partial:
        name.append(f" ({fmt.NOT_COUNTED})", style="yellow")
    return (
        name,
        right(glyphs.at_least(fmt.count(pipe.sent[0]), partial)),
        right(glyphs.at_least(fmt.size(pipe.sent_bytes[0]), partial)),
        right(glyphs.at_least(fmt.count(pipe.sent[1]), partial)),
        right(glyphs.at_least(fmt.size(pipe.sent_bytes[1]), partial)),
        right("?" if partial else str(max(0, unread))),
    )


class ChannelPanel(Panel):
    """Queues (depth, rates, a sparkline of depth) and pipes (messages and bytes each way)."""

    TITLE = "Channels"

    def compose(self) -> ComposeResult:
        self.add_class("-empty")  # before the children mount: after, it restyles them all
        yield Static("No queues or pipes in this program (yet).", classes="empty")
        yield DataTable(id="queue-table", cursor_type="row")
        yield DataTable(id="pipe-table", cursor_type="row")
        yield DataTable(id="shm-table", cursor_type="row")

    def on_mount(self) -> None:
        self.queues = TableSync(self.query_one("#queue-table", DataTable), QUEUE_COLUMNS)
        self.pipes = TableSync(self.query_one("#pipe-table", DataTable), pipe_columns())
        self.segments = TableSync(self.query_one("#shm-table", DataTable), SHARED_MEMORY_COLUMNS)
        self._show_tables(0, 0)

    @property
    def focus_target(self) -> Widget:
        for tables in (self.queues, self.pipes, self.segments):
            if len(tables):
                return tables.table
        return self

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        self.queues.sync({str(q.id): queue_cells(q) for q in snapshot.queues})
        self.pipes.sync({str(p.id): pipe_cells(p) for p in snapshot.pipes})
        if snapshot.shared_memory or len(self.segments):
            names = {p.pid: printable(p.name) for p in snapshot.processes}
            cells = {shm.name: shared_memory_cells(shm, names) for shm in snapshot.shared_memory}
            self.segments.sync(cells)
        shared = len(snapshot.shared_memory)
        self._show_tables(len(snapshot.queues), len(snapshot.pipes), shared)

    def _show_tables(self, queues: int, pipes: int, segments: int = 0) -> None:
        refocus = self.has_focus_within and not queues + pipes + segments
        self.queues.table.display = queues > 0
        self.pipes.table.display = pipes > 0
        self.segments.table.display = segments > 0
        if refocus:
            self.focus()  # the focused table was hidden
        self.set_class(queues + pipes + segments == 0, "-empty")
        parts = [f"{queues} queue{'s' * (queues != 1)}"] if queues else []
        parts += [f"{pipes} pipe{'s' * (pipes != 1)}"] if pipes else []
        parts += [f"{segments} shared memory segment{'s' * (segments != 1)}"] if segments else []
        self.set_subtitle(", ".join(parts))

    def reset(self) -> None:
        super().reset()
        self.queues.reset()
        self.pipes.reset()
        self.segments.reset()
        self._show_tables(0, 0)
