"""Output capture: every line arrives, in order, from the right process, whatever happens."""

from __future__ import annotations

import pytest
from engine_runs import run_program

from mptui.engine.session import Program

FLOOD = """
import multiprocessing as mp, sys

def flood(worker, count):
    for n in range(count):
        print(f"w{worker} {n}")

if __name__ == "__main__":
    count = int(sys.argv[1])
    procs = [mp.Process(target=flood, args=(w, count), name=f"flooder-{w}") for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
"""


def assert_flood_complete(run, count: int) -> None:
    for w in range(4):
        proc = run.by_name(f"flooder-{w}")
        assert proc.exitcode == 0
        lines = run.lines(proc.pid)
        # All lines, in order, and only this worker's lines: attribution is per process.
        assert lines == [f"w{w} {n}" for n in range(count)], (w, len(lines))
        assert proc.lines == count
    assert run.snapshot.lines_total == 4 * count


@pytest.mark.slow
def test_four_processes_flooding_100k_lines_each_lose_nothing(write_script, start_method):
    path = write_script(FLOOD)
    run = run_program(Program.from_script(path, ["100000"], start_method), timeout=120)
    assert_flood_complete(run, 100_000)


def test_flood_with_pythonunbuffered_flipped(write_script, unbuffered):
    path = write_script(FLOOD)
    run = run_program(Program.from_script(path, ["20000"], "fork"), timeout=120)
    assert_flood_complete(run, 20_000)


DEATHS = """
import ctypes, multiprocessing as mp, os, signal, sys

def die(how):
    print(f"{how}: line 1")
    print(f"{how}: line 2")
    sys.stderr.write(f"{how}: on stderr\\n")
    if how == "raise":
        raise RuntimeError("boom from " + how)
    if how == "exit3":
        sys.exit(3)
    if how == "os_exit7":
        os._exit(7)
    if how == "segv":
        ctypes.string_at(0)
    if how == "sigkill":
        os.kill(os.getpid(), signal.SIGKILL)
    if how == "sigterm":
        os.kill(os.getpid(), signal.SIGTERM)

if __name__ == "__main__":
    hows = ["raise", "exit3", "os_exit7", "segv", "sigkill", "sigterm"]
    procs = [mp.Process(target=die, args=(how,), name=how) for how in hows]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    print("codes", [p.exitcode for p in procs])
"""

EXPECTED = {
    "raise": (1, None),
    "exit3": (3, None),
    "os_exit7": (7, None),
    "segv": (-11, "SIGSEGV"),
    "sigkill": (-9, "SIGKILL"),
    "sigterm": (-15, "SIGTERM"),
}


@pytest.mark.slow
def test_a_dying_child_keeps_its_lines_and_its_cause(write_script, start_method, unbuffered):
    run = run_program(Program.from_script(write_script(DEATHS), (), start_method))
    for how, (code, signal_name) in EXPECTED.items():
        proc = run.by_name(how)
        assert (proc.exitcode, proc.signal) == (code, signal_name), how
        assert proc.state == ("killed" if code < 0 else "exited")
        assert run.lines(proc.pid, "stdout") == [f"{how}: line 1", f"{how}: line 2"]
        err = run.lines(proc.pid, "stderr")
        assert err[0] == f"{how}: on stderr"
        if how == "raise":
            assert err[1] == f"Process {how}:" and "Traceback (most recent call last):" in err
            assert err[-1] == "RuntimeError: boom from raise"
        if how == "segv":
            assert "Fatal Python error: Segmentation fault" in err
            assert any("in die" in line for line in err), err  # the dump names the frame
    assert run.lines(run.by_name("MainProcess").pid) == ["codes [1, 3, 7, -11, -9, -15]"]
    assert {p.pid for p in run.snapshot.failed} == {run.by_name(h).pid for h in EXPECTED}


def test_a_partial_last_line_is_delivered_at_exit(write_script):
    path = write_script(
        """
        import sys
        print("whole line")
        sys.stdout.write("no newline at the end")
        """
    )
    run = run_program(Program.from_script(path))
    assert run.lines() == ["whole line", "no newline at the end"]
    last = [e for e in run.events if e["kind"] == "line"][-1]
    assert last["partial"] is True


def test_binary_junk_and_control_bytes_are_kept_exactly(write_script):
    path = write_script(
        """
        import os
        os.write(2, b"\\xff\\xfe\\x00junk\\x1b[31mred\\r\\n")
        os.write(1, "caf\\u00e9\\n".encode())
        """
    )
    run = run_program(Program.from_script(path))
    assert run.lines(stream="stdout") == ["café"]
    (junk,) = run.lines(stream="stderr")
    # Bytes that are not UTF-8 come as lone surrogates (surrogateescape): exact, and a
    # front end shows them escaped (mptui.text). The CR of CRLF goes, like a terminal.
    assert junk.encode("utf-8", "surrogateescape") == b"\xff\xfe\x00junk\x1b[31mred"


def test_non_python_subprocess_output_is_attributed_to_its_parent(write_script):
    path = write_script(
        """
        import subprocess
        subprocess.run(["echo", "from echo"], check=True)
        print("from python")
        """
    )
    run = run_program(Program.from_script(path))
    main = run.by_name("MainProcess")
    assert run.lines(main.pid) == ["from echo", "from python"]


LONG_LINES = r"""
import os, sys
out = sys.stdout.buffer
out.write(b"a" * (3 * 2**20 + 5) + b"\n")       # over the line limit: in pieces
out.write(b"b" * 2**20 + b"\n")                  # exactly the limit: one line
out.write(b"x\xff\xfey \xe2\x82 ok\n")            # not UTF-8: kept byte for byte
out.write("caf\u00e9 \U0001f600\n".encode())      # UTF-8: as it is
out.write(b"c" * (2**20 + 7))                     # no newline at the end
out.flush()
"""


def test_long_lines_come_in_marked_pieces_and_bytes_stay_exact(write_script):
    from mptui.engine.collector import LINE_LIMIT

    run = run_program(Program.from_script(write_script(LONG_LINES)))
    runner = run.by_name("MainProcess")
    events = [e for e in run.events if e["kind"] in ("line", "lines") and e["pid"] == runner.pid]
    pieces = []  # (text, continues, partial), in order
    for e in events:
        if e["kind"] == "lines":
            pieces += [(text, False, False) for text in e["texts"]]
        else:
            pieces.append((e["text"], bool(e.get("continues")), bool(e.get("partial"))))
    # Joining each run of continued pieces gives back every line exactly.
    lines, current = [], ""
    for text, continues, _partial in pieces:
        current += text
        if not continues:
            lines.append(current)
            current = ""
    assert lines[0] == "a" * (3 * 2**20 + 5)
    assert lines[1] == "b" * 2**20
    assert lines[2].encode("utf-8", "surrogateescape") == b"x\xff\xfey \xe2\x82 ok"
    assert lines[3] == "caf\u00e9 \U0001f600"
    assert lines[4] == "c" * (2**20 + 7) and pieces[-1][2]  # the last, partial
    assert all(len(text.encode("utf-8", "surrogateescape")) <= LINE_LIMIT for text, *_ in pieces)
    assert sum(continues for _, continues, _ in pieces) == 3 + 1  # 3 for a, 1 for c
    # The ring keeps the first 2,000 characters of each and says how long it was.
    from mptui.engine.store import LOG_TEXT_CHARS

    kept = [line for line in run_log(run) if line.text.startswith("a")]
    assert kept and all(len(line.text) <= LOG_TEXT_CHARS for line in kept)
    assert kept[0].length == LINE_LIMIT and kept[0].cut == LINE_LIMIT - LOG_TEXT_CHARS


def run_log(run):
    """The log lines the Store kept for the dashboard (not the listener's events)."""
    from mptui.engine.store import Store

    store = Store()
    store.apply_many(run.events)
    return store.log_since(0).lines


def test_headless_marks_the_pieces_of_a_line_over_the_limit(write_script):
    import subprocess
    import sys

    from mptui.engine.collector import LINE_LIMIT

    path = write_script('import sys\nsys.stdout.write("z" * (2 * 2**20 + 3) + "\\nafter\\n")\n')
    done = subprocess.run(
        [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable, str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    # Each row is the name padded to 12, the mark, the text: "MainProcess  | text".
    rows = [row for row in done.stdout.splitlines() if row.startswith("MainProcess ")]
    assert [row[13] for row in rows] == ["|", "+", "+", "|"]
    texts = [row[15:] for row in rows]
    assert "".join(texts[:3]) == "z" * (2 * 2**20 + 3) and texts[3] == "after"
    assert len(texts[0]) == LINE_LIMIT


FLOOD_THEN_QUIET = """
import sys, time
for n in range(200_000):
    print(f"flood {n}")
sys.stdout.flush()
time.sleep(0.6)  # the flooding stream goes quiet and is watched again
print("after the flood", flush=True)
time.sleep(1.0)
print("end", flush=True)
"""


def test_a_stream_that_flooded_then_went_quiet_is_still_heard_at_once(write_script):
    # A flooding stream is read every round without being watched; once quiet it must be
    # watched again, or a later line would wait for the end of the stream.
    run = run_program(Program.from_script(write_script(FLOOD_THEN_QUIET)), timeout=60)
    runner = run.by_name("MainProcess").pid
    assert run.lines(runner) == [f"flood {n}" for n in range(200_000)] + [
        "after the flood",
        "end",
    ]
    batches = [e["texts"] for e in run.events if e["kind"] == "lines" and e["pid"] == runner]
    assert ["after the flood"] in batches and ["end"] in batches  # each as it was printed
