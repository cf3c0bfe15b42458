"""multiprocessing's Pool and concurrent.futures' ProcessPoolExecutor, seen from inside.

A pool is declared as an object of its own (type ``Pool`` or ``ProcessPoolExecutor``,
named by the line that made it), and so are its two queues, labelled as the pool's
(``Pool pool (main.py:12) tasks`` and ``... results``, with the pool as their ``owner``):

* **counts**: the queues stay the standard library's own (a SimpleQueue, the executor's
  ``_SafeQueue``); only the class of their two pipe ends changes, to one that counts each
  message it writes (a put) or reads (a get). The pool's handler threads bypass the queue
  methods and use the pipe ends directly (``_quick_put``, ``_quick_get``, the executor's
  ``result_reader.recv()``, terminate()'s drain): counting at the pipe end sees every
  path, so the totals are exact. Waits on these queues are not recorded: an idle worker
  waiting for work is not stuck, and checking whether a get would block costs a system
  call per task.
* **waits on results**: ``AsyncResult.wait``/``get`` (so ``map``, ``starmap``, ``apply``),
  the next() of ``imap``/``imap_unordered`` and ``Future.result()`` of a
  ProcessPoolExecutor's futures (so ``executor.map``) are recorded as ``result`` waits on
  the pool, and only when the result is not there yet (an in-process check, no system
  call): a result already in costs one attribute test.
* **tasks done**: each worker counts the tasks it finished in its ring (one counter per
  pool, RK_TASKS_DONE: count = task messages, amount = calls of the program's function,
  so a chunk of ``map`` counts as many as it has items), after it has sent the result.
  The worker function itself is wrapped for that: the wrapper keeps the original's module
  and name, so a spawn or forkserver child finds it by reference (its own agent hooks
  the module as it imports it).

ThreadPool is left alone (it overrides the queue set-up this hooks).
"""

from __future__ import annotations

import functools
import sys
from multiprocessing import connection, reduction
from time import monotonic_ns

from mptui import events as ev
from mptui.agent import ring
from mptui.agent.ring import count, emit

TASKS, RESULTS = "tasks", "results"


# --------------------------------------------------------------------------------------
# Counting pipe ends


class _CountedEnd(connection.Connection):
    """A pool queue's pipe end that counts every message through it (``_mptui_code``:
    a put counter on the writing end, a get counter on the reading end)."""

    def _send_bytes(self, buf) -> None:
        _send_bytes(self, buf)
        count(self._mptui_code, 0)

    def _recv_bytes(self, maxsize=None):
        buf = _recv_bytes(self, maxsize)
        count(self._mptui_code, 0)
        return buf


_send_bytes = connection.Connection._send_bytes
_recv_bytes = connection.Connection._recv_bytes


def _rebuild_counted_end(df, readable, writable, code, pool_id):
    end = _CountedEnd(df.detach(), readable, writable)
    end._mptui_code, end._mptui_pool = code, pool_id
    return end


def _reduce_counted_end(end):
    # Mirrors multiprocessing.connection.reduce_connection, keeping the counter.
    df = reduction.DupFd(end.fileno())
    args = (df, end.readable, end.writable, end._mptui_code, end._mptui_pool)
    return _rebuild_counted_end, args


reduction.register(_CountedEnd, _reduce_counted_end)


def _count_queue(queue, pool_id: int, label: str, role: str) -> None:
    """Declare one of a pool's queues and make its pipe ends count."""
    from mptui.agent import traced

    kind = "SimpleQueue" if hasattr(queue, "_wlock") and not hasattr(queue, "_sem") else "Queue"
    maxsize = getattr(queue, "_maxsize", 0)
    oid = traced.declare(kind, f"{label} {role}", maxsize=maxsize, owner=pool_id, role=role)
    ends = ((queue._reader, ev.RK_QUEUE_GET), (queue._writer, ev.RK_QUEUE_PUT))
    if any(type(end) is not connection.Connection for end, _ in ends):
        return  # not the pipe ends we know (another platform): left uncounted
    for end, kind_code in ends:
        end._mptui_code, end._mptui_pool = kind_code << 56 | oid, pool_id
        end.__class__ = _CountedEnd  # same fields; only the two methods differ
        # Claimed now, in the thread making the pool: its handler threads would otherwise
        # race the main thread's first wait record to create this process's ring.
        ring.counter_base(end._mptui_code)


