"""Weight initializers, in place on ``tensor.data``, drawing from the one global generator."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from tinygrad_lite import random as _random
from tinygrad_lite.function import bump_version
from tinygrad_lite.tensor import Tensor

__all__ = [
    "calculate_gain",
    "uniform_",
    "normal_",
    "constant_",
    "zeros_",
    "ones_",
    "xavier_uniform_",
    "xavier_normal_",
    "kaiming_uniform_",
    "kaiming_normal_",
]

_LINEAR_LIKE = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
)


def _float_data(fn: str, tensor: Any) -> np.ndarray:
    """The array an initializer is about to overwrite (its version ticks: a graph that saved
    the old values raises on backward)."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"init.{fn}: expected a Tensor or Parameter, got {type(tensor).__name__}")
    data = tensor._data
    if data.dtype.kind != "f":
        raise TypeError(f"init.{fn}: needs a floating-point tensor, got dtype {data.dtype}")
    bump_version(tensor)
    return data


def _fill_uniform(data: np.ndarray, low: float, high: float) -> None:
    gen = _random.generator()
    if data.flags.c_contiguous and data.dtype in (np.float32, np.float64):
        # NOTE: draw straight into the array in its own dtype: no float64 temporary, no copy.
        gen.random(out=data, dtype=data.dtype)
        data *= high - low
        data += low
    else:
        data[...] = gen.uniform(low, high, size=data.shape)


def _fill_normal(data: np.ndarray, mean: float, std: float) -> None:
    gen = _random.generator()
    if data.flags.c_contiguous and data.dtype in (np.float32, np.float64):
        gen.standard_normal(out=data, dtype=data.dtype)
        data *= std
        data += mean
    else:
        data[...] = gen.normal(mean, std, size=data.shape)


def _number(fn: str, arg: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"init.{fn}: {arg} must be a real number, got {type(value).__name__}")
    return float(value)


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """Return PyTorch's recommended gain for a nonlinearity (``relu`` -> sqrt(2), ...).

    Examples
    --------
    >>> round(calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    if nonlinearity in _LINEAR_LIKE:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, bool) or not isinstance(param, numbers.Real):
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        else:
            slope = float(param)
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; use one of "
        f"{', '.join(_LINEAR_LIKE)}, tanh, relu, leaky_relu, selu"
    )


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shaped ``(out, in, *kernel)``, as PyTorch counts."""
    shape = tensor._data.shape
    if len(shape) < 2:
        raise ValueError(
            f"init: fan in and fan out can not be computed for a tensor with fewer than 2 "
            f"dimensions (shape {shape}); use uniform_/normal_ for biases"
        )
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"init: mode {mode!r} not supported, use 'fan_in' or 'fan_out'")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place from U(a, b) and return it.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> t = uniform_(tg.zeros(1000), -0.5, 0.5)
    >>> bool(abs(t.data).max() <= 0.5)
    True
    """
    data = _float_data("uniform_", tensor)
    a, b = _number("uniform_", "a", a), _number("uniform_", "b", b)
    if a > b:
        raise ValueError(f"init.uniform_: expects a <= b, but got a={a} > b={b}")
    _fill_uniform(data, a, b)
    return tensor


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill ``tensor`` in place from N(mean, std**2) and return it.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> normal_(tg.zeros(2, 3), std=0.01).shape
    tg.Size([2, 3])
    """
    data = _float_data("normal_", tensor)
    mean, std = _number("normal_", "mean", mean), _number("normal_", "std", std)
    if std < 0:
        raise ValueError(f"init.normal_: std must be >= 0, got {std}")
    _fill_normal(data, mean, std)
    return tensor


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` in place with ``val`` and return it.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> constant_(tg.zeros(2), 0.3).tolist() == [np.float32(0.3)] * 2
    True
    """
    data = _float_data("constant_", tensor)
    data.fill(_number("constant_", "val", val))
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 0 and return it.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> zeros_(tg.ones(2)).tolist()
    [0.0, 0.0]
    """
    _float_data("zeros_", tensor).fill(0)
    return tensor


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` in place with 1 and return it.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> ones_(tg.zeros(2)).tolist()
    [1.0, 1.0]
    """
    _float_data("ones_", tensor).fill(1)
    return tensor


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = xavier_uniform_(tg.zeros(30, 20))
    >>> bool(abs(w.data).max() <= (6 / 50) ** 0.5)
    True
    """
    data = _float_data("xavier_uniform_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = _number("xavier_uniform_", "gain", gain) * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    _fill_uniform(data, -bound, bound)
    return tensor


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> xavier_normal_(tg.zeros(30, 20)).shape
    tg.Size([30, 20])
    """
    data = _float_data("xavier_normal_", tensor)
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = _number("xavier_normal_", "gain", gain) * math.sqrt(2.0 / float(fan_in + fan_out))
    _fill_normal(data, 0.0, std)
    return tensor


def _kaiming_std(fn: str, tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    _number(fn, "a", a)
    fan = _calculate_correct_fan(tensor, mode)
    if fan == 0:
        raise ValueError(f"init.{fn}: tensor of shape {tensor._data.shape} has a fan of 0")
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)``, ``gain = calculate_gain(
    nonlinearity, a)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> w = kaiming_uniform_(tg.zeros(8, 4), a=5 ** 0.5)
    >>> bool(abs(w.data).max() <= 0.5)
    True
    """
    data = _float_data("kaiming_uniform_", tensor)
    if data.size == 0:
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    _fill_uniform(data, -bound, bound)
    return tensor


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> kaiming_normal_(tg.zeros(8, 4), nonlinearity="relu").shape
    tg.Size([8, 4])
    """
    data = _float_data("kaiming_normal_", tensor)
    if data.size == 0:
        return tensor
    std = _kaiming_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    _fill_normal(data, 0.0, std)
    return tensor
