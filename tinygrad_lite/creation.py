"""Factories: tensors from data, constants, ranges and random draws; cat and stack."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .arguments import (
    check_data_dtype,
    check_grad_dtype,
    dtype_arg,
    int_arg,
    norm_axis,
    number_arg,
    shape_args,
)
from .errors import DimensionError, ShapeError
from .function import _new_tensor, _promote, default_float
from .random import generator
from .tensor import Tensor


def _finish(arr: np.ndarray, requires_grad: bool, op: str) -> Tensor:
    if requires_grad:
        check_grad_dtype(arr, f"{op}(requires_grad=True)")
    return _new_tensor(arr, bool(requires_grad))


def _dtype_or_default(dtype: Any, op: str) -> np.dtype:
    dt = dtype_arg(dtype, op)
    return default_float() if dt is None else dt


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Build a tensor from a number, (nested) list, ndarray or Tensor (the data is copied).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.tensor([[1, 2], [3, 4]]).dtype
    dtype('int64')
    >>> tg.tensor([0.5]).dtype
    dtype('float32')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype)


def from_numpy(array: np.ndarray) -> Tensor:
    """Wrap an ndarray without copying it (changes to one show in the other), like PyTorch.

    Examples
    --------
    >>> import numpy as np, tinygrad_lite as tg
    >>> a = np.zeros(2); t = tg.from_numpy(a); a[0] = 5; t.tolist()
    [5.0, 0.0]
    """
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected an ndarray, got {type(array).__name__}")
    check_data_dtype(array.dtype, "from_numpy")
    return _new_tensor(np.asarray(array))


def zeros(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros (default float dtype).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.zeros(2, 3).shape == (2, 3)
    True
    """
    arr = np.zeros(shape_args(shape, "zeros"), dtype=_dtype_or_default(dtype, "zeros"))
    return _finish(arr, requires_grad, "zeros")


