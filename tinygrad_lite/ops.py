"""The primitive ops: one ``Function`` subclass each, ``forward`` beside ``backward``.

Backward bodies use only what NumPy and tinygrad_lite share (operators, ``.sum(axis=,
keepdims=)``, ``.reshape``, ``ctx.xp.where`` ...), so the same lines compute first-order
gradients on ndarrays and, under ``create_graph=True``, build a graph on Tensors. The engine
undoes broadcasting, so a backward may return a gradient in the broadcast output's shape.
Everything not here is a short composition in ``tensor.py``.

NOTE: these ops assign ``ctx.saved_tensors`` directly instead of calling ``save_for_backward``:
one attribute store instead of a method call on the hottest path of the library.
"""

from __future__ import annotations

import numpy as np

from .function import Function, default_float


def _reuse(tmp, ufunc, other, reverse=False):
    """``ufunc(tmp, other)`` (``ufunc(other, tmp)`` if ``reverse``) written into ``tmp``.

    ``tmp`` must be a temporary that the calling backward has just made. On a first-order
    backward it is an ndarray and its buffer is reused; under ``create_graph`` it is a Tensor
    and a new Tensor is returned. NOTE: on 512x512 float32 this halves the time of a
    three-op backward, which otherwise goes to allocating and touching fresh buffers.
    """
    args = (other, tmp) if reverse else (tmp, other)
    if tmp.__class__ is np.ndarray and _fits(tmp.shape, other):
        return ufunc(*args, out=tmp)
    return _TENSOR_OPS[ufunc](*args)


def _fits(shape: tuple, other) -> bool:
    """Whether ``other`` broadcasts to ``shape`` without enlarging it."""
    oshape = getattr(other, "shape", ())
    if oshape == shape or not oshape:
        return True
    return len(oshape) <= len(shape) and all(
        o == 1 or o == n for o, n in zip(reversed(oshape), reversed(shape))
    )


_TENSOR_OPS = {
    np.add: lambda x, y: x + y,
    np.subtract: lambda x, y: x - y,
    np.multiply: lambda x, y: x * y,
}


