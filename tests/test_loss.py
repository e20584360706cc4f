"""Losses (functional and Modules): NumPy formulas, PyTorch, finite differences, errors."""

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
REDUCTIONS = ("mean", "sum", "none")


def leaf(a) -> tg.Tensor:
    return tg.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def upstream(shape: tuple[int, ...]) -> np.ndarray:
    return np.linspace(-1.5, 2.0, int(np.prod(shape))).reshape(shape)


def reduce_np(loss: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


def reduce_vjp(g_out: np.ndarray, shape: tuple[int, ...], reduction: str) -> np.ndarray:
    """Upstream gradient of the unreduced loss, given the gradient of the reduced one."""
    if reduction == "none":
        return g_out
    return np.broadcast_to(g_out / (np.prod(shape) if reduction == "mean" else 1), shape)


def backward_with(out: tg.Tensor) -> np.ndarray:
    g = upstream(out.shape) if out.ndim else np.array(1.7)
    out.backward(tg.tensor(g))
    return g


def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


def _huber(d, delta):
    a = np.abs(d)
    return np.where(a < delta, 0.5 * d * d, delta * (a - 0.5 * delta))


def _huber_grad(d, delta):
    return np.where(np.abs(d) < delta, d, delta * np.sign(d))


def _bce(x, y):
    return -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log(1 - x), -100))


def _bce_logits(x, y):
    return np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))


# name -> (ours(x, y, reduction), loss formula, d loss / d x formula, torch name and kwargs,
#          target strategy kind)
ELEMENTWISE = {
    "mse": (
        lambda x, y, r: F.mse_loss(x, y, reduction=r),
        lambda x, y: (x - y) ** 2,
        lambda x, y: 2 * (x - y),
        ("mse_loss", {}),
        "real",
    ),
    "l1": (
        lambda x, y, r: F.l1_loss(x, y, reduction=r),
        lambda x, y: np.abs(x - y),
        lambda x, y: np.sign(x - y),
        ("l1_loss", {}),
        "real",
    ),
    "huber": (
        lambda x, y, r: F.huber_loss(x, y, r),
        lambda x, y: _huber(x - y, 1.0),
        lambda x, y: _huber_grad(x - y, 1.0),
        ("huber_loss", {}),
        "real",
    ),
    "huber_delta": (
        lambda x, y, r: F.huber_loss(x, y, reduction=r, delta=0.3),
        lambda x, y: _huber(x - y, 0.3),
        lambda x, y: _huber_grad(x - y, 0.3),
        ("huber_loss", {"delta": 0.3}),
        "real",
    ),
    "bce": (
        lambda x, y, r: F.binary_cross_entropy(x, y, reduction=r),
        _bce,
        lambda x, y: (x - y) / np.maximum(x * (1 - x), 1e-12),
        ("binary_cross_entropy", {}),
        "prob",
    ),
    "bce_logits": (
        lambda x, y, r: F.binary_cross_entropy_with_logits(x, y, reduction=r),
        _bce_logits,
        lambda x, y: _sig(x) - y,
        ("binary_cross_entropy_with_logits", {}),
        "real",
    ),
}


