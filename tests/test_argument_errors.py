"""Bad arguments to the factories and to shapes and axes: each message names the call, and the
exception class is PyTorch's (TypeError, IndexError, RuntimeError) while staying a ValueError
wherever NumPy-style callers caught one before."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite.errors import DimensionError, ShapeError

HOLDS = "tinygrad_lite holds bool, integer and float data"
A23 = tg.ones(2, 3)

# (call, exception class, message pattern)
BAD_DTYPES = [
    (lambda: tg.zeros(2, dtype=object), TypeError, rf"^zeros: unsupported dtype object; {HOLDS}$"),
    (lambda: tg.zeros(2, dtype=np.complex64), TypeError, r"^zeros: unsupported dtype complex64"),
    (lambda: tg.zeros(2, dtype="U3"), TypeError, r"^zeros: unsupported dtype <U3"),
    (lambda: tg.zeros(2, dtype="foo"), TypeError, r"^zeros: dtype 'foo' is not a NumPy dtype"),
    (lambda: tg.ones(2, dtype=np.complex128), TypeError, r"^ones: unsupported dtype complex128"),
    (lambda: tg.full((2,), 1, dtype=object), TypeError, r"^full: unsupported dtype object"),
    (lambda: tg.arange(3, dtype=object), TypeError, r"^arange: unsupported dtype object"),
    (lambda: tg.eye(2, dtype=np.complex64), TypeError, r"^eye: unsupported dtype complex64"),
    (lambda: tg.rand(2, dtype=np.int64), TypeError, r"^rand: dtype must be a float dtype.*int64"),
    (lambda: tg.randn(2, dtype=np.complex64), TypeError, r"^randn: dtype must be a float dtype"),
    (lambda: tg.zeros_like(A23, dtype=object), TypeError, r"^zeros_like: unsupported dtype obj"),
    (lambda: tg.ones_like(A23, dtype=np.complex64), TypeError, r"^ones_like: unsupported dtype"),
    (lambda: tg.zeros_like(np.array([1j])), TypeError, r"^zeros_like: unsupported data type c"),
    (lambda: tg.ones_like(["a"]), TypeError, r"^ones_like: unsupported data type <U1"),
    (lambda: tg.tensor([1], dtype=np.complex64), TypeError, r"^tensor: unsupported dtype complex"),
    (lambda: tg.tensor([1], dtype=object), TypeError, r"^tensor: unsupported dtype object"),
    # complex data is refused even when a real dtype is asked for (NumPy would drop the imaginary
    # part), and so are strings and None (NumPy would parse them or make NaN)
    (lambda: tg.tensor([1 + 2j], dtype=np.float32), TypeError, r"^tensor: .* type complex128"),
    (lambda: tg.tensor(np.array([2j]), dtype=np.float64), TypeError, r"^tensor: .* complex128"),
    (lambda: tg.tensor(["1.5"], dtype=np.float32), TypeError, r"^tensor: unsupported data type <U"),
    (lambda: tg.tensor([None], dtype=np.float32), TypeError, r"^tensor: unsupported data.*object"),
    (lambda: tg.from_numpy(np.array([1j])), TypeError, rf"^from_numpy: .* complex128; {HOLDS}"),
]

BAD_NUMBERS = [
    (lambda: tg.full((2,), "a"), TypeError, r"^full: fill_value must be a number.*'a' \(str\)"),
    (lambda: tg.full((2,), None), TypeError, r"^full: fill_value must be a number.*None"),
    (lambda: tg.full((2,), 1 + 2j), TypeError, r"^full: fill_value must be a number.*complex"),
    (lambda: tg.full((2,), [1, 2]), TypeError, r"^full: fill_value must be a number.*list"),
    (lambda: tg.full((2,), tg.ones(2)), TypeError, r"^full: fill_value must be a number.*Tensor"),
    (lambda: tg.arange("a"), TypeError, r"^arange: end must be a number.*'a'"),
    (lambda: tg.arange(0, 3, 1j), TypeError, r"^arange: step must be a number.*complex"),
    (lambda: tg.arange(float("inf")), ValueError, r"^arange: end must be finite, got inf"),
    (lambda: tg.arange(0, 3, float("nan")), ValueError, r"^arange: step must be finite, got nan"),
    (lambda: tg.arange(10**400), ValueError, r"^arange: cannot make this range"),
]

BAD_SIZES = [
    (lambda: tg.zeros(2.5), TypeError, r"^zeros: size must be integers, got 2\.5$"),
    (lambda: tg.zeros(True), TypeError, r"^zeros: size must be integers, got True$"),
    (lambda: tg.zeros((2, None)), TypeError, r"^zeros: size must be .*None in \(2, None\)$"),
    (lambda: tg.ones(2, 2.0), TypeError, r"^ones: size must be integers, got 2\.0 in \(2, 2\.0\)"),
    (lambda: tg.full(2.5, 1), TypeError, r"^full: size must be integers, got 2\.5$"),
    (lambda: tg.rand(1.5), TypeError, r"^rand: size must be integers"),
    (lambda: tg.randn((2, None)), TypeError, r"^randn: size must be integers"),
    (lambda: tg.eye(2.5), TypeError, r"^eye: size must be integers, got 2\.5$"),
    (lambda: tg.eye(2, True), TypeError, r"^eye: size must be integers, got True"),
    (lambda: tg.zeros(-1), ShapeError, r"^zeros: sizes must be non-negative, got -1$"),
    (lambda: tg.ones(2, -3), ShapeError, r"^ones: sizes must be non-negative, got -3 in \(2, -3"),
    (lambda: tg.full((-1,), 0), ShapeError, r"^full: sizes must be non-negative"),
    (lambda: tg.rand(-1), ShapeError, r"^rand: sizes must be non-negative"),
    (lambda: tg.randn(-1), ShapeError, r"^randn: sizes must be non-negative"),
    (lambda: tg.eye(-1), ShapeError, r"^eye: sizes must be non-negative"),
    (lambda: A23.reshape(-2, -3), ShapeError, r"^reshape: invalid shape dimension -2 in \(-2, -3"),
    (lambda: A23.reshape(6, -4), ShapeError, r"^reshape: invalid shape dimension -4.*-1, to infer"),
    (lambda: A23.reshape(-1, -1), ShapeError, r"^reshape: only one dimension can be -1"),
    (lambda: A23.reshape(2.0, 3), TypeError, r"^reshape: shape must be integers, got 2\.0"),
    (lambda: A23.reshape(2, None), TypeError, r"^reshape: shape must be integers, got None"),
    (lambda: A23.view(True, 6), TypeError, r"^reshape: shape must be integers, got True"),
    (lambda: A23.expand(-2, 3), ShapeError, r"^expand: invalid shape dimension -2.*-1 keeps"),
    (lambda: A23.expand(2, 3.0), TypeError, r"^expand: size must be integers, got 3\.0"),
    (lambda: A23.broadcast_to((-1, 3)), ShapeError, r"^broadcast_to: sizes must be non-negative"),
    (lambda: A23.permute(1.0, 0), TypeError, r"^permute: dims must be integers, got 1\.0"),
]

BAD_AXES = [
    (
        lambda: A23.sum(axis=1.0),
        TypeError,
        r"^sum: axis must be an int or a tuple of ints, got 1\.0",
    ),
    (lambda: A23.sum(dim=1.0), TypeError, r"^sum: axis must be an int"),
    (lambda: A23.mean(axis=(0, None)), TypeError, r"^mean: axis must be an int.*\(0, None\)"),
    (lambda: A23.max(axis=True), TypeError, r"^max: axis must be an int.*True"),
    (lambda: A23.sum(axis="a"), TypeError, r"^sum: axis must be an int"),
    (lambda: A23.sum(axis=2), DimensionError, r"^sum: axis 2 is out of range.*-2 to 1"),
    (lambda: A23.softmax(-3), DimensionError, r"^softmax: axis -3 is out of range"),
    (lambda: A23.transpose(0, 2), DimensionError, r"^transpose: axis 2 is out of range"),
    (lambda: A23.squeeze(3), DimensionError, r"^squeeze: axis 3 is out of range"),
    (lambda: A23.flatten(3), DimensionError, r"^flatten: axis 3 is out of range"),
    (lambda: tg.cat([A23, A23], dim=2), DimensionError, r"^cat: axis 2 is out of range"),
    (
        lambda: tg.stack([A23, A23], dim=3),
        DimensionError,
        r"^stack: dim 3 is out of range.*-3 to 2",
    ),
    (lambda: tg.stack([A23, A23], dim=1.5), TypeError, r"^stack: dim must be an int, got 1\.5"),
]

BAD_SHAPES = [
    (lambda: tg.cat([A23, tg.ones(2, 4)]), ShapeError, r"^cat: tensor 1 has shape \(2, 4\)"),
    (lambda: tg.cat([tg.tensor(1.0)]), ShapeError, r"^cat: zero-dimensional tensors"),
    (lambda: tg.stack([A23, A23.T]), ShapeError, r"^stack: tensor 1 has shape \(3, 2\)"),
]


@pytest.mark.parametrize(
    "call, error, pattern", BAD_DTYPES + BAD_NUMBERS + BAD_SIZES + BAD_AXES + BAD_SHAPES
)
def test_bad_argument_is_refused_naming_the_call(call, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        call()
    assert type(info.value) is error  # the class itself, not something broader that matched


@pytest.mark.parametrize(
    "call, error, pattern",
    [case for case in BAD_SIZES + BAD_AXES + BAD_SHAPES if case[1] is not TypeError],
)
def test_value_errors_stay_value_errors(call, error, pattern):
    # Callers written before DimensionError and ShapeError caught ValueError; they still can.
    with pytest.raises(ValueError, match=pattern):
        call()


def test_good_arguments_still_work():
    assert tg.full((2,), tg.tensor(2.0)).tolist() == [2.0, 2.0]  # a 0-d Tensor fill value
    assert tg.full((2,), np.array(2.5)).dtype == np.float32
    assert tg.full((2,), np.int32(3)).dtype == np.int32
    assert tg.full(2, True).dtype == np.bool_
    assert tg.zeros(np.int64(2), np.array(3)).shape == (2, 3)
    assert tg.zeros([2, 3]).shape == tg.ones((2, 3)).shape == (2, 3)
    assert tg.zeros().shape == ()
    assert tg.zeros(0, 2).shape == (0, 2)
    assert tg.zeros(2, dtype="int32").dtype == np.int32
    assert tg.eye(2, 3).shape == (2, 3)
    assert tg.arange(tg.tensor(3)).tolist() == [0, 1, 2]
    assert tg.arange(0.0, 1.0, 0.5).dtype == np.float32
    assert tg.tensor([1, 2], dtype=np.float32).dtype == np.float32
    assert tg.tensor(np.array([1, 2]), dtype=np.float64).dtype == np.float64
    assert tg.zeros_like(np.array([1j]), dtype=np.float32).dtype == np.float32
    assert A23.reshape(3, -1).shape == A23.view((3, -1)).shape == (3, 2)
    assert A23.expand(4, -1, -1).shape == (4, 2, 3)
    assert A23.permute(-1, 0).shape == (3, 2)
    assert A23.sum(axis=np.int64(1)).shape == (2,)
    assert A23.sum(axis=[0, 1]).shape == ()


def test_rand_and_randn_in_float16():
    r = tg.rand(20000, dtype=np.float16)
    assert r.dtype == np.float16
    assert 0 <= float(r.numpy().min()) and float(r.numpy().max()) < 1
    assert tg.randn(3, dtype=np.float16).dtype == np.float16


# ----------------------------------------------------------------------------- PyTorch's classes

# Calls spelled the same in both libraries (``lib`` is tg or torch); ours must raise an instance of
# the class PyTorch raises, so a PyTorch user's ``except`` clause catches it.
SAME_AS_TORCH = [
    "lib.zeros(-1)",
    "lib.zeros(2.5)",
    "lib.rand(-1)",
    "lib.eye(-1)",
    "lib.eye(2.5)",
    "lib.full((2,), 'a')",
    "lib.ones(2, 3).reshape(-2, -3)",
    "lib.ones(2, 3).reshape(-1, -1)",
    "lib.ones(2, 3).expand(-2, 3)",
    "lib.ones(2, 3).sum(2)",
    "lib.ones(2, 3).transpose(0, 2)",
    "lib.ones(2, 3).squeeze(3)",
    "lib.ones(2, 3).flatten(3)",
    "lib.ones(2, 3).softmax(2)",
    "lib.cat([lib.ones(2, 3), lib.ones(2, 4)])",
    "lib.cat([lib.ones(2, 3), lib.ones(2, 3)], dim=2)",
    "lib.stack([lib.ones(2, 3), lib.ones(3, 2)])",
    "lib.stack([lib.ones(2, 3), lib.ones(2, 3)], dim=3)",
]


# Raised outside creation.py and arguments.py (tensor_shape, function, ops, tensor).
RAISED_ELSEWHERE = [
    "lib.ones(2, 3).reshape(4, 2)",
    "lib.ones(2, 3).unsqueeze(3)",
    "lib.ones(2, 3).permute(0, 0)",
    "lib.ones(2, 3).permute(0, 5)",  # once taken as permute(0, 1) (5 % 2), a silent wrong answer
    "lib.ones(2, 3).expand(3)",
    "lib.ones(2, 3).broadcast_to((3, 3))",
    "lib.ones(2, 3) + lib.ones(4)",
    "lib.ones(2, 3) @ lib.ones(2, 3)",
    "lib.where(lib.ones(2) > 0, lib.ones(2, 3), lib.ones(4))",
    "(lib.ones(2, requires_grad=True) * 2).backward(lib.ones(3))",
]


def _raised(call: str, lib) -> Exception:
    try:
        eval(call, {"lib": lib})
    except Exception as err:
        return err
    raise AssertionError(f"{call} raised nothing")


@pytest.mark.torch
@pytest.mark.parametrize("call", SAME_AS_TORCH + RAISED_ELSEWHERE)
def test_pytorch_except_clauses_catch_our_errors(torch, call):
    expected = type(_raised(call, torch))
    assert expected in (TypeError, IndexError, RuntimeError), expected
    err = _raised(call, tg)
    assert isinstance(err, expected), f"{type(err).__name__} is not a {expected.__name__}: {err}"
