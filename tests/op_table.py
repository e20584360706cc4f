"""The op table's machinery: rows, value domains, shape strategies and the five checks per row.

A test file lists its rows (one per op or op variant) and calls ``make_tests(rows)``; the
returned test functions check, for every row and every hypothesis example:

1. the forward against the NumPy formula, in float32 and float64 (float32 in -> float32 out);
2. the backward under a random upstream gradient ``w`` (loss ``(out * w).sum()``) against the
   row's analytic NumPy gradient, in float32 and float64;
3. forward and backward against PyTorch (marked ``torch``), with loss ``((out + 1) ** 2).mean()``;
4. ``tg.gradcheck`` in float64;
5. ``tg.gradgradcheck`` in float64, plus an independent directional second-derivative check.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg

# NOTE: the function-scoped fixtures (seed/dtype reset, torch) hold no per-example state.
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# Tolerances of a result computed from float-rounded inputs against the float64 formula.
TOL = {
    np.dtype(np.float32): {"rtol": 1e-4, "atol": 1e-5},
    np.dtype(np.float64): {"rtol": 1e-9, "atol": 1e-12},
}


@dataclass(frozen=True)
class Case:
    """One drawn example: the input shapes and the op's keyword parameters."""

    shapes: tuple[tuple[int, ...], ...]
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    """One op of the table.

    ``fn(*tensors, **params)`` is the tinygrad_lite call, ``ref(*arrays, **params)`` the NumPy
    formula, ``torch(th, *tensors, **params)`` the PyTorch call (``th`` is the torch module),
    ``grad(w, *arrays, **params)`` the analytic gradient of ``(ref(...) * w).sum()`` for each
    differentiable input. ``domains`` names the value domain of each input (the last entry
    repeats for further inputs); ``"bool"`` inputs are constant masks, never differentiated.
    """

    name: str
    fn: Callable[..., Any]
    ref: Callable[..., Any]
    torch: Callable[..., Any] | None
    cases: st.SearchStrategy[Case]
    domains: tuple[str, ...] = ("real",)
    grad: Callable[..., tuple[np.ndarray, ...]] | None = None
    second_order: bool = True


def same(op: Callable[..., Any]) -> Callable[..., Any]:
    """Torch callable for an op spelled identically on torch tensors (operators, methods)."""
    return lambda th, *xs, **params: op(*xs, **params)


# --------------------------------------------------------------------------- value domains


def domain_of(row: Row, i: int) -> str:
    """The value domain of input ``i`` (the last listed domain repeats)."""
    return row.domains[min(i, len(row.domains) - 1)]


def values(domain: str, shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Float64 (or bool) values of one domain."""
    size = int(np.prod(shape, dtype=np.int64))
    if domain == "real":
        return rng.uniform(-2.0, 2.0, shape)
    if domain == "pos":  # log, sqrt, the base of a tensor power
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":  # NOTE: away from the kinks at 0 (relu, abs) and from poles of 1/x
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.25, 2.0, shape)
    if domain in ("grid", "grid_b"):
        # NOTE: distinct values 0.1 apart: no ties for max/min, and "grid" (k/10 + 0.05) stays
        # 0.05 away from 0, +-0.5 (the clip bounds) and from every "grid_b" value (k/10), so a
        # finite difference never straddles a kink.
        k = rng.choice(np.arange(-size - 8, size + 8), size=size, replace=False)
        offset = 0.05 if domain == "grid" else 0.0
        return (k * 0.1 + offset).reshape(shape)
    if domain == "bool":
        return rng.random(shape) < 0.5
    raise ValueError(f"unknown domain {domain!r}")


def make_arrays(row: Row, case: Case, seed: int) -> list[np.ndarray]:
    """The float64 (or bool) input arrays of one example."""
    rng = np.random.default_rng(seed)
    return [np.asarray(values(domain_of(row, i), s, rng)) for i, s in enumerate(case.shapes)]


def is_diff(row: Row, i: int) -> bool:
    """Whether input ``i`` is differentiated (bool masks are not)."""
    return domain_of(row, i) != "bool"


def cast(row: Row, arrays: list[np.ndarray], dtype: Any) -> list[np.ndarray]:
    """The arrays with every differentiable input cast to ``dtype``."""
    return [a.astype(dtype) if is_diff(row, i) else a for i, a in enumerate(arrays)]


def bind(row: Row, case: Case, arrays: list[np.ndarray]) -> Callable[..., Any]:
    """``fn`` of the differentiable inputs only; constant (bool) inputs are closed over."""
    consts = {i: tg.Tensor(a) for i, a in enumerate(arrays) if not is_diff(row, i)}

    def f(*xs: Any) -> Any:
        it = iter(xs)
        args = [consts[i] if i in consts else next(it) for i in range(len(arrays))]
        return row.fn(*args, **case.params)

    return f


# --------------------------------------------------------------------------- NumPy helpers


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` down to ``shape`` (the adjoint of broadcasting)."""
    g = np.asarray(g)
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead))) if lead else g
    keep = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=keep, keepdims=True) if keep else g