@st.composite
def pairs(draw, kind: str):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4))
    if kind == "prob":
        x = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.01, 0.99)))
        y = draw(hnp.arrays(np.float64, shape, elements=st.floats(0.0, 1.0)))
    else:
        x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-4, 4)))
        y = draw(hnp.arrays(np.float64, shape, elements=st.floats(-4, 4)))
        if draw(st.booleans()):
            y = np.clip(y, 0, 1)  # also the BCE-with-logits target range
    return x, y


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
@FEW
@given(data=st.data())
def test_elementwise_loss_matches_formula(name, reduction, data):
    ours, loss_np, grad_np, _, kind = ELEMENTWISE[name]
    x, y = data.draw(pairs(kind))
    tx = leaf(x)
    out = ours(tx, tg.tensor(y), reduction)
    np.testing.assert_allclose(
        out.numpy(), reduce_np(loss_np(x, y), reduction), rtol=1e-10, atol=1e-12
    )
    g = backward_with(out)
    expected = reduce_vjp(g, x.shape, reduction) * grad_np(x, y)
    np.testing.assert_allclose(tx.grad.numpy(), expected, rtol=1e-9, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
@FEW
@given(data=st.data())
def test_elementwise_loss_matches_torch(torch, name, reduction, data):
    ours, _, _, (tname, kwargs), kind = ELEMENTWISE[name]
    x, y = data.draw(pairs(kind))
    tx, ty = leaf(x), leaf(y)
    px, py = torch.tensor(x, requires_grad=True), torch.tensor(y, requires_grad=True)
    out = ours(tx, ty, reduction)
    pout = getattr(torch.nn.functional, tname)(px, py, reduction=reduction, **kwargs)
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-12)
    g = backward_with(out)
    pout.backward(torch.tensor(g))
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ty.grad.numpy(), py.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", list(ELEMENTWISE))
def test_elementwise_loss_gradcheck(name, reduction):
    ours = ELEMENTWISE[name][0]
    rng = np.random.default_rng(5)
    if ELEMENTWISE[name][4] == "prob":
        x, y = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0, 1, (3, 4))
    else:
        y = rng.normal(size=(3, 4))
        x = y + rng.uniform(0.1, 2.5, (3, 4)) * rng.choice([-1, 1], (3, 4))  # no kinks
        x[0, 0] = y[0, 0] + 0.5  # inside Huber's quadratic zone for delta 1 and outside for 0.3
    assert tg.gradcheck(lambda a, b: ours(a, b, reduction), (leaf(x), leaf(y)))


def test_hand_computed_losses():
    x, y = tg.tensor([1.0, -2.0, 0.5]), tg.tensor([0.0, 0.0, 0.0])
    assert F.mse_loss(x, y).item() == pytest.approx((1 + 4 + 0.25) / 3)
    assert F.l1_loss(x, y, reduction="sum").item() == pytest.approx(3.5)
    assert F.huber_loss(x, y, reduction="none").tolist() == [0.5, 1.5, 0.125]
    assert F.huber_loss(x, y, "sum", delta=2.0).item() == pytest.approx(0.5 + 2.0 + 0.125)
    p, t = tg.tensor([0.5, 0.25]), tg.tensor([1.0, 0.0])
    np.testing.assert_allclose(
        F.binary_cross_entropy(p, t, reduction="none").numpy(), [np.log(2), np.log(4 / 3)]
    )
    z = tg.tensor([0.0, np.log(3.0)])
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(z, t, reduction="none").numpy(),
        [np.log(2), np.log(4)],
        rtol=1e-6,
    )


def test_l1_and_huber_gradient_at_zero_difference_is_zero():
    x = leaf([1.0, 2.0])
    F.l1_loss(x, tg.tensor([1.0, 0.0]), reduction="sum").backward()
    assert x.grad.tolist() == [0.0, 1.0]
    x = leaf([1.0, 2.0])
    F.huber_loss(x, tg.tensor([1.0, 1.0]), "sum").backward()  # |d| = delta: slope delta
    assert x.grad.tolist() == [0.0, 1.0]


# ----------------------------------------------------------------- BCE at the extremes


def test_bce_clamps_log_and_has_pytorch_gradient_at_0_and_1():
    x = leaf([0.0, 1.0, 0.0, 1.0])
    y = tg.tensor([1.0, 0.0, 0.0, 1.0])
    loss = F.binary_cross_entropy(x, y, reduction="none")
    assert loss.tolist() == [100.0, 100.0, 0.0, 0.0]
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [-1e12, 1e12, 0.0, 0.0])


