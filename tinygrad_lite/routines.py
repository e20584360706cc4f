"""The ``tg.*`` function forms of Tensor ops (``tg.exp(x)`` is ``x.exp()``), as in PyTorch.

Backward bodies call some of these through ``ctx.xp`` (``xp.where``, ``xp.cos`` ...), so the
names that NumPy has keep NumPy's meaning here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .tensor import Size, Tensor, where


def _t(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x)


def _method(name: str, summary: str, call: str = "tg.ones(2)", shape: tuple = (2,)):
    def fn(x: Any, *args: Any, **kwargs: Any) -> Tensor:
        return getattr(_t(x), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"{summary} Same as ``Tensor.{name}``.\n\n    Examples\n    --------\n"
        f"    >>> import tinygrad_lite as tg\n    >>> tg.{name}({call}).shape\n"
        f"    {Size(shape)!r}\n"
    )
    return fn


exp = _method("exp", "Elementwise e**x.")
log = _method("log", "Elementwise natural logarithm.")
sqrt = _method("sqrt", "Elementwise square root.")
abs = _method("abs", "Elementwise absolute value.")  # noqa: A001 (PyTorch's name)
sin = _method("sin", "Elementwise sine.")
cos = _method("cos", "Elementwise cosine.")
tanh = _method("tanh", "Elementwise hyperbolic tangent.")
sigmoid = _method("sigmoid", "Elementwise logistic function.")
relu = _method("relu", "Elementwise max(x, 0).")
leaky_relu = _method("leaky_relu", "Elementwise leaky ReLU.")
sign = _method("sign", "Elementwise sign (its gradient is 0).")
clip = _method("clip", "Limit values to [min, max].", "tg.ones(2), 0, 0.5")
clamp = clip
softmax = _method("softmax", "Softmax along an axis.")
log_softmax = _method("log_softmax", "Log-softmax along an axis.")
logsumexp = _method("logsumexp", "Stable log(sum(exp(x))) over an axis.", shape=())
squeeze = _method("squeeze", "Remove size-1 dimensions.")
unsqueeze = _method("unsqueeze", "Insert a size-1 dimension.", "tg.ones(2), 0", (1, 2))
flatten = _method("flatten", "Merge a range of dimensions.")
transpose = _method("transpose", "Swap two dimensions.", "tg.ones(2, 3), 0, 1", (3, 2))
argmax = _method("argmax", "Indices of the maxima.", shape=())
argmin = _method("argmin", "Indices of the minima.", shape=())
isfinite = _method("isfinite", "Elementwise test for finite values.")


def _reduction(name: str, summary: str):
    def fn(x: Any, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
        return getattr(_t(x), name)(axis, keepdims, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"{summary} over ``axis``. Same as ``Tensor.{name}``.\n\n    Examples\n    --------\n"
        f"    >>> import tinygrad_lite as tg\n    >>> tg.{name}(tg.ones(2, 3), axis=1).shape\n"
        "    tg.Size([2])\n"
    )
    return fn


sum = _reduction("sum", "Sum")  # noqa: A001 (PyTorch's name)
mean = _reduction("mean", "Mean")
var = _reduction("var", "Variance")
std = _reduction("std", "Standard deviation")
amax = _reduction("amax", "Maximum values (ties share the gradient)")
amin = _reduction("amin", "Minimum values (ties share the gradient)")


def max(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001, A002 (PyTorch's names)
    """``tg.max(t)``, ``tg.max(t, dim)`` (values, indices) or ``tg.max(a, b)`` (elementwise).

    Same as ``Tensor.max``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> t = tg.tensor([[1.0, 5.0], [7.0, 2.0]])
    >>> tg.max(t).item(), tg.max(t, 1).indices.tolist(), tg.max(t, tg.ones(2, 2) * 3).tolist()
    (7.0, [1, 0], [[3.0, 5.0], [7.0, 3.0]])
    """
    return _t(input).max(*args, **kwargs)


def min(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A001, A002 (PyTorch's names)
    """``tg.min(t)``, ``tg.min(t, dim)`` (values, indices) or ``tg.min(a, b)`` (elementwise).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.min(tg.tensor([[1.0, 5.0], [7.0, 2.0]]), 0).values.tolist()
    [1.0, 2.0]
    """
    return _t(input).min(*args, **kwargs)


def _selecting(name: str, example: str, result: str):
    def fn(input: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: A002 (PyTorch's name)
        return getattr(_t(input), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"Same as ``Tensor.{name}``.\n\n    Examples\n    --------\n"
        f"    >>> import tinygrad_lite as tg\n    >>> {example}\n    {result}\n"
    )
    return fn


sort = _selecting("sort", "tg.sort(tg.tensor([2.0, 1.0])).indices.tolist()", "[1, 0]")
argsort = _selecting("argsort", "tg.argsort(tg.tensor([2.0, 1.0])).tolist()", "[1, 0]")
topk = _selecting("topk", "tg.topk(tg.tensor([2.0, 1.0, 3.0]), 1).values.tolist()", "[3.0]")
median = _selecting("median", "tg.median(tg.tensor([2.0, 1.0, 3.0])).item()", "2.0")


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product (1-D, 2-D and batched).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.matmul(tg.ones(2, 3), tg.ones(3, 4)).shape
    tg.Size([2, 4])
    """
    return _t(a) @ b


