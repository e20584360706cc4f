"""Scalers (against hand-computed values and scikit-learn) and TensorDataset / DataLoader."""

from __future__ import annotations

import math
import warnings

import hypothesis.extra.numpy as hnp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinygrad_lite as tg
from tinygrad_lite.data import (
    DataLoader,
    MinMaxScaler,
    NotFittedError,
    StandardScaler,
    TensorDataset,
)
from tinygrad_lite.random import generator

SCALERS = [StandardScaler, MinMaxScaler]

# values in a range where float64 round-off stays far below the test tolerances
matrices = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=12),
    elements=st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False),
)


# ---------------------------------------------------------------------------------------------
# StandardScaler, by hand
# ---------------------------------------------------------------------------------------------


def test_standard_scaler_hand_computed_population_std():
    X = np.array([[1.0, 10.0, 7.0], [3.0, 20.0, 7.0], [5.0, 60.0, 7.0]])
    s = StandardScaler().fit(X)
    # means 9/3, 90/3, 7; population variances (4 + 0 + 4) / 3 and (400 + 100 + 900) / 3
    assert s.mean_.tolist() == [3.0, 30.0, 7.0]
    np.testing.assert_allclose(s.var_, [8 / 3, 1400 / 3, 0.0], rtol=1e-15)
    np.testing.assert_allclose(s.scale_, [math.sqrt(8 / 3), math.sqrt(1400 / 3), 1.0])
    assert s.n_samples_seen_ == 3 and s.n_features_in_ == 3
    out = s.transform(X)
    expected = np.array(
        [
            [-2 / math.sqrt(8 / 3), -20 / math.sqrt(1400 / 3), 0.0],
            [0.0, -10 / math.sqrt(1400 / 3), 0.0],
            [2 / math.sqrt(8 / 3), 30 / math.sqrt(1400 / 3), 0.0],
        ]
    )
    np.testing.assert_allclose(out, expected, rtol=1e-14, atol=1e-15)
    # population (ddof=0), not sample, standard deviation: unit population variance out
    np.testing.assert_allclose(out[:, :2].var(axis=0), [1.0, 1.0])


def test_standard_scaler_flags():
    X = np.array([[0.0, 1.0], [4.0, 3.0]])
    no_mean = StandardScaler(with_mean=False).fit(X)
    assert no_mean.mean_.tolist() == [2.0, 2.0]  # still computed, as scikit-learn does
    np.testing.assert_allclose(no_mean.transform(X), [[0.0, 1.0], [2.0, 3.0]])
    no_std = StandardScaler(with_std=False).fit(X)
    assert no_std.var_ is None and no_std.scale_ is None
    np.testing.assert_allclose(no_std.transform(X), [[-2.0, -1.0], [2.0, 1.0]])
    neither = StandardScaler(with_mean=False, with_std=False).fit(X)
    assert neither.mean_ is None and neither.var_ is None and neither.scale_ is None
    np.testing.assert_array_equal(neither.transform(X), X)
    assert repr(no_std) == "StandardScaler(with_std=False)"
    assert repr(StandardScaler()) == "StandardScaler()"


