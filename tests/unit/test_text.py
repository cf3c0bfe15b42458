"""mptui.text: program text made printable, with nothing hidden and nothing quadratic.

The forbidden set is written out here again, independently of the module, from the
Unicode categories: a character the module forgets to escape fails the property test.
"""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from mptui.text import TAB_SIZE, clip_line, printable, printable_line

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def forbidden(char: str) -> bool:
    """What must never reach a terminal: controls, surrogates, line separators, bidi."""
    category = unicodedata.category(char)
    return category in ("Cc", "Cs", "Zl", "Zp") or char in BIDI


def assert_safe(shown: str) -> None:
    bad = [char for char in shown if forbidden(char)]
    assert not bad, f"unsafe characters {bad!r} in {shown!r}"


_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|t|n|r)")


def unescape(shown: str) -> str:
    """The inverse of printable() for text without backslashes: proves nothing was lost."""

    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code in ("t", "n", "r"):
            return {"t": "\t", "n": "\n", "r": "\r"}[code]
        value = int(code[1:], 16)
        if code[0] == "x" and value >= 0x80:
            return chr(0xDC00 + value)  # an undecodable byte, as surrogateescape gives it
        return chr(value)

    return _ESCAPE.sub(one, shown)


# ------------------------------------------------------------------ controls, one by one


@pytest.mark.parametrize("code", [*range(0x20), 0x7F])
def test_every_c0_control_and_del_is_escaped(code):
    char = chr(code)
    short = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    expected = short.get(char, f"\\x{code:02x}")
    assert printable(f"a{char}b") == f"a{expected}b"
    line = printable_line(f"a{char}b")
    assert_safe(line)
    if char == "\t":
        assert line == "a" + " " * (TAB_SIZE - 1) + "b"
    elif char == "\r":
        assert line == "b"  # "b" overwrites the "a" at the start of the line
    else:
        assert line == f"a{expected}b"


@pytest.mark.parametrize("code", range(0x80, 0xA0))
def test_every_c1_control_is_escaped_apart_from_raw_bytes(code):
    # \u009b for the C1 control, \x9b for an undecodable byte: the two stay distinct.
    assert printable(chr(code)) == f"\\u{code:04x}"
    assert printable_line(f"x{chr(code)}y") == f"x\\u{code:04x}y"


@pytest.mark.parametrize("char", BIDI + "\u2028\u2029\u200b\ufeff\U000e0041")
def test_bidi_separators_and_invisible_characters_are_escaped(char):
    code = ord(char)
    expected = f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
    assert printable(f"abc{char}def") == f"abc{expected}def"
    assert printable_line(f"abc{char}def") == f"abc{expected}def"


def test_undecodable_bytes_show_as_the_bytes():
    raw = b"ok \xff\xfe \x80 caf\xc3\xa9 \xc3"  # invalid UTF-8 around a valid e-acute
    text = raw.decode("utf-8", "surrogateescape")
    assert printable_line(text) == "ok \\xff\\xfe \\x80 café \\xc3"
    assert printable(text) == "ok \\xff\\xfe \\x80 café \\xc3"
    for code in range(0xDC80, 0xDD00):  # every byte surrogateescape can make
        assert printable(chr(code)) == f"\\x{code - 0xDC00:02x}"
    assert printable("\ud800") == "\\ud800"  # a lone surrogate of another origin


# ------------------------------------------------------------------ escape sequences

SEQUENCES = [
    ("osc 0 bel", "\x1b]0;PWNED\x07", "\\x1b]0;PWNED\\x07"),
    ("osc 2 st", "\x1b]2;PWNED\x1b\\", "\\x1b]2;PWNED\\x1b\\"),
    ("osc 8 link", "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
     "\\x1b]8;;http://x\\x1b\\link\\x1b]8;;\\x1b\\"),
    ("osc 52 clipboard", "\x1b]52;c;cm0gLXJmIH4=\x07", "\\x1b]52;c;cm0gLXJmIH4=\\x07"),
    ("clear screen", "\x1b[2J\x1b[H", "\\x1b[2J\\x1b[H"),
    ("alternate screen", "\x1b[?1049h", "\\x1b[?1049h"),
    ("mouse tracking", "\x1b[?1000h\x1b[?1006h", "\\x1b[?1000h\\x1b[?1006h"),
    ("dcs", "\x1bP1$r0m\x1b\\", "\\x1bP1$r0m\\x1b\\"),
    ("apc", "\x1b_Gf=100;AAAA\x1b\\", "\\x1b_Gf=100;AAAA\\x1b\\"),
    ("8-bit csi", "\x9b2J", "\\u009b2J"),
    ("8-bit osc", "\x9d2;PWNED\x9c", "\\u009d2;PWNED\\u009c"),
    ("lone esc", "\x1b", "\\x1b"),
]  # fmt: skip


