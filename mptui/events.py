"""The one vocabulary shared by the agent (inside observed processes) and the engine.

Two wires carry events from an observed process to mptui:

* The **message channel**: one AF_UNIX stream connection per process, carrying rare,
  variable-length events as newline-delimited JSON (hello, started, exited, reaped,
  object declarations). The agent encodes them with :func:`encode_message`, which needs
  no ``json`` import (the agent must import fast); the engine decodes them with
  :func:`decode_message`.
* The **ring**: one shared-memory file per process for the hot path: counters for queue and
  pipe operations, fixed-size records for lock operations. The writer never blocks and
  takes no lock; the collector polls it. Layout below.

This module is imported by the agent at interpreter start, so it imports nothing beyond
the standard library's built-in modules.

Events seen by the Store are plain dicts with a ``kind`` key, so ``--json`` prints them
as they are.
"""

# --------------------------------------------------------------------------------------
# Environment variables set by the engine for the observed program.

ENV_SOCKET = "MPTUI_SOCKET"
"""Path of the collector's listening socket; the agent is inert when this is unset."""
ENV_SECRET = "MPTUI_SECRET"
"""Random token every connection presents first, so only our processes are accepted."""
ENV_DIR = "MPTUI_DIR"
"""The session's private (0700) directory: the socket and the rings live there."""
ENV_START_METHOD = "MPTUI_START_METHOD"
"""Start method the runner makes its default (fork, spawn or forkserver); unset: Python's."""
ENV_MPTUI_PID = "MPTUI_PID"
"""Pid of the mptui process itself (the runner checks that its parent is still mptui)."""
ENV_RUNNER = "MPTUI_RUNNER"
"""Set for the runner only; its agent removes it, so no other process takes it for itself."""
ENV_PIPES = "MPTUI_PIPES"
"""``dev:inode`` of the output pipes the parent process installed: a process takes over its
fd 1 or 2 only if it is one of these, so output the program redirected stays redirected."""
ENV_PYTHON = "MPTUI_PYTHON"
"""``major.minor`` of the Python mptui runs: other interpreters stay unobserved."""

STACK_SIGNAL = 41
"""SIGRTMIN+7 on Linux: the signal that asks an observed process to write its Python stacks
(all threads, faulthandler) to ``stack-<pid>`` in the session directory. A real-time
signal no library is known to use; a program that takes it anyway keeps it."""

# --------------------------------------------------------------------------------------
# Connection headers: the first line of every connection says what it carries.

STREAM_EVENTS = "events"
STREAM_STDOUT = "stdout"
STREAM_STDERR = "stderr"
STREAMS = (STREAM_EVENTS, STREAM_STDOUT, STREAM_STDERR)


def encode_header(secret: str, pid: int, stream: str, carries: tuple = ()) -> bytes:
    """First line of a connection: ``MPTUI1 <secret> <pid> <stream> [<carried,...>]``.

    ``carries`` names the streams whose pipe read ends travel with the header, in order
    (SCM_RIGHTS): a process hands over its stdout and stderr on the connection of its
    message channel, one connect() instead of three."""
    extra = " " + ",".join(carries) if carries else ""
    return f"MPTUI1 {secret} {pid} {stream}{extra}\n".encode("ascii")


def decode_header_carrying(line: bytes, secret: str) -> tuple[int, str, tuple] | None:
    """Return ``(pid, stream, carried streams)`` for a valid header with the right secret."""
    try:
        magic, token, pid, stream, *rest = line.decode("ascii").split()
    except (UnicodeDecodeError, ValueError):
        return None
    if magic != "MPTUI1" or token != secret or stream not in STREAMS or not pid.isdigit():
        return None
    carries = tuple(rest[0].split(",")) if len(rest) == 1 else ()
    if (
        len(rest) > 1
        or len(set(carries)) < len(carries)
        or not set(carries) <= {STREAM_STDOUT, STREAM_STDERR}
    ):
        return None
    return int(pid), stream, carries


