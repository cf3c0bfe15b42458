"""The Summary panel: what a finished run did, in a few lines, with what to try next."""

from __future__ import annotations

from collections import Counter

from rich.text import Text
from textual.widgets import Static

from mptui import format as fmt
from mptui.engine.store import Snapshot
from mptui.text import printable


def summarize(snapshot: Snapshot) -> Text:
    """Exit codes, totals and elapsed time of an ended run."""
    run = snapshot.run
    text = Text()
    elapsed = (run.ended_ns - run.started_ns) / 1e9 if run.ended_ns and run.started_ns else None
    ok = run.exitcode == 0
    text.append("✓ Finished" if ok else "✗ Failed", style="bold green" if ok else "bold red")
    if elapsed is not None:
        text.append(f" in {fmt.seconds(elapsed)}")
    text.append(f" · exit code {run.exitcode if run.exitcode is not None else '?'}")
    outcomes: Counter[str] = Counter()
    for proc in snapshot.processes:
        if proc.signal:
            outcomes[f"killed by {proc.signal}"] += 1
        elif proc.exitcode is not None:
            outcomes[f"exit {proc.exitcode}"] += 1
        elif proc.alive:
            outcomes["still running"] += 1
        else:
            outcomes["ended"] += 1
    count = len(snapshot.processes)
    detail = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items()))
    text.append(f" · {count} process{'es' * (count != 1)} ({detail})")
    text.append(f" · {snapshot.lines_total:,} lines")
    for lock in snapshot.locks:
        text.append(
            f"\n{printable(lock.label)}: {lock.acquisitions} acquisitions, "
            f"{lock.contended_percent:.0f}% had to wait, "
            f"longest wait {fmt.duration_ns(lock.wait_max_ns)}"
        )
    for queue in snapshot.queues:
        label = printable(queue.label)
        text.append(f"\n{label}: {queue.puts} put, {queue.gets} got, {queue.depth} left")
    if snapshot.events_dropped:
        text.append(f"\n{snapshot.events_dropped} events dropped", style="yellow")
    text.append("\nr runs it again · e changes its settings · m another start method", style="dim")
    return text


class SummaryPanel(Static):
    """Shown above the process table once the run has ended."""

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id, classes="panel")
        self.border_title = "Summary"
        self.version = -1
        self._text = Text()

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        ended = snapshot.run.state == "ended"
        self.display = ended
        if ended:
            text = summarize(snapshot)
            if text != self._text:
                self._text = text
                self.update(text)

    def reset(self) -> None:
        self.version = -1
        self.display = False