def test_standard_scaler_constant_columns_never_divide_by_zero():
    X = np.array([[0.1, 5.0], [0.1, -5.0], [0.1, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 0/0 would warn
        with np.errstate(all="raise"):
            s = StandardScaler().fit(X)
            out = s.transform(X)
            back = s.inverse_transform(out)
    assert s.var_[0] == 0.0 and s.scale_[0] == 1.0
    np.testing.assert_allclose(out[:, 0], 0.0, atol=1e-16)
    np.testing.assert_allclose(back, X)


def test_standard_scaler_stable_for_large_offsets():
    # E[x^2] - E[x]^2 would lose every digit here; the two-pass variance keeps them
    X = np.array([[1e9 + 1.0], [1e9 + 2.0], [1e9 + 3.0]])
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.var_, [2 / 3], rtol=1e-9)


# ---------------------------------------------------------------------------------------------
# MinMaxScaler, by hand
# ---------------------------------------------------------------------------------------------


def test_minmax_scaler_hand_computed():
    X = np.array([[1.0, -2.0, 4.0], [3.0, 2.0, 4.0], [5.0, 0.0, 4.0]])
    s = MinMaxScaler().fit(X)
    assert s.data_min_.tolist() == [1.0, -2.0, 4.0]
    assert s.data_max_.tolist() == [5.0, 2.0, 4.0]
    assert s.data_range_.tolist() == [4.0, 4.0, 0.0]
    assert s.scale_.tolist() == [0.25, 0.25, 1.0]  # constant column: range replaced by 1
    assert s.min_.tolist() == [-0.25, 0.5, -4.0]
    assert s.transform(X).tolist() == [[0.0, 0.0, 0.0], [0.5, 1.0, 0.0], [1.0, 0.5, 0.0]]
    assert s.n_samples_seen_ == 3 and s.n_features_in_ == 3


def test_minmax_scaler_feature_range_and_clip():
    X = np.array([[0.0], [4.0]])
    s = MinMaxScaler(feature_range=(-1, 1)).fit(X)
    assert s.transform([[1.0], [7.0]]).tolist() == [[-0.5], [2.5]]
    clipped = MinMaxScaler(feature_range=(-1, 1), clip=True).fit(X)
    assert clipped.transform([[1.0], [7.0], [-9.0]]).tolist() == [[-0.5], [1.0], [-1.0]]
    assert repr(clipped) == "MinMaxScaler(feature_range=(-1, 1), clip=True)"


def test_minmax_scaler_bad_feature_range():
    with pytest.raises(ValueError, match="MinMaxScaler: minimum of desired feature range"):
        MinMaxScaler(feature_range=(1, 0))
    with pytest.raises(ValueError, match=r"feature_range=\(2, 2\)"):
        MinMaxScaler(feature_range=(2, 2))
    with pytest.raises(TypeError, match="feature_range must be a pair of numbers"):
        MinMaxScaler(feature_range=(0, 1, 2))


# ---------------------------------------------------------------------------------------------
# both scalers: properties, kinds and dtypes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        StandardScaler,
        lambda: StandardScaler(with_mean=False),
        lambda: StandardScaler(with_std=False),
        MinMaxScaler,
        lambda: MinMaxScaler(feature_range=(-3, 0.5)),
    ],
)
@settings(max_examples=40, deadline=None)
@given(X=matrices)
def test_inverse_transform_undoes_transform(make, X):
    s = make()
    out = s.fit_transform(X)
    np.testing.assert_allclose(s.inverse_transform(out), X, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(X=matrices)
def test_standard_scaler_matches_numpy_formula(X):
    s = StandardScaler().fit(X)
    np.testing.assert_allclose(s.mean_, X.mean(axis=0), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(s.var_, X.var(axis=0), rtol=1e-9, atol=1e-9)
    out = s.transform(X)
    spread = X.std(axis=0) > 1e-6 * (1 + np.abs(X).max(axis=0))
    # wherever a column has real spread, it comes out with zero mean and unit variance
    np.testing.assert_allclose(out[:, spread].mean(axis=0), 0.0, atol=1e-9)
    if X.shape[0] > 1:
        np.testing.assert_allclose(out[:, spread].std(axis=0), 1.0, rtol=1e-9)


@pytest.mark.parametrize("cls", SCALERS)
def test_input_is_not_modified(cls):
    X = np.array([[1.0, 2.0], [3.0, 8.0]])
    keep = X.copy()
    s = cls().fit(X)
    s.inverse_transform(s.transform(X))
    np.testing.assert_array_equal(X, keep)


@pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")
@pytest.mark.parametrize("cls", SCALERS)
def test_kinds_and_dtypes(cls):
    ints = [[1, 2], [3, 6], [5, 7]]
    ref = cls().fit_transform(np.array(ints, dtype=np.float64))
    # np.matrix of Python ints: a plain float64 ndarray comes back (as scikit-learn)
    out = cls().fit_transform(np.matrix(ints))
    assert type(out) is np.ndarray and out.dtype == np.float64
    np.testing.assert_array_equal(out, ref)
    # lists and integer arrays become float64 like scikit-learn
    for X in (ints, np.array(ints, dtype=np.int32), np.array(ints) > 2):
        out = cls().fit_transform(X)
        assert type(out) is np.ndarray and out.dtype == np.float64
    # float32 stays float32, and is computed from float64 statistics
    out32 = cls().fit_transform(np.array(ints, dtype=np.float32))
    assert out32.dtype == np.float32
    np.testing.assert_allclose(out32, ref, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("cls", SCALERS)
def test_tensor_in_tensor_out(cls):
    ints = [[1, 2], [3, 6], [5, 7]]
    ref = cls().fit_transform(np.array(ints, dtype=np.float64))
    for dtype in (np.float32, np.float64):
        t = tg.tensor(np.array(ints, dtype=dtype))
        s = cls().fit(t)
        out = s.transform(t)
        assert isinstance(out, tg.Tensor) and out.dtype == dtype
        np.testing.assert_allclose(out.numpy(), ref, rtol=1e-6, atol=1e-6)
        back = s.inverse_transform(out)
        assert isinstance(back, tg.Tensor) and back.dtype == dtype
        np.testing.assert_allclose(back.numpy(), ints, rtol=1e-6)
    # an integer Tensor becomes the default float dtype
    t_int = tg.tensor(np.array(ints, dtype=np.int64))
    assert cls().fit_transform(t_int).dtype == np.float32
    tg.set_default_dtype(np.float64)
    assert cls().fit_transform(t_int).dtype == np.float64


def test_tensor_transform_keeps_the_graph_when_it_requires_grad():
    s = StandardScaler().fit(np.array([[0.0, 1.0], [4.0, 1.0]]))  # scale_ = [2, 1]
    pred = tg.tensor([[1.0, 1.0]], requires_grad=True)
    s.inverse_transform(pred).sum().backward()
    np.testing.assert_allclose(pred.grad.numpy(), [[2.0, 1.0]])
    x = tg.tensor([[1.0, 1.0]], requires_grad=True)
    MinMaxScaler().fit([[0.0, 0.0], [4.0, 2.0]]).transform(x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [[0.25, 0.5]])
    # with clip=True the clipped entry (5 -> 1.25 -> 1) gets no gradient
    z = tg.tensor([[1.0, 5.0]], requires_grad=True)
    clipper = MinMaxScaler(clip=True).fit([[0.0, 0.0], [4.0, 4.0]])
    out = clipper.transform(z)
    np.testing.assert_allclose(out.numpy(), [[0.25, 1.0]])
    out.sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), [[0.25, 0.0]])
    with tg.no_grad():
        assert s.transform(x).grad_fn is None


# ---------------------------------------------------------------------------------------------
# both scalers: errors
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", SCALERS)
@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_not_fitted(cls, method):
    with pytest.raises(NotFittedError, match=f"This {cls.__name__} instance is not fitted yet"):
        getattr(cls(), method)([[1.0]])
    assert issubclass(NotFittedError, RuntimeError) and issubclass(NotFittedError, ValueError)


@pytest.mark.parametrize("cls", SCALERS)
def test_one_dimensional_input_is_refused_like_scikit_learn(cls):
    with pytest.raises(ValueError, match=r"Expected 2D array, got 1D array.*reshape\(-1, 1\)"):
        cls().fit(np.array([1.0, 2.0]))
    s = cls().fit([[1.0], [2.0]])
    with pytest.raises(ValueError, match=rf"{cls.__name__}.transform: Expected 2D array"):
        s.transform([1.0, 2.0])
    with pytest.raises(ValueError, match="got scalar array"):
        s.transform(3.0)
    with pytest.raises(ValueError, match=r"got 3D array with shape \(2, 1, 1\)"):
        cls().fit(np.zeros((2, 1, 1)))


@pytest.mark.parametrize("cls", SCALERS)
def test_wrong_number_of_features(cls):
    s = cls().fit(np.zeros((3, 2)))
    for method in ("transform", "inverse_transform"):
        with pytest.raises(
            ValueError, match=f"X has 3 features, but {cls.__name__} is expecting 2"
        ):
            getattr(s, method)(np.zeros((1, 3)))


@pytest.mark.parametrize("cls", SCALERS)
def test_non_finite_data_names_the_column(cls):
    X = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 6.0]])
    with pytest.raises(ValueError, match=rf"{cls.__name__}.fit: column 1 contains NaN"):
        cls().fit(X)
    X = np.array([[1.0, 2.0, -np.inf], [np.nan, 5.0, np.inf]])
    with pytest.raises(ValueError, match="column 0 contains NaN, column 2 contains Inf"):
        cls().fit(tg.tensor(X))
    s = cls().fit(np.ones((2, 3)))
    with pytest.raises(ValueError, match="transform: column 2 contains Inf"):
        s.transform(np.array([[1.0, 1.0, np.inf]]))
    with pytest.raises(ValueError, match="inverse_transform: column 0 contains NaN"):
        s.inverse_transform(np.array([[np.nan, 1.0, 1.0]]))


