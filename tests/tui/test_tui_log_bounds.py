"""The log panel's work per line is bounded: a displayed line is cut at SHOWN_CHARS with a
marker saying how much was left out, and highlighting, filtering and formatting are
linear in what they are given.

The linearity tests time nothing: each gives a million characters to a step under a
generous timeout. A linear step takes well under a second; a quadratic one (as the old
``\\w+Error:`` highlighter was: 16 s for 64k characters) would need hours.
"""

from __future__ import annotations

import pytest
from rich.text import Text

from mptui import events as ev
from mptui.engine.store import LOG_TEXT_CHARS, Store
from mptui.engine.views import LogLine
from mptui.tui.log_filter import LogFilter, compile_filter
from mptui.tui.widgets.log_panel import (
    NAME_WIDTH,
    SHOWN_CHARS,
    LogHighlighter,
    cut_marker,
    format_line,
)

MILLION = 1_000_000
PREFIX = NAME_WIDTH + 3  # "name         │ "


def log_line(text: str, name: str = "worker-1", length: int = -1) -> LogLine:
    return LogLine(1, 7, name, "stdout", text, 0, False, length)


def styles(text: str, highlighter: LogHighlighter) -> set[str]:
    rich_text = Text(text)
    highlighter.highlight(rich_text)
    return {str(span.style) for span in rich_text.spans}


def test_program_text_in_a_log_line_is_shown_escaped():
    line = log_line("\x1b]2;PWNED\x07\x1b[31mred\x1b[0m\ttab\udcff", name="a\nb\x1b[31m")
    # The name is escaped before it is cut to NAME_WIDTH (12) characters.
    assert format_line(line) == "a\\nb\\x1b[31m │ \\x1b]2;PWNED\\x07red     tab\\xff"


def test_a_line_the_store_cut_ends_with_a_marker_counting_what_is_left_out():
    store = Store()
    store.apply({"kind": ev.LINE, "pid": 7, "stream": "stdout", "text": "A" * 20_000, "t": 0})
    (line,) = store.log_since(0).lines
    assert line.cut == 20_000 - LOG_TEXT_CHARS
    shown = format_line(line)
    assert shown == f"{line.name:<{NAME_WIDTH}} │ " + "A" * SHOWN_CHARS + cut_marker(18_000)
    assert shown.endswith(" … [+18,000 characters; whole line in --headless]")


def test_a_line_long_only_once_escaped_is_cut_too_and_counts_the_programs_characters():
    # 1,500 ESCs are 6,000 characters once escaped: 500 fit, 1,000 are left out.
    shown = format_line(log_line("\x1b" * 1_500))
    assert shown[PREFIX:] == "\\x1b" * 500 + cut_marker(1_000)
    # Both cuts add up: the Store's and the panel's.
    shown = format_line(log_line("\x1b" * LOG_TEXT_CHARS, length=5_000))
    assert shown[PREFIX:] == "\\x1b" * 500 + cut_marker(5_000 - 500)


def test_the_marker_is_dimmed_and_does_not_colour_the_line():
    highlighter = LogHighlighter()
    plain = format_line(log_line("fine", length=LOG_TEXT_CHARS + 5))
    assert "dim" in styles(plain, highlighter)
    assert "bold red" not in styles(plain, highlighter)
    assert "bold red" in styles(format_line(log_line("ValueError: bad")), highlighter)
    assert "bold red" not in styles(format_line(log_line("Error: at the start")), highlighter)


@pytest.mark.timeout(20)
@pytest.mark.parametrize(
    "text",
    ["A" * MILLION, "0123456789abcdef" * (MILLION // 16), "A" * MILLION + "Error:"],
    ids=["word run", "hex", "word run then Error:"],
)
def test_highlighting_a_million_word_characters_is_linear(text):
    highlighter = LogHighlighter()
    line = f"{'worker-1':<{NAME_WIDTH}} │ {text}"
    found = styles(line, highlighter)
    assert ("bold red" in found) == text.endswith("Error:")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("text", ["A" * MILLION, "\x1b" * MILLION, "A" * MILLION + "\r" * MILLION])
def test_formatting_a_million_character_line_is_linear_and_bounded(text):
    shown = format_line(log_line(text))
    assert len(shown) <= PREFIX + SHOWN_CHARS + len(cut_marker(len(text)))


@pytest.mark.timeout(20)
@pytest.mark.parametrize("pattern", ["error", "Error", "re:Error:", r"re:(?<=\w)Error:", "re:A$"])
def test_filtering_a_million_character_line_is_linear(pattern):
    line = "A" * MILLION
    assert compile_filter(pattern)(line) is (pattern == "re:A$")
    assert LogFilter.make(pattern).accepts(7, line) is (pattern == "re:A$")


async def test_the_panel_shows_a_huge_line_cut_with_its_marker(make_app, settled):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.dashboard.log_panel
        panel.add_lines([log_line("B" * MILLION), log_line("\x1b]52;c;eA==\x07 after")])
        panel.flush(force=True)
        await settled(pilot)
        *_, huge, osc = panel.log_view.lines
        assert huge.endswith(cut_marker(MILLION - SHOWN_CHARS))
        assert len(huge) == PREFIX + SHOWN_CHARS + len(cut_marker(MILLION - SHOWN_CHARS))
        assert osc.endswith("│ \\x1b]52;c;eA==\\x07 after")


async def test_the_panel_and_its_view_keep_a_bounded_number_of_characters(make_app, settled):
    """Ten thousand lines of 2,000 four-byte characters: the panel keeps what fits in
    PANEL_CHARS, and the Log view no more lines than the panel."""
    from mptui.tui.widgets.log_panel import PANEL_CHARS

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        panel = app.dashboard.log_panel
        for _ in range(10):
            panel.add_lines([log_line("\U0001f600" * LOG_TEXT_CHARS)] * 1000)
            panel.flush(force=True)
        await settled(pilot)
        kept = list(panel._entries)
        assert sum(len(text) for _, text in kept) <= PANEL_CHARS
        assert len(kept) < 1000  # a line count alone would have kept 5,000
        assert panel.log_view.line_count <= len(kept)
