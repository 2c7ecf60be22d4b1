"""Timing with warm-up and repetition: report the minimum and the median, never one run."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from dlcourse import _checks


@dataclass(frozen=True)
class Timing:
    runs: tuple[float, ...]   # seconds, one per repetition

    @property
    def best(self) -> float:
        return min(self.runs)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def __str__(self) -> str:
        return (f"min {self.best * 1e3:.3g} ms, median {self.median * 1e3:.3g} ms "
                f"({len(self.runs)} runs)")


def measure(fn: Callable[[], object], *, warmup: int = 1, repeat: int = 5) -> Timing:
    """Call ``fn`` ``warmup`` times untimed (tracing, caches), then time ``repeat`` calls."""
    if not callable(fn):
        raise TypeError(f"fn={fn!r} must be callable")
    if isinstance(warmup, bool) or not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup={warmup!r} must be a non-negative integer")
    _checks.positive_int("repeat", repeat)
    for _ in range(warmup):
        fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return Timing(tuple(runs))
