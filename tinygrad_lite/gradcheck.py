"""Check analytic gradients against central finite differences in float64."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .engine import grad
from .function import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(RuntimeError):
    """Raised by ``gradcheck`` when an analytic gradient disagrees with finite differences."""


def _inputs(inputs: Any) -> tuple:
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    checked = []
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor) and t.requires_grad:
            if t.dtype != np.float64:
                raise TypeError(
                    f"gradcheck: input {i} has dtype {t.dtype}; finite differences need float64 "
                    "inputs (build them with dtype=np.float64)"
                )
            checked.append(i)
    if not checked:
        raise ValueError("gradcheck: no input has requires_grad=True, so there is nothing to check")
    return inputs, checked


def _projection(out: Tensor, seed: int) -> np.ndarray:
    # A fixed random projection v: checking v . J for a generic v catches any wrong entry of J.
    return np.random.default_rng(seed).standard_normal(out.shape)


def gradcheck(
    fn: Callable[..., Tensor],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Compare the gradients of ``fn`` at ``inputs`` with central finite differences.

    For two fixed random vectors ``v`` it compares the analytic ``d(v . fn(x))/dx`` with
    ``(v . fn(x + eps e_i) - v . fn(x - eps e_i)) / (2 eps)`` for every element ``i`` of every
    input that requires grad.

    Returns
    -------
    True, or raises ``GradcheckError`` naming the input and its worst element.

    Examples
    --------
    >>> import numpy as np, tinygrad_lite as tg
    >>> x = tg.tensor([0.5, 2.0], dtype=np.float64, requires_grad=True)
    >>> tg.gradcheck(lambda t: (t * t.sin()).sum(), (x,))
    True
    """
    inputs, checked = _inputs(inputs)
    out = fn(*inputs)
    if not isinstance(out, Tensor):
        raise TypeError(f"gradcheck: fn must return a Tensor, got {type(out).__name__}")
    for seed in (0, 1):
        v = _projection(out, seed)
        out = fn(*inputs)
        if not out.requires_grad:
            raise GradcheckError("gradcheck: the output does not require grad (no graph to check)")
        analytic = grad([out], [inputs[i] for i in checked], [v], allow_unused=True)
        for k, i in enumerate(checked):
            t = inputs[i]
            a = np.zeros(t.shape) if analytic[k] is None else analytic[k].numpy()
            n = _numeric(fn, inputs, t, v, eps)
            _compare(a, n, i, t.shape, atol, rtol)
    return True


def _numeric(fn: Callable, inputs: tuple, t: Tensor, v: np.ndarray, eps: float) -> np.ndarray:
    flat = t._data.reshape(-1)  # a view: perturbing it perturbs the input
    result = np.zeros(flat.shape)
    with no_grad():
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = float((fn(*inputs).numpy() * v).sum())
            flat[j] = orig - eps
            minus = float((fn(*inputs).numpy() * v).sum())
            flat[j] = orig
            result[j] = (plus - minus) / (2 * eps)
    return result.reshape(t.shape)


def _compare(a: np.ndarray, n: np.ndarray, i: int, shape: tuple, atol: float, rtol: float) -> None:
    err = np.abs(a - n) - (atol + rtol * np.abs(n))
    if a.size and (err.max() > 0 or not np.isfinite(a).all()):
        worst = np.unravel_index(int(np.nanargmax(np.where(np.isfinite(a), err, np.inf))), shape)
        raise GradcheckError(
            f"gradcheck: input {i} (shape {tuple(shape)}): the analytic gradient differs from "
            f"finite differences at index {tuple(int(w) for w in worst)}: analytic {a[worst]!r}, "
            f"numeric {n[worst]!r} (atol={atol}, rtol={rtol})"
        )


def gradgradcheck(
    fn: Callable[..., Tensor],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check second derivatives: ``gradcheck`` of the gradient computed with ``create_graph``.

    Examples
    --------
    >>> import numpy as np, tinygrad_lite as tg
    >>> x = tg.tensor([0.5, 2.0], dtype=np.float64, requires_grad=True)
    >>> tg.gradgradcheck(lambda t: (t ** 3).sum(), (x,))
    True
    """
    inputs, checked = _inputs(inputs)
    out = fn(*inputs)
    v = _projection(out, 2)
    rng = np.random.default_rng(3)
    weights = [rng.standard_normal(inputs[i].shape) for i in checked]

    @enable_grad()  # the finite differences call this under no_grad; it needs its own graph
    def first_order(*xs: Tensor) -> Tensor:
        y = fn(*xs)
        gs = grad([y], [xs[i] for i in checked], [v], create_graph=True, allow_unused=True)
        # NOTE: every gradient counts, even one without history: if it still varies with x, the
        # finite differences see that and the (zero) analytic second derivative is caught.
        total = sum(((x * 0.0).sum() for x in (xs[i] for i in checked)), Tensor(0.0))
        for g, w in zip(gs, weights):
            if g is not None:
                total = total + (g * Tensor(w)).sum()
        return total

    return gradcheck(first_order, inputs, eps, atol, rtol)
