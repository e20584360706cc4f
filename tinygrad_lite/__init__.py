"""tinygrad_lite: a small, exact, fast reverse-mode autograd framework on NumPy."""

from __future__ import annotations

import sys as _sys

from . import function as _function
from .anomaly import AnomalyError, detect_anomaly
from .creation import (
    arange,
    cat,
    concatenate,
    eye,
    from_numpy,
    full,
    ones,
    ones_like,
    rand,
    randn,
    stack,
    tensor,
    zeros,
    zeros_like,
)
from .engine import grad, graph_nodes
from .errors import DimensionError, ShapeError
from .function import Function, enable_grad, is_grad_enabled, no_grad, record_gradients
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .random import manual_seed
from .routines import *  # noqa: F403 (the tg.exp / tg.sum ... function forms)
from .tensor import Size, Tensor, get_default_dtype, set_default_dtype, where

_function.xp_tensor = _sys.modules[__name__]

# The layers above the core (they use only the public Tensor API, so they come last).
from . import data, debug, nn, optim, return_types, viz  # noqa: E402
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"
