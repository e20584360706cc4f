"""Two moons: micrograd's classic demo, with tensors instead of one Value per number.

A small MLP (2 -> 16 -> 16 -> 1, ReLU) separates two interleaved half circles. The points are
generated with NumPy; the whole batch goes through the network as one matrix. Prints the train
and test accuracy; when matplotlib is installed (the ``plot`` extra) it also saves the decision
boundary and the loss curve as PNG files.

    python examples/moons.py [--steps 300] [--lr 0.02] [--seed 0] [--out-dir .] [--no-plot]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import nn, optim


def make_moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points on two interleaved half circles with Gaussian noise; labels 0 and 1."""
    top = n // 2
    angle = rng.uniform(0.0, np.pi, size=n)
    x = np.empty((n, 2))
    # Upper moon: unit half circle; lower moon: the same flipped and shifted by (1, 0.5).
    x[:top, 0], x[:top, 1] = np.cos(angle[:top]), np.sin(angle[:top])
    x[top:, 0], x[top:, 1] = 1.0 - np.cos(angle[top:]), 0.5 - np.sin(angle[top:])
    x += rng.normal(scale=noise, size=x.shape)
    y = np.r_[np.zeros(top), np.ones(n - top)]
    return x.astype(np.float32), y.astype(np.float32)


def make_model() -> nn.Module:
    """A small MLP that outputs one logit per point."""
    return nn.Sequential(
        nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 1)
    )


def accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points on the right side of the boundary (logit > 0 means class 1)."""
    with tg.no_grad():
        logits = model(tg.from_numpy(x)).numpy().ravel()
    return float(((logits > 0) == (y > 0.5)).mean())


def save_plots(
    model: nn.Module, x: np.ndarray, y: np.ndarray, losses: list[float], out_dir: Path
) -> list[Path]:
    """Draw the decision boundary with the points, and the loss curve; return the PNG paths."""
    import matplotlib

    matplotlib.use("Agg")  # no window: write files only
    import matplotlib.pyplot as plt

    out_dir.mkdir(parents=True, exist_ok=True)
    lo, hi = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 300), np.linspace(lo[1], hi[1], 300))
    grid = np.c_[gx.ravel(), gy.ravel()].astype(np.float32)
    with tg.no_grad():
        prob = model(tg.from_numpy(grid)).sigmoid().numpy().reshape(gx.shape)

    fig, ax = plt.subplots(figsize=(6, 5))
    filled = ax.contourf(gx, gy, prob, levels=np.linspace(0, 1, 11), cmap="RdBu", alpha=0.6)
    ax.contour(gx, gy, prob, levels=[0.5], colors="k", linewidths=1.5)
    ax.scatter(x[:, 0], x[:, 1], c=y, cmap="RdBu", edgecolors="k", s=18)
    fig.colorbar(filled, ax=ax, label="P(class 1)")
    ax.set(title="Two moons: decision boundary (black line: P = 0.5)", xlabel="x1", ylabel="x2")
    boundary = out_dir / "moons_boundary.png"
    fig.savefig(boundary, dpi=100, bbox_inches="tight")
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(np.arange(1, len(losses) + 1), losses)
    ax.set(yscale="log", title="Training loss (BCE with logits)", xlabel="step", ylabel="loss")
    ax.grid(True, which="both", alpha=0.3)
    curve = out_dir / "moons_loss.png"
    fig.savefig(curve, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return [boundary, curve]


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="full-batch Adam steps")
    parser.add_argument("--lr", type=float, default=0.02, help="Adam's learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", default=".", help="where to write the PNG files")
    parser.add_argument("--no-plot", action="store_true", help="do not draw, even with matplotlib")
    args = parser.parse_args(argv)

    tg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x_train, y_train = make_moons(300, 0.1, rng)
    x_test, y_test = make_moons(300, 0.1, rng)
    X, Y = tg.from_numpy(x_train), tg.from_numpy(y_train.reshape(-1, 1))
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.BCEWithLogitsLoss()
    print(f"two moons: {len(x_train)} training and {len(x_test)} test points, noise 0.1")
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters, Adam(lr={args.lr:g})")

    losses = []
    every = max(1, args.steps // 5)
    for step in range(1, args.steps + 1):
        opt.zero_grad()
        loss = loss_fn(model(X), Y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if step % every == 0 or step == args.steps:
            print(f"  step {step:4d}  loss {losses[-1]:.4f}")

    print(f"train accuracy: {accuracy(model, x_train, y_train):.1%}")
    print(f"test accuracy: {accuracy(model, x_test, y_test):.1%}")
    if args.no_plot:
        return 0
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print('no plots: matplotlib is not installed (pip install -e ".[plot]")')
        return 0
    for path in save_plots(model, x_train, y_train, losses, Path(args.out_dir)):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