def test_overflowing_sum_is_not_mistaken_for_inf():
    X = np.array([[1e308], [1e308], [5e307]])  # the sum overflows, the range does not
    np.testing.assert_allclose(MinMaxScaler().fit_transform(X).ravel(), [1.0, 1.0, 0.0])


@pytest.mark.parametrize("cls", SCALERS)
def test_bad_types_and_shapes(cls):
    with pytest.raises(ValueError, match=r"0 samples \(shape=\(0, 2\)\)"):
        cls().fit(np.zeros((0, 2)))
    with pytest.raises(ValueError, match="0 features"):
        cls().fit(np.zeros((2, 0)))
    with pytest.raises(ValueError, match="same number of features"):
        cls().fit([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="must be numeric, got dtype <U"):
        cls().fit([["a", "b"]])
    with pytest.raises(TypeError, match="complex data is not supported"):
        cls().fit(np.ones((2, 2), dtype=complex))
    with pytest.raises(
        TypeError, match="expected an ndarray, a list of rows or a Tensor, got dict"
    ):
        cls().fit({"a": [1.0]})


# ---------------------------------------------------------------------------------------------
# against scikit-learn
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ours_and_theirs",
    [
        ("StandardScaler", {}),
        ("StandardScaler", {"with_mean": False}),
        ("StandardScaler", {"with_std": False}),
        ("MinMaxScaler", {}),
        ("MinMaxScaler", {"feature_range": (-2, 3)}),
        ("MinMaxScaler", {"clip": True}),
    ],
)
@settings(max_examples=30, deadline=None)
@given(X=matrices, shift=st.floats(-3, 3))
def test_matches_scikit_learn(ours_and_theirs, X, shift):
    prep = pytest.importorskip("sklearn.preprocessing")
    name, kwargs = ours_and_theirs
    ours = {"StandardScaler": StandardScaler, "MinMaxScaler": MinMaxScaler}[name](**kwargs)
    theirs = getattr(prep, name)(**kwargs)
    ours.fit(X)
    theirs.fit(X)
    attrs = ["mean_", "var_", "scale_"] if name == "StandardScaler" else [
        "data_min_", "data_max_", "data_range_", "scale_", "min_"
    ]  # fmt: skip
    for attr in attrs:
        a, b = getattr(ours, attr), getattr(theirs, attr)
        if b is None:
            assert a is None, attr
        else:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9, err_msg=attr)
    assert ours.n_samples_seen_ == theirs.n_samples_seen_
    assert ours.n_features_in_ == theirs.n_features_in_
    X_new = X + shift * (1 + np.abs(X))  # partly outside the fitted range
    np.testing.assert_allclose(ours.transform(X_new), theirs.transform(X_new), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(
        ours.inverse_transform(X_new), theirs.inverse_transform(X_new), rtol=1e-9, atol=1e-6
    )


# ---------------------------------------------------------------------------------------------
# TensorDataset
# ---------------------------------------------------------------------------------------------


def test_tensor_dataset_items_are_tuples():
    x = tg.tensor(np.arange(12.0).reshape(4, 3))
    y = tg.tensor(np.array([5, 6, 7, 8]))
    ds = TensorDataset(x, y)
    assert len(ds) == 4
    item = ds[2]
    assert isinstance(item, tuple) and len(item) == 2
    assert item[0].tolist() == [6.0, 7.0, 8.0] and item[1].item() == 7
    assert ds[-1][1].item() == 8
    with pytest.raises(IndexError, match="index 4 is out of range for a dataset of 4"):
        ds[4]


def test_tensor_dataset_errors():
    with pytest.raises(ValueError, match=r"same size in dim 0.*got sizes \[4, 3\]"):
        TensorDataset(tg.zeros(4, 2), tg.zeros(3))
    with pytest.raises(TypeError, match="argument 1 is a ndarray, not a Tensor"):
        TensorDataset(tg.zeros(2), np.zeros(2))
    with pytest.raises(ValueError, match="at least one Tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="argument 0 is a 0-d Tensor"):
        TensorDataset(tg.tensor(1.0))


# ---------------------------------------------------------------------------------------------
# DataLoader
# ---------------------------------------------------------------------------------------------


def _indexed_dataset(n: int) -> TensorDataset:
    """Row i of x is (i, 10 i) and y[i] = i, so a batch tells which samples it holds."""
    idx = np.arange(n)
    return TensorDataset(
        tg.tensor(np.stack([idx, 10 * idx], axis=1).astype(np.float32)), tg.tensor(idx)
    )


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 40), batch_size=st.integers(1, 50), shuffle=st.booleans(), seed=st.integers(0)
)
def test_every_sample_exactly_once_per_epoch(n, batch_size, shuffle, seed):
    tg.manual_seed(seed)
    loader = DataLoader(_indexed_dataset(n), batch_size=batch_size, shuffle=shuffle)
    assert len(loader) == math.ceil(n / batch_size)
    for _epoch in range(2):
        batches = list(loader)
        assert len(batches) == len(loader)
        seen = []
        for k, (xb, yb) in enumerate(batches):
            assert isinstance(xb, tg.Tensor) and isinstance(yb, tg.Tensor)
            expected_size = batch_size if k < len(batches) - 1 else n - batch_size * k
            assert xb.shape == (expected_size, 2) and yb.shape == (expected_size,)
            assert xb.dtype == np.float32 and yb.dtype == np.int64
            # rows of x and y stay paired
            np.testing.assert_array_equal(xb.numpy()[:, 0], yb.numpy())
            np.testing.assert_array_equal(xb.numpy()[:, 1], 10 * yb.numpy())
            seen.extend(yb.tolist())
        assert sorted(seen) == list(range(n))
        if not shuffle:
            assert seen == list(range(n))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 40), batch_size=st.integers(1, 50), shuffle=st.booleans())
