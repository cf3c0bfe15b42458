"""The collector: ONE thread, one persistent selector over every channel of a run.

It accepts the connections the agents open (one per process: its message channel, whose
first line brings the read ends of its stdout and stderr pipes), reads them and the pipes,
polls every process's ring, reaps ended processes, samples CPU and
memory about once a second, and folds everything into the Store in batches. Listeners
(the headless printer) get every batch too, in order, so they miss nothing even when the
Store's log ring has moved on.

It never touches the UI: the UI reads the Store on its own clock.
"""

from __future__ import annotations

import fcntl
import mmap
import operator
import os
import selectors
import socket
import sys
import threading
import time
from bisect import bisect_left
from collections import deque
from collections.abc import Callable, Iterable
from itertools import repeat

from mptui import events as ev
from mptui.engine.guardian import Strays
from mptui.engine.lines import LINE_LIMIT as LINE_LIMIT  # where tests and others look
from mptui.engine.lines import LineAssembler
from mptui.engine.metrics import MetricsSampler
from mptui.engine.process_group import ProcessGroup, reap_pid
from mptui.engine.store import Store

Listener = Callable[[list[dict]], None]

POLL_SECONDS = 0.02  # rings are polled at least this often: events show within ~20 ms
TICK_SECONDS = 1.0
READ_SIZE = 65536  # at most LINE_LIMIT (mptui.engine.lines)
ROUND_BYTES_PER_STREAM = 16 * READ_SIZE
"""Read from one stream per round at most: a flooding process cannot starve the others, and
a round's batch stays small (every stream's share, decoded and split, is in memory at once)."""
BATCH_SECONDS = 0.005
"""After a round that read output, the collector waits this long before the next one, so
the output of a flood is read in large chunks, a few hundred rounds a second, instead of a
few lines per round and a round per write. The first line after a quiet spell is read at
once; later ones are late by this much at most. Not after a round that took new
connections (processes starting are heard without delay) nor after one whose read filled
its buffer (a stream that writes faster than that: the wait would cap its throughput)."""
FLOOD_BYTES = READ_SIZE // 2
"""A stream that gives this much in one round is flooding (see Collector._flooded)."""
CALM_ROUNDS = 8
"""A flooding stream found empty this many rounds in a row is watched again. Not at the
first: a flooding process that lost the CPU for a moment would be watched again, and
unwatched again, round after round."""
_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
FLOOD_PIPE_BYTES = 1 << 20
"""The pipe size asked for a flooding stream: about 0.1 s of a million 10-byte lines a
second, so its writer does not block while the collector sleeps between rounds. Pipe
memory is only taken while the bytes are in it."""
# Lock records read per ring per poll. A lock taken a million times a second would cost
# the collector more than a core; beyond this the writer laps the reader and the excess is
# counted as dropped. Totals stay exact: they come from the counters.
RECORDS_PER_POLL = 2048


class _Unidentified:
    """A connection whose header line has not arrived yet."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock, self.data, self.fds = sock, b"", []


class _PipeEnd:
    """Owns a pipe read end handed over by an agent."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def close(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)


_FD_SPACE = socket.CMSG_SPACE(4 * 4)


def _received_fds(ancdata) -> list[int]:
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(payload) - len(payload) % 4
            fds.extend(
                int.from_bytes(payload[i : i + 4], sys.byteorder, signed=True)
                for i in range(0, usable, 4)
            )
    return fds


class _Stream(LineAssembler):
    """An output stream (stdout or stderr) of one process; also the runner's own pipes."""

    def __init__(self, pid: int, stream: str, fd: int, owner: object) -> None:
        super().__init__(pid, stream)
        self.fd, self.owner = fd, owner
        self.quiet_rounds = 0  # rounds in a row it had nothing, while flooding


class _Channel:
    """The message channel of one process."""

    def __init__(self, pid: int, sock: socket.socket) -> None:
        self.pid, self.sock, self.pending = pid, sock, b""


_SLOT_BYTES = ev.COUNTER_WORDS * 8
_BLOCK_BYTES = 64 * _SLOT_BYTES  # compared in one piece before its slots are looked at
_CHANGED = ev.COUNTERS_CHANGED
_RECORDS = ev.RING_OFFSET_WORDS
_RECORD_WORDS = ev.RING_RECORD_WORDS
_UNSIGNALLED = {ev.RK_PIPE_SEND, ev.RK_PIPE_RECV}
"""Counters whose writers do not bump COUNTERS_CHANGED (traced.py counts pipe messages
inline): their slots are compared one by one on every poll."""


