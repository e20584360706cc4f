"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from .optimizer import Optimizer, check_real

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, step for step equal to PyTorch's ``torch.optim.SGD``.

    With momentum the buffer starts as a copy of the first gradient, then
    ``buf = momentum * buf + (1 - dampening) * g``; Nesterov uses ``g + momentum * buf``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD
    >>> w = tg.tensor([1.0], requires_grad=True); (3 * w).sum().backward()
    >>> opt = SGD([w], lr=0.1); opt.step(); w.numpy().round(6)
    array([0.7], dtype=float32)
    """

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            nesterov=nesterov,
            weight_decay=weight_decay,
        )
        super().__init__(params, defaults)

    def _check_group(self, group: dict[str, Any]) -> None:
        check_real("SGD", "lr", group["lr"])
        check_real("SGD", "momentum", group["momentum"])
        check_real("SGD", "dampening", group["dampening"], high=1.0, high_open=False)
        check_real("SGD", "weight_decay", group["weight_decay"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "SGD: nesterov=True requires momentum > 0 and dampening=0; "
                "pass momentum=0.9 (for example) or nesterov=False"
            )

    def _update_group(self, group: dict[str, Any]) -> None:
        lr, momentum = group["lr"], group["momentum"]
        dampening, nesterov = group["dampening"], group["nesterov"]
        wd = group["weight_decay"]
        state = self.state
        for p in group["params"]:
            grad = p.grad
            if grad is None:
                continue
            g, w = grad._data, p._data
            tmp = self._tmp(p)
            if wd != 0:
                np.multiply(w, wd, out=tmp)
                g = np.add(g, tmp, out=tmp)
            if momentum != 0:
                st = state[p]
                buf = st.get("momentum_buffer")
                if buf is None:
                    buf = st["momentum_buffer"] = np.array(g, dtype=w.dtype, copy=True)
                else:
                    buf *= momentum
                    if dampening == 0:
                        buf += g
                    else:
                        # NOTE: nesterov forbids dampening, so g is not needed after this.
                        g = np.multiply(g, 1 - dampening, out=tmp)
                        buf += g
                if nesterov:
                    if g is tmp:
                        g = g + momentum * buf  # rare (nesterov + weight decay): one temporary
                    else:
                        np.multiply(buf, momentum, out=tmp)
                        g = np.add(g, tmp, out=tmp)
                else:
                    g = buf
            np.multiply(g, lr, out=tmp)
            w -= tmp
