"""Elementwise functions: exp, log, tanh, sigmoid, the ReLU family, where, casts."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function, default_float
from .common import _reuse


def _floating(a):
    # NOTE: int and bool inputs compute in the default float dtype, as in PyTorch; NumPy would
    # pick float16 (bool, int8), float32 (int16) or float64 (int32, int64).
    return a if a.dtype.kind == "f" else a.astype(default_float())


class Exp(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        out = np.exp(a)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g * out


class Log(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        ctx.saved_tensors = (a,)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Sqrt(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        out = np.sqrt(a)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return g / (2 * out)


class Sin(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        ctx.saved_tensors = (a,)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.xp.cos(a)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        ctx.saved_tensors = (a,)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * ctx.xp.sin(a)


class Tanh(Function):
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        out = np.tanh(a)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return _reuse(_reuse(out * out, np.subtract, 1, reverse=True), np.multiply, g)


class Sigmoid(Function):
    # NOTE: a primitive for stability: exp(-x) overflows at x = -1000 (to inf, which gives the
    # right 0); computed in place, with no np.where (slow on random masks).
    @staticmethod
    def forward(ctx, a):
        a = _floating(a)
        out = np.negative(a, out=np.empty_like(a))  # an array even for 0-d inputs
        with np.errstate(over="ignore"):  # exp overflows to inf and 1 / (1 + inf) is 0
            np.exp(out, out=out)
        out += 1
        np.reciprocal(out, out=out)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return _reuse(_reuse(1 - out, np.multiply, out), np.multiply, g)


class Relu(Function):
    # relu'(0) = 0, like PyTorch.
    @staticmethod
    def forward(ctx, a):
        ctx.saved_tensors = (a,)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * (a > 0)  # NOTE: a mask product; np.where is ~7x slower on random masks


class LeakyRelu(Function):
    _label_args = ("negative_slope",)

    # leaky_relu'(0) = negative_slope, like PyTorch; a primitive because it is on the hot path.
    @staticmethod
    def forward(ctx, a, negative_slope):
        ctx.negative_slope = negative_slope
        ctx.saved_tensors = (a,)
        # max(x, s*x) is leaky_relu for s <= 1 and min(x, s*x) for s > 1.
        pick = np.maximum if negative_slope <= 1 else np.minimum
        return pick(a, a * negative_slope)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        slope = ctx.negative_slope
        coef = _reuse((a > 0).astype(a.dtype), np.multiply, 1 - slope)
        return _reuse(_reuse(coef, np.add, slope), np.multiply, g)


class Abs(Function):
    # abs'(0) = 0 (the sign), like PyTorch.
    @staticmethod
    def forward(ctx, a):
        ctx.saved_tensors = (a,)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.xp.sign(a)


class Maximum(Function):
    # At ties each input gets half the gradient, like torch.maximum.
    @staticmethod
    def forward(ctx, a, b):
        ctx.saved_tensors = (a, b)
        return np.maximum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        half = (g * 0.5) * (a == b)
        need_a, need_b = ctx.needs_input_grad
        ga = g * (a > b) + half if need_a else None
        gb = g * (b > a) + half if need_b else None
        return ga, gb


class Minimum(Function):
    # At ties each input gets half the gradient, like torch.minimum. NOTE: a primitive, not
    # -max(-a, -b), which is wrong for unsigned ints and for INT_MIN and refuses bools.
    @staticmethod
    def forward(ctx, a, b):
        ctx.saved_tensors = (a, b)
        return np.minimum(a, b)

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        half = (g * 0.5) * (a == b)
        need_a, need_b = ctx.needs_input_grad
        ga = g * (a < b) + half if need_a else None
        gb = g * (b < a) + half if need_b else None
        return ga, gb


class Sign(Function):
    # sign'(x) = 0 everywhere (0 at the jump, like PyTorch): a node only so the output stays in
    # the graph (requires_grad, grad_fn) and gradients arrive as zeros, not as None.
    @staticmethod
    def forward(ctx, a):
        return a.copy() if a.dtype == np.bool_ else np.sign(a)  # NumPy has no bool sign

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g)


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.saved_tensors = (cond,)
        try:
            return np.where(cond, a, b)
        except ValueError:
            shapes = " and ".join(str(np.shape(v)) for v in (cond, a, b))
            raise ShapeError(
                f"where: condition, x and y of shapes {shapes} cannot be broadcast together"
            ) from None

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        _, need_a, need_b = ctx.needs_input_grad
        # NOTE: mask products, not np.where, which is several times slower on random masks.
        return None, (g * cond if need_a else None), (g * ~cond if need_b else None)


class Cast(Function):
    _label_args = ("dtype",)

    @staticmethod
    def forward(ctx, a, dtype):
        ctx.in_dtype = a.dtype
        ctx.dtype = np.dtype(dtype).name
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g.astype(ctx.in_dtype)