def _pool_site() -> str:
    """``pool (main.py:12)``: the program's line that made the pool."""
    from mptui.agent import sites

    var, site = sites.program_site(sites.program_frame(sys._getframe(1)))
    return f"{var} ({site})" if var else site


def _declare_pool(kind: str, tasks, results) -> int:
    from mptui.agent import traced

    label = _pool_site()
    pool_id = traced.declare(kind, label)
    _count_queue(tasks, pool_id, f"{kind} {label}", TASKS)
    _count_queue(results, pool_id, f"{kind} {label}", RESULTS)
    return pool_id


# --------------------------------------------------------------------------------------
# Waits on results


def _wait_codes(pool_id: int) -> tuple[int, int]:
    return ev.RK_WAIT_BEGIN << 56 | ev.OP_RESULT << 48 | pool_id, ev.RK_WAIT_END << 56 | pool_id


def _waited(pool_id: int, ready, call, *args):
    """``call(*args)`` recorded as a ``result`` wait on the pool. Its outcome: ok when a
    result (or the task's own exception, or the end of an iteration) came, timeout when
    it did not, interrupted when something else (KeyboardInterrupt) ended it."""
    begin, end = _wait_codes(pool_id)
    t0 = monotonic_ns()
    emit(begin, t0, 0)
    outcome = ev.OUTCOME_INTERRUPTED
    try:
        value = call(*args)
        outcome = ev.OUTCOME_OK if ready() else ev.OUTCOME_TIMEOUT
        return value
    except TimeoutError:  # concurrent.futures' (a builtin since 3.11)
        outcome = ev.OUTCOME_TIMEOUT
        raise
    except Exception as error:
        timed_out = type(error).__name__ == "TimeoutError"  # multiprocessing's own
        outcome = ev.OUTCOME_TIMEOUT if timed_out else ev.OUTCOME_OK
        raise
    finally:
        t1 = monotonic_ns()
        emit(end | outcome << 48, t1, t1 - t0)


def _pool_id(pool) -> int:
    return getattr(pool, "_mptui_id", 0) if pool is not None else 0


def _patch_result_waits(module) -> None:
    apply_result = module.ApplyResult
    original_wait = apply_result.wait

    def wait(self, timeout=None):
        if self._event.is_set():
            return original_wait(self, timeout)
        pool_id = _pool_id(self._pool)
        if not pool_id:  # a ThreadPool's, or the result came meanwhile (_set clears it)
            return original_wait(self, timeout)
        return _waited(pool_id, self._event.is_set, original_wait, self, timeout)

    wait.__doc__ = original_wait.__doc__
    apply_result.wait = wait  # get() calls wait(): map, starmap and apply too

    iterator = module.IMapIterator
    original_next = iterator.next

    def next(self, timeout=None):  # noqa: A001 - the name IMapIterator uses
        if self._items or self._index == self._length:  # an item is in, or the end
            return original_next(self, timeout)
        pool_id = _pool_id(self._pool)
        if not pool_id:
            return original_next(self, timeout)
        return _waited(pool_id, _true, original_next, self, timeout)

    iterator.next = iterator.__next__ = next


def _true() -> bool:
    return True


# --------------------------------------------------------------------------------------
# Tasks done, counted by each worker


