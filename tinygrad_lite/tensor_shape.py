"""The shape and indexing methods of ``Tensor`` (reshape, permute, expand, [] ...), as a mixin."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from . import function as _function
from . import ops
from .arguments import index_arrays, int_arg, norm_axis, shape_args
from .errors import DimensionError, ShapeError
from .function import apply1, applyn
from .inplace import as_view, write

if TYPE_CHECKING:
    from .tensor import Tensor


class ShapeMethods:
    """Views and rearrangements of the same elements, and indexing."""

    data: np.ndarray

    @property
    def T(self) -> Tensor:  # noqa: N802 (NumPy's and PyTorch's name)
        """The tensor with its dimensions reversed."""
        if self._data.ndim < 2:
            return self
        return self.permute(*range(self._data.ndim - 1, -1, -1))

    # ------------------------------------------------------------------------- shape
    def reshape(self, *shape: Any) -> Tensor:
        """Same data in a new shape; one dimension may be -1.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.arange(6).reshape(2, -1).shape
        tg.Size([2, 3])
        """
        shape = shape_args(shape, "reshape")
        if shape == self._data.shape:
            return self
        known = int(np.prod([s for s in shape if s != -1]))
        size = self._data.size
        if (-1 in shape and (known == 0 or size % known)) or (-1 not in shape and known != size):
            raise ShapeError(
                f"reshape: cannot reshape a tensor of shape {self.shape} ({size} elements) "
                f"into shape {shape}"
            )
        out = apply1(ops.Reshape, self, shape)
        if _shares(out._data, self._data):  # NumPy copies when the layout does not allow a view
            as_view(out, self, ops.Reshape, shape)
        return out

    view = reshape

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge dimensions ``start_dim..end_dim`` into one.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2, 3, 4).flatten(1).shape
        tg.Size([2, 12])
        """
        nd = self._data.ndim
        if nd == 0:
            return self.reshape(1)
        s = norm_axis(start_dim, nd, "flatten")
        e = norm_axis(end_dim, nd, "flatten")
        if s > e:
            raise ShapeError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
        shape = self._data.shape
        return self.reshape(shape[:s] + (-1,) + shape[e + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Remove size-1 dimensions (all, or those in ``dim``; others are left, like PyTorch).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(1, 3, 1).squeeze().shape
        tg.Size([3])
        """
        shape = self._data.shape
        if dim is None:
            axes = {i for i, s in enumerate(shape) if s == 1}
        else:
            d = norm_axis(dim, len(shape), "squeeze")
            d = () if d is None else (d,) if isinstance(d, int) else d
            axes = {i for i in d if shape[i] == 1}
        return self.reshape(tuple(s for i, s in enumerate(shape) if i not in axes))

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert a size-1 dimension at ``dim``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(3).unsqueeze(0).shape
        tg.Size([1, 3])
        """
        if dim.__class__ is not int:  # NOTE: refuses 1.5 and True, which NumPy would take
            dim = int_arg(dim, "unsqueeze", "dim")
        nd = self._data.ndim + 1
        if not -nd <= dim < nd:
            raise DimensionError(
                f"unsqueeze: dim {dim} is out of range for the result's {nd} dims "
                f"(valid: {-nd} to {nd - 1})"
            )
        dim %= nd
        shape = self._data.shape
        return self.reshape(shape[:dim] + (1,) + shape[dim:])

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the dimensions.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2, 3, 4).permute(2, 0, 1).shape
        tg.Size([4, 2, 3])
        """
        dims = shape_args(dims, "permute")
        nd = self._data.ndim
        if len(dims) != nd:
            raise ShapeError(
                f"permute: {dims} is not a permutation of the {nd} dimensions of a tensor of shape "
                f"{self.shape}: it has {len(dims)} entries"
            )
        for d in dims:
            # NOTE: checked before ``d % nd``, which would take permute(0, 5) as permute(0, 1).
            if not -nd <= d < nd:
                raise DimensionError(
                    f"permute: dim {d} is out of range for a tensor of shape {self.shape} "
                    f"(valid: {-nd} to {nd - 1})"
                )
        if len({d % nd for d in dims}) != nd:
            raise ShapeError(
                f"permute: {dims} is not a permutation of the {nd} dimensions of a tensor of shape "
                f"{self.shape}: it repeats a dimension"
            )
        dims = tuple(d % nd for d in dims)
        if dims == tuple(range(nd)):
            return self
        return as_view(apply1(ops.Permute, self, dims), self, ops.Permute, dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """Swap two dimensions (PyTorch's ``transpose``).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2, 3).transpose(0, 1).shape
        tg.Size([3, 2])
        """
        nd = self._data.ndim
        d0 = norm_axis(dim0, nd, "transpose")
        d1 = norm_axis(dim1, nd, "transpose")
        if nd < 2 or d0 == d1:
            return self
        dims = list(range(nd))
        dims[d0], dims[d1] = dims[d1], dims[d0]
        return self.permute(*dims)

    swapaxes = transpose

    def expand(self, *shape: Any) -> Tensor:
        """Broadcast to ``shape`` without copying; -1 keeps a dimension.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(3, 1).expand(3, 4).shape
        tg.Size([3, 4])
        """
        shape = shape_args(shape, "expand")
        lead = len(shape) - self._data.ndim
        if lead < 0:
            raise ShapeError(
                f"expand: the target shape {shape} has fewer dimensions than the tensor "
                f"{self.shape}"
            )
        shape = tuple(
            self._data.shape[i - lead] if (s == -1 and i >= lead) else s
            for i, s in enumerate(shape)
        )
        return self._broadcast(shape, "expand")

    def broadcast_to(self, shape: Any) -> Tensor:
        """Broadcast to ``shape`` (NumPy's rules).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(3).broadcast_to((2, 3)).shape
        tg.Size([2, 3])
        """
        shape = shape_args((shape,) if not isinstance(shape, tuple) else shape, "broadcast_to")
        return self._broadcast(shape, "broadcast_to")

    def _broadcast(self, shape: tuple, op: str) -> Tensor:
        if shape == self._data.shape:
            return self
        try:
            ok = np.broadcast_shapes(self._data.shape, shape) == shape
        except ValueError:
            ok = False
        if not ok:
            raise ShapeError(f"{op}: cannot broadcast shape {self.shape} to {shape}")
        return as_view(apply1(ops.Expand, self, shape), self, ops.Expand, shape)

    # ------------------------------------------------------------------------- indexing
    def __getitem__(self, index: Any) -> Tensor:
        sources = _tensors_in(index)
        index = index_arrays(index, self._data.shape)
        first, rest = _split_int_selects(index)
        if first is not None:  # PyTorch applies integer indices before array indices
            return self[first][rest]
        out = apply1(ops.GetItem, self, index)
        if sources and out.grad_fn is not None:
            out.grad_fn._watch = sources  # backward reads the index: a later write must raise
        if _shares(out._data, self._data):  # basic indexing gives a view, as in PyTorch
            as_view(out, self, ops.GetItem, index)
        return out

    def __setitem__(self, index: Any, value: Any) -> None:
        """``t[index] = value`` in place (recorded when ``value`` or ``t`` requires grad)."""
        index = index_arrays(index, self._data.shape)
        if not isinstance(value, _function.Tensor):
            value = _function._constant(value, self._data.dtype)
        write(self, "setitem", lambda old, v: applyn(ops.IndexPut, (old, v), index), value)


def _tensors_in(index: Any) -> tuple:
    items = index if isinstance(index, tuple) else (index,)
    return tuple(i for i in items if isinstance(i, _function.Tensor))


def _split_int_selects(index: Any) -> tuple:
    """``(first, rest)`` with ``t[index] == t[first][rest]``, where ``first`` holds the integer
    indices, when ``index`` mixes integers with arrays; ``(None, None)`` otherwise.

    NumPy treats an integer beside an array index as one more array index (``x[0, :, [1, 2]]``
    on shape (2, 3, 4) gives (2, 3)); PyTorch selects with the integer first, giving (3, 2).
    """
    items = index if isinstance(index, tuple) else (index,)
    ints = [isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in items]
    arrays = [isinstance(i, np.ndarray) for i in items]
    if not (any(ints) and any(arrays)):
        return None, None
    first, rest = [], []
    for i, is_int, is_array in zip(items, ints, arrays):
        if is_int:
            first.append(i)
        elif i is None or i is Ellipsis:
            first.append(i)
            rest.append(slice(None) if i is None else i)
        else:
            width = i.ndim if is_array and i.dtype == np.bool_ else 1
            first.extend([slice(None)] * width)
            rest.append(i)
    return tuple(first), tuple(rest)


def _shares(out: np.ndarray, src: np.ndarray) -> bool:
    """Whether ``out`` is a view of ``src``'s memory (NumPy keeps the owner as ``.base``)."""
    base = out.base
    return base is not None and (base is src or base is src.base)
