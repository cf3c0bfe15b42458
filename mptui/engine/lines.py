"""The bytes of one output stream, made into lines as a terminal shows them.

The collector reads a process's stdout or stderr in chunks and hands each chunk to the
stream's :class:`LineAssembler`, which appends events to the collector's batch:

* ``lines``: the complete lines of the chunk, one event per chunk (never one per line: a
  flood is millions of lines a second), decoded once, split once;
* ``line`` with ``continues``: a piece of a line over :data:`LINE_LIMIT` bytes, so no line
  is held (or grows mptui's memory) without bound and none is lost; the piece that ends
  the line has no ``continues``;
* ``line`` with ``partial``: the unfinished last line of a stream that closed;
* ``pending``: the text of a line being rewritten with carriage returns (a progress bar),
  as it stands now, so the dashboard can show it live (see :meth:`LineAssembler.pending`).

A carriage return sends the cursor back to the start of the line and what follows
overwrites what was there: ``"10%\\r100%\\n"`` is the line ``"100%"``, ``"hello\\rJ\\n"`` is
``"Jello"``, and ``"\\r\\n"`` ends a line like ``"\\n"`` (see :func:`overlay`). A line is
delivered once, with the text a terminal would show when its newline came.

Bytes that are not UTF-8 are kept exactly, as lone surrogates (surrogateescape): JSON
carries them, the front ends show them as ``\\xNN``. Splitting at a newline or a carriage
return never cuts a UTF-8 character.
"""

from __future__ import annotations

import re
import time

from mptui import events as ev

LINE_LIMIT = 1 << 20
"""The line limit, in bytes: a longer line is delivered in pieces of this size, each but the
last marked ``continues``, so no line is held (or grows mptui's memory) without bound and
none is lost. Headless and JSON output carry every piece whole; the dashboard shows the
first 2,000 characters of each (mptui.engine.store.LOG_TEXT_CHARS). A chunk fed at once
must be no longer than this (the collector reads 64 KiB at a time)."""
PENDING_CHARS = 2_000
"""Characters of a pending line that are published (the dashboard shows no more); the whole
line comes when it ends."""

_SGR = re.compile(r"\x1b\[[0-9;:]*m")


def overlay(text: str, under: str | None = None) -> str:
    """What a terminal shows of ``text`` written from the start of a line holding ``under``:
    each carriage return goes back to the start, and what follows overwrites what was there.

    Earlier text shows only where it sticks out past everything written after it; if what
    sticks out is only blanks (a bar wiped with spaces) it is dropped, as a terminal shows
    nothing there. Colours (SGR sequences) are removed from a rewritten line, since they
    take no columns and would otherwise be cut in half."""
    if text.endswith("\r"):
        text = text.rstrip("\r")  # back to the start, then nothing: "\r\n" ends a line
    if under is None and "\r" not in text:
        return text
    segments = text.split("\r")
    if under is not None:
        segments.insert(0, under)
    if "\x1b" in text or (under is not None and "\x1b" in under):
        segments = [_SGR.sub("", segment) for segment in segments]
    shown = segments[-1]
    width, rest = len(shown), []
    # From the last segment back, each earlier one adds only what sticks out past all the
    # later ones: every character is looked at once, however many rewrites the line had.
    for segment in reversed(segments[:-1]):
        if len(segment) > width:
            rest.append(segment[width:])
            width = len(segment)
    return shown + "".join(rest).rstrip(" ")


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _decode_partial(data: bytes) -> str:
    """Decode the start of a line that may end inside a UTF-8 character: the incomplete
    character (the rest comes with the next chunk) is left out."""
    text = _decode(data)
    cut = len(text)
    while cut > 0 and len(text) - cut < 3 and "\udc80" <= text[cut - 1] <= "\udcff":
        cut -= 1
    return text[:cut]


