"""The footer of keys, rebuilt only when the keys it shows change.

Textual's Footer rebuilds itself (removes and mounts a widget per key, and styles each)
whenever the screen's bindings are updated: on every focus change, so on every Tab, and a
few times before the first frame. The keys it shows are nearly always the same ones, so
this one compares first, and shows its first keys in the first frame, not in a second
one. And its keys are born compact: Textual's FooterKey adds the
``-compact`` class once mounted, which restyles every key a second time.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    """A compact Footer that recomposes only when its keys change."""

    def __init__(self) -> None:
        super().__init__(compact=True, show_command_palette=False)
        self._shown: tuple[object, ...] | None = None
        """What the footer was last built from; None before the first time."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey):
                widget.add_class("-compact", update=False)  # before it mounts: styled once
            yield widget

    def bindings_changed(self, screen: Screen) -> None:
        # The same facts Footer.compose reads: each shown binding, enabled or not, tooltip.
        shown = tuple(
            (binding, enabled, tooltip)
            for (_, binding, enabled, tooltip) in screen.active_bindings.values()
            if binding.show
        )
        if shown == self._shown:
            return
        # As Footer.bindings_changed, but the first keys are composed at once, not after
        # the next refresh: they are part of the first frame, not of a second one.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            first = self._shown is None
            self._shown = shown  # rebuilt now; else it is not, and must be next time
            if first:
                self.call_next(self.recompose)
            else:
                self.call_after_refresh(self.recompose)
