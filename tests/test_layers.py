"""Layers: outputs and gradients by hand and against PyTorch, init statistics, errors, reprs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_lite as tg
from tinygrad_lite import nn

# NOTE: the fixtures only seed and hand over the torch module, so re-using them across
# hypothesis examples is safe.
SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

batch_shapes = st.lists(st.integers(1, 4), min_size=0, max_size=2).map(tuple)


def _run(layer, x_np, g_np):
    """Forward ``x`` through our layer, backward ``g``; return output, x.grad, param grads."""
    x = tg.Tensor(x_np, requires_grad=True)
    out = layer(x)
    out.backward(tg.Tensor(g_np))
    grads = {n: p.grad.numpy() for n, p in layer.named_parameters()}
    return out.numpy(), x.grad.numpy(), grads


def _run_torch(torch, layer, x_np, g_np):
    x = torch.tensor(x_np, requires_grad=True)
    out = layer(x)
    out.backward(torch.tensor(g_np))
    grads = {n: p.grad.numpy() for n, p in layer.named_parameters()}
    return out.detach().numpy(), x.grad.numpy(), grads


def _copy_into_torch(torch, ours, theirs):
    with torch.no_grad():
        for name, value in ours.state_dict().items():
            dict(theirs.named_parameters())[name].copy_(torch.from_numpy(value))


# ------------------------------------------------------------------------------- Linear


def test_linear_forward_backward_by_hand():
    layer = nn.Linear(3, 2, dtype=np.float64)
    layer.weight.numpy()[...] = [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]
    layer.bias.numpy()[...] = [0.5, -0.5]
    x = np.array([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]])
    g = np.array([[1.0, 2.0], [-1.0, 0.5]])
    out, dx, grads = _run(layer, x, g)
    np.testing.assert_allclose(out, [[-1.5, -1.5], [4.5, -2.0]])
    np.testing.assert_allclose(dx, g @ layer.weight.numpy())
    np.testing.assert_allclose(grads["weight"], g.T @ x)
    np.testing.assert_allclose(grads["bias"], g.sum(0))


@SETTINGS
@given(batch=batch_shapes, fin=st.integers(1, 5), fout=st.integers(1, 5), bias=st.booleans())
def test_linear_matches_numpy_formula(batch, fin, fout, bias):
    tg.set_default_dtype(np.float64)
    layer = nn.Linear(fin, fout, bias=bias)
    rng = np.random.default_rng(fin * 10 + fout)
    x = rng.standard_normal((*batch, fin))
    g = rng.standard_normal((*batch, fout))
    out, dx, grads = _run(layer, x, g)
    w = layer.weight.numpy()
    b = layer.bias.numpy() if bias else 0.0
    np.testing.assert_allclose(out, x @ w.T + b, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, g @ w, rtol=1e-12, atol=1e-12)
    g2, x2 = g.reshape(-1, fout), x.reshape(-1, fin)
    np.testing.assert_allclose(grads["weight"], g2.T @ x2, rtol=1e-12, atol=1e-12)
    if bias:
        np.testing.assert_allclose(grads["bias"], g2.sum(0), rtol=1e-12, atol=1e-12)
    assert ("bias" in grads) == bias


@pytest.mark.torch
@SETTINGS
@given(batch=batch_shapes, fin=st.integers(1, 5), fout=st.integers(1, 5), bias=st.booleans())
def test_linear_matches_torch(torch, batch, fin, fout, bias):
    ours = nn.Linear(fin, fout, bias=bias, dtype=np.float64)
    theirs = torch.nn.Linear(fin, fout, bias=bias, dtype=torch.float64)
    _copy_into_torch(torch, ours, theirs)
    rng = np.random.default_rng(fin + 7 * fout)
    x, g = rng.standard_normal((*batch, fin)), rng.standard_normal((*batch, fout))
    out, dx, grads = _run(ours, x, g)
    t_out, t_dx, t_grads = _run_torch(torch, theirs, x, g)
    np.testing.assert_allclose(out, t_out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, t_dx, rtol=1e-12, atol=1e-12)
    assert grads.keys() == t_grads.keys()
    for name in grads:
        np.testing.assert_allclose(grads[name], t_grads[name], rtol=1e-12, atol=1e-12)


@pytest.mark.torch
def test_linear_float32_matches_torch(torch):
    ours = nn.Linear(6, 4)
    theirs = torch.nn.Linear(6, 4)
    _copy_into_torch(torch, ours, theirs)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 6)).astype(np.float32)
    g = rng.standard_normal((8, 4)).astype(np.float32)
    out, dx, grads = _run(ours, x, g)
    t_out, t_dx, t_grads = _run_torch(torch, theirs, x, g)
    assert out.dtype == np.float32 and dx.dtype == np.float32
    np.testing.assert_allclose(out, t_out, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(dx, t_dx, rtol=1e-5, atol=1e-6)
    for name in grads:
        assert grads[name].dtype == np.float32
        np.testing.assert_allclose(grads[name], t_grads[name], rtol=1e-5, atol=1e-6)


def test_linear_shapes_dtypes_and_repr():
    layer = nn.Linear(3, 2)
    assert layer.weight.shape == (2, 3) and layer.bias.shape == (2,)
    assert layer.weight.dtype == np.float32
    assert nn.Linear(3, 2, dtype=np.float64).weight.dtype == np.float64
    tg.set_default_dtype(np.float64)
    assert nn.Linear(3, 2).bias.dtype == np.float64
    no_bias = nn.Linear(3, 2, bias=False)
    assert no_bias.bias is None and [n for n, _ in no_bias.named_parameters()] == ["weight"]
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"
    assert repr(no_bias) == "Linear(in_features=3, out_features=2, bias=False)"
    assert layer.in_features == 3 and layer.out_features == 2


def test_linear_wrong_feature_count_names_both_numbers():
    layer = nn.Linear(3, 2)
    msg = (
        r"Linear\(in_features=3, out_features=2, bias=True\) got input with 2 features "
        r"\(shape \(5, 2\)\); the last dimension must be 3"
    )
    with pytest.raises(ValueError, match=msg):
        layer(tg.zeros(5, 2))
    with pytest.raises(ValueError, match=r"got input with no features \(shape \(\)\)"):
        layer(tg.tensor(1.0))


def test_linear_bad_arguments():
    with pytest.raises(TypeError, match="Linear: in_features must be an int, got float"):
        nn.Linear(2.0, 3)
    with pytest.raises(ValueError, match="Linear: out_features must be >= 0, got -1"):
        nn.Linear(2, -1)
    with pytest.raises(TypeError, match="Linear: dtype must be a floating dtype, got int64"):
        nn.Linear(2, 2, dtype=np.int64)


def test_linear_default_init_statistics():
    fin, fout = 400, 300
    layer = nn.Linear(fin, fout)
    bound = 1.0 / math.sqrt(fin)
    w, b = layer.weight.numpy(), layer.bias.numpy()
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    # U(-c, c) has mean 0 and std c/sqrt(3); 120,000 draws pin both to well under 2%.
    assert abs(w.mean()) < 0.01 * bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert np.abs(w).max() > 0.99 * bound  # it really spans the whole interval
    assert abs(b.mean()) < 0.15 * bound and np.abs(b).max() > 0.9 * bound


def test_linear_init_is_seeded_and_reset_redraws():
    tg.manual_seed(3)
    a = nn.Linear(4, 3)
    tg.manual_seed(3)
    b = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.numpy(), b.weight.numpy())
    np.testing.assert_array_equal(a.bias.numpy(), b.bias.numpy())
    before = a.weight.numpy().copy()
    a.reset_parameters()
    assert not np.array_equal(before, a.weight.numpy())


@pytest.mark.torch
def test_linear_init_distribution_matches_torch(torch):
    torch.manual_seed(0)
    theirs = torch.nn.Linear(256, 512).weight.detach().numpy()
    ours = nn.Linear(256, 512).weight.numpy()
    np.testing.assert_allclose(np.abs(ours).max(), np.abs(theirs).max(), rtol=1e-3)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.02)


# -------------------------------------------------------------------------- activations


def _softmax(x, dim):
    e = np.exp(x - x.max(axis=dim, keepdims=True))
    return e / e.sum(axis=dim, keepdims=True)


def _softmax_vjp(x, g, dim):
    s = _softmax(x, dim)
    return s * (g - (g * s).sum(axis=dim, keepdims=True))


# (our layer, torch layer factory, forward formula, backward formula)
ACTIVATIONS = {
    "ReLU": (
        lambda: nn.ReLU(),
        lambda t: t.nn.ReLU(),
        lambda x: np.maximum(x, 0),
        lambda x, g: g * (x > 0),
    ),
    "LeakyReLU": (
        lambda: nn.LeakyReLU(0.2),
        lambda t: t.nn.LeakyReLU(0.2),
        lambda x: np.where(x > 0, x, 0.2 * x),
        lambda x, g: g * np.where(x > 0, 1.0, 0.2),
    ),
    "LeakyReLU-default": (
        lambda: nn.LeakyReLU(),
        lambda t: t.nn.LeakyReLU(),
        lambda x: np.where(x > 0, x, 0.01 * x),
        lambda x, g: g * np.where(x > 0, 1.0, 0.01),
    ),
    "Sigmoid": (
        lambda: nn.Sigmoid(),
        lambda t: t.nn.Sigmoid(),
        lambda x: 1 / (1 + np.exp(-x)),
        lambda x, g: g * np.exp(-x) / (1 + np.exp(-x)) ** 2,
    ),
    "Tanh": (
        lambda: nn.Tanh(),
        lambda t: t.nn.Tanh(),
        np.tanh,
        lambda x, g: g * (1 - np.tanh(x) ** 2),
    ),
    "Softmax-last": (
        lambda: nn.Softmax(dim=-1),
        lambda t: t.nn.Softmax(dim=-1),
        lambda x: _softmax(x, -1),
        lambda x, g: _softmax_vjp(x, g, -1),
    ),
    "Softmax-0": (
        lambda: nn.Softmax(0),
        lambda t: t.nn.Softmax(0),
        lambda x: _softmax(x, 0),
        lambda x, g: _softmax_vjp(x, g, 0),
    ),
    "Identity": (
        lambda: nn.Identity(),
        lambda t: t.nn.Identity(),
        lambda x: x,
        lambda x, g: g,
    ),
    "Dropout-eval": (
        lambda: nn.Dropout(0.3).eval(),
        lambda t: t.nn.Dropout(0.3).eval(),
        lambda x: x,
        lambda x, g: g,
    ),
    "Dropout-p0": (
        lambda: nn.Dropout(0.0),
        lambda t: t.nn.Dropout(0.0),
        lambda x: x,
        lambda x, g: g,
    ),
}

act_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@SETTINGS
@given(shape=act_shapes, seed=st.integers(0, 2**16))
def test_activation_matches_formula(name, shape, seed):
    make, _, fwd, bwd = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    g = rng.standard_normal(shape)
    out, dx, grads = _run(make(), x, g)
    assert grads == {}
    np.testing.assert_allclose(out, fwd(x), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, bwd(x, g), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("name", list(ACTIVATIONS))
@SETTINGS
@given(shape=act_shapes, seed=st.integers(0, 2**16))
def test_activation_matches_torch(torch, name, shape, seed):
    make, make_torch, _, _ = ACTIVATIONS[name]
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape) * 3
    g = rng.standard_normal(shape)
    out, dx, _ = _run(make(), x, g)
    t_out, t_dx, _ = _run_torch(torch, make_torch(torch), x, g)
    np.testing.assert_allclose(out, t_out, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, t_dx, rtol=1e-10, atol=1e-12)


def test_activation_float32_stays_float32():
    x = tg.tensor([[-1.0, 0.5, 2.0]])
    for layer in (nn.ReLU(), nn.LeakyReLU(), nn.Sigmoid(), nn.Tanh(), nn.Softmax(1)):
        assert layer(x).dtype == np.float32


def test_relu_gradient_at_zero_is_zero_like_pytorch():
    _, dx, _ = _run(nn.ReLU(), np.array([0.0, 1.0]), np.array([1.0, 1.0]))
    np.testing.assert_array_equal(dx, [0.0, 1.0])


def test_softmax_rows_sum_to_one_and_need_an_int_dim():
    out = nn.Softmax(dim=1)(tg.tensor(np.array([[1000.0, 0.0], [-5.0, 5.0]])))
    np.testing.assert_allclose(out.numpy().sum(1), [1.0, 1.0])
    assert np.isfinite(out.numpy()).all()
    with pytest.raises(TypeError, match=r"Softmax: dim must be an int \(e.g. Softmax\(dim=-1\)\)"):
        nn.Softmax(dim=None)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'dim'"):
        nn.Softmax()


def test_leaky_relu_bad_slope():
    with pytest.raises(TypeError, match="negative_slope must be a number, got str"):
        nn.LeakyReLU("0.1")


# ------------------------------------------------------------------------------ Flatten


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(1, -1, (2, 60)), (0, -1, (120,)), (1, 2, (2, 12, 5)), (-2, -1, (2, 3, 20)), (2, 2, None)],
)
def test_flatten_shapes_and_gradient(start, end, expected):
    shape = (2, 3, 4, 5)
    expected = expected or shape
    x = np.arange(120.0).reshape(shape)
    g = np.arange(120.0).reshape(expected) * 0.5
    out, dx, _ = _run(nn.Flatten(start, end), x, g)
    assert out.shape == expected
    np.testing.assert_array_equal(out, x.reshape(expected))
    np.testing.assert_array_equal(dx, g.reshape(shape))


@pytest.mark.torch
def test_flatten_matches_torch(torch):
    x = np.random.default_rng(0).standard_normal((2, 3, 4))
    for args in [(), (0,), (1, 1), (0, 1)]:
        out = nn.Flatten(*args)(tg.tensor(x)).numpy()
        np.testing.assert_array_equal(out, torch.nn.Flatten(*args)(torch.tensor(x)).numpy())


def test_flatten_bad_arguments():
    with pytest.raises(TypeError, match="Flatten: start_dim must be an int, got float"):
        nn.Flatten(1.0)


# ------------------------------------------------------------------------------ Dropout


def test_dropout_training_zeroes_about_p_and_scales_the_rest():
    layer = nn.Dropout(0.25)
    x = tg.ones(200, 500, requires_grad=True)
    out = layer(x)
    kept = out.numpy() != 0
    assert abs(1 - kept.mean() - 0.25) < 0.01
    np.testing.assert_allclose(out.numpy()[kept], 1 / 0.75, rtol=1e-6)
    g = np.random.default_rng(0).standard_normal((200, 500)).astype(np.float32)
    out.backward(tg.Tensor(g))
    np.testing.assert_allclose(x.grad.numpy(), np.where(kept, g / 0.75, 0), rtol=1e-6)


def test_dropout_p_one_gives_zeros_and_eval_is_identity():
    x = tg.ones(4, 4)
    assert not nn.Dropout(1.0)(x).numpy().any()
    layer = nn.Dropout(0.9)
    layer.eval()
    np.testing.assert_array_equal(layer(x).numpy(), x.numpy())
    layer.train()
    assert (layer(tg.ones(1000)).numpy() == 0).mean() > 0.8


def test_dropout_is_seeded_by_manual_seed():
    tg.manual_seed(11)
    a = nn.Dropout(0.5)(tg.ones(64)).numpy()
    tg.manual_seed(11)
    b = nn.Dropout(0.5)(tg.ones(64)).numpy()
    np.testing.assert_array_equal(a, b)


def test_dropout_bad_p():
    for p in (-0.1, 1.5):
        with pytest.raises(ValueError, match=f"probability has to be between 0 and 1, but got {p}"):
            nn.Dropout(p)
    with pytest.raises(TypeError, match="p must be a number in"):
        nn.Dropout("0.5")


# --------------------------------------------------------------------------------- reprs


def test_layer_reprs():
    assert repr(nn.ReLU()) == "ReLU()"
    assert repr(nn.LeakyReLU()) == "LeakyReLU(negative_slope=0.01)"
    assert repr(nn.Sigmoid()) == "Sigmoid()" and repr(nn.Tanh()) == "Tanh()"
    assert repr(nn.Softmax(dim=1)) == "Softmax(dim=1)"
    assert repr(nn.Identity()) == "Identity()"
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.Dropout(0.2)) == "Dropout(p=0.2)"


@pytest.mark.torch
def test_layer_reprs_equal_torch(torch):
    pairs = [
        (nn.ReLU(), torch.nn.ReLU()),
        (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
        (nn.Sigmoid(), torch.nn.Sigmoid()),
        (nn.Tanh(), torch.nn.Tanh()),
        (nn.Softmax(dim=-1), torch.nn.Softmax(dim=-1)),
        (nn.Identity(), torch.nn.Identity()),
        (nn.Flatten(0, 2), torch.nn.Flatten(0, 2)),
        (nn.Linear(4, 5, bias=False), torch.nn.Linear(4, 5, bias=False)),
    ]
    for ours, theirs in pairs:
        assert repr(ours) == repr(theirs)
    # NOTE: we have no in-place dropout, so our repr leaves out PyTorch's ", inplace=False".
    assert repr(torch.nn.Dropout(0.2)) == repr(nn.Dropout(0.2))[:-1] + ", inplace=False)"
