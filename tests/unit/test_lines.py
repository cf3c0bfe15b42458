"""The bytes of a stream made into lines as a terminal shows them (mptui.engine.lines)."""

from __future__ import annotations

import pytest

from mptui import events as ev
from mptui.engine.lines import LINE_LIMIT, PENDING_CHARS, LineAssembler, overlay


def feed(*chunks: bytes, close: bool = False, pending: bool = False) -> list[dict]:
    """The events of a stream given ``chunks`` (then EOF if ``close``); with ``pending``,
    what the collector publishes after each chunk too."""
    stream, batch = LineAssembler(7, "stderr"), []
    for chunk in chunks:
        stream.feed(chunk, batch)
        if pending:
            stream.pending(batch)
    if close:
        stream.close(batch)
    return batch


def texts(events: list[dict]) -> list[str]:
    """Every line delivered, in order (pieces as they came)."""
    out = []
    for e in events:
        if e["kind"] == ev.LINES:
            out += e["texts"]
        elif e["kind"] == ev.LINE:
            out.append(e["text"])
    return out


@pytest.mark.parametrize(
    ("written", "shown"),
    [
        ("plain", "plain"),
        ("10%\r100%", "100%"),  # a progress bar: the last state
        ("hello\rJ", "Jello"),  # what sticks out of the earlier text stays
        ("abc\r", "abc"),  # back to the start, then the newline: nothing overwritten
        ("abc\r\r", "abc"),
        ("\rbar 50%\r          \rnext", "next"),  # wiped with blanks: no blanks kept
        ("long text\rshort\r", "shorttext"),
        ("\x1b[32m50%\x1b[0m\r\x1b[32m100%\x1b[0m", "100%"),  # colours of a rewritten line go
        ("\x1b[31mred\x1b[0m", "\x1b[31mred\x1b[0m"),  # kept where nothing was rewritten
    ],
)
def test_overlay_is_what_a_terminal_shows(written, shown):
    assert overlay(written) == shown


def test_overlay_on_what_the_line_showed_before():
    assert overlay("ab", "12345") == "ab345"
    assert overlay("", "12345") == "12345"


def test_lines_of_a_chunk_come_in_one_event_in_order():
    events = feed(b"one\ntwo\nthr", b"ee\nfour\n")
    assert [e["kind"] for e in events] == [ev.LINES, ev.LINES]
    assert texts(events) == ["one", "two", "three", "four"]
    assert all(e["pid"] == 7 and e["stream"] == "stderr" for e in events)


def test_crlf_ends_a_line_and_a_bare_cr_rewrites_it():
    assert texts(feed(b"dos\r\nline\r\n")) == ["dos", "line"]
    assert texts(feed(b"a 10%\ra 20%", b"\ra 30%\r", b"a 100%\n")) == ["a 100%"]


def test_a_bar_split_anywhere_across_chunks_gives_the_same_line():
    data = b"".join(f"\rstep {i:3d}/100 |{'#' * (i // 10):<10}|".encode() for i in range(101))
    data += b"\ndone\n"
    for size in (1, 2, 3, 7, 64, len(data)):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        assert texts(feed(*chunks)) == ["step 100/100 |##########|", "done"], size


def test_a_bar_is_published_as_pending_while_it_runs_then_as_its_line():
    events = feed(b"\r 10% |#", b"   |", b"\r 20% |##  |", b"\r100% |####|\n", pending=True)
    pending = [e["text"] for e in events if e["kind"] == ev.PENDING]
    assert pending == [" 10% |#", " 10% |#   |", " 20% |##  |"]
    assert events[-1]["kind"] == ev.LINES and events[-1]["texts"] == ["100% |####|"]


def test_pending_is_published_only_when_it_changed_and_only_for_rewritten_lines():
    stream, batch = LineAssembler(7, "stdout"), []
    stream.feed(b"waiting", batch)
    stream.pending(batch)
    assert batch == []  # a partial line is not a bar: it waits for its newline
    stream.feed(b"\rnow 1", batch)
    stream.pending(batch)
    stream.pending(batch)
    assert [e["text"] for e in batch] == ["now 1ng"]  # over "waiting"


def test_pending_leaves_out_a_character_cut_by_the_chunk():
    stream, batch = LineAssembler(7, "stdout"), []
    stream.feed(b"\rcaf" + "\u00e9".encode()[:1], batch)
    stream.pending(batch)
    assert batch[-1]["text"] == "caf"
    stream.feed("\u00e9".encode()[1:] + b"\n", batch)
    assert batch[-1]["texts"] == ["caf\u00e9"]


def test_pending_text_is_bounded():
    stream, batch = LineAssembler(7, "stdout"), []
    stream.feed(b"\r" + b"x" * 100_000, batch)
    stream.pending(batch)
    assert len(batch[-1]["text"]) == PENDING_CHARS


def test_a_rewritten_last_line_is_delivered_as_shown_at_eof():
    events = feed(b"start\n\rloading 50%\rloading 99%", close=True)
    assert texts(events) == ["start", "loading 99%"]
    assert events[-1]["partial"] is True
    events = feed(b"\rwiped out\r", close=True)
    assert texts(events) == ["wiped out"] and events[-1]["partial"] is True


def test_nothing_pending_at_eof_gives_no_line():
    assert [e["kind"] for e in feed(b"whole\n", close=True)] == [ev.LINES]


def test_bytes_that_are_not_utf8_are_kept_exactly():
    (text,) = texts(feed(b"ok \xff\xfe \xe2\x82\n"))
    assert text.encode("utf-8", "surrogateescape") == b"ok \xff\xfe \xe2\x82"


def test_a_line_over_the_limit_comes_in_pieces_that_join_to_it():
    line = "\u00e9" * (LINE_LIMIT + 5)  # two bytes a character: cuts between characters
    data = line.encode() + b"\nnext\n"
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    pieces = []  # (text, continues): a piece, or a whole line of a lines event
    for e in feed(*chunks):
        if e["kind"] == ev.LINE:
            pieces.append((e["text"], bool(e.get("continues"))))
        else:
            pieces += [(text, False) for text in e["texts"]]
    assert [continues for _, continues in pieces] == [True, True, False, False]
    assert "".join(text for text, _ in pieces[:3]) == line and pieces[3][0] == "next"
    assert all(len(text.encode()) <= LINE_LIMIT for text, _ in pieces)
