"""``Tensor``: an ndarray that remembers the ops that made it, so it can compute gradients."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import function as _function
from . import ops
from . import random as _random
from .arguments import (
    SUPPORTED_KINDS,
    check_grad_dtype,
    dtype_arg,
    get_default_dtype,
    norm_axis,
    set_default_dtype,
    to_array,
)
from .engine import RemovableHandle, backprop
from .errors import ShapeError
from .function import _new_tensor, apply1, apply2, version_of
from .inplace import write
from .tensor_reduce import ReductionMethods
from .tensor_shape import ShapeMethods

__all__ = ["Size", "Tensor", "get_default_dtype", "set_default_dtype", "where"]


class Tensor(ShapeMethods, ReductionMethods):
    """An n-dimensional array that records the ops applied to it, for reverse-mode autodiff.

    Parameters
    ----------
    data : number, (nested) list, ndarray, np.matrix or Tensor
        Copied. Python floats become the default float dtype (float32); integer and bool
        data stay integer/bool.
    requires_grad : bool
        Record ops on this tensor so ``backward`` fills its ``.grad`` (float tensors only).
    dtype : optional
        Cast the data to this dtype.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> x = tg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    tensor([2., 4., 6.])
    """

    # NOTE: class-level defaults, not __slots__: an op's output then needs only ``data`` (and
    # ``grad_fn``) set, which is the cheapest object construction Python offers.
    grad: Tensor | None = None
    grad_fn: Any = None
    _requires_grad = False
    _hooks: list | None = None
    # In-place bookkeeping (inplace.py), all absent until needed:
    _version_counter: Any = None  # shared by every tensor that views the same memory
    _history: tuple | None = None  # (write clock, old grad_fn) pairs, once rebased
    _base: Tensor | None = None  # the tensor whose memory this view looks into
    _view_steps: tuple = ()  # the view ops that make this view from _base
    _views: Any = None  # a WeakSet of the live views of this tensor's memory
    _view_without_grad = False  # a view made under no_grad (PyTorch refuses recorded writes)
    __hash__ = object.__hash__

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None) -> None:
        arr = to_array(data, dtype)
        if requires_grad:
            check_grad_dtype(arr, "Tensor(requires_grad=True)")
        self._data = arr
        if requires_grad:
            self._requires_grad = True

    # ------------------------------------------------------------------------- properties
    @property
    def data(self) -> Tensor:
        """The values as a Tensor with no history, sharing memory and version (PyTorch's ``.data``).

        Writes through it (``w.data -= lr * w.grad``) change ``w``; unlike PyTorch, they also
        tick ``w``'s version, so a backward that still needs the old values raises instead of
        returning a wrong gradient.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> w = tg.ones(2, requires_grad=True)
        >>> with tg.no_grad():
        ...     w.data -= 0.5
        >>> w
        tensor([0.5, 0.5], requires_grad=True)
        """
        return self.detach()

    @data.setter
    def data(self, value: Any) -> None:
        v = self._version_counter
        if isinstance(value, Tensor) and v is not None and value._version_counter is v:
            return  # ``w.data -= x`` writes in place, then assigns the same memory back
        arr = value._data if isinstance(value, Tensor) else to_array(value)
        self._data = arr
        self._version_counter = None  # new memory, new counter
        self._base = None

    @property
    def _version(self) -> int:
        """How many in-place writes this tensor's memory has had (PyTorch's ``t._version``)."""
        v = self._version_counter
        return 0 if v is None else v.count

    @property
    def shape(self) -> Size:
        """The shape, a ``tg.Size`` (a tuple of ints)."""
        return Size(self._data.shape)

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self._data.ndim

    def size(self, dim: int | None = None) -> Any:
        """The shape as a ``tg.Size``, or the length of dimension ``dim`` (PyTorch's ``size``).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> t = tg.zeros(2, 3)
        >>> t.size(), t.size(1), t.size(-1)
        (tg.Size([2, 3]), 3, 3)
        """
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[norm_axis(dim, self._data.ndim, "size")]

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the data."""
        return self._data.dtype

    @property
    def requires_grad(self) -> bool:
        """Whether ops on this tensor are recorded for backward."""
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        self.requires_grad_(flag)

    @property
    def is_leaf(self) -> bool:
        """True for tensors not made by a recorded op (user tensors, parameters)."""
        return self.grad_fn is None

    def numel(self) -> int:
        """Return the number of elements (as PyTorch).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2, 3).numel()
        6
        """
        return self._data.size

    nelement = numel

    def dim(self) -> int:
        """Return the number of dimensions (as PyTorch)."""
        return self._data.ndim

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    # ------------------------------------------------------------------------- conversion
    def numpy(self) -> np.ndarray:
        """Return the data as an ndarray (shared, not copied).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([1, 2]).numpy()
        array([1, 2])
        """
        return self._data

    def item(self) -> Any:
        """Return the value of a one-element tensor as a Python number.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([[2.5]]).item()
        2.5
        """
        if self._data.size != 1:
            raise ShapeError(
                f"item(): only one-element tensors can be converted to a Python number, this one "
                f"has shape {self.shape}"
            )
        return self._data.item()

    def tolist(self) -> Any:
        """Return the data as (nested) Python lists.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([1, 2]).tolist()
        [1, 2]
        """
        return self._data.tolist()

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ShapeError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use .any() or "
                ".all()"
            )
        return bool(self._data)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        # Lets np.asarray(t) and plotting libraries read the values (outside the graph).
        return self._data if dtype is None else self._data.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # NOTE: ``ndarray (op) Tensor`` lands here; answer with the Tensor operator so the
        # result stays in the graph. Any other NumPy function would silently leave it.
        op = _REFLECTED.get(ufunc.__name__)
        if method == "__call__" and op is not None and len(inputs) == 2 and not kwargs:
            a, b = inputs
            if isinstance(b, Tensor) and not isinstance(a, Tensor):
                return getattr(b, op)(a)
        name = _UFUNC_NAMES.get(ufunc.__name__, ufunc.__name__)
        raise TypeError(
            f"np.{ufunc.__name__} was called on a tinygrad_lite Tensor. NumPy functions leave the "
            f"autograd graph, so no gradient would flow. Use the Tensor operator, method or tg "
            f"function instead (e.g. tg.{name}(t, ...) or t.{name}(...)), or call .numpy() first "
            "if you want a plain array."
        )

    def __array_function__(self, func, types, args, kwargs):
        raise TypeError(
            f"np.{func.__name__} was called on a tinygrad_lite Tensor. NumPy functions leave the "
            "autograd graph; use the Tensor method or tg function of the same name (tg.cat, "
            "tg.stack, t.sum(), t.reshape() ...), or call .numpy() first for a plain array."
        )

    def __repr__(self) -> str:
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extra = ""
        if self._data.dtype not in (np.float32, np.int64, np.bool_):
            extra += f", dtype={self._data.dtype.name}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{self.grad_fn.name}>"
        elif self._requires_grad:
            extra += ", requires_grad=True"
        return f"tensor({body}{extra})"

    # ------------------------------------------------------------------------- autograd
    def detach(self) -> Tensor:
        """Return a tensor sharing this data but cut from the graph.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> x = tg.ones(2, requires_grad=True)
        >>> (x * 2).detach().requires_grad
        False
        """
        # NOTE: a new ndarray object over the same memory: saved values are told apart by
        # identity, so in ``x * x.detach()`` only the first operand carries a gradient.
        out = _new_tensor(self._data.view())
        out._version_counter = version_of(self)
        return out

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set ``requires_grad`` in place (leaves only) and return self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2).requires_grad_().requires_grad
        True
        """
        if flag:
            check_grad_dtype(self._data, "requires_grad_()")
        elif self.grad_fn is not None:
            raise RuntimeError(
                "requires_grad_(False) on a non-leaf tensor: it was made by an op that is "
                "recorded in the graph; use .detach() to get a tensor without history"
            )
        self._requires_grad = bool(flag)
        return self

    def backward(
        self,
        gradient: Any = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
    ) -> None:
        """Compute the gradient of this tensor w.r.t. every leaf; accumulate it into ``.grad``.

        Parameters
        ----------
        gradient : Tensor or array, optional
            d(something)/d(self); may be omitted only when this tensor has one element.
        retain_graph : bool, optional
            Keep the values saved for backward so the graph can be backpropagated again
            (defaults to ``create_graph``).
        create_graph : bool
            Record the backward pass too, so the gradients can be differentiated again.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> w = tg.tensor([3.0], requires_grad=True)
        >>> (w ** 2).sum().backward()
        >>> w.grad
        tensor([6.])
        """
        if not self._requires_grad:
            raise RuntimeError(
                "backward() on a tensor that does not require grad: none of the tensors it was "
                "computed from has requires_grad=True (or it was computed under tg.no_grad()). "
                "Create the parameters with requires_grad=True."
            )
        g = _root_gradient(self, gradient, "backward()")
        if retain_graph is None:
            retain_graph = create_graph
        if create_graph:
            g = _new_tensor(g)
        backprop([self], [g], retain_graph=retain_graph, create_graph=create_graph)

    def register_hook(self, hook: Callable) -> RemovableHandle:
        """Call ``hook(grad)`` when this tensor's gradient is computed; it may return a new one.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> x = tg.ones(2, requires_grad=True)
        >>> h = x.register_hook(lambda g: g * 10)
        >>> x.sum().backward(); x.grad
        tensor([10., 10.])
        >>> h.remove()
        """
        if not self._requires_grad:
            raise RuntimeError(
                "register_hook: this tensor does not require grad, so no gradient will ever be "
                "computed for it; set requires_grad=True first"
            )
        owner = self if self.grad_fn is None else self.grad_fn
        if owner._hooks is None:
            owner._hooks = []
        owner._hooks.append(hook)
        return RemovableHandle(owner._hooks, hook)

    # ------------------------------------------------------------------------- arithmetic
    def __add__(self, other: Any) -> Tensor:
        return apply2(ops.Add, self, other)

    def __radd__(self, other: Any) -> Tensor:
        return apply2(ops.Add, self, other)

    def __sub__(self, other: Any) -> Tensor:
        return apply2(ops.Sub, self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return apply2(ops.Sub, _operand(other, self), self)

    def __mul__(self, other: Any) -> Tensor:
        return apply2(ops.Mul, self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return apply2(ops.Mul, self, other)

    def __truediv__(self, other: Any) -> Tensor:
        return apply2(ops.Div, self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return apply2(ops.Div, _operand(other, self), self)

    def __pow__(self, other: Any) -> Tensor:
        return apply2(ops.Pow, self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return apply2(ops.Pow, _operand(other, self), self)

    def __neg__(self) -> Tensor:
        return apply1(ops.Neg, self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return apply1(ops.Abs, self)

    def __matmul__(self, other: Any) -> Tensor:
        return apply2(ops.MatMul, self, _operand(other, self))

    def __rmatmul__(self, other: Any) -> Tensor:
        return apply2(ops.MatMul, _operand(other, self), self)

    def __iadd__(self, other: Any) -> Tensor:
        return write(self, "in-place +=", Tensor.__add__, other)

    def __isub__(self, other: Any) -> Tensor:
        return write(self, "in-place -=", Tensor.__sub__, other)

    def __imul__(self, other: Any) -> Tensor:
        return write(self, "in-place *=", Tensor.__mul__, other)

    def __itruediv__(self, other: Any) -> Tensor:
        return write(self, "in-place /=", Tensor.__truediv__, other)

    # ------------------------------------------------------------------------- in place
    def add_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self += alpha * other`` in place (see ``inplace.py`` for the rules); returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2).add_(tg.ones(2), alpha=3)
        tensor([4., 4.])
        """
        if alpha != 1:
            return write(self, "add_", lambda a, b: a + b * alpha, other)
        return write(self, "add_", Tensor.__add__, other)

    def sub_(self, other: Any, *, alpha: Any = 1) -> Tensor:
        """``self -= alpha * other`` in place; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2).sub_(1)
        tensor([0., 0.])
        """
        if alpha != 1:
            return write(self, "sub_", lambda a, b: a - b * alpha, other)
        return write(self, "sub_", Tensor.__sub__, other)

    def mul_(self, other: Any) -> Tensor:
        """``self *= other`` in place; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2).mul_(3)
        tensor([3., 3.])
        """
        return write(self, "mul_", Tensor.__mul__, other)

    def div_(self, other: Any) -> Tensor:
        """``self /= other`` in place; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2).div_(4)
        tensor([0.25, 0.25])
        """
        return write(self, "div_", Tensor.__truediv__, other)

    def pow_(self, exponent: Any) -> Tensor:
        """``self = self ** exponent`` in place; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([2.0, 3.0]).pow_(2)
        tensor([4., 9.])
        """
        return write(self, "pow_", Tensor.__pow__, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (PyTorch's names)
        """Limit values to [min, max] in place; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([-2.0, 0.5, 3.0]).clamp_(-1, 1)
        tensor([-1. ,  0.5,  1. ])
        """
        return write(self, "clamp_", lambda a: a.clip(min, max))

    clip_ = clamp_

    def copy_(self, src: Any) -> Tensor:
        """Copy ``src`` (broadcast, cast to this dtype) into this tensor; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2, 2).copy_(tg.tensor([1.0, 2.0]))
        tensor([[1., 2.],
                [1., 2.]])
        """
        if not isinstance(src, Tensor):
            src = Tensor(src)
        return write(self, "copy_", _overwrite, src)

    def fill_(self, value: Any) -> Tensor:
        """Set every element to ``value``; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(2).fill_(7)
        tensor([7., 7.])
        """
        if isinstance(value, Tensor):
            if value._data.ndim:
                raise RuntimeError(
                    f"fill_: only a number or a 0-d tensor can fill a tensor, got shape "
                    f"{value.shape}; use copy_ to copy a tensor in"
                )
            return write(self, "fill_", _overwrite, value)
        if not isinstance(value, (int, float, np.number, np.bool_)):
            raise TypeError(f"fill_: value must be a number, got {type(value).__name__}")
        return write(self, "fill_", _overwrite, _new_tensor(np.asarray(value)))

    def zero_(self) -> Tensor:
        """Set every element to 0; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2).zero_()
        tensor([0., 0.])
        """
        return self.fill_(0)

    def normal_(self, mean: float = 0.0, std: float = 1.0) -> Tensor:
        """Fill with samples of N(mean, std**2) from the global generator; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.zeros(3).normal_(std=0.0)
        tensor([0., 0., 0.])
        """
        draw = _random.generator().normal(mean, std, self._data.shape)
        return write(self, "normal_", _overwrite, _new_tensor(draw))

    def uniform_(self, a: float = 0.0, b: float = 1.0) -> Tensor:
        """Fill with samples of U(a, b) from the global generator; returns self.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> bool((tg.zeros(100).uniform_(2, 3) >= 2).all())
        True
        """
        draw = _random.generator().uniform(a, b, self._data.shape)
        return write(self, "uniform_", _overwrite, _new_tensor(draw))

    def add(self, other: Any) -> Tensor:
        """``self + other`` (PyTorch's method name)."""
        return apply2(ops.Add, self, other)

    def sub(self, other: Any) -> Tensor:
        """``self - other``."""
        return apply2(ops.Sub, self, other)

    def mul(self, other: Any) -> Tensor:
        """``self * other``."""
        return apply2(ops.Mul, self, other)

    def div(self, other: Any) -> Tensor:
        """``self / other``."""
        return apply2(ops.Div, self, other)

    def pow(self, exponent: Any) -> Tensor:
        """``self ** exponent``."""
        return apply2(ops.Pow, self, exponent)

    def neg(self) -> Tensor:
        """``-self``."""
        return apply1(ops.Neg, self)

    def matmul(self, other: Any) -> Tensor:
        """Matrix product (1-D, 2-D and batched, as ``np.matmul``).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.ones(2, 3).matmul(tg.ones(3)).tolist()
        [3.0, 3.0]
        """
        return self @ other

    # ------------------------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        """Elementwise e**x."""
        return apply1(ops.Exp, self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm."""
        return apply1(ops.Log, self)

    def sqrt(self) -> Tensor:
        """Elementwise square root."""
        return apply1(ops.Sqrt, self)

    def abs(self) -> Tensor:
        """Elementwise absolute value (gradient 0 at 0, like PyTorch)."""
        return apply1(ops.Abs, self)

    def sin(self) -> Tensor:
        """Elementwise sine."""
        return apply1(ops.Sin, self)

    def cos(self) -> Tensor:
        """Elementwise cosine."""
        return apply1(ops.Cos, self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent."""
        return apply1(ops.Tanh, self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic function, stable at any |x|."""
        return apply1(ops.Sigmoid, self)

    def relu(self) -> Tensor:
        """Elementwise max(x, 0) (gradient 0 at 0, like PyTorch)."""
        return apply1(ops.Relu, self)

    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """Elementwise x if x > 0 else negative_slope * x.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([-2.0, 3.0]).leaky_relu(0.1).tolist()
        [-0.20000000298023224, 3.0]
        """
        if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
            raise TypeError(
                f"leaky_relu: negative_slope must be a number, got {type(negative_slope).__name__}"
            )
        return apply1(ops.LeakyRelu, self, negative_slope)

    def sign(self) -> Tensor:
        """Elementwise sign (-1, 0 or 1); in the graph with a zero gradient, like PyTorch.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> x = tg.tensor([-2.0, 0.0, 3.0], requires_grad=True)
        >>> x.sign().sum().backward()
        >>> x.grad
        tensor([0., 0., 0.])
        """
        return apply1(ops.Sign, self)

    def clip(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (PyTorch's names)
        """Limit values to [min, max]; the gradient is 1 inside and at the bounds, like PyTorch.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> tg.tensor([-2.0, 0.5, 3.0]).clip(-1, 1).tolist()
        [-1.0, 0.5, 1.0]
        """
        if min is None and max is None:
            raise ValueError("clip: give at least one of min and max")
        d = self._data
        lo = _raw(min)
        hi = _raw(max)
        inside = np.ones(d.shape, dtype=bool)
        if lo is not None:
            inside &= d >= lo
        if hi is not None:
            inside &= d <= hi
        clipped = np.clip(d, lo, hi).astype(d.dtype, copy=False)
        return where(inside, self, _new_tensor(clipped))

    clamp = clip

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum; ties split the gradient in half, like ``torch.maximum``.

        A Python number keeps the tensor's dtype where it fits, as in ``t + 1``.

        Examples
        --------
        >>> import numpy as np, tinygrad_lite as tg
        >>> tg.tensor([1, 200], dtype=np.uint8).maximum(100)
        tensor([100, 200], dtype=uint8)
        """
        return apply2(ops.Maximum, self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum; ties split the gradient in half, like ``torch.minimum``.

        Examples
        --------
        >>> import numpy as np, tinygrad_lite as tg
        >>> tg.tensor([1, 200], dtype=np.uint8).minimum(100)
        tensor([  1, 100], dtype=uint8)
        """
        return apply2(ops.Minimum, self, other)

    def astype(self, dtype: Any) -> Tensor:
        """Return a copy cast to ``dtype`` (differentiable between float dtypes).

        Examples
        --------
        >>> import numpy as np, tinygrad_lite as tg
        >>> tg.tensor([1, 2]).astype(np.float64).dtype
        dtype('float64')
        """
        dt = dtype_arg(dtype, "astype")
        if dt is None:
            raise TypeError("astype: dtype must be a NumPy dtype such as np.float32, got None")
        if self._requires_grad and dt.kind != "f":
            return _new_tensor(self._data.astype(dt))
        return apply1(ops.Cast, self, dt)

    def to(self, dtype: Any) -> Tensor:
        """Return the tensor in ``dtype`` (self if it already is), like PyTorch's ``.to``."""
        return self if self._data.dtype == np.dtype(dtype) else self.astype(dtype)

    def float(self) -> Tensor:
        """Return the tensor as float32."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        """Return the tensor as float64."""
        return self.to(np.float64)

    def long(self) -> Tensor:
        """Return the tensor as int64 (not differentiable)."""
        return _new_tensor(self._data.astype(np.int64))

    def clone(self) -> Tensor:
        """Return a differentiable copy."""
        return apply1(ops.Cast, self, self._data.dtype)

    # ------------------------------------------------------------------------- comparisons
    def __lt__(self, other: Any) -> Tensor:
        return _new_tensor(self._data < _compared(other, "<"))

    def __le__(self, other: Any) -> Tensor:
        return _new_tensor(self._data <= _compared(other, "<="))

    def __gt__(self, other: Any) -> Tensor:
        return _new_tensor(self._data > _compared(other, ">"))

    def __ge__(self, other: Any) -> Tensor:
        return _new_tensor(self._data >= _compared(other, ">="))

    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _new_tensor(np.asarray(self._data == _raw(other)))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _new_tensor(np.asarray(self._data != _raw(other)))

    def __invert__(self) -> Tensor:
        return _new_tensor(~self._data)

    def __and__(self, other: Any) -> Tensor:
        return _new_tensor(self._data & _raw(other))

    def __or__(self, other: Any) -> Tensor:
        return _new_tensor(self._data | _raw(other))


# =============================================================================== helpers
class Size(tuple):
    """A tensor's shape: a tuple of ints, printed and counted as PyTorch's ``torch.Size``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> s = tg.zeros(2, 3).size()
    >>> s == (2, 3), s.numel()
    (True, 6)
    """

    def numel(self) -> int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for d in self:
            n *= d
        return n

    def __repr__(self) -> str:
        return f"tg.Size({list(self)})"

    def __str__(self) -> str:  # messages show shapes as plain tuples, e.g. "shape (2, 3)"
        return tuple.__repr__(self)

    def __getitem__(self, index: Any) -> Any:
        out = tuple.__getitem__(self, index)
        return Size(out) if isinstance(index, slice) else out


_REFLECTED = {
    "add": "__radd__",
    "subtract": "__rsub__",
    "multiply": "__rmul__",
    "true_divide": "__rtruediv__",
    "divide": "__rtruediv__",
    "power": "__rpow__",
    "matmul": "__rmatmul__",
    "less": "__gt__",
    "less_equal": "__ge__",
    "greater": "__lt__",
    "greater_equal": "__le__",
    "equal": "__eq__",
    "not_equal": "__ne__",
}


# NumPy ufunc name -> the tinygrad_lite (PyTorch) name, for error messages.
_UFUNC_NAMES = {
    "subtract": "sub",
    "multiply": "mul",
    "true_divide": "div",
    "divide": "div",
    "power": "pow",
    "negative": "neg",
    "absolute": "abs",
    "clip": "clip",
}


def _overwrite(old: Tensor, src: Tensor) -> Tensor:
    return _function.applyn(ops.Overwrite, (old, src))


def _raw(value: Any) -> Any:
    return value._data if isinstance(value, Tensor) else value


def _compared(value: Any, op: str) -> Any:
    """The raw operand of an order comparison; anything not numeric is a TypeError naming ``op``."""
    if isinstance(value, Tensor):
        return value._data
    if value.__class__ in _NUMBERS:
        return value
    # NOTE: NumPy would compare a str elementwise or raise its own loop error; PyTorch refuses.
    kind = value.dtype.kind if isinstance(value, (np.ndarray, np.generic)) else None
    if kind is None and isinstance(value, (list, tuple)):
        try:
            kind = np.asarray(value).dtype.kind
        except (TypeError, ValueError):
            pass
    if kind is None or kind not in SUPPORTED_KINDS:
        raise TypeError(f"{op}: cannot compare a Tensor with {type(value).__name__}")
    return value


_NUMBERS = frozenset({int, float, bool})


def _operand(value: Any, like: Tensor) -> Tensor:
    """``value`` as a Tensor for the left side of a reflected op (or for matmul)."""
    if isinstance(value, Tensor):
        return value
    return _function._constant(value, like._data.dtype)


def _root_gradient(t: Tensor, gradient: Any, op: str) -> np.ndarray:
    """The starting gradient of a backward pass, checked against the tensor's shape."""
    if gradient is None:
        if t._data.size != 1:
            raise RuntimeError(
                f"{op}: grad can be implicitly created only for one-element tensors, but this "
                f"tensor has shape {t.shape}. Reduce it first (e.g. loss.sum() or loss.mean()) "
                "or pass gradient=tg.ones_like(t) (the gradient of something w.r.t. it)."
            )
        return np.ones_like(t._data)
    g = gradient._data if isinstance(gradient, Tensor) else np.asarray(gradient)
    if g.shape != t._data.shape:
        raise ShapeError(
            f"{op}: gradient has shape {tuple(g.shape)} but the tensor has shape {t.shape}; they "
            "must match"
        )
    # NOTE: not copied here; the engine copies it only if it would land in a leaf's .grad as is.
    return g.astype(t._data.dtype, copy=False)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """Elementwise ``x`` where ``condition`` is true, else ``y`` (both broadcast).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> t = tg.tensor([-1.0, 2.0])
    >>> tg.where(t > 0, t, 0.0).tolist()
    [0.0, 2.0]
    """
    cond = np.asarray(_raw(condition))
    if cond.dtype != np.bool_:
        raise TypeError(
            f"where: the condition must be a bool tensor (e.g. x > 0), got dtype {cond.dtype}"
        )
    if isinstance(x, Tensor) and isinstance(y, Tensor) and x._data.dtype != y._data.dtype:
        x, y = _function._promote(ops.Where, x, y)
    elif not isinstance(x, Tensor) and not isinstance(y, Tensor):
        x = Tensor(x)
    elif not isinstance(x, Tensor):
        x = _operand(x, y)
    elif not isinstance(y, Tensor):
        y = _operand(y, x)
    out = ops.Where.apply(cond, x, y)
    if isinstance(condition, Tensor) and out.grad_fn is not None:
        out.grad_fn._watch = (condition,)  # backward reads the mask: a later write must raise
    return out


_function.Tensor = Tensor
