"""The program's text never takes over the terminal: headless text shows it escaped, JSON
carries it exactly.

The program (tests/programs/hostile.py) is run as a user would, ``mptui run FILE ARGS``,
from a file whose name holds an OSC sequence, with arguments that hold more; its child
process's name and the lines both processes print hold every C0 and C1 control, OSC 0/2/52,
CSI clear-screen/alternate-screen/mouse, DCS, bidi controls and bytes that are not UTF-8.
"""

from __future__ import annotations

import importlib.util
import io
import json
import pathlib
import shutil
import subprocess
import sys
import unicodedata

import pytest

from mptui import events as ev
from mptui.engine.store import Store
from mptui.headless import JsonPrinter, LinePrinter

PROGRAM = pathlib.Path(__file__).parents[1] / "programs" / "hostile.py"
FILE_NAME = "evil\x1b]2;PWN-FILE\x07[b].py"
_spec = importlib.util.spec_from_file_location("hostile_program", PROGRAM)
hostile = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(hostile)

# What a terminal must never receive from the program (independent of mptui.text).
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


MPTUI_RUN = [sys.executable, "-m", "mptui", "run"]


def unsafe(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("Cc", "Cs", "Zl", "Zp") or char in BIDI


@pytest.fixture
def hostile_script(tmp_path: pathlib.Path) -> pathlib.Path:
    script = tmp_path / FILE_NAME
    shutil.copy(PROGRAM, script)
    return script


def run_mptui(script: pathlib.Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*MPTUI_RUN, *options, "--python", sys.executable, str(script), *hostile.ARGV],
        capture_output=True,
        timeout=120,
    )


@pytest.mark.timeout(150)
def test_headless_text_shows_the_programs_text_escaped_and_sends_none_of_it(hostile_script):
    result = run_mptui(hostile_script, "--headless")
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    out = result.stdout.decode("utf-8")  # strict: no raw byte of the program gets through
    lines = out.split("\n")
    bad = {repr(char) for char in out if unsafe(char) and char != "\n"}
    assert not bad, f"unsafe characters in the headless output: {sorted(bad)}"

    # Each line, escaped, after its process's escaped name (the child speaks on stdout,
    # the parent on stderr).
    child = r"w\x1b]2;PWN-NAME\x07\x1b[31m[bold]\n\r\t\u202eX\u009b"
    assert any(line.startswith(child + " | child TAG-OSC0") for line in lines)
    expected = {
        "OSC0": r"\x1b]0;PWN-OSC0\x07",
        "OSC2": "\\x1b]2;PWN-OSC2\\x1b\\",
        "OSC52": r"\x1b]52;c;UFdOLU9TQzUy\x07",
        "OSC52ST": "\\x1b]52;p;UFdOLU9TQzUy\\x1b\\",
        "CLEAR": r"\x1b[2J\x1b[H",
        "ALT": r"\x1b[?1049h",
        "MOUSE": r"\x1b[?1000h\x1b[?1006h",
        "DCS": "\\x1bPqPWN-DCS\\x1b\\",
        "BIDI": r"\u202eevil\u202c \u2066iso\u2069 \u200fmark",
        # The tab goes to the next stop of 8 counted from the start of the program's
        # line: column 56 after "child TAG-C0 " and nine escapes.
        "C0": r"\x00\x01\x02\x03\x04\x05\x06\x07\x08       \x0b\x0c\x0e\x0f\x10\x11\x12"
        r"\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f",
        "C1": "".join(f"\\u{code:04x}" for code in range(0x80, 0xA0)),
        "CSI8": r"\u009b2J\u009d2;PWN-C1\u009c",
    }
    assert set(expected) == set(hostile.PAYLOADS)
    for tag, shown in expected.items():
        assert f"{child} | child TAG-{tag} {shown} END" in lines, tag
        # The parent's name is short: the prefix is padded to the widest name.
        parent = [line for line in lines if f"! parent TAG-{tag} " in line]
        if tag == "C0":  # "parent" is one letter longer: the tab stop is one space nearer
            shown = shown.replace("\\x08       ", "\\x08      ")
        assert parent and parent[0].endswith(f"! parent TAG-{tag} {shown} END"), tag
    # A carriage return overwrites, as on a terminal.
    assert any(line.endswith("| child TAG-PROGRESS 100%") for line in lines)
    # Bytes that are not UTF-8: shown as \xNN (the collector keeps them exactly), never
    # raw and never replaced by U+FFFD (which would lose them).
    bytes_line = next(line for line in lines if "child TAG-BYTES" in line)
    assert bytes_line.endswith(r"TAG-BYTES \xff\xfe\xc3 END")
    # The program's argv as it printed it (repr) and the summary's title and labels.
    assert r"""argv: ['arg\x1b]2;PWN-ARGV\x07', 'two\nlines', '\u202eRTL']""" in out
    summary = lines[lines.index(next(line for line in lines if line.startswith("== "))) :]
    assert summary[0].startswith(r"== evil\x1b]2;PWN-FILE\x07[b].py")
    assert any(line.startswith(f"  {child}  pid ") for line in summary)
    # Objects are named by the variable they were assigned to, and where.
    assert any(r"(evil\x1b]2;PWN-FILE\x07[b].py:" in line and "(Lock)" in line
               for line in summary)  # fmt: skip
    assert any(r"(evil\x1b]2;PWN-FILE\x07[b].py:" in line and "(Queue)" in line
               for line in summary)  # fmt: skip
    assert summary[-2] == "result: ok"


