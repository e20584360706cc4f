"""Shared fixtures: float64 by default for gradient checks, a fixed seed, torch when present."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_lite as tg


@pytest.fixture(autouse=True)
def _seed_and_dtype():
    """Every test starts from the same seed and the float32 default dtype."""
    tg.manual_seed(0)
    tg.set_default_dtype(np.float32)
    yield
    tg.set_default_dtype(np.float32)


@pytest.fixture
def torch():
    """The torch module, or skip the test when it is not installed."""
    return pytest.importorskip("torch")
