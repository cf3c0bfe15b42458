"""A program that prints a steady number of lines per second: the load for the TUI benchmarks.

    python benchmarks/tui_flood.py [LINES_PER_SECOND] [SECONDS]

About 60 characters a line, written in small batches every 5 ms, as a busy worker would.
"""

import sys
import time


def main() -> None:
    rate = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 30.0
    start = time.monotonic()
    written = 0
    while (elapsed := time.monotonic() - start) < seconds:
        due = int(elapsed * rate)
        while written < due:
            print(f"flood line {written:>8} " + "x" * 40)
            written += 1
        sys.stdout.flush()
        time.sleep(0.005)
    print(f"flood: wrote {written} lines in {seconds:.0f} s")


if __name__ == "__main__":
    main()
