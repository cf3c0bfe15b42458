"""A main process that ends without joining its child: the child is left running.

The end policy (mptui.engine.run_control) stops it a while later; its verdict then says
``left running``. Used by the engine's and the dashboard's end-policy tests.
"""

import multiprocessing as mp
import os
import time


def linger():
    print("child up", flush=True)
    time.sleep(60)


if __name__ == "__main__":
    mp.Process(target=linger, name="lingerer").start()
    time.sleep(0.3)
    os._exit(0)  # the main process ends without joining its child
