"""The doctor: why a program is stuck, in words.

A pure function of what the Store knows at one instant (:class:`Facts`): who waits on
what, who holds what, which processes live. From it the wait-for graph (process -> object
-> the process that could release it) and the alerts:

* **deadlock**: a cycle of waits that only the next process in the cycle can end (a lock
  held by it, a child being joined). Two locks taken in opposite order; a parent joining a
  child that waits for a lock the parent holds.
* **join-before-drain**: a parent joins a child whose ``run()`` returned but which cannot
  exit, because data it put on a queue has not been read (multiprocessing's programming
  guidelines: "joining processes that use queues").
* **never**: a wait that nothing can end: a lock held by a process that has exited, a get
  or recv when no other process of the program is left to put or send.
* **barrier**: processes wait in ``Barrier.wait`` and no live process is free to arrive:
  the others have exited, or wait themselves for what only these waiters could end. One
  free process is enough to stay silent, whatever the parties missing: it could still
  start them.
* **event**: processes wait for an Event that no live process can set any more; a
  Condition wait nobody left can notify is a **never**, always a guess.
* **stall**: a wait longer than the stall threshold that none of the above explains.
  A wait for a pool's results (``result``: Pool.map, AsyncResult.get, imap's next(),
  Future.result()) counts from the later of its start and the last time the pool was
  seen at work (a live worker holding a task, or a task finished): a parent waiting a
  minute in Pool.map on slow tasks is no stall while its workers work; it is one when no
  worker holds a task and none finished one for the threshold (a worker that died with
  its task: Pool.map then waits forever).

No clock is read: "now" is the newest time the events carried, so a replay diagnoses
exactly what the live run did. Edges are drawn only where the releaser is known (a lock's
holder, a joined child); a queue's putter is not known ahead (any process holding the queue
could put), so queue waits are alerted only when no other process is left at all.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from mptui.engine.views import AlertView, Snapshot, WaitView
from mptui.format import duration_ns

DEFAULT_STALL_AFTER_NS = 5_000_000_000
"""A wait longer than this is a stall (``--stall-after``)."""
SETTLE_NS = 300_000_000
"""A cycle or a hang must have stood this long before it is called one: the rings of
different processes are read one after another, so for an instant the Store can hold a
release that a later record of another process already answered."""

DEADLOCK, JOIN_BEFORE_DRAIN, NEVER, STALL = "deadlock", "join-before-drain", "never", "stall"
BARRIER, EVENT = "barrier", "event"
SIGNAL_SETTLE_NS = 1_000_000_000
"""An Event, Condition or Barrier wait must have stood this long, and the last other
process must have ended this long ago, before nobody is left to end it: a process just
started (spawn) says hello a moment after its parent went on, and until then the Store
does not know it exists."""


@dataclass(slots=True, kw_only=True)
class Facts:
    """What the doctor looks at; the Store fills it in."""

    now_ns: int
    waits: list[WaitView]
    names: Mapping[int, str]
    """pid -> display name, for every process known."""
    alive: set[int]
    """Pids of the program's live processes (not multiprocessing's helpers)."""
    holders: Mapping[int, tuple[int, ...]]
    """Object id -> pids holding it (a lock's holder; a semaphore's)."""
    labels: Mapping[int, str]
    """Object id -> ``Lock main.py:12``."""
    returned: Mapping[int, int] = field(default_factory=dict)
    """Pid -> when its ``run()`` returned, for processes that have not exited yet."""
    queue_depth: Mapping[int, int] = field(default_factory=dict)
    queue_putters: Mapping[int, Iterable[int]] = field(default_factory=dict)
    """Queue id -> pids that have put on it."""
    stall_after_ns: int = DEFAULT_STALL_AFTER_NS
    ended: Mapping[int, int] = field(default_factory=dict)
    """Pid -> when it ended, for the program's processes that have."""
    kinds: Mapping[int, str] = field(default_factory=dict)
    """Object id -> its type (``Event``, ``Barrier``, ...), for the objects waited on."""
    parties: Mapping[int, int] = field(default_factory=dict)
    """Barrier id -> its parties."""
    setters: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    """Event or Condition id -> the pids that have ever set or notified it."""
    pool_busy: Mapping[int, int] = field(default_factory=dict)
    """Pool id -> when it was last seen at work: ``now_ns`` while a live worker holds a
    task, else when a worker last finished one (0: never)."""