def norm_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """``axis`` (None, int or tuple, maybe negative) as sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % ndim for a in axes))


def expand_back(g: np.ndarray, shape: tuple[int, ...], axis: Any, keepdims: bool) -> np.ndarray:
    """Broadcast a reduction's gradient back to the input shape."""
    g = np.asarray(g)
    if not keepdims:
        g = np.expand_dims(g, norm_axes(axis, len(shape))) if shape else g
    return np.broadcast_to(g, shape)


def torch_dims(axis: Any, ndim: int) -> Any:
    """``axis`` spelled for torch, which has no ``dim=None`` for every reduction."""
    return tuple(range(ndim)) if axis is None else axis


def selection_grad(ref: Callable[..., Any]) -> Callable[..., tuple[np.ndarray, ...]]:
    """Analytic gradient of an op that only moves/copies elements (shape ops, indexing, cat).

    Running ``ref`` on arrays of element ids tells which input element each output element
    came from; the gradient scatter-adds the upstream gradient there (so repeats accumulate).
    """

    def grad(w: np.ndarray, *arrays: np.ndarray, **params: Any) -> tuple[np.ndarray, ...]:
        offsets = np.cumsum([0] + [a.size for a in arrays])
        ids = [np.arange(o, o + a.size).reshape(a.shape) for o, a in zip(offsets, arrays)]
        picked = np.asarray(ref(*ids, **params))
        flat = np.bincount(
            picked.ravel(),
            weights=np.broadcast_to(w, picked.shape).ravel(),
            minlength=int(offsets[-1]),
        )
        return tuple(flat[o : o + a.size].reshape(a.shape) for o, a in zip(offsets, arrays))

    return grad


# --------------------------------------------------------------------------- shape strategies

# The named shapes of the plan always take part; hypothesis adds the rest.
NAMED_SHAPES = [(), (4,), (3, 4), (1, 4)]
SHAPES = st.one_of(
    st.sampled_from(NAMED_SHAPES),
    hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4),
)
NAMED_PAIRS = [((), (3,)), ((3, 4), (4,)), ((1, 4), (3, 1)), ((2, 3, 4), (3, 1)), ((3, 4), ())]


def unary_cases() -> st.SearchStrategy[Case]:
    return SHAPES.map(lambda s: Case((s,)))


def broadcast_cases(n: int = 2) -> st.SearchStrategy[Case]:
    """``n`` mutually broadcastable shapes (0-d, (n,), (m, n), (1, n) ... up to 3-D)."""
    drawn = hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=0, max_dims=3, min_side=1, max_side=4
    ).map(lambda b: Case(tuple(b.input_shapes)))
    if n != 2:
        return drawn
    return st.one_of(st.sampled_from([Case(p) for p in NAMED_PAIRS]), drawn)


# --------------------------------------------------------------------------- the checks


