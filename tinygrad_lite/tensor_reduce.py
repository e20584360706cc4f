"""The reductions of ``Tensor`` (sum, mean, var, max, softmax ...), as a mixin class."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import function as _function
from . import ops, return_types
from .arguments import axis_kw, count, norm_axis, reduced
from .errors import DimensionError
from .function import _new_tensor, apply1

if TYPE_CHECKING:
    from .tensor import Tensor


class ReductionMethods:
    """Reductions over ``axis`` (None, int or tuple; ``dim``/``keepdim`` are PyTorch aliases)."""

    data: np.ndarray

    def any(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Whether any element is true (not differentiable)."""
        return _new_tensor(np.asarray(self._data.any(axis=axis, keepdims=keepdims)))

    def all(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        """Whether every element is true (not differentiable)."""
        return _new_tensor(np.asarray(self._data.all(axis=axis, keepdims=keepdims)))

    def isfinite(self) -> Tensor:
        """Elementwise: neither NaN nor infinite (not differentiable)."""
        return _new_tensor(np.isfinite(self._data))

    def argmax(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Indices of the maxima (int64, not differentiable).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1, 5], [7, 2]]).argmax(axis=1).tolist()
        [1, 0]
        """
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, "argmax")
        axis = norm_axis(axis, self._data.ndim, "argmax")
        return _new_tensor(np.asarray(self._data.argmax(axis=axis, keepdims=keepdims)))

    def argmin(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None):
        """Indices of the minima (int64, not differentiable)."""
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, "argmin")
        axis = norm_axis(axis, self._data.ndim, "argmin")
        return _new_tensor(np.asarray(self._data.argmin(axis=axis, keepdims=keepdims)))

    # ------------------------------------------------------------------------- reductions
    def _reduce(self, cls: Any, op: str, axis: Any, keepdims: Any, dim: Any, keepdim: Any):
        """Record the reduction ``cls`` after checking its axis arguments."""
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, op)
        if axis is not None:
            axis = norm_axis(axis, self._data.ndim, op)
        return apply1(cls, self, axis, keepdims)

    def sum(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Sum over ``axis`` (None, int or tuple); ``dim``/``keepdim`` are PyTorch aliases.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).sum(axis=0).tolist()
        [4.0, 6.0]
        """
        return self._reduce(ops.Sum, "sum", axis, keepdims, dim, keepdim)

    def mean(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Mean over ``axis``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 2.0], [3.0, 4.0]]).mean(dim=1).tolist()
        [1.5, 3.5]
        """
        return self._reduce(ops.Mean, "mean", axis, keepdims, dim, keepdim)

    def var(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        correction: int = 1,
        dim=None,
        keepdim=None,
    ) -> Tensor:
        """Variance over ``axis``, dividing by ``N - correction`` (1 by default, like PyTorch).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> round(tg.tensor([1.0, 2.0, 3.0, 4.0]).var().item(), 5)
        1.66667
        """
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, "var")
        axis = norm_axis(axis, self._data.ndim, "var")
        n = count(self._data.shape, axis)
        centered = self - self.mean(axis, keepdims=True)
        # As PyTorch: divide by max(N - correction, 0), so no degrees of freedom give inf (or
        # nan where every deviation is 0).
        denom = max(n - correction, 0)
        return (centered * centered).sum(axis, keepdims) * (1.0 / denom if denom else math.inf)

    def std(
        self,
        axis: Any = None,
        keepdims: bool = False,
        *,
        correction: int = 1,
        dim=None,
        keepdim=None,
    ) -> Tensor:
        """Standard deviation over ``axis`` (``sqrt(var)``, same ``correction``)."""
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, "std")
        return self.var(axis, keepdims, correction=correction).sqrt()

    def max(self, dim: Any = None, keepdim: Any = None, *, axis=None, keepdims=None) -> Any:
        """The maximum, as PyTorch's ``max``, in its three forms.

        - ``t.max()``: a 0-d tensor; tied maxima share the gradient evenly.
        - ``t.max(dim, keepdim=False)``: ``(values, indices)``; the gradient goes to the index
          returned (the first of tied maxima). ``axis``/``keepdims`` are aliases.
        - ``t.max(other)``: the elementwise maximum (``tg.maximum``).

        ``amax`` gives the values only, over one or several dims.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> t = tg.tensor([[1.0, 5.0], [7.0, 2.0]])
        >>> t.max().item(), t.max(dim=1).values.tolist(), t.max(1).indices.tolist()
        (7.0, [5.0, 7.0], [1, 0])
        """
        return self._select("max", dim, keepdim, axis, keepdims)

    def min(self, dim: Any = None, keepdim: Any = None, *, axis=None, keepdims=None) -> Any:
        """The minimum, in ``max``'s three forms (``t.min()``, ``t.min(dim)``, ``t.min(other)``).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 5.0], [7.0, 2.0]]).min(0)
        min(values=tensor([1., 2.]), indices=tensor([0, 1]))
        """
        return self._select("min", dim, keepdim, axis, keepdims)

    def _select(self, op: str, dim: Any, keepdim: Any, axis: Any, keepdims: Any) -> Any:
        if isinstance(dim, _function.Tensor):
            return self.maximum(dim) if op == "max" else self.minimum(dim)
        dim, keep = axis_kw(dim, bool(keepdims), axis, keepdim, op)
        if dim is None:
            return self._reduce(ops.Max if op == "max" else ops.Min, op, None, False, None, None)
        d = norm_axis(dim, self._data.ndim, op)
        if not isinstance(d, int):
            raise TypeError(f"{op}: dim must be one int, got {dim!r}; use amax/amin for several")
        data = self._data
        if data.ndim and data.shape[d] == 0:
            raise DimensionError(
                f"{op}(): expected reduction dim {dim} to have non-zero size (shape {self.shape})"
            )
        pick = np.argmax if op == "max" else np.argmin
        idx = pick(data, axis=d, keepdims=True) if data.ndim else np.zeros((), dtype=np.int64)
        return _values_at(self, idx, d, keep, getattr(return_types, op))

    def amax(self, dim: Any = None, keepdim: Any = None, *, axis=None, keepdims=False) -> Tensor:
        """Maximum values over ``dim`` (None, int or tuple); tied maxima share the gradient.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 5.0], [7.0, 2.0]]).amax(dim=1).tolist()
        [5.0, 7.0]
        """
        return self._reduce(ops.Max, "amax", dim, keepdims, axis, keepdim)

    def amin(self, dim: Any = None, keepdim: Any = None, *, axis=None, keepdims=False) -> Tensor:
        """Minimum values over ``dim`` (None, int or tuple); tied minima share the gradient.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 5.0], [7.0, 2.0]]).amin(0).tolist()
        [1.0, 2.0]
        """
        return self._reduce(ops.Min, "amin", dim, keepdims, axis, keepdim)

    def sort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Any:
        """``(values, indices)`` sorted along ``dim``; NaN counts as the largest, as in PyTorch.

        The sort is always stable (equal values keep their order), which ``stable=False`` allows.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([3.0, 1.0, 2.0]).sort(descending=True)
        sort(values=tensor([3., 2., 1.]), indices=tensor([0, 2, 1]))
        """
        d = norm_axis(dim, self._data.ndim, "sort")
        idx = _order(self._data, d, descending)
        return _values_at(self, idx, d, True, return_types.sort)

    def argsort(self, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
        """The indices that ``sort`` would return.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([3.0, 1.0, 2.0]).argsort().tolist()
        [1, 2, 0]
        """
        d = norm_axis(dim, self._data.ndim, "argsort")
        return _new_tensor(_order(self._data, d, descending))

    def topk(self, k: int, dim: int = -1, largest: bool = True, sorted: bool = True) -> Any:  # noqa: A002
        """The ``k`` largest (or smallest) elements along ``dim``: ``(values, indices)``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([1.0, 5.0, 3.0]).topk(2).values.tolist()
        [5.0, 3.0]
        """
        d = norm_axis(dim, self._data.ndim, "topk")
        n = self._data.shape[d] if self._data.ndim else 1
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
            raise DimensionError(f"topk: k must be an int in [0, {n}] for dim {dim}, got {k!r}")
        idx = _order(self._data, d, largest)
        idx = idx[(slice(None),) * (d or 0) + (slice(0, int(k)),)] if self._data.ndim else idx
        return _values_at(self, idx, d, True, return_types.topk)

    def median(self, dim: Any = None, keepdim: bool = False) -> Any:
        """The lower median (PyTorch's): a 0-d tensor, or ``(values, indices)`` along ``dim``.

        Without ``dim``, tied medians share the gradient evenly, as in PyTorch.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> t = tg.tensor([[1.0, 4.0, 2.0, 3.0]])
        >>> t.median().item(), t.median(1).values.tolist(), t.median(1).indices.tolist()
        (2.0, [2.0], [2])
        """
        if dim is None:
            if self._data.size == 0:
                raise RuntimeError("median(): cannot take the median of an empty tensor")
            return apply1(ops.Median, self, None, False)
        d = norm_axis(dim, self._data.ndim, "median")
        n = self._data.shape[d] if self._data.ndim else 1
        if n == 0:
            raise DimensionError(f"median(): expected reduction dim {dim} to have non-zero size")
        order = _order(self._data, d, False)
        mid = (slice(None),) * (d or 0) + (slice((n - 1) // 2, (n - 1) // 2 + 1),)
        idx = order[mid] if self._data.ndim else order
        return _values_at(self, idx, d, keepdim, return_types.median)

    def logsumexp(
        self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None
    ) -> Tensor:
        """``log(sum(exp(x)))`` over ``axis``, computed without overflow.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> round(tg.tensor([1000.0, 1000.0]).logsumexp().item(), 3)
        1000.693
        """
        axis, keepdims = axis_kw(axis, keepdims, dim, keepdim, "logsumexp")
        axis = norm_axis(axis, self._data.ndim, "logsumexp")
        shift = ops.stable_max(self._data, axis)
        out = (self - shift).exp().sum(axis, keepdims=True).log() + shift
        if not keepdims:
            out = out.reshape(reduced(self._data.shape, axis))
        return out

    def softmax(self, axis: int = -1, *, dim=None) -> Tensor:
        """``exp(x) / sum(exp(x))`` along ``axis``, stable at any |x|.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([1000.0, 1000.0]).softmax(0).tolist()
        [0.5, 0.5]
        """
        axis = norm_axis(dim if dim is not None else axis, self._data.ndim, "softmax")
        return apply1(ops.Softmax, self, axis)

    def log_softmax(self, axis: int = -1, *, dim=None) -> Tensor:
        """``log(softmax(x))`` along ``axis``, stable at any |x|.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([0.0, -1000.0]).log_softmax(0).tolist()
        [0.0, -1000.0]
        """
        axis = norm_axis(dim if dim is not None else axis, self._data.ndim, "log_softmax")
        return apply1(ops.LogSoftmax, self, axis)


def _order(data: np.ndarray, axis: Any, descending: bool) -> np.ndarray:
    """Stable sorting indices along ``axis``; NaN sorts as the largest value (PyTorch's rule)."""
    if data.ndim == 0:
        return np.zeros((), dtype=np.int64)
    if not descending:
        return np.argsort(data, axis=axis, kind="stable")
    if data.dtype.kind == "f":
        key = np.where(np.isnan(data), -np.inf, -data)  # NaN first, ties in their order
    else:
        key = ~data  # reverses the order of ints, uints and bools without overflow
    return np.argsort(key, axis=axis, kind="stable")


def _values_at(t: Any, idx: np.ndarray, axis: Any, keepdim: bool, named: Any) -> Any:
    """``named(values, indices)`` with ``values = t`` taken at ``idx`` along ``axis``.

    The values come from an indexing op, so the gradient flows to exactly those elements.
    """
    if t._data.ndim == 0:
        return named(t[...], _new_tensor(np.zeros((), dtype=np.int64)))
    grids = list(np.indices(idx.shape, sparse=True))
    grids[axis] = idx
    values = t[tuple(grids)]
    idx = idx.astype(np.int64, copy=False)
    if not keepdim:
        values = values.squeeze(axis)
        idx = idx.squeeze(axis)
    return named(values, _new_tensor(idx))
