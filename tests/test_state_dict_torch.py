"""State dicts cross over to and from PyTorch: same names, order, shapes and outputs."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import nn

pytestmark = pytest.mark.torch


def _ours():
    """An MLP with a nested encoder, batch norm (buffers) and a tied-free head."""

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(4, 8)
            self.norm = nn.BatchNorm1d(8)
            self.act = nn.LeakyReLU(0.1)

        def forward(self, x):
            return self.act(self.norm(self.fc(x)))

    class Model(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = Encoder()
            self.mid = nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Dropout(0.5))
            self.head = nn.Linear(6, 3, bias=False)

        def forward(self, x):
            return self.head(self.mid(self.encoder(x)))

    return Model()


def _theirs(torch):
    tnn = torch.nn

    class Encoder(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = tnn.Linear(4, 8)
            self.norm = tnn.BatchNorm1d(8)
            self.act = tnn.LeakyReLU(0.1)

        def forward(self, x):
            return self.act(self.norm(self.fc(x)))

    class Model(tnn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = Encoder()
            self.mid = tnn.Sequential(tnn.Linear(8, 6), tnn.Tanh(), tnn.Dropout(0.5))
            self.head = tnn.Linear(6, 3, bias=False)

        def forward(self, x):
            return self.head(self.mid(self.encoder(x)))

    return Model()


EXPECTED_PARAMS = [
    "encoder.fc.weight",
    "encoder.fc.bias",
    "encoder.norm.weight",
    "encoder.norm.bias",
    "mid.0.weight",
    "mid.0.bias",
    "head.weight",
]


def test_named_parameters_equal_torch(torch):
    ours = [(n, p.shape) for n, p in _ours().named_parameters()]
    theirs = [(n, tuple(p.shape)) for n, p in _theirs(torch).named_parameters()]
    assert ours == theirs
    assert [n for n, _ in ours] == EXPECTED_PARAMS
    assert [n for n, _ in _ours().named_modules()] == [n for n, _ in _theirs(torch).named_modules()]


def test_state_dict_keys_order_and_shapes_equal_torch(torch):
    ours = {k: v.shape for k, v in _ours().state_dict().items()}
    theirs = {k: tuple(v.shape) for k, v in _theirs(torch).state_dict().items()}
    assert list(ours.items()) == list(theirs.items())
    assert list(ours)[:7] == [
        "encoder.fc.weight",
        "encoder.fc.bias",
        "encoder.norm.weight",
        "encoder.norm.bias",
        "encoder.norm.running_mean",
        "encoder.norm.running_var",
        "encoder.norm.num_batches_tracked",
    ]


def _train_a_little(torch, model, steps=3):
    """Run a few training forwards so the batch-norm buffers hold non-trivial values."""
    gen = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(16, 4, generator=gen, dtype=torch.float64))


def test_torch_state_dict_loads_into_ours_and_gives_same_outputs(torch):
    theirs = _theirs(torch).double()
    _train_a_little(torch, theirs)
    theirs.eval()
    ours = _ours().double().eval()
    result = ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert int(ours.encoder.norm.num_batches_tracked.item()) == 3
    x = np.random.default_rng(0).standard_normal((5, 4))
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), expected, rtol=1e-12, atol=1e-12)


def test_our_state_dict_loads_into_torch_and_gives_same_outputs(torch):
    ours = _ours()
    x32 = np.random.default_rng(1).standard_normal((16, 4)).astype(np.float32)
    ours(tg.tensor(x32))  # one training forward updates the running statistics
    ours.eval()
    theirs = _theirs(torch).eval()
    sd = {k: torch.from_numpy(v) for k, v in ours.state_dict().items()}
    result = theirs.load_state_dict(sd, strict=True)
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = np.random.default_rng(2).standard_normal((5, 4)).astype(np.float32)
    expected = theirs(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(ours(tg.tensor(x)).numpy(), expected, rtol=1e-5, atol=1e-6)
    for k, v in theirs.state_dict().items():
        assert ours.state_dict()[k].dtype == v.numpy().dtype


def test_sequential_round_trip_gradients_equal_torch(torch):
    ours = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2), nn.Softmax(dim=1)).double()
    theirs = torch.nn.Sequential(
        torch.nn.Linear(3, 5), torch.nn.ReLU(), torch.nn.Linear(5, 2), torch.nn.Softmax(dim=1)
    ).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(3).standard_normal((7, 3))
    weights = np.arange(14.0).reshape(7, 2)
    (ours(tg.tensor(x)) * tg.tensor(weights)).sum().backward()
    (theirs(torch.from_numpy(x)) * torch.from_numpy(weights)).sum().backward()
    t_grads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        theirs_grad = t_grads[name].grad.numpy()
        np.testing.assert_allclose(p.grad.numpy(), theirs_grad, rtol=1e-10, atol=1e-12)


def test_load_errors_agree_with_torch_on_which_keys(torch):
    theirs = torch.nn.Sequential(torch.nn.Linear(2, 3))
    ours = nn.Sequential(nn.Linear(2, 3))
    bad = {"0.weight": np.zeros((3, 1)), "extra": np.zeros(1)}
    with pytest.raises(RuntimeError) as t_info:
        theirs.load_state_dict({k: torch.from_numpy(v) for k, v in bad.items()})
    with pytest.raises(RuntimeError) as o_info:
        ours.load_state_dict(bad)
    for fragment in (
        'Missing key(s) in state_dict: "0.bias"',
        '"extra"',
        "size mismatch for 0.weight",
    ):
        assert fragment in str(t_info.value) and fragment in str(o_info.value)
    t_lines = [line.split(":")[0] for line in str(t_info.value).split("\n\t")]
    o_lines = [line.split(":")[0] for line in str(o_info.value).split("\n\t")]
    assert o_lines == t_lines
    t_res = theirs.load_state_dict(
        {"0.weight": torch.zeros(3, 2), "x": torch.zeros(1)}, strict=False
    )
    o_res = ours.load_state_dict({"0.weight": np.zeros((3, 2)), "x": np.zeros(1)}, strict=False)
    assert (
        o_res.missing_keys == t_res.missing_keys and o_res.unexpected_keys == t_res.unexpected_keys
    )
