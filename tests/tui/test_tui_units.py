"""The dashboard's pure parts: formatting numbers, filters, layout, keys."""

from __future__ import annotations

import pytest
from rich.text import Text

from mptui import format as fmt
from mptui.engine.views import LogLine
from mptui.tui import layout
from mptui.tui.keys import APP_BINDINGS, DASHBOARD_BINDINGS, HELP, REPLAY_BINDINGS
from mptui.tui.log_filter import BadFilter, LogFilter, compile_filter
from mptui.tui.screens.replay_dashboard import position_text, speed_text
from mptui.tui.widgets.log_panel import LogHighlighter, format_line


def test_formats_fit_their_columns():
    assert fmt.duration_ns(None) == "-"
    assert fmt.duration_ns(850_000) == "850µs"
    assert fmt.duration_ns(12_345_678) == "12.3ms"
    assert fmt.duration_ns(1_200_000_000) == "1.20s"
    assert fmt.seconds(125) == "2m05s"
    assert fmt.size(31_000_000) == "29.6M"
    assert fmt.rate(0) == "0" and fmt.rate(7.52) == "7.5" and fmt.rate(12_345) == "12.3k"
    assert fmt.count(1234) == "1,234" and fmt.count(2_500_000) == "2.5M"
    assert fmt.sparkline([0, 1, 2, 4], 3) == "▃▅█"
    assert fmt.sparkline([0, 0], 5) == "▁▁"


def test_filters_substring_smart_case_regex_and_bad_regex():
    lower = compile_filter("error")
    assert lower("An ERROR here") and not lower("fine")
    upper = compile_filter("Error")
    assert upper("Error: x") and not upper("error: x")
    regex = compile_filter("re:round [12]: end$")
    assert regex("worker 1 round 2: end") and not regex("worker 1 round 3: end")
    assert compile_filter("") is None and compile_filter("re:") is None
    with pytest.raises(BadFilter, match="bad regular expression"):
        compile_filter("re:([")
    only = LogFilter.make("begin", pid=7, process_name="w")
    assert only.accepts(7, "x begin") and not only.accepts(8, "x begin")
    assert only.describe() == "filter 'begin' · only w"


def test_log_line_prefix_and_highlighting():
    line = LogLine(1, 7, "worker-1", "stderr", "\x1b[33mWARNING: disk\x1b[0m", 0)
    text = format_line(line)
    assert text == "worker-1     ┃ WARNING: disk"
    highlighter = LogHighlighter()
    highlighter.color_for("worker-1")
    rich_text = Text(text)
    highlighter.highlight(rich_text)
    styles = {str(span.style) for span in rich_text.spans}
    assert {"cyan", "red", "bold yellow"} <= styles


def test_layout_modes_by_size():
    assert layout.choose_mode(40, 12) == "tiny"
    assert layout.choose_mode(80, 24) == "compact"
    assert layout.choose_mode(120, 40) == "medium"
    assert layout.choose_mode(160, 48) == "full"
    for mode in ("full", "medium", "compact"):
        assert set(layout.tab_order(mode)) == set(layout.PANELS)  # every panel reachable


def test_every_binding_is_in_the_help_screen():
    helped = " ".join(keys for _, rows in HELP for keys, _ in rows)
    for binding in DASHBOARD_BINDINGS + APP_BINDINGS + REPLAY_BINDINGS:
        shown = binding.key_display or binding.key
        if shown.isdigit():
            assert "1-9" in helped and "0" in " ".join(w for _, r in HELP for _, w in r)
            continue
        label = {"tab": "Tab", "shift+tab": "Shift+Tab", "ctrl+c": "Ctrl+C"}.get(shown, shown)
        assert label in helped, f"{binding.key} is missing from the help screen"


def test_replay_keys_do_not_take_a_dashboard_key_for_something_else():
    live = {b.key: b.action for b in DASHBOARD_BINDINGS + APP_BINDINGS}
    for binding in REPLAY_BINDINGS:
        for key in binding.key.split(","):
            # Rebinding a live key is allowed only to the same action (to explain itself).
            assert live.get(key, binding.action) == binding.action, key


def test_replay_position_and_speed_texts():
    assert position_text(0) == "0.0s"
    assert position_text(3_249_000_000) == "3.2s"
    assert position_text(65_300_000_000) == "1m05.3s"
    assert position_text(-5) == "0.0s"
    assert [speed_text(s) for s in (0.25, 1.0, 8.0)] == ["0.25x", "1x", "8x"]