def _symmetric(name: str, a: Any, b: Any) -> Tensor:
    # NOTE: the op is symmetric, so a Tensor operand leads and sets the dtype of a number.
    if isinstance(a, Tensor) or not isinstance(b, Tensor):
        return getattr(_t(a), name)(b)
    return getattr(b, name)(a)


def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum (ties split the gradient in half).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.maximum(tg.tensor([1.0, 5.0]), 3.0).tolist()
    [3.0, 5.0]
    """
    return _symmetric("maximum", a, b)


def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum (ties split the gradient in half).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.minimum(tg.tensor([1.0, 5.0]), 3.0).tolist()
    [1.0, 3.0]
    """
    return _symmetric("minimum", a, b)


def _binary(name: str, symbol: str):
    def fn(a: Any, b: Any) -> Tensor:
        return getattr(a if isinstance(a, Tensor) else Tensor(a), name)(b)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (
        f"``a {symbol} b`` as a function (PyTorch's ``torch.{name}``).\n\n    Examples\n"
        f"    --------\n    >>> import tinygrad_lite as tg\n"
        f"    >>> tg.{name}(tg.tensor([4.0]), 2.0).tolist()\n"
        f"    [{eval(f'4.0 {symbol} 2.0')!r}]\n"
    )
    return fn


add = _binary("add", "+")
sub = _binary("sub", "-")
mul = _binary("mul", "*")
div = _binary("div", "/")
pow = _binary("pow", "**")  # noqa: A001 (PyTorch's name)
neg = _method("neg", "Elementwise negation.")


def reshape(x: Any, *shape: Any) -> Tensor:
    """Same data in a new shape.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.reshape(tg.zeros(6), (2, 3)).shape
    tg.Size([2, 3])
    """
    return _t(x).reshape(*shape)


def permute(x: Any, *dims: Any) -> Tensor:
    """Reorder dimensions.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.permute(tg.zeros(2, 3), (1, 0)).shape
    tg.Size([3, 2])
    """
    return _t(x).permute(*dims)


permute_dims = permute  # the Array-API / NumPy 2 name, used by backward bodies


def broadcast_to(x: Any, shape: Any) -> Tensor:
    """Broadcast to ``shape``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.broadcast_to(tg.zeros(3), (2, 3)).shape
    tg.Size([2, 3])
    """
    return _t(x).broadcast_to(shape)


def numel(x: Any) -> int:
    """Number of elements.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> tg.numel(tg.zeros(2, 3))
    6
    """
    return int(np.size(_t(x)._data))


__all__ = [
    "abs",
    "add",
    "amax",
    "amin",
    "argmax",
    "argmin",
    "argsort",
    "broadcast_to",
    "clamp",
    "clip",
    "cos",
    "div",
    "exp",
    "flatten",
    "isfinite",
    "leaky_relu",
    "log",
    "log_softmax",
    "logsumexp",
    "matmul",
    "max",
    "median",
    "maximum",
    "mean",
    "min",
    "minimum",
    "mul",
    "neg",
    "numel",
    "permute",
    "permute_dims",
    "pow",
    "relu",
    "reshape",
    "sigmoid",
    "sign",
    "sin",
    "softmax",
    "sort",
    "sqrt",
    "squeeze",
    "std",
    "sub",
    "sum",
    "tanh",
    "topk",
    "transpose",
    "unsqueeze",
    "var",
    "where",
]