def test_drop_last(n, batch_size, shuffle):
    loader = DataLoader(_indexed_dataset(n), batch_size, shuffle=shuffle, drop_last=True)
    assert len(loader) == n // batch_size
    batches = list(loader)
    assert len(batches) == n // batch_size
    seen = [i for _, yb in batches for i in yb.tolist()]
    assert all(yb.shape == (batch_size,) for _, yb in batches)
    assert len(set(seen)) == len(seen) == n - n % batch_size


def test_shuffle_reproducible_under_manual_seed_and_new_each_epoch():
    loader = DataLoader(_indexed_dataset(50), batch_size=8, shuffle=True)

    def epoch_order():
        return [i for _, yb in loader for i in yb.tolist()]

    tg.manual_seed(123)
    first, second = epoch_order(), epoch_order()
    tg.manual_seed(123)
    assert epoch_order() == first and epoch_order() == second
    assert first != second and first != list(range(50))
    # the order is drawn from tinygrad_lite's one generator: same seed, same permutation
    assert first == np.random.default_rng(123).permutation(50).tolist()


def test_shuffle_advances_the_shared_generator():
    tg.manual_seed(7)
    untouched = generator().random()
    tg.manual_seed(7)
    list(DataLoader(_indexed_dataset(10), batch_size=3, shuffle=True))
    assert generator().random() != untouched