def test_bce_weight():
    x, y, w = leaf([0.5, 0.25]), tg.tensor([1.0, 0.0]), tg.tensor([2.0, 3.0])
    loss = F.binary_cross_entropy(x, y, w, reduction="sum")
    assert loss.item() == pytest.approx(2 * np.log(2) + 3 * np.log(4 / 3))
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [2 * -2.0, 3 * (0.25 / (0.25 * 0.75))])


def test_bce_logits_stable_at_1000():
    x = leaf([1000.0, -1000.0, 1000.0, -1000.0, 0.0])
    y = tg.tensor([1.0, 0.0, 0.0, 1.0, 0.25])
    loss = F.binary_cross_entropy_with_logits(x, y, reduction="none")
    np.testing.assert_allclose(loss.numpy(), [0.0, 0.0, 1000.0, 1000.0, np.log(2)], atol=1e-12)
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 0.0, 1.0, -1.0, 0.25], atol=1e-12)


def test_bce_logits_float32_stable_at_1000():
    x = tg.tensor(np.array([1000.0, -1000.0], dtype=np.float32), requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(x, tg.tensor(np.array([0.0, 0.0], np.float32)))
    loss.backward()
    assert loss.dtype == np.float32 and x.grad.dtype == np.float32
    assert loss.item() == 500.0 and np.isfinite(x.grad.numpy()).all()


def test_bce_logits_pos_weight_and_weight_hand():
    x, y = leaf([0.0, 0.0]), tg.tensor([1.0, 0.0])
    loss = F.binary_cross_entropy_with_logits(
        x, y, tg.tensor([1.0, 2.0]), reduction="none", pos_weight=tg.tensor([3.0, 3.0])
    )
    np.testing.assert_allclose(loss.numpy(), [3 * np.log(2), 2 * np.log(2)])
    loss.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [3 * (0.5 - 1), 2 * 0.5])


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_logits_pos_weight_matches_torch(torch, reduction):
    rng = np.random.default_rng(6)
    x, y = rng.normal(size=(5, 3)) * 3, rng.integers(0, 2, (5, 3)).astype(float)
    w, pw = rng.uniform(0.5, 2, (5, 3)), rng.uniform(0.5, 3, 3)
    tx, px = leaf(x), torch.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy_with_logits(
        tx, tg.tensor(y), tg.tensor(w), reduction=reduction, pos_weight=tg.tensor(pw)
    )
    pout = torch.nn.functional.binary_cross_entropy_with_logits(
        px, torch.tensor(y), torch.tensor(w), reduction=reduction, pos_weight=torch.tensor(pw)
    )
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-12)
    g = backward_with(out)
    pout.backward(torch.tensor(g))
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-10, atol=1e-14)
    assert tg.gradcheck(
        lambda a: F.binary_cross_entropy_with_logits(
            a, tg.tensor(y), reduction=reduction, pos_weight=tg.tensor(pw)
        ),
        (leaf(x),),
    )


@pytest.mark.torch
def test_bce_extremes_match_torch(torch):
    x = np.array([0.0, 1.0, 1e-50, 1 - 1e-12, 0.3])
    y = np.array([1.0, 0.0, 0.5, 0.2, 0.3])
    tx, px = leaf(x), torch.tensor(x, requires_grad=True)
    out = F.binary_cross_entropy(tx, tg.tensor(y), reduction="sum")
    pout = torch.nn.functional.binary_cross_entropy(px, torch.tensor(y), reduction="sum")
    np.testing.assert_allclose(out.item(), pout.item(), rtol=1e-10)
    out.backward()
    pout.backward()
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-8)


# ---------------------------------------------------------------------- cross-entropy


def _ce_np(logits, target, cdim, weight=None, ignore_index=-100):
    lsm = logits - logits.max(axis=cdim, keepdims=True)
    lsm = lsm - np.log(np.exp(lsm).sum(axis=cdim, keepdims=True))
    moved = np.moveaxis(lsm, cdim, -1)
    valid = target != ignore_index
    safe = np.where(valid, target, 0)
    picked = np.take_along_axis(moved, safe[..., None], -1)[..., 0]
    w = (np.ones(logits.shape[cdim]) if weight is None else weight)[safe] * valid
    return -picked * w, w


