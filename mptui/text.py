"""Make text that comes from the observed program safe to show on a terminal.

Log lines, process names, argv, object labels, exception text and script paths come from
the program, and a program can put anything in them: ``\\x1b]2;PWNED\\x07`` retitles the
terminal, ``\\x1b]52;...`` writes the clipboard, ``\\x1b[2J`` clears the screen, a newline
splits one log line into two, a bidi override shows text in another order than it runs.
Every front end (the dashboard and the headless text output) passes such strings through
this module before showing them; JSON output does not, it carries the exact text.

Nothing is dropped silently: a control character is shown escaped, as journalctl and less
do, so what was sent can still be read:

* ``\\t`` ``\\n`` ``\\r`` and every other C0 control and DEL as ``\\xNN`` (``\\x1b``, ``\\x07``);
* C1 controls U+0080..U+009F as ``\\u009b``, so they are not mistaken for the raw bytes
  below;
* a byte that was not valid UTF-8, decoded with ``errors="surrogateescape"`` into a lone
  surrogate U+DC80..U+DCFF, as the byte: ``\\xff``; any other lone surrogate as ``\\udNNN``;
* invisible characters that reorder or hide text (bidi controls, U+2028/U+2029, zero-width
  space, word joiners, BOM, tag characters) as ``\\uNNNN`` or ``\\UNNNNNNNN``.

A backslash itself is shown as it is, so a program can print text that looks like an
escape; it can never send a control character.

Everything here is linear in the length of its input (a flood is 100,000 lines a second,
and one line may be megabytes): the common case, a printable line, costs one
``str.isprintable()`` call; the regular expressions have no nested quantifiers.
"""

from __future__ import annotations

import re

TAB_SIZE = 8
"""Tab stops in log lines, as on a terminal."""

LOG_TEXT_CHARS = 2_000
"""Characters of each line the Store's log ring keeps (the dashboard shows no more). A
longer line is cut there and its full length kept, so the display can say how much was
left out; the whole line still reaches listeners (headless text and JSON), up to the
collector's line limit. This bounds the ring's memory whatever the program prints. Here,
beside clip_line, so that the dashboard reads it without loading the Store."""

# The characters that are never shown as they are. Every one of them is non-printable
# for str.isprintable(), which is what makes the fast path in printable() exact.
_CONTROLS = "\x00-\x08\x0a-\x1f\x7f-\x9f"  # C0 and C1 controls and DEL, except tab
_INVISIBLE = (
    "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"  # bidi marks, embeddings, isolates
    "\u2028\u2029"  # line and paragraph separators (splitlines() splits on them)
    "\u180e\u200b\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb"  # invisible formatting
    "\U000e0000-\U000e007f"  # tag characters: invisible ASCII look-alikes
)
_SURROGATES = "\ud800-\udfff"
_UNSAFE_BUT_TAB = re.compile(f"[{_CONTROLS}{_INVISIBLE}{_SURROGATES}]")
_UNSAFE = re.compile(f"[\t{_CONTROLS}{_INVISIBLE}{_SURROGATES}]")
# SGR: ESC [ parameters m. It only styles text, so it is removed from log lines, not shown.
_SGR = re.compile(r"\x1b\[[0-9;:]*m")

_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escape_char(char: str) -> str:
    """The escaped form of one unsafe character (see the module docstring)."""
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code < 0x80:
        return f"\\x{code:02x}"
    if 0xDC80 <= code <= 0xDCFF:  # a byte surrogateescape could not decode
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _escape_match(match: re.Match[str]) -> str:
    return escape_char(match.group())


def printable(text: str) -> str:
    """``text`` with every unsafe character escaped, tabs and newlines included.

    For one-line strings: process names, argv, labels, paths, exception text.
    """
    if text.isprintable():
        return text
    return _UNSAFE.sub(_escape_match, text)


def printable_line(text: str) -> str:
    """One line of program output as a terminal would show it, with nothing hidden.

    The same as :func:`printable`, except:

    * SGR sequences (``ESC[...m``, colours and bold) are removed: they only style text.
      Every other escape sequence (OSC, DCS, APC, other CSI) is shown escaped, so none
      can reach the terminal;
    * tabs are expanded to stops every :data:`TAB_SIZE` columns;
    * a carriage return means "back to the start of the line", as in progress bars: what
      follows it overwrites what was there, and the result is what a terminal would
      show (``"10%\\r100%"`` gives ``"100%"``, ``"hello\\rJ"`` gives ``"Jello"``).
    """
    if text.isprintable():
        return text
    if "\x1b" in text:
        text = _SGR.sub("", text)
    if "\r" not in text:
        return _segment(text)
    # Each segment overwrites the start of those before it. Going from the last one
    # back, an earlier segment adds only the part that sticks out past all later ones,
    # so every character is looked at once (overlaying front to back would be
    # quadratic in a line of many short segments after a long one).
    segments = text.split("\r")
    shown = [_segment(segments[-1])]
    width = len(shown[0])
    for segment in reversed(segments[:-1]):
        escaped = _segment(segment)
        if len(escaped) > width:
            shown.append(escaped[width:])
            width = len(escaped)
    return "".join(shown)


def _segment(text: str) -> str:
    """Escape a piece of a line that has no carriage return, then expand its tabs."""
    if not text.isprintable():
        text = _UNSAFE_BUT_TAB.sub(_escape_match, text)
        if "\t" in text:
            text = text.expandtabs(TAB_SIZE)
    return text


def clip_line(text: str, limit: int) -> tuple[str, int]:
    """``printable_line`` of the longest start of ``text`` found whose result has at most
    ``limit`` characters, and how many characters of ``text`` were left out.

    Escaping can make a line longer (one ESC becomes four characters), so cutting the
    input at ``limit`` is not always enough; a binary search over the input's length
    then finds a start that fits. Work is bounded by ``limit``, never by ``len(text)``.
    """
    head = text[:limit]
    shown = printable_line(head)
    if len(shown) <= limit:
        return shown, len(text) - len(head)
    fits, too_long = 0, len(head)  # printable_line(text[:fits]) fits; too_long does not
    while too_long - fits > 1:
        middle = (fits + too_long) // 2
        if len(printable_line(text[:middle])) <= limit:
            fits = middle
        else:
            too_long = middle
    return printable_line(text[:fits]), len(text) - fits
