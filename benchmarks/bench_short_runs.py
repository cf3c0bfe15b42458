"""Short programs under load: does every line arrive, and is every verdict right?

Runs a three-line program N times and a script with a syntax error M times through
``mptui run --headless SCRIPT``, exactly as a user would, with three busy loops beside them
(a program that ends in milliseconds is where a collector that stops too early loses
output). Prints how many runs lost lines or got the wrong verdict; the target is 0.

    python benchmarks/bench_short_runs.py            # 500 and 200 runs (a few minutes)
    python benchmarks/bench_short_runs.py 50 20      # fewer
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

THREE_LINES = 'print("one")\nprint("two")\nprint("three")\n'
SYNTAX_ERROR = "def broken(:\n    pass\n"


def mptui(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "mptui", "run", "--headless", "--python", sys.executable, script],
        capture_output=True,
        text=True,
        timeout=120,
    )


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    syntax_runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(3)]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            quick = os.path.join(tmp, "quick.py")
            broken = os.path.join(tmp, "broken.py")
            with open(quick, "w") as f:
                f.write(THREE_LINES)
            with open(broken, "w") as f:
                f.write(SYNTAX_ERROR)
            began = time.monotonic()
            lost = wrong = 0
            for _ in range(runs):
                done = mptui(quick)
                lost += "lines: 3 received" not in done.stdout
                wrong += done.returncode != 0
            print(f"three-line program: {runs} runs, {lost} lost lines, {wrong} wrong verdicts")
            lost = wrong = 0
            for _ in range(syntax_runs):
                done = mptui(broken)
                lost += "SyntaxError" not in done.stdout
                wrong += done.returncode != 1
            print(
                f"syntax error: {syntax_runs} runs, {lost} lost the traceback, "
                f"{wrong} wrong verdicts"
            )
            print(f"({time.monotonic() - began:.0f} s, 3 busy loops beside)")
    finally:
        for proc in burners:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main()