def releasers(wait: WaitView, facts: Facts) -> tuple[int, ...]:
    """The processes that alone can end ``wait`` (the wait-for graph's edges)."""
    if wait.op == "join":
        return (wait.child,) if wait.child is not None else ()
    if wait.op == "acquire":
        return tuple(pid for pid in facts.holders.get(wait.object_id, ()) if pid != wait.pid)
    return ()


def graph_lines(facts: Facts) -> list[str]:
    """The wait-for graph in text, one line per wait: ``worker-1 -> acquire Lock a.py:3
    -> worker-2 (holds it)``."""
    lines = []
    for wait in facts.waits:
        line = f"{_who(wait.pid, facts)} -> {wait.describe()}"
        targets = releasers(wait, facts)
        if targets:
            reason = "the child" if wait.op == "join" else "holds it"
            line += " -> " + ", ".join(_who(pid, facts) for pid in targets) + f" ({reason})"
        line += f"  [{_age(facts.now_ns - wait.since_ns)}]"
        lines.append(line)
    return lines


def graph_of(snapshot: Snapshot) -> list[str]:
    """The wait-for graph of a snapshot (what a front end has), as :func:`graph_lines`."""
    holders = {lock.id: (lock.holder,) for lock in snapshot.locks if lock.holder is not None}
    facts = Facts(
        now_ns=snapshot.now_ns,
        waits=list(snapshot.waits),
        names={p.pid: p.name for p in snapshot.processes},
        alive={p.pid for p in snapshot.processes if p.alive},
        holders=holders,
        labels={},
    )
    return graph_lines(facts)


def diagnose(facts: Facts) -> list[AlertView]:
    """Every alert that stands now; the same facts always give the same alerts."""
    alerts: list[AlertView] = []
    explained: set[int] = set()  # pids whose wait an alert already explains
    for cycle in _cycles(facts):
        alert = _deadlock(cycle, facts)
        stuck = {wait.pid for wait in cycle}
        behind = _stuck_behind(stuck, facts)
        if behind:  # a parent joining a deadlocked worker is stuck too: say so here
            details = (*alert.details, *(f"and behind them: {_detail(w, facts)}" for w in behind))
            alert = dataclasses.replace(alert, details=details)
        alerts.append(alert)
        explained.update(stuck, (w.pid for w in behind))
    for wait in facts.waits:
        if wait.pid in explained:
            continue
        alert = _join_before_drain(wait, facts) or _never(wait, facts)
        if alert is not None:
            alerts.append(alert)
            explained.add(wait.pid)
    for alert in _unsignalled(facts, explained):
        alerts.append(alert)
        explained.update(alert.pids)
    for wait in facts.waits:
        age = facts.now_ns - wait.since_ns
        if wait.pid in explained or age < facts.stall_after_ns:
            continue
        if wait.op == "join":
            continue  # a child at work for long is no stall; a stuck one has its own alert
        if wait.op == "result" and _pool_at_work(wait, facts):
            continue
        alert = _stall(wait, facts)
        behind = _stuck_behind({wait.pid}, facts)
        if behind:  # a parent joining the stalled process waits with it
            details = (*alert.details, *(f"and behind it: {_detail(w, facts)}" for w in behind))
            alert = dataclasses.replace(alert, details=details)
        alerts.append(alert)
        explained.add(wait.pid)
        explained.update(w.pid for w in behind)
    return alerts


# ------------------------------------------------------------------------------ cycles


def _cycles(facts: Facts) -> list[list[WaitView]]:
    """Cycles of settled waits, each once, starting at its smallest pid."""
    settled = {}
    for wait in facts.waits:
        if facts.now_ns - wait.since_ns >= SETTLE_NS and wait.pid in facts.alive:
            settled.setdefault(wait.pid, []).append(wait)
    cycles, seen = [], set()
    for start in sorted(settled):
        path: list[WaitView] = []
        _walk(start, start, settled, facts, path, set(), cycles, seen)
    return cycles


