"""The dashboard in a real terminal (a pty) on a program whose text attacks the terminal.

tests/programs/hostile.py runs under ``mptui run`` from a file whose name holds an OSC
sequence, with arguments holding more; its child's name and the lines both processes
print hold every C0 and C1 control, OSC 0/2/52, CSI clear-screen/alternate-screen/mouse,
DCS, bidi controls and bytes that are not UTF-8. Every byte mptui writes to the terminal
is read back: none of the program's sequences may be among them (each payload follows a
distinctive tag, so the program's ``\\x1b[?1049h`` is told from Textual's own), and the
escaped forms must be what the screen shows instead.

Also here: the dashboard's notices and dialogs do not read a process name as markup.
"""

from __future__ import annotations

import importlib.util
import pathlib
import re
import shutil
import signal
import unicodedata

import pytest
from pty_terminal import Terminal
from textual.widgets import Static
from textual.widgets._toast import Toast

from mptui.tui.screens.kill_screen import KillScreen

PROGRAM = pathlib.Path(__file__).parents[1] / "programs" / "hostile.py"
FILE_NAME = "evil\x1b]2;PWN-FILE\x07[b].py"
_spec = importlib.util.spec_from_file_location("hostile_program", PROGRAM)
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# What the program's lines look like on screen (the C0 and C1 lines are longer than the
# log is wide, so only their start is looked for).
SHOWN = {
    "OSC0": r"\x1b]0;PWN-OSC0\x07",
    "OSC2": "\\x1b]2;PWN-OSC2\\x1b\\",
    "OSC52": r"\x1b]52;c;UFdOLU9TQzUy\x07",
    "OSC52ST": "\\x1b]52;p;UFdOLU9TQzUy\\x1b\\",
    "CLEAR": r"\x1b[2J\x1b[H",
    "ALT": r"\x1b[?1049h",
    "MOUSE": r"\x1b[?1000h\x1b[?1006h",
    "DCS": "\\x1bPqPWN-DCS\\x1b\\",
    "BIDI": r"\u202eevil\u202c \u2066iso\u2069 \u200fmark",
    "C0": r"\x00\x01\x02\x03\x04\x05\x06\x07\x08",
    "C1": r"\u0080\u0081\u0082\u0083\u0084",
    "CSI8": r"\u009b2J\u009d2;PWN-C1\u009c",
}


@pytest.mark.timeout(90)
def test_no_sequence_of_the_program_reaches_the_terminal(tmp_path):
    script = tmp_path / FILE_NAME
    shutil.copy(PROGRAM, script)
    last_line = b"parent TAG-CSI8 "  # the program's last payload line
    # The program lingers, so its processes are seen in the table while it runs. Tall
    # enough for the log to hold every line of the program at once: the log draws only
    # what fits, so on a busy machine, where all lines can arrive in one frame, a shorter
    # log would never draw the first ones and the test would find them missing.
    terminal = Terminal(["run", str(script), *hostile.ARGV], size=(160, 100),
                        env={"HOSTILE_LINGER": "2"})  # fmt: skip
    try:
        out = terminal.read(40, until=lambda seen: last_line in seen)
        assert last_line in out, "the program's last line was never shown"
        out += terminal.read(3.0)  # the tables, then the summary
        terminal.type(b"q")
        out += terminal.read(5.0)
    finally:
        terminal.close()

    screen = out.decode("utf-8")  # strict: no raw byte of the program got through
    unsafe = {char for char in screen if unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")}
    assert unsafe <= {"\x1b", "\r", "\n", "\x07"}, sorted(map(repr, unsafe))
    assert not [char for char in screen if char in BIDI]
    # The only OSC strings are Textual's own (its BEL included); no DCS, APC, PM or SOS.
    oscs = re.findall(rb"\x1b\]([^\x07\x1b]*)", out)
    assert not [body for body in oscs if b"PWN" in body or body.startswith(b"52;")], oscs
    assert len(re.findall(rb"\x1b\][^\x07\x1b]*\x07", out)) == out.count(b"\x07")
    assert not re.search(rb"\x1b[P_^X]", out)
    for tag, payload in hostile.PAYLOADS.items():
        for who in ("child", "parent"):
            assert f"{who} TAG-{tag} {payload}".encode() not in out, (who, tag)
            assert f"{who} TAG-{tag} {SHOWN[tag]}".encode() in out, (who, tag)
    # The child's name in the process table and the log, the labels of its Lock and
    # Queue (made from the file name), and the script's arguments in the header.
    assert rb"w\x1b]2;PWN-NAME\x07\x1b[31m[bold]\n\r\t\u202eX\u009b" in out
    assert rb"evil\x1b]2;PWN-FILE\x07[b].py:" in out
    assert rb"arg\x1b]2;PWN-ARGV\x07 two\nlines \u202eRTL" in out


NAME = "[bold]x[/] [@click=app.quit]y[/] [$accent]z\x1b]2;T\x07"
SHOWN_NAME = "[bold]x[/] [@click=app.quit]y[/] [$accent]z\\x1b]2;T\\x07"


def visible_text(widget: Static) -> str:
    return str(widget.render())


async def test_notices_and_the_kill_dialog_show_a_process_name_as_it_is(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        app.signal_process(424242, NAME, signal.SIGTERM)  # no run: "not running any more"
        await pilot.pause(0.2)
        toasts = [visible_text(toast) for toast in app.screen.query(Toast)]
        assert any(f"{SHOWN_NAME} (pid 424242) is not running" in text for text in toasts)
        app.push_screen(KillScreen(NAME, 424242))
        await pilot.pause()
        question = visible_text(app.screen.query_one("#kill-question", Static))
        assert f"Send a signal to {SHOWN_NAME} (pid 424242)?" in question
