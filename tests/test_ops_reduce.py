"""Table-driven tests of the reductions (sum mean var std max min logsumexp) and softmaxes."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from op_table import Case, Row, expand_back, make_tests, norm_axes, torch_dims

import tinygrad_lite as tg


@st.composite
def reduce_cases(draw, min_count: int = 1):
    """A shape and an axis that is None, an int, a negative int or a tuple (mixed signs).

    ``keepdims`` is drawn, and ``alias`` picks the ``dim=``/``keepdim=`` spelling.
    ``min_count`` is the least number of elements each reduction must see.
    """
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    nd = len(shape)
    kind = draw(st.sampled_from(["none", "int", "neg", "tuple"] if nd else ["none"]))
    if kind == "none":
        axis = None
    elif kind == "int":
        axis = draw(st.integers(0, nd - 1))
    elif kind == "neg":
        axis = draw(st.integers(-nd, -1))
    else:
        axes = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
        axis = tuple(a - nd if draw(st.booleans()) else a for a in axes)
    count = int(np.prod([shape[a] for a in norm_axes(axis, nd)], dtype=np.int64))
    if count < min_count:  # NOTE: grow the first reduced axis rather than discard the draw
        first = norm_axes(axis, nd)
        shape = (
            (min_count,)
            if not first
            else tuple(min_count if i == first[0] else n for i, n in enumerate(shape))
        )
        axis = None if not first else axis
    params = {"axis": axis, "keepdims": draw(st.booleans()), "alias": draw(st.booleans())}
    return Case((shape,), params)


def _method(name, **extra):
    def fn(x, axis, keepdims, alias):
        kw = {"dim": axis, "keepdim": keepdims} if alias else {"axis": axis, "keepdims": keepdims}
        return getattr(x, name)(**kw, **extra)

    return fn


def _count(x, axis):
    return int(np.prod([x.shape[a] for a in norm_axes(axis, x.ndim)], dtype=np.int64))


def _logsumexp(x, axis, keepdims, **_):
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=norm_axes(axis, x.ndim))


def _max_grad(w, x, axis, keepdims, **_):
    """Ties share the gradient evenly (like torch.amax)."""
    hit = x == np.max(x, axis=axis, keepdims=True)
    return (expand_back(w, x.shape, axis, keepdims) * hit / hit.sum(axis=axis, keepdims=True),)


def _min_grad(w, x, axis, keepdims, **_):
    hit = x == np.min(x, axis=axis, keepdims=True)
    return (expand_back(w, x.shape, axis, keepdims) * hit / hit.sum(axis=axis, keepdims=True),)


def _var_grad(correction):
    def grad(w, x, axis, keepdims, **_):
        dx = x - np.mean(x, axis=axis, keepdims=True)
        g = expand_back(w, x.shape, axis, keepdims)
        return (g * 2 * dx / (_count(x, axis) - correction),)

    return grad


def _std_grad(correction):
    def grad(w, x, axis, keepdims, **_):
        dx = x - np.mean(x, axis=axis, keepdims=True)
        std = np.std(x, axis=axis, keepdims=True, ddof=correction)
        g = expand_back(w, x.shape, axis, keepdims)
        return (g * dx / ((_count(x, axis) - correction) * std),)

    return grad


def _torch_reduce(name, **extra):
    def call(th, x, axis, keepdims, **_):
        return getattr(th, name)(x, dim=torch_dims(axis, x.ndim), keepdim=keepdims, **extra)

    return call


REDUCE = [
    Row(
        "sum",
        _method("sum"),
        lambda x, axis, keepdims, **_: np.sum(x, axis, keepdims=keepdims),
        _torch_reduce("sum"),
        reduce_cases(),
        grad=lambda w, x, axis, keepdims, **_: (expand_back(w, x.shape, axis, keepdims),),
    ),
    Row(
        "mean",
        _method("mean"),
        lambda x, axis, keepdims, **_: np.mean(x, axis, keepdims=keepdims),
        _torch_reduce("mean"),
        reduce_cases(),
        grad=lambda w, x, axis, keepdims, **_: (
            expand_back(w, x.shape, axis, keepdims) / _count(x, axis),
        ),
    ),
    Row(
        "var",
        _method("var"),
        lambda x, axis, keepdims, **_: np.var(x, axis, keepdims=keepdims, ddof=1),
        _torch_reduce("var"),
        reduce_cases(min_count=2),
        grad=_var_grad(1),
    ),
    Row(
        "var_correction0",
        _method("var", correction=0),
        lambda x, axis, keepdims, **_: np.var(x, axis, keepdims=keepdims),
        _torch_reduce("var", correction=0),
        reduce_cases(min_count=2),
        grad=_var_grad(0),
    ),
    Row(
        "std",
        _method("std"),
        lambda x, axis, keepdims, **_: np.std(x, axis, keepdims=keepdims, ddof=1),
        _torch_reduce("std"),
        reduce_cases(min_count=2),
        grad=_std_grad(1),
    ),
    Row(
        "std_correction0",
        _method("std", correction=0),
        lambda x, axis, keepdims, **_: np.std(x, axis, keepdims=keepdims),
        _torch_reduce("std", correction=0),
        reduce_cases(min_count=2),
        grad=_std_grad(0),
    ),
    Row(
        "amax",
        _method("amax"),
        lambda x, axis, keepdims, **_: np.max(x, axis, keepdims=keepdims),
        _torch_reduce("amax"),
        reduce_cases(),
        ("grid",),
        grad=_max_grad,
    ),
    Row(
        "amin",
        _method("amin"),
        lambda x, axis, keepdims, **_: np.min(x, axis, keepdims=keepdims),
        _torch_reduce("amin"),
        reduce_cases(),
        ("grid",),
        grad=_min_grad,
    ),
    Row(
        "logsumexp",
        _method("logsumexp"),
        _logsumexp,
        _torch_reduce("logsumexp"),
        reduce_cases(),
        grad=lambda w, x, axis, keepdims, **_: (
            expand_back(w, x.shape, axis, keepdims)
            * np.exp(x - _logsumexp(x, axis, keepdims=True)),
        ),
    ),
]


@st.composite
def softmax_cases(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    return Case((shape,), {"axis": draw(st.integers(-len(shape), len(shape) - 1))})


def _softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


SOFTMAX = [
    Row(
        "softmax",
        lambda x, axis: x.softmax(axis),
        _softmax,
        lambda th, x, axis: th.softmax(x, dim=axis),
        softmax_cases(),
        grad=lambda w, x, axis: (
            _softmax(x, axis) * (w - np.sum(w * _softmax(x, axis), axis=axis, keepdims=True)),
        ),
    ),
    Row(
        "log_softmax",
        lambda x, axis: x.log_softmax(axis),
        lambda x, axis: x - _logsumexp(x, axis, keepdims=True),
        lambda th, x, axis: th.log_softmax(x, dim=axis),
        softmax_cases(),
        grad=lambda w, x, axis: (w - _softmax(x, axis) * np.sum(w, axis=axis, keepdims=True),),
    ),
]

ROWS = REDUCE + SOFTMAX
test_forward, test_backward, test_vs_torch, test_gradcheck, test_gradgradcheck = make_tests(ROWS)


# --------------------------------------------------------------------------- spelled out by hand

A = np.array([[1.0, 2.0, 6.0], [3.0, -3.0, 0.0]])


@pytest.mark.parametrize(
    "call,expected",
    [
        (lambda t: t.sum(), 9.0),
        (lambda t: t.sum(axis=1), [9.0, 0.0]),
        (lambda t: t.sum(dim=-1, keepdim=True), [[9.0], [0.0]]),
        (lambda t: t.sum(axis=(0, -1)), 9.0),
        (lambda t: t.mean(axis=0), [2.0, -0.5, 3.0]),
        (lambda t: t.var(axis=1), [7.0, 9.0]),
        (lambda t: t.var(axis=1, correction=0), [14.0 / 3.0, 6.0]),
        (lambda t: t.std(dim=0), [np.sqrt(2.0), np.sqrt(12.5), np.sqrt(18.0)]),
        (lambda t: t.amax(axis=0), [3.0, 2.0, 6.0]),
        (lambda t: t.amin(axis=-1, keepdims=True), [[1.0], [-3.0]]),
        (lambda t: t.logsumexp(axis=0), np.log(np.exp(A).sum(axis=0))),
    ],
)
def test_reduction_values_by_hand(call, expected):
    np.testing.assert_allclose(call(tg.Tensor(A)).numpy(), expected, rtol=1e-12)


def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log():
    t = tg.Tensor(A)
    s = t.softmax(1).numpy()
    np.testing.assert_allclose(s.sum(axis=1), [1.0, 1.0], rtol=1e-12)
    np.testing.assert_allclose(np.log(s), t.log_softmax(1).numpy(), rtol=1e-12)


def test_mean_gradient_by_hand():
    t = tg.Tensor(A, requires_grad=True)
    t.mean(axis=1).backward(tg.Tensor(np.array([3.0, -6.0])))
    np.testing.assert_array_equal(t.grad.numpy(), [[1.0, 1.0, 1.0], [-2.0, -2.0, -2.0]])


def test_max_with_a_dim_returns_values_and_indices():
    t = tg.Tensor(A)
    r = t.max(axis=1)
    assert isinstance(r, tg.return_types.max) and isinstance(r.values, tg.Tensor)
    np.testing.assert_array_equal(r.indices.numpy(), t.argmax(axis=1).numpy())
    assert isinstance(t.amax(axis=1), tg.Tensor)
    np.testing.assert_array_equal(t.argmax(axis=1).numpy(), [2, 0])
    np.testing.assert_array_equal(t.argmin(axis=1).numpy(), [0, 1])


# --------------------------------------------------------------------------- errors

A23 = tg.Tensor(np.ones((2, 3)))


@pytest.mark.parametrize(
    "call,error,pattern",
    [
        (lambda: A23.sum(axis=2), ValueError, r"sum: axis 2 is out of range.*2 dimension"),
        (lambda: A23.mean(axis=-3), ValueError, r"mean: axis -3 is out of range"),
        (lambda: A23.var(axis=(1, 1)), ValueError, r"var: axis \(1, 1\) repeats"),
        (lambda: A23.amax(axis=(0, -2)), ValueError, r"amax: axis \(0, -2\) repeats"),
        (lambda: A23.logsumexp(axis=3), ValueError, r"logsumexp: axis 3 is out of range"),
        (lambda: A23.softmax(2), ValueError, r"softmax: axis 2 is out of range"),
        (lambda: tg.Tensor(np.ones(0)).max(), ValueError, r"max: cannot reduce an empty"),
        (lambda: A23.sum(axis=0, dim=1), TypeError, r"sum.*either axis= or dim="),
        (lambda: A23.mean(keepdims=True, keepdim=False), TypeError, r"mean.*keepdims?="),
    ],
    ids=[
        "sum_axis_range",
        "mean_neg_axis_range",
        "var_repeated_axis",
        "max_repeated_axis",
        "logsumexp_axis_range",
        "softmax_axis_range",
        "max_empty",
        "sum_axis_and_dim",
        "mean_keepdims_and_keepdim",
    ],
)
def test_reduction_errors(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
