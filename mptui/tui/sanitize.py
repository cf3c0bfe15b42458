"""Make a line of program output safe to show: no ANSI escapes, no control characters.

Observed programs may print colour codes, cursor movements, carriage-return progress bars
or raw bytes. Written to the terminal as they are, they would move the cursor or repaint
parts of the dashboard, so every line goes through :func:`clean_line` first.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and two-byte ESC sequences.
_ESCAPE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]          # CSI: colours, cursor moves, erase
    | \x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?   # OSC: window titles, hyperlinks
    | \x1b[PX^_][^\x1b]*(?:\x1b\\)?  # DCS, SOS, PM, APC strings
    | \x1b[@-Z\\-_]                  # other two-byte escapes
    | \x1b                           # a lone ESC
    | \x9b[0-?]*[ -/]*[@-~]          # 8-bit CSI
    """,
    re.VERBOSE,
)
# C0 controls except tab, DEL, and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def clean_line(text: str, tab_size: int = 8) -> str:
    """Return ``text`` as it should be displayed on one line of the log.

    A carriage return means "overwrite from the start of the line" to a terminal, as in
    progress bars; only the text after the last one with content is kept. Tabs are
    expanded so column widths stay right.
    """
    if "\x1b" in text or "\x9b" in text:
        text = _ESCAPE.sub("", text)
    if "\r" in text:
        parts = [part for part in text.split("\r") if part]
        text = parts[-1] if parts else ""
    if "\t" in text:
        text = text.expandtabs(tab_size)
    return _CONTROL.sub("", text)
