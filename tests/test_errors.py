"""Every user error of the Tensor API, checked by reading its message (what, where, how to fix)."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite.errors import DimensionError, ShapeError

# ----------------------------------------------------------------------------- shapes


@pytest.mark.parametrize(
    "op, name",
    [
        (lambda a, b: a + b, "Add"),
        (lambda a, b: a * b, "Mul"),
        (lambda a, b: a - b, "Sub"),
        (lambda a, b: a / b, "Div"),
    ],
)
def test_elementwise_shape_mismatch_names_op_and_both_shapes(op, name):
    a, b = tg.ones(2, 3), tg.ones(4)
    with pytest.raises(ValueError, match=rf"{name}.*\(2, 3\).*\(4,\).*broadcast"):
        op(a, b)
    with pytest.raises(ValueError, match=rf"{name}.*\(4,\).*\(2, 3\)"):
        op(b, a)


def test_matmul_shape_mismatch():
    with pytest.raises(ValueError, match=r"(?i)matmul.*\(2, 3\).*\(2, 3\)"):
        tg.ones(2, 3) @ tg.ones(2, 3)
    with pytest.raises(ValueError, match=r"(?i)matmul.*\(2, 3\).*\(4,\)"):
        tg.ones(2, 3) @ tg.ones(4)
    with pytest.raises(ValueError, match=r"(?i)matmul.*at least 1 dimension"):
        tg.ones(2, 3) @ tg.tensor(2.0)


def test_linear_shape_mismatch():
    x, w, b = tg.ones(5, 3), tg.ones(4, 2), tg.ones(4)
    with pytest.raises(ValueError, match=r"(?i)linear.*\(5, 3\).*\(4, 2\).*out_features"):
        tg.ops.Linear.apply(x, w, b)


def test_cat_and_stack_shape_mismatch():
    with pytest.raises(ValueError, match=r"cat: tensor 1 has shape \(2, 4\).*\(2, 3\)"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 4)])
    with pytest.raises(ValueError, match=r"cat:.*\(2,\).*\(2, 3\)"):
        tg.cat([tg.ones(2, 3), tg.ones(2)])
    with pytest.raises(ValueError, match=r"stack: tensor 1 has shape \(3, 2\).*\(2, 3\)"):
        tg.stack([tg.ones(2, 3), tg.ones(3, 2)])
    with pytest.raises(ValueError, match=r"cat: expected a non-empty list"):
        tg.cat([])
    with pytest.raises(TypeError, match=r"cat: expected a list or tuple of tensors"):
        tg.cat(tg.ones(2))


def test_reshape_and_broadcast_to_mismatch():
    t = tg.ones(2, 3)
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*6 elements.*\(4, 2\)"):
        t.reshape(4, 2)
    with pytest.raises(ValueError, match=r"reshape: only one dimension can be -1"):
        t.reshape(-1, -1)
    with pytest.raises(ValueError, match=r"reshape.*\(2, 3\).*\(4, -1\)"):
        t.reshape(4, -1)
    with pytest.raises(ValueError, match=r"broadcast_to.*\(2, 3\).*\(3, 3\)"):
        t.broadcast_to((3, 3))
    with pytest.raises(ValueError, match=r"expand.*\(3,\).*\(2, 3\)"):
        t.expand(3)


# ----------------------------------------------------------------------------- requires_grad


def test_requires_grad_on_integer_tensor():
    with pytest.raises(TypeError, match=r"only floating-point.*int64.*dtype=np.float32"):
        tg.Tensor([1, 2], requires_grad=True)
    with pytest.raises(TypeError, match=r"requires_grad_\(\).*bool"):
        tg.tensor([True, False]).requires_grad_()
    with pytest.raises(TypeError, match=r"only floating-point"):
        tg.tensor([1, 2]).requires_grad = True


def test_requires_grad_false_on_non_leaf():
    y = tg.ones(2, requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"non-leaf.*\.detach\(\)"):
        y.requires_grad_(False)


# ----------------------------------------------------------------------------- backward


def test_backward_on_non_scalar_without_gradient():
    x = tg.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element tensors.*\(2, 3\).*loss\.sum\(\)"):
        (x * 2).backward()


def test_backward_with_gradient_of_wrong_shape():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\).*tensor has shape \(2,\)"):
        (x * 2).backward(tg.ones(3))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match=r"does not require grad.*requires_grad=True"):
        (tg.ones(2) * 2).sum().backward()


def test_second_backward_through_a_freed_graph():
    x = tg.ones(2, requires_grad=True)
    loss = (x.exp() * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match=r"second time.*freed.*retain_graph=True"):
        loss.backward()


def test_tg_grad_second_call_through_freed_graph():
    x = tg.ones(2, requires_grad=True)
    loss = (x * x).sum()
    tg.grad(loss, x)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        tg.grad(loss, x)


def test_tg_grad_input_without_requires_grad():
    x = tg.ones(2, requires_grad=True)
    c = tg.ones(2)
    with pytest.raises(RuntimeError, match=r"grad: input 1 does not require grad"):
        tg.grad((x * c).sum(), [x, c])


def test_tg_grad_wrong_number_of_grad_outputs():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(ValueError, match=r"2 grad_outputs for 1 outputs"):
        tg.grad([x * 2], [x], grad_outputs=[tg.ones(2), tg.ones(2)])


class _BadShape(tg.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g, np.ones((5, 7))


def test_custom_function_wrong_gradient_shape():
    a, b = tg.ones(3, requires_grad=True), tg.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"_BadShape.*\(5, 7\).*input 1.*\(3,\)"):
        _BadShape.apply(a, b).sum().backward()


class _OneGradForTwo(tg.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a * b

    @staticmethod
    def backward(ctx, g):
        return g  # forgot the second input's gradient


def test_custom_function_wrong_number_of_gradients():
    # PyTorch: "function backward returned an incorrect number of gradients (expected 2, got 1)"
    a, b = tg.ones(3, requires_grad=True), tg.ones(3, requires_grad=True)
    pattern = r"(?s)_OneGradForTwo.*(2.*\b1\b|\b1\b.*2)"
    with pytest.raises(RuntimeError, match=pattern):
        _OneGradForTwo.apply(a, b).sum().backward()


class _ReturnsTensor(tg.Function):
    @staticmethod
    def forward(ctx, a):
        return tg.Tensor(a)

    @staticmethod
    def backward(ctx, g):
        return g


def test_custom_function_forward_returning_a_tensor():
    with pytest.raises(TypeError, match=r"_ReturnsTensor.forward returned a Tensor.*ndarray"):
        _ReturnsTensor.apply(tg.ones(2, requires_grad=True))


# ----------------------------------------------------------------------------- NumPy functions


@pytest.mark.parametrize(
    "call, np_name, hint",
    [
        (lambda t: np.exp(t), "exp", "exp"),
        (lambda t: np.log(t), "log", "log"),
        (lambda t: np.sum(t), "sum", "sum"),
        (lambda t: np.mean(t), "mean", "mean"),
        (lambda t: np.concatenate([t, t]), "concatenate", "tg.cat"),
        (lambda t: np.stack([t, t]), "stack", "tg.stack"),
    ],
)
def test_numpy_functions_on_tensors_raise_and_point_to_tg(call, np_name, hint):
    t = tg.ones(2, requires_grad=True)
    with pytest.raises(TypeError, match=rf"np\.{np_name} was called on a tinygrad_lite Tensor"):
        call(t)
    with pytest.raises(TypeError, match=re.escape(hint)):
        call(t)


@pytest.mark.parametrize("ufunc", [np.add, np.multiply, np.subtract, np.exp, np.tanh, np.maximum])
def test_numpy_ufunc_message_suggests_a_function_that_exists(ufunc):
    t = tg.ones(2, requires_grad=True)
    args = (t,) if ufunc.nin == 1 else (t, t)
    with pytest.raises(TypeError, match="leave the autograd graph") as info:
        ufunc(*args)
    suggested = re.findall(r"tg\.(\w+)\(", str(info.value))
    assert suggested, str(info.value)
    for name in suggested:
        assert hasattr(tg, name), f"the message suggests tg.{name}, which does not exist"


def test_ndarray_on_the_left_stays_in_the_graph():
    # ``ndarray (op) Tensor`` is the one NumPy entry point that keeps the graph.
    x = tg.tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0], dtype=np.float32) * x + np.ones(2, dtype=np.float32)
    assert isinstance(y, tg.Tensor) and y.requires_grad
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 4.0]


# ----------------------------------------------------------------------------- in-place


@pytest.mark.parametrize("symbol", ["+=", "-=", "*=", "/="])
def test_in_place_on_tensor_that_requires_grad(symbol):
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=rf"in-place {re.escape(symbol)}.*tg\.no_grad\(\)"):
        exec(f"x {symbol} 1.0", {"x": x})
    assert x.tolist() == [1.0, 1.0]  # untouched


def test_item_assignment_on_leaf_that_requires_grad():
    x = tg.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"setitem: a leaf Variable that requires grad.*no_grad"):
        x[0] = 5.0
    with tg.no_grad():
        x[0] = 5.0  # allowed, as in PyTorch
    assert x.tolist() == [5.0, 1.0] and x._version == 1


# ----------------------------------------------------------------------------- axes and indices


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "var", "logsumexp", "argmax"])
def test_axis_out_of_range(method):
    t = tg.ones(2, 3)
    with pytest.raises(ValueError, match=rf"{method}: axis 2 is out of range.*2 dimension"):
        getattr(t, method)(axis=2)
    with pytest.raises(ValueError, match=rf"{method}: axis -3 is out of range.*-2 to 1"):
        getattr(t, method)(axis=-3)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "var"])
def test_axis_repeated(method):
    t = tg.ones(2, 3)
    with pytest.raises(ValueError, match=rf"{method}: axis \(0, 0\) repeats a dimension"):
        getattr(t, method)(axis=(0, 0))
    with pytest.raises(ValueError, match=rf"{method}: axis \(1, -1\) repeats"):
        getattr(t, method)(axis=(1, -1))


def test_axis_of_wrong_type():
    with pytest.raises(TypeError, match=r"sum: axis must be an int or a tuple of ints"):
        tg.ones(2, 3).sum(axis=(0.5,))
    with pytest.raises(TypeError, match=r"^sum: axis must be an int or a tuple of ints, got 1\.0"):
        tg.ones(2, 3).sum(axis=1.0)


@pytest.mark.parametrize("method", ["sum", "mean", "max", "min", "var", "logsumexp", "argmax"])
def test_axis_out_of_range_is_an_index_error_as_in_pytorch(method):
    with pytest.raises(IndexError, match=rf"{method}: axis 2 is out of range"):
        getattr(tg.ones(2, 3), method)(axis=2)


def test_softmax_and_cat_axis_out_of_range():
    with pytest.raises(ValueError, match=r"softmax: axis 3 is out of range"):
        tg.ones(2, 3).softmax(3)
    with pytest.raises(ValueError, match=r"cat: axis 2 is out of range"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 3)], dim=2)


def test_float_index():
    t = tg.ones(3)
    with pytest.raises(IndexError, match=r"index 1\.0 is a float; indices must be integers"):
        t[1.0]
    with pytest.raises(IndexError, match=r"integer or bool, got dtype float32"):
        t[tg.tensor([0.0, 1.0])]


# ----------------------------------------------------------------------------- sizes and dtypes


def test_negative_and_non_integer_sizes_name_the_call():
    with pytest.raises(RuntimeError, match=r"^zeros: sizes must be non-negative, got -1$"):
        tg.zeros(-1)
    with pytest.raises(TypeError, match=r"^zeros: size must be integers, got 2\.5$"):
        tg.zeros(2.5)
    with pytest.raises(RuntimeError, match=r"^reshape: invalid shape dimension -2"):
        tg.ones(2, 3).reshape(-2, -3)


def test_factories_refuse_what_tinygrad_lite_cannot_hold():
    with pytest.raises(TypeError, match=r"^full: fill_value must be a number"):
        tg.full((2,), "a")
    with pytest.raises(TypeError, match=r"^zeros: unsupported dtype object; .*bool, integer"):
        tg.zeros(2, dtype=object)
    with pytest.raises(TypeError, match=r"^ones: unsupported dtype complex64"):
        tg.ones(2, dtype=np.complex64)
    with pytest.raises(TypeError, match=r"^tensor: unsupported data type complex128"):
        tg.tensor([1 + 2j], dtype=np.float32)


# ----------------------------------------------------------------------------- exception classes


def test_error_classes_are_pytorch_and_numpy_kinds_at_once():
    assert issubclass(DimensionError, IndexError) and issubclass(DimensionError, ValueError)
    assert issubclass(ShapeError, RuntimeError) and issubclass(ShapeError, ValueError)


def test_pytorch_style_except_clauses_catch_shape_and_dimension_errors():
    with pytest.raises(IndexError, match=r"cat: axis 2 is out of range"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 3)], dim=2)
    with pytest.raises(IndexError, match=r"stack: dim 3 is out of range"):
        tg.stack([tg.ones(2, 3), tg.ones(2, 3)], dim=3)
    with pytest.raises(RuntimeError, match=r"cat: tensor 1 has shape \(2, 4\)"):
        tg.cat([tg.ones(2, 3), tg.ones(2, 4)])
    with pytest.raises(RuntimeError, match=r"stack: tensor 1 has shape \(3, 2\)"):
        tg.stack([tg.ones(2, 3), tg.ones(3, 2)])
    with pytest.raises(RuntimeError, match=r"reshape: only one dimension can be -1"):
        tg.ones(2, 3).reshape(-1, -1)


# ----------------------------------------------------------------------------- bad data


def test_ragged_list():
    with pytest.raises(ValueError, match=r"rectangular.*same length"):
        tg.Tensor([[1.0, 2.0], [3.0]])


def test_object_and_other_unsupported_dtypes():
    with pytest.raises(TypeError, match=r"unsupported data type object"):
        tg.Tensor(np.array([1, None], dtype=object))
    with pytest.raises(TypeError, match=r"unsupported data type complex128.*bool, integer"):
        tg.Tensor(np.array([1 + 2j]))
    with pytest.raises(TypeError, match=r"unsupported data type <U"):
        tg.Tensor(["a", "b"])
    with pytest.raises(TypeError, match=r"from_numpy: expected an ndarray, got list"):
        tg.from_numpy([1.0, 2.0])


def test_unsupported_operand_type():
    with pytest.raises(TypeError, match=r"cannot combine a Tensor with data of dtype <U"):
        tg.ones(2) + np.array(["a", "b"])
