"""Draw the graph that produced a tensor: DOT text (NumPy only) or a ``graphviz.Digraph``.

Op nodes are grey boxes named by their op and its arguments; leaf tensors are ellipses with
their parameter name, shape and dtype; the output is green. After ``backward`` the nodes show
the gradient's norm and max |grad|, coloured when it explodes, vanishes or is not finite
(the same rule as ``debug.grad_report``). Op nodes show the gradient of their output only if
the backward ran inside ``tg.record_gradients()``.

Clusters: with ``model=``, every parameter is drawn inside the cluster of the module that owns
it, and every op goes to the innermost module whose ``forward`` created it when the forward ran
inside ``with viz.trace_modules(model) as trace:`` and ``trace=trace`` is passed. Without a
trace the rule is parameter ownership: an op that reads a module's parameter (directly or via
ops that compute only from that module's parameters, like the transpose of a weight) joins
that module's cluster; other ops (activations without parameters, the loss) stay outside.
"""

from __future__ import annotations

import shutil
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .debug import EXPLODE, VANISH, _check_thresholds, _stats, _verdict
from .engine import graph_nodes
from .function import Function
from .tensor import Tensor

__all__ = ["GraphvizNotFoundError", "ModuleTrace", "draw_graph", "to_dot", "trace_modules"]

