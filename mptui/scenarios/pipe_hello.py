"""Send a message through a Pipe

Pipe() returns the two ends of a connection; by default both ends can send and receive.
The child gets one end and calls send(); the parent calls recv() on the other end, which
waits until a message arrives. Anything picklable can be sent. Each process closes the
end it does not use: only then does recv() raise EOFError once the other side is done,
instead of waiting forever.
"""

import argparse
import time
from multiprocessing import Pipe, Process

# The smallest and largest value each numeric option accepts (both included). Larger
# values teach nothing more, and a slip of the finger could exhaust the machine.
LIMITS = {"delay": (0, 60)}


def send_message(conn, message, delay):
    """Run in the child: send one message through our end of the pipe, then close it."""
    time.sleep(delay)
    print(f"child: sending {message!r}")
    conn.send(message)
    conn.close()


# spawn and forkserver start a child by importing this file again; the guard keeps that
# import from creating children of its own.
if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--message", type=str, default="hello world", help="what the child sends")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds before the child sends")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    parent_conn, child_conn = Pipe()
    child = Process(target=send_message, args=(child_conn, options.message, options.delay))
    child.start()
    # The child has its own copy of child_conn now; the parent's copy would keep the
    # connection open and make the second recv() below wait forever.
    child_conn.close()

    print(f"parent received: {parent_conn.recv()!r}")
    try:
        parent_conn.recv()
    except EOFError:
        print("parent: the child closed its end; no more messages")
    child.join()