@pytest.mark.timeout(150)
def test_json_carries_the_programs_exact_text(hostile_script):
    result = run_mptui(hostile_script, "--json")
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert result.stdout.isascii()  # json.dumps escapes every control and non-ASCII
    events = [json.loads(line) for line in result.stdout.decode().splitlines()]
    texts = {(e["stream"], e["text"]) for e in events if e["kind"] == ev.LINE}
    for tag in hostile.PAYLOADS:
        assert ("stdout", f"child {hostile.line(tag)}") in texts, tag
        assert ("stderr", f"parent {hostile.line(tag)}") in texts, tag
    # A line rewritten with \r comes as a terminal shows it once its newline came.
    assert ("stdout", "child TAG-PROGRESS 100%") in texts
    assert not any("TAG-PROGRESS 10%" in text for _, text in texts)
    # Bytes that are not UTF-8 come as the lone surrogates of surrogateescape: exact.
    undecodable = [text for stream, text in texts if "TAG-BYTES" in text]
    assert {t.encode("utf-8", "surrogateescape") for t in undecodable} == {
        b"child " + hostile.INVALID_UTF8,
        b"parent " + hostile.INVALID_UTF8,
    }
    summary = events[-1]
    assert summary["kind"] == "summary"
    assert hostile.CHILD_NAME in {p["name"] for p in summary["processes"]}
    labels = {lock["label"] for lock in summary["locks"]} | {q["label"] for q in summary["queues"]}
    assert all(f"({FILE_NAME}:" in label for label in labels) and len(labels) == 2


def _store_with(pid: int, name: str) -> Store:
    store = Store()
    store.apply({"kind": ev.STARTED, "pid": pid, "name": name, "start_method": "fork", "t": 1})
    return store


def test_headless_writer_escapes_undecodable_bytes_and_never_fails_on_them():
    # What the collector gives for the bytes b"ok \xff\xfe" with errors="surrogateescape".
    text = b"ok \xff\xfe \x1b]2;x\x07".decode("utf-8", "surrogateescape")
    store = _store_with(7, "w\udcff")
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="utf-8", errors="strict", write_through=True)
    batch = [{"kind": ev.LINES, "pid": 7, "stream": "stdout", "texts": [text], "t": 2}]
    LinePrinter(store, out)(batch)
    assert raw.getvalue().decode() == "w\\xff" + " " * 7 + " | ok \\xff\\xfe \\x1b]2;x\\x07\n"
    # JSON keeps the undecodable bytes as the surrogates they were decoded to: exact.
    raw.seek(0)
    raw.truncate()
    JsonPrinter(store, out)(batch)
    assert json.loads(raw.getvalue())["text"] == text