# =============================================================================== arithmetic


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
    @staticmethod
    def forward(ctx, a, b):
        ctx.saved_tensors = (a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (g * b if need_a else None), (g * a if need_b else None)


class Div(Function):
    _out_pos = 1

    @staticmethod
    def forward(ctx, a, b):
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
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        ga = g * b * a ** (b - 1) if need_a else None
        # d(a**b)/db = a**b * log(a); NaN for a < 0, as in PyTorch.
        gb = g * a**b * ctx.xp.log(a) if need_b else None
        return ga, gb


class Neg(Function):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class MatMul(Function):
    @staticmethod
    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(
                f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and "
                f"{b.shape}; use * to multiply by a scalar"
            )
        if a.shape[-1] != b.shape[-2 if b.ndim > 1 else 0]:
            raise ValueError(
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

    # NOTE: fused for speed (one node instead of three) and so the weight's gradient comes out
    # in the weight's own layout, with no transpose view to copy.
    @staticmethod
    def forward(ctx, x, weight, bias=None):
        if x.ndim == 0 or x.shape[-1] != weight.shape[1]:
            raise ValueError(
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


# =============================================================================== elementwise


class Exp(Function):
    _out_pos = 0

    @staticmethod
    def forward(ctx, a):
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
        ctx.saved_tensors = (a,)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g / a


class Sqrt(Function):
    _out_pos = 0

    @staticmethod
    def forward(ctx, a):
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
        ctx.saved_tensors = (a,)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return g * ctx.xp.cos(a)


class Cos(Function):
    @staticmethod
    def forward(ctx, a):
        ctx.saved_tensors = (a,)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        (a,) = ctx.saved_tensors
        return -g * ctx.xp.sin(a)


class Tanh(Function):
    _out_pos = 0

    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.saved_tensors = (out,)
        return out

    @staticmethod
    def backward(ctx, g):
        (out,) = ctx.saved_tensors
        return _reuse(_reuse(out * out, np.subtract, 1, reverse=True), np.multiply, g)


class Sigmoid(Function):
    _out_pos = 0

    # NOTE: a primitive for stability: exp(-x) overflows at x = -1000 (to inf, which gives the
    # right 0); computed in place, with no np.where (slow on random masks).
    @staticmethod
    def forward(ctx, a):
        if a.dtype.kind != "f":
            a = a.astype(default_float())
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


class Where(Function):
    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.saved_tensors = (cond,)
        try:
            return np.where(cond, a, b)
        except ValueError:
            shapes = " and ".join(str(np.shape(v)) for v in (cond, a, b))
            raise ValueError(
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


# =============================================================================== reductions


class Sum(Function):
    _label_args = ("axis", "keepdims")

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        return np.asarray(a.sum(axis=axis, keepdims=keepdims))

    @staticmethod
    def backward(ctx, g):
        if not ctx.keepdims:
            g = g.reshape(_kept_shape(ctx.in_shape, ctx.axis))
        return ctx.xp.broadcast_to(g, ctx.in_shape)


class Mean(Function):
    """Mean over ``axis``: one node instead of Sum and Mul, on the hot path of every loss."""

    _label_args = ("axis", "keepdims")

    @staticmethod
    def forward(ctx, a, axis, keepdims):
        ctx.in_shape = a.shape
        ctx.axis = axis
        ctx.keepdims = keepdims
        out = a.sum(axis=axis, keepdims=keepdims)
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
    _out_pos = 0

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
    _out_pos = 0

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        out = _shifted(a, axis)
        lse = np.exp(out).sum(axis=axis, keepdims=True)
        np.log(lse, out=lse)
        out -= lse
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
        if a.size == 0:
            raise ValueError(
                f"{cls.__name__.lower()}: cannot reduce an empty tensor of shape {a.shape}"
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


# =============================================================================== shape


class Reshape(Function):
    _label_args = ("shape",)

    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        ctx.shape = shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Permute(Function):
    _label_args = ("dims",)

    @staticmethod
    def forward(ctx, a, dims):
        ctx.dims = dims
        return a.transpose(dims)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.permute_dims(g, tuple(np.argsort(ctx.dims)))


class Expand(Function):
    _label_args = ("shape",)

    @staticmethod
    def forward(ctx, a, shape):
        ctx.shape = shape
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine sums the broadcast axes back to the input's shape


class GetItem(Function):
    """Indexing; the backward scatter-adds, so repeated indices accumulate."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape = a.shape
        ctx.index = index
        return np.asarray(a[index])

    @staticmethod
    def backward(ctx, g):
        if ctx.xp is np:
            return _scatter_add(g, ctx.in_shape, ctx.index)
        return ScatterAdd.apply(g, ctx.in_shape, ctx.index)

    @property
    def label(self) -> str:
        return f"GetItem({_index_repr(self.index)})"


class ScatterAdd(Function):
    """The backward of ``GetItem`` as an op of its own, so indexing has second derivatives."""

    @staticmethod
    def forward(ctx, g, shape, index):
        ctx.index = index
        return _scatter_add(g, shape, index)

    @staticmethod
    def backward(ctx, gg):
        return gg[ctx.index], None, None  # no gradient for the shape and index arguments


def _scatter_add(g: np.ndarray, shape: tuple, index) -> np.ndarray:
    out = np.zeros(shape, dtype=g.dtype)
    if _has_array_index(index):
        np.add.at(out, index, g)
    else:
        out[index] = g  # basic indexing never repeats an element: a plain store is enough
    return out


def _has_array_index(index) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return any(isinstance(i, np.ndarray) and i.dtype != np.bool_ for i in items)


def _index_repr(index) -> str:
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in items:
        if isinstance(i, slice):
            parts.append(
                ":".join("" if v is None else str(v) for v in (i.start, i.stop))
                + ("" if i.step is None else f":{i.step}")
            )
        elif i is Ellipsis:
            parts.append("...")
        elif i is None:
            parts.append("None")
        elif isinstance(i, np.ndarray):
            parts.append(f"<{i.dtype} array {i.shape}>")
        else:
            parts.append(repr(i))
    return ", ".join(parts)


class Cat(Function):
    _label_args = ("axis",)

    @staticmethod
    def forward(ctx, axis, *arrays):
        ctx.axis = axis
        ctx.sizes = [a.shape[axis] for a in arrays]
        return np.concatenate(arrays, axis=axis)

    @staticmethod
    def backward(ctx, g):
        grads = [None]  # the axis argument
        start = 0
        axis = ctx.axis % g.ndim
        lead = (slice(None),) * axis
        for size, need in zip(ctx.sizes, ctx.needs_input_grad[1:]):
            grads.append(g[lead + (slice(start, start + size),)] if need else None)
            start += size
        return tuple(grads)