def decode_header(line: bytes, secret: str) -> tuple[int, str] | None:
    """Return ``(pid, stream)`` for a valid header with the right secret, else None."""
    decoded = decode_header_carrying(line, secret)
    return None if decoded is None else decoded[:2]


# --------------------------------------------------------------------------------------
# Message kinds (message channel, JSON).

HELLO = "hello"  # pid, ppid, how ("exec" | "fork"), argv, cmdline
STARTED = "started"  # pid, name, start_method  (a multiprocessing Process began run())
EXITED = "exited"  # pid, code  (the process reported its own exit code)
RETURNED = "returned"  # pid, t  (a Process's run() returned: it now flushes its queues'
#   feeder threads and runs finalizers; a child stuck here is waiting for its queue's data
#   to be read: the join-before-drain hang)
REAPED = "reaped"  # pid (the parent), child, code  (the parent collected a child's status)
SIGNALLED = "signalled"  # pid (the parent), child, signal, [by_user]  (terminate(), kill(),
#   send_signal() by its parent; by_user: sent by you from mptui)
RING = "ring"  # pid, path  (the process created its ring)
STACKS_OFF = "stacks_off"  # pid  (the program took STACK_SIGNAL for itself: no stack dumps
#   through the agent for this process)
OBJECT = "object"  # pid, id, type, label, [maxsize]  (a traced primitive was created)
#   a pool (type Pool or ProcessPoolExecutor) is an object too; its queues carry [owner]
#   (the pool's id) and [role] ("tasks" or "results")
OBJECT = "object"  # pid, id, type, label, [maxsize], [file, line]  (a traced primitive was
#   created; file (absolute) and line: the program's line that made it)
SITE = "site"  # pid, id, file, line: where the program waits (its site id ``id``, unique
#   within the process), sent once per site the first time a wait there blocks
UNCOUNTED = "uncounted"  # pid, id, op: this process cannot count ``op`` on object ``id``
#   (its counter table is full: more than COUNTER_SLOTS counters in one process)
# Managers and shared memory (mptui.agent.traced_manager, mptui.agent.traced_shm).
MANAGER = "manager"  # pid (the parent), child, name: the child is a manager's server process
SHM_OPENED = "shm_opened"  # pid, name, size, created: a SharedMemory segment was created or
#   attached by this process
SHM_CLOSED = "shm_closed"  # pid, name: this process closed its mapping of the segment
SHM_UNLINKED = "shm_unlinked"  # pid, name: this process unlinked (destroyed) the segment

# Kinds made by the engine itself.
LINE = "line"  # pid, stream, text, t, [partial]
LINES = "lines"  # pid, stream, texts, t, [partial]: consecutive lines of one stream, in order
PENDING = "pending"  # pid, stream, text, t: the line a process is rewriting with \r (a
#   progress bar) as it shows now; replaced by the next, ended by the stream's next line
GONE = "gone"  # pid, t  (the process's message channel closed: it has ended)
METRICS = "metrics"  # t, samples: [[pid, cpu_percent, rss_bytes], ...]
TICK = "tick"  # t  (about once a second; the Store samples rates and depths on it)
DROPPED = "dropped"  # pid, count  (ring records overwritten before they were read)
RUN_STARTED = "run_started"  # t, title, argv, python, python_version, strict,
# start_method, params, lesson, runner, linger_ns
RUN_ENDED = "run_ended"  # t, code  (the runner process, the program's main, ended)
STOPPING = "stopping"  # t, reason ("user" | "left running"): mptui is ending the run; what
#   dies now was stopped, not failing

# Kinds decoded from ring records.
LOCK_WAIT = "lock_wait"  # pid, id, t
LOCK_ACQUIRED = "lock_acquired"  # pid, id, t, wait_ns (0 when it did not block)
LOCK_RELEASED = "lock_released"  # pid, id, t, hold_ns (-1 when unknown)
LOCK_TIMEOUT = "lock_timeout"  # pid, id, t, wait_ns (an acquire with a timeout gave up)

