"""A multiprocessing program whose text tries to take over the terminal that shows it.

Used by the tests of mptui.text's use in every front end (tests/engine/test_hostile_text.py
and tests/tui/test_tui_hostile_text.py). Its child process has a name full of control
characters and escape sequences; both processes print every C0 and C1 control, OSC 0, 2
and 52 (BEL- and ST-terminated), CSI clear-screen, alternate-screen and mouse sequences,
a DCS string, bidi controls and bytes that are not UTF-8 (the child to stdout, the parent
to stderr), and its argv and file name may hold more (the tests give them). Every
payload follows a distinctive tag, so a test can tell the program's sequences from those
the front end writes itself: ``TAG-OSC2 \\x1b]2;PWN-OSC2\\x1b\\`` must never reach the
terminal raw, and must be shown escaped.
"""

import multiprocessing
import os
import sys
import time

C0 = "".join(chr(code) for code in range(0x20) if chr(code) not in "\n\r")
"""Every C0 control but the two that end or restart a line (tested on their own)."""
C1 = "".join(chr(code) for code in range(0x80, 0xA0))
PAYLOADS = {
    "OSC0": "\x1b]0;PWN-OSC0\x07",
    "OSC2": "\x1b]2;PWN-OSC2\x1b\\",
    "OSC52": "\x1b]52;c;UFdOLU9TQzUy\x07",
    "OSC52ST": "\x1b]52;p;UFdOLU9TQzUy\x1b\\",
    "CLEAR": "\x1b[2J\x1b[H",
    "ALT": "\x1b[?1049h",
    "MOUSE": "\x1b[?1000h\x1b[?1006h",
    "DCS": "\x1bPqPWN-DCS\x1b\\",
    "BIDI": "\u202eevil\u202c \u2066iso\u2069 \u200fmark",
    "C0": C0,
    "C1": C1,
    "CSI8": "\x9b2J\x9d2;PWN-C1\x9c",
}
"""Tag -> what follows it on one printed line (the line is ``TAG-<tag> <payload> END``)."""
INVALID_UTF8 = b"TAG-BYTES \xff\xfe\xc3 END"
"""Printed as raw bytes: not UTF-8."""
CHILD_NAME = "w\x1b]2;PWN-NAME\x07\x1b[31m[bold]\n\r\t\u202eX\x9b"
"""The child process's name: controls, OSC, SGR, markup, newline, bidi, 8-bit CSI."""
ARGV = ["arg\x1b]2;PWN-ARGV\x07", "two\nlines", "\u202eRTL"]
"""Arguments the tests pass to this program."""


def line(tag: str) -> str:
    return f"TAG-{tag} {PAYLOADS[tag]} END"


def speak(who: str, stream) -> None:
    """Every payload on one line each, then the bytes that are not UTF-8."""
    for tag in PAYLOADS:
        print(f"{who} {line(tag)}", file=stream, flush=True)
    os.write(stream.fileno(), who.encode() + b" " + INVALID_UTF8 + b"\n")
    print(f"{who} TAG-PROGRESS 10%\r{who} TAG-PROGRESS 100%", file=stream, flush=True)


def child(lock, queue) -> None:
    with lock:
        speak("child", sys.stdout)
    queue.put("done")


if __name__ == "__main__":
    lock = multiprocessing.Lock()
    queue = multiprocessing.Queue()
    worker = multiprocessing.Process(target=child, args=(lock, queue), name=CHILD_NAME)
    worker.start()
    print(queue.get())
    worker.join()
    speak("parent", sys.stderr)
    print("argv:", sys.argv[1:], flush=True)
    time.sleep(float(os.environ.get("HOSTILE_LINGER", "0")))
