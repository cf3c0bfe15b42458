"""Recordings: the events a run's Store folded, written as JSON lines, and read back.

``mptui LESSON --record FILE`` (or ``mptui run --record FILE SCRIPT``) writes one; ``mptui
replay FILE`` feeds one to a fresh Store (:mod:`mptui.engine.replay`), so a replay shows
exactly what the live run showed and nothing it could not. Never pickle: a recording is
plain text that ``grep`` and ``jq`` read, and loading one runs no code.

Format, version 1 (UTF-8, one JSON object per line, ``\\n`` line ends):

* Line 1, the header: the facts of the run that do not depend on the terminal::

    {"format": "mptui-recording", "version": 1,
     "mptui": "0.1.0", "python": "3.11.7", "recorded_at": "2025-01-31T12:00:00Z",
     "t0": 81234567890123,            # time.monotonic_ns() when recording began
     "title": "Take turns with a Lock", "lesson": "lock",      # lesson: null for a script
     "argv": ["mptui/scenarios/lock.py", "--workers", "4"],    # what python ran
     "params": {"workers": "4"}, "start_method": "fork",
     "source_path": ".../lock.py", "source": "<the program's text, as it ran>"}

  ``source`` is null when the file could not be read or is larger than MAX_SOURCE_BYTES.

* Every other line, one batch: the events the collector handed the Store in one
  ``apply_many`` call, in that order, and when::

    {"at": 20512345, "events": [{"kind": "run_started", "t": 81234587890123, ...}, ...]}

  ``at`` is nanoseconds from ``t0`` to the moment the batch was published (never
  decreasing), so a replay keeps the run's pace. The events are the Store's own
  vocabulary (:mod:`mptui.events`), exactly as folded: ``t`` fields are the run's
  ``monotonic_ns`` times, and some events (``counter``, ``dropped``) carry none. A batch
  too large for one line (MAX_BATCH_BYTES) is split over several lines with the same
  ``at``; no line is longer than MAX_LINE_BYTES.

A reader accepts a file whose header is good and stops at the first bad batch line (a run
that crashed mid-write leaves a cut last line): :attr:`Recording.problem` then says how
many events were read and that the rest was ignored. A file that is not a recording, or
one of another ``version``, raises :class:`BadRecording` with a one-line message.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mptui import __version__
from mptui import events as ev

FORMAT = "mptui-recording"
VERSION = 1
"""Bumped when a reader of the old format would misread the new one."""
MAX_LINE_BYTES = 64 * 1024 * 1024
"""Longest line a reader accepts: a longer one is not from mptui (and is never held whole)."""
MAX_BATCH_BYTES = 8 * 1024 * 1024
"""A batch whose line would be longer is split, so every line stays far below the limit."""
MAX_SOURCE_BYTES = 1024 * 1024
"""Larger program sources are not copied into the header (``source`` is then null)."""

_HEADER_KEYS = ("t0", "title", "argv", "params")


class BadRecording(Exception):
    """The file is not a recording this mptui can read; the message is one line."""


@dataclass(frozen=True)
class Header:
    """The first line of a recording: what ran, where and how."""

    version: int
    mptui: str
    python: str
    recorded_at: str
    t0: int
    """``time.monotonic_ns()`` when recording began; batch times count from here."""
    title: str
    argv: tuple[str, ...]
    lesson: str | None
    params: Mapping[str, str]
    start_method: str | None
    source_path: str
    source: str | None

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": self.version,
            "mptui": self.mptui,
            "python": self.python,
            "recorded_at": self.recorded_at,
            "t0": self.t0,
            "title": self.title,
            "lesson": self.lesson,
            "argv": list(self.argv),
            "params": dict(self.params),
            "start_method": self.start_method,
            "source_path": self.source_path,
            "source": self.source,
        }


@dataclass(frozen=True)
class Batch:
    """Events folded together, published ``at`` ns after the recording began."""

    at: int
    events: Sequence[dict]


@dataclass
class Recording:
    """A recording read from a file: its header, its batches, and what was wrong, if anything."""

    header: Header
    batches: list[Batch] = field(default_factory=list)
    problem: str | None = None
    """Set when the file's tail was unreadable: says how much was kept."""

    @property
    def duration(self) -> int:
        """Nanoseconds from the start of the recording to its last batch."""
        return self.batches[-1].at if self.batches else 0

    @property
    def event_count(self) -> int:
        return sum(len(batch.events) for batch in self.batches)


