"""max/min with a dim, sort, argsort, topk, median, amax/amin: values, indices and gradients
against PyTorch (the gradient of a selected value goes to the index returned)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg

# Distinct values (no ties), so every library picks the same indices.
X = np.array([[0.3, -1.2, 2.5, 0.7], [1.9, 0.1, -0.4, 3.3], [-2.2, 0.8, 0.05, -0.6]])
# Rows with ties: PyTorch's max/min(dim) and median(dim) pick the first of equal values.
TIES = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 1.0, 2.0]])

CALLS = [
    ("max()", lambda t: t.max()),
    ("min()", lambda t: t.min()),
    ("max(1)", lambda t: t.max(1)),
    ("max(0, keepdim)", lambda t: t.max(0, keepdim=True)),
    ("min(dim=-1)", lambda t: t.min(dim=-1)),
    ("amax(1)", lambda t: t.amax(1)),
    ("amin((0, 1))", lambda t: t.amin((0, 1))),
    ("sort()", lambda t: t.sort()),
    ("sort(0, descending)", lambda t: t.sort(0, descending=True)),
    ("topk(2)", lambda t: t.topk(2)),
    ("topk(2, 0, largest=False)", lambda t: t.topk(2, 0, largest=False)),
    ("median()", lambda t: t.median()),
    ("median(1)", lambda t: t.median(1)),
    ("median(0, keepdim)", lambda t: t.median(0, keepdim=True)),
]


def _run(lib, data, call):
    t = lib.tensor(data, requires_grad=True)
    out = call(t)
    values = out if isinstance(out, lib.Tensor) else out[0]
    indices = None if isinstance(out, lib.Tensor) else out[1].numpy()
    weights = lib.tensor(np.cos(np.arange(values.numel())).reshape(tuple(values.shape)))
    (values * weights).sum().backward()
    return values.detach().numpy(), indices, t.grad.numpy()


@pytest.mark.torch
@pytest.mark.parametrize("data", [X, TIES], ids=["distinct", "ties"])
@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_like_pytorch(torch, data, name, call):
    if data is TIES and name.startswith(("sort", "topk", "median")):
        pytest.skip("PyTorch does not promise an order among ties for sort/topk/median(dim)")
    ours = _run(tg, data, call)
    theirs = _run(torch, data, call)
    np.testing.assert_array_equal(ours[0], theirs[0])
    if theirs[1] is not None:
        np.testing.assert_array_equal(ours[1], theirs[1])
        assert ours[1].dtype == np.int64
    np.testing.assert_allclose(ours[2], theirs[2], rtol=1e-15, atol=0)


def test_by_hand():
    t = tg.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]], requires_grad=True)
    r = t.max(1)
    assert r.values.tolist() == [3.0, 2.0] and r.indices.tolist() == [1, 0]
    r.values.sum().backward()
    assert t.grad.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]  # only the index returned
    t.grad = None
    t.max().backward()  # full reduction: the two tied maxima share the gradient
    assert t.grad.tolist() == [[0.0, 0.5, 0.5], [0.0, 0.0, 0.0]]
    v, i = tg.tensor([3.0, float("nan"), 1.0]).sort(descending=True)
    assert np.isnan(v.numpy()[0]) and i.tolist() == [1, 0, 2]  # NaN is the largest
    assert tg.tensor([4.0, 1.0, 3.0, 2.0]).median().item() == 2.0  # the lower median


def test_forms_and_functions():
    a, b = tg.tensor([1.0, 5.0]), tg.tensor([3.0, 2.0])
    assert a.max(b).tolist() == [3.0, 5.0] and tg.min(a, b).tolist() == [1.0, 2.0]
    assert tg.max(a).item() == 5.0 and tg.max(a, 0).indices.item() == 1
    assert isinstance(tg.max(a, 0), tg.return_types.max)
    assert tg.sort(b).values.tolist() == [2.0, 3.0] and tg.argsort(b).tolist() == [1, 0]
    assert tg.topk(a, 1).values.tolist() == [5.0] and tg.median(a).item() == 1.0
    assert tg.amax(tg.ones(2, 3), axis=1).shape == (2,)
    assert tg.tensor([[2, 7], [9, 1]]).max(1).values.tolist() == [7, 9]  # ints too


def test_empty_and_bad_arguments():
    r = tg.zeros(0, 3).max(axis=1)
    assert r.values.shape == (0,) and r.indices.shape == (0,)  # as PyTorch
    assert tg.zeros(0, 3).amax(1).shape == (0,)
    with pytest.raises(IndexError, match=r"max\(\): expected reduction dim 0 to have non-zero"):
        tg.zeros(0, 3).max(0)
    with pytest.raises(IndexError, match="out of range"):
        tg.ones(2, 3).max(2)
    with pytest.raises(TypeError, match="use amax/amin for several"):
        tg.ones(2, 3).max((0, 1))
    with pytest.raises(IndexError, match=r"topk: k must be an int in \[0, 3\]"):
        tg.ones(3).topk(4)
    with pytest.raises(ValueError, match="cannot reduce an empty"):
        tg.zeros(0).max()
