"""Table-driven tests of indexing: ints, slices, None, ..., integer arrays (with repeated
indices, whose gradients must accumulate) and boolean masks, as ndarrays, lists or Tensors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import strategies as st
from op_table import Case, Row, make_tests, selection_grad

import tinygrad_lite as tg

_MASKS = np.random.default_rng(7)  # fixed masks: test data, not tinygrad_lite randomness
MASK_FULL = _MASKS.random((4, 5, 3)) < 0.5
MASK_2D = _MASKS.random((4, 5)) < 0.5

# (id, input shape, key) — every key is valid for NumPy and PyTorch alike.
KEYS = [
    ("int", (4, 5, 3), 1),
    ("neg_int", (4, 5, 3), -1),
    ("int_pair", (4, 5, 3), (1, 2)),
    ("int_triple_to_0d", (4, 5, 3), (3, -2, 0)),
    ("slice", (4, 5, 3), slice(1, 3)),
    ("slice_open", (4, 5, 3), (slice(None), slice(2, None))),
    ("slice_step", (4, 5, 3), (slice(None), slice(0, 5, 2))),
    ("slice_neg_bounds", (4, 5, 3), slice(-3, -1)),
    ("none", (4, 5, 3), (None, 1)),
    ("none_middle", (4, 5, 3), (slice(None), None, 2)),
    ("ellipsis", (4, 5, 3), (Ellipsis, 0)),
    ("ellipsis_none", (4, 5, 3), (0, Ellipsis, None, slice(1, None))),
    ("int_array_repeated", (4, 5, 3), np.array([0, 2, 2, 0, 3, 2])),
    ("int_array_negative", (4, 5, 3), np.array([-1, -1, 0])),
    ("int_array_2d_repeated", (4, 5, 3), np.array([[1, 1], [3, 1]])),
    ("two_arrays_repeated_pairs", (4, 5, 3), (np.array([1, 1, 3]), np.array([0, 0, 4]))),
    ("slice_then_array", (4, 5, 3), (slice(None), np.array([4, 4, 1]))),
    ("arrays_split_by_slice", (4, 5, 3), (np.array([0, 0]), slice(None), np.array([2, 2]))),
    ("int_and_array", (4, 5, 3), (2, np.array([3, 3, 3]))),
    ("list_repeated", (4, 5, 3), [0, 2, 2]),
    ("mask_full", (4, 5, 3), MASK_FULL),
    ("mask_first_axis", (4, 5, 3), np.array([True, False, True, True])),
    ("mask_2d", (4, 5, 3), MASK_2D),
    ("slice_then_mask", (4, 5, 3), (slice(None), np.array([True, False, True, True, False]))),
    ("vector_int", (5,), 2),
    ("vector_array", (5,), np.array([1, 1, 1])),
    ("scalar_ellipsis", (), Ellipsis),
    ("scalar_none", (), None),
]
# The same keys, handed over as integer / bool Tensors instead of ndarrays.
TENSOR_KEYS = {"int_array_repeated", "two_arrays_repeated_pairs", "mask_full", "slice_then_mask"}


def _convert(key, kind):
    """Turn the ndarrays of a key into ``kind`` tensors; ``kind`` is tg or torch."""
    if isinstance(key, tuple):
        return tuple(_convert(k, kind) for k in key)
    if isinstance(key, np.ndarray):
        return tg.Tensor(key) if kind is tg else kind.from_numpy(key)
    return key


def _index_ref(x, key, **_):
    return np.asarray(x[key])


def _row(name, shape, key, as_tensor):
    return Row(
        name + ("_as_tensor" if as_tensor else ""),
        lambda x, key, as_tensor: x[_convert(key, tg) if as_tensor else key],
        _index_ref,
        lambda th, x, key, **_: x[_convert(key, th)],
        st.just(Case((shape,), {"key": key, "as_tensor": as_tensor})),
        grad=selection_grad(_index_ref),
    )


INDEX_ROWS = [_row(n, s, k, False) for n, s, k in KEYS] + [
    _row(n, s, k, True) for n, s, k in KEYS if n in TENSOR_KEYS
]

test_forward, test_backward, test_vs_torch, test_gradcheck, test_gradgradcheck = make_tests(
    INDEX_ROWS
)


# --------------------------------------------------------------------------- spelled out by hand


def test_repeated_indices_accumulate_by_hand():
    x = tg.Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    out = x[np.array([2, 0, 2, 2])]
    np.testing.assert_array_equal(out.numpy(), [30.0, 10.0, 30.0, 30.0])
    out.backward(tg.Tensor(np.array([1.0, 2.0, 3.0, 4.0])))
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 0.0, 8.0])


def test_boolean_mask_by_hand():
    x = tg.Tensor(np.array([[1.0, -2.0], [-3.0, 4.0]]), requires_grad=True)
    out = x[x > 0]
    np.testing.assert_array_equal(out.numpy(), [1.0, 4.0])
    out.backward(tg.Tensor(np.array([5.0, 6.0])))
    np.testing.assert_array_equal(x.grad.numpy(), [[5.0, 0.0], [0.0, 6.0]])


@pytest.mark.parametrize("key", [(slice(None), None, 0), (Ellipsis, None), (0, Ellipsis)])
def test_none_and_ellipsis_shapes(key):
    x = tg.Tensor(np.zeros((2, 3)))
    assert x[key].shape == np.zeros((2, 3))[key].shape


@pytest.mark.parametrize(
    "key,pattern",
    [
        (5, r"index 5 is out of bounds for axis 0 with size 2"),
        (np.array([0, 2]), r"index 2 is out of bounds for axis 0 with size 2"),
        ((0, 0, 0), r"too many indices"),
        (np.array([0.5]), r"integer or bool.*float64.*\(2, 3\)"),
        (np.array([True, False, True]), r"boolean index did not match.*2.*3"),
    ],
)
def test_bad_index_raises_index_error(key, pattern):
    """Like NumPy and PyTorch, a bad index is an IndexError that says what is wrong."""
    with pytest.raises(IndexError, match=pattern):
        tg.Tensor(np.ones((2, 3)))[key]