def ones(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of ones (default float dtype).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.ones(2).tolist()
    [1.0, 1.0]
    """
    arr = np.ones(shape_args(shape, "ones"), dtype=_dtype_or_default(dtype, "ones"))
    return _finish(arr, requires_grad, "ones")


def full(shape: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor filled with ``fill_value`` (int for an int, the default float for a float).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.full((2,), 7).tolist()
    [7, 7]
    """
    shape = shape_args(shape if isinstance(shape, (tuple, list)) else (shape,), "full")
    fill_value = number_arg(fill_value, "full", "fill_value")
    dt = dtype_arg(dtype, "full")
    if dt is None:
        dt = np.asarray(fill_value).dtype
        if dt.kind == "f":
            dt = default_float()
    return _finish(np.full(shape, fill_value, dtype=dt), requires_grad, "full")


def arange(
    start: Any, end: Any = None, step: Any = 1, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """Evenly spaced values in ``[start, end)`` (int64 for ints, the default float otherwise).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.arange(3).tolist()
    [0, 1, 2]
    """
    if end is None:
        start, end = 0, start
    start = number_arg(start, "arange", "start", finite=True)
    end = number_arg(end, "arange", "end", finite=True)
    step = number_arg(step, "arange", "step", finite=True)
    if step == 0:
        raise ValueError("arange: step must not be zero")
    dt = dtype_arg(dtype, "arange")
    try:
        arr = np.arange(start, end, step)
    except (ValueError, OverflowError) as err:
        raise ValueError(f"arange: cannot make this range ({err})") from None
    if dt is not None:
        arr = arr.astype(dt)
    elif arr.dtype.kind == "f":
        arr = arr.astype(default_float())
    return _finish(arr, requires_grad, "arange")


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The identity matrix (n x m).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.eye(2).tolist()
    [[1.0, 0.0], [0.0, 1.0]]
    """
    shape = shape_args((n,) if m is None else (n, m), "eye")
    arr = np.eye(shape[0], shape[-1], dtype=_dtype_or_default(dtype, "eye"))
    return _finish(arr, requires_grad, "eye")


def rand(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in [0, 1) from the generator that ``tg.manual_seed`` seeds.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> _ = tg.manual_seed(0); x = tg.rand(3); bool(((x >= 0) & (x < 1)).all())
    True
    """
    arr = _draw(generator().random, shape, dtype, "rand")
    if arr.dtype.itemsize < 4:
        # NOTE: a draw just below 1 can round up to 1.0 in float16; keep the interval half-open.
        np.minimum(arr, np.nextafter(arr.dtype.type(1), arr.dtype.type(0)), out=arr)
    return _finish(arr, requires_grad, "rand")


def randn(*shape: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Standard normal samples from the generator that ``tg.manual_seed`` seeds.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.randn(2, 2).shape == (2, 2)
    True
    """
    arr = _draw(generator().standard_normal, shape, dtype, "randn")
    return _finish(arr, requires_grad, "randn")


def _draw(method: Any, shape: tuple, dtype: Any, op: str) -> np.ndarray:
    shape = shape_args(shape, op)
    dt = dtype_arg(dtype, op, kinds="f")
    dt = default_float() if dt is None else dt
    if dt in (np.float32, np.float64):
        return method(shape, dtype=dt)
    # NOTE: NumPy's generator draws only float32 and float64; other floats are cast from float64.
    return method(shape).astype(dt)


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros with the shape and dtype of ``t``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.zeros_like(tg.ones(2, 2)).tolist()
    [[0.0, 0.0], [0.0, 0.0]]
    """
    data = _like_data(t, dtype, "zeros_like")
    return _finish(np.zeros_like(data, dtype=dtype), requires_grad, "zeros_like")


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones with the shape and dtype of ``t``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.ones_like(tg.zeros(2)).tolist()
    [1.0, 1.0]
    """
    data = _like_data(t, dtype, "ones_like")
    return _finish(np.ones_like(data, dtype=dtype), requires_grad, "ones_like")


def _like_data(t: Any, dtype: Any, op: str) -> np.ndarray:
    """The array whose shape (and, without ``dtype``, whose dtype) a ``*_like`` copies."""
    data = t._data if isinstance(t, Tensor) else np.asarray(t)
    if dtype_arg(dtype, op) is None:
        check_data_dtype(data.dtype, op)
    return data


def _as_tensors(tensors: Sequence[Any], op: str) -> list[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)):
        raise TypeError(f"{op}: expected a list or tuple of tensors, got {type(tensors).__name__}")
    if not tensors:
        raise ValueError(f"{op}: expected a non-empty list of tensors")
    out = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    first = out[0]
    for i, t in enumerate(out[1:], 1):
        if t._data.dtype != first._data.dtype:
            a, b = _promote(ops.Cat, first, t)
            if a is not first:
                dt = a._data.dtype
                out = [x.astype(dt) if x._data.dtype != dt else x for x in out]
                first = out[0]
            out[i] = b
    return out


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dimension.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.cat([tg.zeros(2, 3), tg.ones(1, 3)]).shape == (3, 3)
    True
    """
    if axis is not None:
        dim = axis
    ts = _as_tensors(tensors, "cat")
    nd = ts[0]._data.ndim
    if nd == 0:
        raise ShapeError("cat: zero-dimensional tensors cannot be concatenated; use tg.stack")
    d = norm_axis(dim, nd, "cat")
    ref = ts[0]._data.shape
    for i, t in enumerate(ts):
        s = t._data.shape
        if len(s) != nd or s[:d] + s[d + 1 :] != ref[:d] + ref[d + 1 :]:
            raise ShapeError(
                f"cat: tensor {i} has shape {s} but tensor 0 has shape {ref}; all sizes except "
                f"along dim {dim} must match"
            )
    return ops.Cat.apply(d, *ts)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """NumPy's name for ``cat``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.concatenate([tg.zeros(2), tg.ones(2)]).tolist()
    [0.0, 0.0, 1.0, 1.0]
    """
    return cat(tensors, axis)


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join same-shape tensors along a new dimension.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.stack([tg.zeros(3), tg.ones(3)], dim=1).shape == (3, 2)
    True
    """
    if axis is not None:
        dim = axis
    ts = _as_tensors(tensors, "stack")
    ref = ts[0]._data.shape
    for i, t in enumerate(ts):
        if t._data.shape != ref:
            raise ShapeError(
                f"stack: tensor {i} has shape {t._data.shape} but tensor 0 has shape {ref}; "
                "stack needs equal shapes"
            )
    dim = int_arg(dim, "stack", "dim")
    nd = len(ref) + 1
    if not -nd <= dim < nd:
        raise DimensionError(
            f"stack: dim {dim} is out of range for the result's {nd} dimensions "
            f"(valid: {-nd} to {nd - 1})"
        )
    return cat([t.unsqueeze(dim) for t in ts], dim % nd)
