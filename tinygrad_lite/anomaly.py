"""``detect_anomaly``: find the op that first produced a NaN or Inf, forward or backward."""

from __future__ import annotations

import functools
import linecache
import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from . import function as _function

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class AnomalyError(RuntimeError):
    """Raised under ``detect_anomaly`` by the first op that turns finite inputs into NaN/Inf."""


def _user_line() -> str:
    """``file:line in function: code`` of the innermost caller outside tinygrad_lite."""
    frame = sys._getframe(2)
    while frame is not None:
        filename = os.path.abspath(frame.f_code.co_filename)
        if not filename.startswith(_PACKAGE_DIR + os.sep):
            code = linecache.getline(filename, frame.f_lineno).strip()
            return f"{filename}:{frame.f_lineno} in {frame.f_code.co_name}: {code}"
        frame = frame.f_back
    return "<unknown>"


def _array(value: Any) -> Any:
    # NOTE: not getattr(value, "data"): an ndarray's ._data is its raw memory buffer.
    return value._data if isinstance(value, _function.Tensor) else value


def _finite(value: Any) -> bool:
    data = _array(value)
    if isinstance(data, np.ndarray):
        return data.dtype.kind not in "fc" or bool(np.isfinite(data).all())
    if isinstance(data, (float, np.floating)):
        return bool(np.isfinite(data))
    return True


def _magnitude(value: Any) -> str:
    data = _array(value)
    if isinstance(data, np.ndarray) and data.size and data.dtype.kind in "biuf":
        return f"{float(np.max(np.abs(data))):.4g}"
    if isinstance(data, (int, float, np.number)):
        return f"{abs(float(data)):.4g}"
    return "-"


def _describe(values: Any) -> str:
    parts = []
    for v in values:
        if v is None:
            continue
        data = _array(v)
        shape = getattr(data, "shape", ())
        parts.append(f"shape {tuple(shape)} (max |x| = {_magnitude(v)})")
    return "; ".join(parts) or "no tensor inputs"


class _Checker:
    """The hooks the engine calls while anomaly detection is on."""

    @staticmethod
    def check_forward(ctx: Any, out: np.ndarray) -> None:
        ctx.source = _user_line()
        if _finite(out):
            return
        inputs = [t for t in ctx.inputs if t is not None]
        if all(_finite(t) for t in inputs):
            raise AnomalyError(
                f"detect_anomaly: {ctx.label} produced {_kind(out)} in the forward pass from "
                f"finite inputs: {_describe(inputs)}.\n  created at {ctx.source}\n"
                "Check the values this op received (e.g. log or division of 0, exp of a large "
                "number, unnormalized data or a learning rate that is too high)."
            )

    @staticmethod
    def check_backward(ctx: Any, g: Any, gin: Any) -> None:
        grads = gin if isinstance(gin, tuple) else (gin,)
        bad = [x for x in grads if x is not None and not _finite(x)]
        if not bad or not _finite(g):
            return
        saved = ctx.saved_tensors or ()
        if not all(_finite(s) for s in saved):
            return
        inputs = [t for t in ctx.inputs if t is not None]
        where = ctx.source or "<unknown> (the op was created before detect_anomaly was on)"
        raise AnomalyError(
            f"detect_anomaly: the backward of {ctx.label} produced {_kind(bad[0])} from a finite "
            f"incoming gradient (max |grad| = {_magnitude(g)}) and finite inputs: "
            f"{_describe(inputs)}.\n  the op was created at {where}\n"
            "Its derivative is infinite at these inputs (e.g. sqrt or log at 0, a division by a "
            "tiny number): keep its inputs away from that point."
        )


def _kind(value: Any) -> str:
    data = np.asarray(_array(value))
    return "NaN" if np.isnan(data).any() else "Inf"


class detect_anomaly:  # noqa: N801 (PyTorch's name)
    """Raise ``AnomalyError`` at the first op that produces NaN/Inf from finite inputs.

    Works as a context manager and as a decorator. While it is on, every op records the user's
    source line that created it (which costs time, so it is off by default).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> x = tg.tensor([0.0], requires_grad=True)
    >>> try:
    ...     with tg.detect_anomaly():
    ...         y = x.log()
    ... except tg.AnomalyError as e:
    ...     print(str(e).split(" in the")[0])
    detect_anomaly: Log produced Inf
    """

    def __enter__(self) -> detect_anomaly:
        self._prev = _function._anomaly
        _function._anomaly = _Checker
        return self

    def __exit__(self, *exc: object) -> None:
        _function._anomaly = self._prev

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with detect_anomaly():
                return func(*args, **kwargs)

        return wrapper
