"""Learning-rate schedulers: StepLR, ExponentialLR, CosineAnnealingLR, ReduceLROnPlateau."""

from __future__ import annotations

import math
import numbers
from typing import Any

from .optimizer import Optimizer

__all__ = ["LRScheduler", "StepLR", "ExponentialLR", "CosineAnnealingLR", "ReduceLROnPlateau"]


def _check_optimizer(name: str, optimizer: Any) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{name}: expected an optimizer (e.g. optim.SGD), got {type(optimizer).__name__}"
        )


def _check_int(name: str, key: str, value: Any, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: {key} must be an int, got {type(value).__name__} {value!r}")
    if value < low:
        raise ValueError(f"{name}: invalid {key}={value}; {key} must be >= {low}")


def _check_float(name: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{name}: {key} must be a real number, got {type(value).__name__} {value!r}"
        )


class LRScheduler:
    """Base of the epoch-driven schedulers: sets each group's ``lr`` on every ``step()``.

    Call ``optimizer.step()`` then ``scheduler.step()`` once per epoch. ``last_epoch``
    counts the calls (the constructor makes the first, so it starts at 0);
    ``get_last_lr()`` gives the current learning rate of each parameter group.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD, lr_scheduler
    >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
    >>> sched = lr_scheduler.ExponentialLR(opt, gamma=0.5); sched.step(); sched.get_last_lr()
    [0.5]
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        name = type(self).__name__
        _check_optimizer(name, optimizer)
        _check_int(name, "last_epoch", last_epoch, -1)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{name}: param_groups[{i}] has no 'initial_lr', which is "
                        "needed to resume with last_epoch >= 0; load the "
                        "optimizer's state dict first or use last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for the current ``last_epoch`` (overridden by each scheduler)."""
        raise NotImplementedError(f"{type(self).__name__}: a subclass must define get_lr()")

    def get_last_lr(self) -> list[float]:
        """Return the learning rate of each parameter group set by the last ``step()``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=0.1)
        >>> lr_scheduler.StepLR(opt, step_size=2).get_last_lr()
        [0.1]
        """
        return list(self._last_lr)

    def step(self) -> None:
        """Advance one epoch and set each parameter group's ``lr``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
        >>> s = lr_scheduler.StepLR(opt, step_size=1, gamma=0.5); s.step(); s.last_epoch
        1
        """
        self._step_count += 1
        self.last_epoch += 1
        values = self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Return the scheduler's state (every attribute but the optimizer).

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
        >>> lr_scheduler.StepLR(opt, step_size=3).state_dict()["last_epoch"]
        0
        """
        return {
            k: (list(v) if isinstance(v, list) else v)
            for k, v in self.__dict__.items()
            if k != "optimizer"
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state returned by ``state_dict()``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
        >>> s = lr_scheduler.StepLR(opt, step_size=3); s.load_state_dict({"last_epoch": 7})
        >>> s.last_epoch
        7
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict):
            raise TypeError(
                f"{name}.load_state_dict: expected a dict made by state_dict(), "
                f"got {type(state_dict).__name__}"
            )
        if "optimizer" in state_dict:
            raise ValueError(
                f"{name}.load_state_dict: the state dict must not hold "
                "'optimizer'; pass scheduler.state_dict()"
            )
        self.__dict__.update(
            {k: (list(v) if isinstance(v, list) else v) for k, v in state_dict.items()}
        )

    def _group_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]


class StepLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every ``step_size`` epochs.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD, lr_scheduler
    >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
    >>> s = lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    >>> [(s.step(), s.get_last_lr()[0])[1] for _ in range(4)]
    [1.0, 0.5, 0.5, 0.25]
    """

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        _check_int("StepLR", "step_size", step_size, 1)
        _check_float("StepLR", "gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Current lrs, times ``gamma`` at each non-zero multiple of ``step_size``."""
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply each group's lr by ``gamma`` every epoch.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD, lr_scheduler
    >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
    >>> s = lr_scheduler.ExponentialLR(opt, gamma=0.5); s.step(); s.step(); s.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_float("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """Current lrs times ``gamma`` (unchanged on the constructor's initial step)."""
        if self._is_initial:
            return self._group_lrs()
        return [lr * self.gamma for lr in self._group_lrs()]


class CosineAnnealingLR(LRScheduler):
    """Cosine annealing from the initial lr to ``eta_min`` over ``T_max`` epochs.

    Uses PyTorch's recursive update (so values match it to rounding), which follows
    ``eta_min + (base_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2`` and keeps oscillating
    past ``T_max`` (no restarts).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD, lr_scheduler
    >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
    >>> s = lr_scheduler.CosineAnnealingLR(opt, T_max=2); s.step(); round(s.get_last_lr()[0], 12)
    0.5
    """

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        _check_int("CosineAnnealingLR", "T_max", T_max, 1)
        _check_float("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        """The next lrs by the recursive cosine formula."""
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._group_lrs()
        if self._step_count == 1 and t > 0:
            return [
                eta_min + (base - eta_min) * (1 + math.cos(t * math.pi / T)) / 2
                for base in self.base_lrs
            ]
        if (t - 1 - T) % (2 * T) == 0:
            # NOTE: at the trough the ratio below is 0/0, so PyTorch adds the half step.
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for base, lr in zip(self.base_lrs, self._group_lrs())
            ]
        ratio = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T))
        return [ratio * (lr - eta_min) + eta_min for lr in self._group_lrs()]


class ReduceLROnPlateau:
    """Multiply the lr by ``factor`` when a metric has stopped improving for ``patience`` epochs.

    Call ``step(metric)`` once per epoch. A value improves on the best so far when it is
    below ``best * (1 - threshold)`` (``mode='min'``, ``threshold_mode='rel'``), below
    ``best - threshold`` (``'abs'``), or above ``best * (1 + threshold)`` / ``best + threshold``
    for ``mode='max'``. After a reduction, ``cooldown`` epochs pass before counting again;
    the lr never goes below ``min_lr`` and changes smaller than ``eps`` are ignored.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.optim import SGD, lr_scheduler
    >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
    >>> s = lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> for loss in [3.0, 3.0, 3.0]: s.step(loss)
    >>> s.get_last_lr()
    [0.5]
    """

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float | list[float] = 0.0,
        eps: float = 1e-8,
    ) -> None:
        name = "ReduceLROnPlateau"
        _check_optimizer(name, optimizer)
        _check_float(name, "factor", factor)
        if not 0 <= factor < 1.0:
            raise ValueError(
                f"{name}: invalid factor={factor}; factor must be in [0, 1) "
                "(the lr is multiplied by it)"
            )
        _check_int(name, "patience", patience, 0)
        _check_int(name, "cooldown", cooldown, 0)
        _check_float(name, "threshold", threshold)
        _check_float(name, "eps", eps)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(
                    f"{name}: got {len(min_lr)} min_lr values for {n} parameter "
                    "groups; give one per group or a single number"
                )
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            _check_float(name, "min_lr", min_lr)
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.optimizer = optimizer
        self.factor = factor
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._init_is_better(mode, threshold, threshold_mode)
        self._reset()

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(
                f"ReduceLROnPlateau: mode={mode!r} is unknown; use 'min' (for a "
                "loss) or 'max' (for an accuracy)"
            )
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"ReduceLROnPlateau: threshold_mode={threshold_mode!r} is "
                "unknown; use 'rel' or 'abs'"
            )
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode
        self.mode_worse = math.inf if mode == "min" else -math.inf

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    @property
    def in_cooldown(self) -> bool:
        """Whether the scheduler is waiting out its cooldown after a reduction."""
        return self.cooldown_counter > 0

    def is_better(self, a: float, best: float) -> bool:
        """Whether metric ``a`` improves on ``best`` by more than the threshold.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
        >>> lr_scheduler.ReduceLROnPlateau(opt, threshold=0.1).is_better(0.95, 1.0)
        False
        """
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min":
            return a < best - self.threshold
        if self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def step(self, metrics: Any) -> None:
        """Record this epoch's metric and reduce the lr after ``patience`` bad epochs.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=1.0)
        >>> s = lr_scheduler.ReduceLROnPlateau(opt); s.step(1.0); s.best
        1.0
        """
        try:
            current = float(metrics.item() if hasattr(metrics, "item") else metrics)
        except (TypeError, ValueError):
            raise TypeError(
                "ReduceLROnPlateau.step: metrics must be a number (or a "
                f"one-element Tensor), got {type(metrics).__name__}"
            ) from None
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer now has {len(groups)} "
                    f"parameter groups but min_lr gave {len(self.min_lrs)}; "
                    "set scheduler.min_lrs to one value per group"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def get_last_lr(self) -> list[float]:
        """Return the learning rate of each parameter group after the last ``step``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=0.1)
        >>> lr_scheduler.ReduceLROnPlateau(opt).get_last_lr()
        [0.1]
        """
        return list(self._last_lr)

    state_dict = LRScheduler.state_dict

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state returned by ``state_dict()``.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite.optim import SGD, lr_scheduler
        >>> opt = SGD([tg.ones(1, requires_grad=True)], lr=0.1)
        >>> s = lr_scheduler.ReduceLROnPlateau(opt); s.load_state_dict({"best": 0.5}); s.best
        0.5
        """
        LRScheduler.load_state_dict(self, state_dict)
        self._init_is_better(self.mode, self.threshold, self.threshold_mode)
