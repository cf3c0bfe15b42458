"""Every key of the dashboard, in one place: the bindings and the help screen's table.

A test checks that each binding appears in :data:`HELP`, so the help screen cannot drift
from what the keys really do.
"""

from __future__ import annotations

from textual.binding import Binding

DASHBOARD_BINDINGS = [
    Binding("r", "run", "Run"),
    Binding("s", "stop", "Stop"),
    Binding("k", "kill", "Kill"),
    Binding("t", "stacks", "Stacks", show=False),
    Binding("slash", "filter_log", "Filter", key_display="/"),
    Binding("p", "pause_log", "Pause"),
    Binding("e", "edit_settings", "Settings"),
    Binding("m", "cycle_start_method", "Method"),
    Binding("question_mark", "help", "Help", key_display="?"),
    Binding("f", "follow_log", "Follow log", show=False),
    Binding("c", "clear_log", "Clear log", show=False),
    Binding("o", "only_process", "Only this process", show=False),
    Binding("tab", "next_panel", "Next panel", show=False),
    Binding("shift+tab", "previous_panel", "Previous panel", show=False),
    *[Binding(str(n), f"lesson({n})", f"Lesson {n}", show=False) for n in range(1, 10)],
    Binding("0", "lesson(0)", "Your script", show=False),
]
"""Keys of the dashboard screen (inactive while a dialog is open)."""

REPLAY_BINDINGS = [
    Binding("space", "play_pause", "Play/Pause", key_display="space"),
    Binding("n", "step_event", "Step"),
    Binding("N", "step_batch", "Step batch", show=False, key_display="N"),
    Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
    Binding("minus", "slower", "Slower", key_display="-"),
    Binding("less_than_sign", "seek_start", "Start", key_display="<"),
    Binding("greater_than_sign", "seek_end", "End", key_display=">"),
    # On a recording these only say why they do nothing; out of the footer to make room.
    Binding("s", "stop", "Stop", show=False),
    Binding("k", "kill", "Kill", show=False),
    Binding("e", "edit_settings", "Settings", show=False),
    Binding("m", "cycle_start_method", "Method", show=False),
    Binding("p", "pause_log", "Pause log", show=False),
    Binding("r", "run", "Replay", show=False),
]
"""Keys added (or changed) on the dashboard of ``mptui replay FILE``."""

APP_BINDINGS = [
    Binding("q", "quit", "Quit"),
    Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
]
"""Keys that work everywhere; Ctrl+C quits too (Textual's default only says how to quit)."""

HELP: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    (
        "Run",
        (
            ("Enter", "run the highlighted lesson (in the lesson list)"),
            ("1-9", "run lesson 1 to 9 (0: your script, if you gave one)"),
            ("r", "run the highlighted lesson again, with its settings"),
            ("s", "stop the program: SIGINT (as Ctrl+C would), then SIGTERM, then SIGKILL"),
            ("k", "kill the selected process (asks first: SIGTERM or SIGKILL)"),
            ("t", "the Python stacks of the selected process, every thread (py-spy or agent)"),
            ("e", "edit the highlighted lesson's settings (workers, items, times...)"),
            ("m", "cycle the start method for the next run: fork, spawn, forkserver"),
        ),
    ),
    (
        "Log",
        (
            ("/", "filter: text (lower case ignores case), or re:regex; empty clears"),
            ("o", "only the selected process's lines (again: everyone's)"),
            ("p", "pause / resume (lines keep arriving and are counted)"),
            ("f", "follow the end of the log on / off"),
            ("c", "clear the log view"),
        ),
    ),
    (
        "Move",
        (
            ("Tab / Shift+Tab", "next / previous panel (switches tabs on small screens)"),
            ("↑ ↓ / j k", "move in the lesson list; ↑ ↓ in the tables"),
            ("← →", "scroll a wide table sideways"),
            ("PgUp PgDn Home End", "scroll the log and the source"),
            ("Enter", "on a process: only its log lines (like o)"),
        ),
    ),
    (
        "Replay",
        (
            ("space", "play / pause (at the end: play again from the start)"),
            ("n / N", "step one event / one batch (what the collector delivered at once)"),
            ("+ / -", "faster / slower: 0.25x, 0.5x, 1x, 2x, 4x, 8x"),
            ("< / >", "go to the start / the end of the recording"),
            ("r / Enter", "replay from the start"),
            ("s k e m", "nothing: a replay shows what happened, it cannot stop or kill"),
        ),
    ),
    (
        "App",
        (
            ("?", "this help"),
            ("Ctrl+P", "command palette: every action, every lesson, themes"),
            ("q / Ctrl+C", "quit (stops the program first)"),
            ("Esc", "close a dialog or the filter"),
        ),
    ),
)
"""Sections of the help screen: (title, ((keys, what they do), ...))."""
