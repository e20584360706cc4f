"""Layers without normalization: Linear, the activations, Softmax, Identity, Flatten, Dropout."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tinygrad_lite.nn import functional as F
from tinygrad_lite.nn import init
from tinygrad_lite.nn.module import Module, Parameter
from tinygrad_lite.tensor import Tensor, get_default_dtype

__all__ = [
    "Linear",
    "ReLU",
    "LeakyReLU",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "Identity",
    "Flatten",
    "Dropout",
]


def _check_count(layer: str, arg: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{layer}: {arg} must be an int, got {type(value).__name__} ({value!r})")
    if value < 0:
        raise ValueError(f"{layer}: {arg} must be >= 0, got {value}")
    return int(value)


class Linear(Module):
    """Affine map ``y = x @ weight.T + bias`` with ``weight`` of shape ``(out, in)``.

    Initialized like PyTorch: weight and bias uniform in ``[-1/sqrt(in), 1/sqrt(in)]``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Linear(3, 2)(tg.ones(5, 3)).shape
    tg.Size([5, 2])
    """

    def __init__(
        self, in_features: int, out_features: int, bias: bool = True, dtype: Any = None
    ) -> None:
        super().__init__()
        self.in_features = _check_count("Linear", "in_features", in_features)
        self.out_features = _check_count("Linear", "out_features", out_features)
        dtype = np.dtype(get_default_dtype() if dtype is None else dtype)
        if dtype.kind != "f":
            raise TypeError(f"Linear: dtype must be a floating dtype, got {dtype}")
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype=dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw fresh weights as PyTorch does (kaiming_uniform_ with ``a=sqrt(5)``).

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> layer = nn.Linear(4, 2); layer.reset_parameters()
        >>> bool(abs(layer.weight.data).max() <= 0.5)
        True
        """
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.in_features
            bound = 1.0 / math.sqrt(fan_in) if fan_in > 0 else 0.0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, x: Tensor) -> Tensor:
        params = self._parameters  # NOTE: a plain dict read; self.weight goes via __getattr__
        try:
            return F.linear(x, params["weight"], params["bias"])
        except ValueError:
            # F.linear checked the shapes; name this layer in the message (free on success).
            if isinstance(x, Tensor) and x.shape[-1:] != (self.in_features,):
                raise ValueError(
                    f"{self!r} got input with {x.shape[-1] if x.shape else 'no'} features "
                    f"(shape {tuple(x.shape)}); the last dimension must be {self.in_features}"
                ) from None
            raise

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class ReLU(Module):
    """Elementwise ``max(x, 0)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.ReLU()(tg.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.relu(x)


class LeakyReLU(Module):
    """Elementwise ``x if x > 0 else negative_slope * x``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.LeakyReLU(0.5)(tg.tensor([-2.0, 3.0])).tolist()
    [-1.0, 3.0]
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, (int, float)):
            raise TypeError(
                f"LeakyReLU: negative_slope must be a number, got {type(negative_slope).__name__}"
            )
        self.negative_slope = negative_slope

    def forward(self, x: Tensor) -> Tensor:
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """Elementwise logistic function ``1 / (1 + exp(-x))``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Sigmoid()(tg.tensor([0.0])).tolist()
    [0.5]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.sigmoid(x)


class Tanh(Module):
    """Elementwise hyperbolic tangent.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Tanh()(tg.tensor([0.0])).tolist()
    [0.0]
    """

    def forward(self, x: Tensor) -> Tensor:
        return F.tanh(x)


class Softmax(Module):
    """Softmax along ``dim`` (values along it are positive and sum to 1).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Softmax(dim=-1)(tg.tensor([[1.0, 1.0]])).tolist()
    [[0.5, 0.5]]
    """

    def __init__(self, dim: int) -> None:
        super().__init__()
        if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
            raise TypeError(
                f"Softmax: dim must be an int (e.g. Softmax(dim=-1)), got {type(dim).__name__}"
            )
        self.dim = int(dim)

    def forward(self, x: Tensor) -> Tensor:
        return F.softmax(x, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Identity(Module):
    """Return the input unchanged (a placeholder; constructor arguments are ignored).

    Examples
    --------
    >>> from tinygrad_lite import nn
    >>> nn.Identity(54, unused="x")(3.0)
    3.0
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Flatten(Module):
    """Flatten dimensions ``start_dim`` .. ``end_dim`` into one (keeps the batch dim by default).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Flatten()(tg.zeros(2, 3, 4)).shape
    tg.Size([2, 12])
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        for arg, value in (("start_dim", start_dim), ("end_dim", end_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"Flatten: {arg} must be an int, got {type(value).__name__}")
        self.start_dim = int(start_dim)
        self.end_dim = int(end_dim)

    def forward(self, x: Tensor) -> Tensor:
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


class Dropout(Module):
    """Zero each element with probability ``p`` in training (scaling the rest by ``1/(1-p)``);
    the identity in eval mode.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.Dropout(0.5).eval()(tg.ones(3)).tolist()
    [1.0, 1.0, 1.0]
    """

    def __init__(self, p: float = 0.5) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)):
            raise TypeError(f"Dropout: p must be a number in [0, 1], got {type(p).__name__}")
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: dropout probability has to be between 0 and 1, but got {p}")
        self.p = p

    def forward(self, x: Tensor) -> Tensor:
        return F.dropout(x, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}"
