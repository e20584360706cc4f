"""Stateless neural-network functions (``nn.functional``), composed from Tensor ops.

Activations, ``linear``, ``dropout``, the normalizations and the losses. Everything is a short
composition of differentiable Tensor ops (so gradients of gradients work); the one primitive,
``binary_cross_entropy``, exists for PyTorch's clamped log and its finite gradient at 0 and 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import ops
from tinygrad_lite.function import Function, _promote, applyn
from tinygrad_lite.random import generator
from tinygrad_lite.tensor import Tensor

__all__ = [
    "relu",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "linear",
    "dropout",
    "batch_norm",
    "layer_norm",
    "mse_loss",
    "l1_loss",
    "huber_loss",
    "cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
]

_REDUCTIONS = ("mean", "sum", "none")


# ----------------------------------------------------------------------------------- checks


def _check_tensor(op: str, name: str, x: object) -> None:
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{op}: {name} must be a Tensor, got {type(x).__name__}; wrap it with tg.tensor(...)"
        )


def _check_optional(op: str, name: str, x: object, shape: tuple[int, ...], why: str) -> None:
    if x is None:
        return
    _check_tensor(op, name, x)
    if tuple(x.shape) != shape:
        raise ValueError(f"{op}: {name} must have shape {shape} {why}, got shape {tuple(x.shape)}")


def _check_reduction(op: str, reduction: str) -> None:
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of 'mean', 'sum', 'none', got {reduction!r}")


def _check_pair(op: str, input: Tensor, target: Tensor, reduction: str) -> None:
    _check_reduction(op, reduction)
    _check_tensor(op, "input", input)
    _check_tensor(op, "target", target)
    if input.shape != target.shape:
        raise ValueError(
            f"{op}: input shape {tuple(input.shape)} and target shape {tuple(target.shape)} "
            "differ; reshape the target to the input's shape (no implicit broadcasting)"
        )


def _const(array: np.ndarray) -> Tensor:
    """Wrap a freshly made ndarray as a constant Tensor without copying it."""
    return tg.from_numpy(array)


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


# ------------------------------------------------------------------------------ activations


def relu(x: Tensor) -> Tensor:
    """Rectified linear unit, ``max(x, 0)`` (gradient 0 at 0, like PyTorch).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.relu(tg.tensor([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    """
    _check_tensor("relu", "input", x)
    return x.relu()


def leaky_relu(x: Tensor, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU: ``x`` where positive, ``negative_slope * x`` elsewhere.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.leaky_relu(tg.tensor([-2.0, 3.0]), 0.5).tolist()
    [-1.0, 3.0]
    """
    _check_tensor("leaky_relu", "input", x)
    return x.leaky_relu(negative_slope)


def sigmoid(x: Tensor) -> Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``, stable for large ``|x|``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.sigmoid(tg.tensor([0.0])).tolist()
    [0.5]
    """
    _check_tensor("sigmoid", "input", x)
    return x.sigmoid()


def tanh(x: Tensor) -> Tensor:
    """Hyperbolic tangent.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.tanh(tg.tensor([0.0])).tolist()
    [0.0]
    """
    _check_tensor("tanh", "input", x)
    return x.tanh()


def softmax(x: Tensor, dim: int) -> Tensor:
    """Softmax along ``dim`` (stable: the maximum is subtracted first).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.softmax(tg.tensor([[1.0, 1.0]]), dim=1).tolist()
    [[0.5, 0.5]]
    """
    _check_tensor("softmax", "input", x)
    return x.softmax(dim)


def log_softmax(x: Tensor, dim: int) -> Tensor:
    """Logarithm of the softmax along ``dim``, computed as ``x - logsumexp(x)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> round(F.log_softmax(tg.tensor([0.0, 0.0]), dim=0).tolist()[0], 4)
    -0.6931
    """
    _check_tensor("log_softmax", "input", x)
    return x.log_softmax(dim)


# ------------------------------------------------------------------------- linear, dropout


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Affine map ``x @ weight.T + bias`` with ``weight`` of shape ``(out, in)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.linear(tg.ones(1, 2), tg.ones(3, 2), tg.zeros(3)).tolist()
    [[2.0, 2.0, 2.0]]
    """
    if not (isinstance(x, Tensor) and isinstance(weight, Tensor)):
        _check_tensor("linear", "input", x)
        _check_tensor("linear", "weight", weight)
    xs, ws = x._data.shape, weight._data.shape
    if len(ws) != 2:
        raise ValueError(
            f"linear: weight must be 2-D of shape (out_features, in_features), got shape {ws}"
        )
    if not xs or xs[-1] != ws[1]:
        got = xs[-1] if xs else "no"
        raise ValueError(
            f"linear: input has {got} features (shape {xs}) but weight expects {ws[1]} (weight "
            f"shape {ws}); the input's last dimension must equal in_features"
        )
    if bias is not None and (not isinstance(bias, Tensor) or bias._data.shape != ws[:1]):
        _check_optional("linear", "bias", bias, ws[:1], f"(out_features of weight {ws})")
    if x._data.dtype is not weight._data.dtype:
        x, weight = _promote(ops.Linear, x, weight)
    if bias is not None and bias._data.dtype is not weight._data.dtype:
        bias = bias.astype(weight._data.dtype)
    # NOTE: one fused node (ops.Linear) instead of Permute + MatMul + Add: the hot path of
    # every dense layer, and the weight's gradient comes out in the weight's own layout.
    return applyn(ops.Linear, (x, weight, bias))


def dropout(x: Tensor, p: float = 0.5, training: bool = True) -> Tensor:
    """Inverted dropout: zero each element with probability ``p``, scale the rest by 1/(1-p).

    The mask is drawn from ``tinygrad_lite.random.generator()``; ``training=False`` or
    ``p=0`` return ``x`` itself and ``p=1`` gives zeros.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.dropout(tg.ones(4), p=0.5, training=False).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """
    _check_tensor("dropout", "input", x)
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating, np.integer)):
        raise TypeError(f"dropout: p must be a number in [0, 1], got {type(p).__name__}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout: probability p must be in [0, 1], got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0.0
    dtype = x._data.dtype if x._data.dtype in (np.float32, np.float64) else np.float64
    # NOTE: one uniform draw per element, compared and scaled in place: no extra arrays.
    mask = generator().random(x.shape, dtype=dtype)
    keep = 1.0 - p
    np.less(mask, keep, out=mask, casting="unsafe")
    mask *= 1.0 / keep
    return x * _const(mask)


# -------------------------------------------------------------------------- normalization


def _normalize(x: Tensor, axes: tuple[int, ...], eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """(x - mean) / sqrt(var + eps) over ``axes`` with the biased variance; also mean, var."""
    mean = x.mean(axis=axes, keepdims=True)
    centered = x - mean
    var = (centered * centered).mean(axis=axes, keepdims=True)
    return centered / (var + eps).sqrt(), mean, var


def batch_norm(
    x: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Batch normalization over the channel axis 1 of an ``(N, C)`` or ``(N, C, L)`` input.

    In training, normalizes with the batch mean and biased variance, and updates the running
    statistics in place: ``running = (1 - momentum) * running + momentum * batch_stat``,
    with the unbiased variance for ``running_var`` (as PyTorch). Otherwise uses them.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> rm, rv = tg.zeros(1), tg.ones(1)
    >>> y = F.batch_norm(tg.tensor([[1.0], [3.0]]), rm, rv, training=True)
    >>> r = lambda t: [round(v, 3) for v in t.reshape(-1).tolist()]
    >>> r(y), r(rm), r(rv)
    ([-1.0, 1.0], [0.2], [1.1])
    """
    op = "batch_norm"
    _check_tensor(op, "input", x)
    if x.ndim < 2:
        raise ValueError(
            f"{op}: expected input of shape (N, C) or (N, C, L), got shape {tuple(x.shape)}"
        )
    channels = x.shape[1]
    why = f"(one value per channel; input shape {tuple(x.shape)} has C={channels})"
    for name, t in (("running_mean", running_mean), ("running_var", running_var)):
        _check_optional(op, name, t, (channels,), why)
    _check_optional(op, "weight", weight, (channels,), why)
    _check_optional(op, "bias", bias, (channels,), why)
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float, np.number)):
        raise TypeError(
            f"{op}: momentum must be a number, got {type(momentum).__name__} "
            "(BatchNorm1d turns momentum=None into a cumulative-average factor itself)"
        )
    axes = (0, *range(2, x.ndim))
    bshape = (1, channels) + (1,) * (x.ndim - 2)
    if training:
        count = x.numel() // channels if channels else 0
        if count <= 1:
            raise ValueError(
                f"{op}: expected more than 1 value per channel when training, got input shape "
                f"{tuple(x.shape)}; use a batch of at least 2 or eval mode"
            )
        out, mean, var = _normalize(x, axes, eps)
        # NOTE: running statistics are plain ndarray updates, outside the graph, in place.
        if running_mean is not None:
            rm = running_mean._data
            rm *= 1.0 - momentum
            rm += momentum * mean._data.reshape(channels)
        if running_var is not None:
            rv = running_var._data
            rv *= 1.0 - momentum
            rv += (momentum * count / (count - 1)) * var._data.reshape(channels)
    else:
        if running_mean is None or running_var is None:
            raise ValueError(
                f"{op}: running_mean and running_var are required when training=False; pass "
                "them, or use training=True to normalize with the batch statistics"
            )
        # NOTE: copies, so that a later in-place update of the running stats cannot change
        # what this graph saved for its backward.
        rm = running_mean._data.reshape(bshape).copy()
        inv_std = 1.0 / np.sqrt(running_var._data.reshape(bshape) + eps)
        out = (x - _const(rm)) * _const(inv_std.astype(rm.dtype, copy=False))
    if weight is not None:
        out = out * weight.reshape(bshape)
    if bias is not None:
        out = out + bias.reshape(bshape)
    return out


def layer_norm(
    x: Tensor,
    normalized_shape: int | Sequence[int],
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Layer normalization over the trailing ``normalized_shape`` dimensions (biased variance).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> [round(v, 3) for v in F.layer_norm(tg.tensor([[1.0, 3.0]]), 2).tolist()[0]]
    [-1.0, 1.0]
    """
    op = "layer_norm"
    _check_tensor(op, "input", x)
    shape = (
        (int(normalized_shape),)
        if isinstance(normalized_shape, (int, np.integer))
        else tuple(int(s) for s in normalized_shape)
    )
    k = len(shape)
    if k == 0 or k > x.ndim or tuple(x.shape[x.ndim - k :]) != shape:
        raise ValueError(
            f"{op}: normalized_shape={shape} must be non-empty and match the input's trailing "
            f"dimensions, got input shape {tuple(x.shape)}"
        )
    why = f"(= normalized_shape {shape})"
    _check_optional(op, "weight", weight, shape, why)
    _check_optional(op, "bias", bias, shape, why)
    out, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


# --------------------------------------------------------------------------------- losses


def mse_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean squared error ``(input - target) ** 2``, reduced by ``reduction``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.mse_loss(tg.tensor([1.0, 2.0]), tg.tensor([0.0, 0.0])).item()
    2.5
    """
    _check_pair("mse_loss", input, target, reduction)
    if reduction == "none":
        diff = input - target
        return diff * diff
    if input._data.dtype is not target._data.dtype:
        input, target = _promote(ops.SquaredError, input, target)
    # NOTE: one fused node instead of Sub, Mul and Mean: the hot path of every regression step.
    return applyn(ops.SquaredError, (input, target), reduction)


def l1_loss(input: Tensor, target: Tensor, *, reduction: str = "mean") -> Tensor:
    """Mean absolute error ``|input - target|`` (gradient 0 where they are equal).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.l1_loss(tg.tensor([1.0, -3.0]), tg.tensor([0.0, 0.0]), reduction="sum").item()
    4.0
    """
    _check_pair("l1_loss", input, target, reduction)
    return _reduce((input - target).abs(), reduction)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0
) -> Tensor:
    """Huber loss: ``0.5 d**2`` where ``|d| < delta``, else ``delta * (|d| - 0.5 delta)``.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.huber_loss(tg.tensor([0.5, 3.0]), tg.tensor([0.0, 0.0]), reduction="none").tolist()
    [0.125, 2.5]
    """
    _check_pair("huber_loss", input, target, reduction)
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    diff = input - target
    absdiff = diff.abs()
    # NOTE: branch-free form 0.5 q**2 + delta (|d| - q) with q = min(|d|, delta); both pieces
    # are finite everywhere, and the gradient is d or delta*sign(d) on either side of the kink.
    q = absdiff.clip(None, delta)
    return _reduce(0.5 * (q * q) + delta * (absdiff - q), reduction)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Cross-entropy of logits ``(N, C)`` (or ``(N, C, d1, ...)``, or ``(C,)``) and class indices.

    Row ``i`` costs ``-weight[y_i] * log_softmax(input)[i, y_i]``. ``target`` holds integer
    class indices of shape ``(N,)`` (``(N, d1, ...)``, ``()``). Rows whose target equals
    ``ignore_index`` (any integer, a class index too, e.g. a padding token) cost 0 and get
    gradient 0, and ``'mean'`` divides by the summed weight of the other rows (their count
    without ``weight``; NaN if every row is ignored), as PyTorch. Masked logits may be
    ``-inf``: the loss and gradient stay finite while the target's own logit is finite.

    Examples
    --------
    >>> import numpy as np
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> logits = tg.tensor([[0.0, 0.0, -np.inf], [5.0, 0.0, 0.0]])
    >>> target = tg.tensor(np.array([1, 0]))
    >>> F.cross_entropy(logits, target, ignore_index=0, reduction="none").tolist()
    [0.6931471824645996, 0.0]
    >>> round(F.cross_entropy(logits, target, ignore_index=0).item(), 4)  # 0.6931 / 1 row
    0.6931
    """
    op = "cross_entropy"
    _check_reduction(op, reduction)
    _check_tensor(op, "input", input)
    _check_tensor(op, "target", target)
    kind = target._data.dtype.kind
    if kind not in "iu":
        raise TypeError(
            f"{op}: target must hold integer class indices, got dtype {target._data.dtype}; "
            "pass integer class indices, e.g. tg.tensor(labels.astype(np.int64))"
        )
    if input.ndim == 0:
        raise ValueError(f"{op}: input must have a class dimension, got a 0-d tensor")
    cdim = 0 if input.ndim == 1 else 1
    num_classes = input.shape[cdim]
    expected = tuple(input.shape[:cdim]) + tuple(input.shape[cdim + 1 :])
    if tuple(target.shape) != expected:
        raise ValueError(
            f"{op}: target shape {tuple(target.shape)} does not match input shape "
            f"{tuple(input.shape)}; expected target shape {expected} (one class index per "
            "row of logits)"
        )
    _check_optional(op, "weight", weight, (num_classes,), f"(one per class, C={num_classes})")
    labels = target._data
    valid = labels != ignore_index
    if labels.size:
        bad = labels[valid & ((labels < 0) | (labels >= num_classes))]
        if bad.size:
            raise ValueError(
                f"{op}: target holds class index {int(bad.flat[0])}, outside [0, {num_classes})"
                f" for input with C={num_classes} classes (shape {tuple(input.shape)})"
            )
    return _nll(input.log_softmax(cdim), labels, valid, weight, cdim, reduction)


def _nll(
    logp: Tensor,
    labels: np.ndarray,
    valid: np.ndarray,
    weight: Tensor | None,
    cdim: int,
    reduction: str,
) -> Tensor:
    """``-w[y] * logp[y]`` per row, 0 where ``valid`` is False; 'mean' divides by ``sum(w[y])``.

    ``labels`` are the class indices (checked), ``valid`` marks the rows not ignored.
    """
    num_classes = logp.shape[cdim]
    cshape = [1] * logp.ndim
    cshape[cdim] = num_classes
    # NOTE: pick with `where`, not by multiplying a one-hot: 0 * log p is NaN where a logit is
    # -inf (masked), and where's backward is one multiply by the mask, so it stays NaN-free too.
    # An ignored row picks nothing, so its loss and gradient are exactly 0.
    picks = np.expand_dims(labels, cdim) == np.arange(num_classes).reshape(cshape)
    picks &= np.expand_dims(valid, cdim)
    picked = tg.where(picks, logp, 0.0).sum(axis=cdim)
    dtype = logp._data.dtype
    # NOTE: 0.0 - x and a +0.0 weight keep an ignored row's loss +0.0, as PyTorch, not -0.0.
    if weight is None:
        nll = 0.0 - picked
        row_weight = valid
    else:
        row_weight = weight._data.astype(dtype, copy=False)[np.where(valid, labels, 0)] * valid
        nll = picked * _const(np.where(valid, -row_weight, 0.0).astype(dtype, copy=False))
    if reduction == "sum":
        return nll.sum()
    if reduction == "none":
        return nll
    if weight is None and valid.all():
        return nll.mean()
    total = row_weight.sum(dtype=dtype)
    # NOTE: like PyTorch, a batch whose targets are all ignored has mean NaN (0 / 0).
    with np.errstate(invalid="ignore", divide="ignore"):
        return nll.sum() / total if total else nll.sum() * np.array(np.nan, dtype=dtype)


class _BinaryCrossEntropy(Function):
    """Primitive for PyTorch's clamped BCE: log clamped to >= -100, finite gradient at 0 and 1.

    A composition of ``log`` and ``clip`` would give NaN gradients where the input is exactly
    0 or 1; PyTorch's gradient is ``(x - y) / max(x (1 - x), 1e-12)``.
    """

    @staticmethod
    def forward(ctx, x, y):
        ctx.save_for_backward(x, y)
        with np.errstate(divide="ignore"):
            log_x = np.maximum(np.log(x), -100.0)
            log_1mx = np.maximum(np.log1p(-x), -100.0)
        # -(y log x + (1 - y) log(1 - x)), rearranged to reuse the two temporaries
        out = (y - 1) * log_1mx
        log_x *= y
        out -= log_x
        return out

    @staticmethod
    def backward(ctx, g):
        x, y = ctx.saved_tensors
        xp = ctx.xp
        grad_x = grad_y = None
        with np.errstate(divide="ignore", invalid="ignore"):
            if ctx.needs_input_grad[0]:
                grad_x = g * (x - y) / xp.maximum(x * (1 - x), 1e-12)
            if ctx.needs_input_grad[1]:
                grad_y = g * (xp.log(1 - x) - xp.log(x))
        return grad_x, grad_y


class InputRangeError(RuntimeError, ValueError):
    """An input value outside the range the op accepts, e.g. a "probability" of 1.5 or NaN.

    A ``RuntimeError`` because PyTorch raises one ("all elements of input should be between 0
    and 1"); a ``ValueError`` because tinygrad_lite raises one for bad values, so callers
    written for either library keep working.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> try:
    ...     F.binary_cross_entropy(tg.tensor([2.0]), tg.tensor([1.0]))
    ... except RuntimeError as err:
    ...     print(type(err).__name__, isinstance(err, ValueError))
    InputRangeError True
    """


def _check_probabilities(op: str, data: np.ndarray) -> None:
    """Raise InputRangeError unless every value is in [0, 1] (NaN fails, as in PyTorch)."""
    # NOTE: min and max propagate NaN, and NaN fails both comparisons.
    if not data.size or (data.min() >= 0 and data.max() <= 1):
        return
    nan = np.isnan(data)
    seen = []
    if not nan.all():
        seen.append(f"values in [{np.nanmin(data):.4g}, {np.nanmax(data):.4g}]")
    if nan.any():
        seen.append(f"{int(nan.sum())} NaN")
    raise InputRangeError(
        f"{op}: all elements of input should be between 0 and 1 (probabilities), got "
        f"{' and '.join(seen)}; apply sigmoid first, or use binary_cross_entropy_with_logits "
        "on the raw scores"
    )


def _check_weight(op: str, name: str, weight: Tensor | None, shape: tuple[int, ...]) -> None:
    """A loss weight must broadcast to the input's shape without enlarging it, as PyTorch."""
    if weight is None:
        return
    _check_tensor(op, name, weight)
    try:
        fits = np.broadcast_shapes(tuple(weight.shape), shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{op}: {name} of shape {tuple(weight.shape)} does not broadcast to the input's "
            f"shape {shape}; give it the input's shape or one that broadcasts to it"
        )


def binary_cross_entropy(
    input: Tensor, target: Tensor, weight: Tensor | None = None, *, reduction: str = "mean"
) -> Tensor:
    """Binary cross-entropy ``-w (y log x + (1 - y) log(1 - x))``, each log clamped to >= -100.

    Every ``input`` must be a probability in [0, 1]; anything else (NaN too) raises
    ``InputRangeError``, a ``RuntimeError`` as in PyTorch (and a ``ValueError``).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> F.binary_cross_entropy(tg.tensor([0.0, 1.0]), tg.tensor([1.0, 1.0])).item()
    50.0
    """
    op = "binary_cross_entropy"
    _check_pair(op, input, target, reduction)
    _check_weight(op, "weight", weight, tuple(input.shape))
    _check_probabilities(op, input._data)
    loss = _BinaryCrossEntropy.apply(input, target)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def _softplus(z: Tensor) -> Tensor:
    """``log(1 + exp(z))`` without overflow, with gradient exactly ``sigmoid(z)``.

    Written as ``m + log(exp(-m) + exp(z - m))`` with ``m = max(z, 0)``: both exponents are
    <= 0, and the value does not depend on ``m``, so the derivative through ``m`` cancels and
    the kink of ``max`` at 0 leaves no trace (``relu(z) + log(1 + exp(-|z|))`` would give
    the wrong gradient at z = 0).
    """
    m = z.relu()
    return m + ((-m).exp() + (z - m).exp()).log()


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    *,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy on raw scores: ``sigmoid`` and BCE fused, stable at |x| = 1000.

    Computes ``(1 - y) x + (1 + (pos_weight - 1) y) softplus(-x)``; ``pos_weight`` (broadcast
    over the last dimension) weights the positive examples, as PyTorch.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite.nn import functional as F
    >>> x, y = tg.tensor([1000.0, -1000.0]), tg.tensor([1.0, 0.0])
    >>> F.binary_cross_entropy_with_logits(x, y).item()
    0.0
    """
    op = "binary_cross_entropy_with_logits"
    _check_pair(op, input, target, reduction)
    _check_weight(op, "weight", weight, tuple(input.shape))
    _check_weight(op, "pos_weight", pos_weight, tuple(input.shape))
    sp = _softplus(-input)
    if pos_weight is not None:
        sp = sp * ((pos_weight - 1) * target + 1)
    loss = (1 - target) * input + sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)
