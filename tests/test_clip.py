"""nn.utils.clip_grad_norm_ and clip_grad_value_: by hand and against PyTorch."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import tinygrad_lite as tg
from tinygrad_lite import nn
from tinygrad_lite.nn.utils import clip_grad_norm_, clip_grad_value_

SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _params_with_grads(*grads, dtype=np.float64):
    params = []
    for g in grads:
        g = np.asarray(g, dtype=dtype)
        p = nn.Parameter(np.zeros_like(g))
        p.grad = tg.Tensor(g)
        params.append(p)
    return params


def test_norm_2_by_hand():
    a, b = _params_with_grads([3.0, 4.0], [[12.0]])
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert isinstance(total, tg.Tensor) and total.shape == () and float(total) == 13.0
    coef = 1.0 / (13.0 + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [3 * coef, 4 * coef], rtol=1e-15)
    np.testing.assert_allclose(b.grad.numpy(), [[12 * coef]], rtol=1e-15)


def test_norm_below_max_leaves_grads_alone():
    a, b = _params_with_grads([3.0, 4.0], [[12.0]])
    assert float(clip_grad_norm_([a, b], max_norm=13.5)) == 13.0
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(b.grad.numpy(), [[12.0]])


def test_norm_inf_and_1_and_3_by_hand():
    a, b = _params_with_grads([3.0, -4.0], [[-12.0, 1.0]])
    assert float(clip_grad_norm_([a, b], 6.0, norm_type=math.inf)) == 12.0
    np.testing.assert_allclose(b.grad.numpy(), [[-12 * 6 / (12 + 1e-6), 6 / (12 + 1e-6)]])
    a, b = _params_with_grads([3.0, -4.0], [[-12.0, 1.0]])
    assert float(clip_grad_norm_([a, b], 100.0, norm_type=1)) == 20.0
    a, b = _params_with_grads([1.0, -2.0], [[2.0]])
    assert float(clip_grad_norm_([a, b], 100.0, norm_type=3)) == pytest.approx(17 ** (1 / 3))


def test_accepts_one_tensor_a_generator_and_named_parameters():
    lin = nn.Linear(2, 2)
    for p in lin.parameters():
        p.grad = tg.Tensor(np.full(p.shape, 2.0, dtype=np.float32))
    total = clip_grad_norm_(lin.named_parameters(), max_norm=1.0)
    assert total.dtype == np.float32
    assert float(total) == pytest.approx(math.sqrt(6 * 4.0))
    assert lin.weight.grad.dtype == np.float32
    single = _params_with_grads([0.0, 5.0])[0]
    assert float(clip_grad_norm_(single, 1.0)) == 5.0
    np.testing.assert_allclose(single.grad.numpy(), [0.0, 5.0 / (5.0 + 1e-6)])


def test_params_without_grads_are_skipped_and_none_gives_zero():
    a, b = _params_with_grads([3.0, 4.0], [1.0])
    b.grad = None
    assert float(clip_grad_norm_([a, b], 10.0)) == 5.0
    assert float(clip_grad_norm_([nn.Parameter(np.zeros(2))], 1.0)) == 0.0
    assert float(clip_grad_norm_([], 1.0)) == 0.0


def test_real_backward_then_clip():
    lin = nn.Linear(3, 1, dtype=np.float64)
    x = tg.tensor(np.ones((4, 3)))
    (lin(x) * 100.0).sum().backward()
    grads = [p.grad.numpy().copy() for p in lin.parameters()]
    total = float(clip_grad_norm_(lin.parameters(), 0.5))
    expected = math.sqrt(sum((g**2).sum() for g in grads))
    assert total == pytest.approx(expected, rel=1e-12)
    new_total = math.sqrt(sum((p.grad.numpy() ** 2).sum() for p in lin.parameters()))
    assert new_total == pytest.approx(0.5, rel=1e-5)


def test_nonfinite_norm_names_the_parameter():
    model = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
    for p in model.parameters():
        p.grad = tg.Tensor(np.ones(p.shape, dtype=np.float32))
    model[2].weight.grad.numpy()[0, 1] = np.nan
    with pytest.raises(
        RuntimeError, match=r"total norm of order 2.0 .* is nan.*'2.weight' \(norm nan\)"
    ):
        clip_grad_norm_(model.named_parameters(), 1.0, error_if_nonfinite=True)
    # nothing was scaled
    assert model[0].weight.grad.numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]
    model[0].bias.grad.numpy()[0] = np.inf
    with pytest.raises(RuntimeError, match=r"'0.bias' \(norm inf\), '2.weight' \(norm nan\)"):
        clip_grad_norm_(model.named_parameters(), 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match=r"parameter 1 \(shape \(2,\)\) \(norm inf\)"):
        clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="detect_anomaly.*error_if_nonfinite=False"):
        clip_grad_norm_(model.parameters(), 1.0, norm_type=math.inf, error_if_nonfinite=True)


def test_nonfinite_by_overflow_says_so():
    # NOTE: each norm (1.5e19) is finite; the sum of their float32 squares (4.5e38) is not,
    # which is also where PyTorch's float32 total overflows.
    a, b = _params_with_grads([1.5e19], [1.5e19], dtype=np.float32)
    with pytest.raises(
        RuntimeError, match="is inf.*every gradient norm is finite, but their total"
    ):
        clip_grad_norm_([a, b], 1.0, error_if_nonfinite=True)


def test_nonfinite_without_error_spreads_nan_like_pytorch():
    a, b = _params_with_grads([1.0, np.nan], [2.0])
    total = clip_grad_norm_([a, b], 1.0)
    assert math.isnan(float(total))
    assert np.isnan(a.grad.numpy()).all() and np.isnan(b.grad.numpy()).all()


def test_clip_grad_norm_bad_arguments():
    (a,) = _params_with_grads([1.0])
    with pytest.raises(TypeError, match="max_norm must be a number"):
        clip_grad_norm_([a], "1")
    with pytest.raises(ValueError, match="max_norm must be >= 0, got -1"):
        clip_grad_norm_([a], -1)
    with pytest.raises(ValueError, match="norm_type must be a positive number or math.inf, got 0"):
        clip_grad_norm_([a], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"expected a Tensor or an iterable of Tensors .*got float"):
        clip_grad_norm_(1.5, 1.0)
    with pytest.raises(TypeError, match="item 1 is a ndarray; pass Tensors or"):
        clip_grad_norm_([a, np.ones(2)], 1.0)


def test_clip_grad_value_by_hand():
    a, b = _params_with_grads([-3.0, 0.5, 2.0], [[0.1, -0.2]])
    assert clip_grad_value_([a, b], 1.0) is None
    np.testing.assert_array_equal(a.grad.numpy(), [-1.0, 0.5, 1.0])
    np.testing.assert_array_equal(b.grad.numpy(), [[0.1, -0.2]])
    lin = nn.Linear(2, 2)
    for p in lin.parameters():
        p.grad = tg.Tensor(np.full(p.shape, -5.0, dtype=np.float32))
    clip_grad_value_(lin.named_parameters(), 0.5)
    assert (lin.weight.grad.numpy() == -0.5).all() and lin.weight.grad.dtype == np.float32
    with pytest.raises(ValueError, match="clip_value must be >= 0, got -1"):
        clip_grad_value_([a], -1)
    with pytest.raises(TypeError, match="clip_value must be a number"):
        clip_grad_value_([a], None)


def _torch_params(torch, grads):
    params = []
    for g in grads:
        p = torch.nn.Parameter(torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype))
        p.grad = torch.from_numpy(g.copy())
        params.append(p)
    return params


shapes = st.lists(
    st.lists(st.integers(1, 4), min_size=0, max_size=3).map(tuple), min_size=1, max_size=4
)


@pytest.mark.torch
@SETTINGS
@given(
    shapes=shapes,
    max_norm=st.floats(0.01, 10.0),
    norm_type=st.sampled_from([2.0, math.inf, 1.0, 3.0]),
    seed=st.integers(0, 2**16),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_clip_grad_norm_matches_torch(torch, shapes, max_norm, norm_type, seed, dtype):
    rng = np.random.default_rng(seed)
    grads = [np.asarray(rng.standard_normal(s) * 2, dtype=dtype) for s in shapes]
    ours = _params_with_grads(*grads, dtype=dtype)
    theirs = _torch_params(torch, grads)
    total = clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    t_total = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    assert total.dtype == dtype and total.shape == ()
    np.testing.assert_allclose(float(total), float(t_total), rtol=tol)
    for p, q in zip(ours, theirs):
        np.testing.assert_allclose(p.grad.numpy(), q.grad.numpy(), rtol=tol, atol=tol)


@pytest.mark.torch
@SETTINGS
@given(shapes=shapes, clip=st.floats(0.0, 3.0), seed=st.integers(0, 2**16))
def test_clip_grad_value_matches_torch(torch, shapes, clip, seed):
    rng = np.random.default_rng(seed)
    grads = [np.asarray(rng.standard_normal(s) * 2) for s in shapes]
    ours = _params_with_grads(*grads)
    theirs = _torch_params(torch, grads)
    clip_grad_value_(ours, clip)
    torch.nn.utils.clip_grad_value_(theirs, clip)
    for p, q in zip(ours, theirs):
        np.testing.assert_array_equal(p.grad.numpy(), q.grad.numpy())


@pytest.mark.torch
def test_nonfinite_error_like_torch_raises(torch):
    grads = [np.array([1.0, np.inf])]
    with pytest.raises(RuntimeError):
        torch.nn.utils.clip_grad_norm_(_torch_params(torch, grads), 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError, match="is inf"):
        clip_grad_norm_(_params_with_grads(*grads), 1.0, error_if_nonfinite=True)


def test_grads_from_one_upstream_gradient_are_each_scaled_once():
    a = tg.tensor([3.0, 0.0], requires_grad=True)
    b = tg.tensor([0.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # both leaves receive the same upstream gradient [1, 1]
    total = clip_grad_norm_([a, b], max_norm=1.0)
    assert float(total) == pytest.approx(2.0)
    coef = 1.0 / (2.0 + 1e-6)
    np.testing.assert_allclose(a.grad.numpy(), [coef, coef], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [coef, coef], rtol=1e-6)
