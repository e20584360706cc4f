"""The reductions of ``Tensor`` (sum, mean, var, max, softmax ...), as a mixin class."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import ops
from .arguments import axis_kw, count, norm_axis, reduced
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
        denom = n - correction
        return (centered * centered).sum(axis, keepdims) * (
            1.0 / denom if denom > 0 else float("nan")
        )

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

    def max(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Maximum values over ``axis`` (ties share the gradient evenly; see ``argmax``).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(axis=1).tolist()
        [5.0, 7.0]
        """
        return self._reduce(ops.Max, "max", axis, keepdims, dim, keepdim)

    def min(self, axis: Any = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
        """Minimum values over ``axis`` (ties share the gradient evenly; see ``argmin``)."""
        return self._reduce(ops.Min, "min", axis, keepdims, dim, keepdim)

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
