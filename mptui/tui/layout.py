"""Which panels show at a given terminal size, and how they are grouped into tabs.

Four modes, chosen from the size alone (pure, so tests check them without a terminal):

* ``full`` (about 150x44 and up): every panel at once;
* ``medium`` (120x40 and up): two tabs, the live dashboard and the lesson with its code;
* ``compact`` (down to 60x16, so 80x24 fits): one or two panels per tab;
* ``tiny``: a message asking for a bigger terminal.

Panels are never moved between containers: a mode only hides some of them, so widget
state (cursor, scroll, log contents) survives a resize.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_WIDTH, MIN_HEIGHT = 60, 16
"""Below this the dashboard cannot be read; a message says so."""
MEDIUM = (110, 32)
FULL = (150, 44)

SUMMARY_MIN_HEIGHT = 22
"""In the compact mode, a terminal shorter than this leaves out the end-of-run Summary (the
header says how the run ended): with it, the log would have no rows left."""

PANELS = ("lessons", "processes", "channels", "locks", "timeline", "log", "source")
"""Every panel, in the order Tab visits them."""


@dataclass(frozen=True)
class Group:
    """A tab: its id, its label and the panels it shows."""

    id: str
    label: str
    panels: tuple[str, ...]


GROUPS: dict[str, tuple[Group, ...]] = {
    "full": (Group("all", "All", PANELS),),
    "medium": (
        Group("dashboard", "Dashboard", ("processes", "channels", "locks", "timeline", "log")),
        Group("lesson", "Lesson & source", ("lessons", "source")),
    ),
    "compact": (
        Group("lessons", "Lessons", ("lessons",)),
        Group("run", "Processes & log", ("processes", "log")),
        Group("channels", "Channels", ("channels",)),
        Group("locks", "Locks", ("locks",)),
        Group("timeline", "Timeline", ("timeline",)),
        Group("source", "Source", ("source",)),
    ),
    "tiny": (),
}


def choose_mode(width: int, height: int) -> str:
    """The layout mode for a terminal of ``width`` x ``height`` cells."""
    if width < MIN_WIDTH or height < MIN_HEIGHT:
        return "tiny"
    if width >= FULL[0] and height >= FULL[1]:
        return "full"
    if width >= MEDIUM[0] and height >= MEDIUM[1]:
        return "medium"
    return "compact"


def group_of(mode: str, panel: str) -> Group | None:
    """The tab that shows ``panel`` in ``mode``."""
    for group in GROUPS[mode]:
        if panel in group.panels:
            return group
    return None


def group_by_id(mode: str, group_id: str) -> Group | None:
    for group in GROUPS[mode]:
        if group.id == group_id:
            return group
    return None


def tab_order(mode: str) -> tuple[str, ...]:
    """Panels in the order Tab visits them: tab by tab, so tabs change as little as possible."""
    order: list[str] = []
    for group in GROUPS[mode]:
        order += [panel for panel in group.panels if panel not in order]
    return tuple(order)


def summary_fits(mode: str, height: int) -> bool:
    """Whether the end-of-run Summary fits above the processes and the log."""
    return mode != "compact" or height >= SUMMARY_MIN_HEIGHT
