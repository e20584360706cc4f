"""Find where training breaks: per-parameter gradient reports and a monitor that warns early.

Also re-exports the other debugging tools (``gradcheck``, ``gradgradcheck``,
``detect_anomaly``), so ``tg.debug`` holds them all in one place.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from collections.abc import Iterable
from typing import Any

import numpy as np

from .anomaly import AnomalyError, detect_anomaly
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .tensor import Tensor

__all__ = [
    "AnomalyError",
    "GradReport",
    "GradcheckError",
    "TrainingMonitor",
    "TrainingWarning",
    "detect_anomaly",
    "grad_report",
    "gradcheck",
    "gradgradcheck",
]

#: Default threshold: a gradient with some |element| above this is "exploding".
EXPLODE = 1e3
#: Default threshold: a gradient whose every |element| is below this is "vanishing".
VANISH = 1e-7


class TrainingWarning(UserWarning):
    """Issued by ``TrainingMonitor``: exploding gradients, a non-finite loss, dead units.

    Examples
    --------
    >>> from tinygrad_lite import debug
    >>> issubclass(debug.TrainingWarning, UserWarning)  # filter them like any warning
    True
    """


# ----------------------------------------------------------------------------- statistics
def _stats(arr: np.ndarray) -> tuple[float, float, bool]:
    """L2 norm, max |x| and all-finite of ``arr``, in float64 so squaring cannot overflow."""
    if arr.size == 0:
        return 0.0, 0.0, True
    flat = arr.astype(np.float64, copy=False).ravel()
    with np.errstate(all="ignore"):
        norm = float(math.sqrt(np.dot(flat, flat)))
        max_abs = float(np.max(np.abs(flat)))
    # NOTE: a finite norm proves every element finite; only otherwise scan the array.
    finite = math.isfinite(norm) or bool(np.isfinite(flat).all())
    return norm, max_abs, finite


def _verdict(max_abs: float, finite: bool, explode: float, vanish: float) -> str:
    """The colour class of a gradient: the rule that ``grad_report`` and ``viz`` share."""
    if not finite:
        return "non-finite"
    if max_abs > explode:
        return "exploding"
    if max_abs < vanish:
        return "vanishing"
    return "ok"


def _check_thresholds(op: str, explode: float, vanish: float) -> None:
    for key, value in (("explode", explode), ("vanish", vanish)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise TypeError(f"{op}: {key} must be a number, got {type(value).__name__}")
    if not 0 <= vanish < explode:
        raise ValueError(
            f"{op}: need 0 <= vanish < explode, got vanish={vanish!r}, explode={explode!r}; "
            "vanish is the small threshold, explode the large one"
        )


def _named_parameters(model: Any, op: str) -> list[tuple[str, Tensor]]:
    """``(name, tensor)`` pairs from a Module, a dict of tensors or an iterable of pairs."""
    if hasattr(model, "named_parameters"):
        pairs = list(model.named_parameters())
    elif isinstance(model, dict):
        pairs = list(model.items())
    elif isinstance(model, Iterable) and not isinstance(model, (str, Tensor)):
        pairs = list(model)
    else:
        raise TypeError(
            f"{op}: expected an nn.Module, a dict name -> Tensor or (name, Tensor) pairs, got "
            f"{type(model).__name__}"
        )
    for item in pairs:
        if (
            not isinstance(item, tuple)
            or len(item) != 2
            or not isinstance(item[1], Tensor)
            or not isinstance(item[0], str)
        ):
            raise TypeError(
                f"{op}: every entry must be a (name, Tensor) pair, got {item!r}; pass "
                "model.named_parameters() or dict(model.named_parameters())"
            )
    return pairs


# ----------------------------------------------------------------------------- grad_report
_COLUMNS = (
    ("parameter", "name"),
    ("shape", "shape"),
    ("weight norm", "weight_norm"),
    ("grad norm", "grad_norm"),
    ("max |grad|", "max_abs_grad"),
    ("grad/weight", "ratio"),
    ("finite", "finite"),
    ("verdict", "verdict"),
)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


class GradReport:
    """Per-parameter gradient figures; prints as an aligned table, ``.rows`` holds the data.

    Each row is a dict with ``name``, ``shape``, ``weight_norm``, ``grad_norm``,
    ``max_abs_grad``, ``ratio`` (grad norm / weight norm), ``finite`` and ``verdict``
    (gradient figures are ``None`` for a parameter without a gradient).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> model = nn.Linear(2, 1)
    >>> model(tg.ones(4, 2)).sum().backward()
    >>> [row["verdict"] for row in tg.debug.grad_report(model).rows]
    ['ok', 'ok']
    """

    def __init__(self, rows: list[dict], explode: float, vanish: float) -> None:
        self.rows = rows
        self.explode = explode
        self.vanish = vanish

    @property
    def verdicts(self) -> dict[str, str]:
        """``{parameter name: verdict}``."""
        return {row["name"]: row["verdict"] for row in self.rows}

    @property
    def flagged(self) -> list[dict]:
        """The rows whose verdict is not ``ok``."""
        return [row for row in self.rows if row["verdict"] != "ok"]

    def __str__(self) -> str:
        table = [[title for title, _ in _COLUMNS]]
        table += [[_cell(row[key]) for _, key in _COLUMNS] for row in self.rows]
        widths = [max(len(line[i]) for line in table) for i in range(len(_COLUMNS))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        lines.append(
            f"exploding: max |grad| > {self.explode:g}; vanishing: max |grad| < {self.vanish:g}; "
            "non-finite: NaN or Inf in the weight or its gradient"
        )
        return "\n".join(lines)

    __repr__ = __str__


def grad_report(model: Any, explode: float = EXPLODE, vanish: float = VANISH) -> GradReport:
    """Tabulate each parameter's weight and gradient and say whether the gradient is healthy.

    Call it after ``backward()`` and before ``optimizer.zero_grad()``. The verdict of a
    parameter is, in this order: ``no grad`` (its ``.grad`` is None), ``non-finite`` (NaN or Inf
    in the weight or the gradient), ``exploding`` (max |grad| > ``explode``, default 1e3),
    ``vanishing`` (max |grad| < ``vanish``, default 1e-7, e.g. an all-zero gradient), else
    ``ok``. The grad/weight ratio is shown to judge the step size: ``lr * ratio`` is roughly
    the relative change one SGD step makes to the weight.

    Parameters
    ----------
    model : an ``nn.Module``, a dict ``name -> Tensor`` or ``(name, Tensor)`` pairs.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> model = nn.Linear(1, 1)
    >>> (model(tg.tensor([[1e6]])) ** 2).sum().backward()
    >>> tg.debug.grad_report(model).verdicts["weight"]
    'exploding'
    """
    _check_thresholds("grad_report", explode, vanish)
    rows = []
    for name, p in _named_parameters(model, "grad_report"):
        w_norm, _, w_finite = _stats(p._data)
        row: dict[str, Any] = {"name": name, "shape": tuple(p.shape), "weight_norm": w_norm}
        if p.grad is None:
            row.update(grad_norm=None, max_abs_grad=None, ratio=None, finite=w_finite)
            row["verdict"] = "no grad"
        else:
            g_norm, g_max, g_finite = _stats(p.grad._data)
            if w_norm > 0:
                ratio = g_norm / w_norm
            else:
                ratio = math.inf if g_norm > 0 else 0.0
            finite = w_finite and g_finite
            row.update(grad_norm=g_norm, max_abs_grad=g_max, ratio=ratio, finite=finite)
            row["verdict"] = _verdict(g_max, finite, explode, vanish)
        rows.append(row)
    return GradReport(rows, explode, vanish)


# ----------------------------------------------------------------------------- monitor
class TrainingMonitor:
    """Watch a training run and warn (``TrainingWarning``) as soon as it starts to break.

    Call ``record(loss)`` once per step, after ``backward()`` and before ``zero_grad()``. It
    keeps the last ``window`` entries of ``history`` and warns, each time only the first time:

    - when a parameter's gradient norm is ``growth`` (1000) times its smallest nonzero value in
      the window (checked every ``every`` steps): gradients are exploding, the loss will follow;
    - when the loss is NaN or Inf;
    - when a ``ReLU``/``LeakyReLU`` layer's outputs are all <= 0 for a batch (its units are dead;
      checked by forward hooks, which ``close()`` removes).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn
    >>> model = nn.Sequential(nn.Linear(1, 2), nn.ReLU(), nn.Linear(2, 1))
    >>> monitor = tg.debug.TrainingMonitor(model)
    >>> loss = (model(tg.ones(4, 1)) ** 2).mean()
    >>> loss.backward()
    >>> monitor.record(loss)
    []
    >>> monitor.close()
    """

    def __init__(self, model: Any, every: int = 1, window: int = 10, growth: float = 1e3) -> None:
        from .nn.layers import LeakyReLU, ReLU

        for key, value, low in (("every", every, 1), ("window", window, 2)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(
                    f"TrainingMonitor: {key} must be an int, got {type(value).__name__}"
                )
            if value < low:
                raise ValueError(f"TrainingMonitor: {key} must be >= {low}, got {value}")
        if not (isinstance(growth, (int, float)) and growth > 1):
            raise ValueError(f"TrainingMonitor: growth must be a number > 1, got {growth!r}")
        if not hasattr(model, "named_parameters") or not hasattr(model, "named_modules"):
            raise TypeError(
                f"TrainingMonitor: model must be an nn.Module, got {type(model).__name__}"
            )
        self.model = model
        self.every = int(every)
        self.growth = float(growth)
        self.step = 0
        self.history: deque[dict] = deque(maxlen=int(window))
        self.warned: set[str] = set()
        self._fresh: list[str] = []
        self._handles = [
            module.register_forward_hook(self._dead_unit_hook(name or type(module).__name__))
            for name, module in model.named_modules()
            if isinstance(module, (ReLU, LeakyReLU))
        ]

    def _warn(self, key: str, message: str) -> None:
        if key in self.warned:
            return
        self.warned.add(key)
        self._fresh.append(message)
        warnings.warn(message, TrainingWarning, stacklevel=3)

    def _dead_unit_hook(self, name: str) -> Any:
        def hook(module: Any, inputs: tuple, output: Any) -> None:
            data = output._data if isinstance(output, Tensor) else np.asarray(output)
            # NOTE: one pass, no temporary beyond a bool: `any(x > 0)` stops at nothing cheaper.
            if data.size and not (data > 0).any():
                self._warn(
                    f"dead:{name}",
                    f"TrainingMonitor: every output of layer {name!r} ({type(module).__name__}) "
                    f"is <= 0 for a batch of shape {tuple(data.shape)}: its units are dead and "
                    "pass (almost) no gradient. Normalize the inputs, lower the learning rate, "
                    "or use LeakyReLU / a different initialization.",
                )

        return hook

    def record(self, loss: Any) -> list[str]:
        """Log this step's loss (and gradient figures), warn on trouble; return the new warnings.

        Examples
        --------
        >>> import tinygrad_lite as tg
        >>> from tinygrad_lite import nn
        >>> monitor = tg.debug.TrainingMonitor(nn.Linear(1, 1))
        >>> len(monitor.record(float("nan")))
        1
        """
        if isinstance(loss, Tensor):
            if loss.numel() != 1:
                raise ValueError(
                    f"TrainingMonitor.record: loss must have one element, got shape {loss.shape}; "
                    "reduce it first (e.g. loss.mean())"
                )
            value = float(loss._data.reshape(()))
        elif isinstance(loss, (int, float, np.number)) and not isinstance(loss, bool):
            value = float(loss)
        else:
            raise TypeError(
                f"TrainingMonitor.record: loss must be a Tensor or a number, got "
                f"{type(loss).__name__}"
            )
        fresh, self._fresh = self._fresh, []
        self.step += 1
        if not math.isfinite(value):
            self._warn(
                "loss",
                f"TrainingMonitor: the loss is {value} at step {self.step}. Look at the gradient "
                "report (tg.debug.grad_report) of the steps before; wrap the step in "
                "tg.detect_anomaly() to find the op that produced it.",
            )
        entry: dict[str, Any] = {"step": self.step, "loss": value}
        if (self.step - 1) % self.every == 0:
            norms = {}
            for name, p in self.model.named_parameters():
                if p.grad is not None:
                    norms[name] = _stats(p.grad._data)[0]
            entry["grad_norm"] = norms
            self._check_growth(norms)
        self.history.append(entry)
        fresh, self._fresh = fresh + self._fresh, []
        return fresh

    def _check_growth(self, norms: dict[str, float]) -> None:
        for name, norm in norms.items():
            past = [
                e["grad_norm"][name]
                for e in self.history
                if name in e.get("grad_norm", {}) and 0 < e["grad_norm"][name] < math.inf
            ]
            if not past or not norm > self.growth * min(past):
                continue
            low = min(past)
            self._warn(
                f"growth:{name}",
                f"TrainingMonitor: the gradient norm of {name!r} grew {norm / low:.3g}x within "
                f"the last {len(self.history) + 1} records (from {low:.3g} to {norm:.3g}) at step "
                f"{self.step}: gradients are exploding. Normalize inputs and targets, lower the "
                "learning rate, or clip gradients (nn.utils.clip_grad_norm_).",
            )

    @property
    def losses(self) -> list[float]:
        """The losses in the history window, oldest first."""
        return [e["loss"] for e in self.history]

    def close(self) -> None:
        """Remove the forward hooks this monitor put on the model's ReLU/LeakyReLU layers."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self) -> TrainingMonitor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