@st.composite
def ce_cases(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    extra = draw(st.lists(st.integers(1, 3), max_size=2))
    logits = draw(hnp.arrays(np.float64, (n, c, *extra), elements=st.floats(-6, 6)))
    target = draw(hnp.arrays(np.int64, (n, *extra), elements=st.integers(0, c - 1)))
    return logits, target


@pytest.mark.parametrize("reduction", REDUCTIONS)
@FEW
@given(case=ce_cases())
def test_cross_entropy_matches_formula(reduction, case):
    logits, target = case
    tx = leaf(logits)
    out = F.cross_entropy(tx, tg.tensor(target), reduction=reduction)
    loss, _ = _ce_np(logits, target, 1)
    np.testing.assert_allclose(out.numpy(), reduce_np(loss, reduction), rtol=1e-10, atol=1e-12)
    g = backward_with(out)
    g_rows = np.expand_dims(reduce_vjp(g, loss.shape, reduction), 1)
    probs = np.exp(logits - logits.max(1, keepdims=True))
    probs /= probs.sum(1, keepdims=True)
    onehot = np.expand_dims(target, 1) == np.arange(logits.shape[1]).reshape(
        (1, -1) + (1,) * (logits.ndim - 2)
    )
    np.testing.assert_allclose(tx.grad.numpy(), g_rows * (probs - onehot), rtol=1e-9, atol=1e-12)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@FEW
@given(case=ce_cases(), use_weight=st.booleans(), ignore_first=st.booleans())
def test_cross_entropy_matches_torch(torch, reduction, case, use_weight, ignore_first):
    logits, target = case
    if ignore_first:
        target = target.copy()
        target.flat[0] = -100
    weight = np.linspace(0.5, 2.0, logits.shape[1]) if use_weight else None
    tx, px = leaf(logits), torch.tensor(logits, requires_grad=True)
    out = F.cross_entropy(
        tx, tg.tensor(target), None if weight is None else tg.tensor(weight), reduction=reduction
    )
    pout = torch.nn.functional.cross_entropy(
        px,
        torch.tensor(target),
        None if weight is None else torch.tensor(weight),
        reduction=reduction,
    )
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-10, atol=1e-12)
    if not np.isfinite(pout.detach().numpy()).all():
        return  # every target ignored: NaN mean, as PyTorch
    g = backward_with(out)
    pout.backward(torch.tensor(g))
    np.testing.assert_allclose(tx.grad.numpy(), px.grad.numpy(), rtol=1e-9, atol=1e-12)


def test_cross_entropy_hand_values_weight_and_ignore_index():
    logits = tg.tensor([[0.0, np.log(3.0)], [np.log(3.0), 0.0], [5.0, 1.0]])
    target = tg.tensor(np.array([1, 1, -100]))
    per_row = F.cross_entropy(logits, target, reduction="none")
    np.testing.assert_allclose(per_row.numpy(), [np.log(4 / 3), np.log(4), 0.0], rtol=1e-6)
    np.testing.assert_allclose(
        F.cross_entropy(logits, target).item(), (np.log(4 / 3) + np.log(4)) / 2, rtol=1e-6
    )
    weighted = F.cross_entropy(logits[:2], target[:2], tg.tensor([1.0, 3.0]))
    np.testing.assert_allclose(weighted.item(), (np.log(4 / 3) + np.log(4)) / 2, rtol=1e-6)
    unbatched = F.cross_entropy(tg.tensor([0.0, np.log(3.0)]), tg.tensor(np.array(1)))
    np.testing.assert_allclose(unbatched.item(), np.log(4 / 3), rtol=1e-6)


