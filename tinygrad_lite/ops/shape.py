"""Shape ops: reshape, permute, expand, indexing (scatter-add backward) and concatenation."""

from __future__ import annotations

import numpy as np

from ..function import Function


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


def basic_view(a: np.ndarray, index):
    """``a[index]``, as a view whenever the index is basic (no arrays), as in PyTorch.

    NOTE: the trailing ``...`` keeps it a view (a 0-d array, not a NumPy scalar) when every
    dimension is selected by an integer.
    """
    items = index if isinstance(index, tuple) else (index,)
    if not any(isinstance(i, np.ndarray) for i in items):
        if Ellipsis not in items:
            return a[items + (Ellipsis,)]
    return np.asarray(a[index])


class GetItem(Function):
    """Indexing; the backward scatter-adds, so repeated indices accumulate."""

    @staticmethod
    def forward(ctx, a, index):
        ctx.in_shape = a.shape
        ctx.index = index
        return basic_view(a, index)

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
