"""tg.gradcheck / tg.gradgradcheck: pass for right gradients, name the input and index otherwise."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg


def f64(data, requires_grad=True):
    return tg.tensor(data, dtype=np.float64, requires_grad=requires_grad)


# ----------------------------------------------------------------------------- custom ops


class SquareWrongAt2(tg.Function):
    """x**2 whose backward is wrong for element 2 only (x1.5)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        grad = 2 * x * g
        grad[2] *= 1.5
        return grad


class MulWrongSecond(tg.Function):
    """a * b whose gradient for b is wrong at [1, 0]."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        gb = g * a
        gb[1, 0] += 0.25
        return g * b, gb


class SinFrozen(tg.Function):
    """sin(x) with a correct first derivative, but x saved as a copy: under create_graph the
    copy is a constant, so the second derivative misses the -sin(x) term."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x.copy())
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.xp.cos(x)


class SinRight(tg.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * ctx.xp.cos(x)


class SlightlyOff(tg.Function):
    """3x with a gradient off by a relative 1e-5."""

    @staticmethod
    def forward(ctx, x):
        return 3 * x

    @staticmethod
    def backward(ctx, g):
        return g * (3 * (1 + 1e-5))


# ----------------------------------------------------------------------------- gradcheck


def test_gradcheck_accepts_correct_ops():
    rng = np.random.default_rng(0)
    x = f64(rng.uniform(0.5, 1.5, (3, 4)))
    w = f64(rng.standard_normal((4, 2)))
    b = f64(rng.standard_normal(2))
    assert tg.gradcheck(lambda x, w, b: (x @ w + b).tanh(), (x, w, b)) is True
    assert tg.gradcheck(lambda x: x.log().softmax(1), (x,)) is True
    assert tg.gradcheck(lambda x: (x.sqrt() * x.exp()).sum(axis=0), (x,)) is True
    assert tg.gradcheck(lambda x, w: (x @ w).logsumexp(axis=1).mean(), (x, w)) is True
    assert tg.gradcheck(SinRight.apply, (x,)) is True


def test_gradcheck_with_a_constant_input():
    x = f64([1.0, 2.0])
    c = f64([3.0, 4.0], requires_grad=False)
    assert tg.gradcheck(lambda x, c: x * c, (x, c)) is True


def test_gradcheck_leaves_inputs_unchanged():
    xv = np.array([0.3, -0.7, 1.1])
    x = f64(xv)
    tg.gradcheck(lambda t: t.sin(), (x,))
    np.testing.assert_array_equal(x.numpy(), xv)
    assert x.grad is None


def test_gradcheck_names_input_and_index_of_a_wrong_backward():
    x = f64([0.5, -1.0, 2.0, 0.25])
    with pytest.raises(tg.GradcheckError, match=r"input 0 \(shape \(4,\)\).*index \(2,\)"):
        tg.gradcheck(SquareWrongAt2.apply, (x,))
    try:
        tg.gradcheck(SquareWrongAt2.apply, (x,))
    except tg.GradcheckError as e:
        msg = str(e)
    # the numbers in the message are the right ones: d(v . x**2)/dx2 = 2 x2 v2, and 1.5x that
    assert "analytic" in msg and "numeric" in msg


def test_gradcheck_names_the_second_input():
    a = f64(np.arange(1.0, 7.0).reshape(3, 2))
    b = f64(np.arange(-3.0, 3.0).reshape(3, 2) + 0.5)
    with pytest.raises(tg.GradcheckError, match=r"input 1 \(shape \(3, 2\)\).*index \(1, 0\)"):
        tg.gradcheck(MulWrongSecond.apply, (a, b))


def test_gradcheck_error_is_a_runtime_error():
    assert issubclass(tg.GradcheckError, RuntimeError)


def test_gradcheck_tolerances():
    x = f64([1.0, 2.0, 3.0])
    assert tg.gradcheck(SlightlyOff.apply, (x,)) is True
    with pytest.raises(tg.GradcheckError, match=r"input 0"):
        tg.gradcheck(SlightlyOff.apply, (x,), atol=1e-9, rtol=1e-8)


def test_gradcheck_rejects_non_float64_inputs():
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"gradcheck: input 0 has dtype float32.*float64"):
        tg.gradcheck(lambda t: t * 2, (x,))
    with pytest.raises(TypeError, match=r"input 1 has dtype float32"):
        tg.gradcheck(lambda a, b: a * b, (f64([1.0]), tg.tensor([1.0], requires_grad=True)))


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match=r"no input has requires_grad=True"):
        tg.gradcheck(lambda t: t * 2, (f64([1.0], requires_grad=False),))


def test_gradcheck_needs_a_tensor_output():
    with pytest.raises(TypeError, match=r"fn must return a Tensor, got float"):
        tg.gradcheck(lambda t: 1.0, (f64([1.0]),))


# ----------------------------------------------------------------------------- gradgradcheck


def test_gradgradcheck_accepts_correct_second_derivatives():
    rng = np.random.default_rng(1)
    x = f64(rng.uniform(0.5, 1.5, (2, 3)))
    w = f64(rng.standard_normal((3, 2)))
    assert tg.gradgradcheck(lambda x: (x**3).sum(), (x,)) is True
    assert tg.gradgradcheck(lambda x, w: (x @ w).tanh(), (x, w)) is True
    assert tg.gradgradcheck(lambda x: x.sigmoid() * x.log(), (x,)) is True
    assert tg.gradgradcheck(SinRight.apply, (x,)) is True
    # linear in x: every second derivative is 0, which is right
    assert tg.gradgradcheck(lambda x, w: x @ w, (x, w)) is True


def test_gradgradcheck_catches_a_wrong_second_derivative():
    x = f64([0.3, -1.2, 2.0])
    # the first derivative is right ...
    assert tg.gradcheck(SinFrozen.apply, (x,)) is True
    # ... the second is not
    with pytest.raises(tg.GradcheckError, match=r"input 0 \(shape \(3,\)\).*index"):
        tg.gradgradcheck(SinFrozen.apply, (x,))


def test_gradgradcheck_rejects_non_float64_inputs():
    with pytest.raises(TypeError, match=r"input 0 has dtype float32"):
        tg.gradgradcheck(lambda t: t**3, (tg.tensor([1.0], requires_grad=True),))