def test_cross_entropy_all_ignored_mean_is_nan():
    out = F.cross_entropy(tg.ones(2, 3), tg.tensor(np.array([-100, -100])))
    assert np.isnan(out.item())
    assert (
        F.cross_entropy(tg.ones(2, 3), tg.tensor(np.array([-100, -100])), reduction="sum").item()
        == 0
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_gradcheck(reduction):
    rng = np.random.default_rng(7)
    target = tg.tensor(rng.integers(0, 4, (3, 2)))
    w = tg.tensor(np.array([1.0, 0.5, 2.0, 1.5]))
    assert tg.gradcheck(
        lambda x: F.cross_entropy(x, target, w, reduction=reduction),
        (leaf(rng.normal(size=(3, 4, 2))),),
    )


def test_cross_entropy_stable_at_1000():
    x = leaf([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 0.0]])
    loss = F.cross_entropy(x, tg.tensor(np.array([1, 1])))
    assert loss.item() == pytest.approx(1000.0)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.5, -0.5, 0.0], [0.0, 0.0, 0.0]], atol=1e-12)


def test_cross_entropy_float_target_is_type_error():
    with pytest.raises(TypeError, match=r"cross_entropy: target must hold integer class indices"):
        F.cross_entropy(tg.ones(2, 3), tg.tensor([0.0, 1.0]))
    with pytest.raises(TypeError, match=r"pass integer class indices"):
        F.cross_entropy(tg.ones(2, 3), tg.tensor([0.0, 1.0]))


@pytest.mark.parametrize("bad", [3, 7, -1])
def test_cross_entropy_out_of_range_names_value_and_classes(bad):
    with pytest.raises(ValueError, match=rf"class index {bad}, outside \[0, 3\).*C=3"):
        F.cross_entropy(tg.ones(2, 3), tg.tensor(np.array([0, bad])))


def test_cross_entropy_target_shape_mismatch():
    with pytest.raises(ValueError, match=r"target shape \(3,\).*input shape \(2, 3\).*\(2,\)"):
        F.cross_entropy(tg.ones(2, 3), tg.tensor(np.array([0, 1, 2])))
    with pytest.raises(ValueError, match=r"cross_entropy: weight must have shape \(3,\)"):
        F.cross_entropy(tg.ones(2, 3), tg.tensor(np.array([0, 1])), tg.ones(2))


# ------------------------------------------------------------------------------ errors

ALL_LOSSES = {
    "mse_loss": lambda x, y, **k: F.mse_loss(x, y, **k),
    "l1_loss": lambda x, y, **k: F.l1_loss(x, y, **k),
    "huber_loss": lambda x, y, **k: F.huber_loss(x, y, **k),
    "binary_cross_entropy": lambda x, y, **k: F.binary_cross_entropy(x, y, **k),
    "binary_cross_entropy_with_logits": (
        lambda x, y, **k: F.binary_cross_entropy_with_logits(x, y, **k)
    ),
}


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_bad_reduction_lists_valid_ones(name):
    x = tg.tensor([0.5, 0.5])
    with pytest.raises(ValueError, match=rf"{name}: reduction must be one of 'mean', 'sum', "):
        ALL_LOSSES[name](x, x, reduction="avg")
    with pytest.raises(ValueError, match=r"cross_entropy: reduction .*'none', got 'avg'"):
        F.cross_entropy(tg.ones(2, 2), tg.tensor(np.array([0, 1])), reduction="avg")


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_shape_mismatch_names_both_shapes(name):
    with pytest.raises(ValueError, match=rf"{name}: input shape \(3,\) and target shape \(3, 1\)"):
        ALL_LOSSES[name](tg.tensor([0.5] * 3), tg.tensor([[0.5]] * 3))


@pytest.mark.parametrize("name", list(ALL_LOSSES))
def test_non_tensor_target_is_type_error(name):
    with pytest.raises(TypeError, match=rf"{name}: target must be a Tensor"):
        ALL_LOSSES[name](tg.tensor([0.5]), np.array([0.5]))


