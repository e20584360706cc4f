"""W3 overhead: a chain of 200 elementwise ops on 16x16 float32, then ``sum().backward()``.

The chain cycles through ``* 1.001``, ``+ 0.001``, ``tanh`` and ``* w`` (a second leaf), so
it mixes scalar and tensor operands; the time is reported per op of the chain.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import NUMPY, TG, TORCH, Case, Runner, load_torch, to_numpy

TITLE = "chain of 200 elementwise ops on 16x16, then sum().backward()"
SHAPES = {"tiny": (4, 4), "quick": (16, 16), "full": (16, 16)}
N_OPS = 200
SCALE, SHIFT = 1.001, 0.001


def make_data(shape: tuple[int, int], seed: int = 0) -> dict[str, np.ndarray]:
    """The chain's input ``x`` and the multiplier ``w`` (close to 1, so values stay tame).

    >>> make_data((2, 2))["w"].dtype
    dtype('float32')
    """
    rng = np.random.default_rng(seed)
    return {
        "x": rng.standard_normal(shape).astype(np.float32),
        "w": (1 + 0.01 * rng.standard_normal(shape)).astype(np.float32),
    }


def _numpy(data: dict[str, np.ndarray], n_ops: int) -> Runner:
    x0, w = data["x"], data["w"]
    scale, shift = np.float32(SCALE), np.float32(SHIFT)
    state: dict = {}

    def step() -> None:
        saved = []
        x = x0
        for i in range(n_ops):
            k = i % 4
            if k == 0:
                x = x * scale
            elif k == 1:
                x = x + shift
            elif k == 2:
                x = np.tanh(x)
                saved.append(x)
            else:
                saved.append(x)
                x = x * w
        total = x.sum()
        g = np.ones_like(x0)
        gw = np.zeros_like(w)
        for i in reversed(range(n_ops)):
            k = i % 4
            if k == 0:
                g = g * scale
            elif k == 2:
                out = saved.pop()
                g = g * (1 - out * out)
            elif k == 3:
                gw += g * saved.pop()
                g = g * w
        state.update(total=total, gx=g, gw=gw)

    def result() -> dict[str, np.ndarray]:
        return {"sum": np.asarray(state["total"]), "grad x": state["gx"], "grad w": state["gw"]}

    return Runner(step, result)


def _framework(data: dict[str, np.ndarray], n_ops: int, lib: str) -> Runner:
    if lib == TG:
        import tinygrad_lite as tg

        x0, w = (tg.Tensor(data[k], requires_grad=True) for k in ("x", "w"))
    else:
        torch = load_torch()
        x0, w = (torch.tensor(data[k], requires_grad=True) for k in ("x", "w"))
    state: dict = {}

    def step() -> None:
        x0.grad = None
        w.grad = None
        x = x0
        for i in range(n_ops):
            k = i % 4
            if k == 0:
                x = x * SCALE
            elif k == 1:
                x = x + SHIFT
            elif k == 2:
                x = x.tanh()
            else:
                x = x * w
        total = x.sum()
        total.backward()
        state["total"] = total

    def result() -> dict[str, np.ndarray]:
        return {
            "sum": to_numpy(state["total"]),
            "grad x": to_numpy(x0.grad),
            "grad w": to_numpy(w.grad),
        }

    return Runner(step, result)


def _expect(data: dict[str, np.ndarray], n_ops: int):
    """Hand-computed check: forward in float64, and d sum / d x by finite differences."""

    def forward(x: np.ndarray, w: np.ndarray) -> float:
        for i in range(n_ops):
            x = (x * SCALE, x + SHIFT, np.tanh(x), x * w)[i % 4]
        return float(x.sum())

    def check(res: dict[str, np.ndarray]) -> list[str]:
        x, w = (data[k].astype(np.float64) for k in ("x", "w"))
        errors = []
        want = forward(x, w)
        if abs(float(res["sum"]) - want) > 1e-4 * max(1.0, abs(want)):
            errors.append(f"W3: sum {float(res['sum']):.6g}, expected {want:.6g}")
        eps, e = 1e-6, np.zeros_like(x)
        e.flat[0] = eps
        fd = (forward(x + e, w) - forward(x - e, w)) / (2 * eps)
        if abs(res["grad x"].flat[0] - fd) > 1e-3 * max(1.0, abs(fd)):
            errors.append(f"W3: grad x[0] {res['grad x'].flat[0]:.6g}, expected {fd:.6g}")
        return errors

    return check


def cases(size: str) -> list[Case]:
    """The single W3 case; time is per op of the chain.

    >>> cases("tiny")[0].per
    200
    """
    data = make_data(SHAPES[size])
    return [
        Case(
            name=f"{N_OPS} ops {SHAPES[size][0]}x{SHAPES[size][1]}",
            unit="us",
            per=N_OPS,
            builders={
                NUMPY: lambda: _numpy(data, N_OPS),
                TG: lambda: _framework(data, N_OPS, TG),
                TORCH: lambda: _framework(data, N_OPS, TORCH),
            },
            check_steps=1,
            rtol=1e-4,
            expect=_expect(data, N_OPS),
        )
    ]