class LineAssembler:
    """The line being written on one stream of one process, and its events."""

    def __init__(self, pid: int, stream: str) -> None:
        self.pid, self.stream = pid, stream
        self._tail: list[bytes] = []
        """The current line since its last carriage return (or its start), in the chunks it
        came in: joined once when the line ends, not copied with every chunk."""
        self._tail_bytes = 0
        self._shown: str | None = None
        """What the current line shows up to its last carriage return; None if it has none."""
        self._published: str | None = None
        """The pending text last published for this stream (None: no line pending)."""

    def feed(self, chunk: bytes, batch: list[dict]) -> None:
        """Take the next chunk (at most LINE_LIMIT bytes); append its events to ``batch``."""
        end = chunk.rfind(b"\n")
        if end < 0:
            self._extend(chunk, batch)
            return
        if self._tail:
            complete = b"".join(self._tail) + chunk[:end]
            self._tail.clear()
        else:
            complete = chunk[:end]
        self._tail_bytes = 0
        under, self._shown = self._shown, None
        first_end = complete.find(b"\n")
        if (first_end if first_end >= 0 else len(complete)) > LINE_LIMIT:
            # The line that began in earlier chunks is over the limit (rare): in pieces,
            # which overwrite what it showed before its last carriage return.
            self._emit_pieces(complete[:first_end] if first_end >= 0 else complete, batch, True)
            complete = complete[first_end + 1 :] if first_end >= 0 else None
            under = None
        if complete is not None:
            texts = _decode(complete).split("\n")
            if under is not None:
                texts[0] = overlay(texts[0], under)
            if b"\r" in complete:  # rare but for progress bars and \r\n line ends
                texts = [overlay(text) if "\r" in text else text for text in texts]
            batch.append(
                {
                    "kind": ev.LINES,
                    "pid": self.pid,
                    "stream": self.stream,
                    "texts": texts,
                    "t": time.monotonic_ns(),
                }
            )
        self._published = None  # the line that was pending has ended
        rest = chunk[end + 1 :]
        if rest:
            self._extend(rest, batch)

    def _extend(self, data: bytes, batch: list[dict]) -> None:
        """Add ``data`` (no newline in it) to the current line."""
        cr = data.rfind(b"\r")
        if cr >= 0:
            # The line up to this carriage return is settled as shown; the tail restarts.
            head = b"".join(self._tail) + data[:cr] if self._tail else data[:cr]
            self._shown = overlay(_decode(head), self._shown)
            self._tail.clear()
            data = data[cr + 1 :]
            self._tail_bytes = 0
        if data:
            self._tail.append(data)
            self._tail_bytes += len(data)
        if self._tail_bytes > LINE_LIMIT:
            # Over the limit with no newline in sight: deliver whole pieces, keep the rest.
            # What the line showed before its last carriage return is overwritten by them.
            joined = b"".join(self._tail)
            self._tail.clear()
            rest = joined[self._emit_pieces(joined, batch, last=False) :]
            self._tail_bytes = len(rest)
            if rest:
                self._tail.append(rest)
            self._shown = None

    def _emit_pieces(self, data: bytes, batch: list[dict], last: bool) -> int:
        """Emit pieces of ``data`` of LINE_LIMIT bytes while more than that is left, and
        the rest too if ``last`` (it ends the line); return how many bytes were emitted."""
        done = 0
        while len(data) - done > LINE_LIMIT:
            cut = done + LINE_LIMIT
            while cut > done + LINE_LIMIT - 4 and data[cut] & 0xC0 == 0x80:
                cut -= 1  # never inside a UTF-8 character
            self._emit_piece(overlay(_decode(data[done:cut])), batch, continues=True)
            done = cut
        if last:
            self._emit_piece(overlay(_decode(data[done:])), batch, continues=False)
            done = len(data)
        return done

    def _emit_piece(self, text: str, batch: list[dict], continues: bool, **extra) -> None:
        event = {
            "kind": ev.LINE,
            "pid": self.pid,
            "stream": self.stream,
            "text": text,
            "t": time.monotonic_ns(),
        }
        if continues:
            event["continues"] = True
        event.update(extra)
        batch.append(event)

    def pending(self, batch: list[dict]) -> None:
        """Publish the current line if it is being rewritten (it has had a carriage return)
        and it changed since last published: a ``pending`` event with its text as shown
        now. Called once per collector round, so a bar redrawn a million times a second
        costs one event per round, not one per redraw."""
        if self._shown is None:
            return
        data = b"".join(self._tail)
        text = overlay(_decode_partial(data), self._shown)[:PENDING_CHARS]
        if text != self._published:
            self._published = text
            batch.append(
                {
                    "kind": ev.PENDING,
                    "pid": self.pid,
                    "stream": self.stream,
                    "text": text,
                    "t": time.monotonic_ns(),
                }
            )

    def close(self, batch: list[dict]) -> None:
        """The stream has ended: deliver its unfinished last line, marked ``partial``."""
        if not self._tail and self._shown is None:
            return
        data = b"".join(self._tail)
        self._tail.clear()
        self._tail_bytes = 0
        under, self._shown = self._shown, None
        done = self._emit_pieces(data, batch, last=False)
        if done:
            under = None
        text = overlay(_decode(data[done:]), under)
        self._emit_piece(text, batch, continues=False, partial=True)
        self._published = None
