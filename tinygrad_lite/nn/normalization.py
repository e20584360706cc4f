"""Normalization layers: BatchNorm1d (with running statistics) and LayerNorm."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from tinygrad_lite.nn import functional as F
from tinygrad_lite.nn.module import Module, Parameter
from tinygrad_lite.tensor import Tensor, get_default_dtype

__all__ = ["BatchNorm1d", "LayerNorm"]


def _reset_affine(layer: Module) -> None:
    """Weight to ones and bias to zeros, where the layer has them (PyTorch's affine init)."""
    if layer.weight is not None:
        layer.weight._data.fill(1)
    if layer.bias is not None:
        layer.bias._data.fill(0)


def _float_dtype(layer: str, dtype: object) -> np.dtype:
    resolved = np.dtype(get_default_dtype() if dtype is None else dtype)
    if resolved.kind != "f":
        raise TypeError(f"{layer}: dtype must be a floating dtype, got {resolved}")
    return resolved


def _positive_int(layer: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{layer}: {name} must be an int, got {type(value).__name__}")
    if value <= 0:
        raise ValueError(f"{layer}: {name} must be positive, got {value}")
    return int(value)


class BatchNorm1d(Module):
    """Batch normalization over the channels of ``(N, C)`` or ``(N, C, L)`` inputs.

    Training normalizes with batch statistics and updates the buffers ``running_mean``,
    ``running_var`` (unbiased) and ``num_batches_tracked``; ``momentum=None`` makes the
    running statistics a cumulative average. Eval mode normalizes with the running statistics.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> bn = nn.BatchNorm1d(2)
    >>> _ = bn(tg.tensor([[1.0, 2.0], [3.0, 6.0]]))
    >>> [round(v, 3) for v in bn.running_mean.tolist()], int(bn.num_batches_tracked.item())
    ([0.2, 0.4], 1)
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: object = None,
        *,
        bias: bool = True,
    ) -> None:
        super().__init__()
        self.num_features = _positive_int("BatchNorm1d", "num_features", num_features)
        if momentum is not None and not 0.0 <= momentum <= 1.0:
            raise ValueError(f"BatchNorm1d: momentum must be in [0, 1] or None, got {momentum}")
        if not eps > 0:
            raise ValueError(f"BatchNorm1d: eps must be positive, got {eps}")
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dt = _float_dtype("BatchNorm1d", dtype)
        c = self.num_features
        if affine:
            self.weight = Parameter(np.ones(c, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(c, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor(np.zeros(c, dtype=dt)))
            self.register_buffer("running_var", Tensor(np.ones(c, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def reset_running_stats(self) -> None:
        """Zero the running mean and count, and set the running variance to one.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> bn = nn.BatchNorm1d(1); bn.running_var.data[:] = 5; bn.reset_running_stats()
        >>> bn.running_var.tolist()
        [1.0]
        """
        if self.track_running_stats:
            self.running_mean._data.fill(0)
            self.running_var._data.fill(1)
            self.num_batches_tracked._data.fill(0)

    def reset_parameters(self) -> None:
        """Reset the running statistics, the weight to ones and the bias to zeros.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> bn = nn.BatchNorm1d(1); bn.weight.data[:] = 3; bn.reset_parameters()
        >>> bn.weight.tolist()
        [1.0]
        """
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, x: Tensor) -> Tensor:
        """Normalize ``x`` of shape ``(N, C)`` or ``(N, C, L)``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> nn.BatchNorm1d(3)(tg.ones(2, 3)).shape
        tg.Size([2, 3])
        """
        if not isinstance(x, Tensor):
            raise TypeError(f"BatchNorm1d: input must be a Tensor, got {type(x).__name__}")
        if x.ndim not in (2, 3):
            raise ValueError(
                f"BatchNorm1d: expected a 2-D (N, C) or 3-D (N, C, L) input, got shape "
                f"{tuple(x.shape)}"
            )
        if x.shape[1] != self.num_features:
            raise ValueError(
                f"BatchNorm1d: expected {self.num_features} channels (num_features) in dim 1, "
                f"got {x.shape[1]} (input shape {tuple(x.shape)})"
            )
        tracking = self.training and self.track_running_stats
        factor = 0.0 if self.momentum is None else self.momentum
        if tracking and self.momentum is None:
            factor = 1.0 / (int(self.num_batches_tracked.item()) + 1)
        # NOTE: without running statistics, eval mode also normalizes with batch statistics.
        use_batch_stats = self.training or self.running_mean is None
        keep_stats = not self.training or self.track_running_stats
        out = F.batch_norm(
            x,
            self.running_mean if keep_stats else None,
            self.running_var if keep_stats else None,
            self.weight,
            self.bias,
            use_batch_stats,
            factor,
            self.eps,
        )
        if tracking:
            self.num_batches_tracked._data += 1
        return out

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, bias={self.bias is not None}, "
            f"track_running_stats={self.track_running_stats}"
        )


class LayerNorm(Module):
    """Layer normalization over the trailing ``normalized_shape`` dimensions of the input.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> ln = nn.LayerNorm(2)
    >>> [round(v, 3) for v in ln(tg.tensor([[1.0, 3.0]])).tolist()[0]]
    [-1.0, 1.0]
    """

    def __init__(
        self,
        normalized_shape: int | Sequence[int],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        dtype: object = None,
    ) -> None:
        super().__init__()
        if isinstance(normalized_shape, (int, np.integer)):
            normalized_shape = (normalized_shape,)
        if not isinstance(normalized_shape, Sequence) or not normalized_shape:
            raise TypeError(
                "LayerNorm: normalized_shape must be an int or a non-empty tuple of ints, got "
                f"{normalized_shape!r}"
            )
        self.normalized_shape = tuple(
            _positive_int("LayerNorm", "normalized_shape", s) for s in normalized_shape
        )
        if not eps > 0:
            raise ValueError(f"LayerNorm: eps must be positive, got {eps}")
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dt = _float_dtype("LayerNorm", dtype)
        if elementwise_affine:
            self.weight = Parameter(np.ones(self.normalized_shape, dtype=dt))
            if bias:
                self.bias = Parameter(np.zeros(self.normalized_shape, dtype=dt))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def reset_parameters(self) -> None:
        """Set the weight to ones and the bias to zeros.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> ln = nn.LayerNorm(1); ln.weight.data[:] = 3; ln.reset_parameters()
        >>> ln.weight.tolist()
        [1.0]
        """
        _reset_affine(self)

    def forward(self, x: Tensor) -> Tensor:
        """Normalize the trailing dimensions of ``x``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> nn.LayerNorm(3)(tg.ones(2, 3)).shape
        tg.Size([2, 3])
        """
        return F.layer_norm(x, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}"
        )
