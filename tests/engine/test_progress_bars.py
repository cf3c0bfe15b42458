"""Progress bars: a line rewritten with \\r is live while it runs and one clean line after.

A tqdm-style bar writes ``\\r`` and the bar again, over and over, then a newline. A
terminal shows the bar moving and, at the end, one line. mptui does the same: the
collector publishes the bar as it stands (``pending``) while it runs and delivers the
line's final text when its newline comes; headless prints only that, with no ``\\r``.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

from engine_runs import run_program

from mptui import events as ev
from mptui.engine.session import Program

BAR = """
import multiprocessing as mp, sys, time

def bar(name, steps, pause):
    # As tqdm draws on stderr: back to the start, the bar, padding over the last one.
    for i in range(steps + 1):
        filled = i * 20 // steps
        sys.stderr.write(f"\\r{name}: {100 * i // steps:3d}%|{'#' * filled:<20}| {i}/{steps}")
        sys.stderr.flush()
        time.sleep(pause)
    sys.stderr.write("\\n")
    print(f"{name} done", flush=True)

if __name__ == "__main__":
    steps, pause = int(sys.argv[1]), float(sys.argv[2])
    child = mp.Process(target=bar, args=("child", steps, pause), name="barred")
    child.start()
    bar("main", steps, pause)
    child.join()
"""


def final(name: str, steps: int) -> str:
    return f"{name}: 100%|{'#' * 20}| {steps}/{steps}"


def test_a_bar_is_pending_while_it_runs_and_one_line_when_it_ends(write_script):
    run = run_program(Program.from_script(write_script(BAR), ["20", "0.05"]), timeout=60)
    for who, name in (("child", "barred"), ("main", "MainProcess")):
        pid = run.by_name(name).pid
        assert run.lines(pid, "stderr") == [final(who, 20)]
        assert run.lines(pid, "stdout") == [f"{who} done"]
        kinds = [
            e["kind"] for e in run.events if e.get("pid") == pid and e.get("stream") == "stderr"
        ]
        # Published while it ran, before its line: the bar moved on the way (an update
        # every 50 ms; the collector looks every 20 ms at most).
        shown = [e["text"] for e in run.events if e["kind"] == ev.PENDING and e["pid"] == pid]
        steps = {int(re.search(r"\| (\d+)/20$", text).group(1)) for text in shown}
        assert len(steps) >= 3, shown
        assert kinds.index(ev.LINES) > kinds.index(ev.PENDING)
        assert kinds[-1] == ev.LINES  # nothing pending after the line
    assert not any("\r" in text for text in run.lines())
    assert run.snapshot.lines_total == 4


def mptui(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mptui", "run", *args],
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_headless_prints_the_bar_once_as_a_clean_line(write_script):
    result = mptui("--headless", str(write_script(BAR)), "10", "0.01")
    assert result.returncode == 0, result.stderr
    assert "\r" not in result.stdout
    rows = [row for row in result.stdout.splitlines() if " ! " in row]
    assert sorted(rows) == sorted([f"MainProcess  ! {final('main', 10)}",
                                   f"barred       ! {final('child', 10)}"])  # fmt: skip


def test_json_has_the_final_line_and_the_bar_as_it_went(write_script):
    result = mptui("--json", str(write_script(BAR)), "10", "0.05")
    assert result.returncode == 0, result.stderr
    events = [json.loads(row) for row in result.stdout.splitlines()]
    stderr = [e["text"] for e in events if e["kind"] == ev.LINE and e["stream"] == "stderr"]
    assert sorted(stderr) == [final("child", 10), final("main", 10)]
    pending = [e for e in events if e["kind"] == ev.PENDING]
    assert len({e["text"] for e in pending}) >= 6  # the two bars, several states each
    assert all(e["stream"] == "stderr" and "\r" not in e["text"] for e in pending)