# --------------------------------------------------------------------------------------
# The ring file of a process has two parts, both arrays of signed 64-bit words:
#
# 1. COUNTER_SLOTS counter slots of COUNTER_WORDS words: [code, count, amount, 0]. Queue and
#    pipe operations only bump a counter (count += 1, amount += bytes): a queue can move
#    hundreds of thousands of messages a second, and one event each would cost the
#    collector more than the program. A slot is claimed by writing its code last; the
#    collector reports the counters that changed.
#    The last word of the first slot is COUNTERS_CHANGED: a writer adds 1 to it AFTER it
#    has written a counter, so a collector that reads it BEFORE reading the table sees a
#    table that did not change in one read (a sleeping process with a thousand objects
#    costs one word per poll), and a change made after that read moves it for the next
#    poll: no update is lost. Two writers bypass it, each for a reason: a lock's release
#    (its hot path) writes its counter and THEN publishes its record, so a record read means
#    the table changed; and a pipe (traced.py writes its counters inline), whose slots
#    the collector compares one by one on every poll.
# 2. RING_CAPACITY records of RING_RECORD_WORDS words: [seq, code, t_ns, value], for lock
#    events, which need their order and times. seq is the record's 1-based position in the
#    process's stream. The writer sets it to 0, writes the other words, then writes seq
#    LAST, so a reader that finds seq == expected before and after reading the words has a
#    complete record, and a larger seq means the writer lapped it (records dropped).
#
# code packs kind and object id:  code = kind << 56 | aux << 48 | object_id  (< 2**48).
# aux is the pipe end (0 or 1) for pipe counters, else 0.

COUNTER_SLOTS = 1024
COUNTER_WORDS = 4
COUNTERS_CHANGED = 3  # word index: the fourth word of slot 0, unused by its counter
RING_OFFSET_WORDS = COUNTER_SLOTS * COUNTER_WORDS
RING_RECORD_WORDS = 4
RING_CAPACITY = 1 << 13  # records: 256 KiB, plus 32 KiB of counters, per process that uses one
RING_MASK = RING_CAPACITY - 1
RING_BYTES = (RING_OFFSET_WORDS + RING_CAPACITY * RING_RECORD_WORDS) * 8

RK_LOCK_WAIT = 1
RK_LOCK_ACQUIRED = 2
RK_LOCK_RELEASED = 3
RK_LOCK_TIMEOUT = 4
RK_QUEUE_PUT = 5  # counters from here on
RK_QUEUE_GET = 6
RK_PIPE_SEND = 7
RK_PIPE_RECV = 8
# Lock totals are counted too (amount = nanoseconds), so they stay exact even when the
# collector falls behind a lock used a million times a second and lock records are dropped.
RK_LOCK_RELEASES = 9  # amount: total hold time
RK_LOCK_CONTENDED = 10  # acquisitions that blocked first; amount: total wait time
RK_LOCK_TIMEOUTS = 11

# Waits (any primitive). A wait is recorded only once a non-blocking try failed, as a
# pair: WAIT_BEGIN when the process blocks, WAIT_END when it stops waiting, whatever the
# outcome. Locks keep their own records (LOCK_WAIT begins a wait, LOCK_ACQUIRED and
# LOCK_TIMEOUT end it) and use WAIT_END only for an interrupted acquire. A wait begun and
# never ended is one the process died in (or is still in).
RK_WAIT_BEGIN = 12  # aux: the operation (WAIT_OPS); value: the child's pid for a join, else 0
RK_WAIT_END = 13  # aux: the outcome (WAIT_OUTCOMES); value: wait_ns
# Pools (mptui.agent.traced_pool): a pool worker's tasks finished, one counter per pool
# (object id: the pool's); count = task messages, amount = calls of the program's function
# (a chunk of Pool.map or executor.map counts its items).
RK_TASKS_DONE = 16
# Semaphores record who holds a unit with RK_LOCK_ACQUIRED / RK_LOCK_RELEASED, as locks do
# (several holders at once).

