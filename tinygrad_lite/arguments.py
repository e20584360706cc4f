"""Turn user arguments (data, dtypes, shapes, axes, indices) into checked NumPy values.

Every public entry point of tinygrad_lite funnels its arguments through these helpers, so the
dtype rules of API.md and the wording of argument errors live in one place.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from . import function as _function
from .errors import DimensionError, ShapeError
from .function import default_float

SUPPORTED_KINDS = "biuf"
_HOLDS = "tinygrad_lite holds bool, integer and float data"


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
    dtype = dtype_arg(dtype, "tensor")
    if isinstance(data, _function.Tensor):
        data = data._data
    if isinstance(data, np.ndarray):
        if dtype is not None:
            # NOTE: checked before the cast, which would drop an imaginary part with a warning.
            check_data_dtype(data.dtype, "tensor")
        arr = np.array(data, dtype=dtype, copy=copy, subok=False)
    else:
        if isinstance(data, (list, tuple)) and any(isinstance(e, _function.Tensor) for e in data):
            raise TypeError(
                "tensor: got a list of Tensors; use tg.stack(tensors) (or tg.cat) to combine "
                "them, which keeps the autograd graph"
            )
        try:
            # NOTE: converted without ``dtype`` first, so complex numbers, strings and None are
            # refused by their own dtype instead of being parsed or cast by NumPy.
            arr = np.array(data, subok=False)
        except ValueError as err:
            raise ValueError(
                f"tensor: cannot build a tensor from this data ({err}); nested lists must be "
                "rectangular (all rows the same length)"
            ) from None
        if dtype is not None:
            check_data_dtype(arr.dtype, "tensor")
            arr = arr.astype(dtype, copy=False)
        elif arr.dtype == np.float64 and not isinstance(data, np.generic):
            # NOTE: Python floats become the default float dtype (float32), as in PyTorch.
            arr = arr.astype(default_float())
    check_data_dtype(arr.dtype, "tensor")
    return arr


def check_data_dtype(dt: np.dtype, op: str) -> None:
    """Refuse data of a dtype tinygrad_lite does not hold (complex, object, strings, dates).

    Examples
    --------
    >>> import numpy as np
    >>> from tinygrad_lite.arguments import check_data_dtype
    >>> check_data_dtype(np.dtype(np.int8), "tensor")
    >>> check_data_dtype(np.dtype(np.complex128), "tensor")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    TypeError: tensor: unsupported data type complex128; tinygrad_lite holds bool, integer ...
    """
    if dt.kind not in SUPPORTED_KINDS:
        hint = "; to combine Tensors use tg.stack or tg.cat" if dt.kind == "O" else ""
        raise TypeError(f"{op}: unsupported data type {dt}; {_HOLDS}{hint}")


def dtype_arg(dtype: Any, op: str, kinds: str = SUPPORTED_KINDS) -> np.dtype | None:
    """Check a ``dtype=`` argument: None, or a NumPy dtype of the kinds tinygrad_lite holds.

    Parameters
    ----------
    kinds : str
        The NumPy kind letters allowed: ``"biuf"`` (bool, ints, floats) or ``"f"`` for floats.

    Examples
    --------
    >>> import numpy as np
    >>> from tinygrad_lite.arguments import dtype_arg
    >>> dtype_arg("float32", "zeros")
    dtype('float32')
    >>> dtype_arg(np.complex64, "zeros")
    Traceback (most recent call last):
    TypeError: zeros: unsupported dtype complex64; tinygrad_lite holds bool, integer and float data
    """
    if dtype is None:
        return None
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(
            f"{op}: dtype {dtype!r} is not a NumPy dtype; pass one such as np.float32"
        ) from None
    if dt.kind not in kinds:
        if kinds == "f":
            raise TypeError(f"{op}: dtype must be a float dtype such as np.float32, got {dt}")
        raise TypeError(f"{op}: unsupported dtype {dt}; {_HOLDS}")
    return dt


def number_arg(value: Any, op: str, name: str, finite: bool = False) -> Any:
    """Check a scalar argument (a fill value, a range end): a bool, int or float.

    Python numbers, NumPy scalars and 0-d arrays or Tensors are accepted; a 0-d array comes
    back as its NumPy scalar, so its dtype is kept. With ``finite=True``, inf and NaN are a
    ``ValueError``.

    Examples
    --------
    >>> from tinygrad_lite.arguments import number_arg
    >>> number_arg(2.5, "full", "fill_value")
    2.5
    >>> number_arg("a", "full", "fill_value")
    Traceback (most recent call last):
    TypeError: full: fill_value must be a number (bool, int or float), got 'a' (str)
    """
    v = value._data if isinstance(value, _function.Tensor) else value
    if isinstance(v, np.ndarray) and v.ndim == 0:
        v = v[()]
    if not isinstance(v, (bool, int, float)) and not (
        isinstance(v, np.generic) and v.dtype.kind in SUPPORTED_KINDS
    ):
        raise TypeError(
            f"{op}: {name} must be a number (bool, int or float), got {_short(value)} "
            f"({type(value).__name__})"
        )
    if finite and isinstance(v, (float, np.floating)) and not math.isfinite(v):
        raise ValueError(f"{op}: {name} must be finite, got {v}")
    return v


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def int_arg(value: Any, op: str, name: str) -> int:
    """Check an argument that must be one integer (a ``dim``, a count); bools are refused.

    Examples
    --------
    >>> from tinygrad_lite.arguments import int_arg
    >>> int_arg(2, "stack", "dim")
    2
    >>> int_arg(1.0, "stack", "dim")
    Traceback (most recent call last):
    TypeError: stack: dim must be an int, got 1.0
    """
    if _is_int(value):
        return operator.index(value)
    raise TypeError(f"{op}: {name} must be an int, got {_short(value)}")


def _is_int(value: Any) -> bool:
    """True for ints, NumPy integers and 0-d integer arrays, False for bools and floats."""
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        operator.index(value)
    except TypeError:
        return False
    return True


def check_grad_dtype(arr: np.ndarray, where: str) -> None:
    if arr.dtype.kind != "f":
        raise TypeError(
            f"{where}: only floating-point tensors can require gradients, but this tensor has "
            f"dtype {arr.dtype}. Build it with float data or pass dtype=np.float32 "
            "(integer and bool tensors are for labels, indices and masks)."
        )


# Which negative entries an op's shape argument may hold (see ``shape_args``); other ops: none.
_NEGATIVES = {"reshape": "infer", "view": "infer", "expand": "keep", "permute": "dims"}


def shape_args(shape: tuple, op: str, negatives: str | None = None) -> tuple:
    """Check a shape argument, accepting ``f(2, 3)`` and ``f((2, 3))`` alike.

    Parameters
    ----------
    shape : tuple
        The positional arguments of ``op``: ints, or one tuple or list of ints.
    op : str
        The caller's name, for the messages.
    negatives : {"none", "infer", "keep", "dims"}, optional
        Which negative entries are allowed: none (sizes), a single -1 (``reshape`` infers that
        size), any -1 (``expand`` keeps that size), or any (``permute``'s dims, which the caller
        range-checks). By default ``op`` decides: ``reshape``/``view`` infer, ``expand`` keeps,
        ``permute`` takes dims, any other op takes sizes.

    Examples
    --------
    >>> from tinygrad_lite.arguments import shape_args
    >>> shape_args((2, 3), "zeros"), shape_args(([2, 3],), "zeros"), shape_args((3, -1), "view")
    ((2, 3), (2, 3), (3, -1))
    >>> shape_args((2.5,), "zeros")
    Traceback (most recent call last):
    TypeError: zeros: size must be integers, got 2.5
    """
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    rule = negatives or _NEGATIVES.get(op, "none")
    out = []
    for s in shape:
        if s.__class__ is not int:  # NOTE: plain ints skip the slower checks (hot path)
            if not _is_int(s):
                what = "dims" if rule == "dims" else "shape" if rule == "infer" else "size"
                raise TypeError(f"{op}: {what} must be integers, got {_short(s)}{_in(shape)}")
            s = operator.index(s)
        if s < 0 and rule != "dims" and not (s == -1 and rule != "none"):
            raise _negative_size_error(s, shape, op, rule)
        out.append(s)
    if rule == "infer" and out.count(-1) > 1:
        raise ShapeError(f"{op}: only one dimension can be -1, got {tuple(out)}")
    return tuple(out)


def _in(shape: tuple) -> str:
    return f" in {shape!r}" if len(shape) > 1 else ""


def _negative_size_error(size: int, shape: tuple, op: str, rule: str) -> ShapeError:
    if rule == "none":
        return ShapeError(f"{op}: sizes must be non-negative, got {size}{_in(shape)}")
    allowed = "one of them may be -1, to infer it" if rule == "infer" else "-1 keeps a size"
    return ShapeError(
        f"{op}: invalid shape dimension {size}{_in(shape)} (sizes must be non-negative; {allowed})"
    )


def norm_axis(axis: Any, ndim: int, op: str) -> Any:
    """Validate an ``axis`` argument (None, int or tuple) and make it non-negative.

    A 0-d tensor accepts axis 0 and -1, like PyTorch. Out of range is a ``DimensionError``
    (an ``IndexError`` as in PyTorch, and a ``ValueError``).

    Examples
    --------
    >>> from tinygrad_lite.arguments import norm_axis
    >>> norm_axis(-1, 2, "sum"), norm_axis((1, 0), 3, "sum")
    (1, (0, 1))
    >>> norm_axis(1.0, 2, "sum")
    Traceback (most recent call last):
    TypeError: sum: axis must be an int or a tuple of ints, got 1.0
    """
    if axis is None:
        return None
    n = max(ndim, 1)
    if axis.__class__ is int and -n <= axis < n:  # NOTE: the common case, kept fast
        return axis % n if ndim else None
    single = not isinstance(axis, (tuple, list, range))
    axes = (axis,) if single else tuple(axis)
    out = []
    for a in axes:
        if a.__class__ is not int:
            if not _is_int(a):
                raise TypeError(f"{op}: axis must be an int or a tuple of ints, got {_short(axis)}")
            a = operator.index(a)
        if not -n <= a < n:
            raise DimensionError(
                f"{op}: axis {a} is out of range for a tensor with {ndim} dimension(s) "
                f"(valid: {-n} to {n - 1})"
            )
        out.append(a % n)
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
