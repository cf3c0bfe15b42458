"""Manager proxy calls, timed inside the program: ``d[k] = v`` on a manager dict (a call
that goes straight through mptui's proxy hook) and an uncontended ``with lock:`` on a
manager Lock (a traced acquire and release). Prints microseconds per call, best of 3.

    python benchmarks/manager_calls.py [CALLS]      # default 20,000
"""

import sys
import time
from multiprocessing import Manager


def per_call_us(call, calls: int) -> float:
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        call(calls)
        best = min(best, time.perf_counter() - began)
    return best / calls * 1e6


if __name__ == "__main__":
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    with Manager() as manager:
        d, lock = manager.dict(), manager.Lock()

        def set_items(n):
            for i in range(n):
                d[i & 255] = i

        def lock_pairs(n):
            for _ in range(n):
                with lock:
                    pass

        print(f"setitem_us {per_call_us(set_items, calls):.2f}", flush=True)
        print(f"lock_pair_us {per_call_us(lock_pairs, calls // 2):.2f}", flush=True)
