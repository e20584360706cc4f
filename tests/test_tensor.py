"""Tensor construction, dtype rules, factories, seeding and attributes (API.md, Tensor section)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import Tensor

# np.matrix is deprecated in NumPy, but users still pass it in, so we test it.
_matrix_ok = pytest.mark.filterwarnings("ignore:the matrix subclass:PendingDeprecationWarning")

# ----------------------------------------------------------------------------- construction


def test_python_numbers_give_0d_tensors_with_pytorch_dtypes():
    f = Tensor(2.5)
    i = Tensor(3)
    b = Tensor(True)
    assert f.shape == () and f.ndim == 0 and f.numel() == 1
    assert f.dtype == np.float32 and f.item() == 2.5
    assert i.dtype == np.int64 and i.item() == 3
    assert b.dtype == np.bool_ and b.item() is True


def test_nested_lists():
    t = Tensor([[1, 2, 3], [4, 5, 6]])
    assert t.shape == (2, 3) and t.dtype == np.int64
    assert t.tolist() == [[1, 2, 3], [4, 5, 6]]
    mixed = Tensor([[1, 2.5], [3, 4]])
    assert mixed.dtype == np.float32
    assert mixed.tolist() == [[1.0, 2.5], [3.0, 4.0]]
    assert Tensor([True, False]).dtype == np.bool_
    assert Tensor([[[0.5]]]).shape == (1, 1, 1)


@pytest.mark.parametrize(
    "dtype",
    [
        np.bool_,
        np.int8,
        np.int16,
        np.int32,
        np.int64,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.float16,
        np.float32,
        np.float64,
    ],
)
def test_ndarray_of_every_supported_kind_keeps_its_dtype_and_values(dtype):
    arr = np.array([[0, 1, 2], [3, 4, 5]]).astype(dtype)
    t = Tensor(arr)
    assert t.dtype == np.dtype(dtype)
    assert t.shape == (2, 3)
    np.testing.assert_array_equal(t.numpy(), arr)
    assert type(t.numpy()) is np.ndarray


def test_float64_ndarray_is_not_downcast():
    # Floating data keeps its dtype: only *Python* floats become the default float.
    t = Tensor(np.array([0.1, 0.2]))
    assert t.dtype == np.float64
    assert t.tolist() == [0.1, 0.2]


@_matrix_ok
def test_np_matrix_becomes_a_plain_2d_array():
    m = np.matrix([[1, 2, 3], [4, 5, 6]])
    t = Tensor(m)
    assert type(t.numpy()) is np.ndarray
    assert t.shape == (2, 3) and t.dtype == np.int64
    # An np.matrix would stay 2-D after a reduction; a plain array drops the axis.
    assert t.sum(axis=1).shape == (2,)
    assert t.sum(axis=1).tolist() == [6, 15]
    row = Tensor(np.matrix([[1.5, 2.5]]))
    assert type(row.numpy()) is np.ndarray and row.shape == (1, 2) and row.dtype == np.float64
    assert row[0].shape == (2,)


def test_tensor_input_is_copied():
    a = tg.tensor([1.0, 2.0], requires_grad=True)
    b = Tensor(a)
    assert b.tolist() == [1.0, 2.0] and b.dtype == np.float32
    assert not np.shares_memory(a.numpy(), b.numpy())
    assert b.is_leaf and not b.requires_grad
    b.numpy()[0] = 9.0
    assert a.tolist() == [1.0, 2.0]


def test_constructor_copies_ndarray_but_from_numpy_shares():
    arr = np.arange(4.0)
    copied = Tensor(arr)
    shared = tg.from_numpy(arr)
    arr[0] = 100.0
    assert copied.tolist() == [0.0, 1.0, 2.0, 3.0]
    assert shared.tolist() == [100.0, 1.0, 2.0, 3.0]
    assert np.shares_memory(shared.numpy(), arr)
    assert shared.dtype == np.float64  # from_numpy never casts
    shared.numpy()[1] = -1.0  # and the sharing goes both ways
    assert arr[1] == -1.0


def test_dtype_argument_casts():
    t = Tensor([1, 2, 3], dtype=np.float64)
    assert t.dtype == np.float64 and t.tolist() == [1.0, 2.0, 3.0]
    assert Tensor(np.array([1.7, -2.2]), dtype=np.int32).tolist() == [1, -2]
    assert tg.tensor([1, 2], dtype=np.float32, requires_grad=True).requires_grad


# ----------------------------------------------------------------------------- dtype rules


def test_python_floats_follow_the_default_dtype():
    assert tg.get_default_dtype() == np.float32
    assert Tensor(1.5).dtype == np.float32
    assert Tensor([1.5, 2.0]).dtype == np.float32
    assert tg.zeros(2).dtype == np.float32
    tg.set_default_dtype(np.float64)
    assert tg.get_default_dtype() == np.float64
    assert Tensor(1.5).dtype == np.float64
    assert Tensor([[1.5], [2.0]]).dtype == np.float64
    assert tg.ones(2).dtype == np.float64
    assert tg.randn(2).dtype == np.float64
    assert tg.arange(0.0, 1.0, 0.5).dtype == np.float64
    # ints and bools do not care about the default float dtype
    assert Tensor([1, 2]).dtype == np.int64
    assert Tensor([True]).dtype == np.bool_
    # (the conftest fixture restores float32 after the test)


def test_set_default_dtype_rejects_non_float():
    with pytest.raises(TypeError, match="float32 or float64"):
        tg.set_default_dtype(np.int32)


def _float32_results(x, y):
    """A sample of every op family applied to float32 tensors, with Python numbers mixed in."""
    return {
        "add": x + 1.5,
        "radd": 1.5 + x,
        "sub": x - 2,
        "rsub": 2.0 - x,
        "mul": x * 2.5,
        "rmul": 2.5 * x,
        "div": x / 3.0,
        "rdiv": 1.0 / x,
        "pow": x**2.0,
        "pow_int": x**2,
        "rpow": 2.0**x,
        "neg": -x,
        "matmul": x @ y,
        "exp": x.exp(),
        "log": x.log(),
        "sqrt": x.sqrt(),
        "abs": x.abs(),
        "sin": x.sin(),
        "cos": x.cos(),
        "tanh": x.tanh(),
        "sigmoid": x.sigmoid(),
        "relu": x.relu(),
        "leaky_relu": x.leaky_relu(0.2),
        "clip": x.clip(0.5, 1.5),
        "maximum": x.maximum(1.0),
        "minimum": x.minimum(y.T),
        "where": tg.where(x > 1, x, 0.0),
        "sum": x.sum(),
        "mean": x.mean(axis=0),
        "var": x.var(),
        "std": x.std(axis=1),
        "max": x.max(),
        "min": x.amin(axis=1),
        "logsumexp": x.logsumexp(axis=1),
        "softmax": x.softmax(1),
        "log_softmax": x.log_softmax(0),
        "reshape": x.reshape(-1),
        "transpose": x.T,
        "getitem": x[0, 1:],
        "cat": tg.cat([x, x]),
        "stack": tg.stack([x, x]),
        "mixed_with_int_tensor": x + tg.tensor([[1, 2]]),
        "mixed_with_bool_tensor": x * tg.tensor([[True, False]]),
    }


def test_float32_in_gives_float32_out_through_every_op_family():
    x = tg.tensor([[0.5, 1.0], [2.0, 3.0]], requires_grad=True)
    y = tg.tensor([[1.0, 2.0], [3.0, 4.0]])
    outs = _float32_results(x, y)
    wrong = {k: v.dtype for k, v in outs.items() if v.dtype != np.float32}
    assert not wrong, f"ops that left float32: {wrong}"
    # and the gradient flowing back through all of them stays float32
    total = sum((v.sum() for v in outs.values()), tg.tensor(0.0))
    assert total.dtype == np.float32
    total.backward()
    assert x.grad.dtype == np.float32


def test_python_numbers_never_upcast_float32_values():
    x = tg.tensor([0.1, 0.2])
    # NumPy 2 treats Python numbers as "weak": the computation itself is float32.
    expected = np.array([0.1, 0.2], dtype=np.float32) * np.float32(3.3)
    np.testing.assert_array_equal((x * 3.3).numpy(), expected)
    assert (x * 3.3).dtype == np.float32
    assert (x + 10**6).dtype == np.float32


def test_grad_has_its_tensors_dtype():
    a32 = tg.tensor([1.0, 2.0], requires_grad=True)
    a64 = tg.tensor([3.0, 4.0], dtype=np.float64, requires_grad=True)
    out = a32 * a64  # promotes to float64, like NumPy
    assert out.dtype == np.float64
    out.sum().backward()
    assert a32.grad.dtype == np.float32 and a64.grad.dtype == np.float64
    assert a32.grad.tolist() == [3.0, 4.0] and a64.grad.tolist() == [1.0, 2.0]
    assert a32.grad.shape == a32.shape


def test_int_tensor_op_float_gives_float():
    i = tg.tensor([1, 2, 3])
    assert (i * 0.5).dtype == np.float32 and (i * 0.5).tolist() == [0.5, 1.0, 1.5]
    assert (0.5 + i).dtype == np.float32
    assert (i / 2).dtype == np.float32 and (i / 2).tolist() == [0.5, 1.0, 1.5]
    f = tg.tensor([0.5, 0.5, 0.5])
    assert (i + f).dtype == np.float32 and (f + i).tolist() == [1.5, 2.5, 3.5]
    # int op int stays int (labels and indices)
    assert (i + 1).dtype == np.int64 and (i * i).tolist() == [1, 4, 9]
    tg.set_default_dtype(np.float64)
    assert (i * 0.5).dtype == np.float64


@pytest.mark.torch
def test_int_float_promotion_matches_torch(torch):
    i_t, i_g = torch.tensor([1, 2, 3]), tg.tensor([1, 2, 3])
    f_t, f_g = torch.tensor([0.5, 1.5, 2.5]), tg.tensor([0.5, 1.5, 2.5])
    pairs = [
        (i_t * 0.5, i_g * 0.5),
        (i_t / 2, i_g / 2),
        (i_t + f_t, i_g + f_g),
        (f_t * i_t, f_g * i_g),
        (i_t + 1, i_g + 1),
        (f_t * 3, f_g * 3),
    ]
    for ours_t, ours_g in pairs:
        assert str(ours_t.dtype).replace("torch.", "") == ours_g.dtype.name
        np.testing.assert_allclose(ours_g.numpy(), ours_t.numpy())


@_matrix_ok
def test_np_matrix_of_python_ints_times_float32_weight_is_float32():
    x = np.matrix([[1, 2, 3], [4, 5, 6]])
    w = tg.tensor([[1.0, 0.5], [0.0, 2.0], [-1.0, 1.0]], requires_grad=True)
    out = Tensor(x) @ w
    assert out.dtype == np.float32 and out.shape == (2, 2)
    assert out.tolist() == [[-2.0, 7.5], [-2.0, 18.0]]
    out.sum().backward()
    assert w.grad.dtype == np.float32
    # d(sum(x @ w))/dw[i, j] = sum over rows of x[:, i]
    assert w.grad.tolist() == [[5.0, 5.0], [7.0, 7.0], [9.0, 9.0]]


def test_story_inputs_written_with_plain_numpy_work():
    # The README story: y = x + 1 on random integers, data prepared by hand with NumPy.
    rng = np.random.default_rng(0)
    x_int = rng.integers(0, 100, size=(100, 1))
    y_int = x_int + 1
    w = tg.tensor([[0.5]], requires_grad=True)
    b = tg.tensor([0.25], requires_grad=True)
    # int64 column straight in: the float32 weight decides the result dtype
    pred = Tensor(x_int) @ w.T + b
    assert pred.dtype == np.float32 and pred.shape == (100, 1)
    np.testing.assert_allclose(pred.numpy(), x_int * 0.5 + 0.25, rtol=1e-6)
    loss = ((pred - Tensor(y_int)) ** 2).mean()
    assert loss.dtype == np.float32
    loss.backward()
    r = x_int * 0.5 + 0.25 - y_int
    np.testing.assert_allclose(w.grad.numpy(), [[2 * (r * x_int).mean()]], rtol=1e-5)
    np.testing.assert_allclose(b.grad.numpy(), [2 * r.mean()], rtol=1e-5)
    # normalised by hand in float64 NumPy, then given to the float32 model via dtype=
    xn = (x_int - x_int.mean()) / x_int.std()
    t = Tensor(xn, dtype=np.float32)
    assert t.dtype == np.float32
    np.testing.assert_allclose(t.numpy(), xn, rtol=1e-6)
    # a plain list of Python ints, as a beginner would write it
    col = Tensor([[v] for v in range(5)])
    assert col.dtype == np.int64 and (col * w).dtype == np.float32
    # from_numpy of a float64 array, then .float() for the model
    assert tg.from_numpy(xn).float().dtype == np.float32


# ----------------------------------------------------------------------------- factories


@pytest.mark.parametrize("name", ["zeros", "ones", "rand", "randn"])
def test_shape_factories_take_varargs_or_a_tuple(name):
    f = getattr(tg, name)
    for t in (f(2, 3), f((2, 3)), f([2, 3])):
        assert t.shape == (2, 3) and t.dtype == np.float32
        assert t.is_leaf and not t.requires_grad
    assert f(4).shape == (4,)
    assert f().shape == ()
    t64 = f(2, dtype=np.float64, requires_grad=True)
    assert t64.dtype == np.float64 and t64.requires_grad and t64.is_leaf


def test_factory_values():
    assert tg.zeros(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tg.ones(3).tolist() == [1.0, 1.0, 1.0]
    full_f = tg.full((2, 2), 0.5)
    assert full_f.dtype == np.float32 and full_f.tolist() == [[0.5, 0.5], [0.5, 0.5]]
    full_i = tg.full((3,), 7)
    assert full_i.dtype == np.int64 and full_i.tolist() == [7, 7, 7]
    assert tg.full(2, 1.0, dtype=np.float64).dtype == np.float64
    assert tg.arange(4).tolist() == [0, 1, 2, 3] and tg.arange(4).dtype == np.int64
    assert tg.arange(1, 7, 2).tolist() == [1, 3, 5]
    a = tg.arange(0.0, 1.0, 0.25)
    assert a.dtype == np.float32 and a.tolist() == [0.0, 0.25, 0.5, 0.75]
    assert tg.arange(3, dtype=np.float64).dtype == np.float64
    assert tg.eye(2).tolist() == [[1.0, 0.0], [0.0, 1.0]]
    assert tg.eye(2, 3).shape == (2, 3)
    src = tg.tensor([[1, 2]], dtype=np.float64)
    z, o = tg.zeros_like(src), tg.ones_like(src)
    assert z.shape == o.shape == (1, 2) and z.dtype == o.dtype == np.float64
    assert z.tolist() == [[0.0, 0.0]] and o.tolist() == [[1.0, 1.0]]
    assert tg.ones_like(src, requires_grad=True).requires_grad
    assert tg.zeros_like(tg.tensor([1, 2])).dtype == np.int64


def test_random_factories_have_the_right_distribution():
    u = tg.rand(20000).numpy()
    assert u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.01
    n = tg.randn(20000).numpy()
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1.0) < 0.03


def test_factory_requires_grad_on_int_dtype_is_a_type_error():
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        tg.zeros(2, dtype=np.int64, requires_grad=True)
    with pytest.raises(TypeError, match="int64"):
        tg.arange(3, requires_grad=True)


def test_manual_seed_reproduces_interleaved_rand_and_randn():
    tg.manual_seed(1234)
    a1, b1, c1 = tg.rand(3, 2), tg.randn(4), tg.rand(2, dtype=np.float64)
    tg.manual_seed(1234)
    a2, b2, c2 = tg.rand(3, 2), tg.randn(4), tg.rand(2, dtype=np.float64)
    np.testing.assert_array_equal(a1.numpy(), a2.numpy())
    np.testing.assert_array_equal(b1.numpy(), b2.numpy())
    np.testing.assert_array_equal(c1.numpy(), c2.numpy())
    # successive draws differ, and another seed gives other numbers
    assert not np.array_equal(tg.randn(4).numpy(), b1.numpy())
    tg.manual_seed(4321)
    assert not np.array_equal(tg.rand(3, 2).numpy(), a1.numpy())


def test_manual_seed_rejects_non_int():
    with pytest.raises(TypeError, match="seed must be an int"):
        tg.manual_seed(1.5)


# ----------------------------------------------------------------------------- attributes


def test_shape_ndim_size_dtype():
    t = tg.zeros(2, 3, 4)
    assert t.shape == (2, 3, 4) and isinstance(t.shape, tuple)
    assert t.ndim == 3 and t.numel() == 24 and t.dtype == np.float32
    assert len(t) == 2


def test_T_reverses_dimensions_and_is_differentiable():
    m = tg.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
    assert m.T.shape == (3, 2) and m.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert tg.zeros(2, 3, 4).T.shape == (4, 3, 2)
    v = tg.tensor([1.0, 2.0])
    assert v.T.shape == (2,)
    (m.T * tg.tensor([[1.0, 10.0]])).sum().backward()
    assert m.grad.tolist() == [[1.0, 1.0, 1.0], [10.0, 10.0, 10.0]]


def test_is_leaf_grad_fn_and_requires_grad():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    c = tg.tensor([3.0, 4.0])
    y = x * c
    assert x.is_leaf and x.grad_fn is None and x.requires_grad
    assert c.is_leaf and not c.requires_grad
    assert not y.is_leaf and y.requires_grad and y.grad_fn.name == "Mul"
    assert (x + c).grad_fn.name == "Add"
    assert x.sum().grad_fn.name == "Sum"
    assert (x @ c).grad_fn.name == "MatMul"
    assert x.exp().grad_fn.name == "Exp"
    # the op node points at its inputs in order; a Python number is a None input
    assert y.grad_fn.inputs[0] is x and y.grad_fn.inputs[1] is c
    assert (x * 2.0).grad_fn.inputs[1] is None
    # nothing that needs a gradient: no node at all
    assert (c * c).grad_fn is None and (c * c).is_leaf and not (c * c).requires_grad


def test_numpy_item_tolist():
    t = tg.tensor([[1.5, 2.5]])
    arr = t.numpy()
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float32
    assert np.shares_memory(arr, t.numpy())
    assert tg.tensor([[2.5]]).item() == 2.5 and isinstance(tg.tensor([[2.5]]).item(), float)
    assert isinstance(tg.tensor(3).item(), int)
    assert t.tolist() == [[1.5, 2.5]] and isinstance(t.tolist()[0][0], float)
    with pytest.raises(ValueError, match=r"only one-element tensors.*shape \(1, 2\)"):
        t.item()


def test_detach_shares_data_but_cuts_history():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    assert np.shares_memory(d.numpy(), y.numpy())
    assert d.tolist() == [3.0, 6.0]


def test_requires_grad_():
    t = tg.zeros(3)
    assert t.requires_grad_() is t and t.requires_grad
    t.requires_grad_(False)
    assert not t.requires_grad
    t.requires_grad = True
    assert t.requires_grad
    (t * 2).sum().backward()
    assert t.grad.tolist() == [2.0, 2.0, 2.0]


def test_repr():
    assert repr(tg.tensor([1.0, 2.0])) == "tensor([1., 2.])"
    assert repr(tg.tensor([1.0, 2.0], requires_grad=True)) == (
        "tensor([1., 2.], requires_grad=True)"
    )
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x * 2) == "tensor([2., 4.], grad_fn=<Mul>)"
    assert repr(tg.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(tg.tensor([1, 2], dtype=np.int8)) == "tensor([1, 2], dtype=int8)"
    assert "dtype=float64" in repr(tg.tensor([1.0], dtype=np.float64))
    assert repr(tg.tensor(2.5)) == "tensor(2.5)"
    assert "[[0., 0.],\n" in repr(tg.zeros(2, 2))


def test_bool_of_one_element_and_ambiguous():
    assert bool(tg.tensor([1.0]))
    assert not bool(tg.tensor(0.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(tg.tensor([1.0, 2.0]))


def test_comparisons_give_bool_tensors_without_history():
    x = tg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for r in (x < 2, x <= 2, x > 2, x >= 2, x == 2, x != 2):
        assert r.dtype == np.bool_ and not r.requires_grad and r.grad_fn is None
    assert (x < 2).tolist() == [True, False, False]
    assert (x == 2).tolist() == [False, True, False]
    assert x.argmax().item() == 2 and x.argmin().dtype == np.int64
