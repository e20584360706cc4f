"""Numerics at the edges, compared with PyTorch: powers at 0, dtypes of int and bool inputs,
minimum/maximum on every integer dtype, sign in the graph, and PyTorch's error classes.

Each torch test fails on the behaviour it replaces (NaN gradients of ``**`` at 0, float64 from
``exp`` of ints, ``-max(-a, -b)`` for minimum, ``sign`` off the graph, ValueError everywhere).
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import ops
from tinygrad_lite.errors import DimensionError, ShapeError

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")  # 0**-1, log(-1) ...

BASES = [0.0, -1.0, 2.0]
EXPONENTS = [0.0, 1.0, 2.0, 0.5, -1.0]
GRID = list(itertools.product(BASES, EXPONENTS))
INT_DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8]  # torch's integer dtypes
ALL_INT_DTYPES = [*INT_DTYPES, np.uint16, np.uint32, np.uint64]


def _same(ours, theirs) -> None:
    """Equal values (NaN where PyTorch has NaN, the same infinities), or both absent."""
    if theirs is None:
        assert ours is None or not np.any(ours.numpy()), ours
        return
    assert ours is not None, f"PyTorch has {theirs}, ours has no gradient"
    np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=1e-12, atol=0)


def _th_grads(th, out, inputs):
    """torch.autograd.grad that answers None (not an error) for an output with no graph."""
    if not out.requires_grad:
        return [None] * len(inputs)
    return list(th.autograd.grad(out, inputs, create_graph=True, allow_unused=True))


def _tg_grads(out, inputs):
    if not out.requires_grad:
        return [None] * len(inputs)
    return list(tg.grad(out, inputs, create_graph=True, allow_unused=True))


def _pow_forms(th, a, b):
    """(our output, torch's output, our inputs, torch's inputs) for the three forms of ``**``."""
    xa, xb = (tg.tensor(v, dtype=np.float64, requires_grad=True) for v in (a, b))
    ta, tb = (th.tensor(v, dtype=th.float64, requires_grad=True) for v in (a, b))
    return {
        "tensor**tensor": (xa**xb, ta**tb, [xa, xb], [ta, tb]),
        "tensor**number": (xa**b, ta**b, [xa], [ta]),
        "number**tensor": (a**xb, a**tb, [xb], [tb]),
    }


# ----------------------------------------------------------------------------- ** at 0


@pytest.mark.torch
@pytest.mark.parametrize("form", ["tensor**tensor", "tensor**number", "number**tensor"])
@pytest.mark.parametrize("a, b", GRID, ids=[f"a={a},b={b}" for a, b in GRID])
def test_pow_first_and_second_order_at_special_points_match_torch(torch, form, a, b):
    # e.g. d(a**2)/da = 0 and d(a**0)/da = 0 at a = 0, d(0**b)/db = 0 for b >= 0 (all NaN or
    # -inf before), and d(a**0.5)/da = inf at 0, as in PyTorch.
    out, t_out, xs, ts = _pow_forms(torch, a, b)[form]
    _same(out, t_out)
    first, t_first = _tg_grads(out, xs), _th_grads(torch, t_out, ts)
    for g, tgrad in zip(first, t_first):
        _same(g, tgrad)
    for g, tgrad in zip(first, t_first):  # second order: each gradient differentiated again
        for h, th_h in zip(_tg_grads(g, xs), _th_grads(torch, tgrad, ts)):
            _same(h, th_h)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_grid_as_arrays_with_a_non_constant_upstream_gradient(torch, dtype):
    # The NumPy path of the backward (no create_graph), on arrays that broadcast.
    a = np.array(BASES, dtype=dtype).reshape(-1, 1)
    b = np.array(EXPONENTS, dtype=dtype)
    xa, xb = tg.tensor(a, requires_grad=True), tg.tensor(b, requires_grad=True)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    w = np.linspace(-1.0, 2.0, a.size * b.size).reshape(a.size, b.size).astype(dtype)
    (xa**xb * tg.tensor(w)).sum().backward()
    (ta**tb * torch.tensor(w)).sum().backward()
    for ours, theirs in ((xa, ta), (xb, tb)):
        assert ours.grad.dtype == dtype
        np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-6)
    # a Python-number exponent, including 0, and a Python-number base, including 0
    for e in EXPONENTS:
        x, t = tg.tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        ((x**e + 1) ** 2).mean().backward()
        ((t**e + 1) ** 2).mean().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)
    for base in BASES:
        x, t = tg.tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
        ((base**x + 1) ** 2).mean().backward()
        ((base**t + 1) ** 2).mean().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6)


def test_pow_gradients_at_zero_are_finite_where_the_function_is_smooth():
    zero = tg.tensor([0.0, 0.0], requires_grad=True)
    (zero**2).sum().backward()
    assert zero.grad.tolist() == [0.0, 0.0]  # was NaN: 2 * 0**1 * g is fine, 0 * 0**-1 is not
    zero.grad = None
    (zero**0).sum().backward()
    assert zero.grad.tolist() == [0.0, 0.0]
    zero.grad = None
    (zero**0.5).sum().backward()
    assert zero.grad.tolist() == [np.inf, np.inf]  # sqrt'(0), as PyTorch
    b = tg.tensor([0.0, 0.5, 2.0], requires_grad=True)
    (0.0**b).sum().backward()
    assert b.grad.tolist() == [0.0, 0.0, 0.0]  # was [-inf, NaN, NaN]


def test_pow_backward_warns_only_about_what_it_returns():
    # The masked 0**-1 and log(0) of the where() branches are not the user's problem.
    a = tg.tensor([0.0, 2.0], requires_grad=True)
    b = tg.tensor([0.0, 1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a**b).sum().backward()
    assert a.grad.tolist() == [0.0, 1.0] and b.grad.tolist()[0] == 0.0


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a**b,
        lambda a, b: a**2 + a**0 + a**1,
        lambda a, b: 0.5**b + 2.0**b,
        lambda a, b: a ** b.abs(),
    ],
    ids=["tensor_tensor", "integer_exponents", "number_base", "nonneg_exponent"],
)
def test_pow_gradcheck_float64(fn):
    # Smooth points only (finite differences cannot see a one-sided limit): a > 0, or a = 0 with
    # exponents where a**b is flat or polynomial there.
    a = tg.tensor([0.7, 1.3, 2.0], dtype=np.float64, requires_grad=True)
    b = tg.tensor([-1.2, 0.5, 2.5], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(fn, (a, b))
    assert tg.gradgradcheck(fn, (a, b))
    z = tg.tensor([0.0, 0.0], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(lambda t: t**2 + t**0 + t**3, (z,))
    assert tg.gradgradcheck(lambda t: t**2 + t**0 + t**3, (z,))
    # first order only: d(0**b)/db = 0 comes from a where(), whose other branch has log(0), so
    # its second order is NaN (as PyTorch's)
    pos = tg.tensor([0.5, 1.0, 2.0], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(lambda t: 0.0**t, (pos,))


def test_pow_writing_the_output_in_place_stays_allowed():
    # The backward recomputes a**b instead of saving it, so this keeps working.
    x = tg.tensor([1.0, 2.0], dtype=np.float64, requires_grad=True)
    y = 2.0**x
    y += 1
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.log(2.0) * 2.0 ** np.array([1.0, 2.0]))


# ----------------------------------------------------------------------------- float dtypes

UNARY = ["exp", "cos", "sqrt", "log", "sin", "tanh", "sigmoid"]


def _int_data(dtype):
    if dtype is np.bool_:
        return np.array([True, False, True])
    return np.array([0, 1, 5, 100], dtype=dtype)


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.bool_, *INT_DTYPES], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", UNARY)
def test_float_ops_of_int_and_bool_give_the_default_float_like_torch(torch, name, dtype):
    data = _int_data(dtype)
    out = getattr(tg.tensor(data), name)()
    t_out = getattr(torch.from_numpy(data), name)()
    assert str(t_out.dtype) == "torch.float32" and out.dtype == np.float32  # was f16 or f64
    np.testing.assert_allclose(out.numpy(), t_out.numpy(), rtol=1e-6)
    assert getattr(tg, name)(tg.tensor(data)).dtype == np.float32


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.bool_, *INT_DTYPES], ids=lambda d: np.dtype(d).name)
def test_true_division_of_ints_and_bools_gives_the_default_float_like_torch(torch, dtype):
    a, b = _int_data(dtype), _int_data(dtype)[::-1].copy()
    x, y = tg.tensor(a), tg.tensor(b)
    t, u = torch.from_numpy(a), torch.from_numpy(b)
    cases = [(x / y, t / u), (x / 3, t / 3), (2 / y, 2 / u), (x.div(y), t.div(u))]
    cases.append((tg.div(x, y), torch.div(t, u)))
    for ours, theirs in cases:
        assert str(theirs.dtype) == "torch.float32" and ours.dtype == np.float32  # was float64
        np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6)


def test_float_ops_of_ints_follow_set_default_dtype():
    tg.set_default_dtype(np.float64)
    x = tg.tensor([1, 2, 3])
    for name in UNARY:
        assert getattr(x, name)().dtype == np.float64
    assert (x / x).dtype == np.float64
    tg.set_default_dtype(np.float32)
    assert (x / x).dtype == x.exp().dtype == np.float32
    # float inputs keep their dtype
    assert tg.tensor([1.0], dtype=np.float64).exp().dtype == np.float64
    assert tg.tensor([1.0], dtype=np.float16).sqrt().dtype == np.float16


def test_int_inputs_still_mix_with_gradients():
    w = tg.tensor([0.5, 2.0], requires_grad=True)
    out = (tg.tensor([1, 2]).exp() * w + tg.tensor([3, 4]) / w).sum()
    out.backward()
    np.testing.assert_allclose(w.grad.numpy(), np.exp([1.0, 2.0]) - np.array([3, 4]) / [0.25, 4])
    assert w.grad.dtype == np.float32


# ----------------------------------------------------------------------------- minimum/maximum


def _extremes(dtype):
    if dtype is np.bool_:
        return np.array([True, False, True, False]), np.array([False, False, True, True])
    info = np.iinfo(dtype)
    a = np.array([info.min, 0, info.max, 1, info.min], dtype=dtype)
    b = np.array([info.max, info.min, info.max, 0, info.min], dtype=dtype)
    return a, b


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.bool_, *INT_DTYPES], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["minimum", "maximum"])
def test_minimum_maximum_on_ints_and_bools_match_torch(torch, name, dtype):
    # INT_MIN, uint8 and bools broke -max(-a, -b).
    a, b = _extremes(dtype)
    for ours in (getattr(tg, name)(tg.tensor(a), tg.tensor(b)), getattr(tg.tensor(a), name)(b)):
        theirs = getattr(torch, name)(torch.from_numpy(a), torch.from_numpy(b))
        assert ours.dtype == dtype and not ours.requires_grad
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", ALL_INT_DTYPES, ids=lambda d: np.dtype(d).name)
def test_minimum_on_every_int_dtype_and_with_numbers(dtype):
    a, b = _extremes(dtype)
    np.testing.assert_array_equal(tg.minimum(a, b).numpy(), np.minimum(a, b))
    np.testing.assert_array_equal(tg.maximum(a, b).numpy(), np.maximum(a, b))
    # a Python number keeps the tensor's dtype, as in ``t + 1``
    assert tg.minimum(tg.tensor(a), 1).dtype == dtype
    assert tg.maximum(1, tg.tensor(a)).dtype == dtype
    assert tg.minimum(tg.tensor(a), 0.5).dtype == np.float32


@pytest.mark.torch
def test_minimum_maximum_ties_and_second_order_match_torch(torch):
    a_np = np.array([1.0, -2.0, 3.0, 0.5, 0.5])
    b_np = np.array([1.0, 2.0, -3.0, 0.5, 4.0])
    w = np.array([0.3, -1.0, 2.0, 1.5, -0.7])
    for name in ("minimum", "maximum"):
        a, b = (tg.tensor(v, requires_grad=True) for v in (a_np, b_np))
        ta, tb = (torch.tensor(v, requires_grad=True) for v in (a_np, b_np))
        out = getattr(tg, name)(a * a, b * a)
        t_out = getattr(torch, name)(ta * ta, tb * ta)
        assert out.grad_fn.name == name.capitalize()
        np.testing.assert_array_equal(out.numpy(), t_out.detach().numpy())
        ga, gb = tg.grad((out * tg.tensor(w)).sum(), (a, b), create_graph=True)
        tga, tgb = torch.autograd.grad((t_out * torch.tensor(w)).sum(), (ta, tb), create_graph=True)
        _same(ga, tga)
        _same(gb, tgb)
        for h, th_h in zip(tg.grad(ga.sum(), (a, b)), torch.autograd.grad(tga.sum(), (ta, tb))):
            _same(h, th_h)


def test_minimum_is_a_primitive_and_passes_gradcheck():
    a = tg.tensor([0.3, -1.0, 2.0], dtype=np.float64, requires_grad=True)
    b = tg.tensor([1.0, -2.0, 0.5], dtype=np.float64, requires_grad=True)
    assert tg.minimum(a, b).grad_fn.name == "Minimum"  # was Neg(Maximum(Neg, Neg))
    assert tg.gradcheck(lambda x, y: tg.minimum(x, y * y), (a, b))
    assert tg.gradgradcheck(lambda x, y: tg.minimum(x * x, y * x), (a, b))


# ----------------------------------------------------------------------------- sign


@pytest.mark.torch
def test_sign_stays_in_the_graph_with_a_zero_gradient_like_torch(torch):
    x_np = np.array([-2.0, 0.0, 3.0, -0.0])
    x, t = tg.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    s, ts = x.sign(), t.sign()
    assert s.requires_grad and ts.requires_grad  # was False: sign left the graph
    assert s.grad_fn.name == "Sign" and tg.sign(x).grad_fn.name == "Sign"
    np.testing.assert_array_equal(s.numpy(), ts.detach().numpy())
    s.sum().backward()
    ts.sum().backward()
    assert x.grad is not None  # a zero gradient, not None
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())
    # in a product: d(sign(x) * x**2)/dx = 2|x|, and its derivative 2 sign(x)
    x, t = tg.tensor(x_np, requires_grad=True), torch.tensor(x_np, requires_grad=True)
    (g,) = tg.grad((x.sign() * x**2).sum(), x, create_graph=True)
    (tgrad,) = torch.autograd.grad((t.sign() * t**2).sum(), t, create_graph=True)
    _same(g, tgrad)
    _same(tg.grad(g.sum(), x)[0], torch.autograd.grad(tgrad.sum(), t)[0])


@pytest.mark.torch
@pytest.mark.parametrize("dtype", [np.bool_, *INT_DTYPES], ids=lambda d: np.dtype(d).name)
def test_sign_of_ints_and_bools_matches_torch(torch, dtype):
    data = _int_data(dtype) if dtype in (np.bool_, np.uint8) else np.array([-3, 0, 7], dtype)
    out, t_out = tg.tensor(data).sign(), torch.from_numpy(data).sign()
    assert out.dtype == dtype and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), t_out.numpy())


def test_sign_gradcheck_and_no_grad():
    x = tg.tensor([-1.5, 0.5, 2.0], dtype=np.float64, requires_grad=True)
    assert tg.gradcheck(lambda t: t.sign() * t.sin(), (x,))
    assert tg.gradgradcheck(lambda t: t.sign() * t**3, (x,))
    with tg.no_grad():
        assert not x.sign().requires_grad


# ----------------------------------------------------------------------------- error classes

A23 = tg.ones(2, 3)

# (call on ``lib``, our class, message pattern); ``lib`` is tg or torch
ERRORS = [
    ("lib.ones(2, 3).reshape(4, 2)", ShapeError, r"^reshape: cannot reshape .*\(2, 3\)"),
    ("lib.ones(2, 3).view(7)", ShapeError, r"^reshape: .*into shape \(7,\)"),
    ("lib.ones(2, 3).unsqueeze(3)", DimensionError, r"^unsqueeze: dim 3 is out of range"),
    ("lib.ones(2, 3).unsqueeze(-4)", DimensionError, r"^unsqueeze: dim -4 .*-3 to 2"),
    ("lib.ones(2, 3).unsqueeze(1.5)", TypeError, r"^unsqueeze: dim must be an int, got 1\.5$"),
    ("lib.ones(2, 3).unsqueeze(True)", TypeError, r"^unsqueeze: dim must be an int, got True$"),
    ("lib.ones(2, 3).permute(0, 5)", DimensionError, r"^permute: dim 5 is out of range"),
    ("lib.ones(2, 3).permute(-3, 0)", DimensionError, r"^permute: dim -3 is out of range"),
    ("lib.ones(2, 3).permute(0, 0)", ShapeError, r"^permute: \(0, 0\) is not a permutation"),
    ("lib.ones(2, 3).permute(1, -1)", ShapeError, r"^permute: .*repeats a dimension"),
    ("lib.ones(2, 3).permute(0)", ShapeError, r"^permute: \(0,\) is not a permutation"),
    ("lib.ones(2, 3).permute(0, 1, 2)", ShapeError, r"^permute: .*has 3 entries"),
    ("lib.ones(2, 3).expand(3)", ShapeError, r"^expand: the target shape \(3,\) has fewer"),
    ("lib.ones(2, 3).expand(3, 3)", ShapeError, r"^expand: cannot broadcast shape \(2, 3\)"),
    ("lib.ones(2, 3).broadcast_to((3, 3))", ShapeError, r"^broadcast_to: cannot broadcast"),
    ("lib.ones(2, 3).flatten(1, 0)", ShapeError, r"^flatten: start_dim 1 comes after end_dim 0"),
    ("lib.ones(2, 3) @ lib.ones(2, 3)", ShapeError, r"^matmul: shapes \(2, 3\) and \(2, 3\)"),
    ("lib.ones(2, 3) @ lib.ones(4)", ShapeError, r"^matmul: shapes \(2, 3\) and \(4,\)"),
    ("lib.matmul(lib.ones(3), lib.ones(2, 3))", ShapeError, r"^matmul: shapes \(3,\)"),
    ("lib.ones(2, 3) @ lib.tensor(2.0)", ShapeError, r"^matmul: both operands need at least 1"),
    (
        "lib.where(lib.ones(2) > 0, lib.ones(2, 3), lib.ones(4))",
        ShapeError,
        r"^where: condition, x and y of shapes \(2,\) and \(2, 3\) and \(4,\)",
    ),
    (
        "(lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3))",
        ShapeError,
        r"^backward\(\): gradient has shape \(3,\) but the tensor has shape \(2,\)",
    ),
    ("lib.ones(2, 3).item()", ShapeError, r"^item\(\): only one-element tensors .*\(2, 3\)"),
    ("lib.ones(0).item()", ShapeError, r"^item\(\): only one-element tensors .*shape \(0,\)"),
    ("bool(lib.ones(2, 3))", ShapeError, r"^the truth value of a tensor of shape \(2, 3\) is amb"),
    ("lib.ones(2) < 'a'", TypeError, r"^<: cannot compare a Tensor with str$"),
    ("lib.ones(2) <= 'a'", TypeError, r"^<=: cannot compare a Tensor with str$"),
    ("lib.ones(2) > b'a'", TypeError, r"^>: cannot compare a Tensor with bytes$"),
    ("lib.ones(2) >= None", TypeError, r"^>=: cannot compare a Tensor with NoneType$"),
    ("'a' < lib.ones(2)", TypeError, r"^>: cannot compare a Tensor with str$"),  # reflected
    ("lib.ones(2) < object()", TypeError, r"^<: cannot compare a Tensor with object$"),
]


def _raised(call: str, lib) -> Exception:
    try:
        eval(call, {"lib": lib})
    except Exception as err:
        return err
    raise AssertionError(f"{lib.__name__}: {call} raised nothing")


@pytest.mark.parametrize("call, error, pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_pytorch_compatible_classes_naming_the_call(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        eval(call, {"lib": tg})
    assert type(info.value) is error  # the class itself, not something broader that matched
    if error is not TypeError:
        assert isinstance(info.value, ValueError)  # callers written for NumPy still catch it


@pytest.mark.torch
@pytest.mark.parametrize("call, error, pattern", ERRORS, ids=[e[0] for e in ERRORS])
def test_errors_are_caught_by_pytorch_except_clauses(torch, call, error, pattern):
    expected = type(_raised(call, torch))
    assert expected in (TypeError, IndexError, RuntimeError), expected
    err = _raised(call, tg)
    assert isinstance(err, expected), f"{type(err).__name__} is not a {expected.__name__}: {err}"


@pytest.mark.torch
def test_linear_op_shape_mismatch_is_a_shape_error(torch):
    x, w = tg.ones(2, 3), tg.ones(4, 2)
    with pytest.raises(ShapeError, match=r"^linear: input of shape \(2, 3\) has 3 features"):
        ops.Linear.apply(x, w)
    with pytest.raises(RuntimeError):
        torch.nn.functional.linear(torch.ones(2, 3), torch.ones(4, 2))


def test_grad_with_a_wrong_gradient_shape_is_a_shape_error():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(ShapeError, match=r"^grad\(\): gradient has shape \(3,\)"):
        tg.grad(x * 2, x, tg.ones(3))


def test_permute_out_of_range_is_no_longer_taken_modulo():
    t = tg.arange(6).reshape(2, 3)
    with pytest.raises(DimensionError):
        t.permute(0, 5)  # was silently permute(0, 1)
    with pytest.raises(DimensionError):
        t.permute(2, 1)  # was silently permute(0, 1)
    assert t.permute(-1, 0).shape == (3, 2) and t.permute(1, -2).tolist() == t.T.tolist()
    assert tg.tensor(1.0).permute().shape == ()


def test_unsqueeze_takes_numpy_integers():
    assert A23.unsqueeze(np.int64(1)).shape == (2, 1, 3)
    assert A23.unsqueeze(-1).shape == (2, 3, 1)


def test_astype_names_the_call():
    with pytest.raises(TypeError, match=r"^astype: dtype 'foo' is not a NumPy dtype"):
        A23.astype("foo")
    with pytest.raises(TypeError, match=r"^astype: unsupported dtype complex64"):
        A23.astype(np.complex64)
    with pytest.raises(TypeError, match=r"^astype: dtype must be a NumPy dtype.*got None"):
        A23.astype(None)
    assert A23.astype("int32").dtype == np.int32


def test_comparisons_with_numbers_arrays_and_lists_still_work():
    t = tg.tensor([1.0, 2.0, 3.0])
    assert (t < 2).tolist() == [True, False, False]
    assert (t >= np.float32(2)).tolist() == [False, True, True]
    assert (t > np.array([0, 2, 4])).tolist() == [True, False, False]
    assert (t <= [1, 1, 3]).tolist() == [True, False, True]
    assert (t < tg.tensor(2.5)).tolist() == [True, True, False]
    assert (2 < t).tolist() == [False, False, True]