def _walk(start, pid, settled, facts, path, visiting, cycles, seen) -> None:
    if pid in visiting:
        return
    visiting.add(pid)
    for wait in settled.get(pid, ()):
        targets = releasers(wait, facts)
        if len(targets) != 1:
            continue  # any of several holders may release it: no sure edge
        for nxt in targets:
            if nxt == start:
                cycle = [*path, wait]
                key = frozenset(w.pid for w in cycle)
                if key not in seen and min(key) == start:
                    seen.add(key)
                    cycles.append(cycle)
            elif nxt in settled and nxt > start:
                _walk(start, nxt, settled, facts, [*path, wait], visiting, cycles, seen)
    visiting.discard(pid)


def _stuck_behind(stuck: set[int], facts: Facts) -> list[WaitView]:
    """Waits that only a stuck process could end, and the waits behind those, in turn."""
    behind: list[WaitView] = []
    blocked = set(stuck)
    grew = True
    while grew:
        grew = False
        for wait in facts.waits:
            targets = releasers(wait, facts)
            if wait.pid not in blocked and targets and set(targets) <= blocked:
                behind.append(wait)
                blocked.add(wait.pid)
                grew = True
    return behind


def _deadlock(cycle: list[WaitView], facts: Facts) -> AlertView:
    pids = tuple(w.pid for w in cycle)
    names = [facts.names.get(pid, f"pid {pid}") for pid in pids]
    who = " and ".join(names) if len(names) == 2 else ", ".join(names)
    joins = any(w.op == "join" for w in cycle)
    if len(cycle) == 1:
        title = f"Deadlock: {names[0]} waits for itself"
    else:
        title = f"Deadlock: {who} wait on each other"
    advice = (
        "Release what you hold before join(), or let the child finish without it."
        if joins
        else "Take the locks in the same order in every process (or use one lock), "
        "or acquire with a timeout and back off."
    )
    return AlertView(
        kind=DEADLOCK,
        key=f"{DEADLOCK}:" + ",".join(f"{w.pid}/{w.object_id}" for w in cycle),
        title=title,
        details=tuple(_detail(w, facts) for w in cycle),
        advice=advice,
        pids=pids,
        objects=tuple(w.object_id for w in cycle if w.object_id),
        since_ns=max(w.since_ns for w in cycle),
    )


# ------------------------------------------------------------------- hangs and stalls


def _join_before_drain(wait: WaitView, facts: Facts) -> AlertView | None:
    child = wait.child
    if wait.op != "join" or child is None or child not in facts.alive:
        return None
    returned = facts.returned.get(child)
    if returned is None or facts.now_ns - max(returned, wait.since_ns) < SETTLE_NS:
        return None
    full = [
        qid
        for qid, putters in facts.queue_putters.items()
        if child in putters and facts.queue_depth.get(qid, 0) > 0
    ]
    if not full and not any(child in putters for putters in facts.queue_putters.values()):
        return None  # it put on no queue: slow to exit (a loaded machine), not this hang
    parent, kid = _who(wait.pid, facts), _who(child, facts)
    if full:
        queues = ", ".join(facts.labels.get(qid, f"queue {qid:x}") for qid in full)
        unread = sum(facts.queue_depth.get(qid, 0) for qid in full)
        reason = f"{unread} item{'s' * (unread != 1)} it put on {queues} not read yet"
    else:
        reason = "it is most likely flushing data it put on a queue nobody reads"
    return AlertView(
        kind=JOIN_BEFORE_DRAIN,
        key=f"{JOIN_BEFORE_DRAIN}:{wait.pid}/{child}",
        title=f"Hang: {facts.names.get(wait.pid, wait.pid)} joins "
        f"{facts.names.get(child, child)}, which cannot exit before its queue is read",
        details=(
            f"{parent} waits {_age(facts.now_ns - wait.since_ns)} in join() on {kid}",
            f"{kid} finished its run() {_age(facts.now_ns - returned)} ago but "
            f"cannot exit: {reason}",
        ),
        advice="Get everything the child put on the queue before join() "
        "(or call cancel_join_thread() in the child if that data may be lost).",
        pids=(wait.pid, child),
        objects=tuple(full),
        since_ns=max(returned, wait.since_ns),
        sure=bool(full),
    )


