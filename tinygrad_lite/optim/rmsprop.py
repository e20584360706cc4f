"""RMSprop, following PyTorch's single-tensor order of operations."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, step for step equal to PyTorch's ``torch.optim.RMSprop``.

    ``square_avg = alpha * square_avg + (1 - alpha) * g * g``; the step divides by
    ``sqrt(square_avg) + eps`` (``centered=True`` first subtracts the squared mean gradient).
    State per parameter: ``step``, ``square_avg``, and ``momentum_buffer`` / ``grad_avg``
    when momentum / centered are on.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import RMSprop
    >>> w = tg.tensor([1.0], requires_grad=True); (3 * w).sum().backward()
    >>> opt = RMSprop([w], lr=0.01, alpha=0.75, eps=0.0); opt.step(); w.numpy().round(6)
    array([0.98], dtype=float32)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        centered: bool = False,
    ) -> None:
        defaults = dict(
            lr=lr,
            alpha=alpha,
            eps=eps,
            momentum=momentum,
            weight_decay=weight_decay,
            centered=centered,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_real("RMSprop", "lr", group["lr"])
        check_real("RMSprop", "alpha", group["alpha"])
        check_real("RMSprop", "eps", group["eps"])
        check_real("RMSprop", "momentum", group["momentum"])
        check_real("RMSprop", "weight_decay", group["weight_decay"])

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        momentum, wd, centered = group["momentum"], group["weight_decay"], group["centered"]
        state = self.state
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            g, w = grad._data, p._data
            st = state[p]
            if not st:
                st["step"] = 0
                st["square_avg"] = np.zeros_like(w)
                if momentum > 0:
                    st["momentum_buffer"] = np.zeros_like(w)
                if centered:
                    st["grad_avg"] = np.zeros_like(w)
            st["step"] += 1
            if wd != 0:
                g = g + wd * w  # a new array: the user's grad stays intact
            sq = st["square_avg"]
            tmp = self._tmp(p)
            sq *= alpha
            np.multiply(g, 1 - alpha, out=tmp)
            tmp *= g
            sq += tmp
            if centered:
                ga = st["grad_avg"]
                np.subtract(g, ga, out=tmp)  # ga.lerp_(g, 1 - alpha), PyTorch's formula
                if 1 - alpha < 0.5:
                    tmp *= 1 - alpha
                    ga += tmp
                else:
                    tmp *= 1 - (1 - alpha)
                    np.subtract(g, tmp, out=ga)
                np.multiply(ga, ga, out=tmp)
                np.subtract(sq, tmp, out=tmp)
                avg = np.sqrt(tmp, out=tmp)
            else:
                avg = np.sqrt(sq, out=tmp)
            avg += eps
            np.divide(g, avg, out=tmp)
            if momentum > 0:
                buf = st["momentum_buffer"]
                buf *= momentum
                buf += tmp
                np.multiply(buf, lr, out=tmp)
            else:
                tmp *= lr
            w -= tmp
