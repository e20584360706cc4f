"""Neural-network building blocks: Module, layers, losses, functional, init and utils."""

from __future__ import annotations

from tinygrad_lite.nn import functional, init, utils
from tinygrad_lite.nn import functional as F
from tinygrad_lite.nn.containers import Sequential
from tinygrad_lite.nn.layers import (
    Dropout,
    Flatten,
    Identity,
    LeakyReLU,
    Linear,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
)
from tinygrad_lite.nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
)
from tinygrad_lite.nn.module import Module, Parameter, RemovableHandle, StateDictError
from tinygrad_lite.nn.normalization import BatchNorm1d, LayerNorm

__all__ = [
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "F",
    "Flatten",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Parameter",
    "ReLU",
    "RemovableHandle",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "StateDictError",
    "Tanh",
    "functional",
    "init",
    "utils",
]
