"""Training really works: small networks reach their targets, end to end, deterministically.

Each test seeds tinygrad_lite (weights, shuffles) and builds its data with its own NumPy
generator; the settings were checked on several seeds and one is pinned here.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg
from tinygrad_lite import nn, optim
from tinygrad_lite.data import DataLoader, StandardScaler, TensorDataset


def two_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (label 0: upper, label 1: lower) with Gaussian noise."""
    n_upper = n // 2
    t_upper = np.linspace(0.0, np.pi, n_upper)
    t_lower = np.linspace(0.0, np.pi, n - n_upper)
    upper = np.stack([np.cos(t_upper), np.sin(t_upper)], axis=1)
    lower = np.stack([1.0 - np.cos(t_lower), 0.5 - np.sin(t_lower)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, size=(n, 2))
    y = np.concatenate([np.zeros(n_upper, dtype=np.int64), np.ones(n - n_upper, dtype=np.int64)])
    return X, y


def accuracy(model: nn.Module, X: tg.Tensor, y: np.ndarray) -> float:
    with tg.no_grad():
        return float((model(X).numpy().argmax(axis=1) == y).mean())


def test_two_moons_generator_is_sane():
    X, y = two_moons(200, 0.0, np.random.default_rng(0))
    assert X.shape == (200, 2) and y.tolist() == [0] * 100 + [1] * 100
    # noiseless points lie on their unit circles
    np.testing.assert_allclose(np.hypot(X[:100, 0], X[:100, 1]), 1.0)
    np.testing.assert_allclose(np.hypot(X[100:, 0] - 1.0, X[100:, 1] - 0.5), 1.0)


def train_xor(seed: int) -> float:
    tg.manual_seed(seed)
    X = tg.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0])
    target = tg.tensor(y)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    opt = optim.Adam(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()
    for _ in range(300):
        opt.zero_grad()
        loss = loss_fn(model(X), target)
        loss.backward()
        opt.step()
    assert loss.item() < 0.05
    return accuracy(model, X, y)


def test_mlp_learns_xor():
    assert train_xor(seed=0) == 1.0


def train_two_moons(seed: int) -> float:
    tg.manual_seed(seed)
    X_raw, y = two_moons(200, 0.1, np.random.default_rng(seed))
    X = StandardScaler().fit_transform(tg.tensor(X_raw.astype(np.float32)))
    assert isinstance(X, tg.Tensor) and X.dtype == np.float32
    loader = DataLoader(TensorDataset(X, tg.tensor(y)), batch_size=32, shuffle=True)
    model = nn.Sequential(
        nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2)
    )
    opt = optim.Adam(model.parameters(), lr=0.02)
    loss_fn = nn.CrossEntropyLoss()
    for _epoch in range(60):
        for xb, yb in loader:
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
    return accuracy(model, X, y)


def test_mlp_learns_two_moons():
    assert train_two_moons(seed=0) >= 0.97


def train_line(seed: int) -> float:
    """The README's story: a 1-3-1 Leaky-ReLU network learns y = x + 1 from 100 integers."""
    tg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, size=(100, 1)).astype(np.float32)
    y = x + 1
    x_scaler, y_scaler = StandardScaler(), StandardScaler()
    xs = x_scaler.fit_transform(tg.tensor(x))
    ys = y_scaler.fit_transform(tg.tensor(y))
    model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    loss_fn = nn.MSELoss()
    for _ in range(1500):
        opt.zero_grad()
        loss_fn(model(xs), ys).backward()
        opt.step()
    x_test = rng.uniform(0, 100, size=(100, 1)).astype(np.float32)
    with tg.no_grad():
        pred = y_scaler.inverse_transform(model(x_scaler.transform(tg.tensor(x_test))))
    return float(np.abs(pred.numpy() - (x_test + 1)).mean())


def test_leaky_relu_131_learns_x_plus_one():
    assert train_line(seed=0) < 0.5


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_training_is_robust_across_seeds(seed):
    assert train_xor(seed) == 1.0
    assert train_two_moons(seed) >= 0.97
    assert train_line(seed) < 0.5