#: Fill colours by role and by gradient verdict (the legend repeats the verdict ones).
COLORS = {
    "op": "#e8e8e8",
    "param": "#cde6ff",
    "leaf": "#ffffff",
    "output": "#c6efc6",
    "exploding": "#ff6f61",
    "vanishing": "#ffe066",
    "non-finite": "#c77dff",
}
_INSTALL_DOT = (
    "install Graphviz so that its `dot` program is on PATH: `apt-get install graphviz` "
    "(Debian/Ubuntu), `brew install graphviz` (macOS), `conda install -c conda-forge graphviz`, "
    "or see https://graphviz.org/download/"
)


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not on PATH.

    Examples
    --------
    >>> from tinygrad_lite import viz
    >>> issubclass(viz.GraphvizNotFoundError, RuntimeError)
    True
    """


# ----------------------------------------------------------------------------- module tracing
class ModuleTrace:
    """Which module's ``forward`` created each op node (recorded by ``trace_modules``).

    ``owner`` maps op nodes (weakly, so old graphs are freed) to dotted module names.

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn, viz
    >>> model = nn.Sequential(nn.Linear(1, 2), nn.ReLU())
    >>> with viz.trace_modules(model) as trace:
    ...     out = model(tg.ones(3, 1))
    >>> trace.owner[out.grad_fn]
    '1'
    """

    def __init__(self) -> None:
        self.owner: weakref.WeakKeyDictionary[Function, str] = weakref.WeakKeyDictionary()

    def _claim(self, name: str, inputs: tuple, output: Any) -> None:
        # NOTE: the ops a forward created are those between its output and its inputs; hooks of
        # inner modules fire first, so the first claim is the innermost module's.
        stop = {id(t.grad_fn) for t in _tensors(inputs) if t.grad_fn is not None}
        stack = [t.grad_fn for t in _tensors(output) if t.grad_fn is not None]
        seen: set[int] = set()
        while stack:
            fn = stack.pop()
            if id(fn) in stop or id(fn) in seen:
                continue
            seen.add(id(fn))
            self.owner.setdefault(fn, name)
            stack.extend(t.grad_fn for t in fn.inputs if t is not None and t.grad_fn is not None)


def _tensors(value: Any) -> list[Tensor]:
    if isinstance(value, Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [v for v in value if isinstance(v, Tensor)]
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, Tensor)]
    return []


@contextmanager
def trace_modules(model: Any) -> Iterator[ModuleTrace]:
    """Record which sub-module created each op while the block runs (for ``draw_graph``).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import nn, viz
    >>> model = nn.Sequential(nn.Linear(1, 2), nn.ReLU())
    >>> with viz.trace_modules(model) as trace:
    ...     loss = model(tg.ones(3, 1)).sum()
    >>> sorted(set(trace.owner.values()))
    ['0', '1']
    """
    if not hasattr(model, "named_modules"):
        raise TypeError(f"trace_modules: model must be an nn.Module, got {type(model).__name__}")
    trace = ModuleTrace()
    handles = []
    try:
        for name, module in model.named_modules():
            if name:  # the model itself is the whole picture, not a cluster

                def hook(mod: Any, inputs: tuple, output: Any, name: str = name) -> None:
                    trace._claim(name, inputs, output)

                handles.append(module.register_forward_hook(hook))
        yield trace
    finally:
        for handle in handles:
            handle.remove()


# ----------------------------------------------------------------------------- graph building
def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _attrs(**attrs: str) -> str:
    return "[" + " ".join(f"{k}={_quote(v)}" for k, v in attrs.items()) + "]"


def _shape_text(shape: tuple, dtype: Any) -> str:
    return f"{tuple(shape)} {np.dtype(dtype).name}"


def _grad_lines(grad: np.ndarray, explode: float, vanish: float) -> tuple[str, str]:
    norm, max_abs, finite = _stats(grad)
    verdict = _verdict(max_abs, finite, explode, vanish)
    text = f"grad norm {norm:.3g}\nmax |grad| {max_abs:.3g}"
    if verdict != "ok":
        text += f"\n{verdict.upper()}"
    return text, verdict


def _param_owner(name: str, modules: set[str]) -> str:
    """The dotted name of the module owning parameter ``name`` ("" for the model itself)."""
    prefix = name.rpartition(".")[0]
    while prefix and prefix not in modules:
        prefix = prefix.rpartition(".")[0]
    return prefix


def _as_roots(root: Any, op: str) -> list[Tensor]:
    roots = [root] if isinstance(root, Tensor) else root
    if not isinstance(roots, (list, tuple)) or not roots:
        raise TypeError(f"{op}: root must be a Tensor or a non-empty list of Tensors")
    for i, r in enumerate(roots):
        if not isinstance(r, Tensor):
            raise TypeError(f"{op}: root {i} is a {type(r).__name__}, not a Tensor")
    return list(roots)


def _ownership_clusters(order: list, param_owner: dict[int, str]) -> dict[int, str]:
    """Op -> module by parameter ownership (see the module docstring); ops come last-first."""
    pure: dict[int, str] = {}  # ops computed only from one module's parameters (and constants)
    owner: dict[int, str] = {}
    for fn in reversed(order):  # producers before consumers
        sources = set()
        impure = False
        for t in fn.inputs:
            if t is None:  # a Python number: a constant, owned by nobody
                continue
            src = pure.get(id(t.grad_fn)) if t.grad_fn is not None else param_owner.get(id(t))
            if src is None:
                impure = True
            else:
                sources.add(src)
        if len(sources) == 1:
            (module,) = sources
            owner[id(fn)] = module
            if not impure:
                pure[id(fn)] = module
    return owner


def _build(
    roots: list[Tensor],
    model: Any,
    params: Any,
    trace: ModuleTrace | None,
    show_shapes: bool,
    show_grads: bool,
    max_nodes: int | None,
    explode: float,
    vanish: float,
    op: str,
) -> list[str]:
    """The body lines of the DOT graph (without ``digraph {`` and ``}``)."""
    _check_thresholds(op, explode, vanish)
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, (int, np.integer))
    ):
        raise TypeError(f"{op}: max_nodes must be an int or None, got {type(max_nodes).__name__}")
    if max_nodes is not None and max_nodes < 1:
        raise ValueError(f"{op}: max_nodes must be >= 1, got {max_nodes}")
    if trace is not None and not isinstance(trace, ModuleTrace):
        raise TypeError(
            f"{op}: trace must be the ModuleTrace of `with viz.trace_modules(model) as trace:`, "
            f"got {type(trace).__name__}"
        )

    names: dict[int, str] = {}
    modules: dict[str, Any] = {}
    if model is not None:
        if not hasattr(model, "named_modules"):
            raise TypeError(f"{op}: model must be an nn.Module, got {type(model).__name__}")
        modules = {n: m for n, m in model.named_modules() if n}
        if params is None:
            params = dict(model.named_parameters())
    if params is not None:
        if not isinstance(params, dict):
            params = dict(params)
        for key, p in params.items():
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"{op}: params[{key!r}] is a {type(p).__name__}, not a Tensor; pass "
                    "dict(model.named_parameters())"
                )
            names[id(p)] = key
    param_owner = (
        {pid: _param_owner(n, set(modules)) for pid, n in names.items()} if modules else {}
    )

    order = graph_nodes(roots)
    # The output shape of an op is known from any tensor it produced: a consumer's input or a root.
    out_meta: dict[int, tuple] = {}
    for r in roots:
        if r.grad_fn is not None:
            out_meta[id(r.grad_fn)] = (r.shape, r.dtype)
    leaves: dict[int, Tensor] = {}
    for fn in order:
        for t in fn.inputs:
            if t is None:
                continue
            if t.grad_fn is not None:
                out_meta.setdefault(id(t.grad_fn), (t.shape, t.dtype))
            else:
                leaves.setdefault(id(t), t)
    for r in roots:
        if r.grad_fn is None:
            leaves.setdefault(id(r), r)

    # Keep a prefix of the topological order (nearest the output), with the leaves it reads.
    kept_ops = order
    kept_leaves = leaves
    total = len(order) + len(leaves)
    if max_nodes is not None and total > max_nodes:
        kept_ops, kept_leaves = [], {}
        budget = max_nodes
        for fn in order:
            new = [
                t
                for t in fn.inputs
                if t is not None and t.grad_fn is None and id(t) not in kept_leaves
            ]
            new = list({id(t): t for t in new}.values())
            if len(kept_ops) + len(kept_leaves) + 1 + len(new) > budget:
                if not kept_ops:  # too small for the first op with its leaves: the op alone
                    kept_ops.append(fn)
                break
            kept_ops.append(fn)
            for t in new:
                kept_leaves[id(t)] = t
        for r in roots:
            if r.grad_fn is None and len(kept_ops) + len(kept_leaves) < budget:
                kept_leaves.setdefault(id(r), r)
    op_id = {id(fn): f"op{i}" for i, fn in enumerate(kept_ops)}
    leaf_id = {key: f"t{i}" for i, key in enumerate(kept_leaves)}

    if trace is not None:
        owner = {id(fn): trace.owner.get(fn, "") for fn in kept_ops}
    elif modules:
        owner = _ownership_clusters(order, param_owner)
    else:
        owner = {}
    groups: dict[str, list[str]] = {}  # module name -> node lines

    def add(module: str, line: str) -> None:
        groups.setdefault(module if module in modules else "", []).append(line)

    seen_verdicts: set[str] = set()
    for fn in kept_ops:
        label = fn.label
        if show_shapes and id(fn) in out_meta:
            label += "\n" + _shape_text(*out_meta[id(fn)])
        fill = COLORS["op"]
        if show_grads and fn.grad is not None:
            text, verdict = _grad_lines(np.asarray(fn.grad), explode, vanish)
            label += "\n" + text
            seen_verdicts.add(verdict)
            if verdict != "ok":
                fill = COLORS[verdict]
        attrs = _attrs(label=label, shape="box", style="rounded,filled", fillcolor=fill)
        add(owner.get(id(fn), ""), f"{op_id[id(fn)]} {attrs}")

    for key, t in kept_leaves.items():
        name = names.get(key)
        if name is None:
            name = "leaf (requires_grad)" if t.requires_grad else "input"
        label = name
        if show_shapes:
            label += "\n" + _shape_text(t.shape, t.dtype)
        fill = COLORS["param"] if t.requires_grad else COLORS["leaf"]
        if show_grads and t.grad is not None:
            text, verdict = _grad_lines(t.grad._data, explode, vanish)
            label += "\n" + text
            seen_verdicts.add(verdict)
            if verdict != "ok":
                fill = COLORS[verdict]
        attrs = _attrs(label=label, shape="ellipse", style="filled", fillcolor=fill)
        add(param_owner.get(key, ""), f"{leaf_id[key]} {attrs}")

    lines = [
        "rankdir=TB",
        'graph [fontname="Helvetica"]',
        'node [fontname="Helvetica" fontsize=10]',
        'edge [fontname="Helvetica" fontsize=9]',
    ]
    lines += groups.pop("", [])
    _emit_clusters(lines, groups, modules)

    for fn in kept_ops:
        target = op_id[id(fn)]
        for t in fn.inputs:
            if t is None:
                continue
            if t.grad_fn is None:
                source = leaf_id.get(id(t))
            else:
                source = op_id.get(id(t.grad_fn))
            if source is not None:
                lines.append(f"{source} -> {target}")

    for i, r in enumerate(roots):
        label = "output" if len(roots) == 1 else f"output {i}"
        if show_shapes:
            label += "\n" + _shape_text(r.shape, r.dtype)
        if r.numel() == 1 and r.dtype.kind in "biuf":
            label += f"\nvalue {float(r._data.reshape(())):.4g}"
        source = op_id.get(id(r.grad_fn)) if r.grad_fn is not None else leaf_id.get(id(r))
        attrs = _attrs(label=label, shape="ellipse", style="filled", fillcolor=COLORS["output"])
        lines.append(f"out{i} {attrs}")
        if source is not None:
            lines.append(f"{source} -> out{i}")

    if len(kept_ops) < len(order) or len(kept_leaves) < len(leaves):
        n_ops = len(order) - len(kept_ops)
        n_leaves = len(leaves) - len(kept_leaves)
        lines.append(
            "omitted "
            + _attrs(
                label=f"{n_ops} more op nodes and {n_leaves} more tensors not drawn\n"
                f"(max_nodes={max_nodes}; raise it to see them)",
                shape="note",
                style="dashed",
            )
        )
        frontier = sorted(
            {
                op_id[id(fn)]
                for fn in kept_ops
                for t in fn.inputs
                if t is not None
                and (
                    (t.grad_fn is not None and id(t.grad_fn) not in op_id)
                    or (t.grad_fn is None and id(t) not in leaf_id)
                )
            },
            key=lambda s: int(s[2:]),
        )
        lines += [f'omitted -> {target} [style="dashed"]' for target in frontier]

    if seen_verdicts:  # gradients are shown: explain their colours
        lines += _legend(explode, vanish)
    return lines


def _emit_clusters(lines: list[str], groups: dict[str, list[str]], modules: dict) -> None:
    """Nest a labelled ``subgraph cluster_<name>`` per module that holds nodes (or whose children
    do), following the dotted names."""
    needed: set[str] = set()
    for name in groups:
        while name:
            needed.add(name)
            name = name.rpartition(".")[0]
    children: dict[str, list[str]] = {}
    for name in modules:  # named_modules order: parents before children
        if name in needed:
            children.setdefault(name.rpartition(".")[0], []).append(name)
    # NOTE: explicit stack instead of recursion, in keeping with the rest of the traversal.
    stack: list[tuple[str, bool]] = [(n, False) for n in reversed(children.get("", []))]
    while stack:
        name, done = stack.pop()
        if done:
            lines.append("}")
            continue
        module = modules[name]
        lines.append(f"subgraph {_quote('cluster_' + name)} {{")
        lines.append(f"label={_quote(f'{name}: {type(module).__name__}')}")
        lines.append('style="rounded" color="#7f7f7f" fontname="Helvetica" fontsize=11')
        lines += groups.get(name, [])
        stack.append((name, True))
        stack += [(n, False) for n in reversed(children.get(name, []))]


def _legend(explode: float, vanish: float) -> list[str]:
    entries = [
        ("exploding", f"exploding gradient\nmax |grad| > {explode:g}"),
        ("vanishing", f"vanishing gradient\nmax |grad| < {vanish:g}"),
        ("non-finite", "non-finite gradient\nNaN or Inf"),
    ]
    lines = [
        'subgraph "cluster_legend" {',
        'label="gradient colours" style="dashed" fontname="Helvetica" fontsize=11',
    ]
    for key, text in entries:
        node = "legend_" + key.replace("-", "_")
        lines.append(
            f"{node} {_attrs(label=text, shape='box', style='filled', fillcolor=COLORS[key])}"
        )
    lines.append('legend_exploding -> legend_vanishing -> legend_non_finite [style="invis"]')
    lines.append("}")
    return lines


# ----------------------------------------------------------------------------- public API
def to_dot(
    root: Any,
    model: Any = None,
    params: Any = None,
    trace: ModuleTrace | None = None,
    show_shapes: bool = True,
    show_grads: bool = True,
    max_nodes: int | None = None,
    explode: float = EXPLODE,
    vanish: float = VANISH,
) -> str:
    """Return the DOT source of the graph that produced ``root``; needs nothing beyond NumPy.

    Parameters
    ----------
    root : the Tensor (e.g. the loss) or a list of Tensors whose graph to draw.
    model : an ``nn.Module``: names its parameters and groups nodes into a labelled cluster per
        sub-module (see the module docstring for which op goes where).
    params : ``{name: Tensor}`` (e.g. ``dict(model.named_parameters())``) to name leaves.
    trace : the ``ModuleTrace`` of ``trace_modules(model)`` around the forward, for exact
        clusters.
    max_nodes : draw at most this many op and tensor nodes (those nearest the output) plus a
        note saying how many were left out.
    explode, vanish : gradient colour thresholds on max |grad| (as in ``debug.grad_report``).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import viz
    >>> w = tg.ones(3, requires_grad=True)
    >>> print(viz.to_dot((w * 2).sum()).splitlines()[0])
    digraph {
    """
    roots = _as_roots(root, "to_dot")
    body = _build(
        roots, model, params, trace, show_shapes, show_grads, max_nodes, explode, vanish, "to_dot"
    )
    return "digraph {\n" + "\n".join("\t" + line for line in body) + "\n}\n"


def _require_dot() -> None:
    if shutil.which("dot") is None:
        raise GraphvizNotFoundError(f"Graphviz's `dot` program was not found: {_INSTALL_DOT}")


_digraph_class: Any = None


def _graphviz_digraph() -> Any:
    """A ``graphviz.Digraph`` subclass whose ``pipe``/``render`` explain a missing ``dot``."""
    global _digraph_class
    if _digraph_class is not None:
        return _digraph_class
    try:
        import graphviz
    except ImportError as err:
        raise ImportError(
            'draw_graph needs the graphviz Python package: pip install "tinygrad-lite[viz]" '
            "(or pip install graphviz), and Graphviz's `dot` program to render; to_dot needs "
            "neither"
        ) from err

    class Digraph(graphviz.Digraph):
        """A ``graphviz.Digraph`` that says how to install Graphviz when ``dot`` is missing."""

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            _require_dot()
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise GraphvizNotFoundError(f"{err}; {_INSTALL_DOT}") from err

        def render(self, *args: Any, **kwargs: Any) -> Any:
            _require_dot()
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise GraphvizNotFoundError(f"{err}; {_INSTALL_DOT}") from err

    _digraph_class = Digraph
    return Digraph


def draw_graph(
    root: Any,
    model: Any = None,
    params: Any = None,
    show_shapes: bool = True,
    show_grads: bool = True,
    max_nodes: int | None = None,
    trace: ModuleTrace | None = None,
    explode: float = EXPLODE,
    vanish: float = VANISH,
) -> Any:
    """Return the graph of ``root`` as a ``graphviz.Digraph`` (inline in Jupyter, ``.render()``).

    Takes the arguments of ``to_dot``. Needs the ``graphviz`` package (an ``ImportError`` says
    how to install it); ``.render()``/``.pipe()`` also need Graphviz's ``dot`` program (a
    ``GraphvizNotFoundError`` says how to install it).

    Examples
    --------
    >>> import tinygrad_lite as tg
    >>> from tinygrad_lite import viz
    >>> w = tg.ones(3, requires_grad=True)
    >>> g = viz.draw_graph((w * 2).sum())
    >>> g.pipe(format="svg")[:5]
    b'<?xml'
    """
    digraph = _graphviz_digraph()
    roots = _as_roots(root, "draw_graph")
    body = _build(
        roots,
        model,
        params,
        trace,
        show_shapes,
        show_grads,
        max_nodes,
        explode,
        vanish,
        "draw_graph",
    )
    return digraph(body=["\t" + line + "\n" for line in body])
