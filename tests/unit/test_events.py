"""The shared vocabulary: message codec, connection headers, object ids and ring records."""

from __future__ import annotations

import enum
import json
import struct

import pytest

from mptui import events as ev

# --------------------------------------------------------------------------------------
# encode_message / decode_message


def roundtrip(kind: str, **fields: object) -> dict | None:
    return ev.decode_message(ev.encode_message(kind, **fields))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "plain ascii",
        "héllo wörld ✓ 日本語 🐍",
        'a "quoted" word',
        "back\\slash and \\n literal",
        "new\nline\r\ncarriage\ttab",
        "".join(chr(i) for i in range(0x20)) + "\x7f",
        "\u2028\u2029 line separators",
        "\x00nul in the middle\x00",
    ],
)
def test_strings_roundtrip_exactly(text):
    assert roundtrip("hello", cmdline=text, argv=[text, text]) == {
        "kind": "hello",
        "cmdline": text,
        "argv": [text, text],
    }


def test_encoded_message_is_one_line_of_valid_json():
    # The channel frames messages on b"\n": no raw newline may appear inside one.
    line = ev.encode_message("hello", cmdline="a\nb\rc\n", argv=["x\n"])
    assert line.endswith(b"\n")
    assert line.count(b"\n") == 1
    assert b"\r" not in line
    assert json.loads(line) == {"kind": "hello", "cmdline": "a\nb\rc\n", "argv": ["x\n"]}


def test_kind_comes_first_and_is_kept():
    line = ev.encode_message("started", name="Process-1", start_method="spawn")
    assert line.startswith(b'{"kind":"started"')
    assert roundtrip("started", name="Process-1") == {"kind": "started", "name": "Process-1"}


def test_lone_surrogates_are_replaced_not_fatal():
    # sys.argv holds lone surrogates for undecodable bytes (surrogateescape).
    line = ev.encode_message("hello", argv=["a\udcffb", "\ud800"], cmdline="x\udc80y")
    line.decode("utf-8")  # strict: the wire is valid UTF-8
    event = ev.decode_message(line)
    assert event == {"kind": "hello", "argv": ["a?b", "?"], "cmdline": "x?y"}


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        0,
        -1,
        2**62,
        -(2**63),
        1.5,
        -0.25,
        1e300,
        1e-300,
        0.1 + 0.2,
        [],
        {},
        [1, [2, [3, [None, True]]]],
        {"a": {"b": [1, {"c": "d"}]}, "e": []},
        [{"x": 1.25}, "s", False],
    ],
)
def test_values_roundtrip(value):
    event = roundtrip("object", value=value)
    assert event == {"kind": "object", "value": value}
    # Types survive too (True is not 1, 1.5 stays a float).
    assert type(event["value"]) is type(value)


def test_bools_are_json_booleans_not_ints():
    assert ev.encode_message("hello", runner=True, flag=False) == (
        b'{"kind":"hello","runner":true,"flag":false}\n'
    )


def test_tuples_become_lists_and_keys_become_strings():
    assert roundtrip("x", pair=(1, "b"), table={1: "one", "k": (2,)}) == {
        "kind": "x",
        "pair": [1, "b"],
        "table": {"1": "one", "k": [2]},
    }


def test_other_objects_are_sent_as_their_str():
    class Thing:
        def __str__(self) -> str:
            return 'thing "1"'

    assert roundtrip("x", value=Thing()) == {"kind": "x", "value": 'thing "1"'}


class _ExitCode(enum.IntEnum):
    FAILURE = 3


def test_int_subclass_encodes_as_a_number():
    assert roundtrip("exited", code=_ExitCode.FAILURE) == {"kind": "exited", "code": 3}


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_non_finite_float_does_not_lose_the_message(value):
    event = roundtrip("object", id=1, type="Queue", maxsize=value)
    assert event is not None
    assert event["id"] == 1


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"\n",
        b"not json",
        b"{",
        b'{"kind": "hello"',
        b"[1, 2, 3]",
        b'"hello"',
        b"null",
        b"42",
        b"{}",
        b'{"pid": 1}',
        b'{"kind": 5}',
        b'{"kind": null}',
        b'{"kind": ["hello"]}',
        b"\xff\xfe\x00garbage",
        b'{"kind": "\xff"}',
        b'{"kind": "hello"} trailing',
    ],
)
def test_decode_of_garbage_returns_none(line):
    assert ev.decode_message(line) is None


def test_decode_accepts_trailing_newline_and_whitespace():
    assert ev.decode_message(b' {"kind": "gone", "pid": 3} \n') == {"kind": "gone", "pid": 3}


def test_decode_of_deeply_nested_garbage_returns_none():
    assert ev.decode_message(b"[" * 100_000) is None


# --------------------------------------------------------------------------------------
# Connection headers


@pytest.mark.parametrize("stream", ev.STREAMS)
def test_header_roundtrip(stream):
    line = ev.encode_header("s3cr3t-token", 4242, stream)
    assert line.endswith(b"\n")
    assert ev.decode_header(line, "s3cr3t-token") == (4242, stream)