def test_bce_input_outside_0_1():
    # the ValueError this library has always raised; RuntimeError (PyTorch's) is tested in
    # test_losses_pytorch_edges.py
    with pytest.raises(ValueError, match=r"binary_cross_entropy: all elements of input .*0 and 1"):
        F.binary_cross_entropy(tg.tensor([1.5, 0.5]), tg.tensor([1.0, 1.0]))


def test_huber_nonpositive_delta():
    with pytest.raises(ValueError, match=r"huber_loss: delta must be positive, got 0"):
        F.huber_loss(tg.ones(2), tg.ones(2), delta=0)
    with pytest.raises(ValueError, match=r"HuberLoss: delta must be positive"):
        nn.HuberLoss(delta=-1.0)


# ------------------------------------------------------------------------------ modules


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_modules_equal_functional(reduction):
    rng = np.random.default_rng(8)
    x, y = tg.tensor(rng.uniform(0.1, 0.9, (4, 3))), tg.tensor(rng.uniform(0, 1, (4, 3)))
    labels = tg.tensor(np.array([0, 2, 1, 1]))
    pairs_ = [
        (nn.MSELoss(reduction), F.mse_loss(x, y, reduction=reduction)),
        (nn.L1Loss(reduction), F.l1_loss(x, y, reduction=reduction)),
        (nn.HuberLoss(reduction, delta=0.2), F.huber_loss(x, y, reduction, 0.2)),
        (nn.BCELoss(reduction=reduction), F.binary_cross_entropy(x, y, reduction=reduction)),
        (
            nn.BCEWithLogitsLoss(reduction=reduction, pos_weight=tg.tensor([1.0, 2.0, 3.0])),
            F.binary_cross_entropy_with_logits(
                x, y, reduction=reduction, pos_weight=tg.tensor([1.0, 2.0, 3.0])
            ),
        ),
    ]
    for module, expected in pairs_:
        np.testing.assert_array_equal(module(x, y).numpy(), expected.numpy())
    ce = nn.CrossEntropyLoss(weight=tg.tensor([1.0, 2.0, 3.0]), reduction=reduction)
    np.testing.assert_array_equal(
        ce(x, labels).numpy(),
        F.cross_entropy(x, labels, tg.tensor([1.0, 2.0, 3.0]), reduction=reduction).numpy(),
    )


def test_module_reprs_and_bad_reduction():
    assert repr(nn.MSELoss()) == "MSELoss(reduction='mean')"
    assert repr(nn.HuberLoss("sum", 0.5)) == "HuberLoss(reduction='sum', delta=0.5)"
    assert repr(nn.CrossEntropyLoss()) == "CrossEntropyLoss(ignore_index=-100, reduction='mean')"
    for cls in (nn.MSELoss, nn.L1Loss, nn.HuberLoss):
        with pytest.raises(ValueError, match=rf"{cls.__name__}: reduction must be one of"):
            cls("average")
    with pytest.raises(ValueError, match=r"BCELoss: reduction must be one of"):
        nn.BCELoss(reduction="average")


def test_weighted_loss_modules_keep_weight_as_buffer():
    ce = nn.CrossEntropyLoss(weight=tg.tensor([1.0, 2.0]))
    assert list(ce.state_dict()) == ["weight"] and list(ce.parameters()) == []
    assert list(nn.BCEWithLogitsLoss(pos_weight=tg.ones(2)).state_dict()) == ["pos_weight"]


# ------------------------------------------------------------------------- second order


def _hvp(fn, x: np.ndarray, v: np.ndarray) -> np.ndarray:
    a = leaf(x)
    (g,) = tg.grad(fn(a), [a], create_graph=True)
    (h,) = tg.grad((g * tg.tensor(v)).sum(), [a])
    return h.numpy()


