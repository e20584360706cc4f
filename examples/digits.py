"""Handwritten digits: an MLP with BatchNorm and Dropout, mini-batches, Adam, a scheduler, a save.

The 1,797 8x8 digit images that ship inside scikit-learn (``load_digits``, no download; install
the ``examples`` extra) are split 80/20, standardized, and learnt by
Linear -> BatchNorm1d -> ReLU -> Dropout -> Linear with a DataLoader, Adam and cosine
learning-rate annealing. The trained weights are saved with ``tg.save`` (an ``.npz`` file, no
pickle), loaded into a fresh model with ``tg.load``, and the reloaded model must predict the
same classes.

    python examples/digits.py [--epochs 15] [--batch-size 64] [--lr 0.01] [--seed 0] [--out PATH]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import nn, optim
from tinygrad_lite.data import DataLoader, StandardScaler, TensorDataset


def load_split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The digits as float32 rows of 64 pixels and int64 labels, shuffled and split 80/20."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit('digits.py needs scikit-learn for the data: pip install -e ".[examples]"')
    digits = load_digits()
    x, y = digits.data.astype(np.float32), digits.target.astype(np.int64)
    order = np.random.default_rng(seed).permutation(len(x))
    cut = int(0.8 * len(x))
    train, test = order[:cut], order[cut:]
    return x[train], y[train], x[test], y[test]


def make_model(hidden: int = 128) -> nn.Module:
    """64 pixels -> ``hidden`` units (BatchNorm, ReLU, Dropout) -> 10 class logits."""
    return nn.Sequential(
        nn.Linear(64, hidden),
        nn.BatchNorm1d(hidden),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(hidden, 10),
    )


def predict(model: nn.Module, x: np.ndarray) -> np.ndarray:
    """Class predictions in eval mode (running BatchNorm statistics, no dropout)."""
    model.eval()
    with tg.no_grad():
        return model(tg.from_numpy(x)).argmax(axis=1).numpy()


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01, help="Adam's initial learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="checkpoint path (default: a temporary directory)")
    args = parser.parse_args(argv)

    tg.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = load_split(args.seed)
    # NOTE: border pixels are always 0; the scaler leaves such constant columns unscaled.
    scaler = StandardScaler().fit(x_train)
    x_train, x_test = scaler.transform(x_train), scaler.transform(x_test)
    print(f"digits: {len(x_train)} training and {len(x_test)} test images of 8x8 pixels")

    loader = DataLoader(
        TensorDataset(tg.from_numpy(x_train), tg.from_numpy(y_train)),
        batch_size=args.batch_size,
        shuffle=True,
    )
    model = make_model()
    opt = optim.Adam(model.parameters(), lr=args.lr)
    schedule = optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs)
    loss_fn = nn.CrossEntropyLoss()
    print(model)

    for epoch in range(1, args.epochs + 1):
        model.train()
        total = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(yb.numpy())
        lr = opt.param_groups[0]["lr"]
        schedule.step()
        test_acc = float((predict(model, x_test) == y_test).mean())
        print(
            f"  epoch {epoch:2d}  lr {lr:.5f}  train loss {total / len(x_train):.4f}  "
            f"test accuracy {test_acc:.1%}"
        )

    pred = predict(model, x_test)
    print(f"test accuracy: {(pred == y_test).mean():.1%}")

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.out) if args.out else Path(tmp) / "digits_mlp.npz"
        tg.save(model.state_dict(), path)
        fresh = make_model()
        fresh.load_state_dict(tg.load(path))
        same = bool(np.array_equal(predict(fresh, x_test), pred))
        print(f"saved to {path.name} and reloaded: same predictions: {'yes' if same else 'NO'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