OP_ACQUIRE, OP_GET, OP_PUT, OP_RECV, OP_JOIN, OP_WAIT, OP_CALL, OP_RESULT = range(1, 9)
WAIT_OPS = {
    OP_ACQUIRE: "acquire",  # Lock, RLock, Semaphore, BoundedSemaphore, a manager's lock
    OP_GET: "get",  # a queue that was empty
    OP_PUT: "put",  # a bounded queue that was full
    OP_RECV: "recv",  # a pipe end with nothing to read
    OP_JOIN: "join",  # Process.join() on a child still running; object id 0
    OP_WAIT: "wait",  # Event.wait, Condition.wait, Barrier.wait
    OP_CALL: "call",  # a manager proxy call
    OP_RESULT: "result",  # Pool.map / apply / AsyncResult.get
}
OUTCOME_OK, OUTCOME_TIMEOUT, OUTCOME_INTERRUPTED, OUTCOME_BROKEN = range(4)
WAIT_OUTCOMES = {
    OUTCOME_OK: "ok",
    OUTCOME_TIMEOUT: "timeout",  # a timeout ran out (acquire returned False, Empty, Full)
    OUTCOME_INTERRUPTED: "interrupted",  # an exception (KeyboardInterrupt, ...) ended it
    OUTCOME_BROKEN: "broken",  # BrokenBarrierError, EOFError on a pipe, ...
}
WAIT_BEGIN = "wait_begin"  # pid, id, t, op, [child] (op "join": the pid being joined)
WAIT_END = "wait_end"  # pid, id, t, outcome, wait_ns (the op is the begin's)

# Signals (ring kind 14): a process set (or cleared) an Event or notified a Condition.
# Recorded once per process, object and operation, its first: the doctor needs to know who
# can end an Event's or a Condition's waits, not how often they did.
RK_SIGNAL = 14  # aux: the operation (SIGNAL_OPS); value: n for a notify, else 0
SIG_SET, SIG_CLEAR, SIG_NOTIFY, SIG_NOTIFY_ALL = range(1, 5)
SIGNAL_OPS = {
    SIG_SET: "set",  # Event.set
    SIG_CLEAR: "clear",  # Event.clear
    SIG_NOTIFY: "notify",  # Condition.notify(n)
    SIG_NOTIFY_ALL: "notify_all",  # Condition.notify_all
}
SIGNAL = "signal"  # pid, id, t, op (one of SIGNAL_OPS)
# Where a wait was called from: written just before the wait's LOCK_WAIT or WAIT_BEGIN (on
# the same object, id 0 for a join), only on that slow path. value: the site id, which
# the process's ``site`` message (SITE) resolves to a file and line.
RK_WAIT_SITE = 15
WAIT_SITE = "wait_site"  # pid, id, t, site

COUNTER = "counter"  # pid, id, op (one of COUNTER_OPS), end, count, bytes: a process's totals
COUNTER_OPS = {
    RK_QUEUE_PUT: "put",
    RK_QUEUE_GET: "get",
    RK_PIPE_SEND: "send",
    RK_PIPE_RECV: "recv",
    RK_LOCK_RELEASES: "released",
    RK_LOCK_CONTENDED: "contended",
    RK_LOCK_TIMEOUTS: "timeout",
    RK_TASKS_DONE: "tasks",
}

RING_KIND_NAMES = {
    RK_LOCK_WAIT: LOCK_WAIT,
    RK_LOCK_ACQUIRED: LOCK_ACQUIRED,
    RK_LOCK_RELEASED: LOCK_RELEASED,
    RK_LOCK_TIMEOUT: LOCK_TIMEOUT,
    RK_WAIT_BEGIN: WAIT_BEGIN,
    RK_WAIT_END: WAIT_END,
    RK_SIGNAL: SIGNAL,
    RK_WAIT_SITE: WAIT_SITE,
}

