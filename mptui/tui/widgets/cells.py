"""Table cells shared by the panels' tables: numbers and their titles, right-aligned."""

from __future__ import annotations

from rich.text import Text


def right(text: str, style: str = "") -> Text:
    """``text`` right-aligned in its column (numbers, and the titles above them)."""
    return Text(text, justify="right", style=style)
