"""What a Pilot-driven app shows, as plain text lines: what a user would read on screen.

Rendered the way ``App.export_screenshot`` renders (the compositor's full update, every
layer, dialogs over the dashboard), but kept as text, so a test can look for a line or
check which characters reach the terminal.
"""

from __future__ import annotations

import io

from rich.console import Console
from textual.app import App


def screen_lines(app: App) -> list[str]:
    """The screen's rows, right-trimmed."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False,
                      safe_box=False)  # fmt: skip
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return [line.rstrip() for line in console.export_text(styles=False).splitlines()]


def screen_text(app: App) -> str:
    return "\n".join(screen_lines(app))
