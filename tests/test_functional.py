"""nn.functional activations, linear and dropout: NumPy formulas, PyTorch, finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg
from tinygrad_lite.nn import functional as F

FEW = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def leaf(a: np.ndarray) -> tg.Tensor:
    return tg.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def float_arrays(min_dims=1, max_dims=3, max_side=5, bound=5.0):
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side)
    return hnp.arrays(np.float64, shapes, elements=st.floats(-bound, bound, width=64))


def upstream(shape: tuple[int, ...]) -> np.ndarray:
    """A fixed, non-constant upstream gradient, so a backward that ignores it fails."""
    return np.linspace(-1.5, 2.0, int(np.prod(shape))).reshape(shape)


def _softmax(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


# name -> (ours, numpy forward, numpy vector-Jacobian product (x, g) -> grad, torch name/kwargs)
ACTIVATIONS = {
    "relu": (F.relu, lambda x: np.maximum(x, 0), lambda x, g: g * (x > 0), ("relu", {})),
    "leaky_relu": (
        lambda x: F.leaky_relu(x, 0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x, g: g * np.where(x > 0, 1.0, 0.2),
        ("leaky_relu", {"negative_slope": 0.2}),
    ),
    "leaky_relu_default": (
        F.leaky_relu,
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda x, g: g * np.where(x > 0, 1.0, 0.01),
        ("leaky_relu", {}),
    ),
    "sigmoid": (F.sigmoid, _sig, lambda x, g: g * _sig(x) * (1 - _sig(x)), ("sigmoid", {})),
    "tanh": (F.tanh, np.tanh, lambda x, g: g * (1 - np.tanh(x) ** 2), ("tanh", {})),
    "softmax": (
        lambda x: F.softmax(x, dim=-1),
        lambda x: _softmax(x, -1),
        lambda x, g: _softmax(x, -1) * (g - (g * _softmax(x, -1)).sum(-1, keepdims=True)),
        ("softmax", {"dim": -1}),
    ),
    "softmax_dim0": (
        lambda x: F.softmax(x, 0),
        lambda x: _softmax(x, 0),
        lambda x, g: _softmax(x, 0) * (g - (g * _softmax(x, 0)).sum(0, keepdims=True)),
        ("softmax", {"dim": 0}),
    ),
    "log_softmax": (
        lambda x: F.log_softmax(x, dim=-1),
        lambda x: np.log(_softmax(x, -1)),
        lambda x, g: g - _softmax(x, -1) * g.sum(-1, keepdims=True),
        ("log_softmax", {"dim": -1}),
    ),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@FEW
@given(x=float_arrays())
def test_activation_forward_and_backward_match_numpy(name, x):
    ours, ref, vjp, _ = ACTIVATIONS[name]
    t = leaf(x)
    out = ours(t)
    np.testing.assert_allclose(out.numpy(), ref(x), rtol=1e-12, atol=1e-12)
    g = upstream(x.shape)
    out.backward(tg.tensor(g))
    np.testing.assert_allclose(t.grad.numpy(), vjp(x, g), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ACTIVATIONS))
@FEW
@given(x=float_arrays())
def test_activation_matches_torch(torch, name, x):
    ours, _, _, (tname, kwargs) = ACTIVATIONS[name]
    t = leaf(x)
    tt = torch.tensor(x, requires_grad=True)
    out, tout = ours(t), getattr(torch.nn.functional, tname)(tt, **kwargs)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12, atol=1e-12)
    g = upstream(x.shape)
    out.backward(tg.tensor(g))
    tout.backward(torch.tensor(g))
    np.testing.assert_allclose(t.grad.numpy(), tt.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_gradcheck(name):
    ours = ACTIVATIONS[name][0]
    rng = np.random.default_rng(1)
    x = rng.uniform(0.2, 2.0, (3, 4)) * rng.choice([-1.0, 1.0], (3, 4))  # away from kinks
    assert tg.gradcheck(lambda a: ours(a) * tg.tensor(upstream((3, 4))), (leaf(x),))


def test_activations_hand_values():
    x = tg.tensor([-2.0, 0.0, 3.0])
    assert F.relu(x).tolist() == [0.0, 0.0, 3.0]
    assert F.leaky_relu(x, 0.5).tolist() == [-1.0, 0.0, 3.0]
    assert F.sigmoid(tg.tensor([0.0])).tolist() == [0.5]
    np.testing.assert_allclose(F.softmax(tg.tensor([0.0, np.log(3.0)]), 0).numpy(), [0.25, 0.75])
    np.testing.assert_allclose(
        F.log_softmax(tg.tensor([0.0, np.log(3.0)]), 0).numpy(), np.log([0.25, 0.75]), rtol=1e-6
    )


@pytest.mark.parametrize("fn", [F.sigmoid, F.tanh, lambda x: F.softmax(x, 0)])
def test_stable_at_1000(fn):
    t = leaf([1000.0, -1000.0, 0.0])
    out = fn(t)
    out.backward(tg.tensor(upstream((3,))))
    assert np.isfinite(out.numpy()).all() and np.isfinite(t.grad.numpy()).all()


def test_log_softmax_stable_at_1000():
    t = leaf([1000.0, -1000.0, 0.0])
    out = F.log_softmax(t, 0)
    np.testing.assert_allclose(out.numpy(), [0.0, -2000.0, -1000.0])
    out.sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [1.0 - 3.0, 1.0, 1.0], atol=1e-12)


def test_float32_stays_float32():
    x = tg.tensor(np.ones((2, 3), dtype=np.float32))
    w, b = tg.ones(4, 3), tg.zeros(4)
    for out in (F.relu(x), F.sigmoid(x), F.softmax(x, 1), F.linear(x, w, b), F.dropout(x, 0.5)):
        assert out.dtype == np.float32


@pytest.mark.parametrize("fn", [F.relu, F.sigmoid, F.tanh, lambda x: F.softmax(x, 0)])
def test_activation_rejects_non_tensor(fn):
    with pytest.raises(TypeError, match=r"input must be a Tensor.*tg\.tensor"):
        fn(np.ones(3))


# ------------------------------------------------------------------------------- linear


@FEW
@given(
    batch=hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=4),
    n_in=st.integers(1, 5),
    n_out=st.integers(1, 5),
    with_bias=st.booleans(),
)
def test_linear_matches_formula(batch, n_in, n_out, with_bias):
    rng = np.random.default_rng(n_in * 7 + n_out)
    x, w, b = (
        rng.normal(size=(*batch, n_in)),
        rng.normal(size=(n_out, n_in)),
        rng.normal(size=n_out),
    )
    tx, tw, tb = leaf(x), leaf(w), leaf(b)
    out = F.linear(tx, tw, tb if with_bias else None)
    np.testing.assert_allclose(out.numpy(), x @ w.T + (b if with_bias else 0), rtol=1e-12)
    g = upstream(out.shape)
    out.backward(tg.tensor(g))
    g2, x2 = g.reshape(-1, n_out), x.reshape(-1, n_in)
    np.testing.assert_allclose(tx.grad.numpy(), g @ w, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tw.grad.numpy(), g2.T @ x2, rtol=1e-10, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(tb.grad.numpy(), g2.sum(0), rtol=1e-10, atol=1e-12)
    else:
        assert tb.grad is None


@pytest.mark.torch
def test_linear_matches_torch(torch):
    rng = np.random.default_rng(3)
    x, w, b = rng.normal(size=(2, 5, 3)), rng.normal(size=(4, 3)), rng.normal(size=4)
    ours = [leaf(a) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    out, tout = F.linear(*ours), torch.nn.functional.linear(*theirs)
    np.testing.assert_allclose(out.numpy(), tout.detach().numpy(), rtol=1e-12)
    g = upstream(out.shape)
    out.backward(tg.tensor(g))
    tout.backward(torch.tensor(g))
    for a, ta in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), ta.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_linear_gradcheck():
    rng = np.random.default_rng(4)
    args = tuple(leaf(rng.normal(size=s)) for s in ((3, 2), (4, 2), (4,)))
    assert tg.gradcheck(lambda x, w, b: F.linear(x, w, b) ** 2, args)


def test_linear_hand_values():
    out = F.linear(
        tg.tensor([[1.0, 2.0]]), tg.tensor([[1.0, 0.0], [1.0, 1.0]]), tg.tensor([0.5, 0])
    )
    assert out.tolist() == [[1.5, 3.0]]


def test_linear_feature_mismatch_names_numbers_and_shapes():
    with pytest.raises(ValueError, match=r"linear: input has 3 features \(shape \(2, 3\)\).*4"):
        F.linear(tg.ones(2, 3), tg.ones(5, 4))
    with pytest.raises(ValueError, match=r"weight shape \(5, 4\)"):
        F.linear(tg.ones(2, 3), tg.ones(5, 4))


def test_linear_bad_weight_and_bias():
    with pytest.raises(ValueError, match=r"linear: weight must be 2-D"):
        F.linear(tg.ones(2, 3), tg.ones(3))
    with pytest.raises(ValueError, match=r"linear: bias must have shape \(5,\).*got shape \(4,\)"):
        F.linear(tg.ones(2, 3), tg.ones(5, 3), tg.ones(4))
    with pytest.raises(TypeError, match=r"linear: weight must be a Tensor"):
        F.linear(tg.ones(2, 3), np.ones((5, 3)))


# ------------------------------------------------------------------------------ dropout


def test_dropout_identity_when_off():
    x = tg.tensor([1.0, 2.0, 3.0])
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


def test_dropout_p1_gives_zeros_and_zero_grad():
    x = leaf(np.arange(1.0, 5.0))
    out = F.dropout(x, p=1.0)
    assert out.tolist() == [0.0] * 4
    out.sum().backward()
    assert x.grad.tolist() == [0.0] * 4


def test_dropout_mask_comes_from_the_shared_generator():
    x = leaf(np.full((4, 50), 2.0))
    tg.manual_seed(123)
    out = F.dropout(x, p=0.25)
    keep = np.random.default_rng(123).random((4, 50)) < 0.75
    np.testing.assert_allclose(out.numpy(), np.where(keep, 2.0 / 0.75, 0.0), rtol=1e-15)
    out.backward(tg.tensor(upstream((4, 50))))
    np.testing.assert_allclose(x.grad.numpy(), np.where(keep, upstream((4, 50)) / 0.75, 0.0))
    tg.manual_seed(123)
    np.testing.assert_array_equal(F.dropout(x, p=0.25).numpy(), out.numpy())


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_dropout_rate_and_scale(p):
    out = F.dropout(tg.ones(200_000), p=p).numpy()
    assert abs((out == 0).mean() - p) < 0.01
    np.testing.assert_allclose(out[out != 0], 1.0 / (1.0 - p), rtol=1e-6)
    assert abs(out.mean() - 1.0) < 0.03  # inverted dropout keeps the expectation


def test_dropout_bad_p():
    with pytest.raises(ValueError, match=r"dropout: probability p must be in \[0, 1\], got 1.5"):
        F.dropout(tg.ones(3), p=1.5)
    with pytest.raises(ValueError, match=r"got -0.1"):
        F.dropout(tg.ones(3), p=-0.1)
    with pytest.raises(TypeError, match=r"dropout: p must be a number"):
        F.dropout(tg.ones(3), p="0.5")