def _never(wait: WaitView, facts: Facts) -> AlertView | None:
    if facts.now_ns - wait.since_ns < SETTLE_NS or wait.pid not in facts.alive:
        return None
    who = facts.names.get(wait.pid, f"pid {wait.pid}")
    if wait.op == "acquire":
        dead = [pid for pid in facts.holders.get(wait.object_id, ()) if pid not in facts.alive]
        if not dead or len(dead) < len(facts.holders.get(wait.object_id, ())):
            return None
        holder = _who(dead[0], facts)
        title = f"Never: {who} waits for {wait.object_label}, held by {holder}, which has exited"
        # Only an RLock is released by its owner alone; another process may release a Lock.
        sure = wait.object_label.startswith("RLock")
        advice = (
            "A lock held by a process that exited is never released: release it in a "
            "finally block (use `with lock:`)."
        )
    elif wait.op in ("get", "recv"):
        others = facts.alive - {wait.pid}
        last_end = max((t for pid, t in facts.ended.items() if pid != wait.pid), default=0)
        if others or facts.now_ns - last_end < SETTLE_NS:
            # The last other process ended only now: its last put may have ended this
            # wait already, in a record of the waiter's not read yet.
            return None
        verb = "put on" if wait.op == "get" else "send on"
        title = (
            f"Never: {who} waits to {wait.op} from {wait.object_label}, "
            "and no other process is left"
        )
        advice = (
            f"Nothing can {verb} it any more: have producers send a last item (a sentinel) "
            f"before they exit, or {wait.op} with a timeout."
        )
        sure = True
    else:
        return None
    return AlertView(
        kind=NEVER,
        key=f"{NEVER}:{wait.pid}/{wait.object_id}",
        title=title,
        details=(_detail(wait, facts),),
        advice=advice,
        pids=(wait.pid,),
        objects=(wait.object_id,),
        since_ns=wait.since_ns,
        sure=sure,
    )


# ------------------------------------------------- Barriers, Events and Conditions

_SIGNALLED = ("Barrier", "Event", "Condition")


def _unsignalled(facts: Facts, stuck: set[int]) -> list[AlertView]:
    """Barriers that can no longer fill, Events and Conditions nobody left can set or
    notify. ``stuck``: pids whose waits an alert already explains. One alert makes its
    waiters stuck too, which may leave another object with nobody to end its waits."""
    groups: dict[int, list[WaitView]] = {}
    for wait in facts.waits:
        if (
            wait.op == "wait"
            and wait.pid in facts.alive
            and wait.pid not in stuck
            and facts.kinds.get(wait.object_id) in _SIGNALLED
        ):
            groups.setdefault(wait.object_id, []).append(wait)
    alerts: list[AlertView] = []
    stuck = set(stuck)
    found = True
    while found and groups:
        found = False
        for oid in sorted(groups):
            alert = _unsignalled_object(oid, groups[oid], stuck, facts)
            if alert is not None:
                alerts.append(alert)
                stuck.update(alert.pids)
                del groups[oid]
                found = True
    return alerts


