"""Addition, products, powers, matrix products and the fused dense-layer and loss nodes."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..function import Function, default_float
from .common import _reuse


class Add(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Function):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, (-g if ctx.needs_input_grad[1] else None)


class Mul(Function):
    _saved_for = (1, 0)  # d/da reads b, d/db reads a

    @staticmethod
    def forward(ctx, a, b):
        # NOTE: a Python-number factor has no gradient, so ``a`` is not needed: not saving it
        # lets ``h * 3`` be followed by ``h += 1`` before backward, as in PyTorch.
        ctx.saved_tensors = (a if b.__class__ is np.ndarray else None, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    @staticmethod
    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            # NOTE: int / int divides in the default float dtype, as in PyTorch (NumPy: float64).
            a = a.astype(default_float())
            if b.__class__ is np.ndarray and b.dtype.kind != "f":
                b = b.astype(a.dtype)
        out = a / b
        ctx.saved_tensors = (b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g / b
        # d(a/b)/db = -(a/b) / b: reuse g / b and the output instead of a / b**2.
        return (ga if need_a else None), (_reuse(ga * out, np.multiply, -1) if need_b else None)


class Pow(Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.saved_tensors = (a, b)
        return a**b

    @staticmethod
    def backward(ctx, g):
        # Written as PyTorch's pow_backward, pow_backward_self and pow_backward_exponent, so the
        # special points (a = 0, b = 0) and the second order come out as PyTorch's.
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        xp = ctx.xp
        ga = gb = None
        if need_a:
            # d(a**b)/da = b * a**(b-1), and 0 where b == 0: a**0 is the constant 1, even at
            # a = 0 (where the formula gives 0 * 0**-1 = NaN).
            if isinstance(b, (int, float)):  # a Python-number exponent
                ga = g * (b * a ** (b - 1)) if b != 0 else xp.zeros_like(a)
            else:
                with np.errstate(divide="ignore", invalid="ignore"):  # the entries where() replaces
                    ga = xp.where(b == 0, 0.0, g * (b * a ** (b - 1)))
        if need_b:
            # d(a**b)/db = a**b * log(a), and 0 where a == 0 and b >= 0 (its limit from a > 0;
            # the formula gives 0 * -inf = NaN); -inf for a == 0, b < 0; NaN for a < 0.
            # NOTE: a**b is recomputed, not saved: writing the output in place stays allowed.
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = g * xp.where((a == 0) & (b >= 0), 0.0, a**b * xp.log(a))
        return ga, gb


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class MatMul(Function):
    _saved_for = (1, 0)  # d/da reads b, d/db reads a

    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and "
                f"{b.shape}; use * to multiply by a scalar"
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ShapeError(
                f"matmul: shapes {a.shape} and {b.shape} do not match: the last dimension of the "
                f"first ({a.shape[-1]}) must equal the "
                f"{'second-to-last' if b.ndim > 1 else 'only'} dimension of the second "
                f"({b.shape[-2 if b.ndim > 1 else 0]})"
            )
        ctx.saved_tensors = (a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (g * b if need_a else None), (g * a if need_b else None)
        if a.ndim == 1:
            # (n,) @ (..., n, m): treat a as a (1, n) row; the engine sums the batch axes.
            g2 = g.reshape(g.shape[:-1] + (1, g.shape[-1]))
            ga = g2 @ b.swapaxes(-1, -2) if need_a else None
            gb = a.reshape((a.shape[0], 1)) @ g2 if need_b else None
            return ga, gb
        if b.ndim == 1:
            # (..., k, n) @ (n,): treat b as an (n, 1) column.
            g2 = g.reshape(g.shape + (1,))
            ga = g2 @ b.reshape((1, b.shape[0])) if need_a else None
            gb = (
                (a.swapaxes(-1, -2) @ g2).reshape(a.shape[:-2] + (a.shape[-1],)) if need_b else None
            )
            return ga, gb
        ga = g @ b.swapaxes(-1, -2) if need_a else None
        gb = a.swapaxes(-1, -2) @ g if need_b else None
        return ga, gb


class Linear(Function):
    """``x @ weight.T + bias`` as one node: the hot path of every dense layer."""

    _saved_for = (1, 0)  # d/dx reads weight, d/dweight reads x

    # NOTE: fused for speed (one node instead of three) and so the weight's gradient comes out
    # in the weight's own layout, with no transpose view to copy.
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ShapeError(
                f"linear: input of shape {x.shape} has {x.shape[-1] if x.ndim else 0} features "
                f"but the weight of shape {weight.shape} expects {weight.shape[1]} "
                "(weight is (out_features, in_features))"
            )
        ctx.saved_tensors = (x, weight)
        out = x @ weight.T
        if bias is not None:
            out += bias
        return out

    @staticmethod
    def backward(ctx, g):
        x, weight = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g @ weight if need[0] else None
        gw = gb = None
        if x.ndim == 1:
            if need[1]:
                gw = g.reshape((g.shape[0], 1)) @ x.reshape((1, x.shape[0]))
            gb = g if len(need) > 2 and need[2] else None
            return gx, gw, gb
        g2 = g.reshape((-1, g.shape[-1])) if g.ndim != 2 else g
        if need[1]:
            x2 = x.reshape((-1, x.shape[-1])) if x.ndim != 2 else x
            gw = g2.T @ x2
        if len(need) > 2 and need[2]:
            gb = g2.sum(axis=0)
        return gx, gw, gb


class SquaredError(Function):
    """``sum`` or ``mean`` of ``(a - b) ** 2`` as one node: the hot path of every regression."""

    _label_args = ("reduction",)

    @staticmethod
    def forward(ctx, a, b, reduction):
        ctx.reduction = reduction
        ctx.saved_tensors = (a, b)
        d = a - b
        out = np.asarray(np.vdot(d, d) if d.dtype.kind == "f" else (d * d).sum())
        if reduction == "mean":
            ctx.scale = 2.0 / d.size if d.size else float("nan")
            return np.asarray(out / d.size if d.size else out * float("nan"))
        ctx.scale = 2.0
        return out

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        # NOTE: (a - b) is recomputed, not saved: under create_graph it must stay differentiable.
        gd = _reuse(a - b, np.multiply, g * ctx.scale)
        need_a, need_b = ctx.needs_input_grad
        return (gd if need_a else None), (-gd if need_b else None)
