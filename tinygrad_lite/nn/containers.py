"""``Sequential``: modules applied one after another, indexable like a list."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from typing import Any

import numpy as np

from tinygrad_lite.nn.module import Module


class Sequential(Module):
    """Chain modules: the output of each is the input of the next.

    Build it from modules (named ``"0"``, ``"1"``, ...) or from one ``OrderedDict`` of
    ``name -> module``. It indexes like a list (ints, negative ints, slices).

    Examples
    --------
    >>> from tinygrad_lite import nn
    >>> model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))
    >>> len(model), type(model[-1]).__name__
    (3, 'Linear')
    """

    def __init__(self, *modules: Module) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for name, module in modules[0].items():
                self.add_module(name, module)
            return
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(
                    f"Sequential: argument {i} is a {type(module).__name__}, not an nn.Module"
                )
            self._modules[str(i)] = module

    def forward(self, x: Any) -> Any:
        for module in self._modules.values():
            x = module(x)
        return x

    def _index(self, idx: int) -> int:
        if isinstance(idx, bool) or not isinstance(idx, (int, np.integer)):
            raise TypeError(
                f"Sequential indices must be integers or slices, not {type(idx).__name__}"
            )
        n = len(self._modules)
        if not -n <= idx < n:
            raise IndexError(f"index {idx} is out of range for Sequential of length {n}")
        return int(idx) % n

    def __getitem__(self, idx: int | slice) -> Any:
        if isinstance(idx, slice):
            return Sequential(OrderedDict(list(self._modules.items())[idx]))
        return list(self._modules.values())[self._index(idx)]

    def __setitem__(self, idx: int, module: Module) -> None:
        if not isinstance(module, Module):
            raise TypeError(f"Sequential: can only store an nn.Module, got {type(module).__name__}")
        key = list(self._modules)[self._index(idx)]
        self._modules[key] = module

    def __delitem__(self, idx: int | slice) -> None:
        keys = list(self._modules)
        doomed = keys[idx] if isinstance(idx, slice) else [keys[self._index(idx)]]
        for key in doomed:
            del self._modules[key]
        # NOTE: renumber so indices stay 0..n-1, as PyTorch does.
        modules = list(self._modules.values())
        self._modules.clear()
        for i, module in enumerate(modules):
            self._modules[str(i)] = module

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def append(self, module: Module) -> Sequential:
        """Add ``module`` at the end and return this Sequential.

        Examples
        --------
        >>> from tinygrad_lite import nn
        >>> len(nn.Sequential(nn.ReLU()).append(nn.Tanh()))
        2
        """
        if not isinstance(module, Module):
            raise TypeError(
                f"Sequential.append: expected an nn.Module, got {type(module).__name__}"
            )
        self.add_module(str(len(self)), module)
        return self
