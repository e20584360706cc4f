"""tg.detect_anomaly: blame the first op (forward or backward) that turns finite into NaN/Inf."""

from __future__ import annotations

import inspect
import os

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import function as _function

THIS_FILE = os.path.abspath(__file__)

# NumPy warns about the very NaN/Inf these tests create on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def _next_line() -> int:
    """The line number just after the caller's line (where the op under test is written)."""
    return inspect.currentframe().f_back.f_lineno + 1


def _assert_source(msg: str, line: int, code: str) -> None:
    assert f"{THIS_FILE}:{line}" in msg, msg
    assert code in msg, msg


# ----------------------------------------------------------------------------- forward


def test_forward_log_of_zero():
    x = tg.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info, tg.detect_anomaly():
        line = _next_line()
        x.log()
    msg = str(info.value)
    assert msg.startswith("detect_anomaly: Log produced Inf in the forward pass")
    assert "shape (2,) (max |x| = 1)" in msg
    _assert_source(msg, line, "x.log()")


def test_forward_zero_divided_by_zero():
    a = tg.tensor([0.0, 2.0], requires_grad=True)
    b = tg.tensor([[0.0, 4.0]])
    with pytest.raises(tg.AnomalyError) as info, tg.detect_anomaly():
        line = _next_line()
        a / b
    msg = str(info.value)
    assert "Div produced NaN in the forward pass" in msg
    assert "shape (2,) (max |x| = 2); shape (1, 2) (max |x| = 4)" in msg
    _assert_source(msg, line, "a / b")


def test_forward_exp_overflow():
    x = tg.tensor([1.0, 100.0])  # e**100 overflows float32; no grad needed to be checked
    with pytest.raises(tg.AnomalyError) as info, tg.detect_anomaly():
        line = _next_line()
        x.exp()
    msg = str(info.value)
    assert "Exp produced Inf" in msg and "max |x| = 100" in msg
    _assert_source(msg, line, "x.exp()")


def test_the_producer_is_blamed_not_the_ops_that_pass_it_on():
    x = tg.tensor([1e30, 1.0], requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info, tg.detect_anomaly():
        a = x * 2.0  # finite: 2e30 fits in float32
        line = _next_line()
        b = a * a  # 4e60 does not: this Mul is the producer
        (b - b).sum()  # NaN from Inf: passed on, not produced, must not be blamed
    msg = str(info.value)
    assert "Mul produced Inf" in msg and "max |x| = 2e+30" in msg
    _assert_source(msg, line, "b = a * a")


def test_a_nan_made_before_is_passed_on_silently():
    with np.errstate(divide="ignore"):
        bad = tg.tensor([0.0, 1.0], requires_grad=True).log()  # -inf, outside the block
    with tg.detect_anomaly():
        y = (bad * 2 + 1).exp().sum()  # every op here only passes the -inf on
    assert not np.isfinite((bad * 2).numpy()).all() and np.isfinite(y.item())


# ----------------------------------------------------------------------------- backward


def test_backward_sqrt_at_zero_names_sqrt_and_its_creation_line():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info, tg.detect_anomaly():
        line = _next_line()
        y = (x * 3.0).sqrt()
        (y * 2.0).sum().backward()
    msg = str(info.value)
    # Sqrt's backward makes the Inf; Mul's backward only receives it and must not be blamed
    assert msg.startswith("detect_anomaly: the backward of Sqrt produced Inf")
    assert "shape (2,) (max |x| = 12)" in msg
    _assert_source(msg, line, "y = (x * 3.0).sqrt()")


def test_backward_of_an_op_created_before_detection_still_names_the_op():
    x = tg.tensor([0.0, 4.0], requires_grad=True)
    y = x.sqrt().sum()
    pattern = r"(?s)backward of Sqrt produced Inf.*created before detect_anomaly"
    with pytest.raises(tg.AnomalyError, match=pattern), tg.detect_anomaly():
        y.backward()


# ----------------------------------------------------------------------------- quiet paths


def test_nothing_is_raised_when_everything_is_finite():
    xv = np.array([0.5, 1.0, 2.0])
    x = tg.tensor(xv, dtype=np.float64, requires_grad=True)
    with tg.detect_anomaly():
        loss = (x.log() * x.sqrt() + (x / 3).exp()).sum()
        loss.backward()
    expected = (1 / xv) * np.sqrt(xv) + np.log(xv) / (2 * np.sqrt(xv)) + np.exp(xv / 3) / 3
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-12)


def test_source_lines_are_recorded_only_while_on():
    x = tg.tensor([1.0], requires_grad=True)
    assert (x * 2).grad_fn.source is None
    with tg.detect_anomaly():
        line = _next_line()
        y = x * 2
    _assert_source(y.grad_fn.source, line, "y = x * 2")
    assert (x * 2).grad_fn.source is None


def test_off_after_the_with_block():
    x = tg.tensor([0.0], requires_grad=True)
    with tg.detect_anomaly():
        pass
    assert _function._anomaly is None
    y = x.log()  # no error now
    assert np.isinf(y.item())
    # and also after the block was left by an AnomalyError
    with pytest.raises(tg.AnomalyError), tg.detect_anomaly():
        x.log()
    assert _function._anomaly is None
    assert np.isinf(x.log().item())


def test_nested_blocks_restore_the_outer_state():
    x = tg.tensor([0.0], requires_grad=True)
    with tg.detect_anomaly():
        with tg.detect_anomaly():
            pass
        with pytest.raises(tg.AnomalyError):
            x.log()
    assert _function._anomaly is None


# ----------------------------------------------------------------------------- decorator


def test_as_a_decorator():
    @tg.detect_anomaly()
    def step(t):
        return (t - t).log()  # log(0)

    x = tg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info:
        step(x)
    msg = str(info.value)
    assert "Log produced Inf" in msg
    assert f"{THIS_FILE}:" in msg and "in step: return (t - t).log()" in msg
    assert _function._anomaly is None
    assert np.isinf(tg.tensor([0.0], requires_grad=True).log().item())  # off again: no raise


def test_decorated_function_that_is_finite_returns_its_value():
    @tg.detect_anomaly()
    def f(t):
        return (t * 2).sum()

    assert f(tg.tensor([1.0, 2.0])).item() == 6.0


def test_anomaly_error_is_a_runtime_error():
    assert issubclass(tg.AnomalyError, RuntimeError)
