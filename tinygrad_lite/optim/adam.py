"""Adam and AdamW (decoupled weight decay), following PyTorch's single-tensor order of ops."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Adam, step for step equal to PyTorch's ``torch.optim.Adam`` (``amsgrad=False``).

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (L2 penalty); ``eps`` is
    added after dividing ``sqrt(exp_avg_sq)`` by ``sqrt(1 - beta2 ** step)``.
    State per parameter: ``step`` (int), ``exp_avg``, ``exp_avg_sq``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import Adam
    >>> w = tg.tensor([1.0], requires_grad=True); (3 * w).sum().backward()
    >>> opt = Adam([w], lr=0.1); opt.step(); w.numpy().round(6)
    array([0.9], dtype=float32)
    """

    _decoupled = False

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        name = type(self).__name__
        check_real(name, "lr", group["lr"])
        check_real(name, "eps", group["eps"])
        check_real(name, "weight_decay", group["weight_decay"])
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(
                f"{name}: betas must be a pair (beta1, beta2), got {betas!r}; "
                "pass betas=(0.9, 0.999)"
            )
        for i, b in enumerate(betas):
            check_real(name, f"betas[{i}]", b, high=1.0)
        group["betas"] = tuple(betas)

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        beta1, beta2 = group["betas"]
        w1 = 1 - beta1
        decoupled = self._decoupled
        state = self.state
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            g, w = grad._data, p._data
            st = state[p]
            if not st:
                st["step"] = 0
                st["exp_avg"] = np.zeros_like(w)
                st["exp_avg_sq"] = np.zeros_like(w)
            step = st["step"] = st["step"] + 1
            m, v = st["exp_avg"], st["exp_avg_sq"]
            tmp = self._tmp(p)
            if wd != 0:
                if decoupled:
                    w *= 1 - lr * wd
                else:
                    g = g + wd * w  # L2 penalty: a new array, the user's grad stays intact
            # m.lerp_(g, w1) as PyTorch computes it (two formulas around weight 0.5)
            np.subtract(g, m, out=tmp)
            if w1 < 0.5:
                tmp *= w1
                m += tmp
            else:
                tmp *= 1 - w1
                np.subtract(g, tmp, out=m)
            v *= beta2
            np.multiply(g, 1 - beta2, out=tmp)
            tmp *= g
            v += tmp
            bias_correction1 = 1 - beta1**step
            bias_correction2_sqrt = (1 - beta2**step) ** 0.5
            step_size = lr / bias_correction1
            denom = np.sqrt(v, out=tmp)
            denom /= bias_correction2_sqrt
            denom += eps
            np.divide(m, denom, out=tmp)
            tmp *= step_size
            w -= tmp


class AdamW(Adam):
    """AdamW: Adam with decoupled weight decay ``p *= 1 - lr * weight_decay`` (default 1e-2).

    Step for step equal to PyTorch's ``torch.optim.AdamW``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import AdamW
    >>> w = tg.tensor([1.0], requires_grad=True); (0 * w).sum().backward()
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5); opt.step(); w.numpy().round(6)
    array([0.95], dtype=float32)
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr=lr, betas=betas, eps=eps, weight_decay=weight_decay)
