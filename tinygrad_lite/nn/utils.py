"""Gradient clipping: clip_grad_norm_ and clip_grad_value_, in place on each ``.grad``."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from tinygrad_lite.tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_"]


def _named_grads(fn: str, parameters: Any) -> list[tuple[str, np.ndarray]]:
    """Accept a Tensor, an iterable of Tensors or of ``(name, Tensor)`` pairs; keep those with a
    gradient, named by their given name or by position."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    elif not isinstance(parameters, Iterable):
        raise TypeError(
            f"{fn}: expected a Tensor or an iterable of Tensors (model.parameters() or "
            f"model.named_parameters()), got {type(parameters).__name__}"
        )
    out: list[tuple[str, np.ndarray]] = []
    seen: set[int] = set()
    for i, item in enumerate(parameters):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Tensor):
            name, param = f"{item[0]!r}", item[1]
        elif isinstance(item, Tensor):
            name, param = f"parameter {i} (shape {tuple(item._data.shape)})", item
        else:
            raise TypeError(
                f"{fn}: item {i} is a {type(item).__name__}; pass Tensors or (name, Tensor) pairs"
            )
        grad = param.grad
        # NOTE: skip a gradient array met twice, so in-place scaling never hits it twice.
        if grad is not None and id(grad._data) not in seen:
            seen.add(id(grad._data))
            out.append((name, grad._data))
    return out


def _vector_norm(g: np.ndarray, p: float) -> np.floating:
    if p == 2.0:
        flat = g.reshape(-1)
        # NOTE: a dot product is one BLAS pass with no |g|**2 temporary.
        return np.sqrt(np.dot(flat, flat))
    if p == math.inf:
        return np.max(np.abs(g)) if g.size else g.dtype.type(0)
    if p == 1.0:
        return np.sum(np.abs(g))
    return np.sum(np.abs(g) ** p) ** (1.0 / p)


def clip_grad_norm_(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Tensor:
    """Scale all gradients together so their total ``norm_type``-norm is at most ``max_norm``.

    The total norm is the norm of the per-parameter norms, and the gradients are multiplied by
    ``min(1, max_norm / (total + 1e-6))``, as in PyTorch. Returns the total norm before clipping
    as a 0-d Tensor. ``parameters`` may be ``model.parameters()`` or ``model.named_parameters()``;
    with ``error_if_nonfinite=True`` a NaN/Inf total norm raises a ``RuntimeError`` that names
    the parameters whose gradients are to blame.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = tg.tensor([1.0, 1.0], requires_grad=True)
    >>> (w * tg.tensor([3.0, 4.0])).sum().backward()
    >>> float(clip_grad_norm_([w], max_norm=1.0)), [round(g, 4) for g in w.grad.tolist()]
    (5.0, [0.6, 0.8])
    """
    if isinstance(max_norm, bool) or not isinstance(max_norm, numbers.Real):
        raise TypeError(f"clip_grad_norm_: max_norm must be a number, got {type(max_norm)}")
    if max_norm < 0:
        raise ValueError(f"clip_grad_norm_: max_norm must be >= 0, got {max_norm}")
    if isinstance(norm_type, bool) or not isinstance(norm_type, numbers.Real) or norm_type <= 0:
        raise ValueError(
            f"clip_grad_norm_: norm_type must be a positive number or math.inf, got {norm_type!r}"
        )
    p = float(norm_type)
    named = _named_grads("clip_grad_norm_", parameters)
    if not named:
        return Tensor(0.0)
    dtype = np.result_type(*[g.dtype for _, g in named])
    # NOTE: overflow to inf is reported through the result (or the error below), not a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        norms = [_vector_norm(g, p) for _, g in named]
        total = _vector_norm(np.array(norms, dtype=dtype), p)
    if error_if_nonfinite and not np.isfinite(total):
        bad = [f"{name} (norm {float(n)})" for (name, _), n in zip(named, norms)]
        bad = [b for b, n in zip(bad, norms) if not np.isfinite(n)]
        blame = (
            "non-finite gradient in " + ", ".join(bad)
            if bad
            else "every gradient norm is finite, but their total overflowed"
        )
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of order {p} of the gradients is {float(total)}, "
            f"so they cannot be clipped; {blame}. Find where it comes from with "
            "tg.detect_anomaly(), or pass error_if_nonfinite=False to clip anyway."
        )
    coef = float(max_norm) / (float(total) + 1e-6)
    # NOTE: min(1, coef) as PyTorch's clamp; a NaN total gives a NaN coef, which spreads like
    # PyTorch's, and a coef of exactly 1 changes nothing, so skip that multiply.
    if not coef >= 1.0:
        for _, g in named:
            np.multiply(g, coef, out=g, casting="unsafe")
    return Tensor(np.asarray(total, dtype=dtype))


def clip_grad_value_(parameters: Any, clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = tg.tensor([1.0, 1.0], requires_grad=True)
    >>> (w * tg.tensor([-3.0, 0.5])).sum().backward()
    >>> clip_grad_value_([w], 1.0); w.grad.tolist()
    [-1.0, 0.5]
    """
    if isinstance(clip_value, bool) or not isinstance(clip_value, numbers.Real):
        raise TypeError(f"clip_grad_value_: clip_value must be a number, got {type(clip_value)}")
    if not clip_value >= 0:
        raise ValueError(f"clip_grad_value_: clip_value must be >= 0, got {clip_value}")
    v = float(clip_value)
    for _, g in _named_grads("clip_grad_value_", parameters):
        np.clip(g, -v, v, out=g)
