"""The Processes panel: one row per process of the observed program."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from mptui import format as fmt
from mptui.engine import verdict
from mptui.text import printable
from mptui.tui.widgets.cells import right
from mptui.tui.widgets.panel import Panel
from mptui.tui.widgets.table_sync import TableSync

if TYPE_CHECKING:
    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import ProcessView, Snapshot

COLUMNS = (
    ("name", "Process"),
    ("pid", "PID"),
    ("state", "State"),
    ("exit", "Exit"),
    ("cpu", right("CPU%")),
    ("rss", right("RSS")),
    ("up", right("Uptime")),
    ("lines", right("Lines")),
)
STATE_STYLES = {"starting": "yellow", "running": "green"}
ENDED_STATES = {
    verdict.OK: ("exited", ""),
    verdict.FAILED: ("failed", "bold red"),
    verdict.KILLED: ("killed by you", "yellow"),
    verdict.STOPPED: ("stopped", "yellow"),
    verdict.LEFT_RUNNING: ("left running", "yellow"),
    verdict.ENDED_BY_PARENT: ("ended by parent", "yellow"),
    verdict.UNKNOWN: ("ended", "dim"),
}
"""The State column of an ended process: the engine's verdict, in a word or three."""


def uptime(proc: ProcessView, now_ns: int) -> str:
    """Whole seconds only, so the cell changes once a second, not on every frame."""
    if not proc.started_ns:
        return "-"
    end = proc.ended_ns if proc.ended_ns is not None else now_ns
    return fmt.whole_seconds((end - proc.started_ns) // 1_000_000_000)


def process_cells(proc: ProcessView, now_ns: int) -> tuple:
    """The row for one process."""
    name = Text(printable(proc.name), style="dim" if proc.role == "helper" else "")
    if proc.role == "runner":
        name.stylize("bold")
    if proc.alive:
        state, state_style = proc.state, STATE_STYLES.get(proc.state, "")
    else:
        state, state_style = ENDED_STATES.get(proc.verdict, ("ended", "dim"))
    failed = proc.verdict == verdict.FAILED
    if proc.signal:
        exit_text = Text(proc.signal, style="bold red" if failed else "")
    elif proc.exitcode is None:
        exit_text = Text("-", style="dim")
    else:
        exit_text = Text(str(proc.exitcode), style="red" if failed else "")
    cpu = "-" if proc.cpu_percent is None or not proc.alive else f"{proc.cpu_percent:.0f}"
    rss = "-" if not proc.alive else fmt.size(proc.rss_bytes)
    return (
        name,
        str(proc.pid),
        Text(state, style=state_style),
        exit_text,
        right(cpu),
        right(rss),
        right(uptime(proc, now_ns)),
        right(fmt.count(proc.lines)),
    )


class ProcessPanel(Panel):
    """Name, pid, state, exit code or signal, CPU, memory, uptime and lines per process."""

    TITLE = "Processes"

    class Chosen(Message):
        """Enter was pressed on a process row."""

        def __init__(self, pid: int) -> None:
            super().__init__()
            self.pid = pid

    def compose(self) -> ComposeResult:
        yield Static("Nothing has run yet. Pick a lesson and press Enter.", classes="empty")
        yield DataTable(id="process-table", cursor_type="row", zebra_stripes=False)

    def on_mount(self) -> None:
        self.rows = TableSync(self.table, COLUMNS)

    @property
    def table(self) -> DataTable:
        return self.query_one("#process-table", DataTable)

    @property
    def focus_target(self) -> Widget:
        return self.table

    @property
    def selected_pid(self) -> int | None:
        """The pid of the row under the cursor."""
        key = self.rows.selected_key()
        return int(key) if key is not None else None

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        self.rows.sync({str(p.pid): process_cells(p, now_ns) for p in snapshot.processes})
        alive = sum(p.alive for p in snapshot.processes)
        total = len(snapshot.processes)
        forgotten = snapshot.processes_forgotten
        earlier = f" · {forgotten} earlier not listed" if forgotten else ""
        self.set_subtitle(f"{alive} running of {total}{earlier}" if total else "")
        self.set_class(total == 0, "-empty")

    def reset(self) -> None:
        super().reset()
        self.rows.reset()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Chosen(int(event.row_key.value)))
