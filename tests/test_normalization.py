"""batch_norm / layer_norm and BatchNorm1d / LayerNorm: formulas, PyTorch, running statistics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg
from tinygrad_lite import nn
from tinygrad_lite.nn import functional as F

FEW = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def leaf(a) -> tg.Tensor:
    return tg.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def upstream(shape: tuple[int, ...]) -> np.ndarray:
    return np.linspace(-1.5, 2.0, int(np.prod(shape))).reshape(shape)


def _norm_np(x, axes, eps, w=None, b=None):
    mean = x.mean(axis=axes, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=axes, keepdims=True)
    xhat = (x - mean) / np.sqrt(var + eps)
    return xhat * (1 if w is None else w) + (0 if b is None else b), xhat, var


def _norm_vjp(xhat, var, g, axes, eps):
    """d/dx of (x - mean)/sqrt(var + eps) (biased var) applied to upstream g (textbook form)."""
    gm = g.mean(axis=axes, keepdims=True)
    gxm = (g * xhat).mean(axis=axes, keepdims=True)
    return (g - gm - xhat * gxm) / np.sqrt(var + eps)


@st.composite
def bn_inputs(draw):
    n, c = draw(st.integers(2, 5)), draw(st.integers(1, 4))
    shape = (n, c) if draw(st.booleans()) else (n, c, draw(st.integers(1, 3)))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-3, 3)))
    # NOTE: a constant channel has zero variance; its normalized values are ~1/sqrt(eps)-scaled
    # round-off, so keep the channels spread (a tiny ramp) to compare at tight tolerance.
    return x + np.linspace(0, 1, x.size).reshape(shape)


# ------------------------------------------------------------------- functional batch_norm


@FEW
@given(x=bn_inputs())
def test_batch_norm_training_matches_formula(x):
    c = x.shape[1]
    axes = (0, *range(2, x.ndim))
    bshape = (1, c) + (1,) * (x.ndim - 2)
    w, b = np.linspace(0.5, 1.5, c), np.linspace(-1, 1, c)
    tx, tw, tb = leaf(x), leaf(w), leaf(b)
    rm, rv = tg.tensor(np.full(c, 0.5)), tg.tensor(np.full(c, 2.0))
    out = F.batch_norm(tx, rm, rv, tw, tb, training=True, momentum=0.3, eps=1e-5)
    ref, xhat, var = _norm_np(x, axes, 1e-5, w.reshape(bshape), b.reshape(bshape))
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10, atol=1e-10)
    count = x.size // c
    np.testing.assert_allclose(rm.numpy(), 0.7 * 0.5 + 0.3 * x.mean(axis=axes), rtol=1e-12)
    np.testing.assert_allclose(
        rv.numpy(), 0.7 * 2.0 + 0.3 * var.reshape(c) * count / (count - 1), rtol=1e-12
    )
    g = upstream(x.shape)
    out.backward(tg.tensor(g))
    gx = _norm_vjp(xhat, var, g * w.reshape(bshape), axes, 1e-5)
    np.testing.assert_allclose(tx.grad.numpy(), gx, rtol=1e-8, atol=1e-9)
    np.testing.assert_allclose(tw.grad.numpy(), (g * xhat).sum(axis=axes), rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(tb.grad.numpy(), g.sum(axis=axes), rtol=1e-10, atol=1e-12)


def test_batch_norm_eval_uses_running_stats_hand_values():
    x = leaf([[1.0, 2.0], [3.0, 6.0]])
    rm, rv = tg.tensor([1.0, 2.0]), tg.tensor([4.0, 16.0])
    w, b = leaf([2.0, 1.0]), leaf([0.0, 1.0])
    out = F.batch_norm(x, rm, rv, w, b, training=False, eps=0.0)
    np.testing.assert_allclose(out.numpy(), [[0.0, 1.0], [2.0, 2.0]])
    out.backward(tg.tensor([[1.0, 1.0], [1.0, 2.0]]))
    np.testing.assert_allclose(x.grad.numpy(), [[1.0, 0.25], [1.0, 0.5]])
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 2.0])
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 3.0])
    assert rm.tolist() == [1.0, 2.0] and rv.tolist() == [4.0, 16.0]  # eval never updates


def test_batch_norm_training_hand_values():
    rm, rv = tg.zeros(1), tg.ones(1)
    out = F.batch_norm(tg.tensor([[1.0], [3.0]]), rm, rv, training=True)
    np.testing.assert_allclose(out.numpy().ravel(), [-1 / np.sqrt(1 + 1e-5), 1 / np.sqrt(1 + 1e-5)])
    # batch mean 2, biased var 1 (normalizing), unbiased var 2 (running)
    np.testing.assert_allclose(rm.numpy(), [0.2], rtol=1e-6)
    np.testing.assert_allclose(rv.numpy(), [0.9 + 0.2], rtol=1e-6)


@pytest.mark.torch
@pytest.mark.parametrize("training", [True, False])
@FEW
@given(x=bn_inputs())
def test_batch_norm_matches_torch(torch, training, x):
    c = x.shape[1]
    w, b = np.linspace(0.5, 1.5, c), np.linspace(-1, 1, c)
    rm0, rv0 = np.linspace(-0.5, 0.5, c), np.linspace(0.5, 2.0, c)
    ours = [leaf(a) for a in (x, w, b)]
    theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
    rm, rv = tg.tensor(rm0), tg.tensor(rv0)
    prm, prv = torch.tensor(rm0), torch.tensor(rv0)
    out = F.batch_norm(ours[0], rm, rv, ours[1], ours[2], training, 0.2, 1e-3)
    pout = torch.nn.functional.batch_norm(theirs[0], prm, prv, *theirs[1:], training, 0.2, 1e-3)
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(rm.numpy(), prm.numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rv.numpy(), prv.numpy(), rtol=1e-12, atol=1e-14)
    g = upstream(x.shape)
    out.backward(tg.tensor(g))
    pout.backward(torch.tensor(g))
    for a, pa in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.numpy(), pa.grad.numpy(), rtol=1e-8, atol=1e-9)


@pytest.mark.parametrize("shape", [(4, 3), (3, 2, 4)])
@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_gradcheck(shape, training):
    rng = np.random.default_rng(9)
    c = shape[1]
    rm, rv = tg.tensor(rng.normal(size=c)), tg.tensor(rng.uniform(0.5, 2, c))
    g = tg.tensor(upstream(shape))

    def fn(x, w, b):
        # NOTE: no running stats in training, so the repeated calls do not drift them.
        stats = (None, None) if training else (rm, rv)
        return F.batch_norm(x, *stats, w, b, training=training) * g

    args = (leaf(rng.normal(size=shape)), leaf(rng.normal(size=c)), leaf(rng.normal(size=c)))
    assert tg.gradcheck(fn, args)


def test_batch_norm_errors():
    x = tg.ones(4, 3)
    with pytest.raises(ValueError, match=r"batch_norm: running_mean must have shape \(3,\).*"):
        F.batch_norm(x, tg.zeros(2), tg.ones(3), training=True)
    with pytest.raises(ValueError, match=r"batch_norm: weight must have shape \(3,\).*\(4,\)"):
        F.batch_norm(x, None, None, tg.ones(4), training=True)
    with pytest.raises(ValueError, match=r"more than 1 value per channel.*\(1, 3\)"):
        F.batch_norm(tg.ones(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match=r"running_mean and running_var are required"):
        F.batch_norm(x, None, None, training=False)
    with pytest.raises(ValueError, match=r"batch_norm: expected input of shape \(N, C\)"):
        F.batch_norm(tg.ones(3), None, None, training=True)


# ---------------------------------------------------------------------------- BatchNorm1d


@pytest.mark.torch
@pytest.mark.parametrize("momentum", [0.1, 0.5, None])
@pytest.mark.parametrize("shape", [(8, 3), (5, 3, 4)])
def test_batchnorm1d_running_stats_match_torch_over_steps(torch, momentum, shape):
    tg.set_default_dtype(np.float64)
    ours = nn.BatchNorm1d(3, momentum=momentum)
    theirs = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    rng = np.random.default_rng(10)
    for step in range(5):
        x = rng.normal(loc=step, scale=1 + step, size=shape)
        tx, px = leaf(x), torch.tensor(x, requires_grad=True)
        out, pout = ours(tx), theirs(px)
        np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-10)
        out.backward(tg.tensor(upstream(shape)))
        pout.backward(torch.tensor(upstream(shape)))
        np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.running_mean.numpy(), theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.numpy(), theirs.running_var.numpy(), rtol=1e-12)
    assert int(ours.num_batches_tracked.item()) == int(theirs.num_batches_tracked) == 5
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=1e-9)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    tx, px = leaf(x), torch.tensor(x, requires_grad=True)
    out, pout = ours(tx), theirs(px)
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.backward(tg.tensor(upstream(shape)))
    pout.backward(torch.tensor(upstream(shape)))
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert int(ours.num_batches_tracked.item()) == 5


def test_batchnorm1d_hand_running_stats_and_eval():
    bn = nn.BatchNorm1d(1, momentum=0.5)
    bn(tg.tensor([[1.0], [3.0]]))  # mean 2, unbiased var 2
    bn(tg.tensor([[4.0], [4.0], [4.0]]))  # mean 4, var 0
    np.testing.assert_allclose(bn.running_mean.numpy(), [0.5 * (0.5 * 0 + 0.5 * 2) + 0.5 * 4])
    np.testing.assert_allclose(bn.running_var.numpy(), [0.5 * (0.5 * 1 + 0.5 * 2) + 0])
    assert bn.num_batches_tracked.dtype == np.int64 and bn.num_batches_tracked.item() == 2
    bn.eval()
    out = bn(tg.tensor([[2.5], [3.25]]))
    np.testing.assert_allclose(out.numpy().ravel(), [0.0, 0.75 / np.sqrt(0.75 + 1e-5)], rtol=1e-6)


def test_batchnorm1d_cumulative_average_when_momentum_none():
    bn = nn.BatchNorm1d(1, momentum=None)
    for batch in ([[0.0], [2.0]], [[4.0], [6.0]], [[8.0], [10.0]]):
        bn(tg.tensor(batch))
    np.testing.assert_allclose(bn.running_mean.numpy(), [(1.0 + 5.0 + 9.0) / 3], rtol=1e-6)
    np.testing.assert_allclose(bn.running_var.numpy(), [2.0], rtol=1e-6)


def test_batchnorm1d_without_running_stats_or_affine():
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    assert bn.weight is None and bn.bias is None and bn.running_mean is None
    assert list(bn.state_dict()) == [] and list(bn.parameters()) == []
    x = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    bn.eval()  # no running stats: eval also uses the batch statistics, as PyTorch
    np.testing.assert_allclose(bn(x).numpy(), [[-1, -1], [1, 1]], rtol=1e-5)


def test_batchnorm1d_state_dict_repr_dtype():
    bn = nn.BatchNorm1d(3)
    assert list(bn.state_dict()) == [
        "weight",
        "bias",
        "running_mean",
        "running_var",
        "num_batches_tracked",
    ]
    assert [n for n, _ in bn.named_parameters()] == ["weight", "bias"]
    assert bn.weight.dtype == np.float32 and bn.running_var.dtype == np.float32
    assert nn.BatchNorm1d(2, dtype=np.float64).running_mean.dtype == np.float64
    assert repr(bn) == (
        "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)"
    )
    out = bn(tg.tensor(np.ones((2, 3), dtype=np.float32)))
    assert out.dtype == np.float32 and bn.running_mean.dtype == np.float32


def test_batchnorm1d_wrong_channels_names_expected_and_got():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(ValueError, match=r"BatchNorm1d: expected 3 channels .* got 4"):
        bn(tg.ones(2, 4))
    with pytest.raises(ValueError, match=r"expected a 2-D \(N, C\) or 3-D .* got shape \(2,"):
        bn(tg.ones(2, 3, 4, 5))
    with pytest.raises(ValueError, match=r"more than 1 value per channel"):
        bn(tg.ones(1, 3))
    assert bn.num_batches_tracked.item() == 0  # a failed call leaves the statistics alone
    with pytest.raises(ValueError, match=r"BatchNorm1d: num_features must be positive"):
        nn.BatchNorm1d(0)
    with pytest.raises(TypeError, match=r"BatchNorm1d: num_features must be an int"):
        nn.BatchNorm1d(2.0)


def test_batchnorm1d_reset():
    bn = nn.BatchNorm1d(2)
    bn(tg.tensor([[1.0, 2.0], [3.0, 5.0]]))
    bn.weight.numpy()[:] = 3
    bn.reset_parameters()
    assert bn.running_mean.tolist() == [0, 0] and bn.running_var.tolist() == [1, 1]
    assert bn.num_batches_tracked.item() == 0 and bn.weight.tolist() == [1, 1]


# ------------------------------------------------------------------------------ LayerNorm


@FEW
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
    k=st.integers(1, 3),
)
def test_layer_norm_matches_formula(shape, k):
    k = min(k, len(shape))
    ns = shape[len(shape) - k :]
    axes = tuple(range(len(shape) - k, len(shape)))
    rng = np.random.default_rng(len(shape) * 10 + k)
    x, w, b = rng.normal(size=shape), rng.normal(size=ns), rng.normal(size=ns)
    tx, tw, tb = leaf(x), leaf(w), leaf(b)
    out = F.layer_norm(tx, ns, tw, tb, 1e-5)
    ref, xhat, var = _norm_np(x, axes, 1e-5, w, b)
    np.testing.assert_allclose(out.numpy(), ref, rtol=1e-10, atol=1e-10)
    g = upstream(shape)
    out.backward(tg.tensor(g))
    np.testing.assert_allclose(
        tx.grad.numpy(), _norm_vjp(xhat, var, g * w, axes, 1e-5), rtol=1e-8, atol=1e-10
    )
    batch_axes = tuple(range(len(shape) - k))
    np.testing.assert_allclose(tw.grad.numpy(), (g * xhat).sum(axis=batch_axes), rtol=1e-9)
    np.testing.assert_allclose(tb.grad.numpy(), g.sum(axis=batch_axes), rtol=1e-9, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("ns", [(4,), (3, 4)])
def test_layernorm_module_matches_torch(torch, ns):
    tg.set_default_dtype(np.float64)
    ours = nn.LayerNorm(ns)
    theirs = torch.nn.LayerNorm(ns, dtype=torch.float64)
    rng = np.random.default_rng(11)
    ours.weight.numpy()[...] = rng.normal(size=ns)
    ours.bias.numpy()[...] = rng.normal(size=ns)
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.numpy()))
        theirs.bias.copy_(torch.tensor(ours.bias.numpy()))
    x = rng.normal(size=(2, 3, 4)) * 10
    tx, px = leaf(x), torch.tensor(x, requires_grad=True)
    out, pout = ours(tx), theirs(px)
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-12)
    out.backward(tg.tensor(upstream(x.shape)))
    pout.backward(torch.tensor(upstream(x.shape)))
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ours.weight.grad.numpy(), theirs.weight.grad.numpy(), rtol=1e-9)
    np.testing.assert_allclose(ours.bias.grad.numpy(), theirs.bias.grad.numpy(), rtol=1e-9)


def test_layer_norm_gradcheck():
    rng = np.random.default_rng(12)
    g = tg.tensor(upstream((3, 4)))
    args = (leaf(rng.normal(size=(3, 4))), leaf(rng.normal(size=4)), leaf(rng.normal(size=4)))
    assert tg.gradcheck(lambda x, w, b: F.layer_norm(x, 4, w, b) * g, args)


def test_layernorm_hand_values_repr_and_options():
    ln = nn.LayerNorm(2)
    np.testing.assert_allclose(
        ln(tg.tensor([[1.0, 3.0], [0.0, 10.0]])).numpy(), [[-1, 1]] * 2, rtol=1e-4
    )
    assert repr(ln) == "LayerNorm((2,), eps=1e-05, elementwise_affine=True, bias=True)"
    assert [n for n, _ in ln.named_parameters()] == ["weight", "bias"]
    plain = nn.LayerNorm((2, 3), elementwise_affine=False)
    assert list(plain.parameters()) == [] and plain.normalized_shape == (2, 3)
    assert [n for n, _ in nn.LayerNorm(3, bias=False).named_parameters()] == ["weight"]


def test_layer_norm_stable_for_large_values():
    x = leaf([[1000.0, -1000.0, 0.0]])
    out = F.layer_norm(x, 3)
    out.backward(tg.tensor(upstream((1, 3))))
    assert np.isfinite(out.numpy()).all() and np.isfinite(x.grad.numpy()).all()


def test_layer_norm_shape_errors():
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape=\(3,\).*\(3, 4\)"):
        F.layer_norm(tg.ones(3, 4), 3)
    with pytest.raises(ValueError, match=r"layer_norm: weight must have shape \(4,\)"):
        F.layer_norm(tg.ones(3, 4), 4, tg.ones(3))
    with pytest.raises(ValueError, match=r"layer_norm: normalized_shape=\(2, 3, 4\)"):
        nn.LayerNorm((2, 3, 4))(tg.ones(3, 4))
    with pytest.raises(TypeError, match=r"LayerNorm: normalized_shape must be an int"):
        nn.LayerNorm(())


@pytest.mark.torch
@pytest.mark.parametrize("which", ["batch_norm", "layer_norm"])
def test_norm_hessian_vector_product_matches_torch(torch, which):
    rng = np.random.default_rng(15)
    x, v = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    ours = {
        "batch_norm": lambda a: F.batch_norm(a, None, None, training=True),
        "layer_norm": lambda a: F.layer_norm(a, 3),
    }[which]
    theirs = {
        "batch_norm": lambda a: torch.nn.functional.batch_norm(a, None, None, training=True),
        "layer_norm": lambda a: torch.nn.functional.layer_norm(a, (3,)),
    }[which]
    a = leaf(x)
    (g,) = tg.grad((ours(a) ** 3).sum(), [a], create_graph=True)
    (h,) = tg.grad((g * tg.tensor(v)).sum(), [a])
    pa = torch.tensor(x, requires_grad=True)
    (pg,) = torch.autograd.grad((theirs(pa) ** 3).sum(), [pa], create_graph=True)
    (ph,) = torch.autograd.grad((pg * torch.tensor(v)).sum(), [pa])
    np.testing.assert_allclose(h.numpy(), ph.numpy(), rtol=1e-8, atol=1e-10)


def test_batch_norm_momentum_must_be_a_number():
    with pytest.raises(TypeError, match=r"batch_norm: momentum must be a number, got NoneType"):
        F.batch_norm(tg.ones(2, 3), tg.zeros(3), tg.ones(3), training=True, momentum=None)


def test_norms_keep_float32():
    x = tg.tensor(np.arange(6, dtype=np.float32).reshape(2, 3), requires_grad=True)
    for out in (nn.BatchNorm1d(3)(x), nn.LayerNorm(3)(x), nn.BatchNorm1d(3).eval()(x)):
        assert out.dtype == np.float32
        out.sum().backward()
        assert x.grad.dtype == np.float32
