"""Table-driven tests of the elementwise ops and matmul, plus kinks, stability and integer inputs.

Reductions, shape ops and indexing have their own tables in test_ops_reduce.py,
test_ops_shape.py and test_ops_index.py; the machinery lives in op_table.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from op_table import (
    Case,
    Row,
    broadcast_cases,
    make_tests,
    same,
    unary_cases,
    unbroadcast,
)

import tinygrad_lite as tg


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _unary(name, fn, ref, torch, domain, dref, **kw):
    """A row for ``y = f(x)`` whose gradient is ``w * f'(x)`` (``dref`` gives ``f'``)."""
    return Row(
        name,
        fn,
        ref,
        torch,
        unary_cases(),
        (domain,),
        grad=lambda w, x: (w * dref(x),),
        **kw,
    )


UNARY = [
    _unary(
        "neg", lambda x: -x, lambda x: -x, same(lambda x: -x), "real", lambda x: -np.ones_like(x)
    ),
    _unary("exp", lambda x: x.exp(), np.exp, lambda th, x: th.exp(x), "real", np.exp),
    _unary("log", lambda x: x.log(), np.log, lambda th, x: th.log(x), "pos", lambda x: 1 / x),
    _unary(
        "sqrt",
        lambda x: x.sqrt(),
        np.sqrt,
        lambda th, x: th.sqrt(x),
        "pos",
        lambda x: 0.5 / np.sqrt(x),
    ),
    _unary("abs", lambda x: x.abs(), np.abs, lambda th, x: th.abs(x), "nonzero", np.sign),
    _unary("sin", lambda x: x.sin(), np.sin, lambda th, x: th.sin(x), "real", np.cos),
    _unary("cos", lambda x: x.cos(), np.cos, lambda th, x: th.cos(x), "real", lambda x: -np.sin(x)),
    _unary(
        "tanh",
        lambda x: x.tanh(),
        np.tanh,
        lambda th, x: th.tanh(x),
        "real",
        lambda x: 1 - np.tanh(x) ** 2,
    ),
    _unary(
        "sigmoid",
        lambda x: x.sigmoid(),
        _sigmoid,
        lambda th, x: th.sigmoid(x),
        "real",
        lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    ),
    _unary(
        "relu",
        lambda x: x.relu(),
        lambda x: np.maximum(x, 0),
        lambda th, x: th.relu(x),
        "nonzero",
        lambda x: (x > 0).astype(x.dtype),
    ),
    _unary(
        "leaky_relu",
        lambda x: x.leaky_relu(),
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda th, x: th.nn.functional.leaky_relu(x),
        "nonzero",
        lambda x: np.where(x > 0, 1.0, 0.01),
    ),
    _unary(
        "leaky_relu_0.2",
        lambda x: x.leaky_relu(negative_slope=0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda th, x: th.nn.functional.leaky_relu(x, negative_slope=0.2),
        "nonzero",
        lambda x: np.where(x > 0, 1.0, 0.2),
    ),
    _unary(
        "clip",
        lambda x: x.clip(-0.5, 0.5),
        lambda x: np.clip(x, -0.5, 0.5),
        lambda th, x: th.clamp(x, -0.5, 0.5),
        "grid",
        lambda x: ((x >= -0.5) & (x <= 0.5)).astype(x.dtype),
    ),
    _unary(
        "clip_min_only",
        lambda x: x.clip(-0.5, None),
        lambda x: np.maximum(x, -0.5),
        lambda th, x: th.clamp(x, min=-0.5),
        "grid",
        lambda x: (x >= -0.5).astype(x.dtype),
    ),
    _unary(
        "clip_max_only",
        lambda x: x.clip(None, 0.5),
        lambda x: np.minimum(x, 0.5),
        lambda th, x: th.clamp(x, max=0.5),
        "grid",
        lambda x: (x <= 0.5).astype(x.dtype),
    ),
]

# Python numbers on either side of an operator; `op` is spelled the same for all three libraries.
_NUMBER_OPS = [
    ("add_num", lambda x: x + 1.5, "real", lambda x: 1.0),
    ("radd_num", lambda x: 1.5 + x, "real", lambda x: 1.0),
    ("sub_num", lambda x: x - 1.5, "real", lambda x: 1.0),
    ("rsub_num", lambda x: 1.5 - x, "real", lambda x: -1.0),
    ("mul_num", lambda x: x * 2.5, "real", lambda x: 2.5),
    ("rmul_num", lambda x: 2.5 * x, "real", lambda x: 2.5),
    ("mul_int", lambda x: x * 3, "real", lambda x: 3.0),
    ("div_num", lambda x: x / 2.5, "real", lambda x: 0.4),
    ("rdiv_num", lambda x: 2.5 / x, "nonzero", lambda x: -2.5 / x**2),
    ("pow_2", lambda x: x**2, "real", lambda x: 2 * x),
    ("pow_3", lambda x: x**3, "real", lambda x: 3 * x**2),
    ("pow_half", lambda x: x**0.5, "pos", lambda x: 0.5 * x**-0.5),
    ("pow_neg", lambda x: x**-1.5, "pos", lambda x: -1.5 * x**-2.5),
    ("rpow_num", lambda x: 2.0**x, "real", lambda x: np.log(2.0) * 2.0**x),
]
NUMBER = [_unary(name, op, op, same(op), dom, d) for name, op, dom, d in _NUMBER_OPS]


def _binary(name, op, domains, grad, torch=None, fn=None):
    return Row(name, fn or op, op, torch or same(op), broadcast_cases(2), domains, grad=grad)


def _tie_split(a, b):
    """d max(a, b) / da: 1 where a wins, 0.5 at a tie (like torch.maximum)."""
    return (a > b) + 0.5 * (a == b)


BINARY = [
    _binary(
        "add",
        lambda a, b: a + b,
        ("real",),
        lambda w, a, b: (unbroadcast(w, a.shape), unbroadcast(w, b.shape)),
    ),
    _binary(
        "sub",
        lambda a, b: a - b,
        ("real",),
        lambda w, a, b: (unbroadcast(w, a.shape), unbroadcast(-w, b.shape)),
    ),
    _binary(
        "mul",
        lambda a, b: a * b,
        ("real",),
        lambda w, a, b: (unbroadcast(w * b, a.shape), unbroadcast(w * a, b.shape)),
    ),
    _binary(
        "div",
        lambda a, b: a / b,
        ("real", "nonzero"),
        lambda w, a, b: (unbroadcast(w / b, a.shape), unbroadcast(-w * a / b**2, b.shape)),
    ),
    _binary(
        "pow",
        lambda a, b: a**b,
        ("pos", "real"),
        lambda w, a, b: (
            unbroadcast(w * b * a ** (b - 1), a.shape),
            unbroadcast(w * a**b * np.log(a), b.shape),
        ),
    ),
    _binary(
        "maximum",
        np.maximum,
        ("grid", "grid_b"),
        lambda w, a, b: (
            unbroadcast(w * _tie_split(a, b), a.shape),
            unbroadcast(w * _tie_split(b, a), b.shape),
        ),
        torch=lambda th, a, b: th.maximum(a, b),
        fn=lambda a, b: tg.maximum(a, b),
    ),
    _binary(
        "minimum",
        np.minimum,
        ("grid", "grid_b"),
        lambda w, a, b: (
            unbroadcast(w * _tie_split(b, a), a.shape),
            unbroadcast(w * _tie_split(a, b), b.shape),
        ),
        torch=lambda th, a, b: th.minimum(a, b),
        fn=lambda a, b: tg.minimum(a, b),
    ),
]

WHERE = [
    Row(
        "where",
        lambda c, a, b: tg.where(c, a, b),
        np.where,
        lambda th, c, a, b: th.where(c, a, b),
        broadcast_cases(3),
        ("bool", "real"),
        grad=lambda w, c, a, b: (
            unbroadcast(np.where(c, w, 0.0), a.shape),
            unbroadcast(np.where(c, 0.0, w), b.shape),
        ),
    ),
    Row(
        "where_num",
        lambda c, a: tg.where(c, a, 0.0),
        lambda c, a: np.where(c, a, 0.0),
        lambda th, c, a: th.where(c, a, 0.0),
        broadcast_cases(2),
        ("bool", "real"),
        grad=lambda w, c, a: (unbroadcast(np.where(c, w, 0.0), a.shape),),
    ),
]


@st.composite
def matmul_cases(draw):
    """1-D, 2-D and batched (also broadcast-batched) operand shapes."""
    b, c, m, k, n = (draw(st.integers(1, 3)) for _ in range(5))
    pairs = {
        "vec@vec": ((k,), (k,)),
        "mat@vec": ((m, k), (k,)),
        "vec@mat": ((k,), (k, n)),
        "mat@mat": ((m, k), (k, n)),
        "row@mat": ((1, k), (k, n)),
        "bat@mat": ((b, m, k), (k, n)),
        "mat@bat": ((m, k), (b, k, n)),
        "bat@bat": ((b, m, k), (b, k, n)),
        "bcast": ((1, m, k), (b, k, n)),
        "bcast4": ((b, 1, m, k), (c, k, n)),
        "bat@vec": ((b, m, k), (k,)),
        "vec@bat": ((k,), (b, k, n)),
    }
    return Case(pairs[draw(st.sampled_from(sorted(pairs)))])


def _matmul_grad(w, a, b):
    # NOTE: 1-D operands are promoted to matrices and the added axis removed again, as NumPy does
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g = w[..., None] if b.ndim == 1 else w
    g = np.expand_dims(g, -2) if a.ndim == 1 else g
    ga = g @ np.swapaxes(b2, -1, -2)
    gb = np.swapaxes(a2, -1, -2) @ g
    return unbroadcast(ga, a2.shape).reshape(a.shape), unbroadcast(gb, b2.shape).reshape(b.shape)


MATMUL = [
    Row(
        "matmul",
        lambda a, b: a @ b,
        np.matmul,
        same(lambda a, b: a @ b),
        matmul_cases(),
        grad=_matmul_grad,
    ),
]

ROWS = UNARY + NUMBER + BINARY + WHERE + MATMUL
test_forward, test_backward, test_vs_torch, test_gradcheck, test_gradgradcheck = make_tests(ROWS)


# --------------------------------------------------------------------------- method/function forms

X = np.array([[0.3, -1.2, 0.7], [1.1, 0.45, -0.25]])
Y = np.array([[0.6, 0.2, -0.9], [-0.35, 1.3, 0.15]])


@pytest.mark.parametrize(
    "name,args",
    [
        ("exp", ()),
        ("sin", ()),
        ("cos", ()),
        ("tanh", ()),
        ("sigmoid", ()),
        ("relu", ()),
        ("abs", ()),
        ("clip", (-0.5, 0.5)),
        ("maximum", (Y,)),
        ("minimum", (Y,)),
        ("matmul", (Y.T,)),
    ],
)
def test_function_form_equals_method(name, args):
    """Each op is a Tensor method and (where torch has one) a ``tg.`` function, alike."""
    x = tg.Tensor(X)
    targs = [tg.Tensor(a) if isinstance(a, np.ndarray) else a for a in args]
    by_method = getattr(x, name)(*targs)
    by_function = getattr(tg, name)(x, *targs)
    np.testing.assert_array_equal(by_method.numpy(), by_function.numpy())


@pytest.mark.parametrize("name", ["log", "sqrt"])
def test_function_form_positive_domain(name):
    x = tg.Tensor(np.abs(X) + 0.1)
    np.testing.assert_array_equal(getattr(x, name)().numpy(), getattr(tg, name)(x).numpy())


def test_matmul_operator_method_and_function_agree_with_numpy():
    a, b = tg.Tensor(X), tg.Tensor(Y.T)
    for out in (a @ b, a.matmul(b), tg.matmul(a, b)):
        np.testing.assert_allclose(out.numpy(), X @ Y.T, rtol=1e-12)


def test_where_takes_bool_tensor_cond_without_gradient():
    cond = tg.Tensor(X > 0)
    a = tg.Tensor(X, requires_grad=True)
    tg.where(cond, a, -a).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.where(X > 0, 1.0, -1.0))


# --------------------------------------------------------------------------- kinks

KINK_X = np.array([-1.0, 0.0, 2.0])


def _grad_of(f, x, w=None):
    t = tg.Tensor(x, requires_grad=True)
    out = f(t)
    out.backward(tg.Tensor(np.ones(out.shape) if w is None else w))
    return t.grad.numpy()


@pytest.mark.parametrize(
    "name,f,expected",
    [
        ("relu", lambda t: t.relu(), [0.0, 0.0, 1.0]),
        ("abs", lambda t: t.abs(), [-1.0, 0.0, 1.0]),
        ("leaky_relu", lambda t: t.leaky_relu(), [0.01, 0.01, 1.0]),
        ("leaky_relu_0.2", lambda t: t.leaky_relu(negative_slope=0.2), [0.2, 0.2, 1.0]),
    ],
)
def test_subgradient_at_zero(name, f, expected):
    """relu'(0) = 0, abs'(0) = 0, leaky_relu'(0) = negative_slope (PyTorch's choices)."""
    np.testing.assert_array_equal(_grad_of(f, KINK_X), expected)


def test_clip_gradient_is_one_at_the_bounds():
    x = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
    np.testing.assert_array_equal(_grad_of(lambda t: t.clip(-0.5, 0.5), x), [0, 1, 1, 1, 0])


def test_maximum_minimum_split_ties_evenly():
    a_np, b_np = np.array([1.0, 2.0, 3.0]), np.array([1.0, 0.0, 3.0])
    for op, ga, gb in [
        (tg.maximum, [0.5, 1.0, 0.5], [0.5, 0.0, 0.5]),
        (tg.minimum, [0.5, 0.0, 0.5], [0.5, 1.0, 0.5]),
    ]:
        a, b = tg.Tensor(a_np, requires_grad=True), tg.Tensor(b_np, requires_grad=True)
        op(a, b).sum().backward()
        np.testing.assert_array_equal(a.grad.numpy(), ga)
        np.testing.assert_array_equal(b.grad.numpy(), gb)


def test_max_min_reduction_split_ties_evenly():
    x = np.array([[1.0, 3.0, 3.0, 2.0], [5.0, 3.0, 3.0, 5.0]])
    np.testing.assert_array_equal(_grad_of(lambda t: t.max(), x), [[0, 0, 0, 0], [0.5, 0, 0, 0.5]])
    np.testing.assert_array_equal(
        _grad_of(lambda t: t.amax(axis=1), x), [[0, 0.5, 0.5, 0], [0.5, 0, 0, 0.5]]
    )
    np.testing.assert_array_equal(
        _grad_of(lambda t: t.amin(axis=0, keepdims=True), x), [[1, 0.5, 0.5, 1], [0, 0.5, 0.5, 0]]
    )


@pytest.mark.torch
def test_kinks_match_torch(torch):
    th = torch
    # NOTE: 0 and +-0.5 are kinks; the repeated -0.5 and 0.5 make ties for max/min
    x = np.array([-1.0, -0.5, 0.0, 0.5, -0.5, 0.5])
    cases = [
        (lambda t: t.relu(), lambda t: th.relu(t)),
        (lambda t: t.abs(), lambda t: th.abs(t)),
        (lambda t: t.leaky_relu(), lambda t: th.nn.functional.leaky_relu(t)),
        (lambda t: t.clip(-0.5, 0.5), lambda t: th.clamp(t, -0.5, 0.5)),
        (lambda t: tg.maximum(t, t.relu()), lambda t: th.maximum(t, th.relu(t))),
        (lambda t: tg.minimum(t, t.relu()), lambda t: th.minimum(t, th.relu(t))),
        (lambda t: t.max(), lambda t: th.max(t)),
        (lambda t: t.min(), lambda t: th.min(t)),
        (lambda t: t.reshape(2, 3).amax(axis=0), lambda t: th.amax(t.reshape(2, 3), dim=0)),
        (lambda t: t.reshape(2, 3).amin(axis=0), lambda t: th.amin(t.reshape(2, 3), dim=0)),
    ]
    w = np.linspace(-1.0, 2.0, 6)
    for f, f_th in cases:
        t = tg.Tensor(x, requires_grad=True)
        out = f(t)
        (out * tg.Tensor(w[: out.numel()].reshape(out.shape))).sum().backward()
        tt = th.tensor(x, requires_grad=True)
        out = f_th(tt)
        (out * th.tensor(w[: out.numel()].reshape(tuple(out.shape)))).sum().backward()
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-12, atol=0)


# ------------------------------------------------------------------ stability at |x| = 1000

BIG = np.array([-1000.0, 0.0, 1000.0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_stable_at_1000(dtype):
    x = BIG.astype(dtype)
    w = np.array([0.5, -1.0, 2.0], dtype=dtype)
    cases = [
        # (op, value, gradient of (out * w).sum())
        (lambda t: t.logsumexp(axis=0), 1000.0, [0.0, 0.0, 2.0]),
        (lambda t: t.sigmoid(), [0.0, 0.5, 1.0], [0.0, -0.25, 0.0]),
        (lambda t: t.softmax(0), [0.0, 0.0, 1.0], [0.0, 0.0, 0.0]),
        (lambda t: t.log_softmax(0), [-2000.0, -1000.0, 0.0], [0.5, -1.0, 0.5]),
    ]
    for op, value, grad in cases:
        t = tg.Tensor(x, requires_grad=True)
        out = op(t)
        ww = w if out.ndim else w[2]
        (out * tg.Tensor(np.asarray(ww, dtype=dtype))).sum().backward()
        assert np.all(np.isfinite(out.numpy())) and np.all(np.isfinite(t.grad.numpy()))
        assert out.dtype == dtype and t.grad.dtype == dtype
        np.testing.assert_allclose(out.numpy(), value, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(t.grad.numpy(), grad, rtol=1e-6, atol=1e-6)


def test_logsumexp_of_equal_huge_values():
    t = tg.Tensor(np.array([[1000.0, 1000.0], [-1000.0, -1000.0]]), requires_grad=True)
    out = t.logsumexp(axis=1)
    out.sum().backward()
    np.testing.assert_allclose(out.numpy(), [1000.0 + np.log(2), -1000.0 + np.log(2)])
    np.testing.assert_allclose(t.grad.numpy(), np.full((2, 2), 0.5))


@pytest.mark.torch
def test_stable_at_1000_matches_torch(torch):
    th = torch
    x = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 999.0, -1000.0]])
    w = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    cases = [
        (lambda t: t.logsumexp(axis=1), lambda t: th.logsumexp(t, dim=1)),
        (lambda t: t.sigmoid(), lambda t: th.sigmoid(t)),
        (lambda t: t.softmax(1), lambda t: th.softmax(t, dim=1)),
        (lambda t: t.log_softmax(1), lambda t: th.log_softmax(t, dim=1)),
        (lambda t: t.log_softmax(0), lambda t: th.log_softmax(t, dim=0)),
    ]
    for f, f_th in cases:
        t = tg.Tensor(x, requires_grad=True)
        out = f(t)
        (out * tg.Tensor(w[..., : out.shape[-1]] if out.ndim == 2 else w[0, :2])).sum().backward()
        tt = th.tensor(x, requires_grad=True)
        t_out = f_th(tt)
        (t_out * th.tensor(w if t_out.ndim == 2 else w[0, :2])).sum().backward()
        np.testing.assert_allclose(out.numpy(), t_out.detach().numpy(), rtol=1e-12)
        np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-12, atol=1e-300)


# --------------------------------------------------------------------------- integer inputs


def test_int_ops_stay_int():
    a_np, b_np = np.array([[1, -2, 3], [4, 5, -6]]), np.array([2, 3, 4])
    a, b = tg.Tensor(a_np), tg.Tensor(b_np)
    assert a.dtype.kind == "i"
    cases = [
        (a + b, a_np + b_np),
        (a - b, a_np - b_np),
        (a * b, a_np * b_np),
        (-a, -a_np),
        (a + 1, a_np + 1),
        (2 * a, 2 * a_np),
        (a.abs(), np.abs(a_np)),
        (a.sum(), a_np.sum()),
        (a.sum(axis=0), a_np.sum(axis=0)),
        (a.max(), a_np.max()),
        (a.amin(axis=1), a_np.min(1)),
        (tg.maximum(a, b), np.maximum(a_np, b_np)),
        (a.reshape(-1), a_np.reshape(-1)),
        (a.T, a_np.T),
        (a[:, np.array([0, 0, 2])], a_np[:, [0, 0, 2]]),
        (a[a > 0], a_np[a_np > 0]),
        (tg.cat([a, a], 0), np.concatenate([a_np, a_np])),
        (tg.stack([b, b]), np.stack([b_np] * 2)),
        (a @ a.T, a_np @ a_np.T),
    ]
    for i, (out, expected) in enumerate(cases):
        assert out.dtype.kind == "i", f"case {i}: int op gave {out.dtype}"
        np.testing.assert_array_equal(out.numpy(), expected, err_msg=f"case {i}")


def test_int_times_float_tensor_is_float():
    a = tg.Tensor(np.array([1, 2, 3]))
    for dtype in (np.float32, np.float64):
        f = tg.Tensor(np.array([0.5, 1.5, -2.0], dtype=dtype))
        for out in (a * f, f * a, a + f, f - a, a / f):
            assert out.dtype == dtype, f"int with {np.dtype(dtype).name} gave {out.dtype}"
        np.testing.assert_allclose((a * f).numpy(), [0.5, 3.0, -6.0])


def test_int_times_python_float_is_float():
    out = tg.Tensor(np.array([1, 2, 3])) * 2.5
    assert out.dtype.kind == "f"
    np.testing.assert_allclose(out.numpy(), [2.5, 5.0, 7.5])


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")  # np.matrix itself warns
def test_int_matrix_input_to_float32_matmul():
    m = np.matrix([[1, 2], [3, 4], [5, 6]])
    x = tg.Tensor(m)
    assert type(x.numpy()) is np.ndarray and x.shape == (3, 2) and x.dtype.kind == "i"
    w_np = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.5, -0.5, 1.0]], dtype=np.float32)
    w = tg.Tensor(w_np, requires_grad=True)
    out = x @ w
    assert out.dtype == np.float32 and out.shape == (3, 4)
    np.testing.assert_allclose(out.numpy(), np.asarray(m) @ w_np, rtol=1e-6)
    g = np.arange(12, dtype=np.float32).reshape(3, 4)
    out.backward(tg.Tensor(g))
    assert w.grad.dtype == np.float32
    np.testing.assert_allclose(w.grad.numpy(), np.asarray(m).T @ g, rtol=1e-6)


@pytest.mark.torch
def test_int_float_promotion_matches_torch(torch):
    a_np = np.array([1, 2, 3])
    f_np = np.array([0.5, 1.5, -2.0], dtype=np.float32)
    out = tg.Tensor(a_np) * tg.Tensor(f_np)
    t_out = torch.from_numpy(a_np) * torch.from_numpy(f_np)
    assert str(t_out.dtype) == "torch.float32" and out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())


# --------------------------------------------------------------------------- errors

A23, B45 = tg.Tensor(np.ones((2, 3))), tg.Tensor(np.ones((4, 5)))


@pytest.mark.parametrize(
    "call,error,pattern",
    [
        (lambda: A23 + B45, ValueError, r"Add.*\(2, 3\).*\(4, 5\).*broadcast"),
        (lambda: A23 * B45, ValueError, r"Mul.*\(2, 3\).*\(4, 5\).*broadcast"),
        (lambda: tg.maximum(A23, B45), ValueError, r"(?i)maximum.*\(2, 3\).*\(4, 5\)"),
        (lambda: A23 @ B45, ValueError, r"matmul.*\(2, 3\).*\(4, 5\)"),
        (lambda: A23 @ tg.Tensor(2.0), ValueError, r"matmul.*at least 1 dimension.*use \*"),
        (
            lambda: tg.where(tg.Tensor(np.ones(4, bool)), A23, A23),
            ValueError,
            r"where.*\(4,\).*\(2, 3\)",
        ),
        (lambda: tg.where(A23, A23, A23), TypeError, r"where.*bool"),
        (lambda: A23 + "x", TypeError, r"Tensor.*<U1"),
        (lambda: A23.leaky_relu("x"), TypeError, r"leaky_relu.*negative_slope"),
    ],
    ids=[
        "add_shapes",
        "mul_shapes",
        "maximum_shapes",
        "matmul_shapes",
        "matmul_0d",
        "where_shapes",
        "where_cond_dtype",
        "add_str",
        "leaky_relu_slope_type",
    ],
)
def test_op_errors_name_the_op_and_shapes(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()
