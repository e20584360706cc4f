"""The named tuples that PyTorch's selecting reductions return: ``(values, indices)``.

Examples
--------
>>> import tinygrad_lite as tg
>>> r = tg.tensor([[1.0, 5.0], [7.0, 2.0]]).max(dim=1)
>>> r.values.tolist(), r.indices.tolist()
([5.0, 7.0], [1, 0])
"""

from __future__ import annotations

from collections import namedtuple

__all__ = ["max", "min", "sort", "topk", "median"]

max = namedtuple("max", ["values", "indices"])  # noqa: A001 (PyTorch's names)
min = namedtuple("min", ["values", "indices"])  # noqa: A001
sort = namedtuple("sort", ["values", "indices"])
topk = namedtuple("topk", ["values", "indices"])
median = namedtuple("median", ["values", "indices"])