def header_for(program: Any, t0: int, start_method: str | None = None) -> Header:
    """The header of a recording of ``program`` (an ``engine.session.Program``)."""
    source_path = str(program.source_path)
    try:
        with open(source_path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
        source = data.decode("utf-8", "replace") if len(data) <= MAX_SOURCE_BYTES else None
    except OSError:
        source = None
    now = datetime.datetime.now(datetime.timezone.utc)
    return Header(
        version=VERSION,
        mptui=__version__,
        # The program's Python, which for a script need not be mptui's.
        python=getattr(program, "interpreter_version", None)
        or "{}.{}.{}".format(*sys.version_info[:3]),
        recorded_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        t0=t0,
        title=str(program.title),
        argv=tuple(str(arg) for arg in program.argv),
        lesson=program.lesson,
        params={str(k): str(v) for k, v in dict(program.params or {}).items()},
        start_method=start_method or program.start_method,
        source_path=source_path,
        source=source,
    )


# --------------------------------------------------------------------------------------
# Writing


def _dumps(value: object) -> str:
    # ensure_ascii=False keeps text readable and small; default=str: an event the engine
    # one day makes with a value JSON cannot hold is written as text, never a crash of the
    # collector thread this runs on.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class Recorder:
    """A collector listener that writes every batch it is given to a recording file.

    One ``json.dumps`` and one write per batch (a flood is 100k+ lines a second), into a
    buffered file flushed after each batch, so a crash of mptui loses at most the batch
    being written. If writing fails (disk full), recording stops and :attr:`error` says
    why; the run goes on.
    """

    def __init__(self, path: str | os.PathLike, program: Any, *,
                 start_method: str | None = None) -> None:  # fmt: skip
        """Opens (truncates) ``path`` and writes the header; raises OSError if it cannot."""
        self.path = Path(path)
        self._t0 = time.monotonic_ns()
        self.header = header_for(program, self._t0, start_method)
        # errors="backslashreplace": a lone surrogate (undecodable argv bytes) becomes the
        # JSON escape \udXXX, which reads back as the same string.
        self._file = open(  # noqa: SIM115 - closed by close(), it outlives this call
            self.path, "w", encoding="utf-8", errors="backslashreplace", newline="\n"
        )
        self._mutex = threading.Lock()
        self.batches = 0
        self.events = 0
        self.error: OSError | None = None
        """Why recording stopped early, if it did."""
        try:
            self._file.write(_dumps(self.header.to_json()) + "\n")
            self._file.flush()
        except OSError:
            self._file.close()
            raise

    def __call__(self, batch: list[dict]) -> None:
        at = time.monotonic_ns() - self._t0
        with self._mutex:
            if self._file is None or not batch:
                return
            try:
                for line in self._lines(at, batch):
                    self._file.write(line)
                self._file.flush()
            except (OSError, ValueError) as error:
                self.error = error if isinstance(error, OSError) else OSError(str(error))
                self._close_file()
                return
            self.batches += 1
            self.events += len(batch)

    @staticmethod
    def _lines(at: int, batch: list[dict]) -> list[str]:
        line = _dumps({"at": at, "events": batch}) + "\n"
        if len(line) <= MAX_BATCH_BYTES or len(batch) == 1:
            return [line]
        half = len(batch) // 2
        return Recorder._lines(at, batch[:half]) + Recorder._lines(at, batch[half:])

    def close(self) -> None:
        """Flush and close the file; later batches are ignored. Idempotent."""
        with self._mutex:
            self._close_file()

    def _close_file(self) -> None:
        file, self._file = self._file, None
        if file is not None:
            try:
                file.close()
            except OSError as error:
                self.error = self.error or error


def numbered(path: str | os.PathLike, run: int) -> Path:
    """The file of the ``run``-th run recorded in one dashboard session: ``lock.jsonl``,
    then ``lock.2.jsonl``, ``lock.3.jsonl``..."""
    path = Path(path)
    if run <= 1:
        return path
    return path.with_name(f"{path.stem}.{run}{path.suffix}") if path.suffix else \
        path.with_name(f"{path.name}.{run}")  # fmt: skip


def check_writable(path: str | os.PathLike) -> str | None:
    """Why ``path`` cannot be written as a recording (one line), or None if it can."""
    path = Path(path)
    if path.is_dir():
        return f"{str(path)!r} is a directory; give a file name to record to"
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        return f"cannot record to {str(path)!r}: no directory {str(parent)!r}"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"cannot record to {str(path)!r}: permission denied"
    return None


# --------------------------------------------------------------------------------------
# Reading


def _read_line(f, number: int) -> bytes:
    """The next line (without its newline); raises _Long for a line over the limit."""
    line = f.readline(MAX_LINE_BYTES + 1)
    if len(line) > MAX_LINE_BYTES:
        raise _LongLine(number)
    return line


class _LongLine(Exception):
    def __init__(self, number: int) -> None:
        super().__init__(number)
        self.number = number


def _limit_text() -> str:
    return f"{MAX_LINE_BYTES // (1024 * 1024)} MiB"


def read_recording(path: str | os.PathLike) -> Recording:
    """Read and check a recording; raise BadRecording with a one-line message if unusable."""
    name = repr(str(path))
    if os.path.isdir(path):
        raise BadRecording(f"{name} is a directory; give a recording file (made with --record)")
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        raise BadRecording(f"no such file: {name}") from None
    except OSError as error:
        raise BadRecording(f"cannot read {name}: {error.strerror or error}") from None
    with f:
        try:
            first = _read_line(f, 1)
        except _LongLine:
            raise BadRecording(
                f"{name} is not an mptui recording: its first line is longer than {_limit_text()}"
            ) from None
        except OSError as error:
            raise BadRecording(f"cannot read {name}: {error.strerror or error}") from None
        if not first:
            raise BadRecording(f"{name} is empty: not an mptui recording")
        header = _parse_header(first, name)
        recording = Recording(header)
        _read_batches(f, recording)
    return recording


def _parse_header(line: bytes, name: str) -> Header:
    not_ours = f"{name} is not an mptui recording"
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        if not line.endswith(b"\n"):
            raise BadRecording(f"{not_ours}: its first line is cut short") from None
        raise BadRecording(f"{not_ours}: its first line is not JSON") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BadRecording(f"{not_ours}: its first line is not a recording header")
    version = data.get("version")
    if version != VERSION:
        raise BadRecording(
            f"{name} is a recording of format version {version!r}; "
            f"this mptui ({__version__}) reads version {VERSION}"
        )
    try:
        missing = [key for key in _HEADER_KEYS if key not in data]
        if missing:
            raise ValueError(f"no {missing[0]!r}")
        t0 = data["t0"]
        if not isinstance(t0, int) or isinstance(t0, bool):
            raise ValueError("'t0' is not an integer")
        argv = data["argv"]
        params = data["params"]
        if not isinstance(argv, list) or not isinstance(params, dict):
            raise ValueError("bad 'argv' or 'params'")
        source, method = data.get("source"), data.get("start_method")
        return Header(
            version=VERSION,
            mptui=str(data.get("mptui", "?")),
            python=str(data.get("python", "?")),
            recorded_at=str(data.get("recorded_at", "")),
            t0=t0,
            title=str(data["title"]),
            argv=tuple(str(arg) for arg in argv),
            lesson=str(data["lesson"]) if data.get("lesson") is not None else None,
            params={str(k): str(v) for k, v in params.items()},
            start_method=method if isinstance(method, str) else None,
            source_path=str(data.get("source_path", "")),
            source=source if isinstance(source, str) else None,
        )
    except ValueError as error:
        raise BadRecording(f"{name} has a bad recording header: {error}") from None


def _read_batches(f, recording: Recording) -> None:
    """Append good batch lines; at the first bad one, stop and say so in ``problem``."""
    batches = recording.batches
    number = 1
    last_at = 0
    while True:
        number += 1
        try:
            line = _read_line(f, number)
        except _LongLine:
            reason = f"longer than {_limit_text()}"
            break
        except OSError as error:
            reason = f"unreadable ({error.strerror or error})"
            break
        if not line:
            if not _has_run_end(batches):
                recording.problem = (
                    "The recording ends early: it stops before the run ended "
                    "(was mptui killed while recording?). "
                    f"Replaying the {recording.event_count:,} events it has "
                    f"({recording.duration / 1e9:.1f}s)."
                )
            return
        if not line.strip():
            continue
        batch = _parse_batch(line, last_at)
        if isinstance(batch, str):
            reason = batch
            break
        batches.append(batch)
        last_at = batch.at
    events = recording.event_count
    seconds = recording.duration / 1e9
    recording.problem = (
        f"The recording ends early: line {number} is {reason}. "
        f"Replaying the {events:,} events before it ({seconds:.1f}s); the rest is ignored."
    )


def _has_run_end(batches: list[Batch]) -> bool:
    # Searched from the end: the run's end is in the last batches of a whole recording.
    return any(
        event.get("kind") == ev.RUN_ENDED for batch in reversed(batches) for event in batch.events
    )


def _parse_batch(line: bytes, last_at: int) -> Batch | str:
    """A Batch, or why the line is not one."""
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):
        return "cut short" if not line.endswith(b"\n") else "not JSON"
    if not isinstance(data, dict):
        return "not a batch"
    at, events = data.get("at"), data.get("events")
    if not isinstance(at, int) or isinstance(at, bool) or not isinstance(events, list):
        return "not a batch"
    if at < last_at:
        return "out of order (its time goes back)"
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
            return "not a batch of events"
    return Batch(at, events)