def _count_tasks(tasks, results, pool_id: int, items_of) -> None:
    """In a worker: count a task once its result is sent (``items_of(task)`` calls of the
    program's function), through the two queue methods the worker loop calls."""
    code = ev.RK_TASKS_DONE << 56 | pool_id
    get, put = tasks.get, results.put
    pending = [0]

    @functools.wraps(get)
    def counted_get(*args, **kwargs):
        task = get(*args, **kwargs)
        pending[0] = items_of(task)
        return task

    @functools.wraps(put)
    def counted_put(*args, **kwargs):
        put(*args, **kwargs)
        items = pending[0]
        if items:  # a result (not the executor's exit notice): that task is done
            pending[0] = 0
            count(code, items)

    # Instance attributes of this worker's own copy of the queues: the parent's are
    # untouched (fork), or another object altogether (spawn, forkserver).
    tasks.get, results.put = counted_get, counted_put


def _wrap_worker(module, name: str, items_of) -> None:
    original = getattr(module, name)

    def worker(tasks, results, *args, **kwargs):
        pool_id = getattr(getattr(tasks, "_reader", None), "_mptui_pool", 0)
        if pool_id:
            try:
                _count_tasks(tasks, results, pool_id, items_of)
            except Exception:  # noqa: BLE001, S110 - never break the worker
                pass
        return original(tasks, results, *args, **kwargs)

    # Pickled by reference for spawn and forkserver: it must be found under the same name.
    functools.update_wrapper(worker, original)
    setattr(module, name, worker)


# --------------------------------------------------------------------------------------
# multiprocessing.pool


def patch_pool(module) -> None:
    """Hook ``multiprocessing.pool`` as it is imported."""
    pool_class = module.Pool
    original_setup = pool_class._setup_queues

    def _setup_queues(self):
        original_setup(self)
        try:
            self._mptui_id = _declare_pool("Pool", self._inqueue, self._outqueue)
        except Exception:  # noqa: BLE001, S110 - an untraced pool still works
            pass

    pool_class._setup_queues = _setup_queues
    _patch_result_waits(module)
    starred = (module.mapstar, module.starmapstar)

    def items_of(task) -> int:
        if task is None:
            return 0  # the sentinel: no task
        try:
            func, args = task[2], task[3]
            return len(args[0][1]) if func in starred else 1  # a chunk of map, or one call
        except Exception:  # noqa: BLE001
            return 1

    _wrap_worker(module, "worker", items_of)


# --------------------------------------------------------------------------------------
# concurrent.futures.process


def patch_executor(module) -> None:
    """Hook ``concurrent.futures.process`` as it is imported."""
    executor = module.ProcessPoolExecutor
    original_init, original_submit = executor.__init__, executor.submit
    future_class = _traced_future_class(module._base.Future)

    @functools.wraps(original_init)
    def __init__(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        try:
            kind = "ProcessPoolExecutor"
            self._mptui_id = _declare_pool(kind, self._call_queue, self._result_queue)
        except Exception:  # noqa: BLE001, S110
            pass

    @functools.wraps(original_submit)
    def submit(self, *args, **kwargs):
        future = original_submit(self, *args, **kwargs)
        pool_id = getattr(self, "_mptui_id", 0)
        if pool_id and type(future) is module._base.Future:
            future.__class__ = future_class  # same fields; result() records its wait
            future._mptui_pool = pool_id
        return future

    executor.__init__, executor.submit = __init__, submit
    chunked = module._process_chunk

    def items_of(call_item) -> int:
        if call_item is None:
            return 0
        try:
            fn = call_item.fn
            if isinstance(fn, functools.partial) and fn.func is chunked:
                return len(call_item.args[0])  # a chunk of executor.map
        except Exception:  # noqa: BLE001, S110
            pass
        return 1

    _wrap_worker(module, "_process_worker", items_of)


def _traced_future_class(base):
    """A Future whose result() records a ``result`` wait when it would block."""

    class Future(base):
        __doc__ = base.__doc__

        def result(self, timeout=None):
            if self.done():
                return base.result(self, timeout)
            return _waited(self._mptui_pool, self.done, base.result, self, timeout)

    Future.__module__, Future.__qualname__ = base.__module__, base.__qualname__
    return Future