@pytest.mark.parametrize("carried", [(), ("stdout",), ("stderr",), ("stdout", "stderr")])
def test_header_names_the_pipes_that_travel_with_it(carried):
    line = ev.encode_header("sec", 7, ev.STREAM_EVENTS, carried)
    assert ev.decode_header_carrying(line, "sec") == (7, ev.STREAM_EVENTS, carried)
    assert ev.decode_header(line, "sec") == (7, ev.STREAM_EVENTS)


@pytest.mark.parametrize(
    "line",
    [
        b"MPTUI1 sec 10 events stdin\n",  # not an output stream
        b"MPTUI1 sec 10 events events\n",
        b"MPTUI1 sec 10 events stdout,stdout\n",  # one stream, two pipes
        b"MPTUI1 sec 10 events stdout,\n",
        b"MPTUI1 sec 10 events stdout stderr\n",
    ],
)
def test_bad_carried_streams_are_rejected(line):
    assert ev.decode_header_carrying(line, "sec") is None


def test_header_with_wrong_secret_is_rejected():
    line = ev.encode_header("right", 10, ev.STREAM_EVENTS)
    assert ev.decode_header(line, "wrong") is None
    assert ev.decode_header(line, "righ") is None
    assert ev.decode_header(line, "right2") is None
    assert ev.decode_header(line, "") is None


@pytest.mark.parametrize(
    "line",
    [
        b"MPTUI1 sec 10 stdin\n",  # unknown stream
        b"MPTUI1 sec 10 EVENTS\n",
        b"MPTUI1 sec 10 \n",
        b"MPTUI1 sec 12a events\n",  # pid not all digits
        b"MPTUI1 sec -5 events\n",
        b"MPTUI1 sec +5 events\n",
        b"MPTUI1 sec 1.5 events\n",
        b"MPTUI1 sec  events\n",
        b"MPTUI2 sec 10 events\n",  # wrong magic
        b"mptui1 sec 10 events\n",
        b"MPTUI1 sec 10 events extra\n",
        b"MPTUI1 sec\n",
        b"",
        "MPTUI1 sec \u0661\u0662 events\n".encode(),  # Arabic-Indic digits: not ASCII
        b"MPTUI1 s\xffc 10 events\n",
    ],
)
def test_malformed_headers_are_rejected(line):
    assert ev.decode_header(line, "sec") is None


def test_header_pid_is_an_int():
    pid, stream = ev.decode_header(b"MPTUI1 sec 0077 stderr\r\n", "sec")
    assert pid == 77 and isinstance(pid, int)
    assert stream == ev.STREAM_STDERR


# --------------------------------------------------------------------------------------
# Object ids

PID_MAX = 1 << 22  # Linux's largest possible pid_max


def test_object_ids_are_unique_across_pids_and_counters():
    pids = [1, 2, 3, 1000, 32767, 32768, 65535, 99999, PID_MAX - 1, PID_MAX]
    counters = [*range(1, 300), 0xFFFFF]
    ids = {ev.make_object_id(pid, counter) for pid in pids for counter in counters}
    assert len(ids) == len(pids) * len(counters)


@pytest.mark.parametrize("pid", [1, 4242, PID_MAX])
@pytest.mark.parametrize("counter", [1, 2, 0xFFFFF])
def test_object_id_fits_in_48_bits(pid, counter):
    oid = ev.make_object_id(pid, counter)
    assert 0 < oid <= ev.OBJECT_ID_MASK
    assert oid >> ev.OBJECT_ID_BITS == 0


def test_object_id_survives_packing_into_a_ring_code():
    oid = ev.make_object_id(PID_MAX, 0xFFFFF)
    assert ev.ring_event(PID_MAX, ev.RK_LOCK_ACQUIRED << 56 | oid, 5, 6)["id"] == oid
    counter = ev.counter_event(PID_MAX, ev.RK_PIPE_RECV << 56 | 1 << 48 | oid, 5, 6)
    assert (counter["id"], counter["end"]) == (oid, 1)


# --------------------------------------------------------------------------------------
# Ring records (locks) and counter slots (queues, pipes)


def code(kind: int, oid: int, aux: int = 0) -> int:
    """Pack like the layout comment says: kind << 56 | aux << 48 | object_id."""
    return kind << 56 | aux << 48 | oid


OID = ev.make_object_id(31337, 7)


