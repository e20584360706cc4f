"""W5 memory: resident-memory growth over 50 steps of W2, each implementation in its own process.

Two figures: the peak growth over the 50 steps (above the RSS after building the model),
and the growth retained between the end of step 1 and the end of step 50 (a leak shows here).
"""

from __future__ import annotations

import gc

import numpy as np

from benchmarks.common import IMPLS, NUMPY, TORCH, ProcCase, load_torch
from benchmarks.memory import current_rss_mb, peak_since_reset_mb, reset_peak
from benchmarks.workloads.w2_mlp import framework_runner, make_data, numpy_runner

TITLE = "resident memory over 50 steps of W2, one process per implementation"
STEPS = {"tiny": 5, "quick": 50, "full": 50}


def measure(impl: str, size: str, steps: str) -> dict:
    """Run ``steps`` W2 steps of ``impl`` and report memory growth in MiB, and final results.

    >>> r = measure("numpy", "tiny", "3"); r["steps"], r["peak_growth_mb"] >= 0
    (3, True)
    """
    n = int(steps)
    data = make_data(size)
    if impl == TORCH:
        load_torch()
    runner = numpy_runner(data) if impl == NUMPY else framework_runner(data, impl)
    gc.collect()
    base = current_rss_mb()
    reset_peak()
    runner.step()
    after_first = current_rss_mb()
    for _ in range(n - 1):
        runner.step()
    end = current_rss_mb()
    res = runner.result()
    return {
        "steps": n,
        "peak_growth_mb": max(peak_since_reset_mb(), end) - base,
        "retained_mb": end - after_first,
        "result": {"losses": res["losses"].tolist()},
    }


def _expect(res: dict[str, np.ndarray]) -> list[str]:
    """Adam on one fixed batch must lower the loss."""
    losses = res["losses"]
    if not losses[-1] < losses[0]:
        return [f"W5: loss went from {losses[0]:.4g} to {losses[-1]:.4g}; it must fall"]
    return []


def cases(size: str) -> list[ProcCase]:
    """The single W5 case.

    >>> cases("tiny")[0].argv
    ['tiny', '5']
    """
    model = "tiny" if size == "tiny" else "full"
    return [
        ProcCase(
            name=f"{STEPS[size]} steps of W2",
            workload="W5",
            argv=[model, str(STEPS[size])],
            metrics={
                "peak_growth_mb": ("peak RSS growth", "MiB"),
                "retained_mb": ("RSS growth steps 2..N", "MiB"),
            },
            rtol=1e-3,
            expect=_expect,
            impls=IMPLS,
        )
    ]