@pytest.mark.parametrize(("what", "raw", "shown"), SEQUENCES, ids=[s[0] for s in SEQUENCES])
def test_escape_sequences_are_shown_escaped_never_sent(what, raw, shown):
    assert printable_line(f"before {raw} after") == f"before {shown} after"
    assert printable(f"before {raw} after") == f"before {shown} after"


def test_colour_sequences_are_removed_from_log_lines_but_shown_in_names():
    assert printable_line("\x1b[31mred\x1b[0m \x1b[1;38;2;1;2;3mrgb\x1b[m") == "red rgb"
    assert printable_line("\x1b[38:5:196mcolon form\x1b[39m") == "colon form"
    assert printable("\x1b[31mname") == "\\x1b[31mname"  # a name is not a log line
    # Only SGR goes: a CSI with another final byte stays visible.
    assert printable_line("\x1b[31;1H") == "\\x1b[31;1H"


def test_carriage_return_keeps_what_a_terminal_shows():
    assert printable_line("10%\r50%\r100%") == "100%"
    assert printable_line("done\r") == "done"
    assert printable_line("hello world\rbye") == "byelo world"
    assert printable_line("\r\r") == ""
    # Escaped text overwrites as shown: "\x1b" is four characters wide.
    assert printable_line("abcdef\r\x1b") == "\\x1bef"
    # Tabs stop every 8 columns from the start of each overwrite.
    assert printable_line("a\tb\rxy\tz") == "xy      z"


def test_plain_text_comes_back_as_the_same_object():
    for text in ("", "plain ascii", "café 漢字 🙂", "a " * 500):
        assert printable(text) is text
        assert printable_line(text) is text


def test_mixed_hostile_line():
    raw = "\x1b]2;PWNED\x07\x1b[31mred\x1b[0m\ttab\u202egnp.exe\udcff\x00end"
    line = printable_line(raw)
    assert_safe(line)
    assert line == "\\x1b]2;PWNED\\x07red     tab\\u202egnp.exe\\xff\\x00end"


# ------------------------------------------------------------------ properties

ALPHABET = (
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + list(BIDI + "\u2028\u2029\u200b\ufeff\U000e0041\ud800")
    + [chr(c) for c in range(0xDC80, 0xDD00, 7)]
    + list("abc XYZ []/;=0123456789mJh?P_é漢🙂")
    + ["\x1b[31m", "\x1b]52;c;", "\x1b[?1049h", "\x1bP", "\x9b"]
)


def test_property_nothing_unsafe_ever_comes_out_and_nothing_is_lost():
    rng = random.Random(20240611)
    for _ in range(3000):
        raw = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40)))
        shown = printable(raw)
        assert_safe(shown)
        assert unescape(shown) == raw  # no backslash in the alphabet: the escapes invert
        assert_safe(printable_line(raw))
        clipped, left_out = clip_line(raw, 16)
        assert_safe(clipped)
        assert len(clipped) <= 16 and 0 <= left_out <= len(raw)


def test_clip_line_counts_what_it_left_out():
    assert clip_line("x" * 10, 20) == ("x" * 10, 0)
    assert clip_line("x" * 30, 20) == ("x" * 20, 10)
    # Escaping quadruples an ESC: only five fit in 20 characters, 25 are left out.
    assert clip_line("\x1b" * 30, 20) == ("\\x1b" * 5, 25)
    # Tabs widen too: the 19 characters "ab\tc" * 4 + "ab\t" reach column 40 exactly.
    assert clip_line("ab\tc" * 50, 40) == ("ab      c" + "ab     c" * 3 + "ab     ", 181)


# ------------------------------------------------------------------ linear, not quadratic
# Each input is a million characters: a quadratic pass would need hours, a linear one
# takes well under a second, so the generous timeout tells the two apart on any machine.

HUGE = {
    "word run": "A" * 1_000_000,
    "hex": "0123456789abcdef" * 62_500,
    "escapes": "\x1b" * 1_000_000,
    "sgr starts": "\x1b[1" * 250_000,
    "carriage returns after a long run": "A" * 500_000 + "\rb" * 250_000,
    "tabs": "\t" * 1_000_000,
    "mixed": "ab\x1b[31mc\td\re\udcff\u202e" * 60_000,
}


@pytest.mark.timeout(20)
@pytest.mark.parametrize("kind", HUGE)
def test_a_million_characters_take_linear_time(kind):
    raw = HUGE[kind]
    assert_safe(printable_line(raw))
    assert_safe(printable(raw))
    shown, left_out = clip_line(raw, 2000)
    assert len(shown) <= 2000 and left_out >= len(raw) - 2000