@pytest.mark.parametrize("bad", [0, -2, 2.5, True, None, "4"])
def test_bad_batch_size(bad):
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        DataLoader(_indexed_dataset(4), batch_size=bad)


def test_batches_are_copies_not_views_of_the_dataset():
    ds = _indexed_dataset(6)
    for xb, _ in DataLoader(ds, batch_size=4):
        xb.numpy()[...] = -1
    assert ds.tensors[0].numpy()[:, 0].tolist() == [0, 1, 2, 3, 4, 5]


def test_dataset_tensor_that_requires_grad_keeps_its_graph():
    w = tg.tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    for (wb,) in DataLoader(TensorDataset(w), batch_size=2):
        (wb * 3).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), np.full((3, 2), 3.0))


class _ListDataset:
    """A generic dataset: (float32 feature array, Python int label) per sample."""

    def __init__(self, n: int) -> None:
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int):
        return np.full(3, i, dtype=np.float32), i


def test_generic_dataset_is_stacked():
    batches = list(DataLoader(_ListDataset(5), batch_size=2))
    assert len(batches) == 3
    xb, yb = batches[1]
    assert xb.dtype == np.float32 and xb.shape == (2, 3)
    assert xb.numpy()[:, 0].tolist() == [2.0, 3.0] and yb.tolist() == [2, 3]
    assert batches[2][1].tolist() == [4]


