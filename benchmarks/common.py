"""Shared building blocks: implementation names, cases, and the result cross-check."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

NUMPY = "numpy"
TG = "tinygrad_lite"
TORCH = "torch"
#: Every implementation, reference first: results of the others are compared with NumPy's.
IMPLS = (NUMPY, TG, TORCH)

Arrays = dict[str, np.ndarray]


class Runner(NamedTuple):
    """One ready-to-run instance of a workload: ``step()`` does the timed work once.

    >>> r = Runner(step=lambda: None, result=lambda: {})
    >>> r.result()
    {}
    """

    step: Callable[[], None]
    result: Callable[[], Arrays]


@dataclass
class Case:
    """A timed in-process workload with one builder per implementation.

    ``builders[impl]()`` returns a fresh :class:`Runner`; every builder starts from the same
    data and initial weights. Reported time per unit is seconds per ``step()`` divided by
    ``per`` (e.g. ``per=200`` for "microseconds per op" over a chain of 200 ops).

    >>> c = Case("noop", "us", {NUMPY: lambda: Runner(lambda: None, lambda: {})})
    >>> c.check_steps
    3
    """

    name: str
    unit: str
    builders: dict[str, Callable[[], Runner]]
    per: int = 1
    check_steps: int = 3
    rtol: float | dict[str, float] = 1e-4
    expect: Callable[[Arrays], list[str]] | None = None


@dataclass
class ProcCase:
    """A workload run once per process (depth, memory): ``python -m benchmarks.proc``.

    ``metrics`` maps a key of the subprocess's JSON answer to ``(label, unit)``; ``argv`` is
    passed to the workload's ``measure(impl, *argv)`` in the child.

    >>> ProcCase("D=10", "W4", ["10"], {"total_s": ("time", "s")}).rtol
    0.0001
    """

    name: str
    workload: str
    argv: list[str]
    metrics: dict[str, tuple[str, str]]
    rtol: float | dict[str, float] = 1e-4
    expect: Callable[[Arrays], list[str]] | None = None
    impls: tuple[str, ...] = field(default=IMPLS)
    max_rounds: int = 3


@dataclass
class CheckResult:
    """Outcome of comparing one implementation's results with the reference.

    >>> CheckResult("W1", "train", TG, True, 0.0, "").ok
    True
    """

    workload: str
    case: str
    impl: str
    ok: bool
    max_err: float
    message: str


def relative_error(got: np.ndarray, ref: np.ndarray) -> float:
    """Largest absolute difference, relative to the largest magnitude of the reference.

    A scale-relative error (not element-wise) so that float32 rounding on entries near zero
    does not count as a failure, while a wrong formula anywhere still does.

    >>> relative_error(np.array([1.0, 2.0]), np.array([1.0, 2.5]))
    0.2
    """
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    if got.shape != ref.shape:
        return float("inf")
    if not np.all(np.isfinite(got)) or not np.all(np.isfinite(ref)):
        return float("inf")
    if ref.size == 0:
        return 0.0
    scale = max(float(np.max(np.abs(ref))), 1e-12)
    return float(np.max(np.abs(got - ref)) / scale)


def tolerance(rtol: float | dict[str, float], key: str) -> float:
    """The tolerance for result ``key``: ``rtol`` itself, or its longest matching prefix.

    >>> tolerance({"": 1e-4, "grad": 1e-5}, "grad w"), tolerance({"": 1e-4}, "w")
    (1e-05, 0.0001)
    """
    if not isinstance(rtol, dict):
        return rtol
    best = max((p for p in rtol if key.startswith(p)), key=len)
    return rtol[best]


def compare(got: Arrays, ref: Arrays, rtol: float | dict[str, float]) -> tuple[bool, float, str]:
    """Compare every named array of ``got`` with ``ref``; ok when each error is within tolerance.

    ``rtol`` is one tolerance or a dict from key prefix to tolerance (``""`` the default).

    >>> compare({"w": np.ones(2)}, {"w": np.ones(2)}, 1e-6)
    (True, 0.0, '')
    """
    missing = sorted(set(ref) - set(got))
    if missing:
        return False, float("inf"), f"missing results {missing}"
    worst, worst_key, bad = 0.0, "", []
    for key, want in ref.items():
        have = np.asarray(got[key])
        if have.shape != np.shape(want) or have.dtype != np.asarray(want).dtype:
            # NOTE: float32 in must give float32 out (API.md); a silent upcast is a failure.
            bad.append(
                f"{key}: {have.dtype}{list(have.shape)} != {np.asarray(want).dtype}"
                f"{list(np.shape(want))}"
            )
            worst = float("inf")
            continue
        err = relative_error(have, want)
        if err > worst or not worst_key:
            worst, worst_key = max(err, worst), key
        tol = tolerance(rtol, key)
        if not err <= tol:
            bad.append(f"{key}: relative error {err:.3g} > {tol:g}")
    return not bad, worst, "; ".join(bad)


def load_torch():
    """Import torch pinned to one thread (intra- and inter-op), as every side gets one core.

    >>> import importlib.util
    >>> load_torch() is None or load_torch().get_num_threads() == 1  # doctest: +SKIP
    True
    """
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # NOTE: only settable before torch's first parallel work; harmless if too late
    return torch


def torch_available() -> bool:
    """True when torch can be imported (without importing it).

    >>> isinstance(torch_available(), bool)
    True
    """
    import importlib.util

    return importlib.util.find_spec("torch") is not None


def to_numpy(value) -> np.ndarray:
    """A detached NumPy copy of a tinygrad_lite/torch tensor or an array.

    >>> to_numpy(np.arange(2)).tolist()
    [0, 1]
    """
    if isinstance(value, np.ndarray):
        return value.copy()
    if hasattr(value, "detach"):  # torch (tinygrad_lite's .detach() gives a Tensor too)
        value = value.detach()
    if hasattr(value, "cpu"):
        value = value.cpu()
    return np.array(value.numpy(), copy=True)
