"""W4 depth: D steps of ``x = x * 1.0001 + 0.0001`` on 4 float64 elements, then backward.

Each run is its own process (``python -m benchmarks.proc W4 IMPL D``), so its peak memory is
its own: the graph of 2*D nodes is the point. float64 keeps the closed-form check tight.
"""

from __future__ import annotations

import time

import numpy as np

from benchmarks.common import IMPLS, NUMPY, TG, ProcCase, load_torch, to_numpy
from benchmarks.memory import current_rss_mb, peak_since_reset_mb, reset_peak

TITLE = "D steps of x = x*1.0001 + 0.0001 on 4 elements, then backward"
A, B = 1.0001, 0.0001
DEPTHS = {"tiny": (100, 1_000), "quick": (10_000, 100_000), "full": (100_000, 1_000_000)}
X0 = np.array([0.5, -1.0, 2.0, 0.0])


def _run_numpy(depth: int) -> tuple[np.ndarray, np.ndarray, float]:
    x = X0.copy()
    for _ in range(depth):
        x = x * A + B
    t_mid = time.perf_counter()
    g = np.ones_like(X0)
    for _ in range(depth):
        g = g * A
    return x, g, t_mid


def _run_framework(depth: int, lib: str) -> tuple[np.ndarray, np.ndarray, float]:
    if lib == TG:
        import tinygrad_lite as tg

        x0 = tg.Tensor(X0, requires_grad=True)
    else:
        torch = load_torch()
        x0 = torch.tensor(X0, requires_grad=True)
    x = x0
    for _ in range(depth):
        x = x * A + B
    t_mid = time.perf_counter()
    x.sum().backward()
    return to_numpy(x), to_numpy(x0.grad), t_mid


def measure(impl: str, depth: str) -> dict:
    """Time forward and backward and the peak memory growth of one run (in this process).

    >>> r = measure("numpy", "10"); sorted(r)[:3], r["result"]["grad"][0] > 1
    (['backward_s', 'forward_s', 'peak_mb'], True)
    """
    d = int(depth)
    run = _run_numpy if impl == NUMPY else lambda n: _run_framework(n, impl)
    # NOTE: a small warm-up run keeps imports and first-call setup out of the measurement.
    run(10)
    base = current_rss_mb()
    reset_peak()
    t0 = time.perf_counter()
    out, grad, t_mid = run(d)
    t1 = time.perf_counter()
    return {
        "forward_s": t_mid - t0,
        "backward_s": t1 - t_mid,
        "total_s": t1 - t0,
        "peak_mb": peak_since_reset_mb() - base,
        "result": {"x": out.tolist(), "grad": grad.tolist()},
    }


def _expect(depth: int):
    """Closed form: x_D = A^D x0 + B (A^D - 1) / (A - 1) and d x_D / d x0 = A^D."""

    def check(res: dict[str, np.ndarray]) -> list[str]:
        ad = A**depth
        want_x = ad * X0 + B * (ad - 1) / (A - 1)
        errors = []
        # NOTE: D rounding steps of float64 drift by about D * 1e-16 relative.
        tol = 1e-12 * depth + 1e-12
        for key, want in (("x", want_x), ("grad", np.full(4, ad))):
            err = np.max(np.abs(res[key] - want)) / np.max(np.abs(want))
            if not err <= tol:
                errors.append(f"W4 D={depth}: {key} off the closed form by {err:.3g} (> {tol:g})")
        return errors

    return check


def cases(size: str) -> list[ProcCase]:
    """One process case per depth D.

    >>> [c.name for c in cases("tiny")]
    ['D=100', 'D=1,000']
    """
    return [
        ProcCase(
            name=f"D={d:,}",
            workload="W4",
            argv=[str(d)],
            metrics={
                "total_s": ("fwd+bwd time", "s"),
                "forward_s": ("forward time", "s"),
                "backward_s": ("backward time", "s"),
                "peak_mb": ("peak memory growth", "MiB"),
            },
            rtol=1e-9,
            expect=_expect(d),
            impls=IMPLS,
            # NOTE: a million-step graph takes most of a minute per run: one round is enough.
            max_rounds=1 if d >= 1_000_000 else 3,
        )
        for d in DEPTHS[size]
    ]
