"""Reductions: sum, mean, max/min (ties share the gradient), softmax, log-softmax."""

from __future__ import annotations

import numpy as np

from ..function import Function, default_float
from .common import _reuse


class Sum(Function):
    _label_args = ("axis", "keepdims")

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        return np.asarray(accurate_sum(a, axis, keepdims))

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdims:
            g = g.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        return ctx.xp.broadcast_to(g, ctx.in_shape)


def accurate_sum(a: np.ndarray, axis, keepdims: bool) -> np.ndarray:
    """``a.sum(axis)`` in PyTorch's result dtype, about as exact as PyTorch's cascade sum.

    Integer and bool sums are int64, as in PyTorch. NumPy sums pairwise along the contiguous
    last axis only: down any other axis it adds row after row, so the error of float32 grows
    like n * eps (1.8e-5 relative over 2,000,000 rows). Such long float16/32 reductions
    accumulate in float64 instead (rounded once at the end).
    """
    kind = a.dtype.kind
    if kind in "biu":
        return a.sum(axis=axis, keepdims=keepdims, dtype=np.int64)
    if kind == "f" and a.dtype.itemsize < 8 and axis is not None:
        axes = (axis,) if isinstance(axis, int) else axis
        last = a.ndim - 1
        n = 1
        for ax in axes:
            if ax != last:
                n *= a.shape[ax]
        if n > _PAIRWISE_FREE_LENGTH:
            return a.sum(axis=axis, keepdims=keepdims, dtype=np.float64).astype(a.dtype)
    return a.sum(axis=axis, keepdims=keepdims)


# Below this many rows the row-by-row float32 error (<= n * 6e-8) stays under ~6e-5 relative in
# the worst case and ~sqrt(n) * 6e-8 typically; longer reductions take the float64 path.
_PAIRWISE_FREE_LENGTH = 1024


class Mean(Function):
    """Mean over ``axis``: one node instead of Sum and Mul, on the hot path of every loss."""

    _label_args = ("axis", "keepdims")

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        out = accurate_sum(a, axis, keepdims)
        ctx.scale = 1.0 / (a.size // max(out.size, 1)) if a.size else float("nan")
        return np.asarray(out * ctx.scale)

    @staticmethod
    def backward(ctx, g):
        g = g * ctx.scale
        if not ctx.keepdims:
            g = g.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        return ctx.xp.broadcast_to(g, ctx.in_shape)


class Softmax(Function):
    """``exp(x) / sum(exp(x))`` along ``axis``."""

    # NOTE: a primitive: one node instead of five on the hot path of every classifier; the
    # row maximum is subtracted first, so it is stable at any |x|.
    _label_args = ("axis",)

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        out = _shifted(a, axis)
        np.exp(out, out=out)
        out /= out.sum(axis=axis, keepdims=True)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        gy = g * out
        return _reuse(gy, np.subtract, out * gy.sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Function):
    """``x - log(sum(exp(x)))`` along ``axis``."""

    # NOTE: a primitive for the same reasons as Softmax (and cross-entropy is built on it).
    _label_args = ("axis",)

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        out = _shifted(a, axis)
        out -= np.log(np.exp(out).sum(axis=axis, keepdims=True))
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        scaled = _reuse(ctx.xp.exp(out), np.multiply, g.sum(axis=ctx.axis, keepdims=True))
        return _reuse(scaled, np.subtract, g, reverse=True)


def stable_max(a: np.ndarray, axis) -> np.ndarray:
    """The maximum along ``axis`` (kept), with non-finite maxima replaced by 0: the shift that
    keeps exp() from overflowing in softmax, log_softmax and logsumexp."""
    if a.size == 0:
        return np.zeros((), dtype=a.dtype)
    m = a.max(axis=axis, keepdims=True)
    if not np.isfinite(m).all():
        m = np.where(np.isfinite(m), m, 0).astype(a.dtype)
    return m


def _shifted(a: np.ndarray, axis) -> np.ndarray:
    """A fresh float copy of ``a`` minus its ``stable_max`` along ``axis``."""
    if a.dtype.kind != "f":
        a = a.astype(default_float())
    return np.subtract(a, stable_max(a, axis), out=np.empty_like(a))  # an array even for 0-d


class Max(Function):
    """Reduction to the maximum; ties share the gradient evenly, like ``torch.amax``."""

    _label_args = ("axis", "keepdims")
    _reduce = staticmethod(np.max)

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        cls = type(ctx)
        if a.size == 0 and (axis is None or not np.all(np.take(a.shape, axis))):
            raise ValueError(
                f"{cls.__name__.lower()}: cannot reduce an empty tensor of shape {a.shape} "
                "over a dimension of size 0"
            )
        out = cls._reduce(a, axis=axis, keepdims=True)
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        if a.dtype.kind == "f":  # integer tensors never need the gradient
            share = (a == out).astype(a.dtype)  # each tie gets an equal share of the gradient
            share /= share.sum(axis=axis, keepdims=True)
            ctx.saved_tensors = (share,)
        return out if keepdims else np.asarray(out.reshape(_reduced_shape(a.shape, axis)))

    @staticmethod
    def backward(ctx, g):
        (share,) = ctx.saved_tensors
        if not ctx.keepdims:
            g = g.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        return g * share


class Min(Max):
    """Reduction to the minimum; ties share the gradient evenly, like ``torch.amin``."""

    _reduce = staticmethod(np.min)


def _lower_median(a: np.ndarray, axis=None, keepdims=True) -> np.ndarray:
    flat = np.sort(a, axis=None)
    return flat[(flat.size - 1) // 2].reshape((1,) * a.ndim if keepdims else ())


class Median(Max):
    """The lower median of all elements; ties share the gradient evenly, like ``median()``."""

    _reduce = staticmethod(_lower_median)


def _axes(ndim: int, axis) -> tuple:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, int):
        axis = (axis,)
    return tuple(a % ndim if ndim else a for a in axis)


def _kept_shape(shape: tuple, axis) -> tuple:
    axes = _axes(len(shape), axis)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _reduced_shape(shape: tuple, axis) -> tuple:
    axes = _axes(len(shape), axis)
    return tuple(s for i, s in enumerate(shape) if i not in axes)