SECOND_ORDER = {
    "mse": (
        lambda a, y: F.mse_loss(a, y),
        lambda a, y, t: t.nn.functional.mse_loss(a, y),
    ),
    "huber": (
        lambda a, y: F.huber_loss(a, y, delta=0.3),
        lambda a, y, t: t.nn.functional.huber_loss(a, y, delta=0.3),
    ),
    "bce": (
        lambda a, y: F.binary_cross_entropy(a, y, reduction="sum"),
        lambda a, y, t: t.nn.functional.binary_cross_entropy(a, y, reduction="sum"),
    ),
    "bce_logits": (
        lambda a, y: F.binary_cross_entropy_with_logits(a, y),
        lambda a, y, t: t.nn.functional.binary_cross_entropy_with_logits(a, y),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("name", list(SECOND_ORDER))
def test_hessian_vector_product_matches_torch(torch, name):
    ours, theirs = SECOND_ORDER[name]
    rng = np.random.default_rng(13)
    x, y, v = rng.uniform(0.1, 0.9, (3, 4)), rng.uniform(0, 1, (3, 4)), rng.normal(size=(3, 4))
    h = _hvp(lambda a: ours(a, tg.tensor(y)), x, v)
    pa = torch.tensor(x, requires_grad=True)
    (pg,) = torch.autograd.grad(theirs(pa, torch.tensor(y), torch), [pa], create_graph=True)
    (ph,) = torch.autograd.grad((pg * torch.tensor(v)).sum(), [pa])
    np.testing.assert_allclose(h, ph.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.torch
def test_cross_entropy_hessian_vector_product_matches_torch(torch):
    rng = np.random.default_rng(14)
    x, v, labels = rng.normal(size=(3, 4)), rng.normal(size=(3, 4)), rng.integers(0, 4, 3)
    h = _hvp(lambda a: F.cross_entropy(a, tg.tensor(labels)), x, v)
    pa = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(pa, torch.tensor(labels))
    (pg,) = torch.autograd.grad(loss, [pa], create_graph=True)
    (ph,) = torch.autograd.grad((pg * torch.tensor(v)).sum(), [pa])
    np.testing.assert_allclose(h, ph.numpy(), rtol=1e-9, atol=1e-12)


def test_second_derivatives_hand_computed():
    x, v = np.array([-1.0, 0.0, 2.0]), np.array([1.0, -2.0, 0.5])
    y = tg.tensor([0.0, 1.0, 1.0])
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(
        _hvp(lambda a: F.binary_cross_entropy_with_logits(a, y, reduction="sum"), x, v),
        s * (1 - s) * v,
        rtol=1e-12,
    )
    np.testing.assert_allclose(_hvp(lambda a: F.mse_loss(a, y), x, v), 2 * v / 3, rtol=1e-12)
    p, t = np.array([0.2, 0.5]), np.array([1.0, 0.0])
    # d2/dx2 of -(t log x + (1 - t) log(1 - x)) = t / x**2 + (1 - t) / (1 - x)**2
    np.testing.assert_allclose(
        _hvp(lambda a: F.binary_cross_entropy(a, tg.tensor(t), reduction="sum"), p, np.ones(2)),
        t / p**2 + (1 - t) / (1 - p) ** 2,
        rtol=1e-9,
    )


def test_losses_keep_float32():
    f32 = np.float32
    x = tg.tensor(np.array([[0.2, 0.7]], dtype=f32), requires_grad=True)
    y = tg.tensor(np.array([[0.0, 1.0]], dtype=f32))
    outs = [
        F.mse_loss(x, y),
        F.l1_loss(x, y),
        F.huber_loss(x, y),
        F.binary_cross_entropy(x, y),
        F.binary_cross_entropy_with_logits(x, y, pos_weight=tg.tensor(np.ones(2, f32))),
        F.cross_entropy(x, tg.tensor(np.array([1]))),
        F.cross_entropy(x, tg.tensor(np.array([1])), tg.tensor(np.ones(2, f32))),
    ]
    for out in outs:
        assert out.dtype == np.float32
        out.backward()
    assert x.grad.dtype == np.float32
