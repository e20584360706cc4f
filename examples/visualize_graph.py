"""See why the README's story network blows up on raw data: draw its graph after one backward.

The 1-3-1 Leaky-ReLU network learns y = x + 1 from integers x in [0, 100). On unnormalized
data its first gradients are already thousands large: the drawing colours them red, the gradient
report says "exploding". Writes docs/graph.svg and docs/graph.png (needs the graphviz package
and Graphviz's `dot` program) and prints the report.

    python examples/visualize_graph.py [--out-dir docs]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import tinygrad_lite as tg
from tinygrad_lite import debug, nn, viz


def story_graph(seed: int = 0) -> tuple[tg.Tensor, nn.Module, viz.ModuleTrace, dict]:
    """The story network's loss on raw data after one backward, with intermediate gradients;
    also the names to draw (parameters and data)."""
    tg.manual_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 100, size=(100, 1)).astype(np.float32)
    X, Y = tg.tensor(x), tg.tensor(x + 1)
    model = nn.Sequential(nn.Linear(1, 3), nn.LeakyReLU(), nn.Linear(3, 1))
    with viz.trace_modules(model) as trace:
        loss = nn.MSELoss()(model(X), Y)
    with tg.record_gradients():
        loss.backward()
    names = {**dict(model.named_parameters()), "x (raw, 0..99)": X, "y = x + 1": Y}
    return loss, model, trace, names


def main(out_dir: str = "docs") -> tuple[Path, Path]:
    """Draw the story graph to ``out_dir``/graph.svg and graph.png; return both paths."""
    loss, model, trace, names = story_graph()
    print(debug.grad_report(model))
    graph = viz.draw_graph(loss, model=model, params=names, trace=trace)
    graph.attr(label="1-3-1 Leaky-ReLU net, MSE on raw x in [0, 100): one backward", labelloc="t")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    svg, png = out / "graph.svg", out / "graph.png"
    svg.write_bytes(graph.pipe(format="svg"))
    graph.attr(dpi="110")
    png.write_bytes(graph.pipe(format="png"))
    print(f"wrote {svg} and {png}")
    return svg, png


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out-dir", default="docs", help="where to write graph.svg/graph.png")
    main(parser.parse_args().out_dir)
