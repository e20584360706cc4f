"""Loss modules: thin Modules holding the options of the ``nn.functional`` losses."""

from __future__ import annotations

from tinygrad_lite.nn import functional as F
from tinygrad_lite.nn.module import Module
from tinygrad_lite.tensor import Tensor

__all__ = [
    "MSELoss",
    "L1Loss",
    "HuberLoss",
    "CrossEntropyLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
]


class _Loss(Module):
    """Base of the losses: validates and stores ``reduction`` when the loss is built."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        F._check_reduction(type(self).__name__, reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error between input and target (same shapes).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.MSELoss()(tg.tensor([1.0, 3.0]), tg.tensor([1.0, 1.0])).item()
    2.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error between input and target (same shapes).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.L1Loss(reduction="sum")(tg.tensor([1.0, 3.0]), tg.tensor([0.0, 0.0])).item()
    4.0
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class HuberLoss(_Loss):
    """Huber loss: quadratic for errors below ``delta``, linear above.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.HuberLoss(delta=1.0)(tg.tensor([3.0]), tg.tensor([0.0])).item()
    2.5
    """

    def __init__(self, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        if not delta > 0:
            raise ValueError(f"HuberLoss: delta must be positive, got {delta}")
        self.delta = delta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.huber_loss(input, target, self.reduction, self.delta)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}, delta={self.delta}"


class CrossEntropyLoss(_Loss):
    """Cross-entropy between logits ``(N, C)`` and integer class targets ``(N,)``.

    ``weight`` (a buffer, one value per class) and ``ignore_index`` work as in PyTorch.

    Examples
    --------
    >>> import numpy as np
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> loss = nn.CrossEntropyLoss()(tg.tensor([[0.0, 0.0]]), tg.tensor(np.array([0])))
    >>> round(loss.item(), 4)
    0.6931
    """

    def __init__(
        self, weight: Tensor | None = None, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index, reduction=self.reduction
        )

    def extra_repr(self) -> str:
        return f"ignore_index={self.ignore_index}, reduction={self.reduction!r}"


class BCELoss(_Loss):
    """Binary cross-entropy of probabilities in [0, 1] (logs clamped to >= -100).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.BCELoss()(tg.tensor([1.0]), tg.tensor([1.0])).item()
    0.0
    """

    def __init__(self, weight: Tensor | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_Loss):
    """Binary cross-entropy on raw scores, stable for any logit; optional ``pos_weight``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> nn.BCEWithLogitsLoss()(tg.tensor([1000.0]), tg.tensor([1.0])).item()
    0.0
    """

    def __init__(
        self,
        weight: Tensor | None = None,
        reduction: str = "mean",
        pos_weight: Tensor | None = None,
    ) -> None:
        super().__init__(reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(
            input, target, self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )
