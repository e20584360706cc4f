"""nn.init: gains, fans, distributions (bounds, mean, std), in-place behaviour, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import nn
from tinygrad_lite.nn import init
from tinygrad_lite.nn.init import _calculate_fan_in_and_fan_out

BIG = (600, 500)  # 300,000 draws: sample mean/std within ~0.5% of the truth


def _uniform_checks(data, bound):
    # NOTE: tolerances are 5 standard errors for this many draws, so a correct sampler
    # essentially never fails and a wrong scale (even by 2%) does.
    n = data.size
    std = bound / math.sqrt(3)  # U(-c, c) has std c/sqrt(3)
    assert np.abs(data).max() <= bound * (1 + 1e-6)
    assert np.abs(data).max() > 0.999 * bound
    assert abs(data.mean()) < 5 * std / math.sqrt(n)
    assert abs(data.std() / std - 1) < 2.3 / math.sqrt(n)


def _normal_checks(data, mean, std):
    n = data.size
    assert abs(data.mean() - mean) < 5 * std / math.sqrt(n)
    assert abs(data.std() / std - 1) < 3.6 / math.sqrt(n)
    # about 31.73% of a normal lies beyond one std
    assert abs((np.abs(data - mean) > std).mean() - 0.3173) < 2.4 / math.sqrt(n)


@pytest.mark.parametrize(
    ("nonlinearity", "param", "expected"),
    [
        ("linear", None, 1.0),
        ("conv2d", None, 1.0),
        ("sigmoid", None, 1.0),
        ("tanh", None, 5.0 / 3),
        ("relu", None, math.sqrt(2.0)),
        ("leaky_relu", None, math.sqrt(2.0 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, math.sqrt(2.0 / 1.04)),
        ("leaky_relu", math.sqrt(5), math.sqrt(2.0 / 6)),
        ("selu", None, 0.75),
    ],
)
def test_calculate_gain(nonlinearity, param, expected):
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(expected, rel=1e-12)


@pytest.mark.torch
def test_calculate_gain_matches_torch(torch):
    for name in ("linear", "conv1d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"):
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name))
    assert init.calculate_gain("leaky_relu", 0.3) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", 0.3)
    )


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'; use one of linear"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope 'x' is not a valid number"):
        init.calculate_gain("leaky_relu", "x")


@pytest.mark.parametrize(
    ("shape", "fans"), [((3, 5), (5, 3)), ((4, 2, 3, 3), (18, 36)), ((7, 1, 5), (5, 35))]
)
def test_fan_in_and_fan_out(shape, fans):
    assert _calculate_fan_in_and_fan_out(tg.zeros(*shape)) == fans


@pytest.mark.torch
def test_fans_match_torch(torch):
    for shape in [(3, 5), (4, 2, 3, 3), (7, 1, 5)]:
        theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
        assert _calculate_fan_in_and_fan_out(tg.zeros(*shape)) == theirs


def test_fan_needs_two_dimensions():
    with pytest.raises(ValueError, match=r"fewer than 2 dimensions \(shape \(5,\)\)"):
        init.xavier_uniform_(tg.zeros(5))
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.kaiming_normal_(tg.zeros(5))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize(("a", "nonlin"), [(0.0, "relu"), (math.sqrt(5), "leaky_relu")])
def test_kaiming_uniform(mode, a, nonlin):
    w = tg.zeros(*BIG)
    fan = BIG[1] if mode == "fan_in" else BIG[0]
    gain = math.sqrt(2.0) if nonlin == "relu" else math.sqrt(2.0 / (1 + a * a))
    assert init.kaiming_uniform_(w, a=a, mode=mode, nonlinearity=nonlin) is w
    _uniform_checks(w.numpy(), gain * math.sqrt(3.0 / fan))


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_kaiming_normal(mode):
    w = tg.zeros(*BIG, dtype=np.float64)
    fan = BIG[1] if mode == "fan_in" else BIG[0]
    init.kaiming_normal_(w, mode=mode, nonlinearity="relu")
    _normal_checks(w.numpy(), 0.0, math.sqrt(2.0 / fan))
    assert w.dtype == np.float64


def test_kaiming_default_is_leaky_relu_with_a_zero():
    w = init.kaiming_uniform_(tg.zeros(*BIG))
    _uniform_checks(w.numpy(), math.sqrt(2.0) * math.sqrt(3.0 / BIG[1]))


def test_kaiming_on_conv_shaped_weight_uses_receptive_field():
    w = init.kaiming_uniform_(tg.zeros(64, 32, 3, 3), nonlinearity="relu")
    _uniform_checks(w.numpy(), math.sqrt(2.0) * math.sqrt(3.0 / (32 * 9)))


def test_xavier_uniform_and_normal():
    w = init.xavier_uniform_(tg.zeros(*BIG), gain=2.0)
    _uniform_checks(w.numpy(), 2.0 * math.sqrt(6.0 / sum(BIG)))
    w = init.xavier_normal_(tg.zeros(*BIG), gain=0.5)
    _normal_checks(w.numpy(), 0.0, 0.5 * math.sqrt(2.0 / sum(BIG)))


def test_uniform_normal_constant_zeros_ones():
    t = init.uniform_(tg.zeros(300_000), -2.0, 6.0)
    assert t.numpy().min() >= -2.0 and t.numpy().max() <= 6.0
    assert abs(t.numpy().mean() - 2.0) < 0.02 and abs(t.numpy().std() - 8 / math.sqrt(12)) < 0.02
    t = init.uniform_(tg.zeros(1000))
    assert t.numpy().min() >= 0.0 and t.numpy().max() < 1.0
    t = init.normal_(tg.zeros(300_000, dtype=np.float64), mean=3.0, std=0.5)
    _normal_checks(t.numpy(), 3.0, 0.5)
    filled = init.constant_(tg.zeros(2, 2), 0.25).numpy()
    np.testing.assert_array_equal(filled, np.full((2, 2), 0.25))
    np.testing.assert_array_equal(init.zeros_(tg.ones(3)).numpy(), np.zeros(3))
    np.testing.assert_array_equal(init.ones_(tg.zeros(3)).numpy(), np.ones(3))
    assert init.normal_(tg.zeros(3), std=0.0).numpy().tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize(
    "fill",
    [
        lambda t: init.uniform_(t, -1, 1),
        lambda t: init.normal_(t),
        lambda t: init.constant_(t, 2.0),
        init.zeros_,
        init.ones_,
        init.xavier_uniform_,
        init.xavier_normal_,
        init.kaiming_uniform_,
        init.kaiming_normal_,
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_in_place_keeps_array_dtype_and_leaf(fill, dtype):
    p = nn.Parameter(np.zeros((4, 3), dtype=dtype))
    array = p.numpy()
    assert fill(p) is p
    assert p.numpy() is array and p.dtype == dtype
    assert p.is_leaf and p.grad_fn is None and p.requires_grad


def test_non_contiguous_target_is_filled_in_place():
    base = tg.zeros(6, 4, dtype=np.float64)
    view = tg.from_numpy(base.numpy()[:, ::2])
    init.uniform_(view, 1.0, 2.0)
    assert (base.numpy()[:, ::2] >= 1.0).all() and (base.numpy()[:, 1::2] == 0).all()
    init.normal_(view, 5.0, 0.1)
    assert abs(base.numpy()[:, ::2].mean() - 5.0) < 0.2


def test_draws_come_from_the_global_generator():
    tg.manual_seed(5)
    a = init.normal_(tg.zeros(10)).numpy().copy()
    b = init.normal_(tg.zeros(10)).numpy().copy()
    tg.manual_seed(5)
    np.testing.assert_array_equal(init.normal_(tg.zeros(10)).numpy(), a)
    assert not np.array_equal(a, b)
    tg.manual_seed(5)
    c = init.kaiming_uniform_(tg.zeros(5, 2)).numpy().copy()
    tg.manual_seed(5)
    np.testing.assert_array_equal(init.kaiming_uniform_(tg.zeros(5, 2)).numpy(), c)


@pytest.mark.torch
def test_distributions_match_torch_statistics(torch):
    torch.manual_seed(0)
    pairs = [
        (init.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {"a": 1.0}),
        (init.kaiming_normal_, torch.nn.init.kaiming_normal_, {"mode": "fan_out"}),
        (init.xavier_uniform_, torch.nn.init.xavier_uniform_, {"gain": 1.5}),
        (init.xavier_normal_, torch.nn.init.xavier_normal_, {}),
    ]
    for ours, theirs, kwargs in pairs:
        a = ours(tg.zeros(*BIG), **kwargs).numpy()
        b = theirs(torch.zeros(BIG), **kwargs).numpy()
        np.testing.assert_allclose(a.std(), b.std(), rtol=0.01)
        assert abs(a.mean() - b.mean()) < 0.01 * b.std()


def test_init_errors():
    with pytest.raises(
        TypeError, match="init.uniform_: expected a Tensor or Parameter, got ndarray"
    ):
        init.uniform_(np.zeros(3))
    with pytest.raises(
        TypeError, match="init.normal_: needs a floating-point tensor, got dtype int"
    ):
        init.normal_(tg.tensor([1, 2]))
    with pytest.raises(ValueError, match=r"init.uniform_: expects a <= b, but got a=2.0 > b=1.0"):
        init.uniform_(tg.zeros(3), 2.0, 1.0)
    with pytest.raises(ValueError, match="init.normal_: std must be >= 0, got -1.0"):
        init.normal_(tg.zeros(3), std=-1.0)
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported, use 'fan_in' or 'fan_out'"):
        init.kaiming_uniform_(tg.zeros(3, 3), mode="fan_avg")
    with pytest.raises(ValueError, match="unsupported nonlinearity 'gelu'"):
        init.kaiming_normal_(tg.zeros(3, 3), nonlinearity="gelu")
    with pytest.raises(TypeError, match="init.constant_: val must be a real number, got str"):
        init.constant_(tg.zeros(3), "1")


def test_zero_element_tensor_is_a_no_op():
    t = tg.zeros(0, 3)
    assert init.kaiming_uniform_(t) is t and init.kaiming_normal_(t) is t
