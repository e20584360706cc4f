"""Shared fixtures: float64 by default for gradient checks, a fixed seed, torch when present."""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import settings

import tinygrad_lite as tg

# CI runs the same hypothesis examples every time, so a red run is reproducible; a developer's
# run keeps exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


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
