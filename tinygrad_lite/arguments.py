"""Turn user arguments (data, dtypes, shapes, axes, indices) into checked NumPy values.

Every public entry point of tinygrad_lite funnels its arguments through these helpers, so the
dtype rules of API.md and the wording of argument errors live in one place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import function as _function
from .function import default_float

SUPPORTED_KINDS = "biuf"


def set_default_dtype(dtype: Any) -> None:
    """Set the dtype that Python floats and float factories produce (float32 or float64).

    Examples
    --------
    >>> import numpy as np, tinygrad_lite as tg
    >>> tg.set_default_dtype(np.float64); tg.tensor(1.5).dtype
    dtype('float64')
    >>> tg.set_default_dtype(np.float32)
    """
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise TypeError(f"set_default_dtype: only float32 or float64 are supported, got {dt}")
    _function._default_float[0] = dt


def get_default_dtype() -> np.dtype:
    """Return the default float dtype (float32 unless changed).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.get_default_dtype()
    dtype('float32')
    """
    return default_float()


def to_array(data: Any, dtype: Any = None, copy: bool = True) -> np.ndarray:
    """Convert user data to an ndarray following the dtype rules of API.md."""
    if isinstance(data, _function.Tensor):
        data = data._data
    if isinstance(data, np.ndarray):
        arr = np.array(data, dtype=dtype, copy=copy, subok=False)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(e, _function.Tensor) for e in data):
            raise TypeError(
                "tensor: got a list of Tensors; use tg.stack(tensors) (or tg.cat) to combine "
                "them, which keeps the autograd graph"
            )
        try:
            arr = np.array(data, dtype=dtype, subok=False)
        except ValueError as err:
            raise ValueError(
                f"tensor: cannot build a tensor from this data ({err}); nested lists must be "
                "rectangular (all rows the same length)"
            ) from None
        if dtype is None and arr.dtype == np.float64 and not isinstance(data, np.generic):
            # NOTE: Python floats become the default float dtype (float32), as in PyTorch.
            arr = arr.astype(default_float())
    if arr.dtype.kind not in SUPPORTED_KINDS:
        hint = ""
        if arr.dtype == object:
            hint = "; to combine Tensors use tg.stack or tg.cat"
        raise TypeError(
            f"tensor: unsupported data type {arr.dtype}; tinygrad_lite holds bool, integer and "
            f"float data{hint}"
        )
    return arr


def check_grad_dtype(arr: np.ndarray, where: str) -> None:
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{where}: only floating-point tensors can require gradients, but this tensor has "
            f"dtype {arr.dtype}. Build it with float data or pass dtype=np.float32 "
            "(integer and bool tensors are for labels, indices and masks)."
        )


def shape_args(shape: tuple, op: str) -> tuple:
    """Accept ``f(2, 3)`` and ``f((2, 3))`` alike."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    try:
        shape = tuple(int(s) for s in shape)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: the shape must be integers, got {shape!r}") from None
    return shape


def norm_axis(axis: Any, ndim: int, op: str) -> Any:
    """Validate an ``axis`` argument (None, int or tuple) and make it non-negative."""
    if axis is None:
        return None
    single = isinstance(axis, (int, np.integer))
    axes = (axis,) if single else tuple(axis)
    n = max(ndim, 1)
    out = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {axis!r}")
        if not -n <= a < n:
            raise ValueError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimension(s) "
                f"(valid: {-n} to {n - 1})"
            )
        out.append(int(a) % n)
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: axis {axis!r} repeats a dimension")
    if ndim == 0:
        return None
    return out[0] if single else tuple(sorted(out))


def axis_kw(axis: Any, keepdims: bool, dim: Any, keepdim: Any, op: str) -> tuple:
    """Merge PyTorch's ``dim``/``keepdim`` aliases into NumPy's ``axis``/``keepdims``."""
    if dim is not None:
        if axis is not None:
            raise TypeError(f"{op}: pass either axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        if keepdims:
            raise TypeError(f"{op}: pass either keepdims= or keepdim=, not both")
        keepdims = keepdim
    return axis, bool(keepdims)


def count(shape: tuple, axis: Any) -> int:
    if axis is None:
        return int(np.prod(shape, dtype=np.int64))
    axes = (axis,) if isinstance(axis, int) else axis
    return int(np.prod([shape[a] for a in axes], dtype=np.int64))


def reduced(shape: tuple, axis: Any) -> tuple:
    if axis is None:
        return ()
    axes = (axis,) if isinstance(axis, int) else axis
    return tuple(s for i, s in enumerate(shape) if i not in axes)


def index_arrays(index: Any, shape: tuple) -> Any:
    """Turn Tensors and lists inside an index into ndarrays; reject float indices clearly."""
    items = index if isinstance(index, tuple) else (index,)
    out = []
    changed = False
    for i in items:
        if isinstance(i, _function.Tensor):
            i = i._data
            changed = True
        elif isinstance(i, list):
            i = np.asarray(i)
            changed = True
        if isinstance(i, np.ndarray) and i.dtype.kind not in "biu":
            raise IndexError(
                f"tensors used as indices must be integer or bool, got dtype {i.dtype} "
                f"(indexing a tensor of shape {shape})"
            )
        if isinstance(i, float):
            raise IndexError(f"index {i!r} is a float; indices must be integers")
        out.append(i)
    if not changed:
        return index
    return tuple(out) if isinstance(index, tuple) else out[0]
