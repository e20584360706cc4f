"""The one random generator behind every random factory, initializer, dropout and shuffle."""

from __future__ import annotations

import numpy as np

_generator = np.random.default_rng()


def manual_seed(seed: int) -> np.random.Generator:
    """Seed the single generator that all of tinygrad_lite's randomness draws from.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> _ = tg.manual_seed(0); a = tg.rand(2)
    >>> _ = tg.manual_seed(0); bool((a == tg.rand(2)).all())
    True
    """
    global _generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"manual_seed: seed must be an int, got {type(seed).__name__}")
    _generator = np.random.default_rng(int(seed))
    return _generator


def generator() -> np.random.Generator:
    """Return the current generator (re-created by every ``manual_seed`` call).

    Examples
    --------
    >>> from tinygrad_lite.random import generator
    >>> generator().random() < 1.0
    True
    """
    return _generator
