"""Remote concurrency: a queue served over the network by a manager

A BaseManager can serve objects over a socket, so that processes which share no parent,
even on other machines, can use them. Here it serves an ordinary queue on 127.0.0.1 at a
port the system picks, guarded by a random authkey: a client must know the key to connect,
and the wrong key is refused. The clients are separate processes that know only the
address and the key: producers put jobs on the queue, one consumer gets them. This
lesson listens on 127.0.0.1 only, so nothing outside this machine can reach it.
"""

import argparse
import os
import queue
import time
from multiprocessing import AuthenticationError, Process
from multiprocessing.managers import BaseManager

# The smallest and largest value each numeric option accepts (both included).
LIMITS = {"producers": (1, 8), "jobs": (1, 1000), "delay": (0, 2)}

# Lives in the manager's server process; clients reach it through get_jobs().
JOBS = queue.Queue()


def get_jobs():
    """What the server runs for a client that calls get_jobs(): the one shared queue."""
    return JOBS


def connect(address, authkey):
    """Connect to the server as a client that knows only its address and key."""
    BaseManager.register("get_jobs")  # the name only: the queue lives in the server
    manager = BaseManager(address=address, authkey=authkey)
    manager.connect()
    return manager.get_jobs()


def produce(producer, address, authkey, jobs, delay):
    """Put ``jobs`` jobs, then None to say this producer is done."""
    remote = connect(address, authkey)
    for n in range(1, jobs + 1):
        time.sleep(delay)
        remote.put(f"job {n} from producer {producer}")
    remote.put(None)
    print(f"producer {producer}: put {jobs} jobs", flush=True)


def consume(address, authkey, producers):
    """Get jobs until every producer has said it is done."""
    remote = connect(address, authkey)
    done = got = 0
    while done < producers:
        job = remote.get(timeout=3)  # a lost producer makes this raise, not hang
        if job is None:
            done += 1
        else:
            got += 1
            print(f"consumer: got {job}", flush=True)
    print(f"consumer: got {got} jobs from {producers} producers", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--producers", type=int, default=3, help="how many clients put jobs")
    parser.add_argument("--jobs", type=int, default=5, help="how many jobs each producer puts")
    parser.add_argument("--delay", type=float, default=0.4, help="seconds between two puts")
    options = parser.parse_args()
    for name, (low, high) in LIMITS.items():  # refuse bad values before starting anything
        if not low <= getattr(options, name) <= high:
            parser.error(f"--{name} must be from {low} to {high}")

    BaseManager.register("get_jobs", callable=get_jobs)
    authkey = os.urandom(16)  # a secret: whoever knows it may use the queue
    # Port 0: the system picks a free port. 127.0.0.1: reachable from this machine only.
    with BaseManager(address=("127.0.0.1", 0), authkey=authkey) as server:
        address = server.address
        print(f"parent: the manager serves a queue at {address[0]}, a free port", flush=True)
        try:
            BaseManager(address=address, authkey=b"a wrong key").connect()
        except AuthenticationError as error:
            print(f"parent: a client with the wrong key was refused: {error}", flush=True)
        consumer_args = (address, authkey, options.producers)
        clients = [Process(target=consume, args=consumer_args, name="consumer")]
        clients += [
            Process(
                target=produce,
                args=(n, address, authkey, options.jobs, options.delay),
                name=f"producer-{n}",
            )
            for n in range(1, options.producers + 1)
        ]
        for p in clients:
            p.start()
        for p in clients:
            p.join()
    print("parent: the clients are done; the manager has shut down")
