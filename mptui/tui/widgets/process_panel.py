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
    from mptui.engine.views import ProcessView, Snapshot, WaitView

COLUMNS = (
    ("name", "Process"),
    ("pid", "PID"),
    ("state", "State"),
    ("exit", "Exit"),
    ("cpu", right("CPU%")),
    ("rss", right("RSS")),
    ("up", right("Uptime")),
    ("lines", right("Lines")),
    ("waiting", "Waiting on"),
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


def waiting_cell(wait: WaitView | None, now_ns: int, alerted: bool) -> Text:
    """``acquire Lock main.py:12 3s``: what the process is blocked in, for how long (whole
    seconds, so the cell changes once a second); red when an alert names it."""
    if wait is None:
        return Text("")
    seconds = max(0, now_ns - wait.since_ns) // 1_000_000_000
    style = "bold red" if alerted else ("yellow" if seconds >= 1 else "")
    return Text(f"{printable(wait.describe())} {fmt.whole_seconds(seconds)}", style=style)


def process_cells(
    proc: ProcessView, now_ns: int, wait: WaitView | None = None, alerted: bool = False
) -> tuple:
    """The row for one process."""
    name = Text(printable(proc.name), style="dim" if proc.role == "helper" else "")
    if proc.role == "runner":
        name.stylize("bold")
    if proc.alive:
        state, state_style = proc.state, STATE_STYLES.get(proc.state, "")
    else:
        state, state_style = ENDED_STATES.get(proc.verdict, ("ended", "dim"))
    if proc.tasks_done:  # a pool's worker: what it got through
        state += f", {fmt.count(proc.tasks_done)} task{'s' * (proc.tasks_done != 1)}"
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
        waiting_cell(wait if proc.alive else None, now_ns, alerted),
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
        alerted = {pid for alert in snapshot.alerts for pid in alert.pids}
        self.rows.sync({
            str(p.pid): process_cells(p, now_ns, snapshot.waiting(p.pid), p.pid in alerted)
            for p in snapshot.processes
        })  # fmt: skip
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