class _RingReader:
    """Reads the records a process appends to its ring (see mptui.events)."""

    def __init__(self, pid: int, path: str) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            self._map = mmap.mmap(fd, ev.RING_BYTES, prot=mmap.PROT_READ)
        finally:
            os.close(fd)
        self.pid, self.path = pid, path
        self._words = memoryview(self._map).cast("q")
        self.tail = 0
        self._counters: list[list[int]] = []  # [code, count, amount] last reported, per slot
        self._table = b""  # the counter table as last read
        self._changed = -1  # COUNTERS_CHANGED when the table was last read (-1: never)
        self._tail_read = 0  # the records read by then (a lock's release counts first)
        self._unsignalled: list[int] = []  # slots compared on every poll (pipes)
        self.reads = 0
        """How many times the counter table was found changed and its slots read."""

    def poll(self, out: list[dict], records: list[tuple], budget: int) -> int:
        """One poll: new lock records to ``records`` (at most ``budget``), then the
        counters that changed to ``out``; return how many records were lost (see
        :meth:`drain`). A ring with no new record, an unmoved change count, no new slot
        and no pipe slot costs three reads here, and nothing more."""
        words, tail, known = self._words, self.tail, len(self._counters)
        if (
            words[_RECORDS + (tail & ev.RING_MASK) * ev.RING_RECORD_WORDS] <= tail
            and words[_CHANGED] == self._changed
            and (known == ev.COUNTER_SLOTS or words[known * ev.COUNTER_WORDS] == 0)
            and not self._unsignalled
        ):
            return 0
        dropped = self.drain(records, budget)
        self.read_counters(out)  # after drain: a record read means a count moved
        return dropped

    def read_counters(self, out: list[dict], now: bool = False) -> None:
        """Append a ``counter`` event for every counter that changed since the last read.

        Polled 50 times a second for every process, so a table that did not change must
        cost next to nothing, however many objects it counts: its change count
        (COUNTERS_CHANGED) is read first, and the table only when that moved, when a
        record was read since (a lock's release counts before it publishes its record:
        call this after :meth:`drain`) or a slot was claimed; then it is compared in
        blocks with the last copy and only the slots of blocks that differ are looked
        at. Pipe slots (not signalled) are compared on every poll; ``now`` reads the
        whole table (a process that ended)."""
        words, known = self._words, self._counters
        changed = words[_CHANGED]  # first: a count written after this moves it again
        claimed = False
        while len(known) < ev.COUNTER_SLOTS:  # slots claimed since the last read
            code = words[len(known) * ev.COUNTER_WORDS]
            if code == 0:
                break
            if code >> 56 in _UNSIGNALLED:
                self._unsignalled.append(len(known))
            known.append([code, 0, 0])
            claimed = True
        if now or claimed or changed != self._changed or self.tail != self._tail_read:
            self._changed, self._tail_read = changed, self.tail
            self._read_table(out)
            return
        pid = self.pid
        for slot in self._unsignalled:
            base, seen = slot * ev.COUNTER_WORDS, known[slot]
            count, amount = words[base + 1], words[base + 2]
            if count != seen[1] or amount != seen[2]:
                seen[1], seen[2] = count, amount
                out.append(ev.counter_event(pid, seen[0], count, amount))

    def _read_table(self, out: list[dict]) -> None:
        known = self._counters
        table = self._map[: len(known) * _SLOT_BYTES]
        last = self._table
        if table == last:
            return
        self._table = table
        self.reads += 1
        values = memoryview(table).cast("q")
        for first in range(0, len(table), _BLOCK_BYTES):
            end = first + _BLOCK_BYTES
            if table[first:end] == last[first:end]:
                continue
            for slot in range(first // _SLOT_BYTES, min(end, len(table)) // _SLOT_BYTES):
                base, seen = slot * ev.COUNTER_WORDS, known[slot]
                count, amount = values[base + 1], values[base + 2]
                if count != seen[1] or amount != seen[2]:
                    seen[1], seen[2] = count, amount
                    out.append(ev.counter_event(self.pid, seen[0], count, amount))
        values.release()

    def drain(self, out: list[tuple], budget: int = ev.RING_CAPACITY) -> int:
        """Append up to ``budget`` new records to ``out`` as ``(pid, code, t, value)``
        (decoded later, by the Store or mptui.events.ring_event); return how many were
        overwritten before they could be read.

        Records are read a run of slots at a time, each word of the run with one C call
        (a strided slice's ``tolist``): every sequence word, then the fields, then every
        sequence word again. A record is taken when both readings of its sequence word
        are the one expected: the writer zeroes that word before it touches the fields
        and publishes it after, so the fields in between are whole (a seqlock, in bulk).
        A run that is not all whole and in order is looked at record by record."""
        words, tail, dropped, pid = self._words, self.tail, 0, self.pid
        run = 32  # slots in the first run: most polls find a few records
        while budget > 0:
            slot = tail & ev.RING_MASK
            n = min(run, budget, ev.RING_CAPACITY - slot)
            first = _RECORDS + slot * _RECORD_WORDS
            last = first + n * _RECORD_WORDS
            seqs = words[first:last:_RECORD_WORDS].tolist()
            if seqs[0] <= tail:
                break  # not written yet
            codes = words[first + 1 : last : _RECORD_WORDS].tolist()
            times = words[first + 2 : last : _RECORD_WORDS].tolist()
            values = words[first + 3 : last : _RECORD_WORDS].tolist()
            again = words[first:last:_RECORD_WORDS].tolist()
            # Written records come first, in order; the rest of the run holds the last
            # lap's (smaller sequence numbers): where they begin, found by bisection.
            k = n if seqs[-1] > tail else bisect_left(seqs, True, key=tail.__ge__)
            if seqs[:k] == again[:k] == list(range(tail + 1, tail + k + 1)):
                out.extend(zip(repeat(pid, k), codes[:k], times[:k], values[:k], strict=True))
                tail += k
                budget -= k
                if k < n:
                    break  # the rest is not written yet
                run = 1024
                continue
            columns = zip(seqs, again, codes, times, values, strict=True)
            for seq, seq_again, code, t, value in columns:
                if seq <= tail:
                    budget = 0  # not written yet: the rest waits for the next poll
                    break
                budget -= 1
                if seq_again != seq:
                    budget = 0  # overwritten while we read it; the next poll sees the newer
                    break
                if seq > tail + 1:
                    # The writer lapped us: this slot holds a record newer than the one we
                    # expect, which is lost. Records after it in the ring may still be
                    # there: go on from the next slot (this one is read on the next lap).
                    lost_to = seq - ev.RING_CAPACITY
                    dropped += lost_to - tail
                    tail = lost_to
                    continue
                out.append((pid, code, t, value))
                tail += 1
            else:
                continue
            break
        self.tail = tail
        return dropped

    def close(self) -> None:
        self._words.release()
        self._map.close()


def _channels_first(item: tuple) -> int:
    return 0 if isinstance(item[0].data, _Channel) else 1


_record_time = operator.itemgetter(2)  # (pid, code, t, value)


class Collector:
    """Drains one run into a Store; see the module docstring."""

    def __init__(
        self,
        store: Store,
        listener: socket.socket,
        secret: str,
        session_dir: str,
        group: ProcessGroup,
        runner_pid: int,
        *,
        listeners: Iterable[Listener] = (),
        initial_events: Iterable[dict] = (),
        on_runner_exit: Callable[[int], None] | None = None,
    ) -> None:
        self.store = store
        self._listener = listener
        self._secret = secret
        self._dir = os.path.realpath(session_dir)
        self.group = group
        self.runner_pid = runner_pid
        self._listeners = list(listeners)
        self._pending_events = deque(initial_events)  # appended to from other threads
        self._on_runner_exit = on_runner_exit
        self._selector = selectors.DefaultSelector()
        self._selector.register(listener, selectors.EVENT_READ, None)
        self._channels: dict[int, _Channel] = {}  # pid -> open message channel
        self._unidentified: set[_Unidentified] = set()  # accepted, header not read yet
        self._streams: set[_Stream] = set()
        self._flooding: set[_Stream] = set()  # read every round, not watched (_flooded)
        self._streamed = False  # the last round read output
        self._connecting = False  # the last round accepted or identified a connection
        self._unread = False  # a read of the last round filled its buffer: more is waiting
        self._rings: dict[int, _RingReader] = {}
        self._ended: dict[int, int | None] = {}  # pid -> exit code, for processes gone
        self._known: set[int] = set()
        self._runner_code: int | None = None
        self._codes_deadline: float | None = None
        self._self_reported: dict[int, int] = {}  # pid -> code from its own 'exited'
        self._strays = Strays(session_dir)  # every descendant seen, for the guardian
        self._metrics = MetricsSampler()
        self._stop = threading.Event()
        self.error: BaseException | None = None
        """What stopped the thread if it failed (a bug in mptui, not in the program)."""
        self.finished = threading.Event()
        """Set once the runner has ended and every channel and stream has closed."""
        self._thread = threading.Thread(target=self._run, name="mptui-collector", daemon=True)

    # ------------------------------------------------------------------ control

    def add_pipe(self, pipe, pid: int, stream: str) -> None:
        """Read an extra output pipe (a file object; the collector closes it at EOF): the
        runner's own stdout and stderr, for output written before its agent ran."""
        self._add_stream(pid, stream, pipe)

    def _add_stream(self, pid: int, stream: str, owner) -> None:
        fd = owner.fileno() if hasattr(owner, "fileno") else owner.fd
        os.set_blocking(fd, False)
        entry = _Stream(pid, stream, fd, owner)
        self._streams.add(entry)
        self._selector.register(fd, selectors.EVENT_READ, entry)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> None:
        """Stop the thread (after one last drain) and release everything it holds."""
        self._stop.set()
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(timeout)

    @property
    def runner_code(self) -> int | None:
        return self._runner_code

    @property
    def live_pids(self) -> set[int]:
        return self._known - set(self._ended)

    # ------------------------------------------------------------------ the loop

    def _run(self) -> None:
        next_tick = time.monotonic() + TICK_SECONDS
        hurry = False  # look without waiting: output is waiting, or the wait was just had
        try:
            while not self._stop.is_set():
                batch = []
                while self._pending_events:
                    batch.append(self._pending_events.popleft())
                self._streamed = self._connecting = self._unread = False
                # Flooding streams are not watched: they are read every BATCH_SECONDS.
                timeout = 0 if hurry else BATCH_SECONDS if self._flooding else POLL_SECONDS
                self._round(batch, timeout)
                now = time.monotonic()
                if now >= next_tick:
                    next_tick = now + TICK_SECONDS
                    t = time.monotonic_ns()
                    batch.append({"kind": ev.TICK, "t": t})
                    self._reap(batch, thorough=True)
                    self._note_descendants()
                    samples = self._metrics.sample(self.live_pids)
                    if samples:
                        batch.append({"kind": ev.METRICS, "t": t, "samples": samples})
                self._publish(batch)
                if self._is_finished():
                    self.finished.set()
                    break
                hurry = self._unread
                if self._streamed and not (self._connecting or self._unread):
                    self._stop.wait(BATCH_SECONDS)
                    hurry = True
            # A last look, so nothing already written is left unread.
            batch = []
            self._round(batch, 0)
            self._publish(batch)
        except BaseException as error:  # noqa: BLE001 - reported by the front end
            self.error = error
        finally:
            self._close_all()
            self.finished.set()

    def _round(self, batch: list[dict], timeout: float) -> None:
        # Fifty rounds a second, most of them finding nothing: what they do not need
        # (copies, sorts, key functions made anew) is skipped.
        ready = self._selector.select(timeout)
        if any(key.data is None for key, _mask in ready):
            self._greet_newcomers(batch)
            ready = [item for item in ready if item[0].data is not None]
        flooding = list(self._flooding) if self._flooding else ()  # (not those found now)
        # Message channels first: a process's 'started' (its name) is read before the
        # lines it printed after it, so the lines are tagged with the name.
        if len(ready) > 1:
            ready.sort(key=_channels_first)
        channels = 0
        for key, _mask in ready:
            if not isinstance(key.data, _Channel):
                break
            self._read_channel(key.data, batch)
            channels += 1
        # Then the output of children their parents reaped just now: a child printed before
        # it ended, and its parent printed after it learned so (join): the child's lines
        # first, even when they arrive in the same round as the parent's.
        if channels and any(e.get("kind") == ev.REAPED for e in batch):
            reaped = {e["child"] for e in batch if e.get("kind") == ev.REAPED}
            for entry in [entry for entry in self._streams if entry.pid in reaped]:
                self._read_stream(entry, batch)
        for key, _mask in ready[channels:]:
            data = key.data
            if data is None:
                self._accept()
                self._connecting = True
            elif isinstance(data, _Channel):
                self._read_channel(data, batch)
            elif isinstance(data, _Stream):
                # (Not one closed earlier in this round: its fd may be another's now.)
                if data in self._streams:
                    self._read_stream(data, batch)
            elif data in self._unidentified:  # (not one _greet_newcomers identified)
                self._identify(data, batch)
                self._connecting = True
        for entry in flooding:
            if entry in self._flooding:  # (not closed meanwhile)
                self._read_stream(entry, batch)
        records: list[tuple] = []
        for reader in list(self._rings.values()):
            dropped = reader.poll(batch, records, RECORDS_PER_POLL)
            if dropped:
                batch.append({"kind": ev.DROPPED, "pid": reader.pid, "count": dropped})
        # Each ring is in order; across processes, order by time (a release in one process
        # before the acquire in another). The sort is stable: records of one process with
        # the same time keep their order.
        if records:
            records.sort(key=_record_time)
            batch.append({"kind": ev.RECORDS, "records": records})
        self._reap(batch)

    def _publish(self, batch: list[dict]) -> None:
        if not batch:
            return
        self.store.apply_many(batch)
        expanded = None
        for listener in self._listeners:
            # Ring records are decoded into events only for a listener that prints or
            # records them (a line printer does not look at them).
            if getattr(listener, "wants_ring_events", True):
                if expanded is None:
                    expanded = ev.expand_records(batch)
                listener(expanded)
            else:
                listener(batch)

    # ------------------------------------------------------------------ connections

    def _greet_newcomers(self, batch: list[dict]) -> None:
        """Accept new connections and identify them at once (the header and the pipes
        travel with the connect, so they are usually there), reading what their channels
        already say. A child that connected, printed and exited, and whose parent then
        reaped it and printed, is then known in the same round as its parent's line, and
        its lines can be read first (see _round); not only in the next round."""
        self._accept()
        self._connecting = True
        channels = set(self._channels.values())
        for conn in list(self._unidentified):
            self._identify(conn, batch)
        for channel in set(self._channels.values()) - channels:
            self._read_channel(channel, batch)  # 'started' first: the lines get its name

    def _accept(self) -> int:
        """Accept every connection waiting in the listen backlog; return how many."""
        accepted = 0
        while True:
            try:
                sock, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return accepted
            except OSError:
                # Out of descriptors (EMFILE): the agent waits in connect(); try again
                # shortly rather than spin on a listener that stays readable.
                time.sleep(0.01)
                return accepted
            sock.setblocking(False)
            conn = _Unidentified(sock)
            self._unidentified.add(conn)
            self._selector.register(sock, selectors.EVENT_READ, conn)
            accepted += 1

    def _identify(self, conn: _Unidentified, batch: list[dict]) -> None:
        try:
            chunk, ancdata, _flags, _addr = conn.sock.recvmsg(4096, _FD_SPACE)
        except BlockingIOError:
            return
        except OSError:
            chunk, ancdata = b"", []
        conn.fds.extend(_received_fds(ancdata))
        conn.data += chunk
        header, newline, rest = conn.data.partition(b"\n")
        identity = ev.decode_header_carrying(header, self._secret) if newline else None
        if identity is None:
            if newline or not chunk or len(conn.data) > 512:
                # Not one of ours (wrong secret or garbage): drop it and what it sent.
                self._unidentified.discard(conn)
                self._selector.unregister(conn.sock)
                conn.sock.close()
                for fd in conn.fds:
                    os.close(fd)
            return
        self._unidentified.discard(conn)
        self._selector.unregister(conn.sock)
        pid, stream, carried = identity
        if stream != ev.STREAM_EVENTS:
            conn.sock.close()  # it only carried the header and the pipe
            fd, *extra = conn.fds or [-1]
            for unexpected in extra:
                os.close(unexpected)
            if fd >= 0:
                self._known.add(pid)
                self._add_stream(pid, stream, _PipeEnd(fd))
            return
        self._known.add(pid)
        # The process's output pipes came with the header, in the order it names them.
        fds = conn.fds if len(conn.fds) == len(carried) else []  # else: none is trusted
        for fd in conn.fds:
            if fd not in fds:
                os.close(fd)
        for fd, piped in zip(fds, carried, strict=True):
            self._add_stream(pid, piped, _PipeEnd(fd))
        channel = _Channel(pid, conn.sock)
        old = self._channels.get(pid)
        if old is not None:  # pid reused, or exec: the old channel is finished
            self._close_channel(old, batch)
        self._channels[pid] = channel
        if self._ended.get(pid, 0) is None:  # a reused pid; a code already reaped stays
            del self._ended[pid]
        self._selector.register(conn.sock, selectors.EVENT_READ, channel)
        if rest:
            self._feed_channel(channel, rest, batch)

    def _read_channel(self, channel: _Channel, batch: list[dict]) -> None:
        try:
            chunk = channel.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if chunk:
            self._feed_channel(channel, chunk, batch)
        else:
            self._close_channel(channel, batch)

    def _feed_channel(self, channel: _Channel, chunk: bytes, batch: list[dict]) -> None:
        *lines, channel.pending = (channel.pending + chunk).split(b"\n")
        for line in lines:
            event = ev.decode_message(line)
            if event is None:
                batch.append({"kind": "bad_message", "pid": channel.pid})
                continue
            # The connection says who sent it; a message cannot speak for another pid.
            event["pid"] = channel.pid
            event.setdefault("t", time.monotonic_ns())
            kind = event["kind"]
            if kind == ev.RING:
                self._open_ring(channel.pid, event.get("path"))
            elif kind == ev.REAPED and isinstance(event.get("child"), int):
                self._ended[event["child"]] = event.get("code")
            elif kind == ev.EXITED and isinstance(event.get("code"), int):
                self._self_reported[channel.pid] = event["code"]
            batch.append(event)

    def _close_channel(self, channel: _Channel, batch: list[dict]) -> None:
        self._selector.unregister(channel.sock)
        channel.sock.close()
        if self._channels.get(channel.pid) is channel:
            del self._channels[channel.pid]
        reader = self._rings.pop(channel.pid, None)
        if reader is not None:  # the process is gone: read what it left, then forget it
            records: list[tuple] = []
            reader.drain(records)
            reader.read_counters(batch, now=True)
            if records:
                batch.append({"kind": ev.RECORDS, "records": records})
            reader.close()
            try:
                os.unlink(reader.path)
            except OSError:
                pass
        # Until a parent reports how it ended, what it said itself is the best we know.
        self._ended.setdefault(channel.pid, self._self_reported.pop(channel.pid, None))
        batch.append({"kind": ev.GONE, "pid": channel.pid, "t": time.monotonic_ns()})

    def _open_ring(self, pid: int, path: object) -> None:
        if not isinstance(path, str):
            return
        real = os.path.realpath(path)
        if os.path.dirname(real) != self._dir:
            return  # only rings inside this session's private directory
        old = self._rings.pop(pid, None)
        if old is not None:
            old.close()
        try:
            self._rings[pid] = _RingReader(pid, real)
        except (OSError, ValueError):
            pass

    def _read_stream(self, entry: _Stream, batch: list[dict]) -> None:
        """Read what ``entry`` has, up to its share of a round, then publish its pending
        line (a progress bar) as it stands."""
        got = 0
        while got < ROUND_BYTES_PER_STREAM:
            try:
                chunk = os.read(entry.fd, READ_SIZE)
            except BlockingIOError:
                if entry in self._flooding:
                    entry.quiet_rounds += 1
                    if entry.quiet_rounds >= CALM_ROUNDS:
                        self._calmed(entry)
                break
            except OSError:
                chunk = b""
            if not chunk:
                self._close_stream(entry, batch)
                return
            got += len(chunk)
            entry.feed(chunk, batch)
            if len(chunk) < READ_SIZE:
                break
            # A full read: the stream writes faster than a wait between rounds would let
            # it (a long line); waiting would only stall its writer.
            self._unread = True
        if got:
            self._streamed = True
            entry.quiet_rounds = 0
            if got >= FLOOD_BYTES and entry not in self._flooding:
                self._flooded(entry)
        entry.pending(batch)

    def _flooded(self, entry: _Stream) -> None:
        """``entry`` floods: read it every round instead of waking up for it.

        A pipe that a selector watches wakes the selector on every write, and that costs
        the writer: a process printing a million lines a second pays it a million times.
        A flooding stream is read once per round (about every BATCH_SECONDS) without being
        watched, and its pipe is made bigger (when the system allows it) so the writer
        does not block while the collector sleeps between rounds."""
        self._selector.unregister(entry.fd)
        self._flooding.add(entry)
        try:
            fcntl.fcntl(entry.fd, _SETPIPE_SZ, FLOOD_PIPE_BYTES)
        except (OSError, TypeError):
            pass  # over the user's pipe quota, not a pipe, not Linux: it works, slower

    def _calmed(self, entry: _Stream) -> None:
        """``entry`` has been quiet a while: watch it again, so a quiet stream costs
        nothing."""
        self._flooding.discard(entry)
        self._selector.register(entry.fd, selectors.EVENT_READ, entry)

    def _close_stream(self, entry: _Stream, batch: list[dict]) -> None:
        if entry in self._flooding:
            self._flooding.discard(entry)
        else:
            self._selector.unregister(entry.fd)
        entry.owner.close()
        self._streams.discard(entry)
        entry.close(batch)

    # ------------------------------------------------------------------ lifecycle

    def _reap(self, batch: list[dict], thorough: bool = False) -> None:
        me = os.getpid()
        reaped = self.group.reap()
        if thorough:  # about once a second: orphans adopted from outside the group
            for pid in [p for p, code in self._ended.items() if code is None]:
                code = reap_pid(pid)
                if code is not None:
                    reaped.append((pid, code))
        for pid, code in reaped:
            self._ended[pid] = code
            t = time.monotonic_ns()
            batch.append({"kind": ev.REAPED, "pid": me, "child": pid, "code": code, "t": t})
            if pid == self.runner_pid:
                self._runner_code = code
                batch.append({"kind": ev.RUN_ENDED, "t": t, "code": code})
                if self._on_runner_exit is not None:
                    self._on_runner_exit(code)

    # ------------------------------------------------------------------ strays

    def _note_descendants(self) -> None:
        """Note every descendant (with its start time, against pid reuse) in the record the
        guardian reads: a process that left the group (setsid) is still ours to end."""
        self._strays.note(self._metrics.descendants(self.runner_pid, self.live_pids))

    def note_stopping(self, reason: str) -> None:
        """mptui is about to end the run, for ``reason`` (called from another thread)."""
        self._pending_events.append(
            {"kind": ev.STOPPING, "t": time.monotonic_ns(), "reason": reason}
        )

    def note_signal(self, pid: int, sig: int) -> None:
        """The user sent ``sig`` to ``pid`` from mptui (called from another thread)."""
        self._pending_events.append(
            {
                "kind": ev.SIGNALLED,
                "pid": os.getpid(),
                "child": pid,
                "signal": int(sig),
                "by_user": True,
                "t": time.monotonic_ns(),
            }
        )

    def kill_strays(self) -> None:
        """SIGKILL every descendant seen that still runs outside the group."""
        self._note_descendants()
        self._strays.kill()

    def _is_finished(self) -> bool:
        """True once nothing more can arrive: the runner has ended, every process that said
        hello has closed its channel, every output pipe handed over has reached EOF, and no
        process of the group is left that could still connect.

        A connection an agent opened sits in the listen backlog until accepted, and one
        accepted is unknown until its header is read: both are looked at here, so a short
        program whose processes all ended before the collector got round to their pipes
        is never taken as finished with its output unread."""
        if self._runner_code is None or self._channels or self._streams:
            return False
        if self._unidentified or self._accept():
            return False
        if not self.group.is_empty():
            # A member that has not connected yet (a child forked just before the main
            # process ended, or a non-Python one): the end policy stops it if it lingers.
            return False
        # A process's channel closes a moment before it can be reaped: give the exit codes
        # of the last ones (e.g. the resource tracker, adopted by us) a moment to arrive.
        if any(code is None for code in self._ended.values()):
            if self._codes_deadline is None:
                self._codes_deadline = time.monotonic() + 0.2
            if time.monotonic() < self._codes_deadline:
                return False  # (0.2 s at most)
        return True

    def _close_all(self) -> None:
        for key in list(self._selector.get_map().values()):
            data = key.data
            owner = getattr(data, "sock", None) or getattr(data, "owner", None)
            try:
                if owner is not None:
                    owner.close()
            except OSError:
                pass
        self._selector.close()
        for entry in self._flooding:  # not in the selector while flooding
            try:
                entry.owner.close()
            except OSError:
                pass
        self._flooding.clear()
        for reader in self._rings.values():
            reader.close()
        self._rings.clear()
