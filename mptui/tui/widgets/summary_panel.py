"""The Summary panel: what a finished run did, in a few lines, with what to try next."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

from mptui import format as fmt
from mptui.engine import verdict
from mptui.text import printable
from mptui.tui import glyphs

if TYPE_CHECKING:
    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import Snapshot

HEADLINES = {
    verdict.OK: ("✓ Finished", "bold green"),
    verdict.FAILED: ("✗ Failed", "bold red"),
    verdict.SOME_FAILED: ("✓ Finished (some processes failed)", "bold yellow"),
    verdict.STOPPED: ("■ Stopped from mptui", "bold yellow"),
    verdict.RUNNING: ("● Main process ended", "bold yellow"),
}
"""The first words of the summary, from the engine's verdict on the run (the marks are
ASCII where the terminal needs it: mptui.tui.glyphs)."""


LIVE_HINT = "r runs it again · e changes its settings · m another start method"
"""What to try next after a live run."""


def summarize(snapshot: Snapshot, hint: str = LIVE_HINT) -> Text:
    """The run's verdict, how each process ended, totals and elapsed time."""
    run = snapshot.run
    text = Text()
    elapsed = (run.ended_ns - run.started_ns) / 1e9 if run.ended_ns and run.started_ns else None
    words, style = HEADLINES.get(snapshot.verdict, ("Ended", "bold"))
    text.append(glyphs.active().text(words), style=style)
    if elapsed is not None:
        text.append(f" in {fmt.seconds(elapsed)}")
    text.append(f" · main process: {verdict.code_words(run.exitcode)}")
    outcomes: Counter[str] = Counter(proc.verdict for proc in snapshot.processes)
    count = len(snapshot.processes)
    detail = ", ".join(f"{n} {what}" for what, n in sorted(outcomes.items()))
    text.append(f" · {count} process{'es' * (count != 1)} ({detail})")
    text.append(f" · {snapshot.lines_total:,} lines")
    for proc in snapshot.failed:
        text.append(f"\n{printable(proc.name)}: {verdict.failure(proc)}", style="red")
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
    if snapshot.objects_uncounted:
        text.append(
            f"\n{snapshot.objects_uncounted} queues, pipes or locks not all counted: a process "
            "used more traced objects than mptui can count (their totals are too low)",
            style="yellow",
        )
    text.append(f"\n{hint}", style="dim")
    return text


class SummaryPanel(Static):
    """Shown above the process table once the run has ended."""

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id, classes="panel")
        self.border_title = "Summary"
        self.version = -1
        self._text = Text()
        self.hint = LIVE_HINT
        """The summary's last line: what to try next (a replay has its own keys)."""

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        # Shown or not by the dashboard (only once the run ended, and only with room for it).
        if snapshot.run.state == "ended":
            text = summarize(snapshot, self.hint)
            if text != self._text:
                self._text = text
                self.update(text)

    def reset(self) -> None:
        self.version = -1
        self.display = False
