"""Add your own differentiable op with ``tg.Function`` and prove its gradient with ``tg.gradcheck``.

Two new ops:

- ``LogCosh``: log(cosh(x)), a loss that is quadratic near 0 and linear far away (robust to
  outliers). The naive formula overflows at |x| > 89 in float32 (cosh does), so ``forward``
  uses the stable form |x| + log1p(exp(-2|x|)) - log 2, and ``backward`` is tanh(x), written
  with ``ctx.xp`` so that the same line also serves second derivatives (``create_graph``).
- ``Hypot``: sqrt(a^2 + b^2) of two inputs, whose ``backward`` returns a tuple.

Then both are checked against central finite differences (first and second order), and
LogCosh fits a line through data with outliers, next to mean squared error.

    python examples/custom_function.py [--steps 300] [--seed 0]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import nn, optim


class LogCosh(tg.Function):
    """Elementwise log(cosh(x)), stable for any finite x.

    >>> round(LogCosh.apply(tg.tensor([1000.0])).item(), 2)
    999.31
    """

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = np.abs(x)
        return a + np.log1p(np.exp(-2 * a)) - np.log(2).astype(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        # d/dx log(cosh x) = tanh x; ctx.xp is numpy, or tinygrad_lite under create_graph.
        return g * ctx.xp.tanh(x)


class Hypot(tg.Function):
    """sqrt(a^2 + b^2) with broadcasting; the gradient at (0, 0) is taken as 0."""

    @staticmethod
    def forward(ctx, a, b):
        out = np.hypot(a, b)
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        xp = ctx.xp
        # NOTE: where out == 0 both partials would be 0/0; choose 0, like torch.hypot.
        safe = xp.where(out == 0, 1.0, out)
        scale = xp.where(out == 0, 0.0, g / safe)
        return scale * a, scale * b


def log_cosh_loss(pred: tg.Tensor, target: tg.Tensor) -> tg.Tensor:
    """Mean log-cosh error: a drop-in replacement for ``nn.MSELoss()(pred, target)``."""
    return LogCosh.apply(pred - target).mean()


def check_gradients() -> None:
    """Compare analytic and numerical derivatives (float64) and show the stable forward."""
    rng = np.random.default_rng(0)
    x = tg.tensor(rng.normal(scale=3.0, size=(4, 3)), requires_grad=True)
    a = tg.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    b = tg.tensor(rng.normal(size=(3,)), requires_grad=True)  # broadcast against a
    print("gradcheck LogCosh:", tg.gradcheck(lambda t: LogCosh.apply(t), (x,)))
    print("gradgradcheck LogCosh:", tg.gradgradcheck(lambda t: LogCosh.apply(t), (x,)))
    print("gradcheck Hypot:", tg.gradcheck(lambda p, q: Hypot.apply(p, q), (a, b)))
    print("gradgradcheck Hypot:", tg.gradgradcheck(lambda p, q: Hypot.apply(p, q), (a, b)))

    big = tg.tensor([-1000.0, 0.0, 1000.0], dtype=np.float32, requires_grad=True)
    with np.errstate(over="ignore"):
        naive = np.log(np.cosh(big.numpy()))
    out = LogCosh.apply(big)
    out.sum().backward()
    print(f"log(cosh(x)) at x = -1000, 0, 1000: naive {naive.tolist()}, LogCosh {out.tolist()}")
    print(f"its gradient (tanh x): {big.grad.tolist()}")


def robust_fit(steps: int, seed: int) -> dict[str, tuple[float, float]]:
    """Fit y = 2x + 1 on data with 10% large outliers, by MSE and by LogCosh."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, size=(200, 1)).astype(np.float32)
    y = 2 * x + 1 + rng.normal(scale=0.05, size=x.shape).astype(np.float32)
    y[:20] += 20.0  # outliers
    X, Y = tg.from_numpy(x), tg.from_numpy(y)
    fits = {}
    for name, loss_fn in (("MSE", nn.MSELoss()), ("LogCosh", log_cosh_loss)):
        tg.manual_seed(seed)
        model = nn.Linear(1, 1)
        opt = optim.Adam(model.parameters(), lr=0.05)
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(X), Y).backward()
            opt.step()
        fits[name] = (model.weight.item(), model.bias.item())
        print(f"{name:>8} fit: y = {fits[name][0]:.3f} x + {fits[name][1]:.3f}")
    return fits


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    tg.set_default_dtype(np.float64)  # finite differences need float64
    check_gradients()
    tg.set_default_dtype(np.float32)
    print("line y = 2x + 1, 10% of the points moved up by 20:")
    robust_fit(args.steps, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