@pytest.mark.parametrize(
    ("kind", "name", "value", "expected_extra"),
    [
        (ev.RK_LOCK_WAIT, ev.LOCK_WAIT, 0, {}),
        (ev.RK_LOCK_ACQUIRED, ev.LOCK_ACQUIRED, 0, {"wait_ns": 0}),
        (ev.RK_LOCK_ACQUIRED, ev.LOCK_ACQUIRED, 1_500_000, {"wait_ns": 1_500_000}),
        (ev.RK_LOCK_RELEASED, ev.LOCK_RELEASED, 250, {"hold_ns": 250}),
        (ev.RK_LOCK_RELEASED, ev.LOCK_RELEASED, -1, {"hold_ns": -1}),
        (ev.RK_LOCK_TIMEOUT, ev.LOCK_TIMEOUT, 10**9, {"wait_ns": 10**9}),
    ],
)
def test_ring_event_for_every_lock_kind(kind, name, value, expected_extra):
    event = ev.ring_event(321, code(kind, OID), 123_456_789, value)
    assert event == {"kind": name, "pid": 321, "id": OID, "t": 123_456_789, **expected_extra}


@pytest.mark.parametrize(
    ("kind", "op"),
    [
        (ev.RK_QUEUE_PUT, "put"),
        (ev.RK_QUEUE_GET, "get"),
        (ev.RK_PIPE_SEND, "send"),
        (ev.RK_PIPE_RECV, "recv"),
    ],
)
@pytest.mark.parametrize("end", [0, 1])
def test_counter_event_for_every_counter_kind_carries_the_end(kind, op, end):
    event = ev.counter_event(9, code(kind, OID, aux=end), 12, 4096)
    assert event == {
        "kind": ev.COUNTER,
        "pid": 9,
        "id": OID,
        "op": op,
        "end": end,
        "count": 12,
        "bytes": 4096,
    }


def test_ring_and_counter_kinds_are_distinct_and_complete():
    constants = {v for k, v in vars(ev).items() if k.startswith("RK_")}
    assert set(ev.RING_KIND_NAMES) | set(ev.COUNTER_OPS) == constants
    assert not set(ev.RING_KIND_NAMES) & set(ev.COUNTER_OPS)
    assert len(set(ev.RING_KIND_NAMES.values())) == len(ev.RING_KIND_NAMES)
    assert len(set(ev.COUNTER_OPS.values())) == len(ev.COUNTER_OPS)
    assert max(constants) < 128  # kind << 56 must stay positive in a signed word
    for kind in (ev.RK_QUEUE_PUT, ev.RK_QUEUE_GET, ev.RK_PIPE_SEND, ev.RK_PIPE_RECV):
        assert kind in ev.COUNTER_OPS


def test_aux_bits_never_leak_into_the_object_id():
    top = ev.OBJECT_ID_MASK  # every id bit set
    for kind, name in ev.RING_KIND_NAMES.items():
        event = ev.ring_event(1, code(kind, top, aux=0xFF), 0, 0)
        assert (event["id"], event["kind"]) == (top, name)
    for kind, op in ev.COUNTER_OPS.items():
        event = ev.counter_event(1, code(kind, top, aux=1), 0, 0)
        assert (event["id"], event["op"], event["end"]) == (top, op, 1)


def test_unknown_kinds_are_named_unknown():
    known = set(ev.RING_KIND_NAMES) | set(ev.COUNTER_OPS)
    for kind in (0, max(known) + 1, 127):
        assert ev.ring_event(1, code(kind, OID), 0, 0)["kind"] == "unknown"
        assert ev.counter_event(1, code(kind, OID), 0, 0)["op"] == "unknown"
    # A counter kind found where a lock record should be is not mistaken for a lock event.
    assert ev.ring_event(1, code(ev.RK_QUEUE_PUT, OID), 0, 0)["kind"] == "unknown"


@pytest.mark.parametrize("kind", sorted(set(ev.RING_KIND_NAMES) | set(ev.COUNTER_OPS)))
def test_codes_survive_the_signed_64_bit_words(kind):
    # The ring file is a memoryview cast to "q": every code must fit a signed 64-bit word.
    packed_code = code(kind, ev.OBJECT_ID_MASK, aux=1)
    if kind in ev.COUNTER_OPS:
        slot = struct.pack("=4q", packed_code, 3, 2**62, 0)
        packed, count, amount, _ = struct.unpack("=4q", slot)
        event = ev.counter_event(5, packed, count, amount)
        assert (event["op"], event["id"], event["end"]) == (
            ev.COUNTER_OPS[kind],
            ev.OBJECT_ID_MASK,
            1,
        )
        assert (event["count"], event["bytes"]) == (3, 2**62)
    else:
        record = struct.pack("=4q", 1, packed_code, 2**62, 7)
        _seq, packed, t, value = struct.unpack("=4q", record)
        event = ev.ring_event(5, packed, t, value)
        assert (event["kind"], event["id"], event["t"]) == (
            ev.RING_KIND_NAMES[kind],
            ev.OBJECT_ID_MASK,
            2**62,
        )


def test_ring_file_geometry():
    assert ev.RING_CAPACITY & ev.RING_MASK == 0  # a power of two
    counters_words = ev.COUNTER_SLOTS * ev.COUNTER_WORDS
    records_words = ev.RING_CAPACITY * ev.RING_RECORD_WORDS
    assert counters_words == ev.RING_OFFSET_WORDS  # records start after the counters
    assert (counters_words + records_words) * 8 == ev.RING_BYTES
