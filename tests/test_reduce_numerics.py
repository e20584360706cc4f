"""Reductions in PyTorch's dtypes and precision: long float32 sums, integer sums, variance with
no degrees of freedom, softmax and log_softmax of a 0-d tensor."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_lite as tg


@pytest.mark.parametrize("reduce", ["sum", "mean"])
def test_long_float32_reduction_down_a_strided_axis_is_accurate(reduce):
    x = np.random.default_rng(0).random((2_000_000, 2)).astype(np.float32)
    exact = getattr(x.astype(np.float64), reduce)(axis=0)
    got = getattr(tg.tensor(x), reduce)(axis=0).numpy()
    assert got.dtype == np.float32
    # one float64 accumulation rounded once to float32: within 1 ulp of the exact value, while
    # row-by-row float32 addition drifts by ~1e-5 relative here (NumPy's plain sum)
    np.testing.assert_allclose(got, exact, rtol=np.finfo(np.float32).eps, atol=0)
    naive = getattr(x, reduce)(axis=0)
    assert np.abs(naive / exact - 1).max() > 10 * np.finfo(np.float32).eps  # the test can fail


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int32, np.int64, np.bool_])
def test_integer_sums_are_int64_as_pytorch(torch, dtype):
    x = np.array([[200, 100], [1, 0]]).astype(dtype)
    for axis in (None, 0, 1):
        ours = tg.tensor(x).sum(axis=axis)
        theirs = torch.tensor(x).sum() if axis is None else torch.tensor(x).sum(axis)
        assert ours.dtype == np.int64 and str(theirs.dtype) == "torch.int64"
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.torch
@pytest.mark.parametrize(
    "data,correction", [([1.5], 1), ([1.5, 2.5], 2), ([1.5, 2.5], 3), ([1.0, 1.0], 2)]
)
@pytest.mark.parametrize("op", ["var", "std"])
def test_no_degrees_of_freedom_give_inf_or_nan_as_pytorch(torch, data, correction, op):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = getattr(tg.tensor(data), op)(correction=correction).item()
        theirs = getattr(torch.tensor(data), op)(correction=correction).item()
    np.testing.assert_array_equal(ours, theirs)  # inf == inf, nan == nan


@pytest.mark.torch
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_zero_dim_softmax(torch, op):
    x = tg.tensor(2.0, dtype=np.float64, requires_grad=True)
    tx = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    y, ty = getattr(x, op)(0), getattr(tx, op)(0)
    y.backward()
    ty.backward()
    assert y.shape == () and y.item() == ty.item() and x.grad.item() == tx.grad.item()
