"""The characters the dashboard draws with, chosen once from the terminal type.

Most terminals draw Unicode box and symbol characters (``╭─╮ │ ✓ ✗ ● ▁▂▃``). The Linux
console (``TERM=linux``) and vt100-like terminals cannot: their fonts have ASCII and
Latin-1 (so ``·`` and ``µ`` stay), and anything else shows as a diamond or garbage. There
the dashboard uses an ASCII set: ``+-+`` borders, ``|`` and ``!`` log marks, words for
arrows, ``...`` for an ellipsis.

One place decides: :func:`for_environment` reads ``TERM`` (and ``MPTUI_GLYPHS=ascii`` or
``unicode``, to override it), the app calls :func:`use` when it starts, and every widget
asks :func:`active` when it draws. Border types reach the stylesheet as CSS variables
(:meth:`Glyphs.css_variables`: ``$frame`` for boxes, ``$edge`` for the notices' edge).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from textual.scrollbar import ScrollBar, ScrollBarRender


@dataclass(frozen=True)
class Glyphs:
    """One set of characters for everything the dashboard draws itself."""

    name: str
    ok: str
    """Before "finished": the run or a process ended well."""
    failed: str
    stopped: str
    running: str
    warning: str
    current: str
    """Marks the lesson that runs, in the lesson list."""
    separator: str
    """Between the parts of the header line."""
    stdout: str
    """Between a log line's process name and its text; :attr:`stderr` for stderr."""
    stderr: str
    ellipsis: str
    bars: str
    """Eight levels, lowest first, for sparklines."""
    overflow: str
    """How Rich cuts a line that does not fit: ``ellipsis`` adds "…", ``crop`` does not."""
    frame: str
    """Textual border type of panels and dialogs."""
    edge: str
    """Textual border type of a notice's left edge."""
    words: Mapping[str, str]
    """Symbols in fixed texts (the help, column titles, the summary's headline) and what
    replaces them."""

    def text(self, text: str) -> str:
        """``text`` with every symbol of :attr:`words` replaced."""
        for symbol, word in self.words.items():
            text = text.replace(symbol, word)
        return text

    def css_variables(self) -> dict[str, str]:
        return {"frame": self.frame, "edge": self.edge, "text-cut": self.text_cut}

    @property
    def text_cut(self) -> str:
        """Textual's ``text-overflow`` for lines that do not fit."""
        return "ellipsis" if self.overflow == "ellipsis" else "clip"


UNICODE = Glyphs(
    name="unicode", ok="✓", failed="✗", stopped="■", running="●", warning="⚠", current="▶",
    separator=" │ ", stdout="│", stderr="┃", ellipsis="…", bars="▁▂▃▄▅▆▇█",
    overflow="ellipsis", frame="round", edge="outer", words={},
)  # fmt: skip
ASCII = Glyphs(
    name="ascii", ok="+", failed="x", stopped="#", running="*", warning="!", current=">",
    separator=" | ", stdout="|", stderr="!", ellipsis="...", bars="_.-=+*#@",
    overflow="crop", frame="ascii", edge="ascii",
    words={"→": "->", "←": "Left", "↑": "Up", "↓": "Down", "…": "...", "✓": "+", "✗": "x",
           "■": "#", "●": "*", "⚠": "!", "▶": ">", "≥": ">="},
)  # fmt: skip
"""Every character is ASCII but ``·`` and ``µ`` (Latin-1: every console font has them).
The stderr mark is ``!``, as in ``--headless`` output."""

ASCII_TERMS = ("linux", "vt52", "vt100", "vt102", "vt220", "vt320", "dumb", "ansi", "cons25")
"""Terminal types whose fonts lack box and symbol characters (``linux-16color`` too)."""


def for_environment(environ: Mapping[str, str]) -> Glyphs:
    """The set for the terminal described by ``environ`` (TERM, MPTUI_GLYPHS)."""
    forced = environ.get("MPTUI_GLYPHS", "").strip().lower()
    if forced in ("ascii", "unicode"):
        return ASCII if forced == "ascii" else UNICODE
    term = environ.get("TERM", "").strip().lower()
    # "screen.linux" and "tmux.linux": a multiplexer inside the Linux console.
    base = term.split("-")[0].rsplit(".", 1)[-1]
    return ASCII if base in ASCII_TERMS else UNICODE


class AsciiScrollBarRender(ScrollBarRender):
    """Scrollbars without the block characters that smooth the thumb's ends: the thumb is
    whole cells in reverse video (visible without colours too)."""

    VERTICAL_BARS = [" "] * 8
    HORIZONTAL_BARS = [" "] * 8


_active = for_environment(os.environ)


def active() -> Glyphs:
    """The set in use (chosen by the app at start; from the environment before that)."""
    return _active


def use(glyphs: Glyphs) -> None:
    """Draw with ``glyphs`` from now on (Textual's scrollbars included)."""
    global _active
    _active = glyphs
    ScrollBar.renderer = AsciiScrollBarRender if glyphs is ASCII else ScrollBarRender


def at_least(text: str, incomplete: bool) -> str:
    """``≥1,234`` (``>=1,234`` in ASCII) for a total known to be too low: some of it could
    not be counted (mptui.format.NOT_COUNTED)."""
    return f"{active().text('≥')}{text}" if incomplete else text
