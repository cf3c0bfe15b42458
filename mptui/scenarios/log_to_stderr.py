"""Log from several processes with log_to_stderr

multiprocessing has a logger of its own. log_to_stderr() gives it a handler that writes
to stderr, with the level and the process name at the start of each line, such as
"[WARNING/worker-2] ...". Messages below the chosen level are dropped. The children use
the same setting: a forked child inherits it, and under spawn and forkserver
multiprocessing passes it on. At INFO and DEBUG you also see multiprocessing's own
housekeeping, such as processes starting and exiting.
"""

import argparse
import time
from multiprocessing import Process, get_logger, log_to_stderr

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"workers": (1, 32), "delay": (0, 60)}


def work(worker, delay):
    """Log one message at each level; the logger drops those below its level."""
    logger = get_logger()
    logger.debug("worker %d: starting (details are logged at DEBUG)", worker)
    time.sleep(delay)
    logger.info("worker %d: did some work", worker)
    logger.warning("worker %d: something looks odd", worker)
    logger.error("worker %d: something failed", worker)


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--level",
        type=str,
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="lowest level that is printed",
    )
    parser.add_argument("--workers", type=int, default=3, help="how many processes log")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds each worker works")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    # Call it once, in the parent only: every call adds one more handler, and a forked
    # child that called it again would print each message twice.
    logger = log_to_stderr(options.level)
    logger.info("main: starting %d workers", options.workers)
    workers = [
        Process(target=work, args=(n, options.delay), name=f"worker-{n}")
        for n in range(1, options.workers + 1)
    ]
    for p in workers:
        p.start()
    for p in workers:
        p.join()
    logger.warning("main: all workers finished")
