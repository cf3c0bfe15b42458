"""What the log shows: a text filter (substring or regex) and an optional process filter.

Filters see lines as the log panel shows them, already cut to its SHOWN_CHARS, so a
filter's work per line is bounded whatever the program printed; a substring test is
linear in the line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from mptui.text import printable

REGEX_PREFIX = "re:"
"""A filter starting with this is a regular expression; anything else is a substring."""


class BadFilter(ValueError):
    """A filter that cannot be used; the message is one line, for the user."""


def compile_filter(text: str) -> Callable[[str], bool] | None:
    """Return a predicate for ``text``, or None for "show everything".

    A substring matches case-insensitively when typed in lower case ("smart case", as in
    less and ripgrep); ``re:PATTERN`` is a regular expression searched anywhere in the line.
    """
    if not text:
        return None
    if text.startswith(REGEX_PREFIX):
        pattern = text[len(REGEX_PREFIX) :]
        if not pattern:
            return None
        try:
            regex = re.compile(pattern)
        except re.error as error:
            raise BadFilter(f"bad regular expression {pattern!r}: {error}") from None
        return lambda line: regex.search(line) is not None
    if text.islower():
        needle = text.casefold()
        return lambda line: needle in line.casefold()
    return lambda line: text in line


@dataclass(frozen=True)
class LogFilter:
    """A text filter and a process filter; both must match for a line to show."""

    text: str = ""
    pid: int | None = None
    process_name: str = ""
    matcher: Callable[[str], bool] | None = None

    @classmethod
    def make(cls, text: str = "", pid: int | None = None, process_name: str = "") -> LogFilter:
        """Raise BadFilter for an unusable text (a bad regular expression)."""
        return cls(text, pid, process_name, compile_filter(text))

    @property
    def active(self) -> bool:
        return self.matcher is not None or self.pid is not None

    def accepts(self, pid: int, line: str) -> bool:
        if self.pid is not None and pid != self.pid:
            return False
        return self.matcher is None or self.matcher(line)

    def describe(self) -> str:
        parts = []
        if self.matcher is not None:
            parts.append(f"filter {self.text!r}")
        if self.pid is not None:
            parts.append(f"only {printable(self.process_name) or self.pid}")
        return " · ".join(parts)
