"""Loss edge cases where PyTorch's answer is the specification.

``ignore_index`` equal to a real class (padding tokens), ``-inf`` (masked) logits in
cross-entropy, and binary cross-entropy's checks of its input range and shapes. Each is checked
by hand and, where torch is installed, against PyTorch.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_lite as tg
from tinygrad_lite import nn
from tinygrad_lite.nn import functional as F

FEW = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
REDUCTIONS = ("mean", "sum", "none")
LOG3 = np.log(3.0)


def leaf(a) -> tg.Tensor:
    return tg.tensor(np.array(a, dtype=np.float64), requires_grad=True)


def labels(a) -> tg.Tensor:
    return tg.tensor(np.array(a, dtype=np.int64))


def both_ways(torch, logits, target, weight=None, **kwargs):
    """Cross-entropy and its gradient from tinygrad_lite and PyTorch, for an upstream ``g``."""
    x, px = leaf(logits), torch.tensor(np.asarray(logits, np.float64), requires_grad=True)
    w = None if weight is None else np.asarray(weight, np.float64)
    out = F.cross_entropy(x, labels(target), None if w is None else tg.tensor(w), **kwargs)
    pout = torch.nn.functional.cross_entropy(
        px, torch.tensor(np.asarray(target)), None if w is None else torch.tensor(w), **kwargs
    )
    n = int(np.prod(out.shape))
    g = np.linspace(-1.5, 2.0, n).reshape(out.shape) if out.ndim else np.array(1.7)
    out.backward(tg.tensor(g))
    pout.backward(torch.tensor(g))
    return (out.numpy(), x.grad.numpy()), (pout.detach().numpy(), px.grad.numpy())


def assert_same(ours, theirs):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


# ------------------------------------------------------- ignore_index inside [0, C)


def test_ignored_class_rows_cost_nothing_by_hand():
    # class 0 is the padding token: rows 0 and 2 are padding and must not train
    logits = leaf([[5.0, 1.0], [0.0, LOG3], [2.0, -1.0], [LOG3, 0.0]])
    loss = F.cross_entropy(logits, labels([0, 1, 0, 1]), ignore_index=0)
    # the two counted rows have p(target) = 3/4 and 1/4: the mean is over 2 rows, not 4
    assert loss.item() == pytest.approx((np.log(4 / 3) + np.log(4)) / 2, rel=1e-12)
    loss.backward()
    # d/dx of the mean = (softmax - onehot) / 2 on counted rows, exactly 0 on ignored ones
    expected = [[0, 0], [0.25 / 2, -0.25 / 2], [0, 0], [0.75 / 2, -0.75 / 2]]
    np.testing.assert_allclose(logits.grad.numpy(), expected, rtol=1e-12, atol=0)
    per_row = F.cross_entropy(logits, labels([0, 1, 0, 1]), ignore_index=0, reduction="none")
    assert per_row.tolist() == pytest.approx([0.0, np.log(4 / 3), 0.0, np.log(4)], rel=1e-12)


def test_ignored_class_weighted_mean_divides_by_counted_weights_by_hand():
    logits = leaf([[0.0, LOG3, 0.0], [0.0, 0.0, 0.0], [LOG3, 0.0, 0.0]])
    weight = tg.tensor([2.0, 5.0, 3.0])
    loss = F.cross_entropy(logits, labels([1, 2, 1]), weight, ignore_index=2)
    # rows 0 and 2 count with weight 5 each; row 1 (target 2 = ignore_index) does not
    nll = np.array([-np.log(3 / 5), -np.log(1 / 5)])
    assert loss.item() == pytest.approx((5 * nll).sum() / 10, rel=1e-12)
    loss.backward()
    np.testing.assert_array_equal(logits.grad.numpy()[1], [0.0, 0.0, 0.0])


def test_every_row_ignored_by_a_class_index():
    x, t = leaf(np.ones((2, 3))), labels([1, 1])
    assert np.isnan(F.cross_entropy(x, t, ignore_index=1).item())  # 0 / 0, as PyTorch
    assert F.cross_entropy(x, t, ignore_index=1, reduction="sum").item() == 0.0
    total = F.cross_entropy(x, t, tg.tensor([1.0, 2.0, 3.0]), ignore_index=1, reduction="sum")
    total.backward()
    assert total.item() == 0.0
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros((2, 3)))


@st.composite
def ignore_cases(draw):
    n, c = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    extra = draw(st.lists(st.integers(1, 3), max_size=1))
    logits = draw(hnp.arrays(np.float64, (n, c, *extra), elements=st.floats(-6, 6)))
    target = draw(hnp.arrays(np.int64, (n, *extra), elements=st.integers(0, c - 1)))
    return logits, target, draw(st.integers(0, c - 1))


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@FEW
@given(case=ignore_cases(), use_weight=st.booleans())
def test_ignore_index_inside_class_range_matches_torch(torch, reduction, case, use_weight):
    logits, target, ignore = case
    weight = np.linspace(0.5, 2.0, logits.shape[1]) if use_weight else None
    ours, theirs = both_ways(
        torch, logits, target, weight, ignore_index=ignore, reduction=reduction
    )
    if np.isnan(theirs[0]).any():  # every row ignored: both means are NaN
        assert np.isnan(ours[0]).all()
        return
    assert_same(ours, theirs)


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_loss_module_passes_ignore_index(torch, reduction):
    rng = np.random.default_rng(3)
    logits, target = rng.normal(size=(6, 4)), np.array([0, 3, 0, 2, 1, 0])
    module = nn.CrossEntropyLoss(
        weight=tg.tensor([1.0, 2.0, 0.5, 1.5]), ignore_index=0, reduction=reduction
    )
    reference = torch.nn.CrossEntropyLoss(
        weight=torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64),
        ignore_index=0,
        reduction=reduction,
    )
    x, px = leaf(logits), torch.tensor(logits, requires_grad=True)
    out, pout = module(x, labels(target)), reference(px, torch.tensor(target))
    np.testing.assert_allclose(out.numpy(), pout.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    pout.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), px.grad.numpy(), rtol=1e-12, atol=1e-15)
    assert not x.grad.numpy()[target == 0].any()


# ------------------------------------------------------------------ -inf (masked) logits


def test_masked_logits_by_hand():
    x = leaf([[0.0, LOG3, -np.inf], [-np.inf, 0.0, -np.inf]])
    loss = F.cross_entropy(x, labels([1, 1]), reduction="sum")
    # row 0: softmax (1/4, 3/4, 0); row 1: a single finite logit, p = 1, loss 0
    assert loss.item() == pytest.approx(np.log(4 / 3), rel=1e-12)
    loss.backward()
    np.testing.assert_allclose(
        x.grad.numpy(), [[0.25, -0.25, 0.0], [0.0, 0.0, 0.0]], rtol=1e-12, atol=0
    )


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_masked_logits_stay_finite_in_every_reduction(dtype):
    logits = np.array([[2.0, -np.inf, 1.0, -np.inf], [-np.inf, 0.5, 0.5, 3.0]], dtype=dtype)
    for reduction in REDUCTIONS:
        for weight in (None, tg.tensor(np.array([1.0, 2.0, 3.0, 4.0], dtype=dtype))):
            x = tg.tensor(logits, requires_grad=True)
            out = F.cross_entropy(x, labels([0, 2]), weight, reduction=reduction)
            out.sum().backward()
            assert np.isfinite(out.numpy()).all() and np.isfinite(x.grad.numpy()).all()
            assert not x.grad.numpy()[np.isinf(logits)].any()  # masked logits get gradient 0


@pytest.mark.torch
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("use_weight", [False, True])
def test_masked_logits_match_torch(torch, reduction, use_weight):
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(6, 5, 2))
    target = rng.integers(0, 5, size=(6, 2))
    mask = rng.random(logits.shape) < 0.4
    np.put_along_axis(mask, target[:, None], False, axis=1)  # the targets stay finite
    logits[mask] = -np.inf
    target[0, 0] = 3  # an ignored position whose logits are all finite or not
    weight = np.linspace(0.5, 2.0, 5) if use_weight else None
    ours, theirs = both_ways(torch, logits, target, weight, ignore_index=3, reduction=reduction)
    assert np.isfinite(ours[0]).all() and np.isfinite(ours[1]).all()
    assert_same(ours, theirs)


@pytest.mark.torch
def test_masked_logits_second_order_matches_torch(torch):
    x = np.array([[0.0, LOG3, -np.inf], [1.0, -np.inf, 2.0]])
    v = np.array([[1.0, -2.0, 0.5], [0.3, 0.2, -1.0]])
    a = leaf(x)
    (g,) = tg.grad(F.cross_entropy(a, labels([1, 2])), [a], create_graph=True)
    (h,) = tg.grad((g * tg.tensor(v)).sum(), [a])
    pa = torch.tensor(x, requires_grad=True)
    loss = torch.nn.functional.cross_entropy(pa, torch.tensor([1, 2]))
    (pg,) = torch.autograd.grad(loss, [pa], create_graph=True)
    (ph,) = torch.autograd.grad((pg * torch.tensor(v)).sum(), [pa])
    np.testing.assert_allclose(h.numpy(), ph.numpy(), rtol=1e-10, atol=1e-15)


def test_masked_target_logit_costs_inf_as_torch():
    x = leaf([[1.0, -np.inf]])
    loss = F.cross_entropy(x, labels([1]))
    assert loss.item() == np.inf  # PyTorch: inf, with gradient [1, -1]
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, -1.0]])


# ------------------------------------------------------------- binary cross-entropy checks

OUTSIDE = {
    "above 1": ([1.5, 0.5], r"got values in \[0.5, 1.5\]"),
    "below 0": ([-0.25, 0.5], r"got values in \[-0.25, 0.5\]"),
    "NaN": ([np.nan, 0.5], r"got values in \[0.5, 0.5\] and 1 NaN"),
    "all NaN": ([np.nan, np.nan], r"got 2 NaN"),
    "inf": ([np.inf, 0.5], r"got values in \[0.5, inf\]"),
}


@pytest.mark.parametrize("case", list(OUTSIDE))
def test_bce_outside_0_1_is_a_runtime_error_naming_call_range_and_fix(case):
    values, seen = OUTSIDE[case]
    with pytest.raises(RuntimeError) as info:
        F.binary_cross_entropy(tg.tensor(values), tg.tensor([1.0, 1.0]))
    message = str(info.value)
    assert message.startswith("binary_cross_entropy: all elements of input should be between 0")
    assert "binary_cross_entropy_with_logits" in message
    assert re.search(seen, message), message
    assert isinstance(info.value, ValueError)  # what this library raised before
    with pytest.raises(RuntimeError, match="binary_cross_entropy: all elements"):
        nn.BCELoss()(tg.tensor(values), tg.tensor([1.0, 1.0]))


@pytest.mark.torch
@pytest.mark.parametrize("case", list(OUTSIDE))
def test_bce_outside_0_1_raises_like_torch(torch, case):
    values, _ = OUTSIDE[case]
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        torch.nn.functional.binary_cross_entropy(torch.tensor(values), torch.ones(2))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(tg.tensor(values), tg.ones(2))


def test_bce_accepts_the_ends_of_0_1():
    loss = F.binary_cross_entropy(tg.tensor([0.0, 1.0, 1.0]), tg.tensor([0.0, 1.0, 0.0]))
    assert loss.item() == pytest.approx(100 / 3)  # log clamped to -100, as PyTorch
    assert F.binary_cross_entropy(tg.zeros(0), tg.zeros(0), reduction="sum").item() == 0.0


@pytest.mark.torch
@pytest.mark.parametrize("loss", ["binary_cross_entropy", "BCELoss"])
def test_bce_target_shape_error_names_the_call(torch, loss):
    x, y = [0.5, 0.25, 0.75], [[1.0], [0.0], [1.0]]
    call = (
        F.binary_cross_entropy
        if loss == "binary_cross_entropy"
        else (lambda a, b: nn.BCELoss()(a, b))
    )
    with pytest.raises(
        ValueError, match=r"binary_cross_entropy: input shape \(3,\) and target shape \(3, 1\)"
    ):
        call(tg.tensor(x), tg.tensor(y))
    with pytest.raises(ValueError):  # PyTorch raises a ValueError here too
        torch.nn.functional.binary_cross_entropy(torch.tensor(x), torch.tensor(y))


@pytest.mark.parametrize("name", ["binary_cross_entropy", "binary_cross_entropy_with_logits"])
@pytest.mark.parametrize("shape", [(2, 3), (1, 3), (2,)])
def test_bce_weight_must_broadcast_to_the_input_shape(name, shape):
    # PyTorch raises for these too; multiplying would silently grow the loss to shape (2, 3)
    loss = getattr(F, name)
    x, y = tg.tensor([0.5, 0.25, 0.75]), tg.tensor([1.0, 0.0, 1.0])
    pattern = rf"{name}: weight of shape \({shape[0]},.*does not broadcast to .*\(3,\)"
    with pytest.raises(ValueError, match=pattern):
        loss(x, y, tg.ones(*shape), reduction="none")
    assert loss(x, y, tg.tensor([2.0]), reduction="none").shape == (3,)  # (1,) broadcasts
    if name == "binary_cross_entropy_with_logits":
        with pytest.raises(ValueError, match=rf"{name}: pos_weight of shape"):
            loss(x, y, pos_weight=tg.ones(*shape))
