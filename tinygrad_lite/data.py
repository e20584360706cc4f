"""Feature scaling (scikit-learn's scalers) and mini-batch loading (PyTorch's DataLoader).

Scalers follow scikit-learn: 2-D ``(n_samples, n_features)`` input only, population variance,
fitted attributes ending in ``_``. They take ndarrays, ``np.matrix``, (nested) lists or Tensors;
a Tensor comes back as a Tensor, anything else as a plain ndarray (as scikit-learn does).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

import tinygrad_lite as tg

from . import random as _random
from .tensor import Tensor

__all__ = ["NotFittedError", "StandardScaler", "MinMaxScaler", "TensorDataset", "DataLoader"]

# NOTE: a scale below this is treated as zero (scikit-learn's threshold), so a (nearly)
# constant column is left unscaled instead of being blown up by round-off.
_TINY_SCALE = 10 * np.finfo(np.float64).eps


class NotFittedError(RuntimeError, ValueError):
    """Raised when a scaler is used before ``fit``.

    It is a ``RuntimeError`` (a state error, as in the rest of tinygrad_lite) and a
    ``ValueError`` (what scikit-learn's ``NotFittedError`` is), so either ``except`` catches it.

    >>> try:
    ...     StandardScaler().transform([[1.0]])
    ... except NotFittedError as e:
    ...     print(str(e).split(".")[0])
    This StandardScaler instance is not fitted yet
    """


# ---------------------------------------------------------------------------------------------
# input checking shared by the scalers
# ---------------------------------------------------------------------------------------------


def _as_2d_float(X: Any, where: str, *, fitting: bool) -> tuple[np.ndarray, bool, bool]:
    """Return ``(array, was_tensor, owned)``: a 2-D float array view of ``X``.

    ``owned`` says the array is a fresh copy that the caller may overwrite.
    """
    was_tensor = isinstance(X, Tensor)
    if was_tensor:
        arr = X._data
    elif isinstance(X, np.ndarray):
        arr = np.asarray(X)  # np.matrix -> plain 2-D ndarray, without a copy
    elif isinstance(X, (list, tuple, int, float, np.number)) and not isinstance(X, bool):
        try:
            arr = np.asarray(X)
        except ValueError as e:
            raise ValueError(
                f"{where}: could not turn the input list into an array ({e}); "
                "every row must have the same number of features"
            ) from None
    else:
        raise TypeError(
            f"{where}: expected an ndarray, a list of rows or a Tensor, got {type(X).__name__}"
        )

    kind = arr.dtype.kind
    owned = False
    if kind in "iub":
        # integer/bool data becomes float, like scikit-learn (Tensors: the default float dtype)
        arr = arr.astype(np.dtype(tg.get_default_dtype()) if was_tensor else np.float64)
        owned = True
    elif kind == "O":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError):
            raise TypeError(
                f"{where}: the data must be numeric, got an object array that does not "
                "convert to float"
            ) from None
        owned = True
    elif kind == "c":
        raise TypeError(f"{where}: complex data is not supported; pass X.real or np.abs(X)")
    elif kind != "f":
        raise TypeError(
            f"{where}: the data must be numeric, got dtype {arr.dtype}; convert it with "
            "np.asarray(X, dtype=float)"
        )

    if arr.ndim == 0:
        raise ValueError(
            f"{where}: Expected 2D array, got scalar array instead: array={arr!r}. "
            "Reshape your data with np.reshape(X, (1, 1)) or pass a list of rows."
        )
    if arr.ndim == 1:
        raise ValueError(
            f"{where}: Expected 2D array, got 1D array instead: shape={arr.shape}. "
            "Reshape your data either using array.reshape(-1, 1) if your data has a single "
            "feature or array.reshape(1, -1) if it contains a single sample."
        )
    if arr.ndim > 2:
        raise ValueError(
            f"{where}: Expected 2D array (n_samples, n_features), got {arr.ndim}D array "
            f"with shape {arr.shape}; flatten the features first, e.g. X.reshape(len(X), -1)"
        )
    if arr.shape[1] == 0:
        raise ValueError(f"{where}: the data has 0 features (shape={arr.shape}); need at least 1")
    if fitting and arr.shape[0] == 0:
        raise ValueError(
            f"{where}: found array with 0 samples (shape={arr.shape}); need at least 1 to fit"
        )
    _require_finite(arr, where)
    return arr, was_tensor, owned


def _require_finite(arr: np.ndarray, where: str) -> None:
    # NOTE: one allocation-free reduction on the common (all finite) path; the per-column
    # scan runs only if the sum is not finite (a NaN/Inf, or a harmless overflow).
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(arr.sum()):
            return
    finite = np.isfinite(arr)
    bad_cols = np.flatnonzero(~finite.all(axis=0))
    if bad_cols.size == 0:
        return
    described = []
    for c in bad_cols[:5].tolist():
        col = arr[:, c]
        what = " and ".join(
            name
            for name, has in (("NaN", np.isnan(col).any()), ("Inf", np.isinf(col).any()))
            if has
        )
        described.append(f"column {c} contains {what}")
    more = f" (and {bad_cols.size - 5} more columns)" if bad_cols.size > 5 else ""
    raise ValueError(
        f"{where}: {', '.join(described)}{more}; scalers need finite data: drop or impute "
        "those values first (e.g. X[~np.isfinite(X).any(axis=1)] keeps only complete rows)"
    )


def _nonzero_scale(spread: np.ndarray) -> np.ndarray:
    """Replace the spread of constant (or numerically constant) columns by 1."""
    return np.where(spread < _TINY_SCALE, 1.0, spread)


def _wrap(out: np.ndarray, was_tensor: bool) -> np.ndarray | Tensor:
    if not was_tensor:
        return out
    return tg.from_numpy(out)


def _needs_graph(X: Any) -> bool:
    return isinstance(X, Tensor) and X.requires_grad and tg.is_grad_enabled()


class _Scaler:
    """Shared plumbing: fitted-state checks, feature-count checks, fit_transform, repr."""

    _fitted_attr = ""

    def _check_fitted(self, method: str) -> None:
        if not hasattr(self, self._fitted_attr):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                f"appropriate arguments before using '{method}'."
            )

    def _check_input(self, X: Any, method: str) -> tuple[np.ndarray, bool, bool]:
        self._check_fitted(method)
        where = f"{type(self).__name__}.{method}"
        arr, was_tensor, owned = _as_2d_float(X, where, fitting=False)
        if arr.shape[1] != self.n_features_in_:
            raise ValueError(
                f"{where}: X has {arr.shape[1]} features, but {type(self).__name__} is "
                f"expecting {self.n_features_in_} features as input (it was fitted on "
                f"{self.n_features_in_} columns)"
            )
        return arr, was_tensor, owned

    def _out_buffer(self, arr: np.ndarray, owned: bool) -> np.ndarray:
        # reuse the float copy made from integer input instead of allocating again
        return arr if owned else np.empty_like(arr)

    def fit_transform(self, X: Any, y: Any = None) -> np.ndarray | Tensor:
        """Fit to ``X``, then transform it.

        >>> StandardScaler().fit_transform([[0.0], [2.0]]).ravel().tolist()
        [-1.0, 1.0]
        """
        return self.fit(X).transform(X)

    def __repr__(self) -> str:
        changed = ", ".join(
            f"{k}={v!r}" for k, v in self._params().items() if v != self._defaults()[k]
        )
        return f"{type(self).__name__}({changed})"


# ---------------------------------------------------------------------------------------------
# scalers
# ---------------------------------------------------------------------------------------------


class StandardScaler(_Scaler):
    """Standardize features to zero mean and unit (population) variance, per column.

    Fitted attributes: ``mean_`` (None when both flags are off), ``var_`` and ``scale_``
    (None when ``with_std=False``), ``n_samples_seen_``, ``n_features_in_``; all statistics
    are float64. ``var_`` is the population variance (divides by n); a constant column gets
    ``scale_ = 1``. Transforming a Tensor that requires grad keeps the graph, so a loss can be
    taken on de-normalized predictions.

    >>> s = StandardScaler().fit([[1.0, 5.0], [3.0, 5.0]])
    >>> s.mean_.tolist(), s.scale_.tolist(), s.transform([[2.0, 6.0]]).tolist()
    ([2.0, 5.0], [1.0, 1.0], [[0.0, 1.0]])
    """

    _fitted_attr = "n_features_in_"

    def __init__(self, with_mean: bool = True, with_std: bool = True) -> None:
        self.with_mean = bool(with_mean)
        self.with_std = bool(with_std)

    def _params(self) -> dict[str, Any]:
        return {"with_mean": self.with_mean, "with_std": self.with_std}

    @staticmethod
    def _defaults() -> dict[str, Any]:
        return {"with_mean": True, "with_std": True}

    def fit(self, X: Any, y: Any = None) -> StandardScaler:
        """Compute the per-column mean and population standard deviation of ``X``.

        >>> StandardScaler().fit([[0.0], [4.0]]).var_.tolist()
        [4.0]
        """
        arr, _, _ = _as_2d_float(X, "StandardScaler.fit", fitting=True)
        mean = arr.mean(axis=0, dtype=np.float64)
        var = scale = None
        if self.with_std:
            # NOTE: two passes (sum of squared deviations), not E[x^2] - E[x]^2, which
            # cancels catastrophically when the mean is large compared to the spread.
            dev = np.subtract(arr, mean, dtype=np.float64)
            n = arr.shape[0]
            var = np.einsum("ij,ij->j", dev, dev) / n
            # NOTE: a variance within the round-off bound of its computation (n * eps * var
            # plus the mean's own error squared, scikit-learn's criterion) is noise, not
            # spread: such a column is treated as constant and left unscaled.
            eps = np.finfo(np.float64).eps
            constant = var <= n * eps * var + (n * mean * eps) ** 2
            if constant.any():  # rare: only then pay for the exact check, on those columns
                cols = np.flatnonzero(constant)
                sub = arr[:, cols]
                var[cols[sub.max(axis=0) == sub.min(axis=0)]] = 0.0  # exact, despite round-off
            scale = np.where(constant, 1.0, np.sqrt(var))
        elif not self.with_mean:
            mean = None
        self.mean_ = mean
        self.var_ = var
        self.scale_ = scale
        self.n_samples_seen_ = int(arr.shape[0])
        self.n_features_in_ = int(arr.shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray | Tensor:
        """Return ``(X - mean_) / scale_`` in ``X``'s float dtype.

        >>> StandardScaler().fit([[0.0], [4.0]]).transform([[6.0]]).tolist()
        [[2.0]]
        """
        arr, was_tensor, owned = self._check_input(X, "transform")
        if _needs_graph(X):
            out = X
            if self.with_mean:
                out = out - Tensor(self.mean_, dtype=arr.dtype)
            if self.with_std:
                out = out / Tensor(self.scale_, dtype=arr.dtype)
            return out
        out = self._out_buffer(arr, owned)
        if self.with_mean:
            np.subtract(arr, self.mean_, out=out, casting="same_kind")
        elif out is not arr:
            np.copyto(out, arr)
        if self.with_std:
            np.divide(out, self.scale_, out=out, casting="same_kind")
        return _wrap(out, was_tensor)

    def inverse_transform(self, X: Any) -> np.ndarray | Tensor:
        """Undo ``transform``: return ``X * scale_ + mean_``.

        >>> s = StandardScaler().fit([[0.0], [4.0]])
        >>> s.inverse_transform(s.transform([[3.0]])).tolist()
        [[3.0]]
        """
        arr, was_tensor, owned = self._check_input(X, "inverse_transform")
        if _needs_graph(X):
            out = X
            if self.with_std:
                out = out * Tensor(self.scale_, dtype=arr.dtype)
            if self.with_mean:
                out = out + Tensor(self.mean_, dtype=arr.dtype)
            return out
        out = self._out_buffer(arr, owned)
        if self.with_std:
            np.multiply(arr, self.scale_, out=out, casting="same_kind")
        elif out is not arr:
            np.copyto(out, arr)
        if self.with_mean:
            np.add(out, self.mean_, out=out, casting="same_kind")
        return _wrap(out, was_tensor)


class MinMaxScaler(_Scaler):
    """Scale each column linearly so that its fitted min and max map to ``feature_range``.

    Fitted attributes (float64): ``data_min_``, ``data_max_``, ``data_range_``, ``scale_``,
    ``min_`` (``transform(X) == X * scale_ + min_``), ``n_samples_seen_``, ``n_features_in_``.
    A constant column maps to ``feature_range[0]``. With ``clip=True`` transformed values
    outside the fitted range are clipped to ``feature_range``.

    >>> MinMaxScaler().fit_transform([[1.0], [3.0], [5.0]]).ravel().tolist()
    [0.0, 0.5, 1.0]
    """

    _fitted_attr = "n_features_in_"

    def __init__(self, feature_range: tuple[float, float] = (0, 1), clip: bool = False) -> None:
        try:
            lo, hi = feature_range
            lo, hi = float(lo), float(hi)
        except (TypeError, ValueError):
            raise TypeError(
                "MinMaxScaler: feature_range must be a pair of numbers (min, max), got "
                f"{feature_range!r}"
            ) from None
        if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
            raise ValueError(
                "MinMaxScaler: minimum of desired feature range must be smaller than maximum "
                f"(both finite), got feature_range={tuple(feature_range)!r}"
            )
        self.feature_range = tuple(feature_range)
        self.clip = bool(clip)

    def _params(self) -> dict[str, Any]:
        return {"feature_range": self.feature_range, "clip": self.clip}

    @staticmethod
    def _defaults() -> dict[str, Any]:
        return {"feature_range": (0, 1), "clip": False}

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Compute the per-column minimum and maximum of ``X``.

        >>> MinMaxScaler().fit([[1.0], [3.0]]).data_range_.tolist()
        [2.0]
        """
        arr, _, _ = _as_2d_float(X, "MinMaxScaler.fit", fitting=True)
        lo, hi = (float(v) for v in self.feature_range)
        data_min = arr.min(axis=0).astype(np.float64)
        data_max = arr.max(axis=0).astype(np.float64)
        data_range = data_max - data_min
        self.scale_ = (hi - lo) / _nonzero_scale(data_range)
        self.min_ = lo - data_min * self.scale_
        self.data_min_ = data_min
        self.data_max_ = data_max
        self.data_range_ = data_range
        self.n_samples_seen_ = int(arr.shape[0])
        self.n_features_in_ = int(arr.shape[1])
        return self

    def transform(self, X: Any) -> np.ndarray | Tensor:
        """Return ``X * scale_ + min_`` (clipped to ``feature_range`` if ``clip``).

        >>> MinMaxScaler((-1, 1)).fit([[0.0], [4.0]]).transform([[1.0]]).tolist()
        [[-0.5]]
        """
        arr, was_tensor, owned = self._check_input(X, "transform")
        if _needs_graph(X):
            out = X * Tensor(self.scale_, dtype=arr.dtype) + Tensor(self.min_, dtype=arr.dtype)
            if self.clip:
                out = out.clip(*(float(v) for v in self.feature_range))
            return out
        out = self._out_buffer(arr, owned)
        np.multiply(arr, self.scale_, out=out, casting="same_kind")
        np.add(out, self.min_, out=out, casting="same_kind")
        if self.clip:
            np.clip(out, *self.feature_range, out=out)
        return _wrap(out, was_tensor)

    def inverse_transform(self, X: Any) -> np.ndarray | Tensor:
        """Undo ``transform``: return ``(X - min_) / scale_``.

        >>> s = MinMaxScaler().fit([[0.0], [4.0]])
        >>> s.inverse_transform([[0.25]]).tolist()
        [[1.0]]
        """
        arr, was_tensor, owned = self._check_input(X, "inverse_transform")
        if _needs_graph(X):
            return (X - Tensor(self.min_, dtype=arr.dtype)) / Tensor(self.scale_, dtype=arr.dtype)
        out = self._out_buffer(arr, owned)
        np.subtract(arr, self.min_, out=out, casting="same_kind")
        np.divide(out, self.scale_, out=out, casting="same_kind")
        return _wrap(out, was_tensor)


# ---------------------------------------------------------------------------------------------
# datasets and loading
# ---------------------------------------------------------------------------------------------


class TensorDataset:
    """A dataset of Tensors that share their first dimension; item ``i`` is ``(t[i] for t)``.

    >>> import tinygrad_lite as tg
    >>> ds = TensorDataset(tg.zeros(4, 2), tg.arange(4))
    >>> len(ds), ds[1][1].item()
    (4, 1)
    """

    def __init__(self, *tensors: Tensor) -> None:
        if not tensors:
            raise ValueError("TensorDataset: needs at least one Tensor, got none")
        for i, t in enumerate(tensors):
            if not isinstance(t, Tensor):
                raise TypeError(
                    f"TensorDataset: argument {i} is a {type(t).__name__}, not a Tensor; "
                    "wrap it with tg.tensor(...) (or tg.from_numpy(...) to avoid a copy)"
                )
            if t.ndim == 0:
                raise ValueError(
                    f"TensorDataset: argument {i} is a 0-d Tensor; every Tensor needs a first "
                    "(sample) dimension"
                )
        sizes = [t.shape[0] for t in tensors]
        if len(set(sizes)) != 1:
            raise ValueError(
                "TensorDataset: all tensors must have the same size in dim 0 (the number of "
                f"samples), got sizes {sizes}"
            )
        self.tensors = tuple(tensors)

    def __len__(self) -> int:
        return self.tensors[0].shape[0]

    def __getitem__(self, index: Any) -> tuple[Tensor, ...]:
        if isinstance(index, (int, np.integer)) and not -len(self) <= index < len(self):
            raise IndexError(
                f"TensorDataset: index {index} is out of range for a dataset of {len(self)} samples"
            )
        return tuple(t[index] for t in self.tensors)

    def _batch(self, indices: np.ndarray) -> tuple[Tensor, ...]:
        """All samples at ``indices`` at once: one fancy index per tensor."""
        # NOTE: a tensor that requires grad is indexed through the graph (as PyTorch's
        # stacking would); plain data is sliced directly, which costs one copy and no node.
        return tuple(
            t[indices] if t.requires_grad else tg.from_numpy(t._data[indices]) for t in self.tensors
        )


def _collate(samples: Sequence[Any], first_index: int) -> Any:
    """Stack a list of samples (Tensors, arrays, numbers, or tuples of those) along dim 0."""
    first = samples[0]
    if isinstance(first, (tuple, list)):
        width = len(first)
        for k, s in enumerate(samples):
            if not isinstance(s, (tuple, list)) or len(s) != width:
                raise ValueError(
                    f"DataLoader: sample {first_index + k} has a different structure from "
                    f"sample {first_index} (expected a tuple of {width} fields); every "
                    "__getitem__ must return the same kind of item"
                )
        return tuple(_collate_field([s[j] for s in samples], first_index) for j in range(width))
    return _collate_field(list(samples), first_index)


def _collate_field(values: list[Any], first_index: int) -> Tensor:
    if all(isinstance(v, Tensor) for v in values):
        if any(v.requires_grad for v in values):
            return tg.stack(values)
        arrays = [v._data for v in values]
    elif any(isinstance(v, Tensor) for v in values):
        raise TypeError(
            f"DataLoader: the samples from index {first_index} mix Tensors and other types in "
            "one field; return the same type from every __getitem__"
        )
    elif all(isinstance(v, np.ndarray | np.generic) for v in values):
        arrays = values
    else:
        # Python numbers follow Tensor's rules (floats -> the default float dtype)
        return Tensor(values)
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(
            f"DataLoader: samples in the batch starting at index {first_index} have different "
            f"shapes {sorted(shapes)}; they must match to be stacked"
        )
    return tg.from_numpy(np.stack(arrays))


class DataLoader:
    """Iterate over a dataset in mini-batches of Tensors stacked along dim 0.

    Each batch is a tuple with one Tensor per field of the samples (a single Tensor when the
    dataset's items are single Tensors). A :class:`TensorDataset` is sliced with one fancy
    index per batch; any other object with ``__len__`` and ``__getitem__`` is read sample by
    sample and stacked. With ``shuffle=True`` every epoch draws a new permutation from
    tinygrad_lite's one generator, so ``tg.manual_seed`` makes the order reproducible.

    >>> import tinygrad_lite as tg
    >>> loader = DataLoader(TensorDataset(tg.arange(5)), batch_size=2)
    >>> [xb.tolist() for (xb,) in loader], len(loader)
    ([[0, 1], [2, 3], [4]], 3)
    """

    def __init__(
        self,
        dataset: Any,
        batch_size: int = 1,
        shuffle: bool = False,
        drop_last: bool = False,
    ) -> None:
        if (
            isinstance(batch_size, bool)
            or not isinstance(batch_size, (int, np.integer))
            or batch_size <= 0
        ):
            raise ValueError(
                f"DataLoader: batch_size should be a positive integer, got {batch_size!r}"
            )
        if not (hasattr(dataset, "__len__") and hasattr(dataset, "__getitem__")):
            raise TypeError(
                f"DataLoader: the dataset ({type(dataset).__name__}) must define __len__ and "
                "__getitem__; wrap Tensors in TensorDataset(x, y)"
            )
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)

    def __len__(self) -> int:
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[Any]:
        n = len(self.dataset)
        order = _random.generator().permutation(n) if self.shuffle else np.arange(n)
        stop = n - n % self.batch_size if self.drop_last else n
        fast = isinstance(self.dataset, TensorDataset)
        for start in range(0, stop, self.batch_size):
            idx = order[start : start + self.batch_size]
            if fast:
                yield self.dataset._batch(idx)
            else:
                yield _collate([self.dataset[int(i)] for i in idx], start)
