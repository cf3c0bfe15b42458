"""The common shape of a dashboard panel: a titled box the frame tick feeds."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.containers import Vertical
from textual.widget import Widget

if TYPE_CHECKING:
    # Types only: the Store's views load with the first run, not before the first frame.
    from mptui.engine.views import Snapshot


class Panel(Vertical):
    """A bordered dashboard panel; subclasses render a Snapshot into their children."""

    TITLE: ClassVar[str] = ""
    """Shown in the border and in the tab that selects the panel on small screens."""
    can_focus = True
    """Focusable itself, so an empty panel (its table hidden) can still be visited."""

    def __init__(self, *, id: str) -> None:  # noqa: A002 - Textual's own parameter name
        super().__init__(id=id, classes="panel")
        self.border_title = self.TITLE
        self.version = -1
        """Version of the last snapshot shown; -1 forces the next update."""

    @property
    def focus_target(self) -> Widget:
        """The child that takes focus when the user moves to this panel."""
        return self

    # The panel holding the focus gets a class of its own (app.tcss ``.panel.-focus``)
    # instead of a ``:focus-within`` rule: for that, Textual restyles every widget in the
    # panel left and in the panel entered, on each Tab; this restyles the two panels only.
    def _show_focus(self) -> None:
        focused = self.has_focus_within
        if focused != self.has_class("-focus"):
            self.set_class(focused, "-focus", update=False)
            self.app.stylesheet.update_nodes([self])

    def on_descendant_focus(self) -> None:
        self._show_focus()

    def on_descendant_blur(self) -> None:
        self._show_focus()

    def on_focus(self) -> None:
        self._show_focus()

    def on_blur(self) -> None:
        self._show_focus()

    def set_subtitle(self, subtitle: str) -> None:
        """Set the border subtitle only if it changed: every assignment repaints the panel,
        and an unchanged panel should send nothing to the terminal."""
        if subtitle != (self.border_subtitle or ""):
            self.border_subtitle = subtitle

    def show_snapshot(self, snapshot: Snapshot, now_ns: int) -> None:
        """Render ``snapshot``; called by the frame tick only when it (or the clock) moved."""

    def reset(self) -> None:
        """A new run starts: forget the previous run's rows."""
        self.version = -1