def check_forward(row: Row, case: Case, seed: int) -> None:
    """Forward equals the NumPy formula in float32 and float64, keeping the dtype."""
    arrays = make_arrays(row, case, seed)
    for dtype in (np.float32, np.float64):
        ins = cast(row, arrays, dtype)
        out = row.fn(*[tg.Tensor(a) for a in ins], **case.params)
        ref_in = cast(row, ins, np.float64)
        expected = np.asarray(row.ref(*ref_in, **case.params))
        assert isinstance(out, tg.Tensor), f"{row.name} returned {type(out).__name__}"
        assert out.shape == expected.shape, f"{row.name}: shape {out.shape} != {expected.shape}"
        assert out.dtype == dtype, f"{row.name}: {np.dtype(dtype).name} in gave {out.dtype} out"
        np.testing.assert_allclose(out.numpy(), expected, **TOL[np.dtype(dtype)])


def check_backward(row: Row, case: Case, seed: int) -> None:
    """Gradients of ``(out * w).sum()`` equal the analytic ones, with the inputs' dtype."""
    arrays = make_arrays(row, case, seed)
    for dtype in (np.float32, np.float64):
        ins = cast(row, arrays, dtype)
        tensors = [tg.Tensor(a, requires_grad=is_diff(row, i)) for i, a in enumerate(ins)]
        out = row.fn(*tensors, **case.params)
        w = np.random.default_rng(seed + 1).standard_normal(out.shape)
        (out * tg.Tensor(w.astype(dtype))).sum().backward()
        ref_in = cast(row, ins, np.float64)
        expected = row.grad(w, *ref_in, **case.params)
        diff = [t for i, t in enumerate(tensors) if is_diff(row, i)]
        assert len(expected) == len(diff)
        for k, (t, g) in enumerate(zip(diff, expected)):
            assert t.grad is not None, f"{row.name}: input {k} got no gradient"
            assert t.grad.shape == t.shape, f"{row.name}: grad {k} shape {t.grad.shape}"
            assert t.grad.dtype == dtype, f"{row.name}: grad {k} dtype {t.grad.dtype}"
            np.testing.assert_allclose(
                t.grad.numpy(),
                np.broadcast_to(g, t.shape),
                **TOL[np.dtype(dtype)],
                err_msg=f"{row.name}: gradient of input {k}",
            )


def check_torch(row: Row, case: Case, seed: int, th: Any) -> None:
    """Forward and gradients of ``((out + 1) ** 2).mean()`` equal PyTorch's (float64)."""
    arrays = make_arrays(row, case, seed)
    tensors = [tg.Tensor(a, requires_grad=is_diff(row, i)) for i, a in enumerate(arrays)]
    t_tensors = [th.tensor(a, requires_grad=is_diff(row, i)) for i, a in enumerate(arrays)]
    out = row.fn(*tensors, **case.params)
    t_out = row.torch(th, *t_tensors, **case.params)
    np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-9, atol=1e-12)
    ((out + 1) ** 2).mean().backward()
    ((t_out + 1) ** 2).mean().backward()
    for i, (t, tt) in enumerate(zip(tensors, t_tensors)):
        if is_diff(row, i):
            assert t.grad is not None, f"{row.name}: input {i} got no gradient"
            np.testing.assert_allclose(
                t.grad.numpy(),
                tt.grad.numpy(),
                rtol=1e-9,
                atol=1e-12,
                err_msg=f"{row.name}: gradient of input {i} vs torch",
            )


def diff_inputs(row: Row, arrays: list[np.ndarray]) -> tuple[Any, ...]:
    """The differentiable inputs as float64 leaves that require grad."""
    return tuple(
        tg.Tensor(a.astype(np.float64), requires_grad=True)
        for i, a in enumerate(arrays)
        if is_diff(row, i)
    )


def check_gradcheck(row: Row, case: Case, seed: int) -> None:
    """``tg.gradcheck`` passes in float64."""
    arrays = make_arrays(row, case, seed)
    assert tg.gradcheck(bind(row, case, arrays), diff_inputs(row, arrays)) is True


