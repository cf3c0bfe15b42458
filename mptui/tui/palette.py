"""Textual's command palette (Ctrl+P), drawn with the terminal's glyphs.

On the Linux console its search icon (🔎) and the "…" of its placeholder cannot be drawn:
there they are ``>`` and ``...``; its horizontal rules are replaced in app.tcss
(``.-ascii CommandPalette``).
"""

from __future__ import annotations

from textual.command import CommandPalette, SearchIcon

from mptui.tui import glyphs


class Palette(CommandPalette):
    """The command palette; only its icon and placeholder differ, and only in ASCII."""

    def __init__(self) -> None:
        marks = glyphs.active()
        super().__init__(id="--command-palette",
                         placeholder=marks.text("Search for commands…"))  # fmt: skip

    def on_mount(self) -> None:
        if glyphs.active() is glyphs.ASCII:
            self.query_one(SearchIcon).icon = ">"
