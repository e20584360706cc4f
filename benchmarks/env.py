"""What the numbers depend on: versions, BLAS, thread settings and the CPU."""

from __future__ import annotations

import os
import platform
import sys

import numpy as np

from benchmarks import THREAD_VARS

#: Variables that change which BLAS kernel runs (recorded, never changed by the suite).
KERNEL_VARS = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_VERBOSE", "MKL_DEBUG_CPU_TYPE")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _numpy_blas() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # NOTE: older NumPy has no mode="dicts"; the pools below still tell
        return "unknown"


def thread_pools() -> list[dict]:
    """The native thread pools loaded in this process (threadpoolctl), or [] without it.

    >>> isinstance(thread_pools(), list)
    True
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return []
    keys = ("internal_api", "version", "num_threads", "architecture", "threading_layer")
    return [{k: pool.get(k) for k in keys} for pool in threadpool_info()]


def collect(with_torch: bool) -> dict:
    """A JSON-able record of the environment the benchmark ran in.

    >>> sorted(collect(False))[:2]
    ['blas', 'cpu']
    """
    torch = None
    if with_torch:
        from benchmarks.common import load_torch

        torch = load_torch()  # NOTE: first, so that its OpenMP pool shows in thread_pools
    info = {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "numpy": np.__version__,
        "blas": _numpy_blas(),
        "thread_pools": thread_pools(),
        "env": {k: os.environ.get(k) for k in THREAD_VARS + KERNEL_VARS if k in os.environ},
    }
    try:
        import tinygrad_lite

        info["tinygrad_lite"] = getattr(tinygrad_lite, "__version__", "unversioned")
    except ImportError as err:
        info["tinygrad_lite"] = f"not importable ({err})"
    if torch is not None:
        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    return info


def describe(info: dict) -> str:
    """The environment record as a few human-readable lines.

    >>> "numpy" in describe(collect(False))
    True
    """
    pools = ", ".join(
        f"{p['internal_api']} {p['version']} ({p['architecture']}, {p['num_threads']} thread"
        f"{'s' if p['num_threads'] != 1 else ''})"
        for p in info["thread_pools"]
    )
    lines = [
        f"CPU: {info['cpu']} ({info['cpu_count']} logical), {info['platform']}",
        f"Python {info['python']}, numpy {info['numpy']} (BLAS: {info['blas']}), "
        f"tinygrad_lite {info['tinygrad_lite']}"
        + (f", torch {info['torch']} ({info['torch_threads']} thread)" if "torch" in info else ""),
        f"thread pools: {pools or 'threadpoolctl not installed'}",
        "env: " + " ".join(f"{k}={v}" for k, v in info["env"].items()),
    ]
    unset = [k for k in KERNEL_VARS[:2] if k not in info["env"]]
    if unset:
        lines[-1] += "  (unset: " + ", ".join(unset) + ")"
    return "\n".join(lines)
