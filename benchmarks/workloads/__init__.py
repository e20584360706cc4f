"""The workloads of the suite, by their short name (``--only OPS,W1``).

Each module has ``TITLE`` and ``cases(size)`` (``size`` is ``"tiny"``, ``"quick"`` or
``"full"``) returning :class:`benchmarks.common.Case` or :class:`~benchmarks.common.ProcCase`
objects; process workloads also have ``measure(impl, *argv)`` for ``benchmarks.proc``.

>>> sorted(WORKLOADS)
['OPS', 'W1', 'W2', 'W3', 'W4', 'W5']
"""

from __future__ import annotations

import importlib
from types import ModuleType

WORKLOADS = {
    "OPS": "benchmarks.workloads.ops",
    "W1": "benchmarks.workloads.w1_story",
    "W2": "benchmarks.workloads.w2_mlp",
    "W3": "benchmarks.workloads.w3_overhead",
    "W4": "benchmarks.workloads.w4_depth",
    "W5": "benchmarks.workloads.w5_memory",
}


def load(name: str) -> ModuleType:
    """Import the module of workload ``name`` (e.g. ``"W1"``).

    >>> load("W1").__name__
    'benchmarks.workloads.w1_story'
    """
    return importlib.import_module(WORKLOADS[name])
