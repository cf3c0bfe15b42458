"""The Locks panel: who holds each lock, who waits, and how long turns and waits take."""

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
    from mptui.engine.views import LockView, Snapshot

COLUMNS = (
    ("label", "Lock"),
    ("holder", "Holder"),
    ("waiting", right("Waiting")),
    ("acq", right("Acq")),
    ("cont", right("Cont%")),
    ("wait", right("Wait p50/p95/max")),
    ("hold", right("Hold p50/p95/max")),
)


def three_times(p50: int | None, p95: int | None, top: int | None) -> Text:
    """``   1.2ms  8.0ms 12.0ms``: three durations in one cell, each right-aligned."""
    return right(" ".join(f"{fmt.duration_ns(ns):>6}" for ns in (p50, p95, top)))


def process_names(snapshot: Snapshot) -> dict[int, str]:
    """Pid -> the process's name, printable (names come from the program)."""
    return {p.pid: printable(p.name) for p in snapshot.processes}


WAIT_ONLY = ("Condition", "Event", "Barrier")
"""Kinds nobody holds: their row shows waiters and waits only."""


def lock_cells(lock: LockView, names: dict[int, str]) -> tuple:
    """One lock row; ``names`` maps pids to printable process names."""
    waits_only = lock.kind.removeprefix("Manager ") in WAIT_ONLY  # a manager's Event too
    if waits_only:
        holder = Text("-", style="dim")
    elif len(lock.holders) > 1:  # a semaphore's units
        shown = ", ".join(names.get(pid, str(pid)) for pid in lock.holders[:2])
        more = f" +{len(lock.holders) - 2}" if len(lock.holders) > 2 else ""
        holder = Text(shown + more, style="bold green")
    elif lock.holder is None:
        holder = Text("free", style="dim")
    elif lock.holder_dead:
        dead = f"{glyphs.active().failed} {names.get(lock.holder, lock.holder)} (dead)"
        holder = Text(dead, style="bold red")
    else:
        holder = Text(names.get(lock.holder, str(lock.holder)), style="bold green")
    waiting = len(lock.waiters)
    name = Text(printable(lock.label))  # a Text: a str cell would be read as markup
    if lock.kind not in ("Lock", "RLock"):
        name = Text(f"{lock.kind} ", style="dim") + name
    if lock.uncounted:
        name.append(f" ({fmt.NOT_COUNTED})", style="yellow")
    return (
        name,
        holder,
        right(str(waiting), "yellow" if waiting else "dim"),
        right("-", "dim")
        if waits_only
        else right(glyphs.at_least(fmt.count(lock.acquisitions), bool(lock.uncounted))),
        right("-", "dim") if waits_only else right(f"{lock.contended_percent:.0f}"),
        three_times(
            lock.wait_p50_ns, lock.wait_p95_ns, lock.wait_max_ns if lock.contended else None
        ),
        three_times(
            lock.hold_p50_ns,
            lock.hold_p95_ns,
            lock.hold_max_ns if lock.hold_p50_ns is not None else None,
        ),
    )


def lock_detail(lock: LockView, names: dict[int, str], now_ns: int) -> Text:
    """One line in words: who holds it since when, who waits and for how long."""
    text = Text()
    text.append(printable(lock.label), style="bold")
    if lock.holder is None:
        text.append(": free")
    else:
        held = fmt.duration_ns(max(0, now_ns - lock.held_since_ns)) if lock.held_since_ns else "?"
        text.append(": held by ")
        text.append(names.get(lock.holder, str(lock.holder)), style="green")
        text.append(f" for {held}")
    if lock.waiters:
        text.append("; waiting: ")
        for i, (pid, since) in enumerate(lock.waiters):
            if i:
                text.append(", ")
            text.append(names.get(pid, str(pid)), style="yellow")
            text.append(f" {fmt.duration_ns(max(0, now_ns - since))}")
    return text


def dead_holder_warning(lock: LockView, names: dict[int, str]) -> Text:
    name = names.get(lock.holder or 0, str(lock.holder))
    return Text(
        f"{glyphs.active().warning} {printable(lock.label)} is held by {name}, which has exited: "
        "nobody can acquire it any more.",
        style="bold red",
    )


class LockPanel(Panel):
    """Holder, waiters, acquisitions, % contended, wait and hold p50/p95/max per lock."""

    TITLE = "Locks"

    def compose(self) -> ComposeResult:
        self.add_class("-empty")  # before the children mount: after, it restyles them all
        yield Static("No locks in this program (yet).", classes="empty")
        yield DataTable(id="lock-table", cursor_type="row")
        yield Static(id="lock-detail")

    def on_mount(self) -> None:
        self._detail = Text()
        self.rows = TableSync(self.table, COLUMNS)
        self.set_class(True, "-empty")

    @property
    def table(self) -> DataTable:
        return self.query_one("#lock-table", DataTable)

    @property
    def focus_target(self) -> Widget:
        return self.table if len(self.rows) else self

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        names = process_names(snapshot)
        locks = {str(lock.id): lock for lock in snapshot.locks}
        refocus = self.has_focus and locks and not len(self.rows)
        self.rows.sync({key: lock_cells(lock, names) for key, lock in locks.items()})
        self.set_class(not locks, "-empty")
        if refocus:
            self.table.focus()  # the panel had the focus only because it was empty
        self.set_subtitle(f"{len(locks)} lock{'s' * (len(locks) != 1)}" if locks else "")
        lines = [dead_holder_warning(lock, names) for lock in snapshot.locks if lock.holder_dead]
        selected = locks.get(self.rows.selected_key() or "")
        if selected is not None:
            lines.append(lock_detail(selected, names, now_ns))
        detail = Text("\n").join(lines)
        if detail != self._detail:  # an unchanged line is not sent again
            # A new layout (the whole screen reflowed and repainted) only when the number
            # of lines changes; the words change with every hand-over of a lock.
            reflow = len(lines) != len(self._detail.plain.split("\n")) if self._detail else True
            self._detail = detail
            self.query_one("#lock-detail", Static).update(detail, layout=reflow)

    def reset(self) -> None:
        super().reset()
        refocus = self.has_focus_within
        self.rows.reset()
        self.set_class(True, "-empty")
        if refocus:
            self.focus()  # the focused table is hidden while empty
        self._detail = Text()
        self.query_one("#lock-detail", Static).update("")