def _unsignalled_object(
    oid: int, group: list[WaitView], stuck: set[int], facts: Facts
) -> AlertView | None:
    """The alert for the waits on one Event, Condition or Barrier, if no live process
    that is free to act is left to end them."""
    now = facts.now_ns
    if any(now - w.since_ns < SIGNAL_SETTLE_NS for w in group):
        return None
    waiters = {w.pid for w in group}
    last_end = max((t for pid, t in facts.ended.items() if pid not in waiters), default=0)
    if now - last_end < SIGNAL_SETTLE_NS:
        return None  # its last set or arrival may be in a record not read yet
    others = facts.alive - waiters
    # Processes that wait for what only the waiters (or processes already stuck) could
    # end: a parent joining a waiter, a process queued on a lock a waiter holds.
    behind = [w for w in _stuck_behind(waiters | stuck, facts) if w.pid not in waiters]
    blocked = waiters | stuck | {w.pid for w in behind}
    if others - blocked:
        return None  # a process that is free to act may still set, notify or arrive
    kind = facts.kinds[oid]
    setters = facts.setters.get(oid, ())
    if kind != "Barrier" and any(pid in others for pid in setters):
        return None  # a live process has set it before: it may well again
    if kind == "Barrier":
        missing = facts.parties.get(oid, 0) - len(waiters)
        if missing <= 0:
            return None  # parties unknown, or threads wait: no telling
    group = sorted(group, key=lambda w: w.pid)
    pids = tuple(w.pid for w in group)
    names = [facts.names.get(pid, f"pid {pid}") for pid in pids]
    who = " and ".join(names) if len(names) <= 2 else ", ".join(names)
    waits = "waits" if len(names) == 1 else "wait"
    label = group[0].object_label
    details = [_detail(w, facts) for w in group]
    if others:
        details.append(
            "every other process waits itself: "
            + ", ".join(_who(pid, facts) for pid in sorted(others))
        )
    details.extend(f"and behind them: {_detail(w, facts)}" for w in behind)
    since = max(max(w.since_ns for w in group), min(last_end, now))
    if kind == "Barrier":
        parties = facts.parties[oid]
        details.insert(
            len(group),
            f"{len(waiters)} of {parties} parties wait; {missing} more must arrive "
            "and no live process is left to",
        )
        alert_kind, key = BARRIER, f"{BARRIER}:{oid}"
        title = f"Never: {label} can no longer fill: {who} {waits} for {missing} more"
        advice = (
            "A party that exits never arrives: pass wait() a timeout (or call abort() "
            "when a party fails) so the others get BrokenBarrierError instead."
        )
        sure = not others
    else:
        verb, done = ("set", "set") if kind == "Event" else ("notify", "notified")
        history = ", ".join(
            _who(pid, facts) + ("" if pid in facts.alive else " (exited)") for pid in setters
        )
        details.insert(
            len(group),
            f"{done} before by {history}" if history else f"no process has {done} it yet",
        )
        title = f"Never: {who} {waits} for {label}, and no live process can {verb} it"
        if kind == "Event":
            alert_kind, key, sure = EVENT, f"{EVENT}:{oid}", not others
            advice = (
                "Set the Event in a finally block of the process meant to set it, or "
                "wait with a timeout and check that it is still alive."
            )
        else:  # a Condition: its lock may be notified through another object: a guess
            alert_kind, key, sure = NEVER, f"{NEVER}:condition/{oid}", False
            advice = (
                "Notify in a finally block of the process meant to notify, or wait "
                "with a timeout (wait_for(predicate, timeout))."
            )
    return AlertView(
        kind=alert_kind,
        key=key,
        title=title,
        details=tuple(details),
        advice=advice,
        pids=(*pids, *(w.pid for w in behind)),
        objects=(oid,),
        since_ns=since,
        sure=sure,
    )


def _pool_at_work(wait: WaitView, facts: Facts) -> bool:
    """A result wait on a pool that worked within the stall threshold is no stall."""
    quiet_since = max(wait.since_ns, facts.pool_busy.get(wait.object_id, 0))
    return facts.now_ns - quiet_since < facts.stall_after_ns


def _stall(wait: WaitView, facts: Facts) -> AlertView:
    who = facts.names.get(wait.pid, f"pid {wait.pid}")
    age = _age(facts.now_ns - wait.since_ns)
    return AlertView(
        kind=STALL,
        key=f"{STALL}:{wait.pid}/{wait.object_id}/{wait.op}",
        title=f"Stall: {who} has waited {age} to {wait.describe()}",
        details=(_detail(wait, facts),),
        advice="Check who should release or feed it; a timeout on the call would let "
        "the process notice and say so.",
        pids=(wait.pid,),
        objects=(wait.object_id,) if wait.object_id else (),
        since_ns=wait.since_ns,
        sure=False,
    )


# ----------------------------------------------------------------------------- words


def _age(ns: int) -> str:
    """``450ms`` under a second, then whole seconds (``7s``, ``2m 5s``): an alert's words
    change once a second while it stands, not on every look."""
    if ns < 1_000_000_000:
        return duration_ns(ns)
    seconds = ns // 1_000_000_000
    return f"{seconds}s" if seconds < 60 else f"{seconds // 60}m {seconds % 60}s"


def _who(pid: int, facts: Facts) -> str:
    return f"{facts.names.get(pid, 'pid')} (pid {pid})"


def _detail(wait: WaitView, facts: Facts) -> str:
    text = f"{_who(wait.pid, facts)} waits {_age(facts.now_ns - wait.since_ns)} to "
    text += wait.describe()
    targets = releasers(wait, facts)
    if targets and wait.op != "join":
        text += ", held by " + ", ".join(_who(pid, facts) for pid in targets)
    return text
