"""Teach a 1-3-1 Leaky-ReLU network that the number after x is x + 1, then ask it.

This is the question that started tinygrad_lite. Someone wrote this network by hand in NumPy:
100 random integers x in [0, 100), targets y = x + 1, one input, three Leaky-ReLU hidden
units, one output. The hand-written backprop had bugs and training exploded: the weights
became inf/NaN unless the learning rate was 1e-10. Here the engine does the calculus and a
StandardScaler puts x and y on a scale of about 1, which is the whole cure.

    python examples/fit_x_plus_1.py                   # train, test, then ask for numbers
    python examples/fit_x_plus_1.py 7 42.5 99         # predict these and exit
    python examples/fit_x_plus_1.py --no-normalize    # replay the explosion and find its cause
    python examples/fit_x_plus_1.py --optimizer adam --steps 1000 --lr 0.01 --seed 3

The prompt reads one or more numbers per line and stops at an empty line, ``q`` or end of
input (also when standard input is a pipe); ``--no-prompt`` skips it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterable

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import nn, optim
from tinygrad_lite.data import StandardScaler

LOW, HIGH, N = 0, 100, 100
DEFAULT_LR = {"sgd": 0.1, "adam": 0.01}


def make_data(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """The question's data: ``N`` random integers in [LOW, HIGH) as a column, and x + 1."""
    x = rng.integers(LOW, HIGH, size=(N, 1)).astype(np.float32)
    return x, x + 1


def make_model() -> nn.Module:
    """1 input -> 3 Leaky-ReLU units -> 1 output, as in the question."""
    return nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))


def make_optimizer(name: str, params: Iterable[tg.Tensor], lr: float) -> optim.Optimizer:
    """Plain gradient descent (the question's choice) or Adam."""
    if name == "adam":
        return optim.Adam(params, lr=lr)
    return optim.SGD(params, lr=lr)


def train(
    model: nn.Module,
    opt: optim.Optimizer,
    X: tg.Tensor,
    Y: tg.Tensor,
    steps: int,
    on_step: Callable[[int, float], None] | None = None,
) -> float:
    """Full-batch training on ``X -> Y`` with mean squared error; return the last loss."""
    loss_fn = nn.MSELoss()
    loss = float("nan")
    for step in range(1, steps + 1):
        opt.zero_grad()
        pred = model(X)
        out = loss_fn(pred, Y)
        out.backward()
        opt.step()
        loss = out.item()
        if on_step is not None:
            on_step(step, loss)
    return loss


