"""The nodes that in-place writes record: overwrite, write through a view, write at an index.

An in-place op ``t.op_(y)`` is recorded as its out-of-place twin ``new = op(t_old, y)`` whose
values are then stored in ``t``'s memory (``inplace.py``). When ``t`` is a view, the memory
belongs to its base, and the base's history gains a ``CopySlices`` node: the base equals its
old self everywhere but in the view, where it equals ``new``.
"""

from __future__ import annotations

import numpy as np

from ..function import Function, apply1
from .shape import Expand, GetItem, Permute, Reshape, basic_view

# How each view op reads a view out of an ndarray (the Tensor side records the op itself).
_NUMPY_VIEWS = {
    Reshape: lambda a, shape: a.reshape(shape),
    Permute: lambda a, dims: a.transpose(dims),
    GetItem: basic_view,
    Expand: np.broadcast_to,
}


def view_of(x, steps: tuple):
    """Apply the view ops ``steps`` (``(op class, argument)`` pairs) to an ndarray or a Tensor.

    On an ndarray the result shares ``x``'s memory; on a Tensor the ops are recorded, so the
    view's gradient flows back into ``x``.
    """
    for op, arg in steps:
        x = _NUMPY_VIEWS[op](x, arg) if isinstance(x, np.ndarray) else apply1(op, x, arg)
    return x


class Overwrite(Function):
    """``old`` replaced by ``src`` (broadcast, cast): ``copy_``, ``fill_``, ``zero_``, ``normal_``.

    d/d old = 0 (its values are gone) and d/d src = 1 (the engine sums broadcast axes).
    """

    @staticmethod
    def forward(ctx, old, src):
        return np.broadcast_to(src, old.shape).astype(old.dtype)

    @staticmethod
    def backward(ctx, g):
        return ctx.xp.zeros_like(g), g


class IndexPut(Function):
    """``old`` with ``old[index] = value``: the node of ``t[index] = value``.

    d/d old = g outside ``index`` and 0 inside; d/d value = g[index].
    """

    @staticmethod
    def forward(ctx, old, value, index):
        ctx.index = index
        out = old.copy()
        out[index] = value
        return out

    @staticmethod
    def backward(ctx, g):
        keep = np.ones(g.shape, dtype=bool)
        keep[ctx.index] = False
        need_old, need_value = ctx.needs_input_grad
        return (g * keep if need_old else None), (g[ctx.index] if need_value else None)


class CopySlices(Function):
    """The base of a view after an in-place write through the view: ``base`` outside the view,
    ``new`` inside it. ``forward`` gets the base's memory already written and returns it as is.

    d/d base = g outside the view and 0 inside; d/d new = the view of g.
    """

    @staticmethod
    def forward(ctx, base, new, steps):
        ctx.steps = steps
        return base

    @staticmethod
    def backward(ctx, g):
        keep = np.ones(g.shape, dtype=bool)
        view_of(keep, ctx.steps)[...] = False
        need_base, need_new = ctx.needs_input_grad
        return (g * keep if need_base else None), (view_of(g, ctx.steps) if need_new else None)
