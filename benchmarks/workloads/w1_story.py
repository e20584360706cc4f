"""W1 story: fit y = x + 1 with a 1-3-1 Leaky ReLU net, MSE and SGD with momentum 0.9.

One step = forward on all 100 points, backward, parameter update (full batch).
"""

from __future__ import annotations

import numpy as np

from benchmarks.common import NUMPY, TG, TORCH, Case, Runner, load_torch, to_numpy

TITLE = "1-3-1 LeakyReLU, MSE, SGD momentum 0.9, 100 points"
LR, MOMENTUM, SLOPE = 0.05, 0.9, 0.01
N_POINTS = 100


def make_data(n: int = N_POINTS, seed: int = 0) -> dict[str, np.ndarray]:
    """Standardized inputs ``x``, targets ``y = x + 1`` and PyTorch-style initial weights.

    >>> d = make_data(); bool(np.allclose(d["y"], d["x"] + 1)), d["0.weight"].shape
    (True, (3, 1))
    """
    rng = np.random.default_rng(seed)
    raw = rng.uniform(-3.0, 7.0, (n, 1))
    x = ((raw - raw.mean()) / raw.std()).astype(np.float32)

    def uniform(bound, shape):
        return rng.uniform(-bound, bound, shape).astype(np.float32)

    # NOTE: nn.Linear's default init bounds, 1/sqrt(fan_in), so all sides start alike.
    return {
        "x": x,
        "y": x + np.float32(1),
        "0.weight": uniform(1.0, (3, 1)),
        "0.bias": uniform(1.0, (3,)),
        "2.weight": uniform(3**-0.5, (1, 3)),
        "2.bias": uniform(3**-0.5, (1,)),
    }


PARAMS = ("0.weight", "0.bias", "2.weight", "2.bias")


def _numpy(data: dict[str, np.ndarray]) -> Runner:
    x, y = data["x"], data["y"]
    w1, b1, w2, b2 = (data[k].copy() for k in PARAMS)
    params = (w1, b1, w2, b2)
    bufs: list[np.ndarray] = []
    n = np.float32(2.0 / x.shape[0])
    slope = np.float32(SLOPE)
    state: dict = {"losses": []}

    def step() -> None:
        z1 = x @ w1.T
        z1 += b1
        pos = z1 > 0
        h = np.where(pos, z1, z1 * slope)
        diff = h @ w2.T
        diff += b2
        diff -= y
        state["losses"].append(float(np.mean(diff * diff)))
        gp = diff * n
        gh = gp @ w2
        gh *= np.where(pos, np.float32(1), slope)
        grads = (gh.T @ x, gh.sum(axis=0), gp.T @ h, gp.sum(axis=0))
        state["grads"] = grads
        if not bufs:  # PyTorch: the first momentum buffer is a copy of the gradient
            bufs.extend(gr.copy() for gr in grads)
        else:
            for buf, gr in zip(bufs, grads):
                buf *= MOMENTUM
                buf += gr
        for p, buf in zip(params, bufs):
            p -= np.float32(LR) * buf

    def result() -> dict[str, np.ndarray]:
        res = {k: p.copy() for k, p in zip(PARAMS, params)}
        res.update({f"grad {k}": gr for k, gr in zip(PARAMS, state["grads"])})
        res["losses"] = np.array(state["losses"])
        return res

    return Runner(step, result)


def _framework(data: dict[str, np.ndarray], lib: str) -> Runner:
    if lib == TG:
        import tinygrad_lite as tg
        from tinygrad_lite import nn, optim

        x, y = tg.Tensor(data["x"]), tg.Tensor(data["y"])
        model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(SLOPE), nn.Linear(3, 1))
        model.load_state_dict({k: data[k].copy() for k in PARAMS})
    else:
        torch = load_torch()
        nn, optim = torch.nn, torch.optim
        x, y = torch.from_numpy(data["x"].copy()), torch.from_numpy(data["y"].copy())
        model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(SLOPE), nn.Linear(3, 1))
        model.load_state_dict({k: torch.from_numpy(data[k].copy()) for k in PARAMS})
    loss_fn = nn.MSELoss()
    opt = optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    losses: list[float] = []

    def step() -> None:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())

    def result() -> dict[str, np.ndarray]:
        named = dict(model.named_parameters())
        res = {k: to_numpy(named[k]) for k in PARAMS}
        res.update({f"grad {k}": to_numpy(named[k].grad) for k in PARAMS})
        res["losses"] = np.array(losses)
        return res

    return Runner(step, result)


def _expect(res: dict[str, np.ndarray]) -> list[str]:
    """Hand-checkable facts: the first loss from the initial weights, and that it learns."""
    d = {k: v.astype(np.float64) for k, v in make_data().items()}
    z = d["x"] @ d["0.weight"].T + d["0.bias"]
    pred = np.where(z > 0, z, SLOPE * z) @ d["2.weight"].T + d["2.bias"]
    first = float(np.mean((pred - d["y"]) ** 2))
    errors = []
    if abs(res["losses"][0] - first) > 1e-5 * max(1.0, first):
        errors.append(f"W1: first loss {res['losses'][0]:.6g}, expected {first:.6g}")
    if len(res["losses"]) >= 20 and not res["losses"][-1] < 0.5 * first:
        errors.append(f"W1: loss did not halve in {len(res['losses'])} steps")
    return errors


def cases(size: str) -> list[Case]:
    """The single W1 case: one full training step.

    >>> cases("tiny")[0].unit
    'us'
    """
    data = make_data()
    return [
        Case(
            name="train step",
            unit="us",
            builders={
                NUMPY: lambda: _numpy(data),
                TG: lambda: _framework(data, TG),
                TORCH: lambda: _framework(data, TORCH),
            },
            check_steps=30,
            rtol=2e-4,
            expect=_expect,
        )
    ]
