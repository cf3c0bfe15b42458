"""Short, fixed-width text for numbers: durations, sizes, rates, sparklines (dashboard and
headless summary alike)."""

from __future__ import annotations

from collections.abc import Sequence

_BARS = "▁▂▃▄▅▆▇█"


def duration_ns(ns: int | None) -> str:
    """``850µs``, ``12.3ms``, ``1.20s``, ``2m05s``; ``-`` when unknown. At most 6 cells."""
    if ns is None:
        return "-"
    if ns < 1_000:
        return f"{ns}ns"
    if ns < 1_000_000:
        return f"{ns / 1_000:.0f}µs"
    if ns < 100_000_000:
        return f"{ns / 1_000_000:.1f}ms"
    if ns < 1_000_000_000:
        return f"{ns / 1_000_000:.0f}ms"
    return seconds(ns / 1e9)


def seconds(value: float) -> str:
    """``1.20s``, ``42.0s``, ``2m05s``, ``3h02m``."""
    if value < 10:
        return f"{value:.2f}s"
    if value < 60:
        return f"{value:.1f}s"
    minutes, secs = divmod(int(value), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def whole_seconds(secs: int) -> str:
    """``7s``, ``2m05s``: whole seconds only, so a clock shown with it changes once a
    second, not on every frame (the header's run time, the processes' uptimes)."""
    return f"{max(0, secs)}s" if secs < 60 else seconds(secs)


def size(num_bytes: int | None) -> str:
    """``512B``, ``3.4K``, ``41.2M``, ``1.1G`` (binary units); ``-`` when unknown."""
    if num_bytes is None:
        return "-"
    value = float(num_bytes)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    raise AssertionError("unreachable")


def rate(per_second: float) -> str:
    """``0``, ``7.5``, ``120``, ``3.4k`` per second."""
    if per_second <= 0:
        return "0"
    if per_second < 10:
        return f"{per_second:.1f}"
    if per_second < 10_000:
        return f"{per_second:.0f}"
    return f"{per_second / 1000:.1f}k"


def count(value: int) -> str:
    """``12``, ``1,234``, ``56.7k``, ``1.2M``: at most 6 cells."""
    if value < 100_000:
        return f"{value:,}"
    if value < 1_000_000:
        return f"{value / 1000:.1f}k"
    return f"{value / 1_000_000:.1f}M"


NOT_COUNTED = "not all counted"
"""Said next to an object whose totals are incomplete (a process had more traced objects
than its counter table holds)."""


def sparkline(values: Sequence[float], width: int, bars: str = _BARS) -> str:
    """The last ``width`` values as block characters (or ``bars``, lowest first), scaled to
    their own maximum."""
    tail = list(values)[-width:]
    if not tail:
        return ""
    top = max(tail)
    if top <= 0:
        return bars[0] * len(tail)
    last = len(bars) - 1
    return "".join(bars[min(last, int(v / top * last + 0.5))] for v in tail)