def test_generic_dataset_of_single_items_and_python_floats():
    class Floats:
        def __len__(self):
            return 3

        def __getitem__(self, i):
            return float(i) / 2

    (b,) = list(DataLoader(Floats(), batch_size=3))
    assert isinstance(b, tg.Tensor) and b.dtype == np.float32 and b.tolist() == [0.0, 0.5, 1.0]

    class TensorsOut:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            return tg.tensor([float(i), -float(i)])

    b0, b1 = DataLoader(TensorsOut(), batch_size=2)
    assert b1.shape == (2, 2) and b1.tolist() == [[2.0, -2.0], [3.0, -3.0]]


def test_generic_dataset_errors():
    class Ragged:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.zeros(i + 1)

    with pytest.raises(ValueError, match="different shapes"):
        list(DataLoader(Ragged(), batch_size=2))

    class Mixed:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return (np.zeros(1), 1) if i == 0 else (np.zeros(1),)

    with pytest.raises(ValueError, match="sample 1 has a different structure"):
        list(DataLoader(Mixed(), batch_size=2))
    with pytest.raises(TypeError, match="must define __len__ and __getitem__"):
        DataLoader(iter(range(3)))


@pytest.mark.torch
@pytest.mark.parametrize("drop_last", [False, True])
@pytest.mark.parametrize(("n", "batch_size"), [(0, 3), (1, 3), (7, 3), (9, 3), (5, 8)])
def test_batches_match_pytorch_without_shuffle(torch, n, batch_size, drop_last):
    x = np.arange(2.0 * n, dtype=np.float32).reshape(n, 2)
    y = np.arange(n)
    ours = DataLoader(TensorDataset(tg.tensor(x), tg.tensor(y)), batch_size, drop_last=drop_last)
    data = torch.utils.data
    theirs = data.DataLoader(
        data.TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        batch_size=batch_size,
        drop_last=drop_last,
    )
    assert len(ours) == len(theirs)
    pairs = list(zip(ours, theirs, strict=True))
    for (xb, yb), (tx, ty) in pairs:
        np.testing.assert_array_equal(xb.numpy(), tx.numpy())
        np.testing.assert_array_equal(yb.numpy(), ty.numpy())