def check_gradgradcheck(row: Row, case: Case, seed: int) -> None:
    """``tg.gradgradcheck`` passes in float64, and so does the directional check."""
    arrays = make_arrays(row, case, seed)
    assert tg.gradgradcheck(bind(row, case, arrays), diff_inputs(row, arrays)) is True
    check_second_directional(row, case, seed)


def check_second_directional(row: Row, case: Case, seed: int) -> None:
    """Second order without gradgradcheck: a directional derivative of ``u . grad(v . f)``.

    The double-backward value ``d . grad_x(u . grad_x(v . f))`` must equal the central
    difference of the plain first-order ``u . grad_x(v . f)(x + t d)`` in ``t``. A backward that
    leaves the graph under ``create_graph`` gives 0 here and fails.
    """
    arrays = make_arrays(row, case, seed)
    f = bind(row, case, arrays)
    xs = diff_inputs(row, arrays)
    rng = np.random.default_rng(seed + 2)
    out = f(*xs)
    v = tg.Tensor(rng.standard_normal(out.shape))
    us = [rng.standard_normal(x.shape) for x in xs]
    ds = [rng.standard_normal(x.shape) for x in xs]
    gs = tg.grad([out], list(xs), [v], create_graph=True)
    # NOTE: the `x * 0` terms keep every input in the graph, so tg.grad never sees it unused
    s = sum((g * tg.Tensor(u)).sum() for g, u in zip(gs, us)) + sum((x * 0.0).sum() for x in xs)
    analytic = sum(float((h.numpy() * d).sum()) for h, d in zip(tg.grad(s, list(xs)), ds))

    def first_order(t: float) -> float:
        ys = [tg.Tensor(x.numpy() + t * d, requires_grad=True) for x, d in zip(xs, ds)]
        return sum(float((g.numpy() * u).sum()) for g, u in zip(tg.grad([f(*ys)], ys, [v]), us))

    eps = 1e-6
    numeric = (first_order(eps) - first_order(-eps)) / (2 * eps)
    assert abs(analytic - numeric) <= 1e-5 + 1e-4 * abs(numeric), (
        f"{row.name}: second derivative along a random direction is {analytic}, "
        f"finite differences give {numeric}"
    )


# --------------------------------------------------------------------------- test factory


def _draw(row: Row, data: st.DataObject) -> tuple[Case, int]:
    """One case of the row and a seed for its values."""
    return data.draw(row.cases, label="case"), data.draw(st.integers(0, 2**31), label="seed")


def make_tests(rows: list[Row]) -> tuple[Callable[..., None], ...]:
    """The five table tests, parametrized over ``rows``; assign them to ``test_*`` names."""
    by_row = pytest.mark.parametrize("row", rows, ids=[r.name for r in rows])
    with_torch = [r for r in rows if r.torch is not None]
    by_torch_row = pytest.mark.parametrize("row", with_torch, ids=[r.name for r in with_torch])
    second = [r for r in rows if r.second_order]
    by_second_row = pytest.mark.parametrize("row", second, ids=[r.name for r in second])

    @by_row
    @SETTINGS
    @given(data=st.data())
    def test_forward(row: Row, data: st.DataObject) -> None:
        check_forward(row, *_draw(row, data))

    @by_row
    @SETTINGS
    @given(data=st.data())
    def test_backward(row: Row, data: st.DataObject) -> None:
        check_backward(row, *_draw(row, data))

    @pytest.mark.torch
    @by_torch_row
    @SETTINGS
    @given(data=st.data())
    def test_vs_torch(row: Row, torch: Any, data: st.DataObject) -> None:
        check_torch(row, *_draw(row, data), torch)

    @by_row
    @SETTINGS
    @given(data=st.data())
    def test_gradcheck(row: Row, data: st.DataObject) -> None:
        check_gradcheck(row, *_draw(row, data))

    @by_second_row
    @SETTINGS
    @given(data=st.data())
    def test_gradgradcheck(row: Row, data: st.DataObject) -> None:
        check_gradgradcheck(row, *_draw(row, data))

    return test_forward, test_backward, test_vs_torch, test_gradcheck, test_gradgradcheck
