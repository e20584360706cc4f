"""Interleaved timing: every round times each implementation once, in a rotating order."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Hashable


def calibrate(step: Callable[[], None], target_s: float, max_inner: int = 100_000) -> int:
    """Return how many calls of ``step`` take about ``target_s`` seconds (at least one).

    >>> calibrate(lambda: None, 1e-4) >= 1
    True
    """
    t0 = time.perf_counter()
    step()
    one = time.perf_counter() - t0
    if one >= target_s:
        return 1
    # NOTE: a second, batched estimate: the first call is often a cold outlier.
    n = max(1, min(max_inner, int(target_s / max(one, 1e-9) / 4)))
    t0 = time.perf_counter()
    for _ in range(n):
        step()
    per = (time.perf_counter() - t0) / n
    return max(1, min(max_inner, int(round(target_s / max(per, 1e-9)))))


def time_batch(step: Callable[[], None], inner: int) -> float:
    """Seconds per call of ``step``, averaged over ``inner`` back-to-back calls.

    >>> time_batch(lambda: None, 10) >= 0.0
    True
    """
    # NOTE: GC off while timing (as timeit does); collections happen between batches.
    enabled = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        for _ in range(inner):
            step()
        return (time.perf_counter() - t0) / inner
    finally:
        if enabled:
            gc.enable()


def interleaved(
    steps: dict[Hashable, Callable[[], None]],
    rounds: int,
    target_s: float,
    warmup: int = 2,
) -> dict[Hashable, list[float]]:
    """Time every step in ``rounds`` rounds; one sample (seconds per call) per key per round.

    The order rotates from round to round, so drift and noise from other processes hit every
    implementation alike instead of always the one that runs last.

    >>> out = interleaved({"a": lambda: None, "b": lambda: None}, rounds=3, target_s=1e-4)
    >>> sorted(out), len(out["a"])
    (['a', 'b'], 3)
    """
    keys = list(steps)
    for key in keys:
        for _ in range(warmup):
            steps[key]()
    inner = {key: calibrate(steps[key], target_s) for key in keys}
    samples: dict[Hashable, list[float]] = {key: [] for key in keys}
    for r in range(rounds):
        shift = r % len(keys) if keys else 0
        for key in keys[shift:] + keys[:shift]:
            gc.collect()
            samples[key].append(time_batch(steps[key], inner[key]))
    return samples
