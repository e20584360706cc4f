"""OPS: forward + backward of one op on float32 square matrices, per op and size.

Every side computes the op's output and the gradients of all its inputs for a random
upstream gradient, and drops the previous gradients first (``grad = None``), as a training
step does.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import NUMPY, TG, TORCH, Case, Runner, load_torch, to_numpy

TITLE = "forward+backward of one op, float32"
OPS = ("add", "mul", "div", "exp", "tanh", "sigmoid", "relu", "matmul", "sum", "softmax")
BINARY = {"add", "mul", "div", "matmul"}
SIZES = {"tiny": (4, 8), "quick": (16, 512), "full": (16, 512)}


def make_inputs(op: str, n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """The inputs and upstream gradient of ``op`` on ``n x n`` float32 matrices.

    >>> sorted(make_inputs("mul", 2))
    ['a', 'b', 'g']
    """
    rng = np.random.default_rng(seed)
    data = {"a": rng.standard_normal((n, n)).astype(np.float32)}
    if op in BINARY:
        # NOTE: divisors kept in [1, 2] so that div's gradient is well conditioned.
        b = rng.uniform(1.0, 2.0, (n, n)) if op == "div" else rng.standard_normal((n, n))
        data["b"] = b.astype(np.float32)
    shape = () if op == "sum" else (n, n)
    data["g"] = rng.standard_normal(shape).astype(np.float32)
    return data


# ---- hand-written NumPy: the honest floor --------------------------------------------------


def numpy_fwd_bwd(op: str, a: np.ndarray, b: np.ndarray | None, g: np.ndarray):
    """Output and input gradients of ``op`` written directly in NumPy.

    >>> out, ga, gb = numpy_fwd_bwd("mul", np.ones(2), np.full(2, 3.0), np.ones(2))
    >>> out.tolist(), ga.tolist(), gb.tolist()
    ([3.0, 3.0], [3.0, 3.0], [1.0, 1.0])
    """
    gb = None
    if op == "add":
        out = a + b
        ga, gb = g, g
    elif op == "mul":
        out = a * b
        ga, gb = g * b, g * a
    elif op == "div":
        out = a / b
        ga = g / b
        gb = -ga * out
    elif op == "exp":
        out = np.exp(a)
        ga = g * out
    elif op == "tanh":
        out = np.tanh(a)
        ga = out * out
        np.subtract(1, ga, out=ga)
        ga *= g
    elif op == "sigmoid":
        # NOTE: the tanh form never overflows and costs three passes.
        out = np.tanh(a * 0.5)
        out += 1
        out *= 0.5
        ga = 1 - out
        ga *= out
        ga *= g
    elif op == "relu":
        out = np.maximum(a, 0)
        ga = g * (a > 0)
    elif op == "matmul":
        out = a @ b
        ga, gb = g @ b.T, a.T @ g
    elif op == "sum":
        out = a.sum()
        ga = np.full(a.shape, g, dtype=a.dtype)
    elif op == "softmax":
        out = a - a.max(axis=-1, keepdims=True)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        ga = g * out
        ga -= out * ga.sum(axis=-1, keepdims=True)
    else:
        raise ValueError(f"ops: unknown op {op!r}; choose one of {OPS}")
    return out, ga, gb


def _numpy(op: str, data: dict[str, np.ndarray]) -> Runner:
    a, b, g = data["a"], data.get("b"), data["g"]
    last: list = []

    def step() -> None:
        last[:] = numpy_fwd_bwd(op, a, b, g)

    def result() -> dict[str, np.ndarray]:
        out, ga, gb = last
        res = {"out": np.asarray(out), "grad_a": ga}
        if gb is not None:
            res["grad_b"] = gb
        return res

    return Runner(step, result)


# ---- frameworks ----------------------------------------------------------------------------


def _apply(op: str, a, b):
    """The op through the Tensor API shared by tinygrad_lite and torch."""
    if op == "add":
        return a + b
    if op == "mul":
        return a * b
    if op == "div":
        return a / b
    if op == "matmul":
        return a @ b
    if op == "sum":
        return a.sum()
    if op == "softmax":
        return a.softmax(-1)
    return getattr(a, op)()


def _framework(op: str, data: dict[str, np.ndarray], lib: str) -> Runner:
    if lib == TG:
        import tinygrad_lite as tg

        def make(x, grad):
            return tg.Tensor(x, requires_grad=grad)
    else:
        torch = load_torch()

        def make(x, grad):
            return torch.tensor(x, requires_grad=grad)

    a = make(data["a"], True)
    b = make(data["b"], True) if "b" in data else None
    g = make(data["g"], False)
    leaves = [t for t in (a, b) if t is not None]
    last: list = [None]

    def step() -> None:
        for t in leaves:
            t.grad = None
        out = _apply(op, a, b)
        out.backward(g)
        last[0] = out

    def result() -> dict[str, np.ndarray]:
        res = {"out": to_numpy(last[0]), "grad_a": to_numpy(a.grad)}
        if b is not None:
            res["grad_b"] = to_numpy(b.grad)
        return res

    return Runner(step, result)


def _expect(op: str, n: int):
    """Hand-computed checks on NumPy's results: float64 central differences of a probe."""

    def check(res: dict[str, np.ndarray]) -> list[str]:
        data = {k: v.astype(np.float64) for k, v in make_inputs(op, n).items()}
        a, b, g = data["a"], data.get("b"), data["g"]

        def f(x):
            return float(np.sum(numpy_fwd_bwd(op, x, b, g)[0] * g))

        # NOTE: probe the gradient along one random direction, not every element.
        v = np.random.default_rng(1).standard_normal(a.shape)
        eps = 1e-6
        fd = (f(a + eps * v) - f(a - eps * v)) / (2 * eps)
        an = float(np.sum(res["grad_a"].astype(np.float64) * v))
        if abs(fd - an) > 1e-3 * max(1.0, abs(fd)):
            return [f"{op}: NumPy grad_a . v = {an:.6g} but finite differences give {fd:.6g}"]
        return []

    return check


def cases(size: str) -> list[Case]:
    """One case per op and matrix size.

    >>> [c.name for c in cases("tiny")][:2]
    ['add 4x4', 'mul 4x4']
    """
    out = []
    for n in SIZES[size]:
        for op in OPS:
            data = make_inputs(op, n)
            out.append(
                Case(
                    name=f"{op} {n}x{n}",
                    unit="us",
                    builders={
                        NUMPY: lambda op=op, d=data: _numpy(op, d),
                        TG: lambda op=op, d=data: _framework(op, d, TG),
                        TORCH: lambda op=op, d=data: _framework(op, d, TORCH),
                    },
                    check_steps=1,
                    rtol=1e-4,
                    expect=_expect(op, n),
                )
            )
    return out
