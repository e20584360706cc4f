"""W2 MLP: 784-256-256-10 ReLU, float32, batch 256, cross-entropy, Adam; one training step.

Also the model of W5 (memory), which imports :func:`make_data` and the runners from here.
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import NUMPY, TG, TORCH, Case, Runner, load_torch, to_numpy

TITLE = "784-256-256-10 ReLU MLP, batch 256, cross-entropy, Adam"
LR, BETAS, EPS = 1e-3, (0.9, 0.999), 1e-8
DIMS = {"tiny": (32, 16, 16, 10, 8), "quick": (784, 256, 256, 10, 256)}
DIMS["full"] = DIMS["quick"]
PARAMS = ("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias")


def make_data(size: str = "full", seed: int = 0) -> dict[str, np.ndarray]:
    """One batch (``x``, integer ``labels``) and PyTorch-style initial weights.

    >>> d = make_data("tiny"); d["x"].shape, d["labels"].dtype.kind, d["4.weight"].shape
    ((8, 32), 'i', (10, 16))
    """
    d_in, h1, h2, d_out, batch = DIMS[size]
    rng = np.random.default_rng(seed)
    data = {
        "x": rng.standard_normal((batch, d_in)).astype(np.float32),
        "labels": rng.integers(0, d_out, batch).astype(np.int64),
    }
    for i, (fan_in, fan_out) in enumerate(((d_in, h1), (h1, h2), (h2, d_out))):
        bound = fan_in**-0.5
        data[f"{2 * i}.weight"] = rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32)
        data[f"{2 * i}.bias"] = rng.uniform(-bound, bound, (fan_out,)).astype(np.float32)
    return data


def _snapshot(params, grads) -> dict[str, np.ndarray]:
    """Copies of the weights after the first step and of the first gradients.

    NOTE: only the first step is compared element-wise. Later steps are chaotic in float32:
    Adam turns rounding in near-zero gradients into weight changes of up to ~lr/50, which
    flip a few ReLU units for a few samples and change whole gradient rows. The later steps
    are compared through their losses, which are smooth in the weights.
    """
    res = {f"step1 {k}": to_numpy(p) for k, p in zip(PARAMS, params)}
    res.update({f"step1 grad {k}": to_numpy(g) for k, g in zip(PARAMS, grads)})
    return res


def numpy_runner(data: dict[str, np.ndarray]) -> Runner:
    """The hand-written NumPy MLP with PyTorch's Adam (``_single_tensor_adam`` order).

    >>> r = numpy_runner(make_data("tiny")); r.step(); r.result()["losses"].shape
    (1,)
    """
    x, labels = data["x"], data["labels"]
    params = [data[k].copy() for k in PARAMS]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    rows = np.arange(x.shape[0])
    inv_batch = np.float32(1.0 / x.shape[0])
    b1, b2 = BETAS
    state: dict = {"t": 0, "losses": []}

    def step() -> None:
        w1, c1, w2, c2, w3, c3 = params
        z1 = x @ w1.T
        z1 += c1
        h1 = np.maximum(z1, 0)
        z2 = h1 @ w2.T
        z2 += c2
        h2 = np.maximum(z2, 0)
        logits = h2 @ w3.T
        logits += c3
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        total = p.sum(axis=1, keepdims=True)
        state["losses"].append(float(np.mean(np.log(total[:, 0]) - logits[rows, labels])))
        p /= total
        p[rows, labels] -= 1
        p *= inv_batch
        gh2 = p @ w3
        gh2 *= z2 > 0
        gh1 = gh2 @ w2
        gh1 *= z1 > 0
        grads = [gh1.T @ x, gh1.sum(0), gh2.T @ h1, gh2.sum(0), p.T @ h2, p.sum(0)]
        state["grads"] = grads
        state["t"] += 1
        t = state["t"]
        step_size = LR / (1 - b1**t)
        sqrt_bc2 = (1 - b2**t) ** 0.5
        for prm, g, mt, vt in zip(params, grads, m, v):
            mt *= b1
            mt += (1 - b1) * g
            vt *= b2
            vt += (1 - b2) * g * g
            denom = np.sqrt(vt)
            denom /= sqrt_bc2
            denom += EPS
            np.divide(mt, denom, out=denom)
            denom *= step_size
            prm -= denom
        if t == 1:
            state["first"] = _snapshot(params, grads)

    def result() -> dict[str, np.ndarray]:
        return {**state["first"], "losses": np.array(state["losses"])}

    return Runner(step, result)


def framework_runner(data: dict[str, np.ndarray], lib: str) -> Runner:
    """The same MLP through tinygrad_lite's or torch's nn and optim.

    >>> framework_runner(make_data("tiny"), "torch").step()  # doctest: +SKIP
    """
    d_in, h1, h2, d_out = data["x"].shape[1], *(data[k].shape[0] for k in PARAMS[::2])
    if lib == TG:
        import tinygrad_lite as tg
        from tinygrad_lite import nn, optim

        x, labels = tg.Tensor(data["x"]), tg.Tensor(data["labels"])
        state = {k: data[k].copy() for k in PARAMS}
    else:
        torch = load_torch()
        nn, optim = torch.nn, torch.optim
        x, labels = torch.from_numpy(data["x"].copy()), torch.from_numpy(data["labels"].copy())
        state = {k: torch.from_numpy(data[k].copy()) for k in PARAMS}
    model = nn.Sequential(
        nn.Linear(d_in, h1), nn.ReLU(), nn.Linear(h1, h2), nn.ReLU(), nn.Linear(h2, d_out)
    )
    model.load_state_dict(state)
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=LR, betas=BETAS, eps=EPS)
    losses: list[float] = []

    named = dict(model.named_parameters())
    first: dict = {}

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(x), labels)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if not first:
            first.update(_snapshot([named[k] for k in PARAMS], [named[k].grad for k in PARAMS]))

    def result() -> dict[str, np.ndarray]:
        return {**first, "losses": np.array(losses)}

    return Runner(step, result)


def _expect(data: dict[str, np.ndarray]):
    """Hand-checkable facts: the first loss from the initial weights (float64), and Adam's
    first step moves every weight with a non-zero gradient by almost exactly ``lr``."""

    def check(res: dict[str, np.ndarray]) -> list[str]:
        d = {k: v.astype(np.float64) for k, v in data.items() if k != "labels"}
        h = d["x"]
        for i in range(3):
            h = h @ d[f"{2 * i}.weight"].T + d[f"{2 * i}.bias"]
            h = np.maximum(h, 0) if i < 2 else h
        h = h - h.max(axis=1, keepdims=True)
        lse = np.log(np.exp(h).sum(axis=1))
        first = float(np.mean(lse - h[np.arange(len(h)), data["labels"]]))
        if abs(res["losses"][0] - first) > 1e-4 * max(1.0, first):
            return [f"W2: first loss {res['losses'][0]:.6g}, expected {first:.6g}"]
        return []

    return check


def adam_first_step_moves_by_lr(size: str = "tiny") -> float:
    """Largest deviation of ``|delta w| / lr`` from 1 after one NumPy Adam step (where g != 0).

    Adam's first update is ``lr * g / (|g| + eps')``, i.e. ``lr`` per weight: a
    hand-computed property of the NumPy floor.

    >>> adam_first_step_moves_by_lr() < 1e-2
    True
    """
    data = make_data(size)
    runner = numpy_runner(data)
    runner.step()
    res = runner.result()
    worst = 0.0
    for k in PARAMS:
        g = res[f"step1 grad {k}"]
        mask = np.abs(g) > 1e-4
        moved = np.abs(res[f"step1 {k}"].astype(np.float64) - data[k])[mask] / LR
        if moved.size:
            worst = max(worst, float(np.max(np.abs(moved - 1))))
    return worst


def cases(size: str) -> list[Case]:
    """The single W2 case: one Adam training step on one batch.

    >>> cases("tiny")[0].unit
    'ms'
    """
    data = make_data(size)
    return [
        Case(
            name="train step",
            unit="ms",
            builders={
                NUMPY: lambda: numpy_runner(data),
                TG: lambda: framework_runner(data, TG),
                TORCH: lambda: framework_runner(data, TORCH),
            },
            check_steps=5,
            # NOTE: weights after one Adam step differ by up to ~lr/50 where the gradient is
            # near zero (see _snapshot); a wrong update rule moves them by ~lr (3% of scale).
            rtol={"": 1e-3, "step1 grad": 1e-5, "losses": 1e-4},
            expect=_expect(data),
        )
    ]