def fit(args: argparse.Namespace) -> Callable[[np.ndarray], np.ndarray]:
    """Normalize, train, report; return ``predict(x) -> next value`` in the original units."""
    tg.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    x, y = make_data(rng)
    sx, sy = StandardScaler(), StandardScaler()
    X = tg.from_numpy(sx.fit_transform(x))
    Y = tg.from_numpy(sy.fit_transform(y))
    print(f"data: {N} random integers x in [{LOW}, {HIGH}), y = x + 1")
    print(
        f"StandardScaler: x -> (x - {sx.mean_[0]:.2f}) / {sx.scale_[0]:.2f}, "
        f"y -> (y - {sy.mean_[0]:.2f}) / {sy.scale_[0]:.2f}"
    )
    model = make_model()
    opt = make_optimizer(args.optimizer, model.parameters(), args.lr)
    print(f"model: {model}")
    print(f"optimizer: {type(opt).__name__}(lr={args.lr:g}), {args.steps} full-batch steps")

    def predict(values: np.ndarray) -> np.ndarray:
        cols = np.asarray(values, dtype=np.float32).reshape(-1, 1)
        model.eval()
        with tg.no_grad():
            out = model(tg.from_numpy(sx.transform(cols))).numpy()
        return sy.inverse_transform(out).ravel()

    with tg.no_grad():
        before = nn.functional.mse_loss(model(X), Y).item()
    print(f"loss before training: {before:.4g} (mean squared error on normalized data)")
    every = max(1, args.steps // 10)

    def progress(step: int, loss: float) -> None:
        if step % every == 0 or step == args.steps:
            print(f"  step {step:>{len(str(args.steps))}}/{args.steps}  loss {loss:.3e}")

    start = time.perf_counter()
    train(model, opt, X, Y, args.steps, progress)
    seconds = time.perf_counter() - start
    with tg.no_grad():
        after = nn.functional.mse_loss(model(X), Y).item()
    print(f"loss after training: {after:.3e} ({seconds:.2f} s)")

    x_test = rng.uniform(LOW, HIGH, size=N)
    pred = predict(x_test)
    mae = float(np.abs(pred - (x_test + 1)).mean())
    print(f"test: {N} fresh inputs x in [{LOW}, {HIGH}), mean absolute error {mae:.4f}")
    for xi, pi in zip(x_test[:5], pred[:5]):
        print(f"  x = {xi:6.2f}   predicted {pi:7.3f}   true {xi + 1:7.3f}")
    return predict


def parse_numbers(text: str) -> tuple[list[float], list[str]]:
    """Split a line on spaces/commas into numbers and the pieces that are not numbers."""
    good, bad = [], []
    for piece in text.replace(",", " ").split():
        try:
            value = float(piece)
        except ValueError:
            value = float("nan")
        if np.isfinite(value):
            good.append(value)
        else:
            bad.append(piece)
    return good, bad


def answer(predict: Callable[[np.ndarray], np.ndarray], numbers: list[float]) -> None:
    """Print the predicted next value of each number."""
    if not numbers:
        return
    for value, pred in zip(numbers, predict(np.array(numbers))):
        note = ""
        if not LOW <= value < HIGH:
            note = f"  (outside [{LOW}, {HIGH}): the network never saw such an x)"
        print(f"next after {value:g}: {pred:.2f}{note}")


def prompt(predict: Callable[[np.ndarray], np.ndarray]) -> None:
    """Read lines of numbers until an empty line, ``q`` or end of input."""
    interactive = sys.stdin.isatty()
    print(f"Give numbers between {LOW} and {HIGH} (empty line, q or Ctrl-D to quit).")
    while True:
        try:
            line = input("> " if interactive else "")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip().lower() in ("", "q", "quit", "exit"):
            break
        numbers, bad = parse_numbers(line)
        for piece in bad:
            print(f"{piece!r} is not a number; type numbers between {LOW} and {HIGH}, or q to quit")
        answer(predict, numbers)
    print("bye")


def explode(args: argparse.Namespace) -> None:
    """Replay the question: raw data, a usual learning rate, gradients in the thousands, inf."""
    tg.manual_seed(args.seed)
    x, y = make_data(np.random.default_rng(args.seed))
    X, Y = tg.from_numpy(x), tg.from_numpy(y)
    model = make_model()
    opt = make_optimizer(args.optimizer, model.parameters(), args.lr)
    print(f"--no-normalize: raw x in [{LOW}, {HIGH}) and y = x + 1 fed straight to the network")
    print(f"optimizer: {type(opt).__name__}(lr={args.lr:g})\n")
    loss = nn.MSELoss()(model(X), Y)
    loss.backward()
    print(f"loss {loss.item():.4g}; gradients after the first backward (tg.debug.grad_report):")
    print(tg.debug.grad_report(model))
    print(
        "\nA weight near 1 times an input near 100, squared in the loss: gradients of about\n"
        "1e4 against weights of about 1. One step of this learning rate multiplies the weights.\n"
    )
    opt.zero_grad()
    step, done, report, every = 0, 0, None, max(1, args.steps // 10)
    # NOTE: NumPy's own overflow warnings would only repeat what detect_anomaly explains.
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            with tg.detect_anomaly():
                for step in range(1, args.steps + 1):
                    opt.zero_grad()
                    pred = model(X)
                    loss = nn.functional.mse_loss(pred, Y)
                    loss.backward()
                    report, done = tg.debug.grad_report(model), step
                    opt.step()
                    if step <= 10 or step % every == 0:
                        print(f"  step {step}  loss {loss.item():.3e}")
        except tg.AnomalyError as err:
            print(f"  step {step}: tg.detect_anomaly() stopped the training:\n")
            print("  " + str(err).replace("\n", "\n  "))
        else:
            print(f"  no NaN or Inf in {args.steps} steps; last loss {loss.item():.4g}")
    if report is not None:
        print(f"\ngrad_report of the last backward that finished (step {done}):")
        print(report)

    tiny = 1e-10
    tg.manual_seed(args.seed)
    model = make_model()
    start = nn.functional.mse_loss(model(X), Y).item()
    end = train(model, make_optimizer(args.optimizer, model.parameters(), tiny), X, Y, 100)
    print(
        f"\nThe question's workaround, lr={tiny:g}, stays finite but learns nothing: "
        f"loss {start:.4g} -> {end:.4g} after 100 steps."
    )
    print("The cure: scale x and y to about 1 (run again without --no-normalize).")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("numbers", nargs="*", help="numbers to predict the next value of")
    parser.add_argument("--steps", type=int, default=2000, help="training steps (default 2000)")
    parser.add_argument("--lr", type=float, help="learning rate (default 0.1 SGD, 0.01 Adam)")
    parser.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--no-normalize", action="store_true", help="replay the explosion of the question"
    )
    parser.add_argument("--no-prompt", action="store_true", help="do not ask for numbers")
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    if args.lr is None:
        args.lr = DEFAULT_LR[args.optimizer]
    numbers, bad = parse_numbers(" ".join(args.numbers))
    if bad:
        parser.error(f"not numbers: {', '.join(map(repr, bad))}")

    if args.no_normalize:
        explode(args)
        return 0
    predict = fit(args)
    if numbers:
        answer(predict, numbers)
    elif not args.no_prompt:
        prompt(predict)
    return 0


if __name__ == "__main__":
    sys.exit(main())