OBJECT_ID_BITS = 48
OBJECT_ID_MASK = (1 << OBJECT_ID_BITS) - 1


def make_object_id(creator_pid: int, counter: int) -> int:
    """An id unique within a session: the creating pid and that process's own counter."""
    return (creator_pid << 20 | (counter & 0xFFFFF)) & OBJECT_ID_MASK


def ring_event(pid: int, code: int, t_ns: int, value: int) -> dict:
    """Decode one ring record of process ``pid`` into an event dict."""
    kind = RING_KIND_NAMES.get(code >> 56, "unknown")
    event = {"kind": kind, "pid": pid, "id": code & OBJECT_ID_MASK, "t": t_ns}
    if kind in (LOCK_ACQUIRED, LOCK_TIMEOUT):
        event["wait_ns"] = value
    elif kind == LOCK_RELEASED:
        event["hold_ns"] = value
    elif kind == WAIT_BEGIN:
        op = event["op"] = WAIT_OPS.get((code >> 48) & 0xFF, "unknown")
        if op == "join":
            event["child"] = value
    elif kind == WAIT_END:
        event["outcome"] = WAIT_OUTCOMES.get((code >> 48) & 0xFF, "unknown")
        event["wait_ns"] = value
    elif kind == SIGNAL:
        event["op"] = SIGNAL_OPS.get((code >> 48) & 0xFF, "unknown")
    elif kind == WAIT_SITE:
        event["site"] = value
    return event


RECORDS = "records"
"""``records``: [(pid, code, t_ns, value), ...] in time order: ring records as the collector
read them, not yet decoded. Only between the collector and the Store (which folds lock
records straight from these tuples: a contended lock makes hundreds of thousands a second,
and a dict per record was most of mptui's own CPU); listeners that print or record events
get them decoded by :func:`expand_records`, so recordings and ``--json`` never see one."""


def expand_records(batch: list[dict]) -> list[dict]:
    """``batch`` with each ``records`` event replaced by its records as event dicts."""
    if not any(event.get("kind") == RECORDS for event in batch):
        return batch
    out = []
    for event in batch:
        if event.get("kind") == RECORDS:
            out.extend(ring_event(*record) for record in event["records"])
        else:
            out.append(event)
    return out


def counter_event(pid: int, code: int, count: int, amount: int) -> dict:
    """Decode one counter slot of process ``pid`` into a ``counter`` event (its totals)."""
    return {
        "kind": COUNTER,
        "pid": pid,
        "id": code & OBJECT_ID_MASK,
        "op": COUNTER_OPS.get(code >> 56, "unknown"),
        "end": (code >> 48) & 0xFF,
        "count": count,
        "bytes": amount,
    }


# --------------------------------------------------------------------------------------
# JSON without importing json (the agent runs at every interpreter start).

_ESCAPES = {i: f"\\u{i:04x}" for i in range(0x20)}
_ESCAPES.update({ord('"'): '\\"', ord("\\"): "\\\\", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t"})


def _json_value(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)  # an IntEnum exit code is still a plain number
    if isinstance(value, float):
        return float.__repr__(value) if value == value and abs(value) != float("inf") else "null"
    if isinstance(value, str):
        # Lone surrogates (from undecodable argv bytes) cannot be encoded; replace them.
        text = value.encode("utf-8", "replace").decode("utf-8")
        return '"' + text.translate(_ESCAPES) + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (_json_value(str(k)) + ":" + _json_value(v) for k, v in value.items())
        return "{" + ",".join(items) + "}"
    return _json_value(str(value))


def encode_message(kind: str, **fields: object) -> bytes:
    """One newline-terminated JSON object: ``{"kind": kind, **fields}``."""
    fields = {"kind": kind, **fields}
    return (_json_value(fields) + "\n").encode("utf-8")


def decode_message(line: bytes) -> dict | None:
    """Parse one message line; None when it is not a JSON object with a kind."""
    import json

    try:
        event = json.loads(line)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(event, dict) or not isinstance(event.get("kind"), str):
        return None
    return event
